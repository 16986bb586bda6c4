//! Addresses people type themselves are confirmed by a link mailed to them before anything
//! about care is mailed there. Only a digest of each link's token is kept; a token confirms
//! one address, once, within its time, and can do nothing else.
use crate::helpers::*;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let confirmations = Table::create()
            .table("email_confirmations")
            .col(id())
            .col(reference("user_id"))
            .col(string_len_uniq("token_hash", 64))
            .col(string_len("email", 320))
            .col(moment("expires_at"))
            .col(moment_null("used_at"))
            .col(created_at())
            .foreign_key(&mut foreign_key("email_confirmations", "user_id", "users", ForeignKeyAction::Cascade))
            .take();
        manager.create_table(confirmations).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table("email_confirmations").to_owned()).await
    }
}
