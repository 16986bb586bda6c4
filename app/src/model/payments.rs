//! Card top-ups and the council's payment runs to providers.
use serde::{Deserialize, Serialize};

/// What the council owes providers, and the payment runs so far.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PaymentsAdmin {
    /// (provider, pence owed), largest first.
    pub owed: Vec<(String, i64)>,
    pub runs: Vec<PaymentRunLine>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PaymentRunLine {
    pub reference: String,
    pub date: String,
    pub total_pence: i64,
    pub providers: i32,
}

/// What a provider is owed and has been paid, council by council (`/provider/payments`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProviderPayments {
    pub councils: Vec<CouncilPayments>,
}

/// One council's money for one provider.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CouncilPayments {
    pub council: String,
    /// Delivered visits the person has not confirmed yet (or has queried): not owed yet.
    pub awaiting_visits: u32,
    pub awaiting_pence: i64,
    /// Confirmed visits, paid in the council's next payment run.
    pub owed_pence: i64,
    /// Newest first.
    pub runs: Vec<ProviderRunLine>,
}

/// What one payment run paid this provider: the figure on its line of the council's remittance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProviderRunLine {
    pub reference: String,
    pub date: String,
    pub amount_pence: i64,
    /// The confirmed visits it paid for.
    pub visits: Vec<PaidVisit>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PaidVisit {
    pub booking: String,
    /// When the visit was, "7 December 2026".
    pub day: String,
    pub minutes: i32,
    pub amount_pence: i64,
}

/// Paying into a budget by card: what the form needs and the payments made so far.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CardPaymentsPage {
    pub holder: String,
    /// The assessed contribution for 4 weeks (0 when none is due).
    pub four_weekly_contribution_pence: i64,
    /// A self-funder's own account rather than a council budget.
    pub self_funded: bool,
    pub payments: Vec<CardPaymentView>,
    /// Sent back with the form: the same form sent twice opens one payment.
    pub request_key: String,
}

/// The "pay by card" form, as typed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CardPaymentForm {
    /// `contribution`, `top_up`, or `self_funded_booking` (a self-funder paying for a booking).
    #[serde(default)]
    pub purpose: String,
    /// Pounds and pence, as typed.
    #[serde(default)]
    pub amount: String,
}

stored_state! {
    /// Where a card payment is: the `card_payments.status` column's type.
    pub enum CardPaymentStatus {
        /// Waiting for the card to be paid (Stripe's webhook says when).
        Pending,
        Succeeded,
        /// The card was refused: it can be tried again.
        Failed,
        Refunded,
    }
}

impl CardPaymentStatus {
    /// Whether the card form is still offered: nothing has been paid yet.
    pub fn can_be_paid(self) -> bool {
        matches!(self, Self::Pending | Self::Failed)
    }
}

/// One card payment as its payer sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CardPaymentView {
    pub id: i64,
    pub holder: String,
    /// "Your contribution" or "Top-up".
    pub purpose: String,
    pub amount_pence: i64,
    pub status: CardPaymentStatus,
    /// Paid, and its refund to the card started but not yet confirmed by Stripe.
    pub refunding: bool,
    /// `YYYY-MM-DD HH:MM`, UK time.
    pub started: String,
    /// For the card form while the payment can still be made: Stripe's client secret and
    /// publishable key, and where Stripe.js is loaded from.
    pub card_form: Option<CardForm>,
}

impl CardPaymentView {
    pub fn status_in_words(&self) -> &'static str {
        match self.status {
            CardPaymentStatus::Succeeded if self.refunding => "Refund under way",
            CardPaymentStatus::Succeeded => "Paid: the money is in the budget",
            CardPaymentStatus::Failed => "Not paid: the card was refused; you can try again",
            CardPaymentStatus::Refunded => "Refunded",
            CardPaymentStatus::Pending => "Waiting for the card payment",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CardForm {
    pub client_secret: String,
    pub publishable_key: String,
    pub script_url: String,
}

/// The first line of a call-monitoring file: the columns, in order.
pub const CALL_MONITORING_HEADER: &str = "visit,checked in,checked out";

/// What a provider's call-monitoring uploads came to (`/provider/call-monitoring`): the one just
/// uploaded, when asked for, and the latest before.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CallMonitoringUploads {
    pub shown: Option<CallMonitoringResult>,
    pub latest: Vec<CallMonitoringResult>,
    /// For a commissioner: the council's providers to upload for (public id, name).
    #[serde(default)]
    pub providers: Vec<(String, String)>,
}

/// Where the call-monitoring page is: the provider's own, or the council's for its providers.
pub fn call_monitoring_path(role: super::Role) -> &'static str {
    if role == super::Role::Commissioner { "/call-monitoring" } else { "/provider/call-monitoring" }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CallMonitoringResult {
    pub id: i64,
    /// "7 December 2026, 14:05".
    pub uploaded: String,
    /// Whose visits it settled.
    #[serde(default)]
    pub provider: String,
    pub settled: i32,
    pub already_settled: i32,
    /// "Line 4: no visit of booking CM-… on 7 December 2026", one per line not matched.
    pub problems: Vec<String>,
}

/// The kinds of money movement a council's finance system is sent, with its codes for each.
pub const FINANCE_KINDS: [(&str, &str); 3] =
    [("payment", "Payments to providers"), ("allocation", "Allocations to personal budgets"), ("recovery", "Money recovered from budgets")];

/// The finance export page (`/finance`, commissioners): the council's codes, its providers'
/// supplier numbers, and the export.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FinanceSettings {
    /// (kind, cost centre, account code), in the order of `FINANCE_KINDS`.
    pub codes: Vec<(String, String, String)>,
    /// (public id, name, supplier number).
    pub providers: Vec<(String, String, String)>,
}

/// The codes form: a cost centre and account code for each kind (`payment_cost_centre`, ...).
pub type FinanceCodesForm = std::collections::BTreeMap<String, String>;
