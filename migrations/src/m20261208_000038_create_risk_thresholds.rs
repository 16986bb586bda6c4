//! A council's own thresholds for budgets' risk flags (the defaults apply until it sets them).
use crate::helpers::*;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let thresholds = Table::create()
            .table("risk_thresholds")
            .col(id())
            .col(reference("council_id"))
            .col(integer("surplus_weeks"))
            .col(integer("unused_weeks"))
            .col(integer("off_framework_percent"))
            .col(integer("missed_or_queried"))
            .col(integer("top_ups"))
            .foreign_key(&mut foreign_key("risk_thresholds", "council_id", "councils", ForeignKeyAction::Cascade))
            .take();
        create_all(manager, vec![thresholds], vec![unique("risk_thresholds", &["council_id"])]).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table("risk_thresholds").to_owned()).await
    }
}
