//! Personal budgets: the council pays each one its allocation every 4 weeks (in advance, from
//! the budget's start date), who may see a budget, and its statement.
use super::delegations::{Right, may_act};
use super::ledger::{self, Account, Transfer};
use crate::db::Db;
use crate::entities::{booking, budget, ledger_account, ledger_transfer, user};
use crate::error::{AppError, AppResult};
use app::{BudgetStatement, Funding, Role, SignedInUser, StatementRow};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use std::collections::{HashMap, HashSet};

/// Days in an allocation period.
pub const PERIOD_DAYS: i64 = 28;

/// Budgets paid in one transaction by an allocation run.
const ALLOCATIONS_PER_TRANSACTION: usize = 200;

/// The first day of the 4-week period that `day` falls in, counting from the budget's start.
pub fn period_start(starts_on: NaiveDate, day: NaiveDate) -> NaiveDate {
    let periods = (day - starts_on).num_days().div_euclid(PERIOD_DAYS);
    starts_on + Duration::days(periods * PERIOD_DAYS)
}

/// The key of a budget's allocation for a period: one allocation per budget per period.
pub fn allocation_key(budget_id: i64, period_start: NaiveDate) -> String {
    format!("allocation:budget:{budget_id}:{period_start}")
}

/// More than 8 weeks' worth left unspent: councils review (and may reclaim) the surplus.
pub fn is_surplus(budget: &budget::Model, available_pence: i64) -> bool {
    let four_weeks = budget.four_weekly_allocation_pence + budget.four_weekly_contribution_pence;
    four_weeks > 0 && available_pence > 2 * four_weeks
}

/// What an allocation run did.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AllocationRun {
    pub paid: u64,
    /// Budgets whose allocation for the period had been paid before.
    pub already_paid: u64,
    pub total_pence: i64,
}

/// Pays every budget that has started its allocation for the period `today` falls in. Safe to
/// run as often as wanted: a period is paid once per budget however many times it runs.
pub async fn run_allocations(db: &Db, today: NaiveDate, now: DateTime<Utc>) -> AppResult<AllocationRun> {
    let budgets: Vec<budget::Model> = budget::Entity::find()
        .filter(budget::Column::StartsOn.lte(today))
        .filter(budget::Column::FourWeeklyAllocationPence.gt(0))
        .filter(budget::Column::ClosedAt.is_null())
        .order_by_asc(budget::Column::Id)
        .all(db)
        .await?
        .into_iter()
        // No allocation for a period starting after the budget's end date.
        .filter(|budget| budget.ends_on.is_none_or(|last| period_start(budget.starts_on, today) <= last))
        .collect();
    let mut run = AllocationRun::default();
    for batch in budgets.chunks(ALLOCATIONS_PER_TRANSACTION) {
        // The hourly run usually finds every period paid: one read per batch says so, instead
        // of a write transaction and a refused transfer for every budget. (The transfer's key
        // still guards a run racing another server.)
        let keys: Vec<String> = batch.iter().map(|budget| allocation_key(budget.id, period_start(budget.starts_on, today))).collect();
        let paid: HashSet<String> = ledger_transfer::Entity::find()
            .select_only()
            .column(ledger_transfer::Column::IdempotencyKey)
            .filter(ledger_transfer::Column::IdempotencyKey.is_in(keys.iter().cloned()))
            .into_tuple()
            .all(db)
            .await?
            .into_iter()
            .collect();
        run.already_paid += paid.len() as u64;
        if paid.len() == batch.len() {
            continue;
        }
        // A batch that cannot be paid is logged and the run goes on: its budgets are paid
        // next time (the keys stop any being paid twice).
        match pay_batch(db, batch, keys, &paid, now).await {
            Ok(batch_run) => {
                run.paid += batch_run.paid;
                run.already_paid += batch_run.already_paid;
                run.total_pence += batch_run.total_pence;
            }
            Err(error) => tracing::error!(%error, first_budget = batch[0].id, "could not pay a batch of allocations; going on with the others"),
        }
    }
    Ok(run)
}

async fn pay_batch(db: &Db, batch: &[budget::Model], keys: Vec<String>, paid: &HashSet<String>, now: DateTime<Utc>) -> AppResult<AllocationRun> {
    let mut run = AllocationRun::default();
    let txn = crate::db::begin_write(db).await?;
    for (budget, key) in batch.iter().zip(keys).filter(|(_, key)| !paid.contains(key)) {
        let transfer = Transfer::new(
            key,
            Account::council_funding(budget.council_id),
            Account::budget_available(budget.council_id, budget.id),
            budget.four_weekly_allocation_pence,
            "allocation",
        );
        match ledger::transfer(&txn, &transfer, now).await? {
            ledger::Moved::Now => {
                run.paid += 1;
                run.total_pence += budget.four_weekly_allocation_pence;
            }
            ledger::Moved::Already => run.already_paid += 1,
        }
    }
    txn.commit().await?;
    Ok(run)
}

/// The budget, if this person may see it: the holder; someone they have given the right to
/// view (until revoked or expired); the provider holding it as an individual service fund; a
/// commissioner of its council. Without `budget_id`, the budget of `person` (whom a planner
/// acts for) or else the viewer's own.
pub async fn viewable_budget(
    db: &impl ConnectionTrait,
    viewer: &SignedInUser,
    budget_id: Option<i64>,
    person: Option<i64>,
    now: DateTime<Utc>,
) -> AppResult<budget::Model> {
    let budget = match budget_id {
        None => budget::Entity::find().filter(budget::Column::HolderId.eq(person.unwrap_or(viewer.user_id))).one(db).await?,
        Some(id) => budget::Entity::find_by_id(id).one(db).await?,
    }
    .ok_or(AppError::NotFound)?;
    let allowed = match viewer.role {
        Role::BudgetHolder => budget.holder_id == viewer.user_id,
        // A self-funder's own money is theirs alone.
        Role::Commissioner => budget.council_id == viewer.council_id && budget.funding() == Funding::Council,
        Role::Provider => viewer.provider_id.is_some() && budget.isf_provider_id == viewer.provider_id,
        Role::Planner => may_act(db, budget.holder_id, viewer.user_id, Right::View, now).await?,
    };
    if allowed { Ok(budget) } else { Err(AppError::Forbidden) }
}

/// Every transfer in and out of the budget, oldest first, with the balances after each.
pub async fn statement(
    db: &impl ConnectionTrait,
    viewer: &SignedInUser,
    budget_id: Option<i64>,
    person: Option<i64>,
    now: DateTime<Utc>,
) -> AppResult<BudgetStatement> {
    let budget = viewable_budget(db, viewer, budget_id, person, now).await?;
    let holder = user::Entity::find_by_id(budget.holder_id).one(db).await?.ok_or(AppError::NotFound)?;
    let accounts = ledger_account::Entity::find().filter(ledger_account::Column::BudgetId.eq(budget.id)).all(db).await?;
    let account_of = |kind: ledger::AccountKind| accounts.iter().find(|a| a.kind == kind.code()).map(|a| a.id);
    let (available, committed) = (account_of(ledger::AccountKind::BudgetAvailable), account_of(ledger::AccountKind::BudgetCommitted));
    let ids: Vec<i64> = accounts.iter().map(|a| a.id).collect();
    let transfers = ledger_transfer::Entity::find()
        .filter(Condition::any().add(ledger_transfer::Column::DebitAccountId.is_in(ids.clone())).add(ledger_transfer::Column::CreditAccountId.is_in(ids)))
        .order_by_asc(ledger_transfer::Column::Id)
        .all(db)
        .await?;
    let booking_ids: Vec<i64> = transfers.iter().filter_map(|t| t.booking_id).collect();
    let references: HashMap<i64, String> =
        booking::Entity::find().filter(booking::Column::Id.is_in(booking_ids)).all(db).await?.into_iter().map(|b| (b.id, b.reference)).collect();
    let change = |transfer: &ledger_transfer::Model, account: Option<i64>| match account {
        Some(id) if transfer.credit_account_id == id => transfer.amount_pence,
        Some(id) if transfer.debit_account_id == id => -transfer.amount_pence,
        _ => 0,
    };
    let (mut available_pence, mut committed_pence) = (0, 0);
    let rows = transfers
        .iter()
        .map(|transfer| {
            let into_available = change(transfer, available);
            available_pence += into_available;
            committed_pence += change(transfer, committed);
            StatementRow {
                // The UK date: a payment at 00:30 in summer belongs to that day, not the one before.
                date: super::uk_time::to_local(transfer.created_at).format("%Y-%m-%d").to_string(),
                details: details(transfer, transfer.booking_id.and_then(|id| references.get(&id)).map(String::as_str)),
                money_in_pence: into_available.max(0),
                money_out_pence: (-into_available).max(0),
                available_after_pence: available_pence,
                set_aside_after_pence: committed_pence,
            }
        })
        .collect();
    Ok(BudgetStatement {
        budget_id: budget.id,
        holder: holder.display_name,
        budget_type: budget.budget_type,
        four_weekly_pence: budget.four_weekly_allocation_pence + budget.four_weekly_contribution_pence,
        available_pence,
        set_aside_pence: committed_pence,
        surplus: is_surplus(&budget, available_pence),
        rows,
        pay_by_card: budget.closed_at.is_none() && super::card_payments::may_pay_into(db, viewer, &budget, now).await?,
        self_funded: budget.funding() == Funding::OwnMoney,
        months: super::monthly_statements::months(db, budget.id).await?,
    })
}

/// A transfer in words, for a statement line.
fn details(transfer: &ledger_transfer::Model, booking: Option<&str>) -> String {
    let for_booking = |what: &str| booking.map_or_else(|| what.to_string(), |reference| format!("{what}, booking {reference}"));
    match transfer.kind.as_str() {
        "allocation" => {
            let period = transfer.idempotency_key.rsplit(':').next().unwrap_or_default();
            format!("Council payment for the 4 weeks from {period}")
        }
        "contribution" => "Your contribution".to_string(),
        "top_up" => "Top-up by card".to_string(),
        "card_payment" => "Paid in by card".to_string(),
        "commitment" => for_booking("Set aside for care booked"),
        "release" => for_booking("Released: no longer needed"),
        "settlement" => for_booking("Paid for care delivered"),
        "correction" => for_booking("Given back: a visit was shorter than recorded"),
        "late_cancellation" => for_booking("Late cancellation charge"),
        "closing_settlement" => for_booking("Paid for care given before the booking ended"),
        "closing_release" => for_booking("Released when the booking ended"),
        "refund" => "Card payment refunded".to_string(),
        "recovery" if super::budget_endings::is_closing(&transfer.idempotency_key) => "Returned to the council when the budget closed".to_string(),
        "recovery" => "Taken back by the council: money not needed for your care".to_string(),
        other => for_booking(other),
    }
}
