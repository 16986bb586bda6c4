//! CareMarket's schema, one migration per area of the domain. Every migration has a `down`;
//! the same code runs on SQLite (the embedded default) and PostgreSQL (production).
//! See `README.md` in this folder for the rules we keep.

pub use sea_orm_migration::prelude::*;

mod helpers;
mod m20261122_000001_create_councils_and_organisations;
mod m20261122_000002_create_accounts;
mod m20261122_000003_create_listings;
mod m20261122_000004_create_frameworks_and_quality;
mod m20261122_000005_create_budgets;
mod m20261122_000006_create_bookings_and_visits;
mod m20261122_000007_create_ledger;
mod m20261122_000008_create_delegations_audit_and_outbox;
mod m20261123_000009_add_unique_framework_names;
mod m20261123_000010_add_booking_request_keys;
mod m20261123_000011_create_notifications_and_payment_runs;
mod m20261123_000012_create_account_setup_codes;
mod m20261123_000013_add_self_funded_accounts;
mod m20261123_000014_add_booking_terms;
mod m20261124_000015_create_placements;
mod m20261202_000016_add_care_plan_shortest_visit;
mod m20261203_000017_add_visit_people;
mod m20261204_000018_index_weekly_bookings;
mod m20261206_000019_create_helper_invitations;
mod m20261206_000020_add_card_refund_start;
mod m20261206_000021_create_search_followers;
mod m20261206_000022_add_district_names;
mod m20261207_000023_add_booking_close_codes;
mod m20261207_000024_create_mail_outbox;
mod m20261207_000025_create_email_confirmations;
mod m20261207_000026_add_visit_confirmation;
mod m20261207_000027_add_review_replies_and_hiding;
mod m20261207_000028_create_booking_messages;
mod m20261207_000029_create_concerns;
mod m20261207_000030_create_mail_choices;
mod m20261207_000031_create_sign_in_places;
mod m20261208_000032_create_pending_registrations;
mod m20261208_000033_add_help_invitation_links;
mod m20261208_000034_create_recoveries;
mod m20261208_000035_create_call_monitoring_imports;
mod m20261208_000036_create_provider_ratings;
mod m20261208_000037_create_finance_codes;
mod m20261208_000038_create_risk_thresholds;
mod m20261208_000039_one_open_recovery_per_budget;
mod m20261209_000040_add_budget_end_dates;
mod m20261209_000041_create_monthly_statements;
mod m20261209_000042_index_users_by_provider;
mod m20261210_000043_create_audits;
mod m20261211_000044_index_bookings_by_budget;
mod m20261211_000045_create_report_days;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261122_000001_create_councils_and_organisations::Migration),
            Box::new(m20261122_000002_create_accounts::Migration),
            Box::new(m20261122_000003_create_listings::Migration),
            Box::new(m20261122_000004_create_frameworks_and_quality::Migration),
            Box::new(m20261122_000005_create_budgets::Migration),
            Box::new(m20261122_000006_create_bookings_and_visits::Migration),
            Box::new(m20261122_000007_create_ledger::Migration),
            Box::new(m20261122_000008_create_delegations_audit_and_outbox::Migration),
            Box::new(m20261123_000009_add_unique_framework_names::Migration),
            Box::new(m20261123_000010_add_booking_request_keys::Migration),
            Box::new(m20261123_000011_create_notifications_and_payment_runs::Migration),
            Box::new(m20261123_000012_create_account_setup_codes::Migration),
            Box::new(m20261123_000013_add_self_funded_accounts::Migration),
            Box::new(m20261123_000014_add_booking_terms::Migration),
            Box::new(m20261124_000015_create_placements::Migration),
            Box::new(m20261202_000016_add_care_plan_shortest_visit::Migration),
            Box::new(m20261203_000017_add_visit_people::Migration),
            Box::new(m20261204_000018_index_weekly_bookings::Migration),
            Box::new(m20261206_000019_create_helper_invitations::Migration),
            Box::new(m20261206_000020_add_card_refund_start::Migration),
            Box::new(m20261206_000021_create_search_followers::Migration),
            Box::new(m20261206_000022_add_district_names::Migration),
            Box::new(m20261207_000023_add_booking_close_codes::Migration),
            Box::new(m20261207_000024_create_mail_outbox::Migration),
            Box::new(m20261207_000025_create_email_confirmations::Migration),
            Box::new(m20261207_000026_add_visit_confirmation::Migration),
            Box::new(m20261207_000027_add_review_replies_and_hiding::Migration),
            Box::new(m20261207_000028_create_booking_messages::Migration),
            Box::new(m20261207_000029_create_concerns::Migration),
            Box::new(m20261207_000030_create_mail_choices::Migration),
            Box::new(m20261207_000031_create_sign_in_places::Migration),
            Box::new(m20261208_000032_create_pending_registrations::Migration),
            Box::new(m20261208_000033_add_help_invitation_links::Migration),
            Box::new(m20261208_000034_create_recoveries::Migration),
            Box::new(m20261208_000035_create_call_monitoring_imports::Migration),
            Box::new(m20261208_000036_create_provider_ratings::Migration),
            Box::new(m20261208_000037_create_finance_codes::Migration),
            Box::new(m20261208_000038_create_risk_thresholds::Migration),
            Box::new(m20261208_000039_one_open_recovery_per_budget::Migration),
            Box::new(m20261209_000040_add_budget_end_dates::Migration),
            Box::new(m20261209_000041_create_monthly_statements::Migration),
            Box::new(m20261209_000042_index_users_by_provider::Migration),
            Box::new(m20261210_000043_create_audits::Migration),
            Box::new(m20261211_000044_index_bookings_by_budget::Migration),
            Box::new(m20261211_000045_create_report_days::Migration),
        ]
    }
}
