use crate::api::{RegisterProvider, RegisterSelfFunder};
use crate::components::{CsrfField, ErrorSummary, TextInput, form_errors, use_viewer};
use crate::model::FieldError;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// Providers sign up themselves; budget holders and planners are set up by the council.
#[component]
pub fn RegisterPage() -> impl IntoView {
    let action = ServerAction::<RegisterProvider>::new();
    let errors = form_errors(action);
    let token = use_viewer().csrf_token;
    view! {
        <Title text="Register your organisation"/>
        <div class="narrow">
            <ErrorSummary errors/>
            <h1>"Register your organisation"</h1>
            {if sent() { view! { <CheckYourEmail/> }.into_any() } else { view! {
            <p>"List your care and support services so that people with a personal budget can find and book them."</p>
            // The browser's own checks would pre-empt ours: ours are specific and listed in the summary.
            <ActionForm action attr:novalidate=true>
                <CsrfField token/>
                <h2>"Your organisation"</h2>
                <TextInput id="organisation_name" name="form[organisation_name]" label="Organisation name" autocomplete="organization" errors/>
                <TextInput id="regulator_id" name="form[regulator_id]" label="CQC location ID (if you are registered)"
                    hint="It looks like 1-123456789. Leave this empty if your services are not regulated by the CQC." errors/>
                <TextInput id="contact_phone" name="form[contact_phone]" label="Telephone number for enquiries" input_type="tel" autocomplete="tel" errors/>
                <h2>"Your account"</h2>
                <AccountFields email_hint="We will use this to sign you in and for enquiries." errors/>
                <button type="submit" class="button">"Register"</button>
            </ActionForm>
            }.into_any() }}
        </div>
    }
}

/// People who pay for their own care open an account here and pay into it by card.
#[component]
pub fn RegisterPersonPage() -> impl IntoView {
    let action = ServerAction::<RegisterSelfFunder>::new();
    let errors = form_errors(action);
    let token = use_viewer().csrf_token;
    view! {
        <Title text="Open an account to arrange your own care"/>
        <div class="narrow">
            <ErrorSummary errors/>
            <h1>"Open an account to arrange your own care"</h1>
            {if sent() { view! { <CheckYourEmail/> }.into_any() } else { view! {
            <p>"If you pay for your own care, you can book and pay for it here by card. "
               "If the council funds your care, ask them to set up your account instead."</p>
            <ActionForm action attr:novalidate=true>
                <CsrfField token/>
                <AccountFields email_hint="We will use this to sign you in." errors/>
                <button type="submit" class="button">"Open my account"</button>
            </ActionForm>
            }.into_any() }}
        </div>
    }
}

/// Whether the registration form has just been sent (its answer is shown instead of it).
fn sent() -> bool {
    use_query_map().read_untracked().get("sent").is_some()
}

/// What registering answers, whether or not the address already has an account, so the form
/// tells nobody who has one.
#[component]
fn CheckYourEmail() -> impl IntoView {
    view! {
        <div class="panel" role="status">
            <h2>"Check your email"</h2>
            <p>"We have sent a link to the address you gave. Follow it within 7 days to open your account. "
               "If you already have an account, the email says how to sign in instead."</p>
        </div>
    }
}

/// A new account's name, email address and password.
#[component]
fn AccountFields(email_hint: &'static str, errors: Signal<Vec<FieldError>>) -> impl IntoView {
    view! {
        <TextInput id="your_name" name="form[your_name]" label="Your full name" autocomplete="name" errors/>
        <TextInput id="email" name="form[email]" label="Email address" input_type="email" autocomplete="email" hint=email_hint errors/>
        <TextInput id="password" name="form[password]" label="Create a password" input_type="password" autocomplete="new-password"
            hint="At least 12 characters. A few words strung together make a strong password." errors/>
    }
}
