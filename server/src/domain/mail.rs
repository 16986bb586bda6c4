//! The mail outbox. A message is queued in the same transaction as the event that causes it,
//! under a key naming the event and the person, so it is sent once however often the event's
//! code runs, and a restart loses none. A background task (`send_due`) sends what is due,
//! trying again with growing waits when the mail server fails, and gives up, visibly, after a
//! day. Each message is what the person's dashboard says, in GOV.UK Notify's manner: what
//! happened, what to do next, one link.
use crate::db::Db;
use crate::entities::{mail_choice, mail_outbox, user};
use crate::error::{AppError, AppResult};
use crate::mail::{MailError, Mailer, Outgoing};
use app::model::escape_html;
use app::{MailChoices, MailKind, SignedInUser};
use chrono::{DateTime, Duration, Utc};
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::Expr;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use std::collections::BTreeMap;

/// A message for one person, before it is queued.
pub struct Letter<'a> {
    /// The event and the person: the same key is queued once.
    pub key: String,
    pub subject: &'a str,
    /// What happened and what to do next, in plain sentences (the dashboard's words).
    pub body: &'a str,
    /// Where to go next, on CareMarket (a path like `/bookings/BK-1`), and what to call it.
    pub link_path: &'a str,
    pub link_text: &'a str,
}

/// How many times a message is tried before it is given up on (about a day of waiting).
const MOST_ATTEMPTS: i32 = 12;
/// How many messages one pass sends.
const BATCH: u64 = 50;

/// Queues `letter` about care for `person`, if their address may be mailed (one they typed
/// themselves only once they have confirmed it) and they have not asked for this kind of
/// message on their dashboard only. Nothing is queued twice under one key.
pub async fn queue(db: &impl ConnectionTrait, person: &user::Model, kind: MailKind, letter: Letter<'_>, now: DateTime<Utc>) -> AppResult<()> {
    if person.email_confirmed_at.is_none() || !emails(db, person.id, kind).await? {
        return Ok(());
    }
    queue_account_message(db, person, letter, now).await
}

/// Whether the person has this kind of message emailed: everyone does until they say not.
pub async fn emails(db: &impl ConnectionTrait, user_id: i64, kind: MailKind) -> AppResult<bool> {
    let choice = mail_choice::Entity::find().filter(mail_choice::Column::UserId.eq(user_id)).filter(mail_choice::Column::Kind.eq(kind)).one(db).await?;
    Ok(choice.is_none_or(|choice| choice.by_email))
}

/// What a person has chosen, kind by kind (`/account/notifications`).
pub async fn choices(db: &impl ConnectionTrait, viewer: &SignedInUser) -> AppResult<MailChoices> {
    let mut choices = Vec::new();
    for kind in MailKind::ALL {
        choices.push((kind, emails(db, viewer.user_id, kind).await?));
    }
    Ok(MailChoices { choices })
}

/// Saves a person's choices: each kind `email` or `dashboard` (a kind not sent is unchanged).
pub async fn choose(db: &Db, viewer: &SignedInUser, chosen: &BTreeMap<String, String>, now: DateTime<Utc>) -> AppResult<()> {
    let mut rows = Vec::new();
    for (code, choice) in chosen {
        let kind = MailKind::from_code(code).ok_or_else(|| AppError::invalid("choices", "Choose for the kinds of message listed"))?;
        let by_email = match choice.as_str() {
            "email" => true,
            "dashboard" => false,
            _ => return Err(AppError::invalid(code, "Choose email or dashboard only")),
        };
        rows.push(mail_choice::ActiveModel { user_id: Set(viewer.user_id), kind: Set(kind), by_email: Set(by_email), ..Default::default() });
    }
    if rows.is_empty() {
        return Ok(());
    }
    let txn = crate::db::begin_write(db).await?;
    mail_choice::Entity::insert_many(rows)
        .on_conflict(OnConflict::columns([mail_choice::Column::UserId, mail_choice::Column::Kind]).update_column(mail_choice::Column::ByEmail).to_owned())
        .exec(&txn)
        .await?;
    super::audit::record(&txn, now, Some(viewer.user_id), Some(viewer.user_id), "mail_choices", serde_json::json!(chosen)).await?;
    txn.commit().await?;
    Ok(())
}

/// Queues a message about the account itself (a link to choose a new password), which goes
/// to the address whether or not it is confirmed, and cannot be switched off.
pub async fn queue_account_message(db: &impl ConnectionTrait, person: &user::Model, letter: Letter<'_>, now: DateTime<Utc>) -> AppResult<()> {
    if person.disabled_at.is_some() {
        return Ok(());
    }
    queue_to_address(db, Some(person.id), &person.email, letter, now).await
}

/// Queues `letter` for an address, which may have no account yet (a link that opens one).
pub async fn queue_to_address(db: &impl ConnectionTrait, user_id: Option<i64>, address: &str, letter: Letter<'_>, now: DateTime<Utc>) -> AppResult<()> {
    let row = mail_outbox::ActiveModel {
        key: Set(letter.key),
        user_id: Set(user_id),
        to_address: Set(address.into()),
        subject: Set(letter.subject.to_string()),
        body: Set(letter.body.to_string()),
        link_path: Set(letter.link_path.to_string()),
        link_text: Set(letter.link_text.to_string()),
        created_at: Set(now),
        attempts: Set(0),
        next_attempt_at: Set(now),
        sent_at: Set(None),
        failed_at: Set(None),
        last_error: Set(None),
        ..Default::default()
    };
    mail_outbox::Entity::insert(row).on_conflict_do_nothing_on([mail_outbox::Column::Key]).exec(db).await?;
    Ok(())
}

/// How long a sender holds a message it has claimed: should it stop mid-send (a crash), the
/// message is tried again after this.
const CLAIM_MINUTES: i64 = 10;

/// Sends what is due, one batch; returns how many were sent. Each message is claimed before it
/// is sent, so two senders on one outbox (two servers) never send it twice. Its writes wait for
/// the process's turn to write like any other (on SQLite, one written outside it made the
/// booking writer meet SQLite's lock and sleep).
pub async fn send_due(db: &Db, mailer: &dyn Mailer, site: &str, now: DateTime<Utc>) -> AppResult<usize> {
    let due = mail_outbox::Entity::find()
        .filter(mail_outbox::Column::SentAt.is_null())
        .filter(mail_outbox::Column::FailedAt.is_null())
        .filter(mail_outbox::Column::NextAttemptAt.lte(now))
        .order_by_asc(mail_outbox::Column::Id)
        .limit(BATCH)
        .all(db)
        .await?;
    let mut sent = 0;
    for row in due {
        let attempts = row.attempts + 1;
        let txn = crate::db::begin_write(db).await?;
        let claimed = claim(&txn, &row, now).await?;
        txn.commit().await?;
        if !claimed {
            continue;
        }
        let mut update = mail_outbox::ActiveModel { id: Set(row.id), ..Default::default() };
        match mailer.send(&compose(&row, site)).await {
            Ok(()) => {
                update.sent_at = Set(Some(now));
                update.last_error = Set(None);
                sent += 1;
            }
            Err(error) => {
                let gave_up = matches!(error, MailError::Permanent(_)) || attempts >= MOST_ATTEMPTS;
                tracing::warn!(mail = row.id, attempts, gave_up, %error, "could not send a message");
                update.last_error = Set(Some(error.to_string()));
                if gave_up {
                    update.failed_at = Set(Some(now));
                } else {
                    update.next_attempt_at = Set(now + retry_after(attempts));
                }
            }
        }
        let txn = crate::db::begin_write(db).await?;
        mail_outbox::Entity::update(update).exec(&txn).await?;
        txn.commit().await?;
    }
    Ok(sent)
}

/// Counts the attempt and holds the message for `CLAIM_MINUTES`, only if nobody else has
/// touched it since it was read: false when another sender got there first.
async fn claim(db: &impl ConnectionTrait, row: &mail_outbox::Model, now: DateTime<Utc>) -> AppResult<bool> {
    let claimed = mail_outbox::Entity::update_many()
        .col_expr(mail_outbox::Column::Attempts, Expr::value(row.attempts + 1))
        .col_expr(mail_outbox::Column::NextAttemptAt, Expr::value(now + Duration::minutes(CLAIM_MINUTES)))
        .filter(mail_outbox::Column::Id.eq(row.id))
        .filter(mail_outbox::Column::Attempts.eq(row.attempts))
        .filter(mail_outbox::Column::SentAt.is_null())
        .filter(mail_outbox::Column::FailedAt.is_null())
        .exec(db)
        .await?;
    Ok(claimed.rows_affected == 1)
}

/// The wait before the next try: 30 s, doubling, at most 4 hours.
fn retry_after(attempts: i32) -> Duration {
    Duration::seconds((30i64 << attempts.clamp(1, 16).saturating_sub(1)).min(4 * 60 * 60))
}

/// The message as sent: plain text and HTML saying the same, with the link made whole.
pub fn compose(row: &mail_outbox::Model, site: &str) -> Outgoing {
    let link = format!("{}{}", site.trim_end_matches('/'), row.link_path);
    let text = format!("{}\n\n{}:\n{}\n\nCareMarket\n", row.body, row.link_text, link);
    let html = format!(
        "<!DOCTYPE html><html lang=\"en-GB\"><head><meta charset=\"utf-8\"><title>{subject}</title></head>\
         <body style=\"font-family: Arial, sans-serif; font-size: 19px; line-height: 1.4; color: #0b0c0c\">\
         <p>{body}</p><p><a href=\"{link}\">{link_text}</a></p><p>CareMarket</p></body></html>",
        subject = escape_html(&row.subject),
        body = escape_html(&row.body),
        link = escape_html(&link),
        link_text = escape_html(&row.link_text),
    );
    Outgoing { to: row.to_address.clone(), subject: row.subject.clone(), text, html }
}

/// What is waiting or has failed, oldest first, for an operator (`caremarket mail`).
pub async fn unsent(db: &impl ConnectionTrait) -> AppResult<Vec<mail_outbox::Model>> {
    Ok(mail_outbox::Entity::find().filter(mail_outbox::Column::SentAt.is_null()).order_by_asc(mail_outbox::Column::Id).all(db).await?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_grow_and_stop_growing() {
        assert_eq!(retry_after(1), Duration::seconds(30));
        assert_eq!(retry_after(2), Duration::seconds(60));
        assert_eq!(retry_after(5), Duration::seconds(480));
        assert_eq!(retry_after(11), Duration::hours(4));
        assert!((1..MOST_ATTEMPTS).map(retry_after).fold(Duration::zero(), |sum, wait| sum + wait) >= Duration::hours(12));
    }

    #[test]
    fn a_message_says_the_same_in_text_and_html_and_escapes_what_it_is_given() {
        let row = mail_outbox::Model {
            id: 1,
            key: "k".into(),
            user_id: Some(1),
            to_address: "ann@example.org".into(),
            subject: "Your booking <BK-1> was accepted".into(),
            body: "Sunrise & Co accepted booking BK-1.".into(),
            link_path: "/bookings/BK-1".into(),
            link_text: "See your booking".into(),
            created_at: Utc::now(),
            attempts: 0,
            next_attempt_at: Utc::now(),
            sent_at: None,
            failed_at: None,
            last_error: None,
        };
        let mail = compose(&row, "https://care.example.org/");
        assert!(mail.text.contains("Sunrise & Co accepted booking BK-1.") && mail.text.contains("https://care.example.org/bookings/BK-1"));
        assert!(mail.html.contains("Sunrise &amp; Co") && mail.html.contains("<title>Your booking &lt;BK-1&gt; was accepted</title>"));
        assert!(mail.html.contains("<a href=\"https://care.example.org/bookings/BK-1\">See your booking</a>"));
    }
}
