//! The `visits` table.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "visits")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub booking_id: i64,
    /// Who the visit is for: its booking's person (copied, so a person's visits index by time).
    pub person_id: i64,
    pub scheduled_start: DateTimeUtc,
    pub scheduled_minutes: i32,
    pub status: app::VisitStatus,
    pub checked_in_at: Option<DateTimeUtc>,
    pub checked_out_at: Option<DateTimeUtc>,
    pub delivered_minutes: Option<i32>,
    pub charged_pence: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(belongs_to = "super::booking::Entity", from = "Column::BookingId", to = "super::booking::Column::Id")]
    Booking,
}

impl ActiveModelBehavior for ActiveModel {}
