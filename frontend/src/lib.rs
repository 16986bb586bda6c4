//! Wakes the interactive parts of a server-rendered page (the `#[island]` components) once the
//! wasm has loaded. Everything else is server HTML and works before this runs, or without it.

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    // Links the app crate, whose islands are this module's exports.
    #[allow(unused_imports)]
    use app::*;
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
    // Leptos's loader wakes each island right after this returns, in promise callbacks that
    // all run before the next task: mark the page interactive then (tests and Web Vitals wait for it).
    leptos::prelude::set_timeout(
        || {
            if let Some(body) = leptos::prelude::document().body() {
                let _ = body.set_attribute("data-hydrated", "true");
            }
        },
        std::time::Duration::ZERO,
    );
}
