//! Acting on someone's behalf. A budget holder asks anyone by email (a support planner, a family
//! member or friend) to view their budget, book and pay for them, optionally until a date.
//! Someone with no helper's account is mailed a link to open one. The helper accepts each right
//! or not; the person then sees who accepted and lets them help, and only then does it work; the
//! person can take it back at once. A planner picks whom
//! to act for (checked against the permission on every request) and every action records
//! both who did it and for whom in the append-only audit log, which the person can read as
//! "done on your behalf".
use super::values::{Email, NewPassword, and_list, capitalise, collect, required_text};
use super::{audit, auth, uk_time};
use crate::db::Db;
use crate::entities::{audit_entry, delegation, helper_invitation, user};
use crate::error::{AppError, AppResult};
use app::{
    ActingFor, DoneForYou, HelpAnswer, HelpInvitation, HelpRequest, HelperForm, HelperInvitationLine, HelperLine, HelpersPage, InvitationNext,
    InvitationStatus, Role, SignedInUser,
};
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use sea_orm::ActiveValue::Set;
use sea_orm::{ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect};

fn holder_only(viewer: &SignedInUser) -> AppResult<()> {
    if viewer.role == Role::BudgetHolder { Ok(()) } else { Err(AppError::Forbidden) }
}

fn live(now: DateTime<Utc>) -> Condition {
    Condition::all()
        .add(delegation::Column::RevokedAt.is_null())
        .add(Condition::any().add(delegation::Column::ExpiresAt.is_null()).add(delegation::Column::ExpiresAt.gt(now)))
}

/// What a delegation lets someone do for the person who gave it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Right {
    View,
    Book,
    Pay,
}

/// Whether `delegate_id` holds this right from `holder_id` now (not revoked, not expired).
pub async fn may_act(db: &impl ConnectionTrait, holder_id: i64, delegate_id: i64, right: Right, now: DateTime<Utc>) -> AppResult<bool> {
    let column = match right {
        Right::View => delegation::Column::CanView,
        Right::Book => delegation::Column::CanBook,
        Right::Pay => delegation::Column::CanPay,
    };
    let found = delegation::Entity::find()
        .filter(delegation::Column::HolderId.eq(holder_id))
        .filter(delegation::Column::DelegateId.eq(delegate_id))
        .filter(column.eq(true))
        .filter(live(now))
        .one(db)
        .await?;
    Ok(found.is_some())
}

/// The helpers page: who may act for the person now (and who accepted, when), who has been
/// asked and not answered, and what has been done for them.
pub async fn helpers(db: &impl ConnectionTrait, viewer: &SignedInUser, now: DateTime<Utc>) -> AppResult<HelpersPage> {
    holder_only(viewer)?;
    let granted = delegation::Entity::find()
        .filter(delegation::Column::HolderId.eq(viewer.user_id))
        .filter(live(now))
        .order_by_asc(delegation::Column::Id)
        .all(db)
        .await?;
    let people = user::Entity::find().filter(user::Column::Id.is_in(granted.iter().map(|d| d.delegate_id))).all(db).await?;
    let helpers = granted
        .iter()
        .filter_map(|grant| {
            let person = people.iter().find(|p| p.id == grant.delegate_id)?;
            Some(HelperLine {
                id: grant.id,
                name: person.display_name.clone(),
                email: person.email.clone(),
                rights: rights_in_words(grant.can_book, grant.can_pay, "your"),
                until: until_words(grant.expires_at),
                accepted: format!("Accepted by {} on {}", person.display_name, uk_time::long_date(uk_time::to_local(grant.created_at).date())),
            })
        })
        .collect();
    let waiting = helper_invitation::Entity::find()
        .filter(helper_invitation::Column::HolderId.eq(viewer.user_id))
        .filter(helper_invitation::Column::Status.eq(InvitationStatus::Waiting))
        .order_by_asc(helper_invitation::Column::Id)
        .all(db)
        .await?;
    let answered_by = user::Entity::find().filter(user::Column::Id.is_in(waiting.iter().filter_map(|w| w.answered_by))).all(db).await?;
    let waiting = waiting
        .into_iter()
        .map(|request| HelperInvitationLine {
            id: request.id,
            rights: rights_in_words(request.can_book, request.can_pay, "your"),
            until: until_words(request.expires_at),
            asked: format!("Asked on {}", uk_time::long_date(uk_time::to_local(request.created_at).date())),
            accepted_by: answered_by.iter().find(|helper| Some(helper.id) == request.answered_by).map(|helper| {
                let day = uk_time::long_date(uk_time::to_local(request.answered_at.unwrap_or(request.created_at)).date());
                format!("{} ({}) accepted on {day}", helper.display_name, helper.email)
            }),
            email: request.email,
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
    Ok(HelpersPage { helpers, waiting, done_for_you })
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
        "helper_accepted" => "Accepted your request to help you".to_string(),
        "helper_declined" => "Said no to your request to help you".to_string(),
        "helper_account_opened" => "Opened a helper's account to answer your request".to_string(),
        other => other.replace('_', " "),
    }
}

/// Asks someone, by email, to help the person: a support planner, a family member or a friend.
/// A helper's account at the address is told on its caseload; any other address is mailed the
/// request, with a link to open a helper's account when it has none. Nothing works until they
/// accept and the person lets them; a new request to the same address replaces one still
/// waiting. The answer is the same whether or not the address has an account, or which kind,
/// so the form cannot be used to learn who has one.
pub async fn grant(db: &Db, viewer: &SignedInUser, form: &HelperForm, now: DateTime<Utc>) -> AppResult<()> {
    holder_only(viewer)?;
    let mut errors = Vec::new();
    let email = if form.email.trim().is_empty() {
        errors.push(app::FieldError::new("email", "Enter the email address of the person who will help you"));
        None
    } else {
        collect(&mut errors, Email::parse("email", &form.email))
    };
    let until = match form.until.trim() {
        "" => None,
        text => collect(
            &mut errors,
            NaiveDate::parse_from_str(text, "%Y-%m-%d")
                .map_err(|_| AppError::invalid("until", "Enter the end date like 2027-03-31, or leave it empty"))
                .and_then(|day| match day {
                    day if day <= uk_time::to_local(now).date() => Err(AppError::invalid("until", "The end date must be in the future")),
                    day if day.year() > uk_time::LAST_YEAR => {
                        Err(AppError::invalid("until", format!("The end date must be before {}", uk_time::LAST_YEAR + 1)))
                    }
                    day => Ok(day),
                }),
        ),
    };
    let Some(email) = email else { return Err(AppError::Invalid(errors)) };
    if !errors.is_empty() {
        return Err(AppError::Invalid(errors));
    }
    let txn = crate::db::begin_write(db).await?;
    // Each request mails an address the person chose: a few a day is plenty, and keeps the form
    // from being used to send mail to strangers.
    let asked_today = helper_invitation::Entity::find()
        .filter(helper_invitation::Column::HolderId.eq(viewer.user_id))
        .filter(helper_invitation::Column::CreatedAt.gt(now - chrono::Duration::days(1)))
        .count(&txn)
        .await?;
    if asked_today >= REQUESTS_PER_DAY {
        return Err(AppError::invalid("email", format!("You have asked {REQUESTS_PER_DAY} people in the last day. Try again tomorrow")));
    }
    helper_invitation::Entity::update_many()
        .col_expr(helper_invitation::Column::Status, sea_orm::sea_query::Expr::value(InvitationStatus::Withdrawn))
        .col_expr(helper_invitation::Column::AnsweredAt, sea_orm::sea_query::Expr::value(now))
        .filter(helper_invitation::Column::HolderId.eq(viewer.user_id))
        .filter(helper_invitation::Column::Email.eq(email.as_str()))
        .filter(helper_invitation::Column::Status.eq(InvitationStatus::Waiting))
        .exec(&txn)
        .await?;
    let (can_book, can_pay) = (form.can_book == "yes", form.can_pay == "yes");
    let expires_at = until.and_then(|day| day.succ_opt()).and_then(|day| day.and_hms_opt(0, 0, 0)).map(uk_time::to_utc);
    let token = auth::random_token()?;
    let inserted = helper_invitation::Entity::insert(helper_invitation::ActiveModel {
        holder_id: Set(viewer.user_id),
        email: Set(email.as_str().into()),
        can_book: Set(can_book),
        can_pay: Set(can_pay),
        expires_at: Set(expires_at),
        status: Set(InvitationStatus::Waiting),
        created_at: Set(now),
        token_hash: Set(Some(auth::digest(&token))),
        ..Default::default()
    })
    .exec(&txn)
    .await?;
    let detail = serde_json::json!({ "email": email.as_str(), "can_book": can_book, "can_pay": can_pay, "until": until });
    audit::record(&txn, now, Some(viewer.user_id), Some(viewer.user_id), "helper_asked", detail).await?;
    let asked = format!("{} asked you to {} on CareMarket.", viewer.display_name, rights_in_words(can_book, can_pay, "their"));
    // The name is the person's own words: in the body, never the subject.
    let subject = "Someone asked you to help them on CareMarket".to_string();
    let owner = user::Entity::find().filter(user::Column::Email.eq(email.as_str())).one(&txn).await?.filter(|owner| owner.id != viewer.user_id);
    match owner {
        // A closed account is told nothing.
        Some(owner) if owner.disabled_at.is_some() => {}
        // A helper's account is told on its caseload (and by mail, as it chose).
        Some(helper) if helper.role == Role::Planner.code() => {
            let news = super::notifications::News {
                event: format!("help_asked:{}", inserted.last_insert_id),
                subject,
                message: format!("{asked} Nothing changes until you accept on your caseload page."),
                link_path: "/dashboard/planner".into(),
                link_text: "Answer on your caseload page",
                kind: app::MailKind::Bookings,
            };
            super::notifications::tell(&txn, helper.id, None, &news, now).await?;
        }
        // Anyone else is mailed the link: it opens a helper's account, or says why it cannot.
        owner => {
            let body = format!(
                "{asked} To answer, open the request with the link below within {INVITATION_LINK_DAYS} days. Nothing changes until \
                 you accept and {} sees that it is you. If you do not know them, you need not do anything.",
                viewer.display_name
            );
            let letter = super::mail::Letter {
                key: format!("help-invitation:{}", inserted.last_insert_id),
                subject: &subject,
                body: &body,
                link_path: &format!("/helping?token={token}"),
                link_text: "Open the request",
            };
            let user_id = owner.as_ref().map(|owner| owner.id);
            super::mail::queue_to_address(&txn, user_id, email.as_str(), letter, now).await?;
        }
    }
    txn.commit().await?;
    Ok(())
}

/// Requests to help one person may send in a day.
const REQUESTS_PER_DAY: u64 = 10;

/// How long the link mailed with a request to help works.
pub const INVITATION_LINK_DAYS: i64 = 14;

/// The request a mailed link opens, still waiting for its helper's answer.
async fn invitation_by_link(db: &impl ConnectionTrait, token: &str, now: DateTime<Utc>) -> AppResult<Option<helper_invitation::Model>> {
    let found = helper_invitation::Entity::find()
        .filter(helper_invitation::Column::TokenHash.eq(auth::digest(token.trim())))
        .filter(helper_invitation::Column::CreatedAt.gt(now - chrono::Duration::days(INVITATION_LINK_DAYS)))
        .filter(helper_invitation::Column::AnsweredBy.is_null())
        .filter(waiting(now))
        .one(db)
        .await?;
    Ok(found)
}

/// What the link mailed with a request to help shows: who asks and for what, and what the
/// person asked can do next (open a helper's account, or sign in to answer).
pub async fn invitation(db: &impl ConnectionTrait, token: &str, now: DateTime<Utc>) -> AppResult<HelpInvitation> {
    let gone = HelpInvitation { from: String::new(), rights: String::new(), until: None, email: String::new(), next: InvitationNext::Gone };
    let Some(request) = invitation_by_link(db, token, now).await? else { return Ok(gone) };
    let Some(holder) = user::Entity::find_by_id(request.holder_id).one(db).await? else { return Ok(gone) };
    let owner = user::Entity::find().filter(user::Column::Email.eq(request.email.as_str())).one(db).await?;
    let next = match owner {
        None => InvitationNext::OpenAccount,
        Some(owner) if owner.role == Role::Planner.code() => InvitationNext::SignIn,
        Some(_) => InvitationNext::OtherAccount,
    };
    Ok(HelpInvitation {
        from: holder.display_name,
        rights: rights_in_words(request.can_book, request.can_pay, "their"),
        until: until_words(request.expires_at),
        email: request.email,
        next,
    })
}

/// Helper's accounts opened from mailed requests, from one client in an hour (each hashes a password).
const JOINING_LIMITS: [(auth::Throttle, u64, i64); 1] = [(auth::Throttle::Address, 10, 60)];

/// Someone asked to help, with no account, opens a helper's account with the address the
/// request was mailed to (the link proves it is theirs), in the asking person's council. The
/// link then does nothing more; they answer the request from their caseload.
pub async fn join_to_help(
    db: &Db,
    passwords: &auth::Passwords,
    token: &str,
    your_name: &str,
    password: &str,
    client_address: &str,
    now: DateTime<Utc>,
) -> AppResult<user::Model> {
    let refused = || AppError::invalid("token", "This link has run out, or the request was taken back or answered. Ask the person to send it again");
    let mut errors = Vec::new();
    let name = collect(&mut errors, required_text("your_name", your_name, "your full name", 100));
    let password = collect(&mut errors, NewPassword::parse("password", password));
    let (Some(name), Some(password)) = (name, password) else { return Err(AppError::Invalid(errors)) };
    let request = invitation_by_link(db, token, now).await?.ok_or_else(refused)?;
    auth::reserve_hashing(db, "join-to-help", &request.email, client_address, &JOINING_LIMITS, now).await?;
    let hash = passwords.hash(password.expose().to_string()).await?;
    let txn = crate::db::begin_write(db).await?;
    let request = invitation_by_link(&txn, token, now).await?.ok_or_else(refused)?;
    if user::Entity::find().filter(user::Column::Email.eq(request.email.as_str())).one(&txn).await?.is_some() {
        return Err(AppError::invalid("token", "An account with this email address is open already. Sign in to answer the request"));
    }
    let holder = user::Entity::find_by_id(request.holder_id).one(&txn).await?.ok_or_else(refused)?;
    let email = Email::parse("email", &request.email)?;
    let new = super::accounts::NewUser { council_id: holder.council_id, email: &email, name: &name, role: Role::Planner, provider_id: None };
    let helper = super::accounts::insert_user(&txn, new, hash, now).await?;
    helper_invitation::Entity::update_many()
        .col_expr(helper_invitation::Column::TokenHash, sea_orm::sea_query::Expr::value(Option::<String>::None))
        .filter(helper_invitation::Column::Id.eq(request.id))
        .exec(&txn)
        .await?;
    audit::record(&txn, now, Some(helper.id), Some(holder.id), "helper_account_opened", serde_json::json!({ "request": request.id })).await?;
    txn.commit().await?;
    Ok(helper)
}

/// The person takes back a request nobody has answered yet.
pub async fn withdraw(db: &Db, viewer: &SignedInUser, invitation_id: i64, now: DateTime<Utc>) -> AppResult<()> {
    holder_only(viewer)?;
    let txn = crate::db::begin_write(db).await?;
    let withdrawn = helper_invitation::Entity::update_many()
        .col_expr(helper_invitation::Column::Status, sea_orm::sea_query::Expr::value(InvitationStatus::Withdrawn))
        .col_expr(helper_invitation::Column::AnsweredAt, sea_orm::sea_query::Expr::value(now))
        .filter(helper_invitation::Column::Id.eq(invitation_id))
        .filter(helper_invitation::Column::HolderId.eq(viewer.user_id))
        .filter(helper_invitation::Column::Status.eq(InvitationStatus::Waiting))
        .exec(&txn)
        .await?;
    if withdrawn.rows_affected != 1 {
        return Err(AppError::NotFound);
    }
    txn.commit().await?;
    Ok(())
}

/// Requests neither ended nor past the end date of the rights they ask for.
fn waiting(now: DateTime<Utc>) -> Condition {
    Condition::all()
        .add(helper_invitation::Column::Status.eq(InvitationStatus::Waiting))
        .add(Condition::any().add(helper_invitation::Column::ExpiresAt.is_null()).add(helper_invitation::Column::ExpiresAt.gt(now)))
}

/// Requests still waiting for a helper's answer: those sent to their account's email address.
fn waiting_for(helper_email: &str, now: DateTime<Utc>) -> Condition {
    waiting(now).add(helper_invitation::Column::Email.eq(helper_email)).add(helper_invitation::Column::AnsweredBy.is_null())
}

/// The requests waiting for this helper's answer, for their caseload page.
pub async fn requests_for(db: &impl ConnectionTrait, helper: &SignedInUser, now: DateTime<Utc>) -> AppResult<Vec<HelpRequest>> {
    if helper.role != Role::Planner {
        return Ok(Vec::new());
    }
    let Some(account) = user::Entity::find_by_id(helper.user_id).one(db).await? else { return Ok(Vec::new()) };
    let waiting = helper_invitation::Entity::find().filter(waiting_for(&account.email, now)).order_by_asc(helper_invitation::Column::Id).all(db).await?;
    let holders = user::Entity::find().filter(user::Column::Id.is_in(waiting.iter().map(|w| w.holder_id))).all(db).await?;
    Ok(waiting
        .into_iter()
        .filter(|request| request.holder_id != helper.user_id)
        .filter_map(|request| {
            let holder = holders.iter().find(|h| h.id == request.holder_id)?;
            Some(HelpRequest {
                id: request.id,
                from: holder.display_name.clone(),
                rights: rights_in_words(request.can_book, request.can_pay, "their"),
                until: until_words(request.expires_at),
                can_book: request.can_book,
                can_pay: request.can_pay,
            })
        })
        .collect())
}

/// The helper answers a request sent to their address. Accepting does not start anything: the
/// person is told who accepted, and what, and lets them help (`let_help`).
pub async fn answer(db: &Db, helper: &SignedInUser, invitation_id: i64, answer: HelpAnswer, now: DateTime<Utc>) -> AppResult<()> {
    if helper.role != Role::Planner {
        return Err(AppError::Forbidden);
    }
    let txn = crate::db::begin_write(db).await?;
    let account = user::Entity::find_by_id(helper.user_id).one(&txn).await?.ok_or(AppError::NotFound)?;
    let request = helper_invitation::Entity::find_by_id(invitation_id)
        .filter(waiting_for(&account.email, now))
        .lock_exclusive()
        .one(&txn)
        .await?
        .filter(|request| request.holder_id != helper.user_id)
        .ok_or(AppError::NotFound)?;
    let holder_id = request.holder_id;
    let mut answered: helper_invitation::ActiveModel = request.clone().into();
    answered.answered_at = Set(Some(now));
    answered.answered_by = Set(Some(helper.user_id));
    answered.token_hash = Set(None);
    let action = match answer {
        HelpAnswer::Accept { book, pay } => {
            let (can_book, can_pay) = (request.can_book && book, request.can_pay && pay);
            answered.can_book = Set(can_book);
            answered.can_pay = Set(can_pay);
            let news = super::notifications::News {
                event: format!("help_accepted:{invitation_id}"),
                subject: format!("{} accepted your request to help you", account.display_name),
                message: format!(
                    "{} ({}) accepted: they would {}. Check it is the person you asked, then let them help you on your helpers page. Nothing changes until you do.",
                    account.display_name,
                    account.email,
                    rights_in_words(can_book, can_pay, "your").to_lowercase()
                ),
                link_path: "/budget/helpers".into(),
                link_text: "See who accepted",
                kind: app::MailKind::Bookings,
            };
            super::notifications::tell(&txn, holder_id, None, &news, now).await?;
            "helper_accepted"
        }
        HelpAnswer::Decline => {
            answered.status = Set(InvitationStatus::Declined);
            "helper_declined"
        }
    };
    answered.update(&txn).await?;
    audit::record(&txn, now, Some(helper.user_id), Some(holder_id), action, serde_json::json!({ "request": invitation_id })).await?;
    txn.commit().await?;
    Ok(())
}

/// The person, having seen who accepted their request and what, lets them help (the rights start
/// now, replacing any that helper held for them) or not. The helper is told either way.
pub async fn let_help(db: &Db, viewer: &SignedInUser, invitation_id: i64, yes: bool, now: DateTime<Utc>) -> AppResult<()> {
    holder_only(viewer)?;
    let txn = crate::db::begin_write(db).await?;
    let request = helper_invitation::Entity::find_by_id(invitation_id)
        .filter(helper_invitation::Column::HolderId.eq(viewer.user_id))
        .filter(helper_invitation::Column::AnsweredBy.is_not_null())
        .filter(waiting(now))
        .lock_exclusive()
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound)?;
    // Still the account that accepted, with the address asked.
    let helper = user::Entity::find_by_id(request.answered_by.unwrap_or_default())
        .one(&txn)
        .await?
        .filter(|helper| helper.email == request.email && helper.disabled_at.is_none() && helper.role == Role::Planner.code())
        .ok_or(AppError::NotFound)?;
    let mut answered: helper_invitation::ActiveModel = request.clone().into();
    let (action, subject, said) = if yes {
        delegation::Entity::update_many()
            .col_expr(delegation::Column::RevokedAt, sea_orm::sea_query::Expr::value(now))
            .filter(delegation::Column::HolderId.eq(viewer.user_id))
            .filter(delegation::Column::DelegateId.eq(helper.id))
            .filter(delegation::Column::RevokedAt.is_null())
            .exec(&txn)
            .await?;
        let granted = delegation::Entity::insert(delegation::ActiveModel {
            holder_id: Set(viewer.user_id),
            delegate_id: Set(helper.id),
            can_view: Set(true),
            can_book: Set(request.can_book),
            can_pay: Set(request.can_pay),
            expires_at: Set(request.expires_at),
            created_at: Set(now),
            revoked_at: Set(None),
            ..Default::default()
        })
        .exec(&txn)
        .await?;
        answered.status = Set(InvitationStatus::Accepted);
        answered.delegation_id = Set(Some(granted.last_insert_id));
        let name = &viewer.display_name;
        ("helper_let_help", format!("{name} let you help them"), format!("{name} let you help them. Choose them on your caseload page to act for them."))
    } else {
        answered.status = Set(InvitationStatus::Withdrawn);
        let name = &viewer.display_name;
        ("helper_not_let_help", format!("{name} did not let you help them"), format!("{name} did not let you help them, and nothing changed."))
    };
    answered.update(&txn).await?;
    audit::record(&txn, now, Some(viewer.user_id), Some(viewer.user_id), action, serde_json::json!({ "request": invitation_id, "helper": helper.id })).await?;
    let news = super::notifications::News {
        event: format!("{action}:{invitation_id}"),
        subject,
        message: said,
        link_path: "/dashboard/planner".into(),
        link_text: "Go to your caseload page",
        kind: app::MailKind::Bookings,
    };
    super::notifications::tell(&txn, helper.id, None, &news, now).await?;
    txn.commit().await?;
    Ok(())
}

/// "See your budget, book and cancel care and pay by card".
fn rights_in_words(can_book: bool, can_pay: bool, whose: &str) -> String {
    let see = format!("see {whose} budget");
    let mut rights = vec![see.as_str()];
    if can_book {
        rights.push("book and cancel care");
    }
    if can_pay {
        rights.push("pay by card");
    }
    capitalise(&and_list(&rights))
}

fn until_words(expires_at: Option<DateTime<Utc>>) -> Option<String> {
    // Rights end at the start of the day after the one chosen: that day is the last.
    expires_at.map(|at| format!("Until {}", uk_time::long_date(uk_time::to_local(at).date() - chrono::Duration::days(1))))
}

/// Takes a permission back at once.
pub async fn revoke(db: &Db, viewer: &SignedInUser, delegation_id: i64, now: DateTime<Utc>) -> AppResult<()> {
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
    if planner.role != Role::Planner || !may_act(db, holder_id, planner.user_id, Right::View, now).await? {
        return Ok(None);
    }
    let Some(holder) = user::Entity::find_by_id(holder_id).one(db).await? else { return Ok(None) };
    let can_book = may_act(db, holder_id, planner.user_id, Right::Book, now).await?;
    Ok(Some(ActingFor { user_id: holder.id, display_name: holder.display_name, can_book }))
}
