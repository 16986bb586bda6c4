//! Messages to people about their bookings and money: shown on their dashboard and, in the
//! same transaction, queued to be emailed (`mail`), saying the same.
use super::delegations::{Right, may_act};
use super::mail::{self, Letter};
use crate::entities::{booking, notification, user};
use crate::error::AppResult;
use app::MailKind;
use chrono::{DateTime, Utc};
use sea_orm::ActiveValue::Set;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

/// Something to tell a person.
pub struct News {
    /// Names the event (`booking:12:accepted`): with the person, it keys the email, so the
    /// email is sent once however often the event's code runs.
    pub event: String,
    /// The email's subject.
    pub subject: String,
    /// What happened and what happens next: the dashboard's message and the email's body.
    pub message: String,
    /// Where to see more, and what the link says.
    pub link_path: String,
    pub link_text: &'static str,
    /// Which kind of message it is, for people who choose what is emailed.
    pub kind: MailKind,
}

impl News {
    /// News about a booking, linking to it.
    pub fn about_booking(booking: &booking::Model, what: &str, subject: String, message: String) -> Self {
        Self {
            event: format!("booking:{}:{what}", booking.id),
            subject,
            message,
            link_path: format!("/bookings/{}", booking.reference),
            link_text: "See the booking",
            kind: MailKind::Bookings,
        }
    }

    /// The same news, as another kind of message.
    pub fn of_kind(self, kind: MailKind) -> Self {
        Self { kind, ..self }
    }

    /// The email to one person: keyed by the event and them.
    fn letter_to(&self, user_id: i64) -> Letter<'_> {
        Letter {
            key: format!("{}:to:{user_id}", self.event),
            subject: &self.subject,
            body: &self.message,
            link_path: &self.link_path,
            link_text: self.link_text,
        }
    }
}

/// Tells the person the booking is for, and the planner who made it if someone else did.
pub async fn tell_person(db: &impl ConnectionTrait, booking: &booking::Model, news: &News, now: DateTime<Utc>) -> AppResult<()> {
    let mut people = vec![booking.person_id];
    // The planner who booked, only while the person still lets them see their care.
    if booking.placed_by != booking.person_id && may_act(db, booking.person_id, booking.placed_by, Right::View, now).await? {
        people.push(booking.placed_by);
    }
    for user_id in people {
        tell(db, user_id, Some(booking.id), news, now).await?;
    }
    Ok(())
}

/// One message to one person, about a booking or not: on their dashboard, and by email.
pub async fn tell(db: &impl ConnectionTrait, user_id: i64, booking_id: Option<i64>, news: &News, now: DateTime<Utc>) -> AppResult<()> {
    notification::Entity::insert(notification::ActiveModel {
        user_id: Set(user_id),
        booking_id: Set(booking_id),
        message: Set(news.message.clone()),
        created_at: Set(now),
        read_at: Set(None),
        ..Default::default()
    })
    .exec_without_returning(db)
    .await?;
    let Some(person) = user::Entity::find_by_id(user_id).one(db).await? else { return Ok(()) };
    mail::queue(db, &person, news.kind, news.letter_to(user_id), now).await
}

/// Emails everyone on a provider's staff (their dashboard lists requests already).
pub async fn mail_provider_staff(db: &impl ConnectionTrait, provider_id: i64, news: &News, now: DateTime<Utc>) -> AppResult<()> {
    mail_staff(db, user::Column::ProviderId.eq(provider_id), app::Role::Provider, news, now).await
}

/// Emails everyone who commissions for a council (their queue lists it already).
pub async fn mail_council_staff(db: &impl ConnectionTrait, council_id: i64, news: &News, now: DateTime<Utc>) -> AppResult<()> {
    mail_staff(db, user::Column::CouncilId.eq(council_id), app::Role::Commissioner, news, now).await
}

/// Emails the people in `role` whose accounts `whose` picks out (not disabled ones).
async fn mail_staff(db: &impl ConnectionTrait, whose: sea_orm::sea_query::SimpleExpr, role: app::Role, news: &News, now: DateTime<Utc>) -> AppResult<()> {
    let staff = user::Entity::find().filter(whose).filter(user::Column::Role.eq(role.code())).filter(user::Column::DisabledAt.is_null()).all(db).await?;
    for person in staff {
        mail::queue(db, &person, news.kind, news.letter_to(person.id), now).await?;
    }
    Ok(())
}

/// A person's newest messages, newest first.
pub async fn latest(db: &impl ConnectionTrait, user_id: i64, limit: u64) -> AppResult<Vec<notification::Model>> {
    Ok(notification::Entity::find().filter(notification::Column::UserId.eq(user_id)).order_by_desc(notification::Column::Id).limit(limit).all(db).await?)
}

/// A person's newest messages, for their dashboard.
pub async fn messages_for(db: &impl ConnectionTrait, user_id: i64) -> AppResult<Vec<app::Message>> {
    Ok(latest(db, user_id, 10)
        .await?
        .into_iter()
        .map(|n| {
            let local = super::uk_time::to_local(n.created_at);
            app::Message { at: format!("{}, {}", local.format("%-d %B %Y"), local.format("%H:%M")), text: n.message }
        })
        .collect())
}
