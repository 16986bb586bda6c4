//! What a council's finance system needs to import CareMarket's money: the cost centre and
//! account code for each kind of movement, and each provider's supplier number there.
use crate::helpers::*;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let codes = Table::create()
            .table("finance_codes")
            .col(id())
            .col(reference("council_id"))
            .col(one_of("kind", &["payment", "allocation", "recovery"]))
            .col(string_len("cost_centre", 40))
            .col(string_len("account_code", 40))
            .foreign_key(&mut foreign_key("finance_codes", "council_id", "councils", ForeignKeyAction::Cascade))
            .take();
        create_all(manager, vec![codes], vec![unique("finance_codes", &["council_id", "kind"])]).await?;
        let supplier = Table::alter().table("providers").add_column(string_len_null("supplier_number", 40)).to_owned();
        manager.alter_table(supplier).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.alter_table(Table::alter().table("providers").drop_column("supplier_number").to_owned()).await?;
        manager.drop_table(Table::drop().table("finance_codes").to_owned()).await
    }
}
