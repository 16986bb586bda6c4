//! A council's frameworks have different names: two commissioners creating the same one at
//! the same instant cannot both succeed (the application's friendly check alone could race).
use crate::helpers::*;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.create_index(unique("frameworks", &["council_id", "name"])).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_index(Index::drop().name("ux_frameworks_council_id_name").table("frameworks").to_owned()).await
    }
}
