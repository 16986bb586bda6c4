//! The `concern_notes` table: the council's notes on a concern.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "concern_notes")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub concern_id: i64,
    pub author_id: i64,
    pub body: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
