//! The domain: plain Rust over a database connection. It knows nothing of HTTP or Leptos;
//! callers choose the transaction by passing any `ConnectionTrait`.
pub mod accounts;
pub mod audit;
pub mod auth;
pub mod budgets;
pub mod dashboards;
pub mod frameworks;
pub mod ledger;
pub mod directory;
pub mod listings;
pub mod lot_management;
pub mod lots;
pub mod open_referral;
pub mod outbox;
pub mod provider_listings;
pub mod provider_profile;
pub mod ranking;
pub mod values;
