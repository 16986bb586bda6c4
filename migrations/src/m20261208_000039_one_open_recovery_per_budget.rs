//! At most one open proposal to recover money from a budget, even when two commissioners
//! propose at the same moment (the domain checks first; the database holds the line).
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let sql = "CREATE UNIQUE INDEX ux_recoveries_open ON recoveries (budget_id) WHERE status = 'proposed'";
        manager.get_connection().execute_unprepared(sql).await.map(|_| ())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_index(Index::drop().name("ux_recoveries_open").table("recoveries").to_owned()).await
    }
}
