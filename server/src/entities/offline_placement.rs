//! The `offline_placements` table: placements made outside CareMarket, recorded by
//! commissioners so reports can compare them with placements made through it.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "offline_placements")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub council_id: i64,
    /// The UK date it was made.
    pub placed_on: Date,
    pub category: String,
    pub locality_id: Option<i64>,
    pub weekly_value_pence: i64,
    pub recorded_by: i64,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
