//! Every booking request mails the provider's staff, found by their organisation: without an
//! index on `users.provider_id` that read every account (50,000 on the bench data) on each
//! booking (on the bench data the booking bench ran at 296 a second without it, 722 with it).
use crate::helpers::*;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.create_index(index("users", &["provider_id"])).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_index(Index::drop().name("ix_users_provider_id").table("users").to_owned()).await
    }
}
