//! The `provider_ratings` table: each provider's CQC rating history.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "provider_ratings")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub provider_id: i64,
    /// A `providers.regulator_rating` code.
    pub rating: String,
    /// The rating it replaced, if any.
    pub previous: Option<String>,
    /// When the CQC gave it.
    pub rated_on: Date,
    pub recorded_by: i64,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
