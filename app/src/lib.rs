//! CareMarket's user interface. Every page is rendered on the server (and works with
//! JavaScript off). Only the few `#[island]` components, the parts that need a script, are
//! shipped to the browser and woken there by the `frontend` crate; the rest stays HTML.
#![recursion_limit = "256"]

pub mod api;
pub mod chart;
pub mod components;
pub mod model;
mod pages;
#[cfg(feature = "ssr")]
pub mod port;
pub mod report;

pub use model::*;

use components::{Layout, provide_viewer};
use leptos::prelude::*;
use leptos_meta::{MetaTags, Title, provide_meta_context};
use leptos_router::{
    SsrMode,
    components::{Route, Router, Routes},
    path,
};
use pages::*;

/// The HTML document around every page.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en-GB">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="description" content="Find, compare, book and pay for care and support with your personal budget."/>
                <link rel="icon" href="/favicon.svg" type="image/svg+xml"/>
                // The stylesheet sits with the bundle, at an address that names its contents.
                <link rel="stylesheet" href=format!("/{}/caremarket.css", options.site_pkg_dir)/>
                <HydrationScripts options islands=true/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Title formatter=|text: String| format!("{text} – CareMarket")/>
        // Async rendering: every page arrives complete, so it works with JavaScript off.
        <Router>
            {provide_viewer()}
            <Layout>
                <Routes fallback=NotFound>
                    <Route path=path!("/") view=HomePage ssr=SsrMode::Async/>
                    <Route path=path!("/providers/:id") view=ProviderPage ssr=SsrMode::Async/>
                    <Route path=path!("/services/:id") view=ListingPage ssr=SsrMode::Async/>
                    <Route path=path!("/sign-in") view=SignInPage ssr=SsrMode::Async/>
                    <Route path=path!("/register") view=RegisterPage ssr=SsrMode::Async/>
                    <Route path=path!("/register/person") view=RegisterPersonPage ssr=SsrMode::Async/>
                    <Route path=path!("/dashboard") view=DashboardHome ssr=SsrMode::Async/>
                    <Route path=path!("/dashboard/:role") view=RoleDashboard ssr=SsrMode::Async/>
                    <Route path=path!("/lots") view=LotsPage ssr=SsrMode::Async/>
                    <Route path=path!("/budget/statement") view=BudgetStatementPage ssr=SsrMode::Async/>
                    <Route path=path!("/budget/statements/:month") view=MonthlyStatementPage ssr=SsrMode::Async/>
                    <Route path=path!("/budget/helpers") view=HelpersPage ssr=SsrMode::Async/>
                    <Route path=path!("/budget/pay") view=PayByCardPage ssr=SsrMode::Async/>
                    <Route path=path!("/budget/pay/:id") view=CardPaymentPage ssr=SsrMode::Async/>
                    <Route path=path!("/book/:id") view=BookingPage ssr=SsrMode::Async/>
                    <Route path=path!("/bookings/:reference") view=BookingDetailsPage ssr=SsrMode::Async/>
                    <Route path=path!("/provider/bookings") view=ProviderBookingsPage ssr=SsrMode::Async/>
                    <Route path=path!("/payments") view=PaymentsPage ssr=SsrMode::Async/>
                    <Route path=path!("/visit-queries") view=VisitQueriesPage ssr=SsrMode::Async/>
                    <Route path=path!("/provider/reviews") view=ProviderReviewsPage ssr=SsrMode::Async/>
                    <Route path=path!("/provider/payments") view=ProviderPaymentsPage ssr=SsrMode::Async/>
                    <Route path=path!("/provider/call-monitoring") view=CallMonitoringPage ssr=SsrMode::Async/>
                    <Route path=path!("/call-monitoring") view=CallMonitoringPage ssr=SsrMode::Async/>
                    <Route path=path!("/recoveries") view=RecoveriesPage ssr=SsrMode::Async/>
                    <Route path=path!("/audits") view=AuditsPage ssr=SsrMode::Async/>
                    <Route path=path!("/audits/:reference") view=AuditSamplePage ssr=SsrMode::Async/>
                    <Route path=path!("/audits/cases/:reference") view=AuditCasePage ssr=SsrMode::Async/>
                    <Route path=path!("/ratings") view=RatingsImportPage ssr=SsrMode::Async/>
                    <Route path=path!("/finance") view=FinancePage ssr=SsrMode::Async/>
                    <Route path=path!("/recoveries/:reference") view=RecoveryPage ssr=SsrMode::Async/>
                    <Route path=path!("/reviews") view=CouncilReviewsPage ssr=SsrMode::Async/>
                    <Route path=path!("/concerns") view=ConcernsPage ssr=SsrMode::Async/>
                    <Route path=path!("/concerns/new") view=RaiseConcernPage ssr=SsrMode::Async/>
                    <Route path=path!("/concerns/:reference") view=ConcernPage ssr=SsrMode::Async/>
                    <Route path=path!("/visits/confirm") view=ConfirmVisitPage ssr=SsrMode::Async/>
                    <Route path=path!("/reports") view=ReportsPage ssr=SsrMode::Async/>
                    <Route path=path!("/reports/:slug") view=ReportPage ssr=SsrMode::Async/>
                    <Route path=path!("/offline-placements") view=OfflinePlacementsPage ssr=SsrMode::Async/>
                    <Route path=path!("/budgets") view=BudgetsPage ssr=SsrMode::Async/>
                    <Route path=path!("/account/set-up") view=SetUpAccountPage ssr=SsrMode::Async/>
                    <Route path=path!("/account/forgot-password") view=ForgotPasswordPage ssr=SsrMode::Async/>
                    <Route path=path!("/account/confirm-email") view=ConfirmEmailPage ssr=SsrMode::Async/>
                    <Route path=path!("/helping") view=HelpInvitationPage ssr=SsrMode::Async/>
                    <Route path=path!("/account/notifications") view=NotificationsPage ssr=SsrMode::Async/>
                    <Route path=path!("/frameworks") view=FrameworksPage ssr=SsrMode::Async/>
                    <Route path=path!("/lots/:id") view=LotPage ssr=SsrMode::Async/>
                    <Route path=path!("/provider/profile") view=OrganisationProfilePage ssr=SsrMode::Async/>
                    <Route path=path!("/provider/listings") view=OwnListingsPage ssr=SsrMode::Async/>
                    <Route path=path!("/provider/listings/new") view=ListingEditorPage ssr=SsrMode::Async/>
                    <Route path=path!("/provider/listings/:id") view=ListingEditorPage ssr=SsrMode::Async/>
                </Routes>
            </Layout>
        </Router>
    }
}
