//! `/account/notifications`: for each kind of message, email and dashboard, or dashboard only.
//! Messages about the account itself (codes, password links, new sign-ins) are always emailed.
use crate::api::{ChooseMail, load_mail_choices};
use crate::components::{Choices, CsrfField, ErrorSummary, Loaded, form_errors};
use crate::model::*;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn NotificationsPage() -> impl IntoView {
    let choose = ServerAction::<ChooseMail>::new();
    let loaded = Resource::new(move || choose.version().get(), |_| load_mail_choices());
    let errors = form_errors(choose);
    let saved = move || use_query_map().read().get("saved").is_some();
    view! {
        <Title text="How we tell you about things"/>
        <div class="narrow">
            <ErrorSummary errors/>
            <Show when=saved>
                <div class="notice" role="status"><p>"Saved."</p></div>
            </Show>
            <h1>"How we tell you about things"</h1>
            <p>"Everything is on your dashboard. Choose what is emailed as well. Messages about your account itself, like a link to choose a new password, are always emailed."</p>
            <Loaded data=loaded path="/account/notifications" show=move |chosen: MailChoices, token| view! { <ChoiceForm chosen choose errors token/> }/>
        </div>
    }
}

#[component]
fn ChoiceForm(chosen: MailChoices, choose: ServerAction<ChooseMail>, errors: Signal<Vec<FieldError>>, token: String) -> impl IntoView {
    let ways = || vec![("email".to_string(), "Email and dashboard".to_string()), ("dashboard".to_string(), "Dashboard only".to_string())];
    view! {
        <ActionForm action=choose>
            <CsrfField token/>
            {chosen.choices.into_iter().map(|(kind, by_email)| view! {
                <Choices id=kind.code() name=format!("choices[{}]", kind.code()) legend=kind.label() options=ways()
                    chosen=vec![if by_email { "email" } else { "dashboard" }.to_string()] errors/>
            }).collect_view()}
            <button type="submit" class="button">"Save"</button>
        </ActionForm>
    }
}
