//! The `booking_messages` table: a booking's conversation.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "booking_messages")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub booking_id: i64,
    pub author_id: i64,
    /// Written by the provider's staff (otherwise by the person or someone helping them).
    pub from_provider: bool,
    pub body: String,
    pub created_at: DateTimeUtc,
    /// When the other side first saw it.
    pub read_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
