mod dashboard;
mod home;
mod provider;
mod register;
mod sign_in;

pub use dashboard::{DashboardHome, RoleDashboard};
pub use home::HomePage;
pub use provider::ProviderPage;
pub use register::RegisterPage;
pub use sign_in::SignInPage;

use crate::components::set_status;
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn NotFound() -> impl IntoView {
    set_status(404);
    view! {
        <Title text="Page not found"/>
        <h1>"Page not found"</h1>
        <p>"If you typed the web address, check it is correct."</p>
        <p><a href="/">"Find care and support"</a></p>
    }
}
