//! SeaORM entities, one per table, matching the migrations column for column.
//! Behaviour lives in `crate::domain`, not here.
pub mod accreditation;
pub mod audit_entry;
pub mod booking;
pub mod budget;
pub mod council;
pub mod delegation;
pub mod framework;
pub mod ledger_account;
pub mod ledger_transfer;
pub mod listing;
pub mod listing_area;
pub mod listing_attribute;
pub mod listing_availability;
pub mod locality;
pub mod lot;
pub mod monitoring_score;
pub mod notification;
pub mod outbox;
pub mod payment_run;
pub mod postcode_district;
pub mod provider;
pub mod review;
pub mod session;
pub mod sign_in_attempt;
pub mod user;
pub mod visit;
