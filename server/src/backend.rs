//! The server's implementation of the UI's port: maps each call onto the domain and the
//! domain's errors onto messages for the browser.
use crate::config::Config;
use crate::db::Db;
use crate::domain::card_payments::CardProcessor;
use crate::domain::{
    accounts, audits, auth, booking_changes, booking_messages, bookings, budget_admin, budgets, call_monitoring, card_payments, concerns, dashboards,
    delegations, directory, finance, frameworks, lot_management, lots, offline_placements, payment_runs, provider_listings, provider_profile, recoveries,
    regulator_ratings, reports, reviews, visit_confirmation,
};
use crate::error::AppError;
use crate::http::cookies;
use crate::search::{SearchEngine, params};
use crate::state::AppState;
use app::port::{Backend, RequestInfo, StartedSession};
use app::report::{OfflinePlacementForm, OfflinePlacements, Report, ReportQuery};
use app::*;
use chrono::Utc;
use std::sync::Arc;

pub struct CareMarketBackend {
    db: Db,
    reports_db: Db,
    config: Arc<Config>,
    passwords: auth::Passwords,
    search: Arc<dyn SearchEngine>,
    postcodes: params::PostcodeCentres,
    cards: Option<Arc<dyn CardProcessor>>,
}

impl CareMarketBackend {
    pub fn new(state: &AppState) -> Self {
        Self {
            db: state.db.clone(),
            reports_db: state.reports_db.clone(),
            config: state.config.clone(),
            passwords: state.passwords.clone(),
            search: state.search.clone(),
            postcodes: state.postcodes.clone(),
            cards: state.stripe.clone().map(|stripe| stripe as Arc<dyn CardProcessor>),
        }
    }

    /// The time care and money act at (see `clock`); sessions keep the real time.
    fn now(&self) -> chrono::DateTime<Utc> {
        self.config.clock.now()
    }

    /// The card processor, or "not found" when card payments are switched off.
    fn cards(&self) -> Result<&dyn CardProcessor, UiError> {
        self.cards.as_deref().ok_or(UiError::NotFound)
    }

    /// The cookies of a session just started: the session's, and a new CSRF token (one known
    /// before signing in is not trusted after).
    fn started(&self, session: auth::NewSession) -> Result<StartedSession, UiError> {
        let max_age = (session.expires_at - Utc::now()).num_seconds().max(0);
        let secure = self.config.secure_cookies;
        Ok(StartedSession {
            set_cookies: vec![cookies::session(&session.token, max_age, secure), cookies::csrf(&auth::random_token()?, secure)],
            user: session.user,
        })
    }
}

#[async_trait::async_trait]
impl Backend for CareMarketBackend {
    async fn sign_in(&self, request: &RequestInfo, email: &str, password: &str) -> Result<StartedSession, UiError> {
        let session = auth::sign_in(
            &self.db,
            &self.passwords,
            auth::Credentials { email, password },
            &request.client_key,
            request.session_token.as_deref(),
            self.config.session_hours,
            Utc::now(),
        )
        .await?;
        self.started(session)
    }

    async fn sign_out(&self, request: &RequestInfo) -> Result<Vec<String>, UiError> {
        if let Some(token) = &request.session_token {
            auth::end_session(&self.db, token).await?;
        }
        Ok(vec![cookies::clear_session(self.config.secure_cookies), cookies::acting_for(None, self.config.secure_cookies)])
    }

    async fn register_provider(&self, request: &RequestInfo, form: ProviderRegistration) -> Result<(), UiError> {
        Ok(accounts::register_provider(&self.db, &self.passwords, &form, &request.client_key, Utc::now()).await?)
    }

    async fn register_self_funder(&self, request: &RequestInfo, form: SelfFunderRegistration) -> Result<(), UiError> {
        Ok(accounts::register_self_funder(&self.db, &self.passwords, &form, &request.client_key, Utc::now()).await?)
    }

    async fn search(&self, viewer: Option<&SignedInUser>, form: SearchForm) -> Result<SearchPage, UiError> {
        let search = params::search(&self.db, &self.postcodes, viewer, &form).await?;
        let results = search.run(self.search.as_ref()).await.map_err(AppError::internal)?;
        Ok(directory::search_page(&form, search, results))
    }

    async fn nearest_district(&self, latitude: f64, longitude: f64) -> Result<String, UiError> {
        Ok(self.postcodes.nearest(&self.db, latitude, longitude).await?)
    }

    async fn listing_details(&self, public_id: &str) -> Result<ListingDetails, UiError> {
        Ok(directory::listing_details(&self.db, public_id, self.now()).await?)
    }

    async fn provider_details(&self, public_id: &str) -> Result<ProviderDetails, UiError> {
        Ok(directory::provider_details(&self.db, public_id).await?)
    }

    async fn all_lots(&self) -> Result<Vec<LotSummary>, UiError> {
        Ok(lots::all_lots(&self.db).await?)
    }

    async fn lot_table(&self, lot_id: i64) -> Result<LotTable, UiError> {
        Ok(lots::lot_table(&self.db, lot_id).await?)
    }

    async fn lot_admin(&self, user: &SignedInUser, lot_id: i64) -> Result<LotAdmin, UiError> {
        Ok(lot_management::lot_admin(&self.db, user, lot_id).await?)
    }

    async fn change_lot(&self, user: &SignedInUser, lot_id: i64, change: LotChange) -> Result<(), UiError> {
        Ok(lot_management::change_lot(&self.db, user, lot_id, &change, self.now()).await?)
    }

    async fn dashboard(&self, user: &SignedInUser) -> Result<Dashboard, UiError> {
        Ok(dashboards::dashboard(&self.db, user, self.now()).await?)
    }

    async fn quote_booking(&self, user: &SignedInUser, person: Option<i64>, listing: &str, answers: &BookingAnswers) -> Result<BookingQuote, UiError> {
        let asked = bookings::Asked { viewer: user, person_id: person, listing_public_id: listing, answers, now: self.now() };
        let quote = bookings::quote(&self.db, &asked).await?;
        if quote.to_pay_by_card_pence > 0 && self.cards.is_none() {
            let message = format!(
                "Your account has {}, and this needs {}: card payments are not available just now, so it cannot be paid for here",
                format_pence(quote.available_pence),
                format_pence(quote.four_weeks_pence)
            );
            return Err(UiError::Invalid(vec![FieldError::new("", message)]));
        }
        Ok(quote)
    }

    async fn book(&self, user: &SignedInUser, request: &BookingRequest) -> Result<String, UiError> {
        Ok(bookings::book(&self.db, user, request, self.now()).await?)
    }

    async fn booking(&self, user: &SignedInUser, reference: &str) -> Result<BookingView, UiError> {
        let view = bookings::booking_view(&self.db, user, reference, self.now()).await?;
        // Seen now: the messages on the page no longer count as unread.
        booking_messages::mark_read(&self.db, user, reference, self.now()).await?;
        Ok(view)
    }

    async fn send_booking_message(&self, user: &SignedInUser, reference: &str, body: &str) -> Result<(), UiError> {
        Ok(booking_messages::send(&self.db, user, reference, body, self.now()).await?)
    }

    async fn cancel_booking(&self, user: &SignedInUser, reference: &str) -> Result<(), UiError> {
        Ok(booking_changes::cancel_by_person(&self.db, user, reference, self.now()).await?)
    }

    async fn provider_bookings(&self, user: &SignedInUser) -> Result<ProviderBookings, UiError> {
        Ok(bookings::provider_bookings(&self.db, user, self.now()).await?)
    }

    async fn act_on_booking(&self, user: &SignedInUser, reference: &str, action: &BookingAction) -> Result<(), UiError> {
        Ok(booking_changes::act(&self.db, user, reference, action, self.now()).await?)
    }

    async fn answer_visit(&self, user: &SignedInUser, visit_id: i64, answer: &str, what_was_wrong: &str) -> Result<(), UiError> {
        let verdict = visit_confirmation::Verdict::from_form(answer, what_was_wrong)?;
        Ok(visit_confirmation::answer(&self.db, user, visit_id, verdict, self.now()).await?)
    }

    async fn visit_to_confirm(&self, token: &str) -> Result<VisitToConfirm, UiError> {
        Ok(visit_confirmation::to_confirm(&self.db, token, self.now()).await?)
    }

    async fn answer_visit_by_link(&self, token: &str, answer: &str, what_was_wrong: &str) -> Result<(), UiError> {
        let verdict = visit_confirmation::Verdict::from_form(answer, what_was_wrong)?;
        Ok(visit_confirmation::answer_by_link(&self.db, token, verdict, self.now()).await?)
    }

    async fn visit_queries(&self, user: &SignedInUser) -> Result<Vec<VisitQuery>, UiError> {
        Ok(visit_confirmation::for_council(&self.db, user).await?)
    }

    async fn decide_visit_query(&self, user: &SignedInUser, visit_id: i64, minutes: &str, reason: &str) -> Result<(), UiError> {
        Ok(visit_confirmation::council_decide(&self.db, user, visit_id, minutes, reason, self.now()).await?)
    }

    async fn raise_concern(&self, request: &RequestInfo, form: &ConcernForm) -> Result<String, UiError> {
        Ok(concerns::raise(&self.db, request.viewer.user.as_ref(), form, self.now()).await?)
    }

    async fn concern(&self, user: &SignedInUser, reference: &str) -> Result<ConcernView, UiError> {
        Ok(concerns::view(&self.db, user, reference).await?)
    }

    async fn concern_queue(&self, user: &SignedInUser) -> Result<Vec<ConcernLine>, UiError> {
        Ok(concerns::queue(&self.db, user, self.now()).await?)
    }

    async fn handle_concern(&self, user: &SignedInUser, reference: &str, action: &str, text: &str, outcome: &str) -> Result<(), UiError> {
        let handling = match action {
            "acknowledge" => concerns::Handling::Acknowledge,
            "note" => concerns::Handling::Note(text.to_string()),
            "close" => concerns::Handling::Close { outcome: outcome.to_string(), text: text.to_string() },
            _ => return Err(UiError::NotFound),
        };
        Ok(concerns::handle(&self.db, user, reference, handling, self.now()).await?)
    }

    async fn write_review(&self, user: &SignedInUser, reference: &str, stars: &str, body: &str) -> Result<(), UiError> {
        Ok(reviews::write(&self.db, user, reference, stars, body, self.now()).await?)
    }

    async fn provider_reviews(&self, user: &SignedInUser) -> Result<Vec<ManagedReview>, UiError> {
        Ok(reviews::for_provider_staff(&self.db, user).await?)
    }

    async fn reply_to_review(&self, user: &SignedInUser, review_id: i64, reply: &str) -> Result<(), UiError> {
        Ok(reviews::reply(&self.db, user, review_id, reply, self.now()).await?)
    }

    async fn council_reviews(&self, user: &SignedInUser) -> Result<Vec<ManagedReview>, UiError> {
        Ok(reviews::for_council(&self.db, user).await?)
    }

    async fn hide_review(&self, user: &SignedInUser, review_id: i64, reason: &str) -> Result<(), UiError> {
        Ok(reviews::hide(&self.db, user, review_id, reason, self.now()).await?)
    }

    async fn payments(&self, user: &SignedInUser) -> Result<PaymentsAdmin, UiError> {
        Ok(payment_runs::admin(&self.db, user).await?)
    }

    async fn recoveries(&self, user: &SignedInUser, budget: Option<i64>) -> Result<RecoveriesAdmin, UiError> {
        Ok(recoveries::page(&self.db, user, budget, self.now()).await?)
    }

    async fn recovery(&self, user: &SignedInUser, reference: &str) -> Result<RecoveryLine, UiError> {
        Ok(recoveries::one(&self.db, user, reference, self.now()).await?)
    }

    async fn propose_recovery(&self, user: &SignedInUser, form: &RecoveryForm) -> Result<String, UiError> {
        Ok(recoveries::propose(&self.db, user, form, self.now()).await?)
    }

    async fn reply_to_recovery(&self, user: &SignedInUser, reference: &str, text: &str) -> Result<(), UiError> {
        Ok(recoveries::reply(&self.db, user, reference, text, self.now()).await?)
    }

    async fn decide_recovery(&self, user: &SignedInUser, reference: &str, confirm: bool) -> Result<(), UiError> {
        recoveries::decide(&self.db, user, reference, confirm, self.now()).await?;
        Ok(())
    }

    async fn audits(&self, user: &SignedInUser) -> Result<AuditsAdmin, UiError> {
        Ok(audits::page(&self.db, user, self.now()).await?)
    }

    async fn audit_sample(&self, user: &SignedInUser, reference: &str) -> Result<AuditSampleView, UiError> {
        Ok(audits::sample(&self.db, user, reference, self.now()).await?)
    }

    async fn audit_case(&self, user: &SignedInUser, reference: &str) -> Result<AuditCaseView, UiError> {
        Ok(audits::case(&self.db, user, reference, self.now()).await?)
    }

    async fn draw_audit_sample(&self, user: &SignedInUser, form: &AuditSampleForm) -> Result<String, UiError> {
        Ok(audits::draw(&self.db, user, form, self.now()).await?)
    }

    async fn redraw_audit_sample(&self, user: &SignedInUser, reference: &str, form: &AuditSampleForm) -> Result<String, UiError> {
        Ok(audits::redraw(&self.db, user, reference, form, self.now()).await?)
    }

    async fn ask_audit_question(&self, user: &SignedInUser, reference: &str, form: &AuditQuestionForm) -> Result<(), UiError> {
        Ok(audits::ask(&self.db, user, reference, form, self.now()).await?)
    }

    async fn answer_audit_question(&self, user: &SignedInUser, reference: &str, answer: &str) -> Result<(), UiError> {
        Ok(audits::answer(&self.db, user, reference, answer, self.now()).await?)
    }

    async fn decide_audit_case(&self, user: &SignedInUser, reference: &str, outcome: &str, note: &str) -> Result<(), UiError> {
        Ok(audits::decide(&self.db, user, reference, outcome, note, self.now()).await?)
    }

    async fn finance(&self, user: &SignedInUser) -> Result<FinanceSettings, UiError> {
        Ok(finance::settings(&self.db, user).await?)
    }

    async fn set_finance_codes(&self, user: &SignedInUser, codes: &FinanceCodesForm) -> Result<(), UiError> {
        Ok(finance::set_codes(&self.db, user, codes, self.now()).await?)
    }

    async fn set_supplier_number(&self, user: &SignedInUser, provider: &str, number: &str) -> Result<(), UiError> {
        Ok(finance::set_supplier_number(&self.db, user, provider, number, self.now()).await?)
    }

    async fn ratings(&self, user: &SignedInUser) -> Result<RatingsPage, UiError> {
        Ok(regulator_ratings::page(&self.db, user).await?)
    }

    async fn import_ratings(&self, user: &SignedInUser, csv: &str) -> Result<(usize, usize, usize), UiError> {
        let imported = regulator_ratings::import(&self.db, user, csv, self.now()).await?;
        Ok((imported.changed, imported.unchanged, imported.elsewhere))
    }

    async fn call_monitoring(&self, user: &SignedInUser, shown: Option<i64>) -> Result<CallMonitoringUploads, UiError> {
        Ok(call_monitoring::page(&self.db, user, shown).await?)
    }

    async fn import_call_monitoring(&self, user: &SignedInUser, provider: Option<&str>, csv: &str) -> Result<i64, UiError> {
        Ok(call_monitoring::import(&self.db, user, provider, csv, self.now()).await?)
    }

    async fn provider_payments(&self, user: &SignedInUser) -> Result<ProviderPayments, UiError> {
        Ok(crate::domain::provider_payments::page(&self.db, user).await?)
    }

    async fn run_payments(&self, user: &SignedInUser) -> Result<String, UiError> {
        Ok(payment_runs::run(&self.db, user, self.now()).await?)
    }

    async fn budgets_admin(&self, user: &SignedInUser, filter: &BudgetsFilter) -> Result<BudgetsAdmin, UiError> {
        Ok(budget_admin::overview(&self.db, user, filter, self.now()).await?)
    }

    async fn open_budget(&self, user: &SignedInUser, form: &NewBudgetForm) -> Result<String, UiError> {
        Ok(budget_admin::open_budget(&self.db, user, form, self.now()).await?)
    }

    async fn move_fund(&self, user: &SignedInUser, budget_id: i64, provider: &str) -> Result<(), UiError> {
        Ok(budget_admin::move_fund(&self.db, user, budget_id, provider, self.now()).await?)
    }

    async fn set_shortest_visit(&self, user: &SignedInUser, budget_id: i64, minutes: &str) -> Result<(), UiError> {
        Ok(budget_admin::set_shortest_visit(&self.db, user, budget_id, minutes, self.now()).await?)
    }

    async fn set_budget_end_date(&self, user: &SignedInUser, budget_id: i64, ends_on: &str) -> Result<(), UiError> {
        Ok(crate::domain::budget_endings::set_end_date(&self.db, user, budget_id, ends_on, self.now()).await?)
    }

    async fn close_budget(&self, user: &SignedInUser, budget_id: i64, reason: &str) -> Result<i64, UiError> {
        Ok(crate::domain::budget_endings::close(&self.db, user, budget_id, reason, self.now()).await?.returned_pence)
    }

    async fn set_risk_thresholds(&self, user: &SignedInUser, form: &RiskThresholdsForm) -> Result<(), UiError> {
        Ok(crate::domain::risk_flags::set_thresholds(&self.db, user, form, self.now()).await?)
    }

    async fn set_up_account(&self, request: &RequestInfo, form: SetUpForm) -> Result<StartedSession, UiError> {
        let now = Utc::now();
        let account = budget_admin::set_up_account(&self.db, &self.passwords, &form, &request.client_key, now).await?;
        let session = auth::start_session(&self.db, &account, request.session_token.as_deref(), self.config.session_hours, now).await?;
        self.started(session)
    }

    async fn forgot_password(&self, request: &RequestInfo, email: &str) -> Result<(), UiError> {
        Ok(accounts::forgot_password(&self.db, email, &request.client_key, Utc::now()).await?)
    }

    async fn open_account(&self, request: &RequestInfo, token: &str, password: &str) -> Result<StartedSession, UiError> {
        let now = Utc::now();
        let account = accounts::open_account(&self.db, &self.passwords, token, password, &request.client_key, now).await?;
        let session = auth::start_session(&self.db, &account, request.session_token.as_deref(), self.config.session_hours, now).await?;
        self.started(session)
    }

    async fn mail_choices(&self, user: &SignedInUser) -> Result<MailChoices, UiError> {
        Ok(crate::domain::mail::choices(&self.db, user).await?)
    }

    async fn choose_mail(&self, user: &SignedInUser, chosen: &std::collections::BTreeMap<String, String>) -> Result<(), UiError> {
        Ok(crate::domain::mail::choose(&self.db, user, chosen, self.now()).await?)
    }

    async fn helpers(&self, user: &SignedInUser) -> Result<HelpersPage, UiError> {
        Ok(delegations::helpers(&self.db, user, self.now()).await?)
    }

    async fn add_helper(&self, user: &SignedInUser, form: &HelperForm) -> Result<(), UiError> {
        Ok(delegations::grant(&self.db, user, form, self.now()).await?)
    }

    async fn withdraw_helper_request(&self, user: &SignedInUser, request_id: i64) -> Result<(), UiError> {
        Ok(delegations::withdraw(&self.db, user, request_id, self.now()).await?)
    }

    async fn answer_help_request(&self, user: &SignedInUser, request_id: i64, answer: HelpAnswer) -> Result<(), UiError> {
        Ok(delegations::answer(&self.db, user, request_id, answer, self.now()).await?)
    }

    async fn let_help(&self, user: &SignedInUser, request_id: i64, yes: bool) -> Result<(), UiError> {
        Ok(delegations::let_help(&self.db, user, request_id, yes, self.now()).await?)
    }

    async fn help_invitation(&self, token: &str) -> Result<HelpInvitation, UiError> {
        Ok(delegations::invitation(&self.db, token, self.now()).await?)
    }

    async fn join_to_help(&self, request: &RequestInfo, token: &str, your_name: &str, password: &str) -> Result<StartedSession, UiError> {
        let now = self.now();
        let helper = delegations::join_to_help(&self.db, &self.passwords, token, your_name, password, &request.client_key, now).await?;
        let session = auth::start_session(&self.db, &helper, request.session_token.as_deref(), self.config.session_hours, Utc::now()).await?;
        self.started(session)
    }

    async fn open_helper_account(&self, user: &SignedInUser, form: &NewHelperForm) -> Result<String, UiError> {
        Ok(budget_admin::open_helper_account(&self.db, user, form, self.now()).await?)
    }

    async fn remove_helper(&self, user: &SignedInUser, delegation_id: i64) -> Result<(), UiError> {
        Ok(delegations::revoke(&self.db, user, delegation_id, self.now()).await?)
    }

    async fn act_for(&self, user: &SignedInUser, person: Option<i64>) -> Result<Vec<String>, UiError> {
        let acting = match person {
            Some(person) => Some(delegations::acting_for(&self.db, user, person, self.now()).await?.ok_or(UiError::Forbidden)?.user_id),
            None => None,
        };
        Ok(vec![cookies::acting_for(acting, self.config.secure_cookies)])
    }

    async fn budget_statement(&self, user: &SignedInUser, budget_id: Option<i64>, person: Option<i64>) -> Result<BudgetStatement, UiError> {
        let mut statement = budgets::statement(&self.db, user, budget_id, person, self.now()).await?;
        statement.pay_by_card &= self.cards.is_some();
        Ok(statement)
    }

    async fn monthly_statement(&self, user: &SignedInUser, budget_id: Option<i64>, person: Option<i64>, month: &str) -> Result<MonthlyStatement, UiError> {
        Ok(crate::domain::monthly_statements::one(&self.db, user, budget_id, person, month, self.now()).await?)
    }

    async fn card_payments(&self, user: &SignedInUser, person: Option<i64>) -> Result<CardPaymentsPage, UiError> {
        self.cards()?;
        Ok(card_payments::page(&self.db, user, person, self.now()).await?)
    }

    async fn start_card_payment(&self, user: &SignedInUser, person: Option<i64>, form: &CardPaymentForm, request_key: &str) -> Result<i64, UiError> {
        Ok(card_payments::start(&self.db, self.cards()?, user, person, form, request_key, self.now()).await?)
    }

    async fn card_payment(&self, user: &SignedInUser, id: i64) -> Result<CardPaymentView, UiError> {
        Ok(card_payments::payment(&self.db, self.cards()?, user, id, self.now()).await?)
    }

    async fn refund_card_payment(&self, user: &SignedInUser, id: i64) -> Result<bool, UiError> {
        Ok(card_payments::refund(&self.db, self.cards()?, user, id, self.now()).await? == card_payments::Refund::Done)
    }

    async fn own_listings(&self, user: &SignedInUser) -> Result<Vec<OwnListing>, UiError> {
        Ok(provider_listings::own_listings(&self.db, user, self.now()).await?)
    }

    async fn listing_form(&self, user: &SignedInUser, public_id: &str) -> Result<ListingForm, UiError> {
        Ok(provider_listings::listing_form(&self.db, user, public_id).await?)
    }

    async fn save_listing(&self, user: &SignedInUser, public_id: Option<&str>, form: &ListingForm) -> Result<String, UiError> {
        Ok(provider_listings::save_listing(&self.db, user, public_id, form, self.now()).await?)
    }

    async fn framework_admin(&self, user: &SignedInUser) -> Result<FrameworkAdmin, UiError> {
        Ok(frameworks::framework_admin(&self.db, user).await?)
    }

    async fn create_framework(&self, user: &SignedInUser, form: &FrameworkForm) -> Result<i64, UiError> {
        Ok(frameworks::create_framework(&self.db, user, form, self.now()).await?)
    }

    async fn create_lot(&self, user: &SignedInUser, form: &LotForm) -> Result<i64, UiError> {
        Ok(frameworks::create_lot(&self.db, user, form, self.now()).await?)
    }

    async fn organisation_profile(&self, user: &SignedInUser) -> Result<OrganisationProfile, UiError> {
        Ok(provider_profile::profile(&self.db, user).await?)
    }

    async fn save_organisation_profile(&self, user: &SignedInUser, form: &ProfileForm) -> Result<(), UiError> {
        Ok(provider_profile::save_profile(&self.db, user, form, self.now()).await?)
    }

    async fn change_listing(&self, user: &SignedInUser, public_id: &str, change: ListingChange) -> Result<(), UiError> {
        Ok(provider_listings::change_listing(&self.db, user, public_id, change, self.now()).await?)
    }

    async fn report(&self, user: &SignedInUser, slug: &str, query: &ReportQuery) -> Result<Report, UiError> {
        Ok(reports::report(&self.reports_db, user, slug, query, self.now()).await?)
    }

    async fn offline_placements(&self, user: &SignedInUser) -> Result<OfflinePlacements, UiError> {
        Ok(offline_placements::page(&self.db, user).await?)
    }

    async fn record_offline_placement(&self, user: &SignedInUser, form: &OfflinePlacementForm) -> Result<(), UiError> {
        Ok(offline_placements::record(&self.db, user, form, self.now()).await?)
    }

    async fn import_offline_placements(&self, user: &SignedInUser, csv: &str) -> Result<usize, UiError> {
        Ok(offline_placements::import(&self.db, user, csv, self.now()).await?)
    }
}
