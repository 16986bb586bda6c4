//! What bookings need once a provider answers: a request for "best value on the framework"
//! remembers that it may be offered on to the next-ranked provider (and which booking it was
//! offered on from); people are told what happened in notifications; a payment run records
//! what the council paid providers, for the remittance file.
use crate::helpers::*;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

const TABLES: &[&str] = &["notifications", "payment_runs"];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // SQLite adds one column per statement.
        manager.alter_table(Table::alter().table("bookings").add_column(boolean("best_value").default(false)).to_owned()).await?;
        manager.alter_table(Table::alter().table("bookings").add_column(reference_null("offered_on_from")).to_owned()).await?;
        let notifications = Table::create()
            .table("notifications")
            .col(id())
            .col(reference("user_id"))
            .col(reference_null("booking_id"))
            .col(text("message"))
            .col(created_at())
            .col(moment_null("read_at"))
            .foreign_key(&mut foreign_key("notifications", "user_id", "users", ForeignKeyAction::Cascade))
            .foreign_key(&mut foreign_key("notifications", "booking_id", "bookings", ForeignKeyAction::Cascade))
            .take();
        let payment_runs = Table::create()
            .table("payment_runs")
            .col(id())
            .col(string_len_uniq("reference", 40))
            .col(reference("council_id"))
            .col(pence("total_pence", 0))
            .col(integer("provider_count"))
            .col(reference("run_by"))
            .col(created_at())
            .foreign_key(&mut foreign_key("payment_runs", "council_id", "councils", ForeignKeyAction::Restrict))
            .foreign_key(&mut foreign_key("payment_runs", "run_by", "users", ForeignKeyAction::Restrict))
            .take();
        create_all(
            manager,
            vec![notifications, payment_runs],
            vec![index("notifications", &["user_id", "created_at"]), index("bookings", &["status", "respond_by"])],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_index(Index::drop().name("ix_bookings_status_respond_by").table("bookings").to_owned()).await?;
        drop_all(manager, TABLES).await?;
        manager.alter_table(Table::alter().table("bookings").drop_column("offered_on_from").to_owned()).await?;
        manager.alter_table(Table::alter().table("bookings").drop_column("best_value").to_owned()).await
    }
}
