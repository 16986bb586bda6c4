//! The monthly clean-account statement. On the first of each month every council budget gets a
//! statement for the month before: its available and set-aside balances at the start and end,
//! the money that came into and went out of the budget by kind (moves between its own two
//! accounts, setting money aside and releasing it, are neither), and its risk flags, or none.
//! The holder, helpers who may see the budget and the council read it (printable, and as CSV);
//! the council can also download every budget's for a month. They are made in batches of a few
//! hundred budgets, each worked out by reading and then written in one short transaction, so
//! bookings never wait long for the database's write turn. Self-funders' accounts get none.
use super::budgets::viewable_budget;
use super::ledger::AccountKind;
use super::reports::rows;
use super::{auth, risk_flags, uk_time};
use crate::db::Db;
use crate::entities::{budget, monthly_statement, user};
use crate::error::{AppError, AppResult};
use app::{Funding, MonthlyStatement, SignedInUser};
use chrono::{DateTime, Datelike, Months, NaiveDate, Utc};
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Value};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::Instant;

/// Budgets whose statements are worked out together.
const BATCH: usize = 400;
/// Statements written per transaction: a short hold of the write lock.
const WRITE_BATCH: usize = 100;

/// The first day of the month before the one `today` falls in.
pub fn month_before(today: NaiveDate) -> NaiveDate {
    first_of(today) - Months::new(1)
}

fn first_of(day: NaiveDate) -> NaiveDate {
    day.with_day(1).unwrap_or(day)
}

/// The instants a UK month starts and ends (the next one's start).
fn bounds(month: NaiveDate) -> (DateTime<Utc>, DateTime<Utc>) {
    let at_midnight = |day: NaiveDate| uk_time::to_utc(day.and_time(chrono::NaiveTime::MIN));
    (at_midnight(month), at_midnight(month + Months::new(1)))
}

/// "2026-11" for November 2026; the month's first day back from it.
pub fn month_code(month: NaiveDate) -> String {
    month.format("%Y-%m").to_string()
}

fn parse_month(code: &str) -> AppResult<NaiveDate> {
    NaiveDate::parse_from_str(&format!("{}-01", code.trim()), "%Y-%m-%d").ok().filter(|day| uk_time::within_years(*day)).ok_or(AppError::NotFound)
}

/// The month's name: "November 2026".
pub fn month_name(month: NaiveDate) -> String {
    month.format("%B %Y").to_string()
}

/// A kind of movement in words, for the statement.
fn kind_in_words(kind: &str) -> &'static str {
    match kind {
        "allocation" => "Council payments",
        "contribution" => "Your contributions",
        "top_up" => "Top-ups by card",
        "card_payment" => "Paid in by card",
        "settlement" | "closing_settlement" => "Paid for care delivered",
        "late_cancellation" => "Late cancellation charges",
        "refund" => "Card payments refunded",
        "recovery" => "Taken back by the council",
        _ => "Other movements",
    }
}

/// Makes the statements due now: the month before this one, for every council budget that had
/// started by its end and was not closed before it began. Returns how many were made; those
/// made before are left alone, so it may run as often as wanted.
pub async fn make_due(db: &Db, now: DateTime<Utc>) -> AppResult<u64> {
    make(db, month_before(uk_time::to_local(now).date()), now).await
}

/// Makes the month's statements not made yet.
pub async fn make(db: &Db, month: NaiveDate, now: DateTime<Utc>) -> AppResult<u64> {
    let (starts, ends) = bounds(month);
    let made: HashSet<i64> = monthly_statement::Entity::find()
        .select_only()
        .column(monthly_statement::Column::BudgetId)
        .filter(monthly_statement::Column::Month.eq(month))
        .into_tuple()
        .all(db)
        .await?
        .into_iter()
        .collect();
    let due: Vec<budget::Model> = budget::Entity::find()
        .filter(budget::Column::Funding.eq(Funding::Council.code()))
        .filter(budget::Column::StartsOn.lt(month + Months::new(1)))
        .order_by_asc(budget::Column::CouncilId)
        .order_by_asc(budget::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .filter(|budget| !made.contains(&budget.id) && budget.closed_at.is_none_or(|closed| closed >= starts))
        .collect();
    let mut count = 0;
    let mut by_council: BTreeMap<i64, Vec<budget::Model>> = BTreeMap::new();
    for budget in due {
        by_council.entry(budget.council_id).or_default().push(budget);
    }
    for (council, budgets) in by_council {
        // Every figure first (reads only), then the flags once per council (surplus as at the
        // month's end), then the writes, batch by batch.
        let mut figures = HashMap::new();
        for batch in budgets.chunks(BATCH) {
            let started = Instant::now();
            figures.extend(month_figures(db, batch, starts, ends).await?);
            rest_as_long_as(started).await;
        }
        let thresholds = risk_flags::thresholds(db, council).await?;
        let available = figures.iter().map(|(id, f): (&i64, &Figures)| (*id, f.closing_available)).collect();
        let mut flags = risk_flags::flags(db, council, &budgets, &available, thresholds, now).await?;
        for batch in budgets.chunks(WRITE_BATCH) {
            let rows: Vec<monthly_statement::ActiveModel> = batch
                .iter()
                .map(|budget| {
                    let f = figures.remove(&budget.id).unwrap_or_default();
                    let movements: Vec<(&str, i64, i64)> = f.movements.iter().map(|(kind, (into, out))| (*kind, *into, *out)).collect();
                    monthly_statement::ActiveModel {
                        budget_id: Set(budget.id),
                        council_id: Set(council),
                        month: Set(month),
                        opening_available_pence: Set(f.opening_available),
                        opening_set_aside_pence: Set(f.opening_set_aside),
                        closing_available_pence: Set(f.closing_available),
                        closing_set_aside_pence: Set(f.closing_set_aside),
                        movements: Set(serde_json::to_string(&movements).unwrap_or_default()),
                        flags: Set(serde_json::to_string(&risk_flags::words(flags.remove(&budget.id))).unwrap_or_default()),
                        created_at: Set(now),
                        ..Default::default()
                    }
                })
                .collect();
            // One short write per batch; a statement another server made meanwhile stays as it was.
            let started = Instant::now();
            let txn = crate::db::begin_write(db).await?;
            let inserted = monthly_statement::Entity::insert_many(rows)
                .on_conflict(OnConflict::columns([monthly_statement::Column::BudgetId, monthly_statement::Column::Month]).do_nothing().to_owned())
                .exec_without_returning(&txn)
                .await?;
            txn.commit().await?;
            count += inserted;
            rest_as_long_as(started).await;
        }
    }
    Ok(count)
}

/// Rests as long as the batch just made took: statements are made on at most half the
/// machine, so bookings made beside them keep their pace (the booking bench makes the bench
/// set's 50,000 while it measures).
async fn rest_as_long_as(started: Instant) {
    tokio::time::sleep(started.elapsed()).await;
}

/// One budget's month in figures.
#[derive(Debug, Clone, Default)]
struct Figures {
    opening_available: i64,
    opening_set_aside: i64,
    closing_available: i64,
    closing_set_aside: i64,
    /// In words: (money in, money out).
    movements: BTreeMap<&'static str, (i64, i64)>,
}

/// Works out the batch's figures in two grouped reads: each account's balance at the month's
/// start and end (its balance now, less what moved since), and the month's movements in and
/// out of each budget by kind.
async fn month_figures(db: &impl ConnectionTrait, batch: &[budget::Model], starts: DateTime<Utc>, ends: DateTime<Utc>) -> AppResult<HashMap<i64, Figures>> {
    let ids: Vec<Value> = batch.iter().map(|b| b.id.into()).collect();
    let list = vec!["?"; ids.len()].join(", ");
    let mut figures: HashMap<i64, Figures> = batch.iter().map(|b| (b.id, Figures::default())).collect();
    let since = |column: &str, from: &str| {
        format!("COALESCE((SELECT SUM(t.amount_pence) FROM ledger_transfers t WHERE t.{column}_account_id = a.id AND t.created_at >= {from}), 0)")
    };
    let balances = format!(
        "SELECT a.budget_id AS budget_id, a.kind AS kind, \
            CAST(a.balance_pence - {} + {} AS BIGINT) AS opening, CAST(a.balance_pence - {} + {} AS BIGINT) AS closing \
         FROM ledger_accounts a WHERE a.budget_id IN ({list})",
        since("credit", "?"),
        since("debit", "?"),
        since("credit", "?"),
        since("debit", "?"),
    );
    let mut values = vec![starts.into(), starts.into(), ends.into(), ends.into()];
    values.extend(ids.iter().cloned());
    for row in rows(db, &balances, values).await? {
        let (id, kind): (i64, String) = (row.try_get("", "budget_id")?, row.try_get("", "kind")?);
        let (opening, closing): (i64, i64) = (row.try_get("", "opening")?, row.try_get("", "closing")?);
        let Some(f) = figures.get_mut(&id) else { continue };
        if kind == AccountKind::BudgetAvailable.code() {
            (f.opening_available, f.closing_available) = (opening, closing);
        } else if kind == AccountKind::BudgetCommitted.code() {
            (f.opening_set_aside, f.closing_set_aside) = (opening, closing);
        }
    }
    // Money in: credited to one of the budget's accounts from an account that is no budget's;
    // out: the reverse. Each half reads from the batch's accounts through the transfers' own
    // (account, time) indexes.
    let half = |to: &str, from: &str, into: &str, out: &str| {
        format!(
            "SELECT {to}.budget_id AS budget_id, t.kind AS kind, {into} AS money_in, {out} AS money_out \
             FROM ledger_accounts {to} JOIN ledger_transfers t ON t.{side}_account_id = {to}.id JOIN ledger_accounts {from} ON {from}.id = t.{other}_account_id \
             WHERE {to}.budget_id IN ({list}) AND {from}.budget_id IS NULL AND t.created_at >= ? AND t.created_at < ?",
            side = if to == "c" { "credit" } else { "debit" },
            other = if to == "c" { "debit" } else { "credit" },
        )
    };
    let moved = format!(
        "SELECT budget_id, kind, CAST(SUM(money_in) AS BIGINT) AS money_in, CAST(SUM(money_out) AS BIGINT) AS money_out FROM ({} UNION ALL {}) moved \
         GROUP BY budget_id, kind",
        half("c", "d", "t.amount_pence", "0"),
        half("d", "c", "0", "t.amount_pence"),
    );
    let mut values = ids.clone();
    values.extend([starts.into(), ends.into()]);
    values.extend(ids.iter().cloned());
    values.extend([starts.into(), ends.into()]);
    for row in rows(db, &moved, values).await? {
        let (id, kind): (i64, String) = (row.try_get("", "budget_id")?, row.try_get("", "kind")?);
        let (into, out): (i64, i64) = (row.try_get("", "money_in")?, row.try_get("", "money_out")?);
        if into == 0 && out == 0 {
            continue;
        }
        if let Some(f) = figures.get_mut(&id) {
            let entry = f.movements.entry(kind_in_words(&kind)).or_default();
            entry.0 += into;
            entry.1 += out;
        }
    }
    Ok(figures)
}

/// The months a budget has statements for, newest first: ("2026-11", "November 2026").
pub async fn months(db: &impl ConnectionTrait, budget_id: i64) -> AppResult<Vec<(String, String)>> {
    let months: Vec<NaiveDate> = monthly_statement::Entity::find()
        .select_only()
        .column(monthly_statement::Column::Month)
        .filter(monthly_statement::Column::BudgetId.eq(budget_id))
        .order_by_desc(monthly_statement::Column::Month)
        .into_tuple()
        .all(db)
        .await?;
    Ok(months.into_iter().map(|month| (month_code(month), month_name(month))).collect())
}

/// One month's statement of a budget the viewer may see (their own without `budget_id`).
pub async fn one(
    db: &impl ConnectionTrait,
    viewer: &SignedInUser,
    budget_id: Option<i64>,
    person: Option<i64>,
    month: &str,
    now: DateTime<Utc>,
) -> AppResult<MonthlyStatement> {
    let found = viewable_budget(db, viewer, budget_id, person, now).await?;
    let month = parse_month(month)?;
    let row = monthly_statement::Entity::find()
        .filter(monthly_statement::Column::BudgetId.eq(found.id))
        .filter(monthly_statement::Column::Month.eq(month))
        .one(db)
        .await?
        .ok_or(AppError::NotFound)?;
    let holder = user::Entity::find_by_id(found.holder_id).one(db).await?.ok_or(AppError::NotFound)?;
    Ok(shown(row, holder.display_name, found.budget_type))
}

fn shown(row: monthly_statement::Model, holder: String, budget_type: app::BudgetType) -> MonthlyStatement {
    MonthlyStatement {
        budget_id: row.budget_id,
        holder,
        budget_type,
        month: month_code(row.month),
        month_name: month_name(row.month),
        opening_available_pence: row.opening_available_pence,
        opening_set_aside_pence: row.opening_set_aside_pence,
        closing_available_pence: row.closing_available_pence,
        closing_set_aside_pence: row.closing_set_aside_pence,
        movements: serde_json::from_str(&row.movements).unwrap_or_default(),
        flags: serde_json::from_str(&row.flags).unwrap_or_default(),
        made_on: uk_time::long_date(uk_time::to_local(row.created_at).date()),
    }
}

/// Every statement of the commissioner's council for a month, by budget number (never named:
/// the file may travel), for the council's own records.
pub async fn council_month(db: &impl ConnectionTrait, viewer: &SignedInUser, month: &str) -> AppResult<Vec<MonthlyStatement>> {
    let council = auth::commissioners_council(viewer)?;
    let month = parse_month(month)?;
    let found = monthly_statement::Entity::find()
        .filter(monthly_statement::Column::CouncilId.eq(council))
        .filter(monthly_statement::Column::Month.eq(month))
        .order_by_asc(monthly_statement::Column::BudgetId)
        .all(db)
        .await?;
    let types: HashMap<i64, app::BudgetType> = budget::Entity::find()
        .select_only()
        .columns([budget::Column::Id, budget::Column::BudgetType])
        .filter(budget::Column::CouncilId.eq(council))
        .into_tuple()
        .all(db)
        .await?
        .into_iter()
        .collect();
    Ok(found
        .into_iter()
        .map(|row| {
            let budget_type = types.get(&row.budget_id).copied().unwrap_or(app::BudgetType::DirectPayment);
            let name = format!("Personal budget {}", row.budget_id);
            shown(row, name, budget_type)
        })
        .collect())
}

/// The CSV's header line.
pub const CSV_HEADER: [&str; 6] = ["Budget", "Month", "Line", "Money in (GBP)", "Money out (GBP)", "Balance (GBP)"];

/// The statement's CSV lines, each given to `line` (after the header when `header`):
/// balances, then each kind of movement, then flags. A month of a council's budgets is tens of
/// thousands of statements: the lines are written where they go, not gathered first.
pub fn csv_rows(statement: &MonthlyStatement, header: bool, mut line: impl FnMut(&[&str])) {
    let pounds = app::pounds_text;
    if header {
        line(&CSV_HEADER);
    }
    let id = statement.budget_id.to_string();
    let mut line = |what: &str, into: &str, out: &str, balance: &str| line(&[&id, &statement.month, what, into, out, balance]);
    line("Available at the start", "", "", &pounds(statement.opening_available_pence));
    line("Set aside at the start", "", "", &pounds(statement.opening_set_aside_pence));
    for (kind, into, out) in &statement.movements {
        let amount = |pence: i64| if pence == 0 { String::new() } else { pounds(pence) };
        line(kind, &amount(*into), &amount(*out), "");
    }
    line("Available at the end", "", "", &pounds(statement.closing_available_pence));
    line("Set aside at the end", "", "", &pounds(statement.closing_set_aside_pence));
    let concerns = if statement.flags.is_empty() { "No concerns".to_string() } else { statement.flags.join("; ") };
    line(&format!("Flags: {concerns}"), "", "", "");
}
