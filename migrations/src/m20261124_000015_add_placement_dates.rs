//! A confirmed booking is a placement, made on the UK date it was confirmed (`placed_on`):
//! reports count placements by UK day, week and month, and compare them with the offline
//! placements commissioners record (also by date). Set when a provider accepts. Existing
//! placements take their date from `confirmed_at`: exactly on PostgreSQL; on SQLite, which has
//! no time zones, as the UTC date (only a confirmation between 23:00 and midnight in summer
//! time would differ, and this runs before there is live data).
use crate::helpers::index;
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::date_null;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.alter_table(Table::alter().table("bookings").add_column(date_null("placed_on")).to_owned()).await?;
        let uk_date = match manager.get_database_backend() {
            DbBackend::Postgres => "CAST(confirmed_at AT TIME ZONE 'Europe/London' AS DATE)",
            _ => "date(confirmed_at)",
        };
        manager
            .get_connection()
            .execute_unprepared(&format!("UPDATE bookings SET placed_on = {uk_date} WHERE confirmed_at IS NOT NULL"))
            .await?;
        manager.create_index(index("bookings", &["placed_on"])).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_index(Index::drop().name("ix_bookings_placed_on").table("bookings").to_owned()).await?;
        manager.alter_table(Table::alter().table("bookings").drop_column("placed_on").to_owned()).await
    }
}
