//! The `outbox_pruned` table: one row, the highest outbox entry ever removed.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "outbox_pruned")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub through_id: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
