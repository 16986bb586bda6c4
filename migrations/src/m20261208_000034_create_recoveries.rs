//! Money recovered: a commissioner's proposal to take back a budget's surplus above an amount it
//! keeps, the holder's reply (14 days), and the decision; a confirmed one is a ledger transfer.
use crate::helpers::*;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let recoveries = Table::create()
            .table("recoveries")
            .col(id())
            .col(string_len_uniq("reference", 20))
            .col(reference("council_id"))
            .col(reference("budget_id"))
            .col(pence("keep_pence", 0))
            .col(pence("surplus_pence", 1))
            .col(text("reason"))
            .col(one_of("status", &["proposed", "recovered", "withdrawn"]))
            .col(moment("reply_by"))
            .col(text_null("reply_text"))
            .col(moment_null("replied_at"))
            .col(big_integer_null("recovered_pence"))
            .col(reference("proposed_by"))
            .col(reference_null("decided_by"))
            .col(moment_null("decided_at"))
            .col(created_at())
            .foreign_key(&mut foreign_key("recoveries", "council_id", "councils", ForeignKeyAction::Restrict))
            .foreign_key(&mut foreign_key("recoveries", "budget_id", "budgets", ForeignKeyAction::Restrict))
            .foreign_key(&mut foreign_key("recoveries", "proposed_by", "users", ForeignKeyAction::Restrict))
            .foreign_key(&mut foreign_key("recoveries", "decided_by", "users", ForeignKeyAction::Restrict))
            .take();
        create_all(manager, vec![recoveries], vec![index("recoveries", &["council_id", "status"]), index("recoveries", &["budget_id", "status"])]).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table("recoveries").to_owned()).await
    }
}
