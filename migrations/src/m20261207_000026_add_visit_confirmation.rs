//! The person confirms the care they received. A delivered visit keeps its cost set aside
//! until it is confirmed (by the person, through an emailed link, or automatically after 48
//! hours); a query is answered by the provider and, if the person still disagrees, decided
//! by the council. Staff leave a short note at check-out. Only a digest of the emailed link's
//! token is kept. Visits delivered before this were paid at check-out, so they are confirmed.
use crate::helpers::*;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

const STATES: [&str; 5] = ["awaiting", "queried", "answered", "with_council", "confirmed"];
const TEXTS: [&str; 4] = ["note", "query_text", "answer_text", "decision_text"];
const BY_DUE: &str = "ix_visits_confirmation_due";
const BY_TOKEN: &str = "ux_visits_confirm_token_hash";

fn columns() -> Vec<ColumnDef> {
    let mut columns = vec![
        ColumnDef::new("confirmation").string_len(20).null().check(Expr::col("confirmation").is_in(STATES)).take(),
        moment_null("confirm_by"),
        moment_null("confirmed_at"),
        string_len_null("confirm_token_hash", 64),
    ];
    columns.extend(TEXTS.iter().map(|name| text_null(*name)));
    columns
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One column at a time: SQLite alters a table one change per statement.
        for column in columns() {
            manager.alter_table(Table::alter().table("visits").add_column(column).to_owned()).await?;
        }
        // Visits delivered before this were paid at check-out: they count as confirmed.
        manager
            .get_connection()
            .execute_unprepared("UPDATE visits SET confirmation = 'confirmed', confirmed_at = checked_out_at WHERE status = 'delivered'")
            .await?;
        manager.create_index(index("visits", &["confirmation", "confirm_by"]).name(BY_DUE).to_owned()).await?;
        manager.create_index(unique("visits", &["confirm_token_hash"]).name(BY_TOKEN).to_owned()).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for name in [BY_TOKEN, BY_DUE] {
            manager.drop_index(Index::drop().name(name).table("visits").to_owned()).await?;
        }
        for column in columns().iter().rev() {
            manager.alter_table(Table::alter().table("visits").drop_column(Alias::new(column.get_column_name())).to_owned()).await?;
        }
        Ok(())
    }
}
