//! The UI's port to its backend. The `server` crate implements it and hands it to every
//! request through Leptos context, so server functions stay thin: read who is asking, check
//! they may, call the backend, map the result.
use crate::model::*;
use crate::report::{OfflinePlacementForm, OfflinePlacements, Report, ReportQuery};

/// What the server knows about the request that the UI needs (placed there by middleware).
#[derive(Debug, Clone)]
pub struct RequestInfo {
    pub viewer: Viewer,
    /// The raw session token from the cookie, when there is one.
    pub session_token: Option<String>,
    /// A key for the client's network address, for sign-in throttling.
    pub client_key: String,
}

/// A session just started: the cookies to set on the response.
#[derive(Debug, Clone)]
pub struct StartedSession {
    pub set_cookies: Vec<String>,
    pub user: SignedInUser,
}

#[async_trait::async_trait]
pub trait Backend: Send + Sync + 'static {
    async fn sign_in(&self, request: &RequestInfo, email: &str, password: &str) -> Result<StartedSession, UiError>;
    /// Ends the session and returns the cookies that clear it.
    async fn sign_out(&self, request: &RequestInfo) -> Result<Vec<String>, UiError>;
    /// An organisation registers, or someone paying for their own care asks for an account: the
    /// account opens from the link mailed to its address (`open_account`); the answer is the same
    /// whether or not the address is taken.
    async fn register_provider(&self, request: &RequestInfo, form: ProviderRegistration) -> Result<(), UiError>;
    async fn register_self_funder(&self, request: &RequestInfo, form: SelfFunderRegistration) -> Result<(), UiError>;
    /// Searches published services; anyone may.
    /// `viewer` is whoever is signed in (a budget holder may search within their budget).
    async fn search(&self, viewer: Option<&SignedInUser>, form: SearchForm) -> Result<SearchPage, UiError>;
    /// The postcode district a person is in, from where their browser says they are (with
    /// their permission), for "near me"; anyone may ask, and the point is not kept.
    async fn nearest_district(&self, latitude: f64, longitude: f64) -> Result<String, UiError>;
    async fn provider_details(&self, public_id: &str) -> Result<ProviderDetails, UiError>;
    /// A published service of an active provider; anything else is not found.
    async fn listing_details(&self, public_id: &str) -> Result<ListingDetails, UiError>;
    /// Framework lots and their ranked tables: public, for transparent choice.
    async fn all_lots(&self) -> Result<Vec<LotSummary>, UiError>;
    async fn lot_table(&self, lot_id: i64) -> Result<LotTable, UiError>;
    /// Commissioners of the lot's council only.
    async fn lot_admin(&self, user: &SignedInUser, lot_id: i64) -> Result<LotAdmin, UiError>;
    async fn change_lot(&self, user: &SignedInUser, lot_id: i64, change: LotChange) -> Result<(), UiError>;
    async fn dashboard(&self, user: &SignedInUser) -> Result<Dashboard, UiError>;
    /// Prices a booking for the signed-in person (or, `person`, someone who lets them book).
    async fn quote_booking(&self, user: &SignedInUser, person: Option<i64>, listing: &str, answers: &BookingAnswers) -> Result<BookingQuote, UiError>;
    /// Makes the booking; returns its reference. The same `request_key` books once.
    async fn book(&self, user: &SignedInUser, request: &BookingRequest) -> Result<String, UiError>;
    async fn booking(&self, user: &SignedInUser, reference: &str) -> Result<BookingView, UiError>;
    /// A message about a booking, to the other side (the person's or the provider's).
    async fn send_booking_message(&self, user: &SignedInUser, reference: &str, body: &str) -> Result<(), UiError>;
    /// The person (or someone they let book for them) cancels a booking.
    async fn cancel_booking(&self, user: &SignedInUser, reference: &str) -> Result<(), UiError>;
    /// A provider's staff: their requests, live bookings and visits, and acting on them.
    async fn provider_bookings(&self, user: &SignedInUser) -> Result<ProviderBookings, UiError>;
    async fn act_on_booking(&self, user: &SignedInUser, reference: &str, action: &BookingAction) -> Result<(), UiError>;
    /// The person (or someone they let book for them) confirms a delivered visit (`confirm`)
    /// or says what was wrong (`query`); after the provider's answer, a query goes to the council.
    async fn answer_visit(&self, user: &SignedInUser, visit_id: i64, answer: &str, what_was_wrong: &str) -> Result<(), UiError>;
    /// The visit an emailed link is for, and the answer sent from its page (no sign-in).
    async fn visit_to_confirm(&self, token: &str) -> Result<VisitToConfirm, UiError>;
    async fn answer_visit_by_link(&self, token: &str, answer: &str, what_was_wrong: &str) -> Result<(), UiError>;
    /// Commissioners: queries about visits their council's budgets paid for, and deciding one.
    async fn visit_queries(&self, user: &SignedInUser) -> Result<Vec<VisitQuery>, UiError>;
    async fn decide_visit_query(&self, user: &SignedInUser, visit_id: i64, minutes: &str, reason: &str) -> Result<(), UiError>;
    /// Reviews: written by the person (or a helper who may book) after a confirmed visit; the
    /// provider's staff read and reply once; commissioners read their council's and hide one.
    /// Concerns: raised by anyone signed in, or (safeguarding) anyone at all; returns the reference.
    async fn raise_concern(&self, request: &RequestInfo, form: &ConcernForm) -> Result<String, UiError>;
    /// One concern, for whoever raised it or the council handling it; the council's queue.
    async fn concern(&self, user: &SignedInUser, reference: &str) -> Result<ConcernView, UiError>;
    async fn concern_queue(&self, user: &SignedInUser) -> Result<Vec<ConcernLine>, UiError>;
    /// A commissioner acknowledges (`acknowledge`), notes (`note`) or closes (`close`) a concern.
    async fn handle_concern(&self, user: &SignedInUser, reference: &str, action: &str, text: &str, outcome: &str) -> Result<(), UiError>;
    async fn write_review(&self, user: &SignedInUser, reference: &str, stars: &str, body: &str) -> Result<(), UiError>;
    async fn provider_reviews(&self, user: &SignedInUser) -> Result<Vec<ManagedReview>, UiError>;
    async fn reply_to_review(&self, user: &SignedInUser, review_id: i64, reply: &str) -> Result<(), UiError>;
    async fn council_reviews(&self, user: &SignedInUser) -> Result<Vec<ManagedReview>, UiError>;
    async fn hide_review(&self, user: &SignedInUser, review_id: i64, reason: &str) -> Result<(), UiError>;
    /// Commissioners: what providers are owed, payment runs, and making one (returns its reference).
    async fn payments(&self, user: &SignedInUser) -> Result<PaymentsAdmin, UiError>;
    async fn run_payments(&self, user: &SignedInUser) -> Result<String, UiError>;
    /// Commissioners: proposals to recover budgets' surplus (and the form for `budget`);
    /// proposing, deciding; the holder reads and replies.
    async fn recoveries(&self, user: &SignedInUser, budget: Option<i64>) -> Result<RecoveriesAdmin, UiError>;
    async fn recovery(&self, user: &SignedInUser, reference: &str) -> Result<RecoveryLine, UiError>;
    async fn propose_recovery(&self, user: &SignedInUser, form: &RecoveryForm) -> Result<String, UiError>;
    async fn reply_to_recovery(&self, user: &SignedInUser, reference: &str, text: &str) -> Result<(), UiError>;
    async fn decide_recovery(&self, user: &SignedInUser, reference: &str, confirm: bool) -> Result<(), UiError>;
    /// The light-touch audit: commissioners draw (and redraw) a month's sample, ask, record
    /// outcomes; the holder asked reads the case and answers.
    async fn audits(&self, user: &SignedInUser) -> Result<AuditsAdmin, UiError>;
    async fn audit_sample(&self, user: &SignedInUser, reference: &str) -> Result<AuditSampleView, UiError>;
    async fn audit_case(&self, user: &SignedInUser, reference: &str) -> Result<AuditCaseView, UiError>;
    async fn draw_audit_sample(&self, user: &SignedInUser, form: &AuditSampleForm) -> Result<String, UiError>;
    async fn redraw_audit_sample(&self, user: &SignedInUser, reference: &str, form: &AuditSampleForm) -> Result<String, UiError>;
    async fn ask_audit_question(&self, user: &SignedInUser, reference: &str, form: &AuditQuestionForm) -> Result<(), UiError>;
    async fn answer_audit_question(&self, user: &SignedInUser, reference: &str, answer: &str) -> Result<(), UiError>;
    async fn decide_audit_case(&self, user: &SignedInUser, reference: &str, outcome: &str, note: &str) -> Result<(), UiError>;
    /// Commissioners: the finance system's codes and supplier numbers, and setting them.
    async fn finance(&self, user: &SignedInUser) -> Result<FinanceSettings, UiError>;
    async fn set_finance_codes(&self, user: &SignedInUser, codes: &FinanceCodesForm) -> Result<(), UiError>;
    async fn set_supplier_number(&self, user: &SignedInUser, provider: &str, number: &str) -> Result<(), UiError>;
    /// Commissioners: the latest CQC rating changes of the council's providers, and importing
    /// the CQC's directory (returns what changed, what did not, and locations not ours).
    async fn ratings(&self, user: &SignedInUser) -> Result<RatingsPage, UiError>;
    async fn import_ratings(&self, user: &SignedInUser, csv: &str) -> Result<(usize, usize, usize), UiError>;
    /// Provider staff: their call-monitoring uploads (`shown` the one just made), and making one
    /// (returns its id).
    async fn call_monitoring(&self, user: &SignedInUser, shown: Option<i64>) -> Result<CallMonitoringUploads, UiError>;
    async fn import_call_monitoring(&self, user: &SignedInUser, provider: Option<&str>, csv: &str) -> Result<i64, UiError>;
    /// Provider staff: what their organisation is owed and has been paid, by council.
    async fn provider_payments(&self, user: &SignedInUser) -> Result<ProviderPayments, UiError>;
    /// Commissioners: the council's budgets, opening one (returns the person's set-up code),
    /// and moving an individual service fund to another provider.
    async fn budgets_admin(&self, user: &SignedInUser, filter: &BudgetsFilter) -> Result<BudgetsAdmin, UiError>;
    async fn open_budget(&self, user: &SignedInUser, form: &NewBudgetForm) -> Result<String, UiError>;
    async fn move_fund(&self, user: &SignedInUser, budget_id: i64, provider: &str) -> Result<(), UiError>;
    async fn set_shortest_visit(&self, user: &SignedInUser, budget_id: i64, minutes: &str) -> Result<(), UiError>;
    /// Commissioners set (or clear) a budget's end date, and close a budget (returns the pence
    /// that went back to the council).
    async fn set_budget_end_date(&self, user: &SignedInUser, budget_id: i64, ends_on: &str) -> Result<(), UiError>;
    async fn close_budget(&self, user: &SignedInUser, budget_id: i64, reason: &str) -> Result<i64, UiError>;
    /// Commissioners set their council's thresholds for budgets' risk flags.
    async fn set_risk_thresholds(&self, user: &SignedInUser, form: &RiskThresholdsForm) -> Result<(), UiError>;
    /// A person sets their password with the council's code (or one mailed to them when they
    /// forgot it), and is signed in.
    async fn set_up_account(&self, request: &RequestInfo, form: SetUpForm) -> Result<StartedSession, UiError>;
    /// Mails a link to choose a new password, if the address has an account (the same answer
    /// either way).
    async fn forgot_password(&self, request: &RequestInfo, email: &str) -> Result<(), UiError>;
    /// Opens a registered account from the link mailed to its address and the password chosen
    /// when registering, and signs its owner in.
    async fn open_account(&self, request: &RequestInfo, token: &str, password: &str) -> Result<StartedSession, UiError>;
    /// Which kinds of message are emailed to this person, and changing them (`email` or
    /// `dashboard` by kind code).
    async fn mail_choices(&self, user: &SignedInUser) -> Result<MailChoices, UiError>;
    async fn choose_mail(&self, user: &SignedInUser, chosen: &std::collections::BTreeMap<String, String>) -> Result<(), UiError>;
    /// A budget holder's helpers: who may act for them, giving and taking back permission.
    async fn helpers(&self, user: &SignedInUser) -> Result<HelpersPage, UiError>;
    /// Asks someone by email to help; it works once they accept.
    async fn add_helper(&self, user: &SignedInUser, form: &HelperForm) -> Result<(), UiError>;
    async fn withdraw_helper_request(&self, user: &SignedInUser, request_id: i64) -> Result<(), UiError>;
    async fn remove_helper(&self, user: &SignedInUser, delegation_id: i64) -> Result<(), UiError>;
    /// A helper accepts (some of) or declines a request to help someone.
    async fn answer_help_request(&self, user: &SignedInUser, request_id: i64, answer: HelpAnswer) -> Result<(), UiError>;
    /// The person lets the helper who accepted their request help them, or not.
    async fn let_help(&self, user: &SignedInUser, request_id: i64, yes: bool) -> Result<(), UiError>;
    /// What the link mailed with a request to help shows; anyone with the link may see it.
    async fn help_invitation(&self, token: &str) -> Result<HelpInvitation, UiError>;
    /// Someone asked to help opens a helper's account with the mailed link, and is signed in.
    async fn join_to_help(&self, request: &RequestInfo, token: &str, your_name: &str, password: &str) -> Result<StartedSession, UiError>;
    /// Commissioners open a helper's account; returns its set-up code.
    async fn open_helper_account(&self, user: &SignedInUser, form: &NewHelperForm) -> Result<String, UiError>;
    /// A planner starts (`Some`) or stops acting for someone; returns the cookie to set.
    async fn act_for(&self, user: &SignedInUser, person: Option<i64>) -> Result<Vec<String>, UiError>;
    /// The holder's own budget (or, for a planner, that of `person` they act for), or the
    /// budget `budget_id` if the user may see it; anyone else is refused.
    async fn budget_statement(&self, user: &SignedInUser, budget_id: Option<i64>, person: Option<i64>) -> Result<BudgetStatement, UiError>;
    /// One month's statement of a budget (`month` like "2026-11"), for whoever may see the budget.
    async fn monthly_statement(&self, user: &SignedInUser, budget_id: Option<i64>, person: Option<i64>, month: &str) -> Result<MonthlyStatement, UiError>;
    /// Paying into a budget by card (the holder, or someone they let pay); "not found" when
    /// card payments are switched off. Starting returns the card payment's id.
    async fn card_payments(&self, user: &SignedInUser, person: Option<i64>) -> Result<CardPaymentsPage, UiError>;
    async fn start_card_payment(&self, user: &SignedInUser, person: Option<i64>, form: &CardPaymentForm, request_key: &str) -> Result<i64, UiError>;
    async fn card_payment(&self, user: &SignedInUser, id: i64) -> Result<CardPaymentView, UiError>;
    /// A self-funder takes an unspent card payment back to their card: true once the card
    /// processor has done it, false while it is under way.
    async fn refund_card_payment(&self, user: &SignedInUser, id: i64) -> Result<bool, UiError>;
    /// A provider's own listings; these four refuse anyone but that provider's staff.
    async fn own_listings(&self, user: &SignedInUser) -> Result<Vec<OwnListing>, UiError>;
    async fn listing_form(&self, user: &SignedInUser, public_id: &str) -> Result<ListingForm, UiError>;
    /// Creates (no id) or updates a listing; returns its public id.
    async fn save_listing(&self, user: &SignedInUser, public_id: Option<&str>, form: &ListingForm) -> Result<String, UiError>;
    async fn framework_admin(&self, user: &SignedInUser) -> Result<FrameworkAdmin, UiError>;
    async fn create_framework(&self, user: &SignedInUser, form: &FrameworkForm) -> Result<i64, UiError>;
    async fn create_lot(&self, user: &SignedInUser, form: &LotForm) -> Result<i64, UiError>;
    async fn organisation_profile(&self, user: &SignedInUser) -> Result<OrganisationProfile, UiError>;
    async fn save_organisation_profile(&self, user: &SignedInUser, form: &ProfileForm) -> Result<(), UiError>;
    async fn change_listing(&self, user: &SignedInUser, public_id: &str, change: ListingChange) -> Result<(), UiError>;
    /// Commissioners: a report on their council, and the placements made outside CareMarket.
    async fn report(&self, user: &SignedInUser, slug: &str, query: &ReportQuery) -> Result<Report, UiError>;
    async fn offline_placements(&self, user: &SignedInUser) -> Result<OfflinePlacements, UiError>;
    async fn record_offline_placement(&self, user: &SignedInUser, form: &OfflinePlacementForm) -> Result<(), UiError>;
    /// Returns the number of placements imported.
    async fn import_offline_placements(&self, user: &SignedInUser, csv: &str) -> Result<usize, UiError>;
}

pub type SharedBackend = std::sync::Arc<dyn Backend>;
