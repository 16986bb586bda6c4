//! Each booking remembers the key of the request that made it, so a form sent twice (a
//! double click, a retry after a dropped connection) books once.
use crate::helpers::*;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.alter_table(Table::alter().table("bookings").add_column(string_len_null("request_key", 64)).to_owned()).await?;
        manager.create_index(unique("bookings", &["request_key"])).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_index(Index::drop().name("ux_bookings_request_key").table("bookings").to_owned()).await?;
        manager.alter_table(Table::alter().table("bookings").drop_column("request_key").to_owned()).await
    }
}
