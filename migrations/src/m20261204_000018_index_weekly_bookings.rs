//! Every booking's clash check looks up the person's live weekly bookings (their visits after
//! the 4 weeks scheduled so far are not rows yet). Indexed by person and schedule, that is a
//! probe that usually finds nothing, instead of reading each of the person's live bookings.
use crate::helpers::*;
use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.create_index(index("bookings", &["person_id", "schedule"])).await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_index(Index::drop().name("ix_bookings_person_id_schedule").table("bookings").to_owned()).await
    }
}
