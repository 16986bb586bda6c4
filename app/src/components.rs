//! Building blocks in the GOV.UK style: error summary, labelled inputs with hints and errors,
//! the CSRF field every form carries, and the page layout.
use crate::api::SignOut;
use crate::model::*;
use leptos::prelude::*;
use leptos_meta::Title;

/// Who is asking: found by the session middleware before the page is drawn, so the layout and
/// the pages read it as a value, with nothing to wait for. (Pages are drawn only on the server;
/// the browser wakes islands, which never ask.)
#[derive(Clone)]
struct CurrentViewer(Viewer);

pub fn provide_viewer() {
    #[cfg(feature = "ssr")]
    let viewer = crate::api::request_viewer();
    #[cfg(not(feature = "ssr"))]
    let viewer = Viewer::default();
    provide_context(CurrentViewer(viewer));
}

pub fn use_viewer() -> Viewer {
    use_context::<CurrentViewer>().map(|current| current.0).unwrap_or_default()
}

/// The body of a page that shows data: waits for `data` (on the server, so every page arrives
/// complete), then `show`s it with the form token of the person asking, or says why they cannot
/// see it: sign in (and come back to `path`), not theirs, not found.
#[component]
pub fn Loaded<T, F, V>(data: Resource<Result<T, UiError>>, #[prop(into)] path: String, show: F) -> impl IntoView
where
    T: Clone + Send + Sync + 'static,
    F: Fn(T, String) -> V + Clone + Send + Sync + 'static,
    V: IntoView + 'static,
{
    let token = use_viewer().csrf_token;
    view! {
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || {
                let (path, show, token) = (path.clone(), show.clone(), token.clone());
                Suspend::new(async move {
                    match data.await {
                        Ok(data) => show(data, token).into_any(),
                        Err(error) => refusal_view(error, path),
                    }
                })
            }}
        </Suspense>
    }
}

/// Sets the HTTP status of the page being rendered on the server (404, 403 ...).
pub fn set_status(code: u16) {
    #[cfg(feature = "ssr")]
    if let (Some(response), Ok(status)) = (use_context::<leptos_axum::ResponseOptions>(), http::StatusCode::from_u16(code)) {
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
                    <Navigation viewer=viewer.clone()/>
                </nav>
            </div>
        </header>
        {viewer.acting_for.map(|acting| view! { <ActingForBanner acting token=viewer.csrf_token/> })}
        <div class="container">
            <main id="main-content" tabindex="-1">{children()}</main>
        </div>
        <footer class="site-footer">
            <div class="container">
                <p>"CareMarket helps people with a personal budget find, book and pay for care and support."</p>
                <ul class="plain-list footer-links">
                    <li><a href="/lots">"How providers are ranked"</a></li>
                    <li><a href="/openapi.json">"Search API for developers"</a></li>
                </ul>
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

/// On every page while a planner acts for someone: whom, and a way to stop.
#[component]
fn ActingForBanner(acting: ActingFor, token: String) -> impl IntoView {
    let stop = ServerAction::<crate::api::ActFor>::new();
    view! {
        <div class="acting-for">
            <div class="container">
                <p>
                    <strong>{format!("You are acting for {}", acting.display_name)}</strong>
                    {if acting.can_book { " (you can book for them)" } else { " (you can see their budget)" }}
                    " · "<a href="/budget/statement">"Their budget statement"</a>
                </p>
                <ActionForm action=stop attr:class="inline-form">
                    <CsrfField token/>
                    <button type="submit" class="link-button">{format!("Stop acting for {}", acting.display_name)}</button>
                </ActionForm>
            </div>
        </div>
    }
}

/// The hidden field that proves a form was served by CareMarket (CSRF protection).
#[component]
pub fn CsrfField(token: String) -> impl IntoView {
    view! { <input type="hidden" name="csrf_token" value=token/> }
}

// The form parts below read their errors once, as they are drawn: pages are drawn on the
// server alone (only islands run in the browser), so nothing would ever redraw them.

/// "There is a problem" with a link to each field that needs fixing.
#[component]
pub fn ErrorSummary(#[prop(into)] errors: Signal<Vec<FieldError>>) -> impl IntoView {
    let errors = errors.get_untracked();
    (!errors.is_empty()).then(|| {
        view! {
            // No id: a page with several forms may show more than one summary.
            <div class="error-summary" role="alert" tabindex="-1">
                <h2>"There is a problem"</h2>
                <ul>
                    {errors
                        .into_iter()
                        .map(|error| {
                            if error.field.is_empty() {
                                view! { <li>{error.message}</li> }.into_any()
                            } else {
                                // A plain fragment link: the browser moves focus to the field.
                                view! { <li><a href=format!("#{}", error.field)>{error.message}</a></li> }.into_any()
                            }
                        })
                        .collect_view()}
                </ul>
            </div>
        }
    })
}

/// The one-time code of an account opened for someone else, shown once, for them to choose
/// their password with at `/account/set-up`.
#[component]
pub fn SetUpCodePanel(heading: &'static str, code: String) -> impl IntoView {
    view! {
        <div class="panel">
            <h2>{heading}</h2>
            <p>"Give them this code. With it they choose their password at "<strong>"/account/set-up"</strong>" within 14 days:"</p>
            <p><strong>{code}</strong></p>
        </div>
    }
}

/// The problems a form's last submission was refused for, to show against its fields.
pub fn form_errors<S>(action: ServerAction<S>) -> Signal<Vec<FieldError>>
where
    S: leptos::server_fn::ServerFn<Error = UiError> + Clone + Send + Sync + 'static,
    S::Output: Clone + Send + Sync + 'static,
{
    Signal::derive(move || match action.value().get() {
        Some(Err(error)) => error.field_errors(),
        _ => Vec::new(),
    })
}

/// What every field draws around its control: its hint and error message, the ids of both
/// for `aria-describedby`, and whether it is invalid.
struct FieldParts<V> {
    described_by: Option<String>,
    invalid: bool,
    hint_and_error: V,
}

fn field_parts(id: &str, hint: Option<String>, errors: Signal<Vec<FieldError>>) -> FieldParts<impl IntoView + use<>> {
    let message = errors.with_untracked(|errors| errors.iter().find(|error| error.field == id).map(|error| error.message.clone()));
    let described_by = match (hint.is_some(), message.is_some()) {
        (true, true) => Some(format!("{id}-hint {id}-error")),
        (true, false) => Some(format!("{id}-hint")),
        (false, true) => Some(format!("{id}-error")),
        (false, false) => None,
    };
    let invalid = message.is_some();
    let hint = hint.map(|hint| view! { <div class="hint" id=format!("{id}-hint")>{hint}</div> });
    let message = message.map(|message| {
        view! {
            <p class="error-message" id=format!("{id}-error")>
                <span class="visually-hidden">"Error: "</span>
                {message}
            </p>
        }
    });
    FieldParts { described_by, invalid, hint_and_error: view! { {hint}{message} } }
}

/// A labelled input with an optional hint and its error message, linked for screen readers.
#[component]
pub fn TextInput(
    #[prop(into)] id: String,
    #[prop(into)] name: String,
    #[prop(into)] label: String,
    #[prop(optional, into)] hint: Option<String>,
    #[prop(default = "text")] input_type: &'static str,
    #[prop(optional)] autocomplete: Option<&'static str>,
    /// What the field holds when the page is served (an edit form's current value).
    #[prop(optional, into)]
    value: String,
    /// Extra classes, like a narrower width for short answers.
    #[prop(optional)]
    width: Option<&'static str>,
    #[prop(into)] errors: Signal<Vec<FieldError>>,
) -> impl IntoView {
    let FieldParts { described_by, invalid, hint_and_error } = field_parts(&id, hint, errors);
    let class = width.map_or_else(|| "input".to_string(), |width| format!("input {width}"));
    view! {
        <div class="form-group" class:form-group-error=invalid>
            <label class="label" for=id.clone()>{label}</label>
            {hint_and_error}
            <input
                class=class
                id=id
                name=name
                type=input_type
                value=value
                autocomplete=autocomplete
                spellcheck="false"
                aria-describedby=described_by
                aria-invalid=invalid.then_some("true")
            />
        </div>
    }
}

/// A labelled multi-line text box.
#[component]
pub fn TextArea(
    #[prop(into)] id: String,
    #[prop(into)] name: String,
    #[prop(into)] label: String,
    #[prop(optional, into)] hint: Option<String>,
    #[prop(optional, into)] value: String,
    #[prop(into)] errors: Signal<Vec<FieldError>>,
) -> impl IntoView {
    let FieldParts { described_by, invalid, hint_and_error } = field_parts(&id, hint, errors);
    view! {
        <div class="form-group" class:form-group-error=invalid>
            <label class="label" for=id.clone()>{label}</label>
            {hint_and_error}
            <textarea class="textarea" id=id name=name rows="6" aria-describedby=described_by
                aria-invalid=invalid.then_some("true")>{value}</textarea>
        </div>
    }
}

/// A labelled drop-down of (value, label) options.
#[component]
pub fn Select(
    #[prop(into)] id: String,
    #[prop(into)] name: String,
    #[prop(into)] label: String,
    #[prop(optional, into)] hint: Option<String>,
    options: Vec<(String, String)>,
    #[prop(optional, into)] value: String,
    /// The first option, for no choice at all ("All areas"), when no choice is a fair answer.
    #[prop(optional, into)]
    any: Option<String>,
    #[prop(into)] errors: Signal<Vec<FieldError>>,
) -> impl IntoView {
    let FieldParts { described_by, invalid, hint_and_error } = field_parts(&id, hint, errors);
    let no_choice = value.is_empty();
    let first = match any {
        Some(any) => Some((any, no_choice)),
        None => no_choice.then(|| ("Choose one".to_string(), true)),
    };
    view! {
        <div class="form-group" class:form-group-error=invalid>
            <label class="label" for=id.clone()>{label}</label>
            {hint_and_error}
            <select class="select" id=id name=name aria-describedby=described_by
                aria-invalid=invalid.then_some("true")>
                {first.map(|(text, selected)| view! { <option value="" selected=selected>{text}</option> })}
                {options.into_iter().map(|(code, text)| {
                    let selected = code == value;
                    view! { <option value=code selected=selected>{text}</option> }
                }).collect_view()}
            </select>
        </div>
    }
}

/// A group of radio buttons or checkboxes under one question (a fieldset with a legend).
/// The error links to the first option, whose id is the group's id.
#[component]
pub fn Choices(
    #[prop(into)] id: String,
    /// Checkboxes get a numbered name each (`name[0]`, `name[1]` ...), radios share `name`.
    #[prop(into)]
    name: String,
    #[prop(into)] legend: String,
    #[prop(optional, into)] hint: Option<String>,
    options: Vec<(String, String)>,
    /// The options already chosen.
    chosen: Vec<String>,
    #[prop(optional)] multiple: bool,
    #[prop(into)] errors: Signal<Vec<FieldError>>,
) -> impl IntoView {
    let FieldParts { described_by, invalid, hint_and_error } = field_parts(&id, hint, errors);
    let input_type = if multiple { "checkbox" } else { "radio" };
    view! {
        <div class="form-group" class:form-group-error=invalid>
            <fieldset class="fieldset" aria-describedby=described_by>
                <legend class="legend">{legend}</legend>
                {hint_and_error}
                <div class="choices">
                    {options.into_iter().enumerate().map(|(index, (code, text))| {
                        let option_id = if index == 0 { id.clone() } else { format!("{id}-{index}") };
                        let option_name = if multiple { format!("{name}[{index}]") } else { name.clone() };
                        let checked = chosen.contains(&code);
                        view! {
                            <div class="choice">
                                <input class="choice-input" id=option_id.clone() name=option_name type=input_type value=code checked=checked/>
                                <label class="choice-label" for=option_id>{text}</label>
                            </div>
                        }
                    }).collect_view()}
                </div>
            </fieldset>
        </div>
    }
}

/// What a page shows when loading its data was refused: sign in (and come back), no access,
/// or not found, each with the right HTTP status.
pub fn refusal_view(error: UiError, return_to: String) -> AnyView {
    match error {
        UiError::SignInRequired => view! { <leptos_router::components::Redirect path=sign_in_then(&return_to)/> }.into_any(),
        UiError::Forbidden => {
            set_status(403);
            view! {
                <Title text="You do not have access to this page"/>
                <h1>"You do not have access to this page"</h1>
                <p>"This page is for someone with a different role."</p>
                <p><a href="/dashboard">"Go to your dashboard"</a></p>
            }
            .into_any()
        }
        UiError::NotFound => {
            set_status(404);
            view! {
                <Title text="Page not found"/>
                <h1>"Page not found"</h1>
                <p>"If you typed the web address, check it is correct."</p>
                <p><a href="/">"Find care and support"</a></p>
            }
            .into_any()
        }
        // Nothing wrong with the service: what was asked for cannot be had, for the reason given
        // (money cannot be paid into a budget the council has closed).
        UiError::Invalid(problems) => {
            set_status(422);
            view! {
                <Title text="This cannot be done"/>
                <h1>"This cannot be done"</h1>
                {problems.into_iter().map(|problem| view! { <p>{problem.message}</p> }).collect_view()}
                <p><a href="/dashboard">"Go to your dashboard"</a></p>
            }
            .into_any()
        }
        error => {
            set_status(500);
            view! {
                <Title text="Sorry, there is a problem with the service"/>
                <h1>"Sorry, there is a problem with the service"</h1>
                <p>{error.to_string()}</p>
            }
            .into_any()
        }
    }
}

#[component]
pub fn ListingCardView(card: ListingCard) -> impl IntoView {
    let provider_href = format!("/providers/{}", card.provider_public_id);
    view! {
        <li class="card">
            <h3 class="card-title"><a href=format!("/services/{}", card.public_id)>{card.title}</a></h3>
            <p class="card-meta">
                {category_label(&card.category)}" from "<a href=provider_href>{card.provider_name}</a>
            </p>
            {card.rank_explanation.map(|explanation| view! { <p class="card-rank">"Council framework: "{explanation}</p> })}
            <dl class="card-facts">
                <div><dt>"Price"</dt><dd>{format_price(card.price_pence, &card.unit)}</dd></div>
                <div><dt>"CQC rating"</dt><dd>{rating_label(&card.regulator_rating)}</dd></div>
                <div><dt>"Areas"</dt><dd>{card.areas.join(", ")}</dd></div>
                {card.distance_km.map(|km| view! { <div><dt>"Distance"</dt><dd>{format!("{km:.1} km away")}</dd></div> })}
            </dl>
            {card.possibly_out_of_date.then(|| view! {
                <p class="tag tag-warning">"Possibly out of date: the provider has not confirmed these details for six months"</p>
            })}
        </li>
    }
}

/// A CSV file's lines: a box to paste them in, and (shown by enhance.js, since choosing a file
/// needs JavaScript) a file chooser that fills the box.
#[component]
pub fn CsvInput(#[prop(into)] label: String, #[prop(into)] hint: String, #[prop(into)] errors: Signal<Vec<FieldError>>) -> impl IntoView {
    view! {
        <div class="form-group" id="csv-file-group" hidden>
            <label class="label" for="csv-file">"Choose the CSV file"</label>
            <input class="file-input" id="csv-file" type="file" accept=".csv,text/csv" aria-describedby="csv-file-status"/>
            <p class="hint" id="csv-file-status" role="status"></p>
        </div>
        <TextArea id="csv" name="csv" label hint errors/>
    }
}
