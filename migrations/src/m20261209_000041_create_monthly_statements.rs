//! The monthly clean-account statement of each council budget: its available and set-aside
//! balances at the start and end of the month, the money that came in and went out by kind
//! (a JSON list of `[kind, in, out]`), and its risk flags when it was made (a JSON list; empty
//! means no concerns). One per budget per month.
use crate::helpers::*;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let statements = Table::create()
            .table("monthly_statements")
            .col(id())
            .col(reference("budget_id"))
            .col(reference("council_id"))
            .col(date("month"))
            .col(big_integer("opening_available_pence"))
            .col(big_integer("opening_set_aside_pence"))
            .col(big_integer("closing_available_pence"))
            .col(big_integer("closing_set_aside_pence"))
            .col(text("movements"))
            .col(text("flags"))
            .col(created_at())
            .foreign_key(&mut foreign_key("monthly_statements", "budget_id", "budgets", ForeignKeyAction::Cascade))
            .foreign_key(&mut foreign_key("monthly_statements", "council_id", "councils", ForeignKeyAction::Cascade))
            .take();
        create_all(
            manager,
            vec![statements],
            vec![unique("monthly_statements", &["budget_id", "month"]), index("monthly_statements", &["council_id", "month"])],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table("monthly_statements").to_owned()).await
    }
}
