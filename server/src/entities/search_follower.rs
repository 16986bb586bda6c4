//! The `search_followers` table: how far each search index has followed the outbox.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "search_followers")]
pub struct Model {
    /// The index's name: an embedded index's own id, or the Meilisearch index's.
    #[sea_orm(primary_key, auto_increment = false)]
    pub follower: String,
    /// The last outbox entry it has applied.
    pub last_applied: i64,
    pub reported_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
