//! The `listings` table.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "listings")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub public_id: String,
    pub provider_id: i64,
    pub category: String,
    pub title: String,
    pub description: String,
    pub unit: String,
    pub price_pence: i64,
    pub min_visit_minutes: i32,
    pub billing_increment_minutes: i32,
    pub cancellation_notice_hours: i32,
    pub late_cancellation_percent: i32,
    pub carer_gender: String,
    pub base_district: Option<String>,
    pub radius_km: Option<i32>,
    pub status: app::ListingStatus,
    pub assured_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    #[sea_orm(belongs_to = "super::provider::Entity", from = "Column::ProviderId", to = "super::provider::Column::Id")]
    Provider,
}

impl Related<super::provider::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Provider.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
