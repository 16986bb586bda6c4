//! The `placements` table: the facts reports count, one row per confirmed booking paid from a
//! council-funded budget (see `domain::placements`).
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "placements")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub booking_id: i64,
    pub council_id: i64,
    /// The UK date the provider confirmed it.
    pub placed_on: Date,
    pub category: String,
    pub lot_id: Option<i64>,
    pub provider_id: i64,
    /// Its lot's area, or else its service's base district's.
    pub locality_id: Option<i64>,
    pub channel: String,
    pub weekly_value_pence: i64,
    pub unit_price_pence: i64,
    pub unit: String,
    pub minutes_to_place: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
