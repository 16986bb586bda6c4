//! The `call_monitoring_imports` table: each call-monitoring file a provider uploaded, and what
//! came of its lines.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "call_monitoring_imports")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub provider_id: i64,
    pub uploaded_by: i64,
    pub settled: i32,
    pub already_settled: i32,
    /// "Line n: why" for each line not matched, as a JSON array of strings.
    pub problems: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
