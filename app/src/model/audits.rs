//! The light-touch audit: a month's sample of a council's budgets, drawn fairly, and the cases in
//! it (a question to the holder, their answer, the outcome), with a report of how they went.
use serde::{Deserialize, Serialize};

/// A risk flag a sample can draw every budget with (the budgets page shows the same, in words).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum RiskFlag {
    Surplus,
    Unused,
    OffFramework,
    MissedOrQueried,
    TopUps,
    AfterEndDate,
}

impl RiskFlag {
    pub const ALL: [Self; 6] = [Self::Surplus, Self::Unused, Self::OffFramework, Self::MissedOrQueried, Self::TopUps, Self::AfterEndDate];

    pub fn code(self) -> &'static str {
        match self {
            Self::Surplus => "surplus",
            Self::Unused => "unused",
            Self::OffFramework => "off_framework",
            Self::MissedOrQueried => "missed_or_queried",
            Self::TopUps => "top_ups",
            Self::AfterEndDate => "after_end_date",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|flag| flag.code() == code)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Surplus => "Surplus over the council's threshold",
            Self::Unused => "No money used for weeks",
            Self::OffFramework => "Much spent off the framework",
            Self::MissedOrQueried => "Visits missed or queried",
            Self::TopUps => "Frequent card top-ups",
            Self::AfterEndDate => "Care paid for after the end date",
        }
    }
}

stored_state! {
    /// A sample is current until it is redrawn (kept, with the reason, so the draw can be shown fair).
    pub enum AuditSampleStatus {
        Current,
        Redrawn,
    }
}

stored_state! {
    /// What an audit case came to.
    pub enum AuditOutcome {
        NoAction,
        AdviceGiven,
        MoneyRecovered,
        Escalated,
    }
}

impl AuditOutcome {
    pub const ALL: [Self; 4] = [Self::NoAction, Self::AdviceGiven, Self::MoneyRecovered, Self::Escalated];

    pub fn code(self) -> &'static str {
        match self {
            Self::NoAction => "no_action",
            Self::AdviceGiven => "advice_given",
            Self::MoneyRecovered => "money_recovered",
            Self::Escalated => "escalated",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|outcome| outcome.code() == code)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::NoAction => "No action needed",
            Self::AdviceGiven => "Advice given",
            Self::MoneyRecovered => "Money recovered",
            Self::Escalated => "Escalated",
        }
    }
}

/// The draw form, as typed: the flags ticked (their codes), the random share of the rest (a
/// whole percentage), and, drawing again, why.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AuditSampleForm {
    #[serde(default)]
    pub flags: Vec<String>,
    #[serde(default)]
    pub share: String,
    #[serde(default)]
    pub reason: String,
}

/// One draw of a month's sample.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditSampleLine {
    pub reference: String,
    /// "December 2026".
    pub month: String,
    pub draw: i32,
    /// The flags' labels.
    pub flags: Vec<String>,
    pub share_percent: i32,
    pub candidates: i32,
    pub cases: u64,
    pub status: AuditSampleStatus,
    pub redraw_reason: Option<String>,
    /// "3 December 2026, 10:15".
    pub drawn_at: String,
}

/// The audit page (`/audits`, commissioners): this month's draw or the form to make it, every
/// draw, and the report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditsAdmin {
    /// "December 2026".
    pub month: String,
    /// This month's current draw, if made.
    pub current: Option<String>,
    pub samples: Vec<AuditSampleLine>,
    pub report: Vec<AuditReportRow>,
}

/// One month's cases in the report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditReportRow {
    pub month: String,
    pub cases: u64,
    pub asked: u64,
    pub answered: u64,
    /// By outcome, in `AuditOutcome::ALL`'s order.
    pub outcomes: Vec<u64>,
    /// Open: not closed yet.
    pub open: u64,
    /// From drawn to closed, in days (the middle case), for the closed ones.
    pub median_days_to_close: Option<i64>,
    /// From asked to answered, in days (the middle case).
    pub median_days_to_answer: Option<i64>,
}

/// One case in a sample's list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditCaseLine {
    pub reference: String,
    pub holder: String,
    pub budget_id: i64,
    /// The flags that drew it; empty: drawn at random.
    pub flags: Vec<String>,
    /// "Not asked yet", "Asked: answer due 5 January 2027", "Answered", "Closed: advice given".
    pub stage: String,
}

/// A sample's page (`/audits/{reference}`): how it was drawn, its cases, and whether drawing
/// again from its seed gives the same cases.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditSampleView {
    pub line: AuditSampleLine,
    pub seed: String,
    /// How many budgets the random share was drawn from.
    pub pool: usize,
    pub cases: Vec<AuditCaseLine>,
    /// Drawing again from the recorded seed and pool gives exactly these cases.
    pub draw_checks_out: bool,
    /// No question has been asked yet: it may be redrawn, with a reason.
    pub can_redraw: bool,
    /// The month's other draws.
    pub other_draws: Vec<AuditSampleLine>,
}

/// One case (`/audits/cases/{reference}`), as the commissioner or the asked holder sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditCaseView {
    pub reference: String,
    pub sample_reference: String,
    pub month: String,
    pub holder: String,
    pub budget_id: i64,
    pub flags: Vec<String>,
    pub stage: String,
    pub question: Option<String>,
    /// "5 January 2027".
    pub due: Option<String>,
    pub answer: Option<String>,
    pub outcome: Option<AuditOutcome>,
    pub outcome_note: Option<String>,
    pub can_ask: bool,
    pub can_answer: bool,
    pub can_decide: bool,
}

/// The question form, as typed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AuditQuestionForm {
    pub question: String,
    /// The date the answer is due (`2027-01-05` or `5/1/2027`).
    pub due: String,
}

/// A question from the council on the holder's dashboard.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditQuestionLink {
    pub reference: String,
    pub due: String,
}
