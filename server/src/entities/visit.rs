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
    /// What the care worker wrote at check-out.
    pub note: Option<String>,
    /// Where a delivered visit is in being confirmed (none for visits not delivered).
    pub confirmation: Option<app::VisitConfirmation>,
    /// When it is confirmed automatically if nobody answers.
    pub confirm_by: Option<DateTimeUtc>,
    pub confirmed_at: Option<DateTimeUtc>,
    /// The digest of the emailed link's token, while the link may be used.
    pub confirm_token_hash: Option<String>,
    pub query_text: Option<String>,
    pub answer_text: Option<String>,
    pub decision_text: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(belongs_to = "super::booking::Entity", from = "Column::BookingId", to = "super::booking::Column::Id")]
    Booking,
}

impl ActiveModelBehavior for ActiveModel {}
