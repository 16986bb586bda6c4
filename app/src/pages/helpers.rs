//! A budget holder's helpers (`/budget/helpers`): the support planners, family and friends
//! they let see their budget, book or pay for them (optionally until a date), once each has
//! accepted and the person has seen who accepted; the requests not yet answered; a button to
//! take either back at once; and everything done on their behalf. Also the page the link in a
//! mailed request opens (`/helping`), where someone with no account opens a helper's account.
use crate::api::{AddHelper, JoinToHelp, LetHelper, RemoveHelper, WithdrawHelperRequest, load_help_invitation, load_helpers};
use crate::components::{CsrfField, ErrorSummary, Loaded, TextInput, form_errors, use_viewer};
use crate::model::*;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

const PATH: &str = "/budget/helpers";

#[component]
pub fn HelpersPage() -> impl IntoView {
    let add = ServerAction::<AddHelper>::new();
    let remove = ServerAction::<RemoveHelper>::new();
    let withdraw = ServerAction::<WithdrawHelperRequest>::new();
    let let_helper = ServerAction::<LetHelper>::new();
    let loaded = Resource::new(move || (add.version().get(), remove.version().get(), withdraw.version().get(), let_helper.version().get()), |_| load_helpers());
    let errors = form_errors(add);
    let remove_errors = form_errors(remove);
    let withdraw_errors = form_errors(withdraw);
    let let_errors = form_errors(let_helper);
    let query = use_query_map();
    let notice = move || {
        let query = query.read();
        if query.get("asked").is_some() {
            Some(
                "We have emailed them. Once they accept, you will see here who accepted, and they can help you once you let them. You can take your request back at any time.",
            )
        } else if query.get("let").is_some() {
            Some("Done: they can now help you as you asked.")
        } else if query.get("not_let").is_some() {
            Some("Done: they cannot help you, and nothing changed.")
        } else if query.get("removed").is_some() {
            Some("Done: they can no longer act for you.")
        } else if query.get("withdrawn").is_some() {
            Some("Done: your request has been taken back.")
        } else {
            None
        }
    };
    view! {
        <Title text="People who can help you"/>
        <h1>"People who can help you"</h1>
        <ErrorSummary errors/>
        <ErrorSummary errors=remove_errors/>
        <ErrorSummary errors=withdraw_errors/>
        <ErrorSummary errors=let_errors/>
        {move || notice().map(|text| view! { <div class="notice" role="status"><p>{text}</p></div> })}
        <Loaded data=loaded path=PATH show=move |page, token| view! { <Helpers page add remove withdraw let_helper errors token/> }/>
    }
}

#[component]
fn Helpers(
    page: HelpersPage,
    add: ServerAction<AddHelper>,
    remove: ServerAction<RemoveHelper>,
    withdraw: ServerAction<WithdrawHelperRequest>,
    let_helper: ServerAction<LetHelper>,
    errors: Signal<Vec<FieldError>>,
    token: String,
) -> impl IntoView {
    let (row_token, waiting_token) = (token.clone(), token.clone());
    let (accepted, waiting): (Vec<_>, Vec<_>) = page.waiting.into_iter().partition(|request| request.accepted_by.is_some());
    view! {
        {if page.helpers.is_empty() {
            view! { <p>"Nobody can act for you at the moment."</p> }.into_any()
        } else {
            view! {
                <ul class="spaced-list">
                    {page.helpers.into_iter().map(|helper| {
                        let token = row_token.clone();
                        view! {
                        <li class="card">
                            <h2 class="card-title">{helper.name.clone()}</h2>
                            <p>{helper.email.clone()}<br/>{format!("Can {}", helper.rights.to_lowercase())}
                                {helper.until.clone().map(|until| view! { <br/>{until} })}<br/>{helper.accepted.clone()}</p>
                            <ActionForm action=remove>
                                <CsrfField token/>
                                <input type="hidden" name="delegation_id" value=helper.id.to_string()/>
                                <button type="submit" class="button button-warning">{format!("Stop {} acting for you", helper.name)}</button>
                            </ActionForm>
                        </li>
                    }}).collect_view()}
                </ul>
            }.into_any()
        }}
        {(!accepted.is_empty()).then(|| view! {
            <h2>"Accepted: check it is them"</h2>
            <p>"Nothing changes until you let them help you. If you do not know who accepted, say no."</p>
            <ul class="spaced-list">
                {accepted.into_iter().map(|request| {
                    let (token, second_token) = (waiting_token.clone(), waiting_token.clone());
                    let who = request.accepted_by.clone().unwrap_or_default();
                    let name = who.split(" (").next().unwrap_or_default().to_string();
                    let (yes, no) = (format!("Let {name} help me"), format!("No, {name} may not help me"));
                    view! {
                        <li class="card">
                            <h3 class="card-title">{who}</h3>
                            <p>{format!("They would {}", request.rights.to_lowercase())}
                                {request.until.clone().map(|until| view! { <br/>{until} })}<br/>{request.asked.clone()}</p>
                            <ActionForm action=let_helper attr:class="inline-form">
                                <CsrfField token/>
                                <input type="hidden" name="request_id" value=request.id.to_string()/>
                                <input type="hidden" name="answer" value="yes"/>
                                <button type="submit" class="button">{yes}</button>
                            </ActionForm>
                            " "
                            <ActionForm action=let_helper attr:class="inline-form">
                                <CsrfField token=second_token/>
                                <input type="hidden" name="request_id" value=request.id.to_string()/>
                                <input type="hidden" name="answer" value="no"/>
                                <button type="submit" class="button button-warning">{no}</button>
                            </ActionForm>
                        </li>
                    }
                }).collect_view()}
            </ul>
        })}
        {(!waiting.is_empty()).then(|| view! {
            <h2>"Waiting for an answer"</h2>
            <ul class="spaced-list">
                {waiting.into_iter().map(|request| {
                    let token = waiting_token.clone();
                    view! {
                        <li class="card">
                            <h3 class="card-title">{request.email.clone()}</h3>
                            <p>{format!("Asked to {}", request.rights.to_lowercase())}
                                {request.until.clone().map(|until| view! { <br/>{until} })}<br/>{request.asked.clone()}</p>
                            <ActionForm action=withdraw>
                                <CsrfField token/>
                                <input type="hidden" name="request_id" value=request.id.to_string()/>
                                <button type="submit" class="button button-warning">{format!("Take back the request to {}", request.email)}</button>
                            </ActionForm>
                        </li>
                    }
                }).collect_view()}
            </ul>
        })}
        <h2>"Let someone help you"</h2>
        <p>"A support planner, or someone in your family or a friend. We email them your request; if they have no helper's account, "
           "the email lets them open one. They can help you once they accept and you let them."</p>
        <ActionForm action=add attr:novalidate=true>
            <CsrfField token/>
            <TextInput id="email" name="form[email]" label="Their email address" input_type="email" autocomplete="off" errors/>
            <div class="form-group">
                <fieldset class="fieldset" aria-describedby="rights-hint">
                    <legend class="legend">"What they can do"</legend>
                    <div class="hint" id="rights-hint">"They can always see your budget and bookings."</div>
                    <div class="choices">
                        <div class="choice">
                            <input class="choice-input" id="can_book" name="form[can_book]" type="checkbox" value="yes"/>
                            <label class="choice-label" for="can_book">"Book and cancel care for me"</label>
                        </div>
                        <div class="choice">
                            <input class="choice-input" id="can_pay" name="form[can_pay]" type="checkbox" value="yes"/>
                            <label class="choice-label" for="can_pay">"Pay by card for me"</label>
                        </div>
                    </div>
                </fieldset>
            </div>
            <TextInput id="until" name="form[until]" label="Until (optional)" hint="For example, 2027-03-31. Leave empty for no end date."
                input_type="date" width="input-narrow" errors/>
            <button type="submit" class="button">"Ask them to help"</button>
        </ActionForm>
        <h2>"Done on your behalf"</h2>
        {if page.done_for_you.is_empty() {
            view! { <p>"Nobody has done anything for you yet."</p> }.into_any()
        } else {
            view! {
                <table class="table">
                    <caption class="visually-hidden">"What others did for you, newest first"</caption>
                    <thead><tr><th scope="col">"When"</th><th scope="col">"Who"</th><th scope="col">"What"</th></tr></thead>
                    <tbody>
                        {page.done_for_you.into_iter().map(|done| view! {
                            <tr><td data-label="When">{done.at}</td><td data-label="Who">{done.who}</td><td data-label="What">{done.what}</td></tr>
                        }).collect_view()}
                    </tbody>
                </table>
            }.into_any()
        }}
    }
}

/// Where the link in a mailed request to help leads: who asks, for what, and what to do next
/// (open a helper's account with this address, or sign in to answer).
#[component]
pub fn HelpInvitationPage() -> impl IntoView {
    let link_token = use_query_map().read_untracked().get("token").unwrap_or_default();
    let loaded = {
        let link_token = link_token.clone();
        Resource::new(|| (), move |_| load_help_invitation(link_token.clone()))
    };
    let join = ServerAction::<JoinToHelp>::new();
    let errors = form_errors(join);
    view! {
        <Title text="Someone asked you to help them"/>
        <div class="narrow">
            <ErrorSummary errors/>
            <Loaded data=loaded path="/helping" show=move |invitation, token| view! { <Invitation invitation join errors token link_token=link_token.clone()/> }/>
        </div>
    }
}

#[component]
fn Invitation(invitation: HelpInvitation, join: ServerAction<JoinToHelp>, errors: Signal<Vec<FieldError>>, token: String, link_token: String) -> impl IntoView {
    let signed_in = use_viewer().user.is_some();
    if invitation.next == InvitationNext::Gone {
        return view! {
            <h1>"This link no longer works"</h1>
            <p>"It has run out, or the request was taken back or answered already. If you have a helper's account, "
               <a href="/sign-in?next=/dashboard/planner">"sign in"</a>" to see requests waiting for you. Otherwise ask the person to send their request again."</p>
        }
        .into_any();
    }
    let asks = view! {
        <h1>{format!("{} asked you to help them", invitation.from)}</h1>
        <p>{format!("They asked you to {} on CareMarket, where they arrange their care and support.", invitation.rights.to_lowercase())}
            {invitation.until.clone().map(|until| view! { <br/>{until} })}</p>
        <p>"Nothing changes until you accept and they see that it is you."</p>
    };
    let next = match invitation.next {
        InvitationNext::OpenAccount if signed_in => view! {
            <p>"Sign out first, then open this link again to open a helper's account."</p>
        }
        .into_any(),
        InvitationNext::OpenAccount => view! {
            <h2>"Open a helper's account to answer"</h2>
            <p>{format!("Your account will use {}, the address this request was sent to.", invitation.email)}</p>
            <ActionForm action=join attr:novalidate=true>
                <CsrfField token/>
                <input type="hidden" name="token" value=link_token/>
                <TextInput id="your_name" name="your_name" label="Your full name" autocomplete="name" errors/>
                <TextInput id="password" name="password" label="Create a password" input_type="password" autocomplete="new-password"
                    hint="At least 12 characters. A few words strung together make a strong password." errors/>
                <button type="submit" class="button">"Open my helper's account"</button>
            </ActionForm>
        }
        .into_any(),
        InvitationNext::SignIn => view! {
            <p><a class="button" href="/sign-in?next=/dashboard/planner">"Sign in to answer"</a></p>
            <p>"The request is waiting on your caseload page."</p>
        }
        .into_any(),
        _ => view! {
            <p>"This email address already has a CareMarket account of a kind that cannot act for someone else. "
               "To help them, ask them to send the request to another email address of yours."</p>
        }
        .into_any(),
    };
    view! { {asks} {next} }.into_any()
}
