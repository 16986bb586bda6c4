//! Each provider's CQC rating history, as imported from the CQC's care directory: the rating,
//! the date the CQC gave it, and the one it replaced.
use crate::helpers::*;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

const RATINGS: [&str; 6] = ["outstanding", "good", "requires_improvement", "inadequate", "not_yet_rated", "not_regulated"];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let ratings = Table::create()
            .table("provider_ratings")
            .col(id())
            .col(reference("provider_id"))
            .col(one_of("rating", &RATINGS))
            .col(ColumnDef::new("previous").string_len(40).null().check(Expr::col("previous").is_in(RATINGS)).take())
            .col(date("rated_on"))
            .col(reference("recorded_by"))
            .col(created_at())
            .foreign_key(&mut foreign_key("provider_ratings", "provider_id", "providers", ForeignKeyAction::Cascade))
            .foreign_key(&mut foreign_key("provider_ratings", "recorded_by", "users", ForeignKeyAction::Restrict))
            .take();
        create_all(manager, vec![ratings], vec![index("provider_ratings", &["provider_id", "rated_on"])]).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_table(Table::drop().table("provider_ratings").to_owned()).await
    }
}
