use crate::api::load_provider;
use crate::components::{ListingCardView, set_status};
use crate::model::*;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

#[component]
pub fn ProviderPage() -> impl IntoView {
    let params = use_params_map();
    let details = Resource::new(move || params.read().get("id").unwrap_or_default(), load_provider);
    view! {
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match details.await {
                    Ok(provider) => view! { <ProviderProfile provider/> }.into_any(),
                    Err(error) => {
                        set_status(if error == UiError::NotFound { 404 } else { 500 });
                        view! {
                            <Title text="Provider not found"/>
                            <h1>"Provider not found"</h1>
                            <p>{error.to_string()}</p>
                            <p><a href="/">"Find care and support"</a></p>
                        }.into_any()
                    }
                }
            })}
        </Suspense>
    }
}

#[component]
fn ProviderProfile(provider: ProviderDetails) -> impl IntoView {
    let website = provider.website.clone();
    view! {
        <Title text=provider.name.clone()/>
        <h1>{provider.name.clone()}</h1>
        <p class="lead">{provider.description.clone()}</p>
        <dl class="summary-list">
            <div><dt>"CQC rating"</dt><dd>{rating_label(&provider.regulator_rating)}</dd></div>
            {provider.regulator_id.clone().map(|id| view! { <div><dt>"CQC registration"</dt><dd>{id}</dd></div> })}
            <div><dt>"Email"</dt><dd><a href=format!("mailto:{}", provider.contact_email)>{provider.contact_email.clone()}</a></dd></div>
            <div><dt>"Telephone"</dt><dd>{provider.contact_phone.clone()}</dd></div>
            {website.map(|site| view! { <div><dt>"Website"</dt><dd>{site}</dd></div> })}
            <div><dt>"Languages"</dt><dd>{provider.languages.clone()}</dd></div>
            <div>
                <dt>"Details confirmed"</dt>
                <dd>{provider.assured_on.clone().unwrap_or_else(|| "Not yet confirmed by the provider".into())}</dd>
            </div>
        </dl>
        <h2>"Services"</h2>
        {if provider.listings.is_empty() {
            view! { <p>"This provider has no published services at the moment."</p> }.into_any()
        } else {
            view! {
                <ul class="card-list">
                    {provider.listings.into_iter().map(|card| view! { <ListingCardView card/> }).collect_view()}
                </ul>
            }.into_any()
        }}
        <super::ReviewList reviews=provider.reviews/>
        <super::RaiseConcernLink query=format!("provider={}", provider.public_id) about=provider.name.clone()/>
    }
}
