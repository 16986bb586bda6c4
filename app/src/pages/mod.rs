mod audits;
mod booking;
mod budgets;
mod card_payments;
mod concerns;
mod dashboard;
mod frameworks;
mod helpers;
mod home;
mod listing;
mod listings;
mod lots;
mod messages;
mod notifications;
mod payments;
mod profile;
mod provider;
mod provider_bookings;
mod recoveries;
mod register;
mod reports;
mod reviews;
mod sign_in;
mod statement;
mod visits;

pub use audits::{AuditCasePage, AuditSamplePage, AuditsPage};
pub use booking::{BookingDetailsPage, BookingPage};
pub use budgets::{BudgetsPage, SetUpAccountPage};
pub use card_payments::{CardPaymentPage, PayByCardPage};
pub use concerns::{ConcernPage, ConcernsPage, RaiseConcernLink, RaiseConcernPage};
pub use dashboard::{DashboardHome, RoleDashboard};
pub use frameworks::FrameworksPage;
pub use helpers::{HelpInvitationPage, HelpersPage};
pub use home::HomePage;
pub use listing::ListingPage;
pub use listings::{ListingEditorPage, OwnListingsPage};
pub use lots::{LotPage, LotsPage, RatingsImportPage};
pub use notifications::NotificationsPage;
pub use payments::{CallMonitoringPage, FinancePage, PaymentsPage, ProviderPaymentsPage};
pub use profile::OrganisationProfilePage;
pub use provider::ProviderPage;
pub use provider_bookings::ProviderBookingsPage;
pub use recoveries::{RecoveriesPage, RecoveryPage};
pub use register::{RegisterPage, RegisterPersonPage};
pub use reports::{OfflinePlacementsPage, ReportPage, ReportsPage};
pub use reviews::{CouncilReviewsPage, ProviderReviewsPage, ReviewList};
pub use sign_in::{ConfirmEmailPage, ForgotPasswordPage, SignInPage};
pub use statement::{BudgetStatementPage, MonthlyStatementPage};
pub use visits::{ConfirmVisitPage, VisitQueriesPage};

use crate::components::refusal_view;
use crate::model::UiError;
use leptos::prelude::*;

#[component]
pub fn NotFound() -> impl IntoView {
    refusal_view(UiError::NotFound, String::new())
}
