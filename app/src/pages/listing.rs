//! One service in full: price and policies, hours, who provides it, and its framework rank.
use crate::api::load_listing;
use crate::components::Loaded;
use crate::model::*;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

#[component]
pub fn ListingPage() -> impl IntoView {
    let params = use_params_map();
    let details = Resource::new(move || params.read().get("id").unwrap_or_default(), load_listing);
    view! {
        <Loaded data=details path="/" show=move |details, _| view! { <ListingView details/> }/>
    }
}

fn carer_text(code: &str) -> &'static str {
    match code {
        "female" => "Women carers only",
        "male" => "Men carers only",
        _ => "Any carer",
    }
}

#[component]
fn ListingView(details: ListingDetails) -> impl IntoView {
    let card = details.card;
    let late = match details.late_cancellation_percent {
        0 => "nothing".to_string(),
        100 => "the full price".to_string(),
        percent => format!("{percent}% of the price"),
    };
    let cancelling = format!("Free with {} hours' notice; later, {late}", details.cancellation_notice_hours);
    view! {
        <Title text=card.title.clone()/>
        <h1>{card.title.clone()}</h1>
        <p class="lead">
            {category_label(&card.category)}" from "
            <a href=format!("/providers/{}", card.provider_public_id)>{card.provider_name.clone()}</a>
        </p>
        {card.rank_explanation.clone().map(|explanation| view! {
            <div class="notice"><p>"Council framework: "{explanation}</p></div>
        })}
        {card.possibly_out_of_date.then(|| view! {
            <p class="tag tag-warning">"Possibly out of date: the provider has not confirmed these details for six months"</p>
        })}
        <p>{details.description}</p>
        <p><a class="button" href=format!("/book/{}", card.public_id)>"Book this service"</a></p>
        <dl class="summary-list">
            <div><dt>"Price"</dt><dd>{format_price(card.price_pence, &card.unit)}</dd></div>
            {(details.min_visit_minutes > 0).then(|| view! {
                <div><dt>"Shortest visit"</dt><dd>{format!("{} minutes", details.min_visit_minutes)}</dd></div>
            })}
            <div><dt>"Time is charged"</dt><dd>{format!("To the nearest {} minutes", details.billing_increment_minutes)}</dd></div>
            <div><dt>"Cancelling"</dt><dd>{cancelling}</dd></div>
            <div><dt>"Who provides the care"</dt><dd>{carer_text(&details.carer_gender)}</dd></div>
            <div><dt>"Languages"</dt><dd>{details.languages.join(", ")}</dd></div>
            {(!details.specialisms.is_empty()).then(|| view! {
                <div><dt>"Specialisms"</dt><dd>{details.specialisms.join(", ")}</dd></div>
            })}
            <div><dt>"Areas"</dt><dd>{card.areas.join(", ")}</dd></div>
            <div><dt>"CQC rating"</dt><dd>{rating_label(&card.regulator_rating)}</dd></div>
            <div><dt>"Details confirmed"</dt><dd>{details.assured_on.unwrap_or_else(|| "Not yet confirmed by the provider".into())}</dd></div>
        </dl>
        {(!details.hours.is_empty()).then(|| view! {
            <h2>"When it is available"</h2>
            <table class="table">
                <caption class="visually-hidden">"Opening hours by day"</caption>
                <thead><tr><th scope="col">"Day"</th><th scope="col">"From"</th><th scope="col">"Until"</th></tr></thead>
                <tbody>
                    {details.hours.into_iter().map(|(day, opens, closes)| view! {
                        <tr><th scope="row">{day}</th><td data-label="From">{opens}</td><td data-label="Until">{closes}</td></tr>
                    }).collect_view()}
                </tbody>
            </table>
        })}
        <super::ReviewList reviews=details.reviews/>
        <super::RaiseConcernLink query=format!("provider={}", card.provider_public_id) about=card.provider_name.clone()/>
        <p><a href="/">"Back to search"</a></p>
    }
    .into_any()
}
