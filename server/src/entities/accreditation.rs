//! The `accreditations` table: providers admitted to a lot at a contracted rate.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "accreditations")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub lot_id: i64,
    pub provider_id: i64,
    pub listing_id: i64,
    pub contracted_rate_pence: i64,
    pub status: app::AccreditationStatus,
    pub suspension_reason: Option<String>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
