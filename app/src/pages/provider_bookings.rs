//! A provider's bookings (`/provider/bookings`): requests to accept or decline before their
//! deadline, care under way (which can be handed back, with a reason), and the visits of the
//! coming week to check in and out of (with a note of what was done), and visits people have
//! queried, to answer. Every button is its own small form.
use crate::api::{ActOnBooking, load_provider_bookings};
use crate::components::{CsrfField, ErrorSummary, Loaded, form_errors};
use crate::model::*;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

const PATH: &str = "/provider/bookings";

#[component]
pub fn ProviderBookingsPage() -> impl IntoView {
    let act = ServerAction::<ActOnBooking>::new();
    let loaded = Resource::new(move || act.version().get(), |_| load_provider_bookings());
    let errors = form_errors(act);
    let done = move || use_query_map().read().get("done").is_some();
    view! {
        <Title text="Booking requests and visits"/>
        <h1>"Booking requests and visits"</h1>
        <ErrorSummary errors/>
        <Show when=done>
            <div class="notice" role="status"><p>"Done. The person has been told."</p></div>
        </Show>
        <Loaded data=loaded path=PATH show=move |bookings, token| view! { <Lists bookings act token/> }/>
    }
}

#[component]
fn Lists(bookings: ProviderBookings, act: ServerAction<ActOnBooking>, token: String) -> impl IntoView {
    let ProviderBookings { requests, confirmed, visits, queries } = bookings;
    view! {
        {(!queries.is_empty()).then(|| view! {
            <h2 id="queries">"Visits people have queried"</h2>
            <p>"A queried visit is not paid until it is settled. Correct the minutes if the record was wrong, or explain what happened."</p>
            <ul class="spaced-list">
                {queries.into_iter().map(|query| view! { <QueryAnswer query act token=token.clone()/> }).collect_view()}
            </ul>
        })}
        <h2>"Requests to answer"</h2>
        {if requests.is_empty() {
            view! { <p>"No requests are waiting."</p> }.into_any()
        } else {
            view! {
                <ul class="spaced-list">
                    {requests.into_iter().map(|line| {
                        let label = format!("{} for {}", line.service, line.with);
                        view! {
                            <li class="card">
                                <h3>{label.clone()}</h3>
                                <p>{line.when.clone()}<br/>{format!("Reference {}", line.reference)}</p>
                                <p><a href=format!("/bookings/{}#messages", line.reference)>{unread_words(line.unread_messages).unwrap_or_else(|| "Messages".into())}
                                    <span class="visually-hidden">{format!(" about {label}")}</span></a></p>
                                {line.respond_by.clone().map(|by| view! { <p><strong>{format!("Answer by {by}")}</strong></p> })}
                                <div class="actions">
                                    <Act act token=token.clone() reference=line.reference.clone() action="accept" label="Accept" what=label.clone()/>
                                    <ReasonForm act token=token.clone() reference=line.reference.clone() action="decline" label="Decline"
                                        what=label.clone() question="Why you cannot take it (optional)"/>
                                </div>
                            </li>
                        }
                    }).collect_view()}
                </ul>
            }.into_any()
        }}
        <h2>"Visits this week"</h2>
        {if visits.is_empty() {
            view! { <p>"No visits are due in the next 7 days."</p> }.into_any()
        } else {
            view! {
                <table class="table">
                    <caption class="visually-hidden">"Visits in the next 7 days, soonest first"</caption>
                    <thead><tr><th scope="col">"When"</th><th scope="col">"Person"</th><th scope="col">"Booking"</th><th scope="col">"Status"</th><th scope="col">"Actions"</th></tr></thead>
                    <tbody>
                        {visits.into_iter().map(|visit| {
                            let what = format!("{}, {}", visit.person, visit.when);
                            view! {
                                <tr>
                                    <th scope="row">{visit.when.clone()}</th>
                                    <td data-label="Person">{visit.person.clone()}</td>
                                    <td data-label="Booking">{visit.reference.clone()}</td>
                                    <td data-label="Status">{visit.status.label()}</td>
                                    <td class="actions">
                                        {visit.can_check_in.then(|| view! { <Act act token=token.clone() reference=visit.reference.clone() action="check_in" visit_id=visit.id label="Check in" what=what.clone()/> })}
                                        {visit.can_check_out.then(|| view! { <CheckOut act token=token.clone() reference=visit.reference.clone() visit_id=visit.id what=what.clone()/> })}
                                        {visit.can_mark_missed.then(|| view! { <Act act token=token.clone() reference=visit.reference.clone() action="missed" visit_id=visit.id label="Did not happen" what=what.clone()/> })}
                                    </td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            }.into_any()
        }}
        <h2>"Care you are providing"</h2>
        {if confirmed.is_empty() {
            view! { <p>"No care is booked with you at the moment."</p> }.into_any()
        } else {
            view! {
                <ul class="spaced-list">
                    {confirmed.into_iter().map(|line| {
                        let label = format!("{} for {}", line.service, line.with);
                        view! {
                            <li class="card">
                                <h3>{label.clone()}</h3>
                                <p>{line.when.clone()}<br/>{format!("Reference {}", line.reference)}</p>
                                <p><a href=format!("/bookings/{}#messages", line.reference)>{unread_words(line.unread_messages).unwrap_or_else(|| "Messages".into())}
                                    <span class="visually-hidden">{format!(" about {label}")}</span></a></p>
                                <details>
                                    <summary>"You can no longer provide this care"</summary>
                                    <ReasonForm act token=token.clone() reference=line.reference.clone() action="hand_back" label="Hand back this care"
                                        what=label.clone() question="Why (the person will be told)"/>
                                </details>
                            </li>
                        }
                    }).collect_view()}
                </ul>
            }.into_any()
        }}
    }
}

/// One button in its own form.
#[component]
fn Act(
    act: ServerAction<ActOnBooking>,
    token: String,
    reference: String,
    action: &'static str,
    #[prop(optional)] visit_id: Option<i64>,
    label: &'static str,
    what: String,
) -> impl IntoView {
    view! {
        <ActionForm action=act attr:class="inline-form">
            <CsrfField token/>
            <input type="hidden" name="reference" value=reference/>
            <input type="hidden" name="action" value=action/>
            {visit_id.map(|id| view! { <input type="hidden" name="visit_id" value=id.to_string()/> })}
            <button type="submit" class="button button-secondary" aria-label=format!("{label}: {what}")>{label}</button>
        </ActionForm>
    }
}

/// A button with a reason to give.
#[component]
fn ReasonForm(
    act: ServerAction<ActOnBooking>,
    token: String,
    reference: String,
    action: &'static str,
    label: &'static str,
    what: String,
    question: &'static str,
) -> impl IntoView {
    let id = format!("reason-{action}-{reference}");
    view! {
        <ActionForm action=act attr:class="reason-form">
            <CsrfField token/>
            <input type="hidden" name="reference" value=reference/>
            <input type="hidden" name="action" value=action/>
            <div class="form-group">
                <label class="label" for=id.clone()>{question}</label>
                <textarea class="textarea" id=id name="reason" rows="2"></textarea>
            </div>
            <button type="submit" class="button button-warning" aria-label=format!("{label}: {what}")>{label}</button>
        </ActionForm>
    }
}

/// Checking out, with a note of what was done that the person sees.
#[component]
fn CheckOut(act: ServerAction<ActOnBooking>, token: String, reference: String, visit_id: i64, what: String) -> impl IntoView {
    let id = format!("note-{visit_id}");
    view! {
        <ActionForm action=act attr:class="reason-form">
            <CsrfField token/>
            <input type="hidden" name="reference" value=reference/>
            <input type="hidden" name="action" value="check_out"/>
            <input type="hidden" name="visit_id" value=visit_id.to_string()/>
            <div class="form-group">
                <label class="label" for=id.clone()>"What was done (optional; the person sees this)"</label>
                <textarea class="textarea" id=id name="note" rows="2" maxlength="500"></textarea>
            </div>
            <button type="submit" class="button button-secondary" aria-label=format!("Check out: {what}")>"Check out"</button>
        </ActionForm>
    }
}

/// A query about a visit, and the provider's answer to it.
#[component]
fn QueryAnswer(query: VisitQuery, act: ServerAction<ActOnBooking>, token: String) -> impl IntoView {
    let (minutes_id, reason_id) = (format!("minutes-{}", query.visit_id), format!("answer-{}", query.visit_id));
    let what = format!("{}, {}", query.person, query.when);
    view! {
        <li class="card">
            <h3>{format!("{} for {}", query.service, query.person)}</h3>
            <dl class="summary-list">
                <div><dt>"Visit"</dt><dd>{format!("{} (reference {})", query.when, query.reference)}</dd></div>
                <div><dt>"Recorded"</dt><dd>{format!("{} of {} minutes, {}", query.minutes, query.booked_minutes, format_pence(query.cost_pence))}</dd></div>
                {query.note.clone().map(|note| view! { <div><dt>"Your note"</dt><dd>{note}</dd></div> })}
                <div><dt>"What they say was wrong"</dt><dd class="pre-line">{query.query.clone()}</dd></div>
            </dl>
            <ActionForm action=act attr:class="reason-form">
                <CsrfField token/>
                <input type="hidden" name="reference" value=query.reference.clone()/>
                <input type="hidden" name="action" value="answer_query"/>
                <input type="hidden" name="visit_id" value=query.visit_id.to_string()/>
                <div class="form-group">
                    <label class="label" for=minutes_id.clone()>"Correct the minutes (optional)"</label>
                    <p class="hint" id=format!("{minutes_id}-hint")>{format!("Fewer than {} gives the difference back to the person's budget. Leave it empty to keep the record.", query.minutes)}</p>
                    <input class="input input-narrow" type="number" inputmode="numeric" min="0" max=query.minutes.to_string() id=minutes_id.clone()
                        name="minutes" aria-describedby=format!("{minutes_id}-hint")/>
                </div>
                <div class="form-group">
                    <label class="label" for=reason_id.clone()>"Your answer"</label>
                    <textarea class="textarea" id=reason_id name="reason" rows="3" maxlength="500" required></textarea>
                </div>
                <button type="submit" class="button" aria-label=format!("Send your answer: {what}")>"Send your answer"</button>
            </ActionForm>
        </li>
    }
}
