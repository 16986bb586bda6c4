//! What each person chooses to have emailed, by kind of message (everything is, until they
//! say otherwise). Messages about the account itself are not a choice and are not kept here.
use crate::helpers::*;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let choices = Table::create()
            .table("mail_choices")
            .col(id())
            .col(reference("user_id"))
            .col(one_of("kind", &["bookings", "visits", "messages", "reviews", "concerns", "money"]))
            .col(boolean("by_email"))
            .foreign_key(&mut foreign_key("mail_choices", "user_id", "users", ForeignKeyAction::Cascade))
            .take();
        create_all(manager, vec![choices], vec![unique("mail_choices", &["user_id", "kind"])]).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table("mail_choices").to_owned()).await
    }
}
