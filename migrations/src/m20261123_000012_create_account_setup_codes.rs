//! People whose account the council opens (budget holders) set their own password with a
//! one-time code the council gives them; only the code's hash is kept.
use crate::helpers::*;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

const TABLES: &[&str] = &["account_setup_codes"];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let codes = Table::create()
            .table("account_setup_codes")
            .col(id())
            .col(reference("user_id"))
            .col(string_len_uniq("code_hash", 64))
            .col(moment("expires_at"))
            .col(moment_null("used_at"))
            .col(created_at())
            .foreign_key(&mut foreign_key("account_setup_codes", "user_id", "users", ForeignKeyAction::Cascade))
            .take();
        create_all(manager, vec![codes], vec![index("account_setup_codes", &["user_id"])]).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_all(manager, TABLES).await
    }
}
