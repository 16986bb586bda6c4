//! Electronic call monitoring files a provider uploaded: how many lines settled a visit, how many
//! had settled it already (the same file twice settles once), and each line not matched, and why.
use crate::helpers::*;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let imports = Table::create()
            .table("call_monitoring_imports")
            .col(id())
            .col(reference("provider_id"))
            .col(reference("uploaded_by"))
            .col(integer("settled"))
            .col(integer("already_settled"))
            .col(text("problems"))
            .col(created_at())
            .foreign_key(&mut foreign_key("call_monitoring_imports", "provider_id", "providers", ForeignKeyAction::Cascade))
            .foreign_key(&mut foreign_key("call_monitoring_imports", "uploaded_by", "users", ForeignKeyAction::Restrict))
            .take();
        create_all(manager, vec![imports], vec![index("call_monitoring_imports", &["provider_id"])]).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table("call_monitoring_imports").to_owned()).await
    }
}
