//! How a council budget ends. It may carry an end date: no care is booked for after it, no
//! allocation is paid for a period starting after it, and money still spent on care after it is
//! flagged (`risk_flags`). A commissioner closes a budget the person no longer needs: every
//! booking it pays for ends (what is set aside for care not yet given is released; care already
//! given is still paid once confirmed), an open proposal to recover money is withdrawn, and
//! what is left goes back to the council's funding, all in one transaction: closing twice is
//! refused and moves nothing. Self-funders' accounts are theirs: a council never ends them.
use super::auth::commissioners_council;
use super::ledger::{self, Account, Transfer};
use super::notifications::{self, News};
use super::values::required_text;
use super::{audit, booking_changes, uk_time};
use crate::db::Db;
use crate::entities::{booking, budget, recovery};
use crate::error::{AppError, AppResult};
use app::{BookingStatus, Funding, MailKind, RecoveryStatus, SignedInUser, format_pence};
use chrono::{DateTime, Utc};
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

/// Begins the key of the transfer that empties a closed budget (one per budget).
const CLOSING: &str = "budget_closed:";

/// Whether a transfer (by its key) is the one that emptied a closed budget.
pub fn is_closing(key: &str) -> bool {
    key.starts_with(CLOSING)
}

/// Refuses spending from a closed budget, in words the person understands.
pub fn refuse_if_closed(budget: &budget::Model) -> AppResult<()> {
    match budget.closed_at {
        Some(closed) => Err(AppError::invalid(
            "",
            format!(
                "This budget was closed by the council on {}: nothing more can be booked or paid from it",
                uk_time::long_date(uk_time::to_local(closed).date())
            ),
        )),
        None => Ok(()),
    }
}

/// A council-funded budget of the commissioner's council (anyone else's: not found).
async fn councils_budget(db: &impl ConnectionTrait, viewer: &SignedInUser, budget_id: i64) -> AppResult<budget::Model> {
    let council = commissioners_council(viewer)?;
    budget::Entity::find_by_id(budget_id).one(db).await?.filter(|b| b.council_id == council && b.funding() == Funding::Council).ok_or(AppError::NotFound)
}

/// Sets (or, empty, clears) a budget's end date. It may be in the past (care that should have
/// ended is then flagged), never before the budget starts.
pub async fn set_end_date(db: &Db, viewer: &SignedInUser, budget_id: i64, typed: &str, now: DateTime<Utc>) -> AppResult<()> {
    // The error names no field: the form is one of many on the page, one per budget.
    let ends_on = match typed.trim() {
        "" => None,
        typed => Some(uk_time::parse_date("", typed, "the end date")?),
    };
    let txn = crate::db::begin_write(db).await?;
    let found = councils_budget(&txn, viewer, budget_id).await?;
    refuse_if_closed(&found)?;
    if let Some(day) = ends_on.filter(|day| *day < found.starts_on) {
        let starts = uk_time::long_date(found.starts_on);
        return Err(AppError::invalid("", format!("The end date ({}) cannot be before the budget starts on {starts}", uk_time::long_date(day))));
    }
    let (holder, before) = (found.holder_id, found.ends_on);
    let mut row: budget::ActiveModel = found.into();
    row.ends_on = Set(ends_on);
    row.update(&txn).await?;
    let detail = serde_json::json!({ "budget": budget_id, "from": before, "to": ends_on });
    audit::record(&txn, now, Some(viewer.user_id), Some(holder), "budget_end_date_set", detail).await?;
    txn.commit().await?;
    Ok(())
}

/// What closing a budget did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Closed {
    /// Bookings ended.
    pub bookings: usize,
    /// What went back to the council.
    pub returned_pence: i64,
}

/// Closes a budget of the commissioner's council, with the reason (kept in the audit log and
/// told to the person; providers are told only that the budget closed).
pub async fn close(db: &Db, viewer: &SignedInUser, budget_id: i64, reason: &str, now: DateTime<Utc>) -> AppResult<Closed> {
    councils_budget(db, viewer, budget_id).await?;
    let reason = required_text("", reason, "why the budget is closing", 500)?;
    let txn = crate::db::begin_write(db).await?;
    // Locked, so a booking or card payment made at the same instant waits and then sees it closed.
    let (found, accounts) = ledger::budget_with_accounts(&txn, budget::Entity::find_by_id(budget_id), true).await?.ok_or(AppError::NotFound)?;
    refuse_if_closed(&found).map_err(|_| AppError::invalid("", "This budget is already closed"))?;
    let live = booking::Entity::find()
        .filter(booking::Column::BudgetId.eq(budget_id))
        .filter(booking::Column::Status.is_in(BookingStatus::LIVE))
        .order_by_asc(booking::Column::Id)
        .lock_exclusive()
        .all(&txn)
        .await?;
    for ended in &live {
        booking_changes::end_for_closed_budget(&txn, ended, now).await?;
        let news = News::about_booking(
            ended,
            "budget_closed",
            format!("Booking {} has ended", ended.reference),
            format!(
                "Booking {} has ended: the council closed the budget that paid for it. Visits still to come are cancelled; \
                 care you have already given is paid once it is confirmed.",
                ended.reference
            ),
        );
        notifications::mail_provider_staff(&txn, ended.provider_id, &news, now).await?;
    }
    recovery::Entity::update_many()
        .col_expr(recovery::Column::Status, Expr::value(RecoveryStatus::Withdrawn))
        .col_expr(recovery::Column::DecidedBy, Expr::value(viewer.user_id))
        .col_expr(recovery::Column::DecidedAt, Expr::value(now))
        .filter(recovery::Column::BudgetId.eq(budget_id))
        .filter(recovery::Column::Status.eq(RecoveryStatus::Proposed))
        .exec(&txn)
        .await?;
    let returned = ledger::balance(&txn, &accounts.available).await?;
    if returned > 0 {
        let back = Transfer::new(format!("{CLOSING}{budget_id}"), accounts.available.clone(), Account::council_funding(found.council_id), returned, "recovery")
            .by(Some(viewer.user_id));
        ledger::transfer(&txn, &back, now).await?;
    }
    let today = uk_time::to_local(now).date();
    let (holder, council) = (found.holder_id, found.council_id);
    let mut row: budget::ActiveModel = found.clone().into();
    row.closed_at = Set(Some(now));
    row.ends_on = Set(Some(found.ends_on.map_or(today, |day| day.min(today))));
    row.update(&txn).await?;
    let news = News {
        event: format!("budget:{budget_id}:closed"),
        subject: "The council has closed your personal budget".into(),
        message: format!(
            "The council has closed your personal budget, because: {reason} {} {} went back to the council. \
             Care already given is still paid for. Your statement shows every movement.",
            match live.len() {
                0 => "You had no bookings running.".to_string(),
                1 => "Your booking has ended.".to_string(),
                n => format!("Your {n} bookings have ended."),
            },
            format_pence(returned.max(0)),
        ),
        link_path: format!("/budget/statement?budget={budget_id}"),
        link_text: "See your statement",
        kind: MailKind::Money,
    };
    notifications::tell(&txn, holder, None, &news, now).await?;
    let detail = serde_json::json!({ "budget": budget_id, "council": council, "reason": reason, "bookings": live.len(), "returned_pence": returned });
    audit::record(&txn, now, Some(viewer.user_id), Some(holder), "budget_closed", detail).await?;
    txn.commit().await?;
    Ok(Closed { bookings: live.len(), returned_pence: returned.max(0) })
}
