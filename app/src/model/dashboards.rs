//! Each role's dashboard and the messages on it.
use super::{BookingLine, CaseloadEntry, HelpRequest};
use serde::{Deserialize, Serialize};

/// A message to someone about their bookings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Message {
    /// "23 November 2026, 14:05".
    pub at: String,
    pub text: String,
}

/// What each role's dashboard shows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Dashboard {
    BudgetHolder {
        budget_type: Option<super::BudgetType>,
        available_pence: i64,
        committed_pence: i64,
        four_weekly_allocation_pence: i64,
        active_bookings: u64,
        bookings: Vec<BookingLine>,
        messages: Vec<Message>,
        /// The council's audit questions waiting for an answer.
        #[serde(default)]
        audit_questions: Vec<super::AuditQuestionLink>,
    },
    Planner {
        caseload: Vec<CaseloadEntry>,
        /// People who asked this helper to help them, waiting for an answer.
        requests: Vec<HelpRequest>,
        messages: Vec<Message>,
    },
    Provider {
        organisation: String,
        organisation_public_id: String,
        published_listings: u64,
        other_listings: u64,
        requests_waiting: u64,
        /// Messages from people about their bookings that staff have not read.
        #[serde(default)]
        unread_messages: u64,
    },
    Commissioner {
        council: String,
        providers: u64,
        published_listings: u64,
        budget_holders: u64,
        lots: u64,
        placements_last_28_days: u64,
    },
}
