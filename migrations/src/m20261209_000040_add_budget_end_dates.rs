//! A budget may have an end date (no care booked after it, no allocations for periods starting
//! after it) and may be closed by the council (its bookings end, what is set aside for care not
//! yet given is released, and what is left goes back to the council). A booking ended because
//! its budget closed gets its own close code, so the list of codes is widened: the column is
//! made again (SQLite cannot change a CHECK in place): the old one is renamed aside, the new
//! one added and filled, and the old one dropped.
use crate::helpers::*;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

const OLD_CODES: [&str; 4] = ["declined", "not_answered", "cancelled_by_person", "handed_back"];
const NEW_CODES: [&str; 5] = ["declined", "not_answered", "cancelled_by_person", "handed_back", "budget_closed"];
/// The provider delivery report's covering index (see migration 23), which names the column.
const BY_CODE: &str = "ix_bookings_turned_away_by_code";

fn turned_away() -> IndexCreateStatement {
    let mut index = Index::create();
    index.name(BY_CODE).table("bookings");
    for column in ["status", "closed_at", "provider_id", "budget_id", "listing_id", "close_code"] {
        index.col(column);
    }
    index.to_owned()
}

/// Replaces `bookings.close_code` with a column allowing `codes`, keeping every value
/// (`rewrite` first turns values the new list lacks into ones it has). The old column is
/// renamed aside first, and dropped last. One transaction, so one connection: another of
/// SQLite's pooled connections could still read the table as it was before the last change.
async fn recode(manager: &SchemaManager<'_>, codes: &[&str], rewrite: Option<&str>) -> Result<(), DbErr> {
    let manager = manager.begin().await?;
    let db = manager.get_connection();
    if let Some(sql) = rewrite {
        db.execute_unprepared(sql).await?;
    }
    let bookings = || Table::alter().table("bookings").to_owned();
    manager.drop_index(Index::drop().name(BY_CODE).table("bookings").to_owned()).await?;
    manager.alter_table(bookings().rename_column("close_code", "close_code_before").to_owned()).await?;
    let widened = ColumnDef::new("close_code").string_len(40).null().check(Expr::col("close_code").is_in(codes.iter().copied())).take();
    manager.alter_table(bookings().add_column(widened).to_owned()).await?;
    db.execute_unprepared("UPDATE bookings SET close_code = close_code_before").await?;
    manager.alter_table(bookings().drop_column("close_code_before").to_owned()).await?;
    manager.create_index(turned_away()).await?;
    manager.commit().await
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // One change per statement: SQLite alters one thing at a time.
        manager.alter_table(Table::alter().table("budgets").add_column(date_null("ends_on")).to_owned()).await?;
        manager.alter_table(Table::alter().table("budgets").add_column(moment_null("closed_at")).to_owned()).await?;
        recode(manager, &NEW_CODES, None).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let back = "UPDATE bookings SET close_code = 'cancelled_by_person' WHERE close_code = 'budget_closed'";
        recode(manager, &OLD_CODES, Some(back)).await?;
        manager.alter_table(Table::alter().table("budgets").drop_column("closed_at").to_owned()).await?;
        manager.alter_table(Table::alter().table("budgets").drop_column("ends_on").to_owned()).await
    }
}
