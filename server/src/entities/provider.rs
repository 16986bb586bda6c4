//! The `providers` table.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "providers")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub public_id: String,
    pub council_id: i64,
    pub name: String,
    pub description: String,
    pub regulator_id: Option<String>,
    pub regulator_rating: String,
    pub contact_email: String,
    pub contact_phone: String,
    pub website: Option<String>,
    pub languages: String,
    pub status: app::ProviderStatus,
    pub assured_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// The provider's number in the council's finance system (the council sets it).
    pub supplier_number: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
