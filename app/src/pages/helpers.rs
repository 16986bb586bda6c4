//! A budget holder's helpers (`/budget/helpers`): the support planners, family and friends
//! they let see their budget, book or pay for them (optionally until a date), once each has
//! accepted; the requests not yet answered; a button to take either back at once; and
//! everything done on their behalf.
use crate::api::{AddHelper, RemoveHelper, WithdrawHelperRequest, load_helpers};
use crate::components::{CsrfField, ErrorSummary, Loaded, TextInput, form_errors};
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
    let loaded = Resource::new(move || (add.version().get(), remove.version().get(), withdraw.version().get()), |_| load_helpers());
    let errors = form_errors(add);
    let remove_errors = form_errors(remove);
    let withdraw_errors = form_errors(withdraw);
    let query = use_query_map();
    let notice = move || {
        let query = query.read();
        if query.get("asked").is_some() {
            Some(
                "We have asked them. If they have a helper's account, they will see your request when they sign in, and can help you once they accept it. You can take it back at any time.",
            )
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
        {move || notice().map(|text| view! { <div class="notice" role="status"><p>{text}</p></div> })}
        <Loaded data=loaded path=PATH show=move |page, token| view! { <Helpers page add remove withdraw errors token/> }/>
    }
}

#[component]
fn Helpers(
    page: HelpersPage,
    add: ServerAction<AddHelper>,
    remove: ServerAction<RemoveHelper>,
    withdraw: ServerAction<WithdrawHelperRequest>,
    errors: Signal<Vec<FieldError>>,
    token: String,
) -> impl IntoView {
    let (row_token, waiting_token) = (token.clone(), token.clone());
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
        {(!page.waiting.is_empty()).then(|| view! {
            <h2>"Waiting for an answer"</h2>
            <ul class="spaced-list">
                {page.waiting.into_iter().map(|request| {
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
        <p>"A support planner, or someone in your family or a friend. They need a helper's account: ask the council to open one for them if they have none. "
           "They can help you once they accept your request."</p>
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
