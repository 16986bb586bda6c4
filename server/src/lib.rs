//! CareMarket's server: configuration, the domain, persistence and the HTTP edge.
pub mod backend;
pub mod clock;
pub mod config;
pub mod db;
pub mod domain;
pub mod entities;
pub mod error;
pub mod http;
pub mod mail;
pub mod search;
pub mod seed;
pub mod state;
pub mod stripe;

pub use config::Config;
pub use state::AppState;
