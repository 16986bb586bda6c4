//! SeaORM entities, one per table, matching the migrations column for column.
//! Behaviour lives in `crate::domain`, not here.
pub mod audit_entry;
pub mod booking;
pub mod budget;
pub mod council;
pub mod delegation;
pub mod ledger_account;
pub mod listing;
pub mod listing_area;
pub mod listing_attribute;
pub mod listing_availability;
pub mod lot;
pub mod outbox;
pub mod provider;
pub mod session;
pub mod sign_in_attempt;
pub mod user;
