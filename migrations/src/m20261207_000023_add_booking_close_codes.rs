//! Why a booking closed, as a code: declined, not answered in time, cancelled by the person, or
//! handed back by the provider. Handed-back care had been told apart by the sentence its
//! reason began with; existing rows are given their codes from their status and that sentence.
//! The provider delivery report's covering index reads the code instead of the sentence.
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

const CODES: [&str; 4] = ["declined", "not_answered", "cancelled_by_person", "handed_back"];
/// The covering index was named for what it covers; the new one takes a new name, as SQLite's
/// other pooled connections may still hold the old index in their cached schema.
const BY_SENTENCE: &str = "ix_bookings_turned_away";
const BY_CODE: &str = "ix_bookings_turned_away_by_code";

fn turned_away(name: &'static str, last: &'static str) -> IndexCreateStatement {
    let mut index = Index::create();
    index.name(name).table("bookings");
    for column in ["status", "closed_at", "provider_id", "budget_id", "listing_id", last] {
        index.col(column);
    }
    index.to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let code = ColumnDef::new("close_code").string_len(40).null().check(Expr::col("close_code").is_in(CODES)).take();
        manager.alter_table(Table::alter().table("bookings").add_column(code).to_owned()).await?;
        manager
            .get_connection()
            .execute_unprepared(
                "UPDATE bookings SET close_code = CASE \
                   WHEN status = 'declined' THEN 'declined' \
                   WHEN status = 'lapsed' THEN 'not_answered' \
                   WHEN close_reason LIKE 'cancelled by the provider%' THEN 'handed_back' \
                   ELSE 'cancelled_by_person' END \
                 WHERE status IN ('declined', 'lapsed', 'cancelled')",
            )
            .await?;
        manager.drop_index(Index::drop().name(BY_SENTENCE).table("bookings").to_owned()).await?;
        manager.create_index(turned_away(BY_CODE, "close_code")).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_index(Index::drop().name(BY_CODE).table("bookings").to_owned()).await?;
        manager.create_index(turned_away(BY_SENTENCE, "close_reason")).await?;
        manager.alter_table(Table::alter().table("bookings").drop_column("close_code").to_owned()).await
    }
}
