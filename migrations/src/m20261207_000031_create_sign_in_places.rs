//! Where each account has signed in from (a digest of the network address, never the address),
//! so a sign-in from somewhere new can be emailed to the account's owner.
use crate::helpers::*;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let places = Table::create()
            .table("sign_in_places")
            .col(id())
            .col(reference("user_id"))
            .col(string_len("place_hash", 64))
            .col(moment("first_seen_at"))
            .foreign_key(&mut foreign_key("sign_in_places", "user_id", "users", ForeignKeyAction::Cascade))
            .take();
        create_all(manager, vec![places], vec![unique("sign_in_places", &["user_id", "place_hash"])]).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table("sign_in_places").to_owned()).await
    }
}
