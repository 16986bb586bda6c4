use crate::api::{ConfirmEmail, ForgotPassword, SignIn};
use crate::components::{CsrfField, ErrorSummary, TextInput, form_errors, use_viewer};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn SignInPage() -> impl IntoView {
    let action = ServerAction::<SignIn>::new();
    let errors = form_errors(action);
    let next = use_query_map().read_untracked().get("next").unwrap_or_default();
    let token = use_viewer().csrf_token;
    view! {
        <Title text="Sign in"/>
        <div class="narrow">
            <ErrorSummary errors/>
            <h1>"Sign in"</h1>
            <p>"Budget holders and support planners get their sign-in details from the council. Providers can "
                <a href="/register">"register their organisation"</a>". If you pay for your own care, "
                <a href="/register/person">"open an account"</a>"."</p>
            // The browser's own checks would pre-empt ours: ours are specific and listed in the summary.
            <ActionForm action attr:novalidate=true>
                <CsrfField token/>
                <input type="hidden" name="next" value=next/>
                <TextInput id="email" name="email" label="Email address" input_type="email" autocomplete="username" errors/>
                <TextInput id="password" name="password" label="Password" input_type="password" autocomplete="current-password" errors/>
                <button type="submit" class="button">"Sign in"</button>
            </ActionForm>
            <p><a href="/account/forgot-password">"Forgotten your password?"</a></p>
        </div>
    }
}

/// "Forgotten your password?": a link to choose a new one is emailed. The page says the same
/// whether or not the address has an account.
#[component]
pub fn ForgotPasswordPage() -> impl IntoView {
    let action = ServerAction::<ForgotPassword>::new();
    let errors = form_errors(action);
    let sent = use_query_map().read_untracked().get("sent").is_some();
    let token = use_viewer().csrf_token;
    view! {
        <Title text="Forgotten your password"/>
        <div class="narrow">
            <ErrorSummary errors/>
            <h1>"Forgotten your password"</h1>
            {sent.then(|| view! {
                <div class="panel" role="status">
                    <h2>"Check your email"</h2>
                    <p>"If there is an account with that email address, we have sent it a link to choose a new password. The link works once, for 1 hour."</p>
                </div>
            })}
            <p>"Enter the email address you sign in with. We will email you a link to choose a new password."</p>
            <ActionForm action attr:novalidate=true>
                <CsrfField token/>
                <TextInput id="email" name="email" label="Email address" input_type="email" autocomplete="username" errors/>
                <button type="submit" class="button">"Send me a link"</button>
            </ActionForm>
            <p><a href="/sign-in">"Back to sign in"</a></p>
        </div>
    }
}

/// Where the link that opens a registered account leads: one button, since mail scanners open
/// links and must not open an account by doing so.
#[component]
pub fn ConfirmEmailPage() -> impl IntoView {
    let action = ServerAction::<ConfirmEmail>::new();
    let errors = form_errors(action);
    let link_token = use_query_map().read_untracked().get("token").unwrap_or_default();
    let token = use_viewer().csrf_token;
    view! {
        <Title text="Confirm your email address"/>
        <div class="narrow">
            <ErrorSummary errors/>
            <h1>"Confirm your email address"</h1>
            <p>"Confirm this is your email address, and your CareMarket account opens. We will email you about your care and bookings."</p>
            <ActionForm action attr:novalidate=true>
                <CsrfField token/>
                <input type="hidden" name="token" value=link_token/>
                <TextInput id="password" name="password" label="Your password" input_type="password" autocomplete="current-password"
                    hint="The one you chose when you registered." errors/>
                <button type="submit" class="button" id="token">"Confirm and open my account"</button>
            </ActionForm>
        </div>
    }
}
