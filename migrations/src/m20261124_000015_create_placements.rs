//! Placements, for reports: one row for each booking a provider confirmed that a council's
//! personal budget pays for, written when it is confirmed and removed if it is cancelled.
//! It keeps what reports count by (the UK date it was made, type of care, lot, provider, area,
//! who placed it) and what they add up (weekly value, unit price, minutes from request to
//! confirmation), so reports read one narrow table instead of joining a million bookings.
//! Bookings already confirmed are copied in: their UK date exactly on PostgreSQL; on SQLite,
//! which has no time zones, the UTC date (only a confirmation between 23:00 and midnight in
//! summer time would differ, and this runs before there is live data).
//!
//! Also indexes bookings by status and closing time, for the provider delivery report.
use crate::helpers::*;
use sea_orm_migration::sea_orm::DbBackend;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

const REPORT_COLUMNS: [&str; 12] = [
    "council_id",
    "placed_on",
    "weekly_value_pence",
    "minutes_to_place",
    "channel",
    "category",
    "lot_id",
    "provider_id",
    "locality_id",
    "unit_price_pence",
    "unit",
    "booking_id",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let placements = Table::create()
            .table("placements")
            .col(reference("booking_id").primary_key())
            .col(reference("council_id"))
            .col(date("placed_on"))
            .col(string_len("category", 40))
            .col(reference_null("lot_id"))
            .col(reference("provider_id"))
            .col(reference_null("locality_id"))
            .col(one_of("channel", &["self", "planner", "council"]))
            .col(pence("weekly_value_pence", 0))
            .col(pence("unit_price_pence", 1))
            .col(one_of("unit", &["hour", "visit", "session", "day", "week", "item"]))
            .col(integer("minutes_to_place").check(Expr::col("minutes_to_place").gte(0)))
            .foreign_key(&mut foreign_key("placements", "booking_id", "bookings", ForeignKeyAction::Cascade))
            .foreign_key(&mut foreign_key("placements", "council_id", "councils", ForeignKeyAction::Restrict))
            .take();
        // Reports read a council's placements by date and nothing else: an index holding every
        // column they read answers them without touching the table (SQLite reads 350,000
        // placements this way in under a tenth of the time of looking each row up).
        let mut report_columns = Index::create();
        report_columns.name("ix_placements_report_columns").table("placements");
        for column in REPORT_COLUMNS {
            report_columns.col(column);
        }
        // The provider delivery report counts requests declined or lapsed and care handed back
        // by when they closed, from this index alone.
        let mut turned_away = Index::create();
        turned_away.name("ix_bookings_turned_away").table("bookings");
        for column in ["status", "closed_at", "provider_id", "budget_id", "listing_id", "close_reason"] {
            turned_away.col(column);
        }
        create_all(manager, vec![placements], vec![report_columns, turned_away]).await?;
        let (uk_date, minutes) = match manager.get_database_backend() {
            DbBackend::Postgres => (
                "CAST(b.confirmed_at AT TIME ZONE 'Europe/London' AS DATE)",
                "CAST(round(EXTRACT(EPOCH FROM (b.confirmed_at - b.requested_at)) / 60) AS INTEGER)",
            ),
            _ => ("date(b.confirmed_at)", "CAST(round((julianday(b.confirmed_at) - julianday(b.requested_at)) * 1440) AS INTEGER)"),
        };
        // Weekly value: a visit's cost (by the hour pro rata, half a penny up) times visits a week.
        let copy = format!(
            "INSERT INTO placements (booking_id, council_id, placed_on, category, lot_id, provider_id, locality_id, channel, \
                weekly_value_pence, unit_price_pence, unit, minutes_to_place) \
             SELECT b.id, bu.council_id, {uk_date}, l.category, b.lot_id, b.provider_id, COALESCE(lt.locality_id, pd.locality_id), b.channel, \
                (CASE WHEN b.unit = 'hour' THEN (b.unit_price_pence * b.duration_minutes + 30) / 60 ELSE b.unit_price_pence END) \
                    * (CASE WHEN b.schedule = 'weekly' THEN LENGTH(b.weekdays) ELSE 1 END), \
                b.unit_price_pence, b.unit, {minutes} \
             FROM bookings b JOIN budgets bu ON bu.id = b.budget_id JOIN listings l ON l.id = b.listing_id \
             LEFT JOIN lots lt ON lt.id = b.lot_id LEFT JOIN postcode_districts pd ON pd.code = l.base_district \
             WHERE b.confirmed_at IS NOT NULL AND b.status <> 'cancelled'"
        );
        manager.get_connection().execute_unprepared(&copy).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager.drop_index(Index::drop().name("ix_bookings_turned_away").table("bookings").to_owned()).await?;
        drop_all(manager, &["placements"]).await
    }
}
