//! Personal budgets: type, who holds the money, 4-weekly allocation and assessed contribution.
use crate::helpers::*;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

const TABLES: &[&str] = &["budgets"];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let budgets = Table::create()
            .table("budgets")
            .col(id())
            .col(reference("holder_id"))
            .col(reference("council_id"))
            .col(one_of("budget_type", &["direct_payment", "managed_account", "individual_service_fund"]))
            // An individual service fund is held by one chosen provider; other budgets by nobody.
            .col(reference_null("isf_provider_id"))
            .col(pence("four_weekly_allocation_pence", 0))
            .col(pence("four_weekly_contribution_pence", 0))
            .col(date("starts_on"))
            .col(created_at())
            .check(Expr::cust("(budget_type = 'individual_service_fund') = (isf_provider_id IS NOT NULL)"))
            .foreign_key(&mut foreign_key("budgets", "holder_id", "users", ForeignKeyAction::Restrict))
            .foreign_key(&mut foreign_key("budgets", "council_id", "councils", ForeignKeyAction::Restrict))
            .foreign_key(&mut foreign_key("budgets", "isf_provider_id", "providers", ForeignKeyAction::Restrict))
            .take();
        create_all(manager, vec![budgets], vec![unique("budgets", &["holder_id"])]).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_all(manager, TABLES).await
    }
}
