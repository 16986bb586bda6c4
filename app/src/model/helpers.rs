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
    /// Who accepted, when a helper has and waits for the person to let them help:
    /// "Rosa Diaz (rosa@family.example) accepted on 7 December 2026".
    pub accepted_by: Option<String>,
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
    /// The rights asked for beyond seeing the budget, each of which the helper may accept or not.
    pub can_book: bool,
    pub can_pay: bool,
}

/// A helper's answer to a request: seeing the budget always comes with accepting, and each
/// further right asked for only if they accept it too.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum HelpAnswer {
    Accept { book: bool, pay: bool },
    Decline,
}

/// A request to help, as the person asked finds it from the link mailed to them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HelpInvitation {
    /// Who asked, and what for (empty when the link no longer works).
    pub from: String,
    pub rights: String,
    pub until: Option<String>,
    pub email: String,
    pub next: InvitationNext,
}

/// What the person asked can do with the link.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum InvitationNext {
    /// Open a helper's account with the address, then answer.
    OpenAccount,
    /// They have a helper's account: sign in and answer on the caseload.
    SignIn,
    /// The address has an account that cannot help others (a budget holder's, say).
    OtherAccount,
    /// Run out, taken back, or used already.
    Gone,
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
