//! Concerns and complaints: what people raise, and how the council's queue and the person see them.
use serde::{Deserialize, Serialize};

stored_state! {
    /// A complaint about care, or a safeguarding concern (someone may be at risk: urgent).
    pub enum ConcernKind {
        Complaint,
        Safeguarding,
    }
}

stored_state! {
    /// Where a concern is, as the person who raised it follows it.
    pub enum ConcernStatus {
        Received,
        Acknowledged,
        Closed,
    }
}

stored_state! {
    /// What the council found.
    pub enum ConcernOutcome {
        Upheld,
        PartlyUpheld,
        NotUpheld,
        /// Passed on: to the police, the CQC, or the council's safeguarding team.
        Referred,
    }
}

impl ConcernKind {
    pub fn label(self) -> &'static str {
        match self {
            Self::Complaint => "Complaint",
            Self::Safeguarding => "Safeguarding concern (urgent)",
        }
    }
}

impl ConcernStatus {
    pub fn label(self) -> &'static str {
        match self {
            Self::Received => "Received: waiting for the council",
            Self::Acknowledged => "The council is looking into it",
            Self::Closed => "Closed",
        }
    }
}

impl ConcernOutcome {
    pub const ALL: [Self; 4] = [Self::Upheld, Self::PartlyUpheld, Self::NotUpheld, Self::Referred];

    pub fn code(self) -> &'static str {
        match self {
            Self::Upheld => "upheld",
            Self::PartlyUpheld => "partly_upheld",
            Self::NotUpheld => "not_upheld",
            Self::Referred => "referred",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|outcome| outcome.code() == code)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Upheld => "Upheld",
            Self::PartlyUpheld => "Partly upheld",
            Self::NotUpheld => "Not upheld",
            Self::Referred => "Passed to the right people (police, CQC or safeguarding team)",
        }
    }
}

/// The form to raise a concern, as typed: what it is about (one of them), and what happened.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ConcernForm {
    /// A provider's public id, a booking's reference, or a review's id: whichever it is about.
    #[serde(default)]
    pub provider: String,
    #[serde(default)]
    pub booking: String,
    #[serde(default)]
    pub review: String,
    /// `complaint` or `safeguarding`.
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub description: String,
    /// Someone not signed in: how the council can reach them (optional).
    #[serde(default)]
    pub contact: String,
    /// "yes": let the council read the booking's messages with the concern.
    #[serde(default)]
    pub share_messages: String,
}

/// A concern in the council's queue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConcernLine {
    pub reference: String,
    pub kind: ConcernKind,
    pub about: String,
    pub status: ConcernStatus,
    /// "Tuesday 8 December 2026".
    pub due: String,
    pub overdue: bool,
}

/// One concern, as the person who raised it or the council sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConcernView {
    pub reference: String,
    pub kind: ConcernKind,
    pub about: String,
    pub council: String,
    pub description: String,
    pub status: ConcernStatus,
    pub due: String,
    pub raised: String,
    pub outcome: Option<ConcernOutcome>,
    pub outcome_text: Option<String>,
    /// The council's own: notes, how to reach the person, the messages shared with it.
    pub for_council: Option<CouncilConcernDetails>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CouncilConcernDetails {
    pub raised_by: String,
    pub contact: Option<String>,
    pub notes: Vec<super::Message>,
    pub shared_messages: Vec<super::BookingMessage>,
}
