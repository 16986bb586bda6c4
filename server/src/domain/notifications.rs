//! Messages to people about their bookings, shown on their dashboard (a real deployment would
//! also send them by email or text; the message is the same).
use super::delegations::{Right, may_act};
use crate::entities::{booking, notification};
use crate::error::AppResult;
use chrono::{DateTime, Utc};
use sea_orm::ActiveValue::Set;
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};

/// Tells the person the booking is for, and the planner who made it if someone else did.
pub async fn tell_person(db: &impl ConnectionTrait, booking: &booking::Model, message: &str, now: DateTime<Utc>) -> AppResult<()> {
    let mut people = vec![booking.person_id];
    // The planner who booked, only while the person still lets them see their care.
    if booking.placed_by != booking.person_id && may_act(db, booking.person_id, booking.placed_by, Right::View, now).await? {
        people.push(booking.placed_by);
    }
    for user_id in people {
        tell(db, user_id, Some(booking.id), message, now).await?;
    }
    Ok(())
}

/// One message to one person, about a booking or not.
pub async fn tell(db: &impl ConnectionTrait, user_id: i64, booking_id: Option<i64>, message: &str, now: DateTime<Utc>) -> AppResult<()> {
    notification::Entity::insert(notification::ActiveModel {
        user_id: Set(user_id),
        booking_id: Set(booking_id),
        message: Set(message.to_string()),
        created_at: Set(now),
        read_at: Set(None),
        ..Default::default()
    })
    .exec_without_returning(db)
    .await?;
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
