//! The `reviews` table: verified reviews, one per booking with a confirmed visit.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "reviews")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub booking_id: i64,
    pub provider_id: i64,
    pub author_id: i64,
    pub stars: i16,
    pub body: String,
    pub created_at: DateTimeUtc,
    /// The provider's one reply.
    pub reply_text: Option<String>,
    pub replied_at: Option<DateTimeUtc>,
    /// Hidden by a commissioner (with a reason): no longer shown or counted.
    pub hidden_at: Option<DateTimeUtc>,
    pub hidden_reason: Option<app::ReviewHiddenReason>,
    pub hidden_by: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
