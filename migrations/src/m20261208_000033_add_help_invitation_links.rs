//! Asking anyone to help: a request to an address with no helper's account carries a link (its
//! digest here) with which they open one. A request a helper has accepted stays `waiting`, with
//! `answered_by` set, until the person lets them help.
use crate::helpers::*;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let add = Table::alter().table("helper_invitations").add_column(string_len_null("token_hash", 64)).to_owned();
        manager.alter_table(add).await?;
        manager.create_index(unique("helper_invitations", &["token_hash"]).to_owned()).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_index(Index::drop().name("ux_helper_invitations_token_hash").table("helper_invitations").to_owned()).await?;
        manager.alter_table(Table::alter().table("helper_invitations").drop_column("token_hash").to_owned()).await
    }
}
