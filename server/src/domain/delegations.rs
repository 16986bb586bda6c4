//! Acting on someone's behalf. A budget holder lets a named planner (or a family member or
//! friend, who gets a helper's account if they have none) view their budget, book and pay
//! for them, optionally until a date, and can take that back at once. A planner picks whom
//! to act for (checked against the permission on every request) and every action records
//! both who did it and for whom in the append-only audit log, which the person can read as
//! "done on your behalf".
use super::budgets::{self, Right};
use super::values::{Email, and_list, capitalise, collect, required_text};
use super::{audit, auth, uk_time};
use crate::entities::{audit_entry, delegation, user};
use crate::error::{AppError, AppResult};
use app::{ActingFor, DoneForYou, HelperForm, HelperLine, HelpersPage, Role, SignedInUser};
use chrono::{DateTime, NaiveDate, Utc};
use sea_orm::ActiveValue::Set;
use sea_orm::{ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, TransactionTrait};

fn holder_only(viewer: &SignedInUser) -> AppResult<()> {
    if viewer.role == Role::BudgetHolder { Ok(()) } else { Err(AppError::Forbidden) }
}

fn live(now: DateTime<Utc>) -> Condition {
    Condition::all()
        .add(delegation::Column::RevokedAt.is_null())
        .add(Condition::any().add(delegation::Column::ExpiresAt.is_null()).add(delegation::Column::ExpiresAt.gt(now)))
}

/// The helpers page: who may act for the person now, and what has been done for them.
pub async fn helpers(db: &impl ConnectionTrait, viewer: &SignedInUser, now: DateTime<Utc>) -> AppResult<HelpersPage> {
    holder_only(viewer)?;
    let granted = delegation::Entity::find().filter(delegation::Column::HolderId.eq(viewer.user_id)).filter(live(now)).order_by_asc(delegation::Column::Id).all(db).await?;
    let people = user::Entity::find().filter(user::Column::Id.is_in(granted.iter().map(|d| d.delegate_id))).all(db).await?;
    let helpers = granted
        .iter()
        .filter_map(|grant| {
            let person = people.iter().find(|p| p.id == grant.delegate_id)?;
            let mut rights = vec!["see your budget"];
            if grant.can_book {
                rights.push("book and cancel care");
            }
            if grant.can_pay {
                rights.push("pay by card");
            }
            Some(HelperLine {
                id: grant.id,
                name: person.display_name.clone(),
                email: person.email.clone(),
                rights: capitalise(&and_list(&rights)),
                until: grant.expires_at.map(|at| format!("Until {}", uk_time::to_local(at).format("%-d %B %Y"))),
            })
        })
        .collect();
    let entries = audit_entry::Entity::find()
        .filter(audit_entry::Column::SubjectId.eq(viewer.user_id))
        .filter(audit_entry::Column::ActorId.ne(viewer.user_id))
        .filter(audit_entry::Column::ActorId.is_not_null())
        .order_by_desc(audit_entry::Column::Id)
        .limit(50)
        .all(db)
        .await?;
    let actors = user::Entity::find().filter(user::Column::Id.is_in(entries.iter().filter_map(|e| e.actor_id))).all(db).await?;
    let done_for_you = entries
        .iter()
        .map(|entry| {
            let local = uk_time::to_local(entry.at);
            DoneForYou {
                at: format!("{}, {}", local.format("%-d %B %Y"), local.format("%H:%M")),
                who: actors.iter().find(|a| Some(a.id) == entry.actor_id).map(|a| a.display_name.clone()).unwrap_or_default(),
                what: action_in_words(&entry.action, &entry.detail),
            }
        })
        .collect();
    Ok(HelpersPage { helpers, done_for_you })
}

fn action_in_words(action: &str, detail: &str) -> String {
    let booking = serde_json::from_str::<serde_json::Value>(detail).ok().and_then(|d| d.get("booking").and_then(|b| b.as_str()).map(str::to_string));
    let with_booking = |what: &str| booking.as_ref().map_or_else(|| what.to_string(), |reference| format!("{what} (booking {reference})"));
    match action {
        "booking_requested" => with_booking("Asked for care"),
        "booking_cancelled" => with_booking("Cancelled care"),
        "booking_accepted" => with_booking("The provider accepted a booking"),
        "booking_declined" => with_booking("The provider declined a booking"),
        "booking_handed_back" => with_booking("The provider handed back care"),
        other => other.replace('_', " "),
    }
}

/// Lets a support planner, or a family member or friend, act for the person. Replaces any
/// permission that helper already has. Someone with no account yet (a family member, usually)
/// gets one when the person gives their name: the one-time code returned is for the person to
/// pass on, so their helper can choose a password at `/account/set-up`.
pub async fn grant<C: ConnectionTrait + TransactionTrait>(db: &C, viewer: &SignedInUser, form: &HelperForm, now: DateTime<Utc>) -> AppResult<Option<String>> {
    holder_only(viewer)?;
    let mut errors = Vec::new();
    let email = if form.email.trim().is_empty() {
        errors.push(app::FieldError::new("email", "Enter the email address of the person who will help you"));
        None
    } else {
        collect(&mut errors, Email::parse("email", &form.email))
    };
    let name = match form.name.trim() {
        "" => None,
        _ => collect(&mut errors, required_text("name", &form.name, "their full name", 120)),
    };
    let until = match form.until.trim() {
        "" => None,
        text => collect(
            &mut errors,
            NaiveDate::parse_from_str(text, "%Y-%m-%d")
                .map_err(|_| AppError::invalid("until", "Enter the end date like 2027-03-31, or leave it empty"))
                .and_then(|day| if day > uk_time::to_local(now).date() { Ok(day) } else { Err(AppError::invalid("until", "The end date must be in the future")) }),
        ),
    };
    let Some(email) = email else { return Err(AppError::Invalid(errors)) };
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let txn = crate::db::begin_write(db).await?;
    let existing = user::Entity::find().filter(user::Column::Email.eq(email.as_str())).one(&txn).await?;
    let (helper, code) = match (existing, name) {
        (Some(helper), _) if helper.role == Role::Planner.code() && helper.disabled_at.is_none() => (helper, None),
        (Some(_), _) => return Err(AppError::invalid("email", "That email address belongs to an account that cannot help someone else: ask them for another one")),
        (None, None) => {
            return Err(AppError::invalid(
                "name",
                "There is no account with that email address yet. Check it, or enter their name and we will give you a code for them to set up their account",
            ));
        }
        (None, Some(name)) => {
            let new_user = super::accounts::NewUser { council_id: viewer.council_id, email: &email, name: &name, role: Role::Planner, provider_id: None };
            let helper = super::accounts::insert_user(&txn, new_user, auth::NO_PASSWORD_YET.into(), now).await?;
            let code = super::budget_admin::issue_set_up_code(&txn, helper.id, now).await?;
            audit::record(&txn, now, Some(viewer.user_id), Some(helper.id), "helper_account_opened", serde_json::json!({})).await?;
            (helper, Some(code))
        }
    };
    delegation::Entity::update_many()
        .col_expr(delegation::Column::RevokedAt, sea_orm::sea_query::Expr::value(now))
        .filter(delegation::Column::HolderId.eq(viewer.user_id))
        .filter(delegation::Column::DelegateId.eq(helper.id))
        .filter(delegation::Column::RevokedAt.is_null())
        .exec(&txn)
        .await?;
    let (can_book, can_pay) = (form.can_book == "yes", form.can_pay == "yes");
    let expires_at = until.and_then(|day| day.succ_opt()).and_then(|day| day.and_hms_opt(0, 0, 0)).map(uk_time::to_utc);
    delegation::Entity::insert(delegation::ActiveModel {
        holder_id: Set(viewer.user_id),
        delegate_id: Set(helper.id),
        can_view: Set(true),
        can_book: Set(can_book),
        can_pay: Set(can_pay),
        expires_at: Set(expires_at),
        created_at: Set(now),
        revoked_at: Set(None),
        ..Default::default()
    })
    .exec(&txn)
    .await?;
    let detail = serde_json::json!({ "helper": helper.id, "can_book": can_book, "can_pay": can_pay, "until": until });
    audit::record(&txn, now, Some(viewer.user_id), Some(viewer.user_id), "helper_added", detail).await?;
    txn.commit().await?;
    Ok(code)
}

/// Takes a permission back at once.
pub async fn revoke<C: ConnectionTrait + TransactionTrait>(db: &C, viewer: &SignedInUser, delegation_id: i64, now: DateTime<Utc>) -> AppResult<()> {
    holder_only(viewer)?;
    let txn = crate::db::begin_write(db).await?;
    let grant = delegation::Entity::find_by_id(delegation_id)
        .one(&txn)
        .await?
        .filter(|grant| grant.holder_id == viewer.user_id && grant.revoked_at.is_none())
        .ok_or(AppError::NotFound)?;
    let helper = grant.delegate_id;
    let mut row: delegation::ActiveModel = grant.into();
    row.revoked_at = Set(Some(now));
    row.update(&txn).await?;
    audit::record(&txn, now, Some(viewer.user_id), Some(viewer.user_id), "helper_removed", serde_json::json!({ "helper": helper })).await?;
    txn.commit().await?;
    Ok(())
}

/// Whom a planner acts for, if they still may.
pub async fn acting_for(db: &impl ConnectionTrait, planner: &SignedInUser, holder_id: i64, now: DateTime<Utc>) -> AppResult<Option<ActingFor>> {
    if planner.role != Role::Planner || !budgets::may_act(db, holder_id, planner.user_id, Right::View, now).await? {
        return Ok(None);
    }
    let Some(holder) = user::Entity::find_by_id(holder_id).one(db).await? else { return Ok(None) };
    let can_book = budgets::may_act(db, holder_id, planner.user_id, Right::Book, now).await?;
    Ok(Some(ActingFor { user_id: holder.id, display_name: holder.display_name, can_book }))
}
