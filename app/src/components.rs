//! Building blocks in the GOV.UK style: error summary, labelled inputs with hints and errors,
//! the CSRF field every form carries, and the page layout.
use crate::api::{SignOut, current_viewer};
use crate::model::*;
use leptos::prelude::*;
use leptos_router::hooks::use_location;

/// The viewer, loaded once per navigation and shared by the layout and the pages.
#[derive(Clone, Copy)]
pub struct ViewerResource(pub Resource<Result<Viewer, UiError>>);

pub fn provide_viewer() {
    let location = use_location();
    let viewer = Resource::new(move || location.pathname.get(), |_| current_viewer());
    provide_context(ViewerResource(viewer));
}

pub fn use_viewer() -> Resource<Result<Viewer, UiError>> {
    expect_context::<ViewerResource>().0
}

/// Sets the HTTP status of the page being rendered on the server (404, 403 ...).
pub fn set_status(code: u16) {
    #[cfg(feature = "ssr")]
    if let (Some(response), Ok(status)) =
        (use_context::<leptos_axum::ResponseOptions>(), http::StatusCode::from_u16(code))
    {
        response.set_status(status);
    }
    #[cfg(not(feature = "ssr"))]
    let _ = code;
}

#[component]
pub fn Layout(children: Children) -> impl IntoView {
    let viewer = use_viewer();
    view! {
        <a href="#main-content" class="skip-link">"Skip to main content"</a>
        <header class="site-header">
            <div class="container header-inner">
                <a href="/" class="site-name">"CareMarket"</a>
                <nav aria-label="Main">
                    <Suspense fallback=|| view! { <ul class="nav-list"><li><a href="/">"Find care"</a></li></ul> }>
                        {move || Suspend::new(async move {
                            let viewer = viewer.await.unwrap_or_default();
                            view! { <Navigation viewer/> }
                        })}
                    </Suspense>
                </nav>
            </div>
        </header>
        <div class="container">
            <main id="main-content" tabindex="-1">{children()}</main>
        </div>
        <footer class="site-footer">
            <div class="container">
                <p>"CareMarket helps people with a personal budget find, book and pay for care and support."</p>
                <p><a href="/openapi.json">"Open data"</a></p>
            </div>
        </footer>
    }
}

#[component]
fn Navigation(viewer: Viewer) -> impl IntoView {
    let sign_out = ServerAction::<SignOut>::new();
    match viewer.user {
        None => view! {
            <ul class="nav-list">
                <li><a href="/">"Find care"</a></li>
                <li><a href="/register">"Register your organisation"</a></li>
                <li><a href="/sign-in">"Sign in"</a></li>
            </ul>
        }
        .into_any(),
        Some(user) => {
            let dashboard = user.role.dashboard_path();
            let token = viewer.csrf_token.clone();
            let signed_in_as = format!("Signed in as {} ({})", user.display_name, user.role.label());
            view! {
                <ul class="nav-list">
                    <li><a href="/">"Find care"</a></li>
                    <li><a href=dashboard>"Your dashboard"</a></li>
                    <li>
                        <ActionForm action=sign_out attr:class="inline-form">
                            <CsrfField token/>
                            <button type="submit" class="link-button">
                                "Sign out"<span class="visually-hidden">{format!(" ({})", user.display_name.clone())}</span>
                            </button>
                        </ActionForm>
                    </li>
                </ul>
                <p class="signed-in-as">{signed_in_as}</p>
            }
            .into_any()
        }
    }
}

/// The hidden field that proves a form was served by CareMarket (CSRF protection).
#[component]
pub fn CsrfField(token: String) -> impl IntoView {
    view! { <input type="hidden" name="csrf_token" value=token/> }
}

/// "There is a problem" with a link to each field that needs fixing.
#[component]
pub fn ErrorSummary(#[prop(into)] errors: Signal<Vec<FieldError>>) -> impl IntoView {
    move || {
        let errors = errors.get();
        (!errors.is_empty()).then(|| {
            view! {
                <div class="error-summary" role="alert" tabindex="-1" aria-labelledby="error-summary-title">
                    <h2 id="error-summary-title">"There is a problem"</h2>
                    <ul>
                        {errors
                            .into_iter()
                            .map(|error| {
                                if error.field.is_empty() {
                                    view! { <li>{error.message}</li> }.into_any()
                                } else {
                                    let href = format!("#{}", error.field);
                                    let field = error.field;
                                    view! { <li><a href=href on:click=move |event| focus_field(event, &field)>{error.message}</a></li> }.into_any()
                                }
                            })
                            .collect_view()}
                    </ul>
                </div>
            }
        })
    }
}

/// Without JavaScript the link's `#id` takes focus to the field; with it, the router would
/// treat the link as navigation, so focus the field here instead.
fn focus_field(event: leptos::ev::MouseEvent, id: &str) {
    use leptos::wasm_bindgen::JsCast;
    let field = document().get_element_by_id(id).and_then(|element| element.dyn_into::<leptos::web_sys::HtmlElement>().ok());
    if let Some(field) = field {
        event.prevent_default();
        field.scroll_into_view();
        let _ = field.focus();
    }
}

/// A labelled input with an optional hint and its error message, linked for screen readers.
#[component]
pub fn TextInput(
    id: &'static str,
    name: &'static str,
    label: &'static str,
    #[prop(optional)] hint: Option<&'static str>,
    #[prop(default = "text")] input_type: &'static str,
    #[prop(optional)] autocomplete: Option<&'static str>,
    #[prop(into)] errors: Signal<Vec<FieldError>>,
) -> impl IntoView {
    let message = move || errors.get().into_iter().find(|error| error.field == id).map(|error| error.message);
    let hint_id = format!("{id}-hint");
    let error_id = format!("{id}-error");
    let described_by = {
        let (hint_id, error_id) = (hint_id.clone(), error_id.clone());
        move || {
            let mut ids = Vec::new();
            if hint.is_some() {
                ids.push(hint_id.clone());
            }
            if message().is_some() {
                ids.push(error_id.clone());
            }
            (!ids.is_empty()).then(|| ids.join(" "))
        }
    };
    view! {
        <div class="form-group" class:form-group-error=move || message().is_some()>
            <label class="label" for=id>{label}</label>
            {hint.map(|hint| view! { <div class="hint" id=hint_id.clone()>{hint}</div> })}
            {move || {
                message()
                    .map(|message| {
                        view! {
                            <p class="error-message" id=error_id.clone()>
                                <span class="visually-hidden">"Error: "</span>
                                {message}
                            </p>
                        }
                    })
            }}
            <input
                class="input"
                id=id
                name=name
                type=input_type
                autocomplete=autocomplete
                spellcheck="false"
                aria-describedby=described_by
                aria-invalid=move || message().is_some().then_some("true")
            />
        </div>
    }
}

#[component]
pub fn ListingCardView(card: ListingCard) -> impl IntoView {
    let provider_href = format!("/providers/{}", card.provider_public_id);
    view! {
        <li class="card">
            <h3 class="card-title">{card.title}</h3>
            <p class="card-meta">
                {category_label(&card.category)}" from "<a href=provider_href>{card.provider_name}</a>
            </p>
            <dl class="card-facts">
                <div><dt>"Price"</dt><dd>{format_price(card.price_pence, &card.unit)}</dd></div>
                <div><dt>"CQC rating"</dt><dd>{rating_label(&card.regulator_rating)}</dd></div>
                <div><dt>"Areas"</dt><dd>{card.areas.join(", ")}</dd></div>
            </dl>
        </li>
    }
}
