use crate::api::{ActFor, AnswerHelpRequest, load_dashboard};
use crate::components::{CsrfField, ErrorSummary, Loaded, form_errors, use_viewer};
use crate::model::*;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::Redirect;
use leptos_router::hooks::{use_params_map, use_query_map};

/// `/dashboard` sends each person to their own role's dashboard (or to sign in).
#[component]
pub fn DashboardHome() -> impl IntoView {
    match use_viewer().user {
        Some(user) => view! { <Redirect path=user.role.dashboard_path()/> }.into_any(),
        None => view! { <Redirect path="/sign-in?next=/dashboard"/> }.into_any(),
    }
}

#[component]
pub fn RoleDashboard() -> impl IntoView {
    let params = use_params_map();
    let role = move || params.read().get("role").and_then(|slug| Role::from_slug(&slug));
    // Answering a request to help changes the caseload shown.
    let answer = ServerAction::<AnswerHelpRequest>::new();
    let summary = Resource::new(
        move || (role(), answer.version().get()),
        |(role, _)| async move {
            match role {
                Some(role) => load_dashboard(role).await,
                None => Err(UiError::NotFound),
            }
        },
    );
    view! {
        <Loaded data=summary path=role().map_or_else(|| "/dashboard".to_string(), Role::dashboard_path) show=move |summary, token| view! { <DashboardView summary answer token/> }/>
    }
}

#[component]
fn DashboardView(summary: Dashboard, answer: ServerAction<AnswerHelpRequest>, token: String) -> impl IntoView {
    let act_for = ServerAction::<ActFor>::new();
    match summary {
        Dashboard::BudgetHolder { budget_type, available_pence, committed_pence, four_weekly_allocation_pence, active_bookings, bookings, messages, audit_questions } => view! {
            <Title text="Your budget"/>
            <h1>"Your budget"</h1>
            {(!audit_questions.is_empty()).then(|| view! {
                <div class="notice">
                    <h2>"The council has a question for you"</h2>
                    <ul class="spaced-list">
                        {audit_questions.into_iter().map(|question| view! {
                            <li><a href=format!("/audits/cases/{}", question.reference)>{format!("Read the question and answer it by {}", question.due)}</a></li>
                        }).collect_view()}
                    </ul>
                </div>
            })}
            {match budget_type {
                Some(budget_type) => view! {
                    <dl class="summary-list">
                        <div><dt>"Type of budget"</dt><dd>{budget_type.label()}</dd></div>
                        <div><dt>"Available to spend"</dt><dd>{format_pence(available_pence)}</dd></div>
                        <div><dt>"Set aside for booked care"</dt><dd>{format_pence(committed_pence)}</dd></div>
                        <div><dt>"Paid in every 4 weeks"</dt><dd>{format_pence(four_weekly_allocation_pence)}</dd></div>
                        <div><dt>"Bookings in place"</dt><dd>{active_bookings}</dd></div>
                    </dl>
                    <p><a href="/budget/statement">"See every payment in and out (your budget statement)"</a></p>
                    <p><a href="/budget/helpers">"People who can help you (and what they have done for you)"</a></p>
                }.into_any(),
                None => view! { <p>"The council has not set up your budget yet. Your social worker can tell you when it will be ready."</p> }.into_any(),
            }}
            <p><a href="/" class="button">"Find care and support"</a></p>
            <Messages messages/>
            <h2>"Your bookings"</h2>
            {if bookings.is_empty() {
                view! { <p>"You have not booked anything yet."</p> }.into_any()
            } else {
                view! {
                    <ul class="spaced-list">
                        {bookings.into_iter().map(|line| view! {
                            <li>
                                <a href=format!("/bookings/{}", line.reference)>{format!("{}, {}", line.service, line.with)}</a>
                                <br/>{line.when}
                                <br/><span class="tag">{line.status.label()}</span>
                                {unread_words(line.unread_messages).map(|unread| view! { " "<strong>{unread}</strong> })}
                                {(line.visits_to_confirm > 0).then(|| view! {
                                    " "<a href=format!("/bookings/{}#visits", line.reference)><strong>{match line.visits_to_confirm {
                                        1 => "1 visit to confirm".to_string(),
                                        n => format!("{n} visits to confirm"),
                                    }}</strong></a>
                                })}
                            </li>
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
        }
        .into_any(),
        Dashboard::Planner { caseload, requests, messages } => view! {
            <Title text="Your caseload"/>
            <h1>"Your caseload"</h1>
            <ErrorSummary errors=form_errors(act_for)/>
            <ErrorSummary errors=form_errors(answer)/>
            <HelpRequests requests answer token=token.clone()/>
            {if caseload.is_empty() {
                view! { <p>"Nobody has asked you to act for them yet. When someone does, they will appear here."</p> }.into_any()
            } else {
                view! {
                    <p>{match caseload.len() { 1 => "You can act for 1 person.".to_string(), n => format!("You can act for {n} people.") }}</p>
                    <ul class="spaced-list">
                        {caseload.into_iter().map(|entry| {
                            let token = token.clone();
                            view! {
                            <li>
                                {entry.display_name.clone()}{if entry.can_book { " (can book)" } else { " (can view)" }}
                                <ActionForm action=act_for attr:class="inline-form">
                                    <CsrfField token/>
                                    <input type="hidden" name="person" value=entry.user_id.to_string()/>
                                    " "<button type="submit" class="button button-secondary">{format!("Act for {}", entry.display_name)}</button>
                                </ActionForm>
                            </li>
                        }}).collect_view()}
                    </ul>
                }.into_any()
            }}
            <Messages messages/>
        }
        .into_any(),
        Dashboard::Provider { organisation, organisation_public_id, published_listings, other_listings, requests_waiting, unread_messages } => view! {
            <Title text="Your organisation"/>
            <h1>{organisation}</h1>
            <dl class="summary-list">
                <div><dt>"Published services"</dt><dd>{published_listings}</dd></div>
                <div><dt>"Draft or paused services"</dt><dd>{other_listings}</dd></div>
                <div><dt>"Booking requests waiting for you"</dt><dd>{requests_waiting}</dd></div>
                <div><dt>"Unread messages about bookings"</dt><dd>{unread_messages}</dd></div>
            </dl>
            <ul class="plain-list">
                <li><a href="/provider/bookings">"Booking requests and visits"</a></li>
                <li><a href="/provider/listings">"Manage your services"</a></li>
                <li><a href="/provider/profile">"Your organisation's details"</a></li>
                <li><a href="/provider/reviews">"Your reviews"</a></li>
                <li><a href="/provider/payments">"Payments to you"</a></li>
                <li><a href="/provider/call-monitoring">"Upload call monitoring"</a></li>
                <li><a href="/account/notifications">"Choose what we email you"</a></li>
                <li><a href=format!("/providers/{organisation_public_id}")>"See your public page"</a></li>
            </ul>
        }
        .into_any(),
        Dashboard::Commissioner { council, providers, published_listings, budget_holders, lots, placements_last_28_days } => view! {
            <Title text="Commissioning"/>
            <h1>"Commissioning"</h1>
            <p class="lead">{council}</p>
            <dl class="summary-list">
                <div><dt>"Providers"</dt><dd>{providers}</dd></div>
                <div><dt>"Published services"</dt><dd>{published_listings}</dd></div>
                <div><dt>"Budget holders"</dt><dd>{budget_holders}</dd></div>
                <div><dt>"Framework lots"</dt><dd>{lots}</dd></div>
                <div><dt>"Placements in the last 28 days"</dt><dd>{placements_last_28_days}</dd></div>
            </dl>
            <ul class="plain-list">
                <li><a href="/frameworks">"Frameworks and lots"</a></li>
                <li><a href="/ratings">"CQC ratings"</a></li>
                <li><a href="/budgets">"Personal budgets"</a></li>
                <li><a href="/recoveries">"Money recovered from budgets"</a></li>
                <li><a href="/call-monitoring">"Call monitoring: upload a provider's export to settle its visits"</a></li>
                <li><a href="/audits">"Budget audits: this month's sample, questions and outcomes"</a></li>
                <li><a href="/payments">"Paying providers"</a></li>
                <li><a href="/finance">"Finance export"</a></li>
                <li><a href="/visit-queries">"Queries about visits to decide"</a></li>
                <li><a href="/reviews">"Reviews of care the council paid for"</a></li>
                <li><a href="/concerns">"Concerns and complaints"</a></li>
                <li><a href="/account/notifications">"Choose what we email you"</a></li>
                <li><a href="/lots">"How providers rank on each lot"</a></li>
                <li><a href="/reports">"Reports: placements, budgets, providers and savings"</a></li>
                <li><a href="/offline-placements">"Placements made outside CareMarket"</a></li>
            </ul>
        }
        .into_any(),
    }
}

/// People who asked this helper to help them: they accept each right asked for, or decline;
/// nothing works until the person then lets them help.
#[component]
fn HelpRequests(requests: Vec<HelpRequest>, answer: ServerAction<AnswerHelpRequest>, token: String) -> impl IntoView {
    let joined = use_query_map().read_untracked().get("joined").is_some();
    let accepted = use_query_map().read_untracked().get("accepted").is_some();
    view! {
        {joined.then(|| view! {
            <div class="notice" role="status"><p>"Your helper's account is open. Answer the request below."</p></div>
        })}
        {accepted.then(|| view! {
            <div class="notice" role="status"><p>"Thank you. They will see that you accepted, and you can help them once they agree."</p></div>
        })}
        {(!requests.is_empty()).then(|| view! {
            <h2>"People asking for your help"</h2>
            <ul class="spaced-list">
                {requests.into_iter().map(|request| {
                    let (accept, decline) = (format!("Accept: help {}", request.from), format!("Decline: do not help {}", request.from));
                    let id = request.id;
                    let (accept_token, decline_token) = (token.clone(), token.clone());
                    view! {
                        <li class="card">
                            <h3 class="card-title">{request.from.clone()}</h3>
                            <p>{format!("Asks you to: {}", request.rights.to_lowercase())}{request.until.clone().map(|until| view! { <br/>{until} })}</p>
                            <ActionForm action=answer>
                                <CsrfField token=accept_token/>
                                <input type="hidden" name="request_id" value=id.to_string()/>
                                <input type="hidden" name="answer" value="accept"/>
                                {(request.can_book || request.can_pay).then(|| view! {
                                    <div class="form-group">
                                        <fieldset class="fieldset" aria-describedby=format!("rights-hint-{id}")>
                                            <legend class="legend">"What you agree to do"</legend>
                                            <div class="hint" id=format!("rights-hint-{id}")>"Accepting means you can see their budget and bookings. Untick what you do not agree to."</div>
                                            <div class="choices">
                                                {request.can_book.then(|| view! { <RightChoice id=format!("can_book-{id}") name="can_book" label="Book and cancel care for them"/> })}
                                                {request.can_pay.then(|| view! { <RightChoice id=format!("can_pay-{id}") name="can_pay" label="Pay by card for them"/> })}
                                            </div>
                                        </fieldset>
                                    </div>
                                })}
                                <button type="submit" class="button">{accept}</button>
                            </ActionForm>
                            <ActionForm action=answer attr:class="inline-form">
                                <CsrfField token=decline_token/>
                                <input type="hidden" name="request_id" value=id.to_string()/>
                                <input type="hidden" name="answer" value="decline"/>
                                <button type="submit" class="button button-secondary">{decline}</button>
                            </ActionForm>
                        </li>
                    }
                }).collect_view()}
            </ul>
        })}
    }
}

/// A right a helper may accept, ticked to start with.
#[component]
fn RightChoice(id: String, name: &'static str, label: &'static str) -> impl IntoView {
    view! {
        <div class="choice">
            <input class="choice-input" id=id.clone() name=name type="checkbox" value="yes" checked=true/>
            <label class="choice-label" for=id>{label}</label>
        </div>
    }
}

/// Messages about bookings, newest first.
#[component]
fn Messages(messages: Vec<Message>) -> impl IntoView {
    view! {
        {(!messages.is_empty()).then(|| view! {
            <h2>"Messages"</h2>
            <ul class="spaced-list">
                {messages.into_iter().map(|message| view! { <li><span class="hint">{message.at}</span><br/>{message.text}</li> }).collect_view()}
            </ul>
        })}
        <p><a href="/account/notifications">"Choose what we email you"</a></p>
    }
}
