//! Bookings (placements when confirmed), their visits, reviews of delivered care, and
//! placements made outside CareMarket (recorded by commissioners for comparison).
use crate::helpers::*;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

const TABLES: &[&str] = &["bookings", "visits", "reviews", "offline_placements"];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let bookings = Table::create()
            .table("bookings")
            .col(id())
            .col(string_len_uniq("reference", 20))
            .col(reference("listing_id"))
            .col(reference("provider_id"))
            .col(reference("person_id"))
            .col(reference_null("budget_id"))
            .col(reference("placed_by"))
            .col(one_of("channel", &["self", "planner", "council"]))
            .col(reference_null("lot_id"))
            .col(one_of("status", &["requested", "confirmed", "in_progress", "completed", "declined", "lapsed", "cancelled"]))
            .col(one_of("schedule", &["one_off", "weekly"]))
            .col(moment("starts_at"))
            .col(date_null("ends_on"))
            // Weekdays of a weekly pattern as digits, Monday = 1 ("135" = Mon, Wed, Fri).
            .col(string_len_null("weekdays", 7))
            .col(integer("duration_minutes").check(Expr::col("duration_minutes").gt(0)))
            .col(pence("unit_price_pence", 1))
            .col(one_of("unit", &["hour", "visit", "session", "day", "week", "item"]))
            .col(pence("committed_pence", 0))
            .col(one_of("paid_by", &["budget", "card"]))
            .col(moment("requested_at"))
            .col(moment_null("respond_by"))
            .col(moment_null("confirmed_at"))
            .col(moment_null("closed_at"))
            .col(text_null("close_reason"))
            .check(Expr::cust("(paid_by = 'budget') = (budget_id IS NOT NULL)"))
            .check(Expr::cust("(schedule = 'weekly') = (weekdays IS NOT NULL)"))
            .foreign_key(&mut foreign_key("bookings", "listing_id", "listings", ForeignKeyAction::Restrict))
            .foreign_key(&mut foreign_key("bookings", "provider_id", "providers", ForeignKeyAction::Restrict))
            .foreign_key(&mut foreign_key("bookings", "person_id", "users", ForeignKeyAction::Restrict))
            .foreign_key(&mut foreign_key("bookings", "budget_id", "budgets", ForeignKeyAction::Restrict))
            .foreign_key(&mut foreign_key("bookings", "placed_by", "users", ForeignKeyAction::Restrict))
            .foreign_key(&mut foreign_key("bookings", "lot_id", "lots", ForeignKeyAction::Restrict))
            .take();
        let visits = Table::create()
            .table("visits")
            .col(id())
            .col(reference("booking_id"))
            .col(moment("scheduled_start"))
            .col(integer("scheduled_minutes").check(Expr::col("scheduled_minutes").gt(0)))
            .col(one_of("status", &["scheduled", "in_progress", "delivered", "missed", "cancelled"]))
            .col(moment_null("checked_in_at"))
            .col(moment_null("checked_out_at"))
            .col(integer_null("delivered_minutes").check(Expr::col("delivered_minutes").gte(0)))
            .col(big_integer_null("charged_pence").check(Expr::col("charged_pence").gte(0)))
            .check(Expr::cust("delivered_minutes IS NULL OR delivered_minutes <= scheduled_minutes"))
            .foreign_key(&mut foreign_key("visits", "booking_id", "bookings", ForeignKeyAction::Cascade))
            .take();
        let reviews = Table::create()
            .table("reviews")
            .col(id())
            .col(reference("booking_id"))
            .col(reference("provider_id"))
            .col(reference("author_id"))
            .col(small_integer("stars").check(Expr::col("stars").between(1, 5)))
            .col(text("body"))
            .col(created_at())
            .foreign_key(&mut foreign_key("reviews", "booking_id", "bookings", ForeignKeyAction::Cascade))
            .foreign_key(&mut foreign_key("reviews", "provider_id", "providers", ForeignKeyAction::Cascade))
            .foreign_key(&mut foreign_key("reviews", "author_id", "users", ForeignKeyAction::Restrict))
            .take();
        let offline_placements = Table::create()
            .table("offline_placements")
            .col(id())
            .col(reference("council_id"))
            .col(date("placed_on"))
            .col(string_len("category", 40))
            .col(reference_null("locality_id"))
            .col(pence("weekly_value_pence", 0))
            .col(reference("recorded_by"))
            .col(created_at())
            .foreign_key(&mut foreign_key("offline_placements", "council_id", "councils", ForeignKeyAction::Restrict))
            .foreign_key(&mut foreign_key("offline_placements", "locality_id", "localities", ForeignKeyAction::Restrict))
            .foreign_key(&mut foreign_key("offline_placements", "recorded_by", "users", ForeignKeyAction::Restrict))
            .take();
        create_all(
            manager,
            vec![bookings, visits, reviews, offline_placements],
            vec![
                index("bookings", &["person_id", "status"]),
                index("bookings", &["provider_id", "status"]),
                index("bookings", &["confirmed_at"]),
                unique("visits", &["booking_id", "scheduled_start"]),
                index("visits", &["scheduled_start"]),
                unique("reviews", &["booking_id"]),
                index("offline_placements", &["council_id", "placed_on"]),
            ],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_all(manager, TABLES).await
    }
}
