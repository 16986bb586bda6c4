//! A booking keeps the terms it was made on: the service's notice period and late-cancellation
//! charge, and the billing increment visits are rounded to. A provider changing its terms later
//! changes them for new bookings only. Existing bookings take their service's terms of today.
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

const TERMS: [&str; 3] = ["cancellation_notice_hours", "late_cancellation_percent", "billing_increment_minutes"];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for term in TERMS {
            let column = integer(term).default(0).check(Expr::col(term).gte(0)).take();
            manager.alter_table(Table::alter().table("bookings").add_column(column).to_owned()).await?;
            manager
                .get_connection()
                .execute_unprepared(&format!("UPDATE bookings SET {term} = (SELECT listings.{term} FROM listings WHERE listings.id = bookings.listing_id)"))
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for term in TERMS {
            manager.alter_table(Table::alter().table("bookings").drop_column(term).to_owned()).await?;
        }
        Ok(())
    }
}
