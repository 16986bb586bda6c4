//! A postcode district's everyday name ("Gosforth" for NE3), so a search that names a place
//! finds services near it.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.alter_table(Table::alter().table("postcode_districts").add_column(string_len_null("name", 80)).to_owned()).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.alter_table(Table::alter().table("postcode_districts").drop_column("name").to_owned()).await
    }
}
