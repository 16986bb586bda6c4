//! End-to-end tests over HTTP and the database. The same tests run on SQLite and (with
//! `CAREMARKET_TEST_POSTGRES`) on PostgreSQL; see `.ci/test`.
mod accounts;
mod authorisation;
mod booking_changes;
mod budget_admin;
mod bookings;
mod card_payments;
mod budgets;
mod delegations;
mod frameworks;
mod lot_management;
mod ledger;
mod lots;
mod migrations;
mod money_properties;
mod open_referral;
mod pages;
mod provider_listings;
mod provider_profile;
mod relevance;
mod reports;
mod roles;
mod search;
mod search_contract;
mod security;
mod seeds;
mod sign_in;
