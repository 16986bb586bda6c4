//! Risk flags on council budgets, worked out from the ledger, bookings, visits and card
//! payments, in plain words for the budgets page: surplus over 8 weeks' worth; no money used for
//! 12 weeks; a large share spent off the framework (direct payments, which may); missed or
//! queried visits; frequent card top-ups; care paid for after the budget's end date; each
//! threshold the council's own or the default.
//! Individual service funds roll over by design: no
//! surplus or unused-money flag for them. Self-funders' accounts are never looked at.
use super::auth::commissioners_council;
use super::reports::rows;
use super::values::{collect, whole_number};
use crate::db::Db;
use crate::entities::{budget, risk_threshold};
use crate::error::{AppError, AppResult};
use app::{BudgetType, Funding, RiskFlag, RiskThresholdsForm, SignedInUser};
use chrono::{DateTime, Duration, Utc};
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryResult, Value};
use std::collections::HashMap;

/// The thresholds (defaults until councils set their own).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Thresholds {
    pub surplus_weeks: i64,
    pub unused_weeks: i64,
    pub off_framework_percent: i64,
    pub missed_or_queried: i64,
    pub top_ups: i64,
}

impl Thresholds {
    pub const DEFAULT: Self = Self { surplus_weeks: 8, unused_weeks: 12, off_framework_percent: 50, missed_or_queried: 3, top_ups: 4 };

    /// Each threshold: its form field, its label, the range allowed, and its value.
    pub fn fields(self) -> [(&'static str, &'static str, (u32, u32), i64); 5] {
        [
            ("surplus_weeks", "Surplus: more than this many weeks' worth unspent", (4, 52), self.surplus_weeks),
            ("unused_weeks", "Unused: no money used for this many weeks", (4, 52), self.unused_weeks),
            ("off_framework_percent", "Off the framework: more than this percentage of a direct payment's spending", (1, 100), self.off_framework_percent),
            ("missed_or_queried", "Visits missed or queried in 12 weeks, at least", (1, 50), self.missed_or_queried),
            ("top_ups", "Card top-ups in 12 weeks, at least", (1, 50), self.top_ups),
        ]
    }
}

/// The council's thresholds: its own, or the defaults.
pub async fn thresholds(db: &impl ConnectionTrait, council: i64) -> AppResult<Thresholds> {
    let found = risk_threshold::Entity::find().filter(risk_threshold::Column::CouncilId.eq(council)).one(db).await?;
    Ok(found.map_or(Thresholds::DEFAULT, |row| Thresholds {
        surplus_weeks: row.surplus_weeks.into(),
        unused_weeks: row.unused_weeks.into(),
        off_framework_percent: row.off_framework_percent.into(),
        missed_or_queried: row.missed_or_queried.into(),
        top_ups: row.top_ups.into(),
    }))
}

/// Saves a commissioner's thresholds for their council (every one, each within its range).
pub async fn set_thresholds(db: &Db, viewer: &SignedInUser, form: &RiskThresholdsForm, now: DateTime<Utc>) -> AppResult<()> {
    let council = commissioners_council(viewer)?;
    let mut errors = Vec::new();
    let mut values = Vec::new();
    for (field, label, (low, high), _) in Thresholds::DEFAULT.fields() {
        let typed = form.get(field).map(String::as_str).unwrap_or_default();
        let what = format!("a whole number for \"{label}\"");
        values.push(collect(&mut errors, whole_number(field, typed, &what, low, high)).map_or(0, |n| i32::try_from(n).unwrap_or(i32::MAX)));
    }
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let row = risk_threshold::ActiveModel {
        council_id: Set(council),
        surplus_weeks: Set(values[0]),
        unused_weeks: Set(values[1]),
        off_framework_percent: Set(values[2]),
        missed_or_queried: Set(values[3]),
        top_ups: Set(values[4]),
        ..Default::default()
    };
    let txn = crate::db::begin_write(db).await?;
    risk_threshold::Entity::insert(row)
        .on_conflict(
            OnConflict::column(risk_threshold::Column::CouncilId)
                .update_columns([
                    risk_threshold::Column::SurplusWeeks,
                    risk_threshold::Column::UnusedWeeks,
                    risk_threshold::Column::OffFrameworkPercent,
                    risk_threshold::Column::MissedOrQueried,
                    risk_threshold::Column::TopUps,
                ])
                .to_owned(),
        )
        .exec(&txn)
        .await?;
    super::audit::record(&txn, now, Some(viewer.user_id), None, "risk_thresholds_set", serde_json::json!(form)).await?;
    txn.commit().await?;
    Ok(())
}

/// Up to this many budgets, their flags are looked up by budget id; more, by a pass over the
/// whole council's records.
const LOOKED_UP_ONE_BY_ONE: usize = 500;
/// How far back spending, visits and top-ups are counted.
const WINDOW_WEEKS: i64 = 12;

/// What is known of one budget's recent use.
#[derive(Debug, Clone, Copy, Default)]
struct Use {
    last_spent: Option<DateTime<Utc>>,
    committed: i64,
    off_framework: i64,
    missed_or_queried: i64,
    top_ups: i64,
    /// The start of the last visit given or set aside for (budgets with an end date only).
    last_care: Option<DateTime<Utc>>,
}

fn number(row: &QueryResult, column: &str) -> i64 {
    row.try_get::<Option<i64>>("", column).ok().flatten().unwrap_or(0)
}

/// Each council budget's flags by budget id, each with its kind (what an audit sample draws by)
/// and in words. `available` is each budget's available balance now.
pub async fn flags(
    db: &impl ConnectionTrait,
    council: i64,
    budgets: &[budget::Model],
    available: &HashMap<i64, i64>,
    thresholds: Thresholds,
    now: DateTime<Utc>,
) -> AppResult<HashMap<i64, Vec<(RiskFlag, String)>>> {
    if budgets.is_empty() {
        return Ok(HashMap::new());
    }
    let since = now - Duration::weeks(WINDOW_WEEKS);
    let mut uses: HashMap<i64, Use> = HashMap::new();
    // A page of budgets is looked up budget by budget; a whole council's in one pass over it.
    let only = |column: &str| -> (String, Vec<Value>) {
        if budgets.len() > LOOKED_UP_ONE_BY_ONE {
            return (String::new(), Vec::new());
        }
        let marks = vec!["?"; budgets.len()].join(", ");
        (format!(" AND {column} IN ({marks})"), budgets.iter().map(|b| b.id.into()).collect())
    };
    let with = |mut values: Vec<Value>, (_, ids): &(String, Vec<Value>)| {
        values.extend(ids.iter().cloned());
        values
    };
    let restrict = only("d.budget_id");
    let spending = format!(
        "SELECT d.budget_id AS budget_id, MAX(t.created_at) AS last_spent, \
            CAST(SUM(CASE WHEN t.created_at >= ? THEN t.amount_pence ELSE 0 END) AS BIGINT) AS committed, \
            CAST(SUM(CASE WHEN t.created_at >= ? AND b.lot_id IS NULL THEN t.amount_pence ELSE 0 END) AS BIGINT) AS off_framework \
        FROM ledger_transfers t JOIN ledger_accounts d ON d.id = t.debit_account_id LEFT JOIN bookings b ON b.id = t.booking_id \
        WHERE d.council_id = ? AND d.kind = 'budget_available' AND t.kind = 'commitment'{} GROUP BY d.budget_id",
        restrict.0
    );
    for row in rows(db, &spending, with(vec![since.into(), since.into(), council.into()], &restrict)).await? {
        let entry = uses.entry(number(&row, "budget_id")).or_default();
        entry.last_spent = row.try_get::<Option<DateTime<Utc>>>("", "last_spent").ok().flatten();
        entry.committed = number(&row, "committed");
        entry.off_framework = number(&row, "off_framework");
    }
    let restrict = only("b.budget_id");
    let visits = format!(
        "SELECT b.budget_id AS budget_id, COUNT(*) AS n FROM visits v JOIN bookings b ON b.id = v.booking_id \
        JOIN budgets bu ON bu.id = b.budget_id \
        WHERE bu.council_id = ? AND v.scheduled_start >= ? AND v.scheduled_start < ? AND (v.status = 'missed' OR v.query_text IS NOT NULL){} \
        GROUP BY b.budget_id",
        restrict.0
    );
    for row in rows(db, &visits, with(vec![council.into(), since.into(), now.into()], &restrict)).await? {
        uses.entry(number(&row, "budget_id")).or_default().missed_or_queried = number(&row, "n");
    }
    let restrict = only("c.budget_id");
    let top_ups = format!(
        "SELECT c.budget_id AS budget_id, COUNT(*) AS n FROM card_payments c JOIN budgets bu ON bu.id = c.budget_id \
        WHERE bu.council_id = ? AND c.purpose = 'top_up' AND c.status IN ('succeeded', 'refunded') AND c.created_at >= ?{} GROUP BY c.budget_id",
        restrict.0
    );
    for row in rows(db, &top_ups, with(vec![council.into(), since.into()], &restrict)).await? {
        uses.entry(number(&row, "budget_id")).or_default().top_ups = number(&row, "n");
    }
    let restrict = only("b.budget_id");
    let care = format!(
        "SELECT b.budget_id AS budget_id, MAX(v.scheduled_start) AS last_care FROM visits v JOIN bookings b ON b.id = v.booking_id \
        JOIN budgets bu ON bu.id = b.budget_id \
        WHERE bu.council_id = ? AND bu.ends_on IS NOT NULL AND v.status IN ('scheduled', 'in_progress', 'delivered'){} GROUP BY b.budget_id",
        restrict.0
    );
    for row in rows(db, &care, with(vec![council.into()], &restrict)).await? {
        uses.entry(number(&row, "budget_id")).or_default().last_care = row.try_get::<Option<DateTime<Utc>>>("", "last_care").ok().flatten();
    }
    Ok(budgets
        .iter()
        .filter(|budget| budget.funding == Funding::Council.code())
        .map(|budget| {
            let used = uses.get(&budget.id).copied().unwrap_or_default();
            let available = available.get(&budget.id).copied().unwrap_or(0);
            (budget.id, in_words(budget, available, used, thresholds, now))
        })
        .collect())
}

/// A budget's flags in words alone (empty: no concerns).
pub fn words(flags: Option<Vec<(RiskFlag, String)>>) -> Vec<String> {
    flags.unwrap_or_default().into_iter().map(|(_, words)| words).collect()
}

fn in_words(budget: &budget::Model, available: i64, used: Use, limits: Thresholds, now: DateTime<Utc>) -> Vec<(RiskFlag, String)> {
    let mut flags = Vec::new();
    let rolls_over = budget.budget_type == BudgetType::IndividualServiceFund;
    let four_weekly = budget.four_weekly_allocation_pence + budget.four_weekly_contribution_pence;
    if !rolls_over && four_weekly > 0 && available * 4 > four_weekly * limits.surplus_weeks {
        flags.push((RiskFlag::Surplus, format!("Surplus: more than {} weeks' worth unspent", limits.surplus_weeks)));
    }
    let quiet_since = now - Duration::weeks(limits.unused_weeks);
    let started_before = budget.starts_on < super::uk_time::to_local(quiet_since).date();
    if !rolls_over && started_before && used.last_spent.is_none_or(|last| last < quiet_since) {
        flags.push((RiskFlag::Unused, format!("No money used for {} weeks", limits.unused_weeks)));
    }
    if budget.budget_type == BudgetType::DirectPayment && used.committed > 0 && used.off_framework * 100 > used.committed * limits.off_framework_percent {
        flags.push((RiskFlag::OffFramework, format!("Over {}% spent off the framework in {WINDOW_WEEKS} weeks", limits.off_framework_percent)));
    }
    if used.missed_or_queried >= limits.missed_or_queried {
        flags.push((RiskFlag::MissedOrQueried, format!("{} visits missed or queried in {WINDOW_WEEKS} weeks", used.missed_or_queried)));
    }
    if used.top_ups >= limits.top_ups {
        flags.push((RiskFlag::TopUps, format!("{} card top-ups in {WINDOW_WEEKS} weeks", used.top_ups)));
    }
    if let (Some(last_day), Some(last_care)) = (budget.ends_on, used.last_care)
        && super::uk_time::to_local(last_care).date() > last_day
    {
        flags.push((RiskFlag::AfterEndDate, format!("Care paid for after the budget's end date ({})", super::uk_time::long_date(last_day))));
    }
    flags
}
