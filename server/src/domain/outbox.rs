//! The outbox: listings waiting to be re-read by the search index. Entries are written in the
//! same transaction as the change that caused them, so no change is lost if the process stops
//! before the index has caught up. An entry carries only which listing changed: the index
//! reads the listing's state when it drains the outbox.
use crate::entities::outbox;
use crate::error::AppResult;
use chrono::{DateTime, Utc};
use sea_orm::ActiveValue::Set;
use sea_orm::{ConnectionTrait, EntityTrait};

pub const LISTING_TOPIC: &str = "listing";

pub async fn queue_listings(db: &impl ConnectionTrait, listing_ids: impl IntoIterator<Item = i64>, now: DateTime<Utc>) -> AppResult<()> {
    let entries = listing_ids.into_iter().map(|id| outbox::ActiveModel {
        topic: Set(LISTING_TOPIC.into()),
        entity_id: Set(id),
        payload: Set("{}".into()),
        created_at: Set(now),
        ..Default::default()
    });
    outbox::Entity::insert_many(entries).exec(db).await?;
    Ok(())
}
