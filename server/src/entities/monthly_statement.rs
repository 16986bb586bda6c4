//! The `monthly_statements` table: each council budget's clean-account statement for a month.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "monthly_statements")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub budget_id: i64,
    pub council_id: i64,
    /// The month's first day.
    pub month: Date,
    pub opening_available_pence: i64,
    pub opening_set_aside_pence: i64,
    pub closing_available_pence: i64,
    pub closing_set_aside_pence: i64,
    /// JSON `[[kind, in_pence, out_pence], ...]`: money into and out of the budget by kind.
    pub movements: String,
    /// JSON `["flag in words", ...]`; empty: no concerns.
    pub flags: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
