//! Budgets: a council's list, opening one, and a holder's statement.
use super::encode_query_value;
use serde::{Deserialize, Serialize};

stored_state! {
    /// What kind of personal budget it is, which decides where its money may go: the
    /// `budgets.budget_type` column's type.
    pub enum BudgetType {
        /// Paid to the person, who may book any listed provider.
        DirectPayment,
        /// Held by the council: framework providers only.
        ManagedAccount,
        /// Held by one provider on the person's behalf.
        IndividualServiceFund,
    }
}

impl BudgetType {
    pub const ALL: [Self; 3] = [Self::DirectPayment, Self::ManagedAccount, Self::IndividualServiceFund];

    /// The code a form sends and a report's figures are grouped by.
    pub fn code(self) -> &'static str {
        match self {
            Self::DirectPayment => "direct_payment",
            Self::ManagedAccount => "managed_account",
            Self::IndividualServiceFund => "individual_service_fund",
        }
    }

    pub fn from_code(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|kind| kind.code() == code)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::DirectPayment => "Direct payment",
            Self::ManagedAccount => "Managed account",
            Self::IndividualServiceFund => "Individual service fund",
        }
    }
}

/// Whose money a budget holds, kept in `budgets.funding` as its code. (Not a `stored_state!`:
/// SeaORM 2.0.4's derive cannot take the code `self`, which it turns into a keyword.)
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Funding {
    /// A council's personal budget.
    #[serde(rename = "council")]
    Council,
    /// A self-funder's own account, paid into by card.
    #[serde(rename = "self")]
    OwnMoney,
}

impl Funding {
    pub fn code(self) -> &'static str {
        match self {
            Self::Council => "council",
            Self::OwnMoney => "self",
        }
    }

    /// The funding a stored code names; anything else is a council's (the column's default).
    pub fn from_code(code: &str) -> Self {
        if code == Self::OwnMoney.code() { Self::OwnMoney } else { Self::Council }
    }
}

#[cfg(feature = "ssr")]
impl From<Funding> for sea_orm::Value {
    fn from(funding: Funding) -> Self {
        funding.code().into()
    }
}

/// Which of the council's budgets `/budgets` lists (its address's query): those whose person's
/// name or email holds the words `find`, or one budget, a page at a time.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct BudgetsFilter {
    #[serde(default)]
    pub find: String,
    #[serde(default)]
    pub budget: Option<i64>,
    #[serde(default)]
    pub page: Option<u32>,
}

impl BudgetsFilter {
    /// The address of this list, on another page.
    pub fn path(&self, page: u32) -> String {
        let mut path = format!("/budgets?page={page}");
        if !self.find.trim().is_empty() {
            path.push_str(&format!("&find={}", encode_query_value(self.find.trim())));
        }
        if let Some(budget) = self.budget {
            path.push_str(&format!("&budget={budget}"));
        }
        path
    }
}

/// The council's personal budgets, for commissioners: a page of them, oldest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BudgetsAdmin {
    pub holders: Vec<BudgetHolderLine>,
    /// The filter asked for; how many budgets it finds, the page shown (from 1) and how many
    /// pages there are.
    pub filter: BudgetsFilter,
    pub found: u64,
    pub page: u32,
    pub pages: u32,
    /// The council's thresholds for risk flags: (form field, label, value), in the form's order.
    pub thresholds: Vec<(String, String, i64)>,
    /// (public id, name) of the council's active providers, to hold a fund.
    pub providers: Vec<(String, String)>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BudgetHolderLine {
    pub budget_id: i64,
    pub name: String,
    pub email: String,
    pub budget_type: BudgetType,
    pub four_weekly_pence: i64,
    pub available_pence: i64,
    pub set_aside_pence: i64,
    /// More than 8 weeks' worth unspent (money may be recovered).
    pub surplus: bool,
    /// Risk flags in plain words ("No money used for 12 weeks").
    pub flags: Vec<String>,
    /// The provider holding an individual service fund.
    pub fund_holder: Option<String>,
    /// Whether the person has chosen their password yet.
    pub account_set_up: bool,
    /// The care plan's shortest home care visit, when it is not the usual 30 minutes.
    pub shortest_visit_minutes: Option<i32>,
    /// The budget's end date (`2027-03-31`), if it has one.
    pub ends_on: Option<String>,
    /// When the council closed it, in words ("7 December 2026").
    pub closed_on: Option<String>,
}

/// "Open a personal budget", as typed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct NewBudgetForm {
    pub name: String,
    pub email: String,
    /// Absent when no type was chosen (radio buttons send nothing).
    #[serde(default)]
    pub budget_type: String,
    /// The public id of the provider holding an individual service fund.
    #[serde(default)]
    pub fund_holder: String,
    /// Pounds for 4 weeks.
    pub allocation: String,
    #[serde(default)]
    pub contribution: String,
    pub starts_on: String,
    /// Minutes; empty for the usual 30.
    #[serde(default)]
    pub shortest_visit: String,
}

/// A personal budget's statement: every movement of its money, oldest first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BudgetStatement {
    pub budget_id: i64,
    pub holder: String,
    pub budget_type: BudgetType,
    /// The allocation and the assessed contribution for 4 weeks.
    pub four_weekly_pence: i64,
    pub available_pence: i64,
    pub set_aside_pence: i64,
    /// More than 8 weeks' worth unspent: the council will review it.
    pub surplus: bool,
    pub rows: Vec<StatementRow>,
    /// This viewer may pay into the budget by card (false when card payments are off).
    #[serde(default)]
    pub pay_by_card: bool,
    /// A self-funder's own account (paid into by card), not a council budget.
    #[serde(default)]
    pub self_funded: bool,
    /// The months with a monthly statement, newest first: ("2026-11", "November 2026").
    #[serde(default)]
    pub months: Vec<(String, String)>,
}

/// A council budget's statement for one month: balances at its start and end, money in and
/// out by kind, and its risk flags (none: no concerns).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MonthlyStatement {
    pub budget_id: i64,
    pub holder: String,
    pub budget_type: BudgetType,
    /// "2026-11".
    pub month: String,
    /// "November 2026".
    pub month_name: String,
    pub opening_available_pence: i64,
    pub opening_set_aside_pence: i64,
    pub closing_available_pence: i64,
    pub closing_set_aside_pence: i64,
    /// (kind in words, money in, money out).
    pub movements: Vec<(String, i64, i64)>,
    pub flags: Vec<String>,
    /// When it was made, in words.
    pub made_on: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StatementRow {
    /// `YYYY-MM-DD`.
    pub date: String,
    pub details: String,
    pub money_in_pence: i64,
    pub money_out_pence: i64,
    pub available_after_pence: i64,
    pub set_aside_after_pence: i64,
}

stored_state! {
    /// Where a proposal to recover a budget's surplus is.
    pub enum RecoveryStatus {
        /// The holder has 14 days to reply; then the commissioner decides.
        Proposed,
        Recovered,
        Withdrawn,
    }
}

impl RecoveryStatus {
    pub fn label(self) -> &'static str {
        match self {
            Self::Proposed => "Proposed: waiting for a decision",
            Self::Recovered => "Recovered",
            Self::Withdrawn => "Withdrawn: nothing recovered",
        }
    }
}

/// Money recovered from budgets (`/recoveries`, commissioners): every proposal, and the form
/// to propose one for a budget when asked for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecoveriesAdmin {
    pub recoveries: Vec<RecoveryLine>,
    pub proposing: Option<RecoveryTarget>,
}

/// A budget a commissioner is about to propose recovering money from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecoveryTarget {
    pub budget_id: i64,
    pub holder: String,
    pub budget_type: BudgetType,
    pub available_pence: i64,
    pub set_aside_pence: i64,
    pub four_weekly_pence: i64,
}

/// One proposal, as the commissioner or the holder sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecoveryLine {
    pub reference: String,
    pub holder: String,
    pub status: RecoveryStatus,
    pub keep_pence: i64,
    /// Above what is kept when proposed.
    pub surplus_pence: i64,
    pub recovered_pence: Option<i64>,
    pub reason: String,
    /// "21 December 2026".
    pub reply_by: String,
    pub reply: Option<String>,
    /// The holder may still reply; the commissioner may confirm now.
    pub can_reply: bool,
    pub can_confirm: bool,
    pub can_withdraw: bool,
}

/// The "recover surplus" form, as typed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RecoveryForm {
    pub budget_id: i64,
    /// Pounds the budget keeps available, as typed.
    #[serde(default)]
    pub keep: String,
    #[serde(default)]
    pub reason: String,
}

/// The risk thresholds form: each threshold's field (`surplus_weeks`, ...) and what was typed.
pub type RiskThresholdsForm = std::collections::BTreeMap<String, String>;
