//! Hydrates the server-rendered page so that it becomes interactive once the wasm has loaded.
//! Every page already works before this runs (and without it, with JavaScript off).

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_body(app::App);
}
