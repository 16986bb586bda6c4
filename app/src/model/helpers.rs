//! Helpers: family members and planners who act for a budget holder.
use serde::{Deserialize, Serialize};

stored_state! {
    /// Where a request to help is: the `helper_invitations.status` column's type. Only a
    /// `Waiting` one can be answered or withdrawn.
    pub enum InvitationStatus {
        Waiting,
        Accepted,
        Declined,
        Withdrawn,
    }
}

/// A budget holder's helpers page: who may act for them, and what was done for them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HelpersPage {
    pub helpers: Vec<HelperLine>,
    /// Asked to help and not yet answered.
    pub waiting: Vec<HelperInvitationLine>,
    pub done_for_you: Vec<DoneForYou>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HelperLine {
    pub id: i64,
    pub name: String,
    pub email: String,
    /// "See your budget and book care".
    pub rights: String,
    /// "Until 31 March 2027", or nothing for no end date.
    pub until: Option<String>,
    /// "Accepted by Rosa Diaz on 6 December 2026".
    pub accepted: String,
}

/// Someone asked (by email) to help, who has not answered yet.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HelperInvitationLine {
    pub id: i64,
    pub email: String,
    pub rights: String,
    pub until: Option<String>,
    /// "Asked on 6 December 2026".
    pub asked: String,
}

/// A request to help someone, as the helper sees it on their caseload.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HelpRequest {
    pub id: i64,
    /// Who asked.
    pub from: String,
    /// "See their budget and book and cancel care".
    pub rights: String,
    pub until: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DoneForYou {
    pub at: String,
    pub who: String,
    pub what: String,
}

/// The "let someone help you" form, as typed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct HelperForm {
    pub email: String,
    /// "yes" when ticked.
    #[serde(default)]
    pub can_book: String,
    #[serde(default)]
    pub can_pay: String,
    /// Optional end date, `YYYY-MM-DD`.
    #[serde(default)]
    pub until: String,
}

/// A commissioner opens an account for someone who helps budget holders (a support planner,
/// a relative or friend): they set their password with the code the council gives them.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct NewHelperForm {
    pub name: String,
    pub email: String,
}
