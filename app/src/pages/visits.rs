//! Confirming the care received: the visits delivered on a booking's page, with "Confirm" and
//! "Something was wrong" for the person (or someone they let book for them); the page an
//! emailed link opens without signing in (`/visits/confirm?token=…`, its buttons POST, since
//! mail scanners follow links); and the council's queue of queries to decide
//! (`/visit-queries`).
use crate::api::{AnswerVisit, AnswerVisitByLink, DecideVisitQuery, load_visit_queries, load_visit_to_confirm};
use crate::components::{CsrfField, ErrorSummary, Loaded, form_errors, refusal_view, use_viewer};
use crate::model::*;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// "What was wrong?": the words a query needs.
#[component]
fn WhatWasWrong(id: String, #[prop(optional)] label: Option<&'static str>) -> impl IntoView {
    view! {
        <div class="form-group">
            <label class="label" for=id.clone()>{label.unwrap_or("What was wrong?")}</label>
            <p class="hint" id=format!("{id}-hint")>"For example, the visit was shorter than recorded, or did not happen. Up to 500 characters."</p>
            <textarea class="textarea" id=id.clone() name="what_was_wrong" rows="3" maxlength="500" aria-describedby=format!("{id}-hint")></textarea>
        </div>
    }
}

/// The visits delivered on a booking, each with where it is and, when it waits for this
/// viewer, the two answers.
#[component]
pub fn DeliveredVisits(visits: Vec<DeliveredVisit>, reference: String, answer: ServerAction<AnswerVisit>, token: String) -> impl IntoView {
    if visits.is_empty() {
        return ().into_any();
    }
    view! {
        <h2 id="visits">"Visits delivered"</h2>
        <p>"Each visit is paid once it is confirmed. If you do not answer in 48 hours, it is confirmed for you."</p>
        <ul class="spaced-list">
            {visits.into_iter().map(|visit| {
                let answered = visit.confirmation == VisitConfirmation::Answered;
                let wrong_id = format!("what_was_wrong-{}", visit.id);
                let (token, reference, when, id) = (token.clone(), reference.clone(), visit.when.clone(), visit.id.to_string());
                view! {
                    <li class="card">
                        <h3>{visit.when.clone()}</h3>
                        <dl class="summary-list">
                            <div><dt>"Care given"</dt><dd>{format!("{} minutes, {}", visit.minutes, format_pence(visit.cost_pence))}</dd></div>
                            {visit.note.clone().map(|note| view! { <div><dt>"The care worker's note"</dt><dd>{note}</dd></div> })}
                            <div><dt>"Status"</dt><dd>{visit.confirmation.label()}</dd></div>
                            {visit.query.clone().map(|query| view! { <div><dt>"What was wrong"</dt><dd class="pre-line">{query}</dd></div> })}
                            {visit.answer.clone().map(|answer| view! { <div><dt>"The provider's answer"</dt><dd>{answer}</dd></div> })}
                            {visit.decision.clone().map(|decision| view! { <div><dt>"The council's decision"</dt><dd>{decision}</dd></div> })}
                        </dl>
                        {visit.can_answer.then(move || {
                            let (confirm_token, confirm_reference, confirm_id) = (token.clone(), reference.clone(), id.clone());
                            let confirm_label = format!("{}: {when}", if answered { "Accept the answer" } else { "Confirm this visit" });
                            view! {
                            {visit.answer_by.clone().map(|by| view! { <p>{format!("Answer by {by}.")}</p> })}
                            <ActionForm action=answer attr:class="inline-form">
                                <CsrfField token=confirm_token/>
                                <input type="hidden" name="reference" value=confirm_reference/>
                                <input type="hidden" name="visit_id" value=confirm_id/>
                                <input type="hidden" name="answer" value="confirm"/>
                                <button type="submit" class="button" aria-label=confirm_label>
                                    {if answered { "Accept the answer" } else { "Confirm this visit" }}
                                </button>
                            </ActionForm>
                            <details>
                                <summary>{if answered { "Ask the council to decide" } else { "Something was wrong" }}</summary>
                                <ActionForm action=answer>
                                    <CsrfField token/>
                                    <input type="hidden" name="reference" value=reference/>
                                    <input type="hidden" name="visit_id" value=id/>
                                    <input type="hidden" name="answer" value="query"/>
                                    <WhatWasWrong id=wrong_id label=if answered { "Why you still disagree" } else { "What was wrong?" }/>
                                    <button type="submit" class="button button-warning" aria-label=format!("Send: {when}")>"Send"</button>
                                </ActionForm>
                            </details>
                        }})}
                    </li>
                }
            }).collect_view()}
        </ul>
    }
    .into_any()
}

/// The page an emailed link opens: confirm the visit or say what was wrong, without signing in.
#[component]
pub fn ConfirmVisitPage() -> impl IntoView {
    let action = ServerAction::<AnswerVisitByLink>::new();
    let errors = form_errors(action);
    let (link_token, done) = {
        let query = use_query_map().read_untracked();
        (query.get("token").unwrap_or_default(), query.get("done"))
    };
    let token = use_viewer().csrf_token;
    let title = "Confirm your visit";
    if let Some(done) = done {
        let (heading, next) = if done == "query" {
            ("Thank you: we have told the provider", "Nothing is paid for this visit until it is settled. We will tell you their answer.")
        } else {
            ("Thank you: the visit is confirmed", "The provider will be paid for it.")
        };
        return view! {
            <Title text=title/>
            <div class="narrow">
                <div class="panel" role="status"><h1>{heading}</h1></div>
                <p>{next}</p>
                <p><a href="/dashboard">"Go to your dashboard"</a></p>
            </div>
        }
        .into_any();
    }
    let visit = Resource::new(move || link_token.clone(), load_visit_to_confirm);
    let link_token = use_query_map().read_untracked().get("token").unwrap_or_default();
    view! {
        <Title text=title/>
        <div class="narrow">
            <ErrorSummary errors/>
            <h1>{title}</h1>
            <Suspense fallback=|| view! { <p>"Loading…"</p> }>
                {move || {
                    let (token, link_token) = (token.clone(), link_token.clone());
                    let (second_token, second_link) = (token.clone(), link_token.clone());
                    Suspend::new(async move {
                        let visit = match visit.await {
                            Ok(visit) => visit,
                            Err(UiError::Invalid(errors)) => {
                                let why = errors.into_iter().next().map(|error| error.message).unwrap_or_default();
                                return view! { <p>{why}</p><p><a href="/sign-in">"Sign in"</a></p> }.into_any();
                            }
                            Err(error) => return refusal_view(error, "/visits/confirm".into()),
                        };
                        view! {
                            <dl class="summary-list">
                                <div><dt>"Provider"</dt><dd>{format!("{}, {}", visit.provider, visit.service)}</dd></div>
                                <div><dt>"Visit"</dt><dd>{visit.when.clone()}</dd></div>
                                <div><dt>"Care given"</dt><dd>{format!("{} minutes, {}", visit.minutes, format_pence(visit.cost_pence))}</dd></div>
                                {visit.note.clone().map(|note| view! { <div><dt>"The care worker's note"</dt><dd>{note}</dd></div> })}
                            </dl>
                            <p>{format!("Answer by {}. If you do not, the visit is confirmed then.", visit.answer_by)}</p>
                            <ActionForm action>
                                <CsrfField token/>
                                <input type="hidden" name="token" value=link_token/>
                                <input type="hidden" name="answer" value="confirm"/>
                                <button type="submit" class="button">"Confirm"</button>
                            </ActionForm>
                            <h2>"Something was wrong"</h2>
                            <ActionForm action>
                                <CsrfField token=second_token/>
                                <input type="hidden" name="token" value=second_link/>
                                <input type="hidden" name="answer" value="query"/>
                                <WhatWasWrong id="what_was_wrong".into()/>
                                <button type="submit" class="button button-warning">"Something was wrong"</button>
                            </ActionForm>
                        }
                        .into_any()
                    })
                }}
            </Suspense>
        </div>
    }
    .into_any()
}

const QUERIES_PATH: &str = "/visit-queries";

/// The council's queue: visits the person still disputes after the provider's answer.
#[component]
pub fn VisitQueriesPage() -> impl IntoView {
    let decide = ServerAction::<DecideVisitQuery>::new();
    let loaded = Resource::new(move || decide.version().get(), |_| load_visit_queries());
    let errors = form_errors(decide);
    let decided = move || use_query_map().read().get("decided").is_some();
    view! {
        <Title text="Queries about visits"/>
        <h1>"Queries about visits"</h1>
        <ErrorSummary errors/>
        <Show when=decided>
            <div class="notice" role="status"><p>"Decided. The person and the provider have been told, and the visit is paid as you decided."</p></div>
        </Show>
        <Loaded data=loaded path=QUERIES_PATH show=move |queries, token| view! { <Queries queries decide token/> }/>
    }
}

#[component]
fn Queries(queries: Vec<VisitQuery>, decide: ServerAction<DecideVisitQuery>, token: String) -> impl IntoView {
    view! {
            <p>"The person still disagrees with the provider's answer. Decide the minutes to pay for (no more than recorded) and say why: both are told."</p>
            {if queries.is_empty() {
                view! { <p>"No queries are waiting for a decision."</p> }.into_any()
            } else {
                view! {
                    <ul class="spaced-list">
                        {queries.into_iter().map(|query| {
                            let token = token.clone();
                            let (minutes_id, reason_id) = (format!("minutes-{}", query.visit_id), format!("reason-{}", query.visit_id));
                            view! {
                                <li class="card">
                                    <h3>{format!("{}: {} for {}", query.provider, query.service, query.person)}</h3>
                                    <dl class="summary-list">
                                        <div><dt>"Visit"</dt><dd>{format!("{} (booking {})", query.when, query.reference)}</dd></div>
                                        <div><dt>"Recorded"</dt><dd>{format!("{} of {} minutes, {}", query.minutes, query.booked_minutes, format_pence(query.cost_pence))}</dd></div>
                                        {query.note.clone().map(|note| view! { <div><dt>"The care worker's note"</dt><dd>{note}</dd></div> })}
                                        <div><dt>"What the person says"</dt><dd class="pre-line">{query.query.clone()}</dd></div>
                                        {query.answer.clone().map(|answer| view! { <div><dt>"The provider's answer"</dt><dd>{answer}</dd></div> })}
                                    </dl>
                                    <ActionForm action=decide attr:class="reason-form">
                                        <CsrfField token/>
                                        <input type="hidden" name="visit_id" value=query.visit_id.to_string()/>
                                        <div class="form-group">
                                            <label class="label" for=minutes_id.clone()>"Minutes to pay for"</label>
                                            <input class="input input-narrow" type="number" inputmode="numeric" min="0" max=query.minutes.to_string()
                                                id=minutes_id name="minutes" value=query.minutes.to_string() required/>
                                        </div>
                                        <div class="form-group">
                                            <label class="label" for=reason_id.clone()>"Why"</label>
                                            <textarea class="textarea" id=reason_id name="reason" rows="3" maxlength="500" required></textarea>
                                        </div>
                                        <button type="submit" class="button" aria-label=format!("Decide: {}, {}", query.person, query.when)>"Decide"</button>
                                    </ActionForm>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
    }
}
