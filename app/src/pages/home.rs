use crate::api::published_listings;
use crate::components::ListingCardView;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// The front door: a search box and what providers have published.
#[component]
pub fn HomePage() -> impl IntoView {
    let query = use_query_map();
    let words = move || query.read().get("q").unwrap_or_default();
    let listings = Resource::new(words, published_listings);
    view! {
        <Title text="Find care and support"/>
        <h1>"Find care and support"</h1>
        <p class="lead">"Search home care, personal assistants, day opportunities, short breaks and more from providers in your area."</p>
        <form method="get" action="/" role="search" class="search-form">
            <label class="label" for="q">"Search for care and support"</label>
            <div class="hint" id="q-hint">"For example, home care in Gosforth, or dementia"</div>
            <div class="search-row">
                <input class="input" id="q" name="q" type="search" aria-describedby="q-hint" prop:value=words/>
                <button type="submit" class="button">"Search"</button>
            </div>
        </form>
        <Suspense fallback=|| view! { <p>"Loading services…"</p> }>
            {move || Suspend::new(async move {
                match listings.await {
                    Ok(page) if page.cards.is_empty() => view! {
                        <h2>"No services found"</h2>
                        <p>"Try fewer words, or check the spelling."</p>
                    }.into_any(),
                    Ok(page) => view! {
                        <h2>{if page.total as usize > page.cards.len() {
                            format!("{} services found, showing the first {}", page.total, page.cards.len())
                        } else {
                            format!("{} services found", page.total)
                        }}</h2>
                        <ul class="card-list">
                            {page.cards.into_iter().map(|card| view! { <ListingCardView card/> }).collect_view()}
                        </ul>
                    }.into_any(),
                    Err(error) => view! { <p class="error-message">{error.to_string()}</p> }.into_any(),
                }
            })}
        </Suspense>
    }
}
