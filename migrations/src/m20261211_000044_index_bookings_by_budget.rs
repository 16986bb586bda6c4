//! A budget's bookings are looked up by budget: its risk flags on a page of `/budgets`, its
//! statement, closing it. Without an index each read every booking (a million on the bench data).
use crate::helpers::*;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.create_index(index("bookings", &["budget_id"])).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_index(Index::drop().name("ix_bookings_budget_id").table("bookings").to_owned()).await
    }
}
