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
