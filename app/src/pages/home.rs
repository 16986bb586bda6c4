//! The front door: search with filters, counts to narrow down, sorting and pages. The form is
//! a plain GET form, so everything works without JavaScript; with it, results follow the
//! words as they are typed, and only the number found is announced. The search box and the
//! "Use my location" button are the page's only islands (the code the browser is sent).
use crate::api::{nearest_district, search_services};
use crate::components::{Choices, ErrorSummary, ListingCardView, Select, TextInput, use_viewer};
use crate::model::*;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// How long typing must pause before the results follow it.
const TYPING_PAUSE_MS: u64 = 300;

#[component]
pub fn HomePage() -> impl IntoView {
    let form = {
        let query = use_query_map().read_untracked();
        SearchForm::from_query(|name| query.get(name))
    };
    let results = OnceResource::new(search_services(form.clone()));
    let viewer = use_viewer();
    view! {
        <Title text="Find care and support"/>
        // Drawn once the search has run, so a page served without JavaScript shows its errors.
        <Suspense fallback=|| view! { <p>"Loading services…"</p> }>
            {move || {
                let (form, budget_holder) = (form.clone(), viewer.user.as_ref().is_some_and(|user| user.role == Role::BudgetHolder));
                Suspend::new(async move { view! { <SearchView form result=results.await budget_holder/> } })
            }}
        </Suspense>
    }
}

/// The heading, the form, the live region and the results.
#[component]
fn SearchView(form: SearchForm, result: Result<SearchPage, UiError>, budget_holder: bool) -> impl IntoView {
    let (errors, found) = match &result {
        Ok(page) => (Vec::new(), found_text(page.total)),
        Err(error) => (error.field_errors(), String::new()),
    };
    let errors = Signal::stored(errors);
    let results = match result {
        Ok(page) => view! { <Results page form=form.clone()/> }.into_any(),
        Err(UiError::Invalid(_)) => view! { <p>"Correct the search above to see services."</p> }.into_any(),
        Err(error) => view! { <p class="error-message">{error.to_string()}</p> }.into_any(),
    };
    view! {
        <div id="search-problems"><ErrorSummary errors/></div>
        <h1>"Find care and support"</h1>
        <p class="lead">"Search home care, personal assistants, day opportunities, short breaks and more from providers in your area."</p>
        <SearchFields initial=form errors budget_holder/>
        // The one live region: it says how many were found, not the whole list.
        <p id="search-status" class="visually-hidden" aria-live="polite" aria-atomic="true">{found}</p>
        <div id="results">{results}</div>
    }
}

fn found_text(total: u64) -> String {
    match total {
        0 => "No services found".into(),
        1 => "1 service found".into(),
        n => format!("{n} services found"),
    }
}

fn options(pairs: impl IntoIterator<Item = (String, String)>, any: &str) -> Vec<(String, String)> {
    std::iter::once((String::new(), any.to_string())).chain(pairs).collect()
}

#[component]
fn SearchFields(initial: SearchForm, errors: Signal<Vec<FieldError>>, budget_holder: bool) -> impl IntoView {
    let filtered =
        [&initial.category, &initial.postcode, &initial.max_price, &initial.day, &initial.language, &initial.specialism, &initial.framework, &initial.budget]
            .iter()
            .any(|value| !value.is_empty())
            || !matches!(initial.carer.as_str(), "" | "any")
            || !matches!(initial.sort.as_str(), "" | "best");
    let q_message = errors.with_untracked(|errors| errors.iter().any(|error| error.field == "q"));
    view! {
        <form method="get" action="/" role="search" class="search-form" novalidate=true>
            <div class="form-group" id="q-group" class:form-group-error=q_message>
                <label class="label" for="q">"Search for care and support"</label>
                <div class="hint" id="q-hint">"For example, home care in Gosforth, or dementia"</div>
                <div class="search-row">
                    <SearchBox value=initial.q.clone()/>
                    <button type="submit" class="button">"Search"</button>
                </div>
            </div>
            <details class="filters" open=filtered>
                <summary>"Filter and sort"</summary>
                <Filters initial=initial.clone() errors budget_holder/>
                <button type="submit" class="button">"Apply"</button>
            </details>
        </form>
    }
    .into_any()
}

/// The search box. With JavaScript, once typing pauses, the page for the new words is fetched
/// and its results put in place of these (`in_place`), so the cursor stays in the box and the
/// address can be shared; without it, the form is sent as usual.
#[island]
fn SearchBox(value: String) -> impl IntoView {
    let pending = StoredValue::new(None::<leptos::leptos_dom::helpers::TimeoutHandle>);
    let on_typing = move |event: leptos::ev::Event| {
        let words = event_target_value(&event);
        if let Some(handle) = pending.get_value() {
            handle.clear();
        }
        let handle = set_timeout_with_handle(move || in_place::follow(&words), std::time::Duration::from_millis(TYPING_PAUSE_MS));
        pending.set_value(handle.ok());
    };
    // Effects run only in the browser.
    Effect::new(|_| in_place::keep_history());
    view! {
        <input class="input" id="q" name="q" type="search" autocomplete="off" aria-describedby="q-hint" value=value on:input=on_typing/>
    }
}

#[component]
fn Results(page: SearchPage, form: SearchForm) -> impl IntoView {
    let link = {
        let form = form.clone();
        move |change: &dyn Fn(&mut SearchForm)| {
            let mut next = form.clone();
            change(&mut next);
            format!("/?{}", next.to_query())
        }
    };
    let understood = understood(&page, &form);
    if page.cards.is_empty() {
        return view! {
            {understood}
            <h2>"No services found"</h2>
            {(!page.suggestions.is_empty()).then(|| view! {
                <p>"You could:"</p>
                <ul>{page.suggestions.into_iter().map(|s| view! { <li>{s}</li> }).collect_view()}</ul>
            })}
            <p><a href="/">"Clear the search and see every service"</a></p>
        }
        .into_any();
    }
    let heading = if page.pages > 1 { format!("{}, page {} of {}", found_text(page.total), page.page, page.pages) } else { found_text(page.total) };
    let narrow = (form.category.is_empty() && page.categories.len() > 1).then(|| {
        view! {
            <nav class="narrow-down" aria-label="Narrow down by type of care">
                <h3>"Type of care"</h3>
                <ul class="plain-list">
                    {page.categories.iter().map(|(code, label, count)| {
                        let href = link(&|f: &mut SearchForm| { f.category = code.clone(); f.page.clear(); });
                        view! { <li><a href=href>{format!("{label} ({count})")}</a></li> }
                    }).collect_view()}
                </ul>
            </nav>
        }
    });
    let previous = (page.page > 1).then(|| link(&|f: &mut SearchForm| f.page = (page.page - 1).to_string()));
    let next = (page.page < page.pages).then(|| link(&|f: &mut SearchForm| f.page = (page.page + 1).to_string()));
    view! {
        {understood}
        <h2 id="results-heading">{heading}</h2>
        {narrow}
        <ul class="card-list" aria-labelledby="results-heading">
            {page.cards.into_iter().map(|card| view! { <ListingCardView card/> }).collect_view()}
        </ul>
        {(previous.is_some() || next.is_some()).then(|| view! {
            <nav class="pagination" aria-label="Pages of results">
                {previous.map(|href| view! { <a href=href rel="prev">"Previous page"</a> })}
                <span>{format!("Page {} of {}", page.page, page.pages)}</span>
                {next.map(|href| view! { <a href=href rel="next">"Next page"</a> })}
            </nav>
        })}
    }
    .into_any()
}

/// What the words were understood to mean (each removable), what partial results match, a
/// postcode asked for when the words said "near me", and the way to search for exactly the
/// words typed. Links and a plain form: all of it works without JavaScript.
fn understood(page: &SearchPage, form: &SearchForm) -> AnyView {
    let link = |change: &dyn Fn(&mut SearchForm)| {
        let mut next = form.clone();
        change(&mut next);
        next.page.clear();
        format!("/?{}", next.to_query())
    };
    let chips = (!page.chips.is_empty()).then(|| {
        let chips = page.chips.iter().map(|chip| {
            let key = chip.key.clone();
            let href = link(&|f: &mut SearchForm| {
                f.ignore = f.ignore.split(',').filter(|k| !k.is_empty() && *k != key).chain([key.as_str()]).collect::<Vec<_>>().join(",");
            });
            view! {
                <li><a class="chip" href=href><span class="visually-hidden">"Remove "</span>{chip.label.clone()}<span aria-hidden="true">" ×"</span></a></li>
            }
        }).collect_view();
        view! {
            <div class="understood">
                <p id="understood-heading">"From your words, we also looked for:"</p>
                <ul class="chips" aria-labelledby="understood-heading">{chips}</ul>
            </div>
        }
    });
    let ask_postcode = page.ask_postcode.then(|| {
        let kept = form
            .fields()
            .into_iter()
            .filter(|(name, _)| !matches!(*name, "postcode" | "page"))
            .map(|(name, value)| view! { <input type="hidden" name=name value=value/> })
            .collect_view();
        view! {
            <form method="get" action="/" class="near-me">
                {kept}
                <label class="label" for="near-postcode">"To see services near you, enter your postcode"</label>
                <div class="hint" id="near-postcode-hint">"Like NE3 1AB"</div>
                <div class="search-row">
                    <input class="input input-narrow" id="near-postcode" name="postcode" autocomplete="postal-code" aria-describedby="near-postcode-hint"/>
                    <button type="submit" class="button">"Show services near me"</button>
                </div>
                <UseMyLocation form=form.clone()/>
            </form>
        }
    });
    let partial = page.partial.clone().map(|sentence| view! { <p class="notice">{sentence}</p> });
    let exact = (!form.q.trim().is_empty()).then(|| {
        if form.exact == "yes" {
            let href = link(&|f: &mut SearchForm| f.exact.clear());
            view! { <p class="exact-link">"Showing services with exactly the words you typed. "<a href=href>"Search for what your words mean instead"</a></p> }
                .into_any()
        } else {
            let href = link(&|f: &mut SearchForm| f.exact = "yes".into());
            view! { <p class="exact-link"><a href=href>{format!("Search for exactly \u{201c}{}\u{201d}", form.q.trim())}</a></p> }.into_any()
        }
    });
    view! { {chips}{ask_postcode}{partial}{exact} }.into_any()
}

/// With JavaScript, and if the person allows it, "near me" can be where their browser says
/// they are: the district nearest that point becomes the search's postcode. The button is drawn
/// only once the page is interactive, since without JavaScript it could do nothing.
#[island]
fn UseMyLocation(form: SearchForm) -> impl IntoView {
    let interactive = RwSignal::new(false);
    Effect::new(move |_| interactive.set(true));
    let problem = RwSignal::new(String::new());
    let busy = RwSignal::new(false);
    let on_click = move |_: leptos::ev::MouseEvent| {
        busy.set(true);
        problem.set(String::new());
        let form = form.clone();
        where_the_browser_is(move |found| {
            leptos::task::spawn_local(async move {
                let district = match found {
                    Ok((latitude, longitude)) => nearest_district(latitude, longitude).await.map_err(|error| error.to_string()),
                    Err(refusal) => Err(refusal),
                };
                busy.set(false);
                match district {
                    Ok(code) => {
                        let mut near = form;
                        near.postcode = code;
                        near.page.clear();
                        let _ = window().location().assign(&format!("/?{}", near.to_query()));
                    }
                    Err(message) => problem.set(message),
                }
            });
        });
    };
    move || {
        interactive.get().then(|| {
            view! {
                <div class="use-location">
                    <button type="button" class="button button-secondary" on:click=on_click.clone() disabled=busy>"Use my location"</button>
                    <p class="error-message" aria-live="polite">{problem}</p>
                </div>
            }
        })
    }
}

/// Asks the browser where the person is; the browser asks them first. Calls `done` once with
/// the point, or with what to tell the person.
fn where_the_browser_is(done: impl FnOnce(Result<(f64, f64), String>) + 'static) {
    #[cfg(feature = "hydrate")]
    {
        use leptos::wasm_bindgen::{JsCast, closure::Closure};
        use leptos::web_sys::{Position, PositionError};
        use std::{cell::RefCell, rc::Rc};
        let done = Rc::new(RefCell::new(Some(done)));
        let finish = move |answer| {
            if let Some(done) = done.borrow_mut().take() {
                done(answer);
            }
        };
        let found = Closure::once_into_js({
            let finish = finish.clone();
            move |position: Position| finish(Ok((position.coords().latitude(), position.coords().longitude())))
        });
        let refused = Closure::once_into_js({
            let finish = finish.clone();
            move |error: PositionError| {
                finish(Err(if error.code() == PositionError::PERMISSION_DENIED {
                    "Your browser did not let us use your location: enter your postcode instead".to_string()
                } else {
                    "We could not find where you are: enter your postcode instead".to_string()
                }))
            }
        });
        let asked = window()
            .navigator()
            .geolocation()
            .and_then(|geolocation| geolocation.get_current_position_with_error_callback(found.unchecked_ref(), Some(refused.unchecked_ref())));
        if asked.is_err() {
            finish(Err("This browser cannot tell us where you are: enter your postcode instead".to_string()));
        }
    }
    #[cfg(not(feature = "hydrate"))]
    done(Err("Your location can only be found in the browser".to_string()));
}

/// Every filter and the sort order. (A component of its own, drawn as one piece, to keep
/// the page's rendering shallow.)
#[component]
fn Filters(initial: SearchForm, errors: Signal<Vec<FieldError>>, budget_holder: bool) -> impl IntoView {
    let budget_error = errors.with_untracked(|errors| errors.iter().find(|e| e.field == "budget").map(|e| e.message.clone()));
    let within_budget_invalid = budget_error.is_some();
    let within_budget = initial.budget == "yes";
    let categories = options(CATEGORIES.iter().map(|&code| (code.to_string(), category_label(code).to_string())), "Any type of care");
    let specialisms = options(SPECIALISMS.iter().map(|(code, label)| (code.to_string(), label.to_string())), "Any");
    let distances = options(["1", "2", "5", "10", "20", "50"].map(|km| (km.to_string(), format!("Within {km} km"))), "Any distance");
    let days = options(WEEKDAYS.iter().enumerate().map(|(index, day)| ((index + 1).to_string(), day.to_string())), "Any day");
    let sorts = [("best", "Best value"), ("price", "Lowest price"), ("quality", "Highest quality"), ("nearest", "Nearest")]
        .map(|(code, label)| (code.to_string(), label.to_string()))
        .to_vec();
    let carers = [("any", "Any carer"), ("female", "A woman"), ("male", "A man")].map(|(code, label)| (code.to_string(), label.to_string())).to_vec();
    view! {
                <div class="filter-grid">
            <Select id="category" name="category" label="Type of care" options=categories value=initial.category errors/>
            <TextInput id="postcode" name="postcode" label="Your postcode" hint="Like NE3 1AB" width="input-narrow"
                autocomplete="postal-code" value=initial.postcode errors/>
            <Select id="within" name="within" label="Distance" options=distances value=initial.within errors/>
            <TextInput id="max_price" name="max_price" label="Most you want to pay, in pounds" hint="Like 25" width="input-narrow"
                value=initial.max_price errors/>
            <Select id="day" name="day" label="Day" options=days value=initial.day errors/>
            <TextInput id="time" name="time" label="Time" hint="Like 09:00" width="input-narrow" value=initial.time errors/>
            <Choices id="carer" name="carer" legend="Who would you like to provide care?" options=carers
                chosen=vec![if initial.carer.is_empty() { "any".to_string() } else { initial.carer.clone() }] errors/>
            <TextInput id="language" name="language" label="Language" hint="Like Polish" width="input-narrow" value=initial.language errors/>
            <Select id="specialism" name="specialism" label="Specialism" options=specialisms value=initial.specialism errors/>
            <div class="form-group">
                <div class="choice">
                    <input class="choice-input" type="checkbox" id="framework" name="framework" value="yes" checked=initial.framework == "yes"/>
                    <label class="choice-label" for="framework">"Only services on a council framework"</label>
                </div>
            </div>
            // "Within my budget" is for the person who holds it.
            {budget_holder.then(|| view! {
                <div class="form-group" class:form-group-error=within_budget_invalid>
                    {budget_error.map(|message| view! { <p class="error-message" id="budget-error">{message}</p> })}
                    <div class="choice">
                        <input class="choice-input" type="checkbox" id="budget" name="budget" value="yes" checked=within_budget/>
                        <label class="choice-label" for="budget">"Only what the money left in my budget can pay for"</label>
                    </div>
                </div>
            })}
            <Select id="sort" name="sort" label="Sort by" options=sorts value=if initial.sort.is_empty() { "best".to_string() } else { initial.sort.clone() } errors/>
        </div>
    }
    .into_any()
}

/// Results that follow typing, and Back and Forward through what was typed, without reloading
/// the page: the server renders the page for the new address, and the parts named in
/// `FOLLOWS_TYPING` are swapped in. In the browser only.
mod in_place {
    /// The history states of this page's own entries: one reached by typing, and the one it
    /// was served as.
    #[cfg(feature = "hydrate")]
    const TYPED: &str = "caremarket-search:typed";
    #[cfg(feature = "hydrate")]
    const SERVED: &str = "caremarket-search:served";

    /// The parts of the page that a search typed in the box replaces, by id.
    #[cfg(feature = "hydrate")]
    const FOLLOWS_TYPING: [&str; 3] = ["search-problems", "search-status", "results"];

    /// Shows the results for these words with the page's other fields as they were served.
    /// The first search typed adds a history entry; the ones after it replace that entry, so
    /// Back returns to the search before, not to each keystroke.
    pub fn follow(words: &str) {
        #[cfg(feature = "hydrate")]
        {
            use leptos::prelude::window;
            let search = window().location().search().unwrap_or_default();
            let kept = search.trim_start_matches('?').split('&').filter(|pair| {
                let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
                !value.is_empty() && !matches!(name, "q" | "page")
            });
            let address =
                std::iter::once(format!("/?q={}", crate::model::encode_query_value(words))).chain(kept.map(str::to_string)).collect::<Vec<_>>().join("&");
            let Ok(history) = window().history() else { return };
            let typed_here = history.state().ok().and_then(|state| state.as_string()).is_some_and(|state| state == TYPED);
            let state = leptos::wasm_bindgen::JsValue::from_str(TYPED);
            let _ =
                if typed_here { history.replace_state_with_url(&state, "", Some(&address)) } else { history.push_state_with_url(&state, "", Some(&address)) };
            leptos::task::spawn_local(show(address));
        }
        #[cfg(not(feature = "hydrate"))]
        let _ = words;
    }

    /// Marks the page's first history entry as this page's, and shows the results again when
    /// Back or Forward returns to one of its entries (not to a `#field` link's).
    pub fn keep_history() {
        #[cfg(feature = "hydrate")]
        {
            use leptos::prelude::*;
            let Ok(history) = window().history() else { return };
            if history.state().is_ok_and(|state| state.is_null()) {
                let _ = history.replace_state(&leptos::wasm_bindgen::JsValue::from_str(SERVED), "");
            }
            let listener = window_event_listener(leptos::ev::popstate, |event| {
                if !event.state().as_string().is_some_and(|state| state == TYPED || state == SERVED) {
                    return;
                }
                let location = window().location();
                let search = location.search().unwrap_or_default();
                let words = leptos::web_sys::UrlSearchParams::new_with_str(&search).ok().and_then(|params| params.get("q")).unwrap_or_default();
                if let Some(input) = document().get_element_by_id("q") {
                    use leptos::wasm_bindgen::JsCast;
                    if let Ok(input) = input.dyn_into::<leptos::web_sys::HtmlInputElement>() {
                        input.set_value(&words);
                    }
                }
                leptos::task::spawn_local(show(format!("/{search}")));
            });
            // The page lives as long as the listener: it is never removed.
            std::mem::forget(listener);
        }
    }

    #[cfg(feature = "hydrate")]
    thread_local! {
        /// The newest search asked for: an older one that answers later is dropped.
        static LATEST: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
    }

    /// Fetches the page at `address` and swaps its results into this one; if that fails, loads
    /// it in full.
    #[cfg(feature = "hydrate")]
    async fn show(address: String) {
        use leptos::prelude::*;
        let ticket = LATEST.with(|latest| {
            latest.set(latest.get() + 1);
            latest.get()
        });
        let Some(page) = fetch_page(&address).await else {
            let _ = window().location().assign(&address);
            return;
        };
        if LATEST.with(|latest| latest.get()) != ticket {
            return;
        }
        for id in FOLLOWS_TYPING {
            if let (Some(here), Some(there)) = (document().get_element_by_id(id), page.get_element_by_id(id)) {
                here.set_inner_html(&there.inner_html());
            }
        }
        if let (Some(here), Some(there)) = (document().get_element_by_id("q-group"), page.get_element_by_id("q-group")) {
            here.set_class_name(&there.class_name());
        }
        if let Some(results) = document().get_element_by_id("results") {
            wake_islands(&results);
        }
    }

    #[cfg(feature = "hydrate")]
    async fn fetch_page(address: &str) -> Option<leptos::web_sys::Document> {
        use leptos::wasm_bindgen::JsCast;
        use leptos::web_sys::{DomParser, Response, SupportedType};
        use wasm_bindgen_futures::JsFuture;
        let response: Response = JsFuture::from(leptos::prelude::window().fetch_with_str(address)).await.ok()?.dyn_into().ok()?;
        let html = JsFuture::from(response.text().ok()?).await.ok()?.as_string()?;
        DomParser::new().ok()?.parse_from_string(&html, SupportedType::TextHtml).ok()
    }

    /// Islands in swapped-in HTML (the "Use my location" button) are woken the way Leptos's
    /// loader wakes those in the page it was served with.
    #[cfg(feature = "hydrate")]
    fn wake_islands(root: &leptos::web_sys::Element) {
        use leptos::wasm_bindgen::{JsCast, JsValue};
        use leptos::web_sys::js_sys::{Function, Reflect};
        let Ok(wake) = Reflect::get(&leptos::prelude::window(), &JsValue::from_str("__hydrateIsland")).and_then(|wake| wake.dyn_into::<Function>()) else {
            return;
        };
        let Ok(islands) = root.query_selector_all("leptos-island") else { return };
        for index in 0..islands.length() {
            if let Some(island) = islands.item(index).and_then(|node| node.dyn_into::<leptos::web_sys::Element>().ok()) {
                let _ = wake.call2(&JsValue::NULL, &island, &JsValue::from(island.get_attribute("data-component")));
            }
        }
    }
}
