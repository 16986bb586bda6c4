//! Framework lots in public: the list of lots, and each lot's ranked table with the reason
//! for every place, so anyone can see why a provider is offered work first; and the CQC
//! ratings the quality scores start from, imported by commissioners.
use crate::api::{
    AdmitProvider, ImportRatings, RecordMonitoring, ReinstateProvider, SetLotTerms, SuspendProvider, load_lot, load_lot_admin, load_lots, load_ratings,
};
use crate::components::{CsrfField, CsvInput, ErrorSummary, Loaded, Select, TextArea, TextInput, form_errors, refusal_view, use_viewer};
use crate::model::*;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

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
        <Loaded data=lots path="/lots" show={|lots: Vec<LotSummary>, _| if lots.is_empty() {
            view! { <p>"The council has no framework lots yet."</p> }.into_any()
        } else {
            view! {
                <ul class="plain-list spaced-list">
                    {lots.into_iter().map(|lot| view! {
                        <li>
                            <a href=format!("/lots/{}", lot.id)>{lot.name}</a>
                            <span class="hint">{format!("{} · {} · {} providers", lot.framework, lot.locality, lot.providers)}</span>
                        </li>
                    }).collect_view()}
                </ul>
            }.into_any()
        }}/>
    }
}

/// The changes a commissioner can make from a lot's page; each one reloads the tables.
#[derive(Clone, Copy)]
struct LotActions {
    admit: ServerAction<AdmitProvider>,
    monitoring: ServerAction<RecordMonitoring>,
    suspend: ServerAction<SuspendProvider>,
    reinstate: ServerAction<ReinstateProvider>,
    terms: ServerAction<SetLotTerms>,
}

impl LotActions {
    fn new() -> Self {
        Self {
            admit: ServerAction::new(),
            monitoring: ServerAction::new(),
            suspend: ServerAction::new(),
            reinstate: ServerAction::new(),
            terms: ServerAction::new(),
        }
    }

    /// Changes every time any of them succeeds or fails.
    fn version(self) -> usize {
        self.admit.version().get()
            + self.monitoring.version().get()
            + self.suspend.version().get()
            + self.reinstate.version().get()
            + self.terms.version().get()
    }
}

#[component]
pub fn LotPage() -> impl IntoView {
    let params = use_params_map();
    let lot_id = move || params.read().get("id").and_then(|id| id.parse::<i64>().ok());
    let actions = LotActions::new();
    let table = Resource::new(
        move || (lot_id(), actions.version()),
        |(id, _)| async move {
            match id {
                Some(id) => load_lot(id).await,
                None => Err(UiError::NotFound),
            }
        },
    );
    let viewer = use_viewer();
    let commissioner = viewer.user.as_ref().is_some_and(|user| user.role == Role::Commissioner);
    let token = viewer.csrf_token;
    view! {
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new({
                let token = token.clone();
                async move {
                match table.await {
                    Ok(table) => {
                        let panel = lot_id().filter(|_| commissioner)
                            .map(|id| view! { <LotAdminPanel lot_id=id actions token/> });
                        view! { <LotView table/>{panel} }.into_any()
                    }
                    Err(error) => refusal_view(error, "/lots".into()),
                }
            }})}
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
        {table.best_value_listing.clone().map(|listing| view! {
            <p><a class="button" href=format!("/book/{listing}?best_value=yes")>"Book the best value provider"</a></p>
            <p class="hint">"If the top-ranked provider cannot take your booking, it goes to the next one on this list."</p>
        })}
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

/// Commissioners only: admit a provider, record a monitoring score, suspend or reinstate.
#[component]
fn LotAdminPanel(lot_id: i64, actions: LotActions, token: String) -> impl IntoView {
    let admin = Resource::new(move || actions.version(), move |_| load_lot_admin(lot_id));
    // A commissioner of another council gets nothing here: the lot is not theirs to manage.
    view! {
        <Suspense fallback=|| ()>
            {move || {
                let token = token.clone();
                Suspend::new(async move {
                    admin.await.ok().map(|admin| view! {
                        <section class="admin-panel" aria-labelledby="manage-lot">
                            <h2 id="manage-lot">"Manage this lot"</h2>
                            <LotAdminForms lot_id admin actions token/>
                        </section>
                    })
                })
            }}
        </Suspense>
    }
}

#[component]
fn LotAdminForms(lot_id: i64, admin: LotAdmin, actions: LotActions, token: String) -> impl IntoView {
    let providers = |rows: &[AccreditationRow], suspended: bool| -> Vec<(String, String)> {
        rows.iter().filter(|row| row.suspension.is_some() == suspended).map(|row| (row.provider_public_id.clone(), row.provider.clone())).collect()
    };
    let everyone: Vec<(String, String)> = admin.accreditations.iter().map(|row| (row.provider_public_id.clone(), row.provider.clone())).collect();
    let active = providers(&admin.accreditations, false);
    let admit_errors = form_errors(actions.admit);
    let monitoring_errors = form_errors(actions.monitoring);
    let suspend_errors = form_errors(actions.suspend);
    let terms_errors = form_errors(actions.terms);
    let cap_now = format!("Now {}", admin.price_cap);
    // Copyable, for the forms' closures.
    let token = StoredValue::new(token);
    let on_lot = admin
        .accreditations
        .into_iter()
        .map(|row| {
            let status = row.suspension.clone().map_or_else(|| "Active".to_string(), |reason| format!("Suspended: {reason}"));
            let reinstate = row.suspension.is_some().then(|| {
                let provider_id = row.provider_public_id.clone();
                let label = format!("Reinstate {}", row.provider);
                view! {
                    <ActionForm action=actions.reinstate attr:class="inline-form">
                        <LotFormFields token=token.get_value() lot_id/>
                        <input type="hidden" name="provider_id" value=provider_id/>
                        <button type="submit" class="button button-secondary" aria-label=label>"Reinstate"</button>
                    </ActionForm>
                }
            });
            view! {
                <li>
                    <strong>{row.provider.clone()}</strong>
                    <span class="hint">{format!("{} · {status}", row.rate)}</span>
                    {reinstate}
                </li>
            }
        })
        .collect_view();
    view! {
        <h3>"Providers on this lot"</h3>
        <ul class="plain-list spaced-list">{on_lot}</ul>

        <h3>"Record a monitoring score"</h3>
        <ErrorSummary errors=monitoring_errors/>
        <ActionForm action=actions.monitoring attr:novalidate=true>
            <LotFormFields token=token.get_value() lot_id/>
            <Select id="monitoring_provider" name="provider_id" label="Provider to score" options=everyone errors=monitoring_errors/>
            <TextInput id="score" name="score" label="Score out of 100" width="input-narrow" errors=monitoring_errors/>
            <TextArea id="note" name="note" label="What the score is based on" hint="For example: annual contract visit, 12 files checked" errors=monitoring_errors/>
            <button type="submit" class="button">"Record score"</button>
        </ActionForm>

        <h3>"Suspend a provider"</h3>
        <p>"A suspended provider is not offered work through this lot, but can still be found in search."</p>
        <ErrorSummary errors=suspend_errors/>
        <ActionForm action=actions.suspend attr:novalidate=true>
            <LotFormFields token=token.get_value() lot_id/>
            <Select id="suspended_provider" name="provider_id" label="Provider to suspend" options=active errors=suspend_errors/>
            <TextArea id="reason" name="reason" label="Reason" hint="The provider and the public will see this" errors=suspend_errors/>
            <button type="submit" class="button">"Suspend provider"</button>
        </ActionForm>

        <h3>"Price cap and weighting"</h3>
        <p>"Changing them re-ranks every provider on the lot at once."</p>
        <ErrorSummary errors=terms_errors/>
        <ActionForm action=actions.terms attr:novalidate=true>
            <LotFormFields token=token.get_value() lot_id/>
            <TextInput id="price_cap" name="price_cap" label="Price cap in pounds" hint=cap_now
                width="input-narrow" value=admin.price_cap_pounds.clone() errors=terms_errors/>
            <TextInput id="quality_weight" name="quality_weight" label="Weight given to quality, in percent" hint="From 0 to 100; price gets the rest"
                width="input-narrow" value=admin.quality_weight.to_string() errors=terms_errors/>
            <button type="submit" class="button">"Change terms"</button>
        </ActionForm>

        <h3>"Admit a provider"</h3>
        <ErrorSummary errors=admit_errors/>
        {if admin.could_admit.is_empty() {
            view! { <p>"No other published services of this kind cover this area."</p> }.into_any()
        } else {
            view! {
                <ActionForm action=actions.admit attr:novalidate=true>
                    <LotFormFields token=token.get_value() lot_id/>
                    <Select id="listing_id" name="listing_id" label="Service" options=admin.could_admit errors=admit_errors/>
                    <TextInput id="rate" name="rate" label="Contracted rate in pounds" hint=format!("At most {}, the lot's price cap", admin.price_cap)
                        width="input-narrow" errors=admit_errors/>
                    <button type="submit" class="button">"Admit provider"</button>
                </ActionForm>
            }.into_any()
        }}
    }
}

/// What every lot form carries: the CSRF token and which lot it is for.
#[component]
fn LotFormFields(token: String, lot_id: i64) -> impl IntoView {
    view! {
        <CsrfField token/>
        <input type="hidden" name="lot_id" value=lot_id.to_string()/>
    }
}

/// CQC ratings (`/ratings`, commissioners): import the CQC's care directory, and the latest
/// rating changes of the council's providers (which re-rank the lots at once).
#[component]
pub fn RatingsImportPage() -> impl IntoView {
    let import = ServerAction::<ImportRatings>::new();
    let loaded = Resource::new(move || import.version().get(), |_| load_ratings());
    let errors = form_errors(import);
    let done = {
        let query = use_query_map().read_untracked().clone();
        let count = |key: &str| query.get(key).and_then(|n| n.parse::<usize>().ok());
        count("changed").map(|changed| (changed, count("unchanged").unwrap_or(0), count("elsewhere").unwrap_or(0)))
    };
    let header = RATINGS_CSV_HEADER;
    view! {
        <Title text="CQC ratings"/>
        <h1>"CQC ratings"</h1>
        {done.map(|(changed, unchanged, elsewhere)| view! {
            <div class="panel" role="status">
                <h2>"The ratings are imported"</h2>
                <p>{format!("{changed} of your providers' ratings changed and {unchanged} stayed the same; {elsewhere} locations are not your providers on CareMarket.")}</p>
            </div>
        })}
        <p>"The CQC publishes its care directory with each location's latest rating. Save it as CSV with three columns, the first line naming them: "
           <code>{header}</code>". Ratings are Outstanding, Good, Requires improvement or Inadequate; dates are like 2026-12-01. "
           "A newer rating replaces the one recorded, the lots re-rank at once, and their tables say what changed. If any line cannot be read, nothing is imported and each such line is listed."</p>
        <ErrorSummary errors/>
        <Loaded data=loaded path="/ratings" show=move |page, token| view! {
            <ActionForm action=import attr:novalidate=true>
                <CsrfField token/>
                <CsvInput label="Locations to import" hint=format!("For example: {RATINGS_CSV_HEADER} then 1-123456789,Good,2026-12-01") errors/>
                <button type="submit" class="button">"Import ratings"</button>
            </ActionForm>
            <script src="/enhance.js"></script>
            <RatingChanges page/>
        }/>
    }
}

#[component]
fn RatingChanges(page: RatingsPage) -> impl IntoView {
    view! {
        <h2>"Latest ratings recorded"</h2>
        {if page.changes.is_empty() {
            view! { <p>"No ratings have been imported yet."</p> }.into_any()
        } else {
            view! {
                <table class="table">
                    <caption class="visually-hidden">"Ratings recorded, newest first"</caption>
                    <thead><tr><th scope="col">"Provider"</th><th scope="col">"Rating"</th><th scope="col">"Before"</th><th scope="col">"Given on"</th></tr></thead>
                    <tbody>
                        {page.changes.into_iter().map(|change| view! {
                            <tr>
                                <th scope="row">{change.provider}</th>
                                <td data-label="Rating">{change.rating}</td>
                                <td data-label="Before">{change.previous.unwrap_or_else(|| "Unchanged".into())}</td>
                                <td data-label="Given on">{change.rated_on}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            }.into_any()
        }}
    }
}
