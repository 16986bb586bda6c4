//! Day-by-day totals the money and delivery reports add up, kept as the money moves and visits
//! end, so a report over a year reads a few thousand rows, not every transfer and visit (about
//! 1.6 million and a million on the bench data):
//! * `budget_money_days`: each day's money of a council's budgets, by budget type and funding:
//!   allocated, spent on care (set-aside money that became a provider's) and recovered;
//! * `visit_days`: each day's visits delivered and missed, by the council whose budget paid,
//!   funding, provider and kind of care.
//!
//! Filled from what is already recorded when CareMarket starts (`repairs`).
use crate::helpers::*;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let money = Table::create()
            .table("budget_money_days")
            .col(id())
            .col(reference("council_id"))
            .col(date("day"))
            .col(string_len("budget_type", 40))
            .col(string_len("funding", 20))
            .col(pence("allocated_pence", 0))
            .col(pence("spent_pence", 0))
            .col(pence("recovered_pence", 0))
            .foreign_key(&mut foreign_key("budget_money_days", "council_id", "councils", ForeignKeyAction::Cascade))
            .take();
        let visits = Table::create()
            .table("visit_days")
            .col(id())
            .col(reference("council_id"))
            .col(date("day"))
            .col(string_len("funding", 20))
            .col(reference("provider_id"))
            .col(string_len("category", 40))
            .col(big_integer("delivered").check(Expr::col("delivered").gte(0)))
            .col(big_integer("missed").check(Expr::col("missed").gte(0)))
            .foreign_key(&mut foreign_key("visit_days", "council_id", "councils", ForeignKeyAction::Cascade))
            .foreign_key(&mut foreign_key("visit_days", "provider_id", "providers", ForeignKeyAction::Cascade))
            .take();
        create_all(
            manager,
            vec![money, visits],
            vec![
                unique("budget_money_days", &["council_id", "day", "budget_type", "funding"]),
                unique("visit_days", &["council_id", "day", "funding", "provider_id", "category"]),
            ],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_all(manager, &["budget_money_days", "visit_days"]).await
    }
}
