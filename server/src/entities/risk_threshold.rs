//! The `risk_thresholds` table: a council's own thresholds for budgets' risk flags.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "risk_thresholds")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub council_id: i64,
    pub surplus_weeks: i32,
    pub unused_weeks: i32,
    pub off_framework_percent: i32,
    pub missed_or_queried: i32,
    pub top_ups: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
