//! What providers offer: listings with price, unit, policies, attributes, areas and availability.
use crate::helpers::*;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

const TABLES: &[&str] = &["listings", "listing_attributes", "listing_areas", "listing_availability"];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let listings = Table::create()
            .table("listings")
            .col(id())
            .col(string_len_uniq("public_id", 36))
            .col(reference("provider_id"))
            .col(one_of(
                "category",
                &[
                    "home_care",
                    "personal_assistant",
                    "day_opportunities",
                    "respite",
                    "shared_lives",
                    "community_activities",
                    "cleaning_shopping",
                    "equipment_telecare",
                ],
            ))
            .col(string("title"))
            .col(text("description"))
            .col(one_of("unit", &["hour", "visit", "session", "day", "week", "item"]))
            .col(pence("price_pence", 1))
            .col(integer("min_visit_minutes").check(Expr::col("min_visit_minutes").gte(0)))
            .col(integer("billing_increment_minutes").check(Expr::col("billing_increment_minutes").between(1, 60)))
            // Cancellation policy: notice needed, and what share of a visit a later cancellation costs.
            .col(integer("cancellation_notice_hours").check(Expr::col("cancellation_notice_hours").gte(0)))
            .col(integer("late_cancellation_percent").check(Expr::col("late_cancellation_percent").between(0, 100)))
            .col(one_of("carer_gender", &["any", "female", "male"]))
            // Serving a radius around a base postcode district, in addition to listed districts.
            .col(string_len_null("base_district", 4))
            .col(integer_null("radius_km").check(Expr::col("radius_km").between(1, 200)))
            .col(one_of("status", &["draft", "published", "paused"]))
            .col(moment_null("assured_at"))
            .col(created_at())
            .col(moment("updated_at"))
            .foreign_key(&mut foreign_key("listings", "provider_id", "providers", ForeignKeyAction::Cascade))
            .take();
        let listing_attributes = Table::create()
            .table("listing_attributes")
            .col(reference("listing_id"))
            .col(one_of("kind", &["specialism", "language"]))
            .col(string_len("value", 60))
            .primary_key(Index::create().col("listing_id").col("kind").col("value"))
            .foreign_key(&mut foreign_key("listing_attributes", "listing_id", "listings", ForeignKeyAction::Cascade))
            .take();
        let listing_areas = Table::create()
            .table("listing_areas")
            .col(reference("listing_id"))
            .col(string_len("district", 4))
            .primary_key(Index::create().col("listing_id").col("district"))
            .foreign_key(&mut foreign_key("listing_areas", "listing_id", "listings", ForeignKeyAction::Cascade))
            .take();
        // Weekly availability as windows in minutes from midnight, Monday = 1 .. Sunday = 7.
        let listing_availability = Table::create()
            .table("listing_availability")
            .col(id())
            .col(reference("listing_id"))
            .col(small_integer("weekday").check(Expr::col("weekday").between(1, 7)))
            .col(integer("opens_minute").check(Expr::col("opens_minute").between(0, 1439)))
            .col(integer("closes_minute").check(Expr::col("closes_minute").between(1, 1440)))
            .check(Expr::cust("opens_minute < closes_minute"))
            .foreign_key(&mut foreign_key("listing_availability", "listing_id", "listings", ForeignKeyAction::Cascade))
            .take();
        create_all(
            manager,
            vec![listings, listing_attributes, listing_areas, listing_availability],
            vec![
                index("listings", &["provider_id"]),
                index("listings", &["status", "category"]),
                index("listing_areas", &["district"]),
                index("listing_availability", &["listing_id", "weekday"]),
            ],
        )
        .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        drop_all(manager, TABLES).await
    }
}
