//! Each visit names the person it is for (a copy of its booking's), so "this person's visits
//! between these times" (the clash check every booking makes) reads one short index range
//! instead of looking up the visits of each of their live bookings in turn: the booking
//! benchmark's holders, with a few hundred requests each, spent half the database's time there.
//! Existing visits take their booking's person. PostgreSQL then refuses a visit without one;
//! SQLite cannot tighten a column in place, and the application always writes it.
//!
//! Also drops the index of bookings by confirmation time: reports read placements instead
//! (migration 15), and each booking written paid for keeping it.
use crate::helpers::*;
use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.alter_table(Table::alter().table("visits").add_column(reference_null("person_id")).to_owned()).await?;
        let db = manager.get_connection();
        db.execute_unprepared("UPDATE visits SET person_id = (SELECT bookings.person_id FROM bookings WHERE bookings.id = visits.booking_id)").await?;
        if manager.get_database_backend() == DbBackend::Postgres {
            db.execute_unprepared("ALTER TABLE visits ALTER COLUMN person_id SET NOT NULL").await?;
        }
        manager.create_index(index("visits", &["person_id", "scheduled_start"])).await?;
        manager.drop_index(Index::drop().name("ix_bookings_confirmed_at").table("bookings").to_owned()).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.create_index(index("bookings", &["confirmed_at"])).await?;
        manager.drop_index(Index::drop().name("ix_visits_person_id_scheduled_start").table("visits").to_owned()).await?;
        manager.alter_table(Table::alter().table("visits").drop_column("person_id").to_owned()).await
    }
}
