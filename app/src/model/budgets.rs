//! Budgets: a council's list, opening one, and a holder's statement.
use serde::{Deserialize, Serialize};

/// The council's personal budgets, for commissioners.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BudgetsAdmin {
    pub holders: Vec<BudgetHolderLine>,
    /// (public id, name) of the council's active providers, to hold a fund.
    pub providers: Vec<(String, String)>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BudgetHolderLine {
    pub budget_id: i64,
    pub name: String,
    pub email: String,
    pub budget_type: String,
    pub four_weekly_pence: i64,
    pub available_pence: i64,
    pub set_aside_pence: i64,
    /// More than 8 weeks' worth unspent.
    pub surplus: bool,
    /// The provider holding an individual service fund.
    pub fund_holder: Option<String>,
    /// Whether the person has chosen their password yet.
    pub account_set_up: bool,
    /// The care plan's shortest home care visit, when it is not the usual 30 minutes.
    pub shortest_visit_minutes: Option<i32>,
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
    /// The budget type's code (`direct_payment`, `managed_account`, `individual_service_fund`).
    pub budget_type: String,
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
