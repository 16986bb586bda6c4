//! Bookings: the answers a booking is made from, its quote, and how people see it.
use serde::{Deserialize, Serialize};

/// The booking questions as typed: every field is text, checked on the server.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct BookingAnswers {
    /// `once` or `weekly`.
    pub how_often: String,
    /// The day (of the first visit, for a weekly pattern), `YYYY-MM-DD`.
    pub date: String,
    /// The start time, `HH:MM` (UK time).
    pub time: String,
    /// How long each visit lasts, in minutes.
    pub minutes: String,
    /// For a weekly pattern, the days as digits, Monday = 1 ("135" = Mon, Wed, Fri).
    pub weekdays: String,
    /// Asked for as "best value on the framework": if this provider cannot take it, it is
    /// offered to the next-ranked provider on the lot.
    #[serde(default)]
    pub best_value: bool,
}

/// A request to book, as the confirm form sends it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct BookingRequest {
    /// Whom it is for, when not the person booking (someone who lets them book).
    pub person: Option<i64>,
    /// The service's public id.
    pub listing: String,
    pub answers: BookingAnswers,
    /// One per "check your answers" page: the same form sent twice books once.
    pub request_key: String,
    /// The cost of the first 4 weeks the person was shown, in pence: the booking is refused
    /// if it no longer costs that.
    pub quoted_total: String,
}

/// What a booking will cost and what it leaves: the "check your answers" page.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BookingQuote {
    pub listing_public_id: String,
    pub listing_title: String,
    pub provider: String,
    /// Who the care is for.
    pub person: String,
    /// The answers in words: "Every Monday and Thursday, 09:00 to 10:00, from Tuesday 1 December 2026".
    pub when: String,
    pub duration: String,
    pub per_visit_pence: i64,
    pub visits_in_four_weeks: u32,
    pub four_weeks_pence: i64,
    pub available_pence: i64,
    pub left_after_pence: i64,
    /// A fresh key for the confirm form: sending it twice books once.
    pub request_key: String,
    /// A self-funder's own account (paid into by card) rather than a council budget.
    #[serde(default)]
    pub self_funded: bool,
    /// What a self-funder must pay by card before this can be booked (0 when the account
    /// already holds it).
    #[serde(default)]
    pub to_pay_by_card_pence: i64,
}

/// A booking as the person, their planner, the provider or the council sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BookingView {
    pub reference: String,
    pub status: BookingStatus,
    pub listing_public_id: String,
    pub listing_title: String,
    pub provider: String,
    pub person: String,
    pub when: String,
    pub duration: String,
    pub per_visit_pence: i64,
    pub committed_pence: i64,
    /// When the provider must answer by, in words (requests only).
    pub respond_by: Option<String>,
    /// Whether this viewer may cancel it now, and the service's policy in words.
    pub can_cancel: bool,
    pub cancellation_policy: String,
    /// Visits delivered so far, newest first, and where each is in being confirmed.
    #[serde(default)]
    pub delivered: Vec<DeliveredVisit>,
    /// This booking's review, once written, and whether this viewer may write it now.
    #[serde(default)]
    pub review: Option<super::PublicReview>,
    #[serde(default)]
    pub can_review: bool,
    /// The conversation with the provider, oldest first, when this viewer takes part in it
    /// (the person, helpers who may see their care, the provider's staff; never the council).
    #[serde(default)]
    pub messages: Option<Vec<BookingMessage>>,
}

/// "2 unread messages", or nothing when all are read.
pub fn unread_words(unread: u32) -> Option<String> {
    match unread {
        0 => None,
        1 => Some("1 unread message".into()),
        n => Some(format!("{n} unread messages")),
    }
}

/// The most characters one message about a booking may have.
pub const MESSAGE_CHARACTERS: usize = 2000;

/// One message about a booking.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BookingMessage {
    /// "You", the provider's name, or the person's (or their helper's) name.
    pub from: String,
    /// "Monday 14 December 2026, 09:30".
    pub at: String,
    pub body: String,
    pub mine: bool,
}

/// A provider's bookings: requests to answer, care under way, and visits coming up.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ProviderBookings {
    pub requests: Vec<BookingLine>,
    pub confirmed: Vec<BookingLine>,
    pub visits: Vec<VisitLine>,
    /// Visits people have queried, waiting for an answer.
    #[serde(default)]
    pub queries: Vec<VisitQuery>,
}

/// One booking in a list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BookingLine {
    pub reference: String,
    pub service: String,
    /// Who the care is for (for the provider's list) or who provides it (for the person's).
    pub with: String,
    pub when: String,
    pub status: BookingStatus,
    /// When a request must be answered by, in words.
    pub respond_by: Option<String>,
    /// Messages from the other side not yet read by this side.
    #[serde(default)]
    pub unread_messages: u32,
    /// Delivered visits waiting for the person's answer (the person's side only).
    #[serde(default)]
    pub visits_to_confirm: u32,
}

/// One visit in a provider's list, with what staff can do next.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VisitLine {
    pub id: i64,
    pub reference: String,
    pub person: String,
    /// "Monday 1 December 2026, 09:00 (60 minutes)".
    pub when: String,
    pub status: VisitStatus,
    pub can_check_in: bool,
    pub can_check_out: bool,
    pub can_mark_missed: bool,
}

/// What provider staff do to a booking or one of its visits.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum BookingAction {
    Accept,
    Decline {
        reason: String,
    },
    HandBack {
        reason: String,
    },
    CheckIn {
        visit_id: i64,
    },
    /// With what was done, in the care worker's words (optional).
    CheckOut {
        visit_id: i64,
        note: String,
    },
    /// An answer to the person's query: the minutes corrected (fewer), or an explanation.
    AnswerQuery {
        visit_id: i64,
        minutes: Option<String>,
        explanation: String,
    },
    Missed {
        visit_id: i64,
    },
}

stored_state! {
    /// Where a booking is in its life. On the server it is also the `bookings.status` column's
    /// type, stored as its snake_case code.
    pub enum BookingStatus {
        Requested,
        Confirmed,
        InProgress,
        Completed,
        Declined,
        Lapsed,
        Cancelled,
    }
}

impl BookingStatus {
    /// Bookings in these still have care to come.
    pub const LIVE: [Self; 3] = [Self::Requested, Self::Confirmed, Self::InProgress];

    pub fn is_live(self) -> bool {
        Self::LIVE.contains(&self)
    }

    /// Accepted by the provider and not yet over: visits can happen.
    pub fn is_under_way(self) -> bool {
        matches!(self, Self::Confirmed | Self::InProgress)
    }

    /// The status in words.
    pub fn label(self) -> &'static str {
        match self {
            Self::Requested => "Waiting for the provider",
            Self::Confirmed => "Confirmed",
            Self::InProgress => "Care under way",
            Self::Completed => "Completed",
            Self::Declined => "Declined by the provider",
            Self::Lapsed => "Not answered in time",
            Self::Cancelled => "Cancelled",
        }
    }
}

stored_state! {
    /// Why a booking ended before its care was done. On the server it is also the
    /// `bookings.close_code` column's type.
    pub enum CloseReason {
        Declined,
        NotAnswered,
        CancelledByPerson,
        HandedBack,
        /// The council closed the budget paying for it.
        BudgetClosed,
    }
}

impl CloseReason {
    /// The status a booking closed for this reason is left in.
    pub fn status(self) -> BookingStatus {
        match self {
            Self::Declined => BookingStatus::Declined,
            Self::NotAnswered => BookingStatus::Lapsed,
            Self::CancelledByPerson | Self::HandedBack | Self::BudgetClosed => BookingStatus::Cancelled,
        }
    }

    /// The reason in words.
    pub fn label(self) -> &'static str {
        match self {
            Self::Declined => "Declined by the provider",
            Self::NotAnswered => "Not answered in time",
            Self::CancelledByPerson => "Cancelled by the person",
            Self::HandedBack => "Handed back by the provider",
            Self::BudgetClosed => "The council closed the budget",
        }
    }
}

stored_state! {
    /// Where a delivered visit is in being confirmed by the person who received it. Its cost
    /// stays set aside from their budget, not yet owed to the provider, until it is confirmed.
    pub enum VisitConfirmation {
        /// Waiting for the person (48 hours, then confirmed automatically).
        Awaiting,
        /// The person said something was wrong: the provider answers.
        Queried,
        /// The provider answered: the person accepts the answer or takes it to the council.
        Answered,
        /// With the council whose budget paid, which decides.
        WithCouncil,
        /// Owed to the provider.
        Confirmed,
    }
}

impl VisitConfirmation {
    pub fn label(self) -> &'static str {
        match self {
            Self::Awaiting => "Waiting for you to confirm it",
            Self::Queried => "Queried: waiting for the provider's answer",
            Self::Answered => "The provider has answered your query",
            Self::WithCouncil => "With the council to decide",
            Self::Confirmed => "Confirmed",
        }
    }
}

/// A visit that has been delivered, as the person (or someone helping them) sees it on the
/// booking's page, with what they can do about it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DeliveredVisit {
    pub id: i64,
    /// "Monday 1 December 2026, 09:00".
    pub when: String,
    pub minutes: i32,
    pub cost_pence: i64,
    /// What the care worker wrote at check-out.
    pub note: Option<String>,
    pub confirmation: VisitConfirmation,
    /// Until when it can be confirmed or queried, in words, before it is confirmed automatically.
    pub answer_by: Option<String>,
    /// What the person said was wrong, the provider's answer, the council's decision.
    pub query: Option<String>,
    pub answer: Option<String>,
    pub decision: Option<String>,
    /// Whether this viewer may confirm or query it now.
    pub can_answer: bool,
}

/// A query about a visit, for the provider to answer or the council to decide.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VisitQuery {
    pub visit_id: i64,
    pub reference: String,
    pub service: String,
    pub person: String,
    pub provider: String,
    pub when: String,
    pub minutes: i32,
    pub booked_minutes: i32,
    pub cost_pence: i64,
    pub note: Option<String>,
    pub query: String,
    pub answer: Option<String>,
}

/// A visit to confirm through the emailed link: only what the person was told already.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VisitToConfirm {
    pub provider: String,
    pub service: String,
    pub when: String,
    pub minutes: i32,
    pub cost_pence: i64,
    pub note: Option<String>,
    pub answer_by: String,
}

stored_state! {
    /// Where one visit is. On the server it is also the `visits.status` column's type.
    pub enum VisitStatus {
        Scheduled,
        InProgress,
        Delivered,
        Missed,
        Cancelled,
    }
}

impl VisitStatus {
    /// Visits still to happen or happening: they hold the person's time.
    pub const AHEAD: [Self; 2] = [Self::Scheduled, Self::InProgress];

    /// The status in words, for the provider's staff.
    pub fn label(self) -> &'static str {
        match self {
            Self::Scheduled => "Due",
            Self::InProgress => "Checked in",
            Self::Delivered => "Delivered",
            Self::Missed => "Did not happen",
            Self::Cancelled => "Cancelled",
        }
    }
}
