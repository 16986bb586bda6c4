//! Framework lots in public: the list of lots, and each lot's ranked table with the reason
//! for every place, so anyone can see why a provider is offered work first.
use crate::api::{load_lot, load_lots};
use crate::components::refusal_view;
use crate::model::*;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

#[component]
pub fn LotsPage() -> impl IntoView {
    let lots = Resource::new(|| (), |_| load_lots());
    view! {
        <Title text="How providers are ranked"/>
        <h1>"How providers are ranked"</h1>
        <p class="lead">"The council buys care through framework contracts. Each lot is one kind of care in one area."</p>
        <p>"In each lot, providers are ranked on quality and price. Quality comes from the CQC rating, the council's
            own checks and reviews from people who used the service. Providers rated Inadequate, or suspended by the
            council, are not offered work through the lot."</p>
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match lots.await {
                    Ok(lots) if lots.is_empty() => view! { <p>"The council has no framework lots yet."</p> }.into_any(),
                    Ok(lots) => view! {
                        <ul class="plain-list spaced-list">
                            {lots.into_iter().map(|lot| view! {
                                <li>
                                    <a href=format!("/lots/{}", lot.id)>{lot.name}</a>
                                    <span class="hint">{format!("{} · {} · {} providers", lot.framework, lot.locality, lot.providers)}</span>
                                </li>
                            }).collect_view()}
                        </ul>
                    }.into_any(),
                    Err(error) => refusal_view(error, "/lots".into()),
                }
            })}
        </Suspense>
    }
}

#[component]
pub fn LotPage() -> impl IntoView {
    let params = use_params_map();
    let lot_id = move || params.read().get("id").and_then(|id| id.parse::<i64>().ok());
    let table = Resource::new(lot_id, |id| async move {
        match id {
            Some(id) => load_lot(id).await,
            None => Err(UiError::NotFound),
        }
    });
    view! {
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match table.await {
                    Ok(table) => view! { <LotView table/> }.into_any(),
                    Err(error) => refusal_view(error, "/lots".into()),
                }
            })}
        </Suspense>
    }
}

#[component]
fn LotView(table: LotTable) -> impl IntoView {
    let weighting = format!("Quality counts for {}% and price for {}%", table.quality_weight, 100 - table.quality_weight);
    let unit = table.unit.clone();
    view! {
        <Title text=table.name.clone()/>
        <h1>{table.name.clone()}</h1>
        <dl class="summary-list">
            <div><dt>"Framework"</dt><dd>{table.framework.clone()}</dd></div>
            <div><dt>"Area"</dt><dd>{table.locality.clone()}</dd></div>
            <div><dt>"Type of care"</dt><dd>{table.category.clone()}</dd></div>
            <div><dt>"Most the council pays"</dt><dd>{format_price(table.price_cap_pence, &table.unit)}</dd></div>
            <div><dt>"Ranking"</dt><dd>{weighting}</dd></div>
        </dl>
        <h2>"Ranked providers"</h2>
        <p>"The price score is 100 for the lowest price in the lot and less for higher prices. The framework score
            adds quality and price together, weighted as above. Equal scores go to higher quality, then lower price."</p>
        {if table.ranked.is_empty() {
            view! { <p>"No provider can be offered work through this lot at the moment."</p> }.into_any()
        } else {
            view! {
                <table class="table">
                    <caption class="visually-hidden">{format!("Providers on {}, best first", table.name)}</caption>
                    <thead>
                        <tr><th scope="col">"Rank"</th><th scope="col">"Provider"</th><th scope="col">"Quality"</th>
                            <th scope="col">"Price"</th><th scope="col">"Price score"</th><th scope="col">"Framework score"</th></tr>
                    </thead>
                    <tbody>
                        {table.ranked.into_iter().map(|row| view! {
                            <tr>
                                <td data-label="Rank">{row.position}</td>
                                <th scope="row">
                                    <a href=format!("/providers/{}", row.provider_public_id)>{row.provider}</a>
                                    <span class="hint">{row.explanation}</span>
                                </th>
                                <td data-label="Quality">{format_score(row.quality)}</td>
                                <td data-label="Price">{format_price(row.price_pence, &unit)}</td>
                                <td data-label="Price score">{format_score(row.price_score)}</td>
                                <td data-label="Framework score">{format_score(row.framework_score)}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            }.into_any()
        }}
        {(!table.not_offered.is_empty()).then(|| view! {
            <h2>"Not offered work through this lot"</h2>
            <p>"These providers are on the framework but are not offered work at the moment. They can still be found in search."</p>
            <ul>
                {table.not_offered.into_iter().map(|(name, reason)| view! { <li><strong>{name}</strong>": "{reason}</li> }).collect_view()}
            </ul>
        })}
        <p><a href="/lots">"All framework lots"</a></p>
    }
}
