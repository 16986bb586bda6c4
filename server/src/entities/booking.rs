//! The `bookings` table.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "bookings")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub reference: String,
    pub listing_id: i64,
    pub provider_id: i64,
    pub person_id: i64,
    pub budget_id: Option<i64>,
    pub placed_by: i64,
    pub channel: String,
    pub lot_id: Option<i64>,
    pub status: app::BookingStatus,
    pub schedule: String,
    pub starts_at: DateTimeUtc,
    pub ends_on: Option<Date>,
    pub weekdays: Option<String>,
    pub duration_minutes: i32,
    pub unit_price_pence: i64,
    pub unit: String,
    pub committed_pence: i64,
    pub paid_by: String,
    pub requested_at: DateTimeUtc,
    pub respond_by: Option<DateTimeUtc>,
    pub confirmed_at: Option<DateTimeUtc>,
    pub closed_at: Option<DateTimeUtc>,
    /// What the person or provider said, if anything.
    pub close_reason: Option<String>,
    pub close_code: Option<app::CloseReason>,
    pub request_key: Option<String>,
    pub best_value: bool,
    pub offered_on_from: Option<i64>,
    /// The terms the booking was made on (the service's at the time).
    pub cancellation_notice_hours: i32,
    pub late_cancellation_percent: i32,
    pub billing_increment_minutes: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
