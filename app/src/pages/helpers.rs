//! A budget holder's helpers (`/budget/helpers`): the support planners, family and friends
//! they let see their budget, book or pay for them (someone with no account gets one, with a
//! code for the person to pass on) (optionally until a date), a button to take that back at once,
//! and everything done on their behalf.
use crate::api::{AddHelper, RemoveHelper, load_helpers};
use crate::components::{CsrfField, ErrorSummary, SetUpCodePanel, TextInput, form_errors, refusal_view, use_viewer};
use crate::model::*;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

const PATH: &str = "/budget/helpers";

#[component]
pub fn HelpersPage() -> impl IntoView {
    let add = ServerAction::<AddHelper>::new();
    let remove = ServerAction::<RemoveHelper>::new();
    let loaded = Resource::new(move || (add.version().get(), remove.version().get()), |_| load_helpers());
    let errors = form_errors(add);
    let remove_errors = form_errors(remove);
    let viewer = use_viewer();
    let query = use_query_map();
    let notice = move || {
        let query = query.read();
        if query.get("added").is_some() {
            Some("They can now help you. You can take this back at any time.")
        } else if query.get("removed").is_some() {
            Some("Done: they can no longer act for you.")
        } else {
            None
        }
    };
    view! {
        <Title text="People who can help you"/>
        <h1>"People who can help you"</h1>
        <ErrorSummary errors/>
        <ErrorSummary errors=remove_errors/>
        {move || notice().map(|text| view! { <div class="notice" role="status"><p>{text}</p></div> })}
        {move || query.read().get("code").map(|code| view! { <SetUpCodePanel heading="Their account is ready" code/> })}
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                let token = viewer.await.unwrap_or_default().csrf_token;
                match loaded.await {
                    Ok(page) => view! { <Helpers page add remove errors token/> }.into_any(),
                    Err(error) => refusal_view(error, PATH.into()),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Helpers(page: HelpersPage, add: ServerAction<AddHelper>, remove: ServerAction<RemoveHelper>, errors: Signal<Vec<FieldError>>, token: String) -> impl IntoView {
    let row_token = token.clone();
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
                                {helper.until.clone().map(|until| view! { <br/>{until} })}</p>
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
        <h2>"Let someone help you"</h2>
        <p>"A support planner, or someone in your family or a friend."</p>
        <ActionForm action=add attr:novalidate=true>
            <CsrfField token/>
            <TextInput id="email" name="form[email]" label="Their email address" input_type="email" autocomplete="off" errors/>
            <TextInput id="name" name="form[name]" label="Their full name (only if they have no account yet)"
                hint="We will give you a code for them to set up their account" autocomplete="off" errors/>
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
            <button type="submit" class="button">"Let them help"</button>
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
