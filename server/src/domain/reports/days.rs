//! The day-by-day totals the budget-use, savings and delivery reports add up (migration 45):
//! each day's money of a council's budgets (`budget_money_days`) and each day's visits
//! delivered and missed (`visit_days`). Added to in the same transaction as the transfer or
//! the visit's end, so they always agree with what they total; `mismatches` proves it (part of
//! the ledger's soundness), and `rebuild` makes them again from the transfers and visits.
use super::{number, rows, text};
use crate::domain::ledger::{Account, AccountKind, Transfer};
use crate::domain::uk_time;
use crate::entities::{booking, budget, listing};
use crate::error::AppResult;
use app::VisitStatus;
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, OnConflict, Query};
use sea_orm::{ActiveEnum, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryResult, QuerySelect};
use std::collections::BTreeMap;

/// A day's money of one kind of budget: allocated, spent on care and recovered (pence).
type Money = [i64; 3];
/// (council, day, budget type, funding).
type MoneyKey = (i64, NaiveDate, String, String);
/// A day's visits delivered and missed.
type Visits = [i64; 2];
/// (council, day, funding, provider, kind of care).
type VisitKey = (i64, NaiveDate, String, i64, String);

/// What a transfer is to the reports: allocated to a budget, spent on care (set-aside money
/// becoming a provider's: delivered visits, late cancellations) or recovered; and the budget.
fn money_of(kind: &str, from: AccountKind, from_budget: Option<i64>, to: AccountKind, to_budget: Option<i64>, amount: i64) -> Option<(i64, Money)> {
    match (kind, from, to) {
        ("allocation", _, AccountKind::BudgetAvailable) => Some((to_budget?, [amount, 0, 0])),
        (_, AccountKind::BudgetCommitted, AccountKind::ProviderPayable) => Some((from_budget?, [0, amount, 0])),
        ("recovery", _, AccountKind::CouncilFunding) => Some((from_budget?, [0, 0, amount])),
        _ => None,
    }
}

/// Adds a transfer just made to its day, if the reports count it.
pub(crate) async fn add_transfer(db: &impl ConnectionTrait, transfer: &Transfer, now: DateTime<Utc>) -> AppResult<()> {
    let (from, to): (&Account, &Account) = (&transfer.from, &transfer.to);
    let Some((budget_id, money)) = money_of(transfer.kind, from.kind, from.budget_id, to.kind, to.budget_id, transfer.amount_pence) else {
        return Ok(());
    };
    let found: Option<(i64, String, String)> = budget::Entity::find_by_id(budget_id)
        .select_only()
        .columns([budget::Column::CouncilId, budget::Column::BudgetType, budget::Column::Funding])
        .into_tuple()
        .one(db)
        .await?;
    let Some((council, budget_type, funding)) = found else { return Ok(()) };
    add_money(db, &[((council, uk_time::to_local(now).date(), budget_type, funding), money)]).await
}

/// Adds a visit that has just ended, delivered or missed, to its day (the day it was booked
/// for), if a budget paid for it.
pub(crate) async fn add_visit(db: &impl ConnectionTrait, booking: &booking::Model, scheduled_start: DateTime<Utc>, status: VisitStatus) -> AppResult<()> {
    let counts = match status {
        VisitStatus::Delivered => [1, 0],
        VisitStatus::Missed => [0, 1],
        _ => return Ok(()),
    };
    let Some(budget_id) = booking.budget_id else { return Ok(()) };
    let found: Option<(i64, String)> =
        budget::Entity::find_by_id(budget_id).select_only().columns([budget::Column::CouncilId, budget::Column::Funding]).into_tuple().one(db).await?;
    let category: Option<String> = listing::Entity::find_by_id(booking.listing_id).select_only().column(listing::Column::Category).into_tuple().one(db).await?;
    let (Some((council, funding)), Some(category)) = (found, category) else { return Ok(()) };
    add_visits(db, &[((council, uk_time::to_local(scheduled_start).date(), funding, booking.provider_id, category), counts)]).await
}

async fn add_money(db: &impl ConnectionTrait, days: &[(MoneyKey, Money)]) -> AppResult<()> {
    let mut insert = Query::insert();
    insert.into_table("budget_money_days").columns(["council_id", "day", "budget_type", "funding", "allocated_pence", "spent_pence", "recovered_pence"]);
    for ((council, day, budget_type, funding), [allocated, spent, recovered]) in days {
        insert.values_panic([
            (*council).into(),
            (*day).into(),
            budget_type.clone().into(),
            funding.clone().into(),
            (*allocated).into(),
            (*spent).into(),
            (*recovered).into(),
        ]);
    }
    insert.on_conflict(adding("budget_money_days", &["council_id", "day", "budget_type", "funding"], &["allocated_pence", "spent_pence", "recovered_pence"]));
    db.execute(&insert).await?;
    Ok(())
}

async fn add_visits(db: &impl ConnectionTrait, days: &[(VisitKey, Visits)]) -> AppResult<()> {
    let mut insert = Query::insert();
    insert.into_table("visit_days").columns(["council_id", "day", "funding", "provider_id", "category", "delivered", "missed"]);
    for ((council, day, funding, provider, category), [delivered, missed]) in days {
        insert.values_panic([
            (*council).into(),
            (*day).into(),
            funding.clone().into(),
            (*provider).into(),
            category.clone().into(),
            (*delivered).into(),
            (*missed).into(),
        ]);
    }
    insert.on_conflict(adding("visit_days", &["council_id", "day", "funding", "provider_id", "category"], &["delivered", "missed"]));
    db.execute(&insert).await?;
    Ok(())
}

/// On a day already there, the new figures are added to it.
fn adding(table: &'static str, key: &[&'static str], figures: &[&'static str]) -> OnConflict {
    let mut conflict = OnConflict::columns(key.iter().copied());
    for figure in figures {
        conflict.value(*figure, Expr::col((Alias::new(table), Alias::new(*figure))).add(Expr::col((Alias::new("excluded"), Alias::new(*figure)))));
    }
    conflict
}

/// Rows read at a time when totalling from the transfers and visits.
const PAGE: u64 = 50_000;

/// Every day's totals, worked out afresh from the transfers and the visits.
async fn from_records(db: &impl ConnectionTrait) -> AppResult<(BTreeMap<MoneyKey, Money>, BTreeMap<VisitKey, Visits>)> {
    let mut money: BTreeMap<MoneyKey, Money> = BTreeMap::new();
    let mut last = 0;
    loop {
        let page = rows(
            db,
            "SELECT t.id, t.created_at, t.kind, t.amount_pence, d.kind AS from_kind, d.budget_id AS from_budget, c.kind AS to_kind, c.budget_id AS to_budget \
             FROM ledger_transfers t JOIN ledger_accounts c ON c.id = t.credit_account_id JOIN ledger_accounts d ON d.id = t.debit_account_id \
             WHERE t.id > ? AND (t.kind IN ('allocation', 'recovery') OR (d.kind = 'budget_committed' AND c.kind = 'provider_payable')) ORDER BY t.id LIMIT ?",
            vec![last.into(), PAGE.into()],
        )
        .await?;
        let budgets = budgets_of(db, &page).await?;
        for row in &page {
            last = number(row, "id")?;
            let kind_of = |column: &str| -> AppResult<Option<AccountKind>> { Ok(AccountKind::from_code(&text(row, column)?.unwrap_or_default())) };
            let budget_of = |column: &str| -> AppResult<Option<i64>> { Ok(row.try_get::<Option<i64>>("", column)?) };
            let (Some(from), Some(to)) = (kind_of("from_kind")?, kind_of("to_kind")?) else { continue };
            let kind = text(row, "kind")?.unwrap_or_default();
            let found = money_of(&kind, from, budget_of("from_budget")?, to, budget_of("to_budget")?, number(row, "amount_pence")?);
            let Some((budget_id, figures)) = found else { continue };
            let Some((council, budget_type, funding)) = budgets.get(&budget_id).cloned() else { continue };
            let at: DateTime<Utc> = row.try_get("", "created_at")?;
            let day = money.entry((council, uk_time::to_local(at).date(), budget_type, funding)).or_default();
            for (total, figure) in day.iter_mut().zip(figures) {
                *total += figure;
            }
        }
        if (page.len() as u64) < PAGE {
            break;
        }
    }
    let mut visits: BTreeMap<VisitKey, Visits> = BTreeMap::new();
    let mut last = 0;
    loop {
        let page = rows(
            db,
            "SELECT v.id, v.scheduled_start, v.status, b.provider_id, l.category, bu.council_id, bu.funding \
             FROM visits v JOIN bookings b ON b.id = v.booking_id JOIN budgets bu ON bu.id = b.budget_id JOIN listings l ON l.id = b.listing_id \
             WHERE v.id > ? AND v.status IN (?, ?) ORDER BY v.id LIMIT ?",
            vec![last.into(), VisitStatus::Delivered.into(), VisitStatus::Missed.into(), PAGE.into()],
        )
        .await?;
        for row in &page {
            last = number(row, "id")?;
            let at: DateTime<Utc> = row.try_get("", "scheduled_start")?;
            let key = (
                number(row, "council_id")?,
                uk_time::to_local(at).date(),
                text(row, "funding")?.unwrap_or_default(),
                number(row, "provider_id")?,
                text(row, "category")?.unwrap_or_default(),
            );
            let delivered = text(row, "status")?.as_deref() == Some(VisitStatus::Delivered.to_value().as_str());
            visits.entry(key).or_default()[usize::from(!delivered)] += 1;
        }
        if (page.len() as u64) < PAGE {
            break;
        }
    }
    Ok((money, visits))
}

/// (council, budget type, funding) of each budget a page of transfers moved money of.
async fn budgets_of(db: &impl ConnectionTrait, page: &[QueryResult]) -> AppResult<BTreeMap<i64, (i64, String, String)>> {
    let mut ids: Vec<i64> =
        page.iter().flat_map(|row| ["from_budget", "to_budget"].map(|c| row.try_get::<Option<i64>>("", c).ok().flatten())).flatten().collect();
    ids.sort_unstable();
    ids.dedup();
    let mut found = BTreeMap::new();
    for chunk in ids.chunks(500) {
        let budgets: Vec<(i64, i64, String, String)> = budget::Entity::find()
            .select_only()
            .columns([budget::Column::Id, budget::Column::CouncilId, budget::Column::BudgetType, budget::Column::Funding])
            .filter(budget::Column::Id.is_in(chunk.iter().copied()))
            .into_tuple()
            .all(db)
            .await?;
        found.extend(budgets.into_iter().map(|(id, council, budget_type, funding)| (id, (council, budget_type, funding))));
    }
    Ok(found)
}

/// Days whose totals differ from what the transfers and visits add up to (zero when sound).
pub(crate) async fn mismatches(db: &impl ConnectionTrait) -> AppResult<u64> {
    let (money, visits) = from_records(db).await?;
    let kept_money: BTreeMap<MoneyKey, Money> =
        rows(db, "SELECT council_id, day, budget_type, funding, allocated_pence, spent_pence, recovered_pence FROM budget_money_days", Vec::new())
            .await?
            .iter()
            .map(|row| -> AppResult<(MoneyKey, Money)> {
                let key = (
                    number(row, "council_id")?,
                    row.try_get("", "day")?,
                    text(row, "budget_type")?.unwrap_or_default(),
                    text(row, "funding")?.unwrap_or_default(),
                );
                Ok((key, [number(row, "allocated_pence")?, number(row, "spent_pence")?, number(row, "recovered_pence")?]))
            })
            .collect::<AppResult<_>>()?;
    let kept_visits: BTreeMap<VisitKey, Visits> =
        rows(db, "SELECT council_id, day, funding, provider_id, category, delivered, missed FROM visit_days", Vec::new())
            .await?
            .iter()
            .map(|row| -> AppResult<(VisitKey, Visits)> {
                let key = (
                    number(row, "council_id")?,
                    row.try_get("", "day")?,
                    text(row, "funding")?.unwrap_or_default(),
                    number(row, "provider_id")?,
                    text(row, "category")?.unwrap_or_default(),
                );
                Ok((key, [number(row, "delivered")?, number(row, "missed")?]))
            })
            .collect::<AppResult<_>>()?;
    Ok(differing(&money, &kept_money) + differing(&visits, &kept_visits))
}

/// Keys whose figures differ between the two (a day of zeros counts as no day).
fn differing<K: Ord, const N: usize>(worked_out: &BTreeMap<K, [i64; N]>, kept: &BTreeMap<K, [i64; N]>) -> u64 {
    let zero = [0; N];
    let keys: std::collections::BTreeSet<&K> = worked_out.keys().chain(kept.keys()).collect();
    keys.into_iter().filter(|key| worked_out.get(key).unwrap_or(&zero) != kept.get(key).unwrap_or(&zero)).count() as u64
}

/// Makes every day's totals again from the transfers and visits (after loading data, and at
/// start when they are missing); returns how many days there are.
pub async fn rebuild(db: &impl ConnectionTrait) -> AppResult<u64> {
    let (money, visits) = from_records(db).await?;
    db.execute(&Query::delete().from_table("budget_money_days").to_owned()).await?;
    db.execute(&Query::delete().from_table("visit_days").to_owned()).await?;
    let money: Vec<(MoneyKey, Money)> = money.into_iter().collect();
    for chunk in money.chunks(500) {
        add_money(db, chunk).await?;
    }
    let visits: Vec<(VisitKey, Visits)> = visits.into_iter().collect();
    for chunk in visits.chunks(500) {
        add_visits(db, chunk).await?;
    }
    Ok((money.len() + visits.len()) as u64)
}

/// Whether the totals are missing while there is something to total (a database from before
/// migration 45).
pub async fn missing(db: &impl ConnectionTrait) -> AppResult<bool> {
    let kept = rows(db, "SELECT (SELECT COUNT(*) FROM budget_money_days) + (SELECT COUNT(*) FROM visit_days) AS n", Vec::new()).await?;
    let records = rows(
        db,
        "SELECT (SELECT COUNT(*) FROM ledger_transfers WHERE kind IN ('allocation', 'settlement', 'recovery')) + (SELECT COUNT(*) FROM visits WHERE status IN (?, ?)) AS n",
        vec![VisitStatus::Delivered.into(), VisitStatus::Missed.into()],
    )
    .await?;
    let count = |found: &[QueryResult]| found.first().map(|row| number(row, "n")).transpose().map(Option::unwrap_or_default);
    Ok(count(&kept)? == 0 && count(&records)? > 0)
}
