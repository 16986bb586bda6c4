//! Putting right, once, what earlier versions of CareMarket recorded wrongly, without
//! rewriting history: every fix is new rows (adjustment transfers with keys of their own, so
//! running it again moves nothing), and the server runs them all at every start.
use super::audit;
use super::ledger::{self, Account, AccountKind, Transfer};
use crate::db::Db;
use crate::entities::{booking, budget, ledger_account, placement};
use crate::error::{AppError, AppResult};
use app::Funding;
use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, QueryFilter, QueryOrder, Statement};

/// What the repairs did this time (all zero once everything is right).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Repaired {
    /// Provider accounts shared by every council, emptied into one account per council.
    pub provider_accounts_split: u64,
    /// Self-funders' bookings once counted as the council's placements.
    pub private_placements_removed: u64,
    /// Days of the reports' totals made from what was recorded before they were kept.
    pub report_days_made: u64,
}

pub async fn run_all(db: &Db, now: DateTime<Utc>) -> AppResult<Repaired> {
    Ok(Repaired {
        provider_accounts_split: split_provider_accounts(db, now).await?,
        private_placements_removed: remove_private_placements(db).await?,
        report_days_made: make_report_days(db).await?,
    })
}

/// The reports' day-by-day totals (migration 45) start empty on a database that already holds
/// transfers and visits: they are made from them once, in a write (two servers starting at
/// once make them once).
async fn make_report_days(db: &Db) -> AppResult<u64> {
    if !super::reports::days::missing(db).await? {
        return Ok(0);
    }
    let txn = crate::db::begin_write(db).await?;
    if !super::reports::days::missing(&txn).await? {
        return Ok(0);
    }
    let made = super::reports::days::rebuild(&txn).await?;
    txn.commit().await?;
    Ok(made)
}

/// Care a person pays for themself was once recorded among the council's placements; the
/// placements table is derived (a report's index), so those rows are simply removed.
async fn remove_private_placements(db: &impl ConnectionTrait) -> AppResult<u64> {
    let removed = placement::Entity::delete_many()
        .filter(
            placement::Column::BookingId.in_subquery(
                Query::select()
                    .column((booking::Entity, booking::Column::Id))
                    .from(booking::Entity)
                    .inner_join(budget::Entity, Expr::col((budget::Entity, budget::Column::Id)).equals((booking::Entity, booking::Column::BudgetId)))
                    .and_where(budget::Column::Funding.eq(Funding::OwnMoney))
                    .to_owned(),
            ),
        )
        .exec(db)
        .await?;
    Ok(removed.rows_affected)
}

/// Before provider accounts were per council and provider, every council's care for a
/// provider was owed (and paid) through one account, so a council's payment run paid the
/// others' care too. Each such account with money in it is emptied into the per-council
/// accounts: each council's share is what its people's budgets paid in, less what its own
/// payment runs paid out. Where one council's run paid another's care, the provider has had
/// that money already: the paying council is owed nothing more, the other council's share
/// is reduced by it, and the audit log says who paid for whom, for the councils to settle.
async fn split_provider_accounts(db: &Db, now: DateTime<Utc>) -> AppResult<u64> {
    let legacy = ledger_account::Entity::find()
        .filter(ledger_account::Column::Kind.is_in([AccountKind::ProviderPayable.code(), AccountKind::ProviderPaid.code()]))
        .filter(ledger_account::Column::Code.starts_with("provider:"))
        .filter(ledger_account::Column::BalancePence.ne(0))
        .order_by_asc(ledger_account::Column::Id)
        .all(db)
        .await?;
    let mut split = 0;
    for account in legacy {
        let txn = crate::db::begin_write(db).await?;
        // Read again in the write: another server may have split it meanwhile.
        let Some(account) = ledger_account::Entity::find_by_id(account.id).one(&txn).await?.filter(|a| a.balance_pence != 0) else { continue };
        let Some(provider_id) = account.provider_id else { continue };
        let payable = account.kind == AccountKind::ProviderPayable.code();
        let mut shares = council_shares(&txn, account.id).await?;
        if shares.iter().map(|(_, share)| share).sum::<i64>() != account.balance_pence {
            return Err(AppError::internal(format!("ledger account {} does not add up to its balance; not split", account.code)));
        }
        if payable {
            settle_overpayments(&txn, &mut shares, provider_id, now).await?;
        }
        let kind = if payable { AccountKind::ProviderPayable } else { AccountKind::ProviderPaid };
        let from =
            Account { code: account.code.clone(), kind, council_id: account.council_id, budget_id: None, provider_id: Some(provider_id), id: Some(account.id) };
        for (council_id, share) in shares.into_iter().filter(|(_, share)| *share > 0) {
            let to = if payable { Account::provider_payable(council_id, provider_id) } else { Account::provider_paid(council_id, provider_id) };
            let key = format!("repair:split:{}:council:{council_id}", account.id);
            ledger::transfer(&txn, &Transfer::new(key, from.clone(), to, share, "council_split"), now).await?;
        }
        audit::record(&txn, now, None, None, "ledger_account_split_by_council", serde_json::json!({ "account": account.code })).await?;
        txn.commit().await?;
        split += 1;
    }
    Ok(split)
}

/// Each council's share of an account: what came in from that council's accounts, less what
/// went out to them; a payment counts for the council whose run made it.
async fn council_shares(db: &impl ConnectionTrait, account_id: i64) -> AppResult<Vec<(i64, i64)>> {
    #[derive(FromQueryResult)]
    struct Share {
        council_id: i64,
        share: i64,
    }
    let sql = "SELECT council_id, CAST(SUM(amount) AS BIGINT) AS share FROM ( \
            SELECT COALESCE(r.council_id, other.council_id) AS council_id, \
                CASE WHEN t.credit_account_id = $1 THEN t.amount_pence ELSE -t.amount_pence END AS amount \
            FROM ledger_transfers t \
            JOIN ledger_accounts other ON other.id = CASE WHEN t.credit_account_id = $1 THEN t.debit_account_id ELSE t.credit_account_id END \
            LEFT JOIN payment_runs r ON r.reference = t.payment_ref \
            WHERE t.credit_account_id = $1 OR t.debit_account_id = $1 \
        ) AS moves GROUP BY council_id ORDER BY council_id";
    let backend = db.get_database_backend();
    let sql = if backend == sea_orm::DbBackend::Postgres { sql.to_string() } else { sql.replace("$1", "?1") };
    let rows = Share::find_by_statement(Statement::from_sql_and_values(backend, sql, [account_id.into()])).all(db).await?;
    Ok(rows.into_iter().map(|row| (row.council_id, row.share)).collect())
}

/// A council whose runs paid more than its own care paid some of another council's: the
/// provider already has that money, so it comes off the other councils' shares.
async fn settle_overpayments(db: &impl ConnectionTrait, shares: &mut [(i64, i64)], provider_id: i64, now: DateTime<Utc>) -> AppResult<()> {
    let overpaid: Vec<(i64, i64)> = shares.iter().filter(|(_, share)| *share < 0).map(|(council, share)| (*council, -share)).collect();
    for (payer, mut amount) in overpaid {
        for (council_id, share) in shares.iter_mut().filter(|(_, share)| *share > 0) {
            let taken = Ord::min(amount, *share);
            *share -= taken;
            amount -= taken;
            let detail = serde_json::json!({ "provider": provider_id, "paid_by_council": payer, "care_of_council": *council_id, "pence": taken });
            audit::record(db, now, None, None, "provider_paid_for_another_council", detail).await?;
            if amount == 0 {
                break;
            }
        }
    }
    for (_, share) in shares.iter_mut() {
        *share = Ord::max(*share, 0);
    }
    Ok(())
}
