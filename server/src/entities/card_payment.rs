//! The `card_payments` table.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "card_payments")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub payment_intent_id: String,
    pub purpose: String,
    pub payer_id: i64,
    pub budget_id: Option<i64>,
    pub booking_id: Option<i64>,
    pub amount_pence: i64,
    pub status: app::CardPaymentStatus,
    pub created_at: DateTimeUtc,
    pub settled_at: Option<DateTimeUtc>,
    /// Set when a refund has been started and not yet confirmed by the card processor.
    pub refund_started_at: Option<DateTimeUtc>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
