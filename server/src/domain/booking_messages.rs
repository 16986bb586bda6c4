//! Messages about a booking: a conversation between the person (and helpers who may see their
//! care) and the provider's staff, plain text, oldest first. Private: the council does not
//! read it, except with a concern the person raises and chooses to send it with. Each message is mailed to the other side (a notice and a link, not the words);
//! what one side has not read yet is counted on its dashboard.
use super::delegations::{Right, may_act};
use super::notifications::{self, News};
use super::uk_time::{self, long_date};
use crate::db::Db;
use crate::entities::{booking, booking_message, provider, user};
use crate::error::{AppError, AppResult};
use app::{BookingMessage, MESSAGE_CHARACTERS, MailKind, Role, SignedInUser};
use chrono::{DateTime, Utc};
use sea_orm::ActiveValue::Set;
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect};
use std::collections::HashMap;

/// The two sides of a booking's conversation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// The person and the helpers who may see their care.
    Person,
    /// The provider's staff.
    Provider,
}

impl Side {
    fn wrote(self) -> bool {
        self == Self::Provider
    }
}

/// Which side of the booking's conversation this viewer is on, if any.
pub async fn side(db: &impl ConnectionTrait, viewer: &SignedInUser, booking: &booking::Model, now: DateTime<Utc>) -> AppResult<Option<Side>> {
    Ok(match viewer.role {
        Role::Provider => (viewer.provider_id == Some(booking.provider_id)).then_some(Side::Provider),
        Role::BudgetHolder if viewer.user_id == booking.person_id => Some(Side::Person),
        Role::BudgetHolder | Role::Planner => may_act(db, booking.person_id, viewer.user_id, Right::View, now).await?.then_some(Side::Person),
        Role::Commissioner => None,
    })
}

/// The conversation as this viewer sees it (oldest first), if they take part in it.
pub async fn conversation(
    db: &impl ConnectionTrait,
    viewer: &SignedInUser,
    booking: &booking::Model,
    now: DateTime<Utc>,
) -> AppResult<Option<Vec<BookingMessage>>> {
    if side(db, viewer, booking, now).await?.is_none() {
        return Ok(None);
    }
    Ok(Some(as_seen_by(db, viewer.user_id, booking).await?))
}

/// The messages the person chose to send with a concern, for the council handling it (whose
/// access the caller has checked).
pub async fn shared_with_council(db: &impl ConnectionTrait, viewer: &SignedInUser, booking: &booking::Model) -> AppResult<Vec<BookingMessage>> {
    as_seen_by(db, viewer.user_id, booking).await
}

async fn as_seen_by(db: &impl ConnectionTrait, user_id: i64, booking: &booking::Model) -> AppResult<Vec<BookingMessage>> {
    let messages =
        booking_message::Entity::find().filter(booking_message::Column::BookingId.eq(booking.id)).order_by_asc(booking_message::Column::Id).all(db).await?;
    let authors = user::Entity::find().filter(user::Column::Id.is_in(messages.iter().map(|m| m.author_id))).all(db).await?;
    let provider = provider::Entity::find_by_id(booking.provider_id).one(db).await?.map(|p| p.name).unwrap_or_default();
    Ok(messages
        .into_iter()
        .map(|message| {
            let mine = message.author_id == user_id;
            let from = match (mine, message.from_provider) {
                (true, _) => "You".to_string(),
                (false, true) => provider.clone(),
                (false, false) => authors.iter().find(|a| a.id == message.author_id).map(|a| a.display_name.clone()).unwrap_or_default(),
            };
            let local = uk_time::to_local(message.created_at);
            BookingMessage { from, at: format!("{}, {}", long_date(local.date()), local.format("%H:%M")), body: message.body, mine }
        })
        .collect())
}

/// The viewer's side has now seen what the other side wrote (a write only when there is
/// something unread).
pub async fn mark_read(db: &Db, viewer: &SignedInUser, reference: &str, now: DateTime<Utc>) -> AppResult<()> {
    let Some(booking) = booking::Entity::find().filter(booking::Column::Reference.eq(reference)).one(db).await? else { return Ok(()) };
    let Some(side) = side(db, viewer, &booking, now).await? else { return Ok(()) };
    let unread = booking_message::Entity::find()
        .filter(booking_message::Column::BookingId.eq(booking.id))
        .filter(booking_message::Column::FromProvider.eq(!side.wrote()))
        .filter(booking_message::Column::ReadAt.is_null());
    if unread.clone().count(db).await? == 0 {
        return Ok(());
    }
    let txn = crate::db::begin_write(db).await?;
    booking_message::Entity::update_many()
        .col_expr(booking_message::Column::ReadAt, Expr::value(now))
        .filter(booking_message::Column::BookingId.eq(booking.id))
        .filter(booking_message::Column::FromProvider.eq(!side.wrote()))
        .filter(booking_message::Column::ReadAt.is_null())
        .exec(&txn)
        .await?;
    txn.commit().await?;
    Ok(())
}

/// Sends a message about a booking to the other side, who is told (on the dashboard and by mail).
pub async fn send(db: &Db, viewer: &SignedInUser, reference: &str, body: &str, now: DateTime<Utc>) -> AppResult<()> {
    let body = super::values::written("message", body, MESSAGE_CHARACTERS, Some("Write your message"))?;
    let txn = crate::db::begin_write(db).await?;
    let booking = booking::Entity::find().filter(booking::Column::Reference.eq(reference)).one(&txn).await?.ok_or(AppError::NotFound)?;
    let side = side(&txn, viewer, &booking, now).await?.ok_or(AppError::Forbidden)?;
    let sent = booking_message::Entity::insert(booking_message::ActiveModel {
        booking_id: Set(booking.id),
        author_id: Set(viewer.user_id),
        from_provider: Set(side.wrote()),
        body: Set(body),
        created_at: Set(now),
        read_at: Set(None),
        ..Default::default()
    })
    .exec(&txn)
    .await?;
    let event = format!("message:{}", sent.last_insert_id);
    match side {
        Side::Provider => {
            let provider = super::booking_changes::provider_name(&txn, booking.provider_id).await?;
            let message = format!("{provider} sent you a message about booking {}. Read it and reply on the booking's page.", booking.reference);
            let news = News::about_booking(&booking, &event, format!("A message from {provider}"), message).of_kind(MailKind::Messages);
            notifications::tell_person(&txn, &booking, &news, now).await?;
        }
        Side::Person => {
            let news = News {
                event,
                subject: format!("A message about booking {}", booking.reference),
                message: format!("You have a new message about booking {}. Read it and reply on the booking's page.", booking.reference),
                link_path: format!("/bookings/{}#messages", booking.reference),
                link_text: "Read the message",
                kind: app::MailKind::Messages,
            };
            notifications::mail_provider_staff(&txn, booking.provider_id, &news, now).await?;
        }
    }
    txn.commit().await?;
    Ok(())
}

/// Messages this side has not read, by booking.
pub async fn unread_by_booking(db: &impl ConnectionTrait, side: Side, booking_ids: &[i64]) -> AppResult<HashMap<i64, u32>> {
    let ids: Vec<i64> = booking_message::Entity::find()
        .select_only()
        .column(booking_message::Column::BookingId)
        .filter(booking_message::Column::BookingId.is_in(booking_ids.to_vec()))
        .filter(booking_message::Column::FromProvider.eq(!side.wrote()))
        .filter(booking_message::Column::ReadAt.is_null())
        .into_tuple()
        .all(db)
        .await?;
    let mut counts = HashMap::new();
    for id in ids {
        *counts.entry(id).or_default() += 1;
    }
    Ok(counts)
}

/// Messages from people about a provider's bookings that its staff have not read.
pub async fn unread_for_provider(db: &impl ConnectionTrait, provider_id: i64) -> AppResult<u64> {
    let theirs =
        sea_orm::sea_query::Query::select().column(booking::Column::Id).from(booking::Entity).and_where(booking::Column::ProviderId.eq(provider_id)).to_owned();
    Ok(booking_message::Entity::find()
        .filter(booking_message::Column::BookingId.in_subquery(theirs))
        .filter(booking_message::Column::FromProvider.eq(false))
        .filter(booking_message::Column::ReadAt.is_null())
        .count(db)
        .await?)
}
