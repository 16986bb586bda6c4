//! Verified reviews (one per booking already): a provider's one reply, and a commissioner
//! hiding a review with a reason (hidden reviews stop counting towards quality).
use crate::helpers::*;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

const REASONS: [&str; 3] = ["abusive", "personal_data", "not_about_care"];

fn columns() -> Vec<ColumnDef> {
    vec![
        text_null("reply_text"),
        moment_null("replied_at"),
        moment_null("hidden_at"),
        ColumnDef::new("hidden_reason").string_len(20).null().check(Expr::col("hidden_reason").is_in(REASONS)).take(),
        big_integer_null("hidden_by"),
    ]
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column at a time: SQLite alters a table one change per statement.
        for column in columns() {
            manager.alter_table(Table::alter().table("reviews").add_column(column).to_owned()).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in columns().iter().rev() {
            manager.alter_table(Table::alter().table("reviews").drop_column(Alias::new(column.get_column_name())).to_owned()).await?;
        }
        Ok(())
    }
}
