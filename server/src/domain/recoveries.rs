//! Money recovered. A commissioner proposes to take back what a direct payment or managed
//! account holds above an amount it keeps, with a reason; the holder is told and has 14 days to
//! reply on CareMarket; then the commissioner confirms or withdraws. Confirming moves what is
//! above the amount kept *then*, never more than the holder was told, from the budget's
//! available money back to the council's funding: money set aside for booked care is another account and is never touched, and the
//! same confirmation sent twice recovers once. Self-funders' accounts and individual service
//! funds (which roll over by design) take no part.
use super::auth::{commissioners_council, readable_code};
use super::ledger::{self, Account, Transfer};
use super::notifications::{self, News};
use super::values::{Pence, collect, required_text};
use super::{audit, uk_time};
use crate::db::Db;
use crate::entities::{budget, recovery, user};
use crate::error::{AppError, AppResult};
use app::{BudgetType, Funding, MailKind, RecoveriesAdmin, RecoveryForm, RecoveryLine, RecoveryStatus, RecoveryTarget, Role, SignedInUser, format_pence};
use chrono::{DateTime, Duration, Utc};
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, SqlErr};

/// How long the holder has to reply.
pub const REPLY_DAYS: i64 = 14;
/// The longest reason or reply.
const MOST_WORDS: usize = 1_000;

/// A council-funded budget of this council that money may be recovered from.
async fn recoverable_budget(db: &impl ConnectionTrait, council: i64, budget_id: i64) -> AppResult<budget::Model> {
    let found = budget::Entity::find_by_id(budget_id)
        .one(db)
        .await?
        .filter(|budget| budget.council_id == council && budget.funding == Funding::Council.code())
        .ok_or(AppError::NotFound)?;
    if found.budget_type == BudgetType::IndividualServiceFund {
        return Err(AppError::invalid("budget_id", "An individual service fund rolls over by design: nothing is recovered from it"));
    }
    if found.closed_at.is_some() {
        return Err(AppError::invalid("budget_id", "This budget is closed: what it held has gone back to the council already"));
    }
    Ok(found)
}

async fn available(db: &impl ConnectionTrait, budget: &budget::Model) -> AppResult<i64> {
    ledger::balance(db, &Account::budget_available(budget.council_id, budget.id)).await
}

/// The commissioner's page: every proposal of the council, newest first, and (for `budget`) what
/// the form to propose one needs.
pub async fn page(db: &impl ConnectionTrait, viewer: &SignedInUser, budget_id: Option<i64>, now: DateTime<Utc>) -> AppResult<RecoveriesAdmin> {
    let council = commissioners_council(viewer)?;
    let proposing = match budget_id {
        Some(budget_id) => {
            let budget = recoverable_budget(db, council, budget_id).await?;
            let holder = user::Entity::find_by_id(budget.holder_id).one(db).await?.ok_or(AppError::NotFound)?;
            Some(RecoveryTarget {
                budget_id,
                holder: holder.display_name,
                budget_type: budget.budget_type,
                available_pence: available(db, &budget).await?,
                set_aside_pence: ledger::balance(db, &Account::budget_committed(council, budget_id)).await?,
                four_weekly_pence: budget.four_weekly_allocation_pence + budget.four_weekly_contribution_pence,
            })
        }
        None => None,
    };
    let rows = recovery::Entity::find().filter(recovery::Column::CouncilId.eq(council)).order_by_desc(recovery::Column::Id).limit(200).all(db).await?;
    Ok(RecoveriesAdmin { recoveries: lines(db, rows, Some(viewer), now).await?, proposing })
}

/// One proposal, for the commissioners of its council or the budget's holder.
pub async fn one(db: &impl ConnectionTrait, viewer: &SignedInUser, reference: &str, now: DateTime<Utc>) -> AppResult<RecoveryLine> {
    let (found, _) = visible(db, viewer, reference).await?;
    lines(db, vec![found], Some(viewer), now).await?.pop().ok_or(AppError::NotFound)
}

/// The proposal and its budget, if the viewer may see it (anyone else: not found).
async fn visible(db: &impl ConnectionTrait, viewer: &SignedInUser, reference: &str) -> AppResult<(recovery::Model, budget::Model)> {
    let found = recovery::Entity::find().filter(recovery::Column::Reference.eq(reference)).one(db).await?.ok_or(AppError::NotFound)?;
    let budget = budget::Entity::find_by_id(found.budget_id).one(db).await?.ok_or(AppError::NotFound)?;
    let allowed = match viewer.role {
        Role::Commissioner => viewer.council_id == found.council_id,
        Role::BudgetHolder => viewer.user_id == budget.holder_id,
        _ => false,
    };
    if allowed { Ok((found, budget)) } else { Err(AppError::NotFound) }
}

async fn lines(db: &impl ConnectionTrait, rows: Vec<recovery::Model>, viewer: Option<&SignedInUser>, now: DateTime<Utc>) -> AppResult<Vec<RecoveryLine>> {
    let budgets = budget::Entity::find().filter(budget::Column::Id.is_in(rows.iter().map(|r| r.budget_id))).all(db).await?;
    let holders = user::Entity::find().filter(user::Column::Id.is_in(budgets.iter().map(|b| b.holder_id))).all(db).await?;
    let role = viewer.map(|viewer| viewer.role);
    Ok(rows
        .into_iter()
        .map(|row| {
            let holder = budgets.iter().find(|b| b.id == row.budget_id).and_then(|b| holders.iter().find(|h| h.id == b.holder_id));
            let open = row.status == RecoveryStatus::Proposed;
            RecoveryLine {
                holder: holder.map(|h| h.display_name.clone()).unwrap_or_default(),
                status: row.status,
                keep_pence: row.keep_pence,
                surplus_pence: row.surplus_pence,
                recovered_pence: row.recovered_pence,
                reply_by: uk_time::long_date(uk_time::to_local(row.reply_by).date()),
                can_reply: open && role == Some(Role::BudgetHolder) && row.reply_text.is_none(),
                can_confirm: open && role == Some(Role::Commissioner) && may_confirm(&row, now),
                can_withdraw: open && role == Some(Role::Commissioner),
                reply: row.reply_text,
                reason: row.reason,
                reference: row.reference,
            }
        })
        .collect())
}

/// The holder has replied, or had their 14 days.
fn may_confirm(row: &recovery::Model, now: DateTime<Utc>) -> bool {
    row.reply_text.is_some() || now >= row.reply_by
}

fn already_proposed() -> AppError {
    AppError::invalid("budget_id", "Money is already proposed to be recovered from this budget: confirm or withdraw that first")
}

/// Proposes recovering what the budget holds above `keep`; returns the proposal's reference.
pub async fn propose(db: &Db, viewer: &SignedInUser, form: &RecoveryForm, now: DateTime<Utc>) -> AppResult<String> {
    let council = commissioners_council(viewer)?;
    let mut errors = Vec::new();
    let keep = collect(&mut errors, Pence::parse_price("keep", &form.keep, "the amount the budget keeps", Pence::from_pence(100_000_000)));
    let reason = collect(&mut errors, required_text("reason", &form.reason, "the reason for recovering the money", MOST_WORDS));
    let (Some(keep), Some(reason)) = (keep, reason) else { return Err(AppError::Invalid(errors)) };
    let txn = crate::db::begin_write(db).await?;
    let budget = recoverable_budget(&txn, council, form.budget_id).await?;
    let open = recovery::Entity::find()
        .filter(recovery::Column::BudgetId.eq(budget.id))
        .filter(recovery::Column::Status.eq(RecoveryStatus::Proposed))
        .one(&txn)
        .await?;
    if open.is_some() {
        return Err(already_proposed());
    }
    let available = available(&txn, &budget).await?;
    let surplus = available - keep.pence();
    if surplus <= 0 {
        return Err(AppError::invalid("keep", format!("The budget has {} available: keep less than that to recover anything", format_pence(available))));
    }
    let reference = format!("RC-{}", readable_code(2)?);
    let reply_by = now + Duration::days(REPLY_DAYS);
    let inserted = recovery::Entity::insert(recovery::ActiveModel {
        reference: Set(reference.clone()),
        council_id: Set(council),
        budget_id: Set(budget.id),
        keep_pence: Set(keep.pence()),
        surplus_pence: Set(surplus),
        reason: Set(reason.clone()),
        status: Set(RecoveryStatus::Proposed),
        reply_by: Set(reply_by),
        proposed_by: Set(viewer.user_id),
        created_at: Set(now),
        ..Default::default()
    })
    .exec_without_returning(&txn)
    .await;
    match inserted {
        Err(error) if matches!(error.sql_err(), Some(SqlErr::UniqueConstraintViolation(_))) => return Err(already_proposed()),
        other => other?,
    };
    let news = News {
        event: format!("recovery:{reference}:proposed"),
        subject: "The council proposes to take back unspent money from your budget".into(),
        message: format!(
            "Your budget has {} available, more than it needs. The council proposes to take back {} and leave {}, because: {reason} \
             Money set aside for care you have booked is not affected. You can reply until {}; then the council decides.",
            format_pence(available),
            format_pence(surplus),
            format_pence(keep.pence()),
            uk_time::long_date(uk_time::to_local(reply_by).date())
        ),
        link_path: format!("/recoveries/{reference}"),
        link_text: "Read it and reply",
        kind: MailKind::Money,
    };
    notifications::tell(&txn, budget.holder_id, None, &news, now).await?;
    let detail = serde_json::json!({ "recovery": reference, "budget": budget.id, "keep_pence": keep.pence(), "surplus_pence": surplus });
    audit::record(&txn, now, Some(viewer.user_id), Some(budget.holder_id), "recovery_proposed", detail).await?;
    txn.commit().await?;
    Ok(reference)
}

/// The holder replies, once, while the proposal is open; the council's commissioners are told.
pub async fn reply(db: &Db, viewer: &SignedInUser, reference: &str, text: &str, now: DateTime<Utc>) -> AppResult<()> {
    if viewer.role != Role::BudgetHolder {
        return Err(AppError::Forbidden);
    }
    let text = required_text("reply", text, "your reply", MOST_WORDS)?;
    let txn = crate::db::begin_write(db).await?;
    let (found, budget) = visible(&txn, viewer, reference).await?;
    let replied = recovery::Entity::update_many()
        .col_expr(recovery::Column::ReplyText, Expr::value(text.clone()))
        .col_expr(recovery::Column::RepliedAt, Expr::value(now))
        .filter(recovery::Column::Id.eq(found.id))
        .filter(recovery::Column::Status.eq(RecoveryStatus::Proposed))
        .filter(recovery::Column::ReplyText.is_null())
        .exec(&txn)
        .await?;
    if replied.rows_affected != 1 {
        return Err(AppError::invalid("reply", "This proposal has been replied to or decided already"));
    }
    let news = News {
        event: format!("recovery:{reference}:replied"),
        subject: format!("{}: the holder replied", found.reference),
        message: format!("The holder replied to the proposal to recover money ({}): {text}", found.reference),
        link_path: format!("/recoveries/{reference}"),
        link_text: "Decide",
        kind: MailKind::Money,
    };
    notifications::mail_council_staff(&txn, found.council_id, &news, now).await?;
    audit::record(&txn, now, Some(viewer.user_id), Some(budget.holder_id), "recovery_replied", serde_json::json!({ "recovery": reference })).await?;
    txn.commit().await?;
    Ok(())
}

/// The commissioner confirms (once the holder has replied or had 14 days), recovering what the
/// budget holds above the amount kept now, or withdraws. Returns the pence recovered.
pub async fn decide(db: &Db, viewer: &SignedInUser, reference: &str, confirm: bool, now: DateTime<Utc>) -> AppResult<i64> {
    let council = commissioners_council(viewer)?;
    let txn = crate::db::begin_write(db).await?;
    let found = recovery::Entity::find()
        .filter(recovery::Column::Reference.eq(reference))
        .filter(recovery::Column::CouncilId.eq(council))
        .lock_exclusive()
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound)?;
    if found.status != RecoveryStatus::Proposed {
        return Err(AppError::invalid("", "This proposal has been decided already"));
    }
    let budget = budget::Entity::find_by_id(found.budget_id).one(&txn).await?.ok_or(AppError::NotFound)?;
    let recovered = if confirm {
        if !may_confirm(&found, now) {
            let day = uk_time::long_date(uk_time::to_local(found.reply_by).date());
            return Err(AppError::invalid("", format!("Wait for the holder's reply, or until {day}, before recovering the money")));
        }
        // What is above the amount kept now, but never more than the holder was told: money
        // paid in since (the next allocation, their own top-up) is not surplus.
        let above = Ord::min(available(&txn, &budget).await? - found.keep_pence, found.surplus_pence);
        if above <= 0 {
            return Err(AppError::invalid("", "The budget no longer holds more than the amount it keeps: there is nothing to recover. Withdraw the proposal"));
        }
        let back = Transfer::new(
            format!("recovery:{}", found.id),
            Account::budget_available(council, budget.id),
            Account::council_funding(council),
            above,
            "recovery",
        )
        .by(Some(viewer.user_id));
        ledger::transfer(&txn, &back, now).await?;
        above
    } else {
        0
    };
    let status = if confirm { RecoveryStatus::Recovered } else { RecoveryStatus::Withdrawn };
    let decided = recovery::Entity::update_many()
        .col_expr(recovery::Column::Status, Expr::value(status))
        .col_expr(recovery::Column::RecoveredPence, Expr::value(confirm.then_some(recovered)))
        .col_expr(recovery::Column::DecidedBy, Expr::value(viewer.user_id))
        .col_expr(recovery::Column::DecidedAt, Expr::value(now))
        .filter(recovery::Column::Id.eq(found.id))
        .filter(recovery::Column::Status.eq(RecoveryStatus::Proposed))
        .exec(&txn)
        .await?;
    if decided.rows_affected != 1 {
        return Err(AppError::invalid("", "This proposal has been decided already"));
    }
    let message = if confirm {
        format!("The council took back {} of unspent money from your budget ({}). It shows on your budget statement.", format_pence(recovered), found.reference)
    } else {
        format!("The council withdrew its proposal to take back money from your budget ({}). Nothing changes.", found.reference)
    };
    let news = News {
        event: format!("recovery:{reference}:decided"),
        subject: if confirm {
            "The council took back unspent money from your budget".into()
        } else {
            "The council will not take back money from your budget".into()
        },
        message,
        link_path: format!("/recoveries/{reference}"),
        link_text: "See the decision",
        kind: MailKind::Money,
    };
    notifications::tell(&txn, budget.holder_id, None, &news, now).await?;
    let action = if confirm { "recovery_confirmed" } else { "recovery_withdrawn" };
    audit::record(&txn, now, Some(viewer.user_id), Some(budget.holder_id), action, serde_json::json!({ "recovery": reference, "pence": recovered })).await?;
    txn.commit().await?;
    Ok(recovered)
}
