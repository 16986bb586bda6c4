//! Each search index follows the outbox from a cursor of its own (an embedded index per
//! server; one shared Meilisearch index), reported here as it applies entries, so an entry is
//! removed only once every server still reporting in has applied it. `outbox_pruned` keeps the
//! highest entry ever removed: an index whose cursor is below it missed something and rebuilds.
use crate::helpers::*;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

const TABLES: &[&str] = &["search_followers", "outbox_pruned"];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let followers = Table::create()
            .table("search_followers")
            .col(string_len("follower", 120).primary_key())
            .col(big_integer("last_applied"))
            .col(moment("reported_at"))
            .take();
        let pruned = Table::create().table("outbox_pruned").col(id()).col(big_integer("through_id")).take();
        create_all(manager, vec![followers, pruned], vec![index("outbox", &["created_at"])]).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_index(Index::drop().name("ix_outbox_created_at").table("outbox").to_owned()).await?;
        drop_all(manager, TABLES).await
    }
}
