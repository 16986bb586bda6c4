//! The `helper_invitations` table: a person's request, by email, that someone help them.
use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
#[sea_orm(table_name = "helper_invitations")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub holder_id: i64,
    pub email: String,
    pub can_book: bool,
    pub can_pay: bool,
    /// When the rights end, if they do.
    pub expires_at: Option<DateTimeUtc>,
    pub status: app::InvitationStatus,
    pub created_at: DateTimeUtc,
    pub answered_at: Option<DateTimeUtc>,
    pub answered_by: Option<i64>,
    pub delegation_id: Option<i64>,
    /// The digest of the link mailed to an address with no helper's account, until it opens one.
    pub token_hash: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
