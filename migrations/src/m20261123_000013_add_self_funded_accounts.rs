//! People who pay for their own care (self-funders) hold a CareMarket account funded by card
//! rather than by the council. It is a budget row, so bookings, visits and cancellations work
//! the same; `funding = 'self'` marks it (no allocation, no surplus review, its own statement).
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let funding = string_len("funding", 10).default("council").check(Expr::col("funding").is_in(["council", "self"])).take();
        manager.alter_table(Table::alter().table("budgets").add_column(funding).to_owned()).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.alter_table(Table::alter().table("budgets").drop_column("funding").to_owned()).await
    }
}
