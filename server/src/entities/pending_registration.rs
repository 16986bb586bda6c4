//! The `pending_registrations` table: an account someone asked to open, kept until the link
//! mailed to its address is followed (or it runs out).
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "pending_registrations")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub token_hash: String,
    pub email: String,
    /// `self_funder` or `provider`.
    pub kind: String,
    pub your_name: String,
    /// The organisation's details, for a provider.
    pub organisation_name: Option<String>,
    pub regulator_id: Option<String>,
    pub contact_phone: Option<String>,
    pub password_hash: String,
    pub expires_at: DateTimeUtc,
    pub used_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
