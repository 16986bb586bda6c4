//! Registrations waiting for their address to be confirmed. Registering no longer opens an
//! account at once: it mails a link, and the account is opened only when that link is followed,
//! so the form answers the same whether or not an address is taken. The per-account links that
//! confirmed an address after the account was opened are no longer needed (a mailed password
//! reset still confirms an address).
use crate::helpers::*;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let pending = Table::create()
            .table("pending_registrations")
            .col(id())
            .col(string_len_uniq("token_hash", 64))
            .col(string_len("email", 254))
            .col(one_of("kind", &["self_funder", "provider"]))
            .col(string_len("your_name", 100))
            .col(string_len_null("organisation_name", 120))
            .col(string_len_null("regulator_id", 20))
            .col(string_len_null("contact_phone", 40))
            .col(text("password_hash"))
            .col(moment("expires_at"))
            .col(moment_null("used_at"))
            .col(created_at())
            .take();
        create_all(manager, vec![pending], vec![]).await?;
        manager.drop_table(Table::drop().table("email_confirmations").to_owned()).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table("pending_registrations").to_owned()).await?;
        crate::m20261207_000025_create_email_confirmations::Migration.up(manager).await
    }
}
