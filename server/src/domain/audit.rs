//! The append-only audit log: who did what, to whose account, and when. The database refuses
//! updates and deletes of this table (see the migration).
use crate::entities::audit_entry;
use crate::error::AppResult;
use chrono::{DateTime, Utc};
use sea_orm::{ActiveValue::Set, ConnectionTrait, EntityTrait};

pub async fn record(
    db: &impl ConnectionTrait,
    at: DateTime<Utc>,
    actor_id: Option<i64>,
    subject_id: Option<i64>,
    action: &str,
    detail: serde_json::Value,
) -> AppResult<()> {
    audit_entry::Entity::insert(audit_entry::ActiveModel {
        at: Set(at),
        actor_id: Set(actor_id),
        subject_id: Set(subject_id),
        action: Set(action.to_string()),
        detail: Set(detail.to_string()),
        ..Default::default()
    })
    .exec(db)
    .await?;
    Ok(())
}
