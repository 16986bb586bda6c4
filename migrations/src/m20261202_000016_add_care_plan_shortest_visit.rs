//! A person's care plan can set their shortest home care visit (shorter or longer than the
//! usual 30 minutes: a 15-minute medication prompt, say). Empty means the usual rule.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let shortest = integer_null("shortest_visit_minutes").check(Expr::col("shortest_visit_minutes").between(5, 240)).take();
        manager.alter_table(Table::alter().table("budgets").add_column(shortest).to_owned()).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.alter_table(Table::alter().table("budgets").drop_column("shortest_visit_minutes").to_owned()).await
    }
}
