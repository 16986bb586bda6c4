//! A refund is started (the money leaves the budget and the payment is marked) in one
//! transaction, and only then asked of the card processor, outside it: this column says a
//! refund is under way until the processor confirms it.
use crate::helpers::*;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.alter_table(Table::alter().table("card_payments").add_column(moment_null("refund_started_at")).to_owned()).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.alter_table(Table::alter().table("card_payments").drop_column("refund_started_at").to_owned()).await
    }
}
