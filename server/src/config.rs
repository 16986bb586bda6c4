//! Configuration from the environment, with defaults that run CareMarket on one machine with
//! nothing else installed (SQLite file, embedded search, no card payments).
use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Debug, Clone)]
pub struct Config {
    /// `DATABASE_URL`: `sqlite://…` (default: a file under the data directory) or `postgres://…`.
    pub database_url: String,
    /// `CAREMARKET_DB_CONNECTIONS`: connections kept open to PostgreSQL (default 10).
    pub db_connections: u32,
    /// `CAREMARKET_DATA_DIR`: where the SQLite file and logs live (default `data`).
    pub data_dir: PathBuf,
    /// `CAREMARKET_ADDR`: where to listen (default `127.0.0.1:3000`).
    pub address: SocketAddr,
    /// `CAREMARKET_SECURE_COOKIES`: mark cookies `Secure` (set this behind HTTPS; default off).
    pub secure_cookies: bool,
    /// `CAREMARKET_TRUST_PROXY`: take the client address from `X-Forwarded-For` (default off).
    pub trust_proxy: bool,
    /// `CAREMARKET_SESSION_HOURS`: how long a session lasts (default 12).
    pub session_hours: i64,
    /// `CAREMARKET_DEMO_DATA`: load the demo data set into an empty database at start (default on).
    pub demo_data: bool,
    /// `MEILI_URL` (with `MEILI_API_KEY`, and `MEILI_INDEX`, default `caremarket_listings`):
    /// search with this Meilisearch server instead of the embedded index.
    pub meilisearch: Option<MeilisearchConfig>,
    /// `STRIPE_SECRET_KEY` with `STRIPE_WEBHOOK_SECRET` and `STRIPE_PUBLISHABLE_KEY` (and, for
    /// tests, `STRIPE_API_BASE` and `STRIPE_JS_URL`): take card payments. Without them the
    /// card option is hidden.
    pub stripe: Option<StripeConfig>,
}

#[derive(Debug, Clone)]
pub struct StripeConfig {
    pub secret_key: String,
    pub webhook_secret: String,
    pub publishable_key: String,
    pub api_base: Option<String>,
    pub script_url: String,
}

#[derive(Debug, Clone)]
pub struct MeilisearchConfig {
    pub url: String,
    pub api_key: Option<String>,
    pub index: String,
}

impl Config {
    pub fn from_env() -> Result<Self, String> {
        let data_dir = PathBuf::from(var("CAREMARKET_DATA_DIR").unwrap_or_else(|| "data".into()));
        let database_url = var("DATABASE_URL")
            .unwrap_or_else(|| format!("sqlite://{}?mode=rwc", data_dir.join("caremarket.db").display()));
        let address = var("CAREMARKET_ADDR")
            .or_else(|| var("LEPTOS_SITE_ADDR"))
            .unwrap_or_else(|| "127.0.0.1:3000".into());
        let address = address
            .parse()
            .map_err(|_| format!("CAREMARKET_ADDR must be an address like 127.0.0.1:3000, not {address:?}"))?;
        let session_hours = match var("CAREMARKET_SESSION_HOURS") {
            None => 12,
            Some(hours) => hours
                .parse()
                .ok()
                .filter(|hours| (1..=720).contains(hours))
                .ok_or("CAREMARKET_SESSION_HOURS must be a whole number of hours from 1 to 720")?,
        };
        let db_connections = match var("CAREMARKET_DB_CONNECTIONS") {
            None => crate::db::POSTGRES_CONNECTIONS,
            Some(count) => count
                .parse()
                .ok()
                .filter(|count| (1..=1000).contains(count))
                .ok_or("CAREMARKET_DB_CONNECTIONS must be a whole number from 1 to 1000")?,
        };
        let stripe = match (var("STRIPE_SECRET_KEY"), var("STRIPE_WEBHOOK_SECRET"), var("STRIPE_PUBLISHABLE_KEY")) {
            (None, None, None) => None,
            (Some(secret_key), Some(webhook_secret), Some(publishable_key)) => Some(StripeConfig {
                secret_key,
                webhook_secret,
                publishable_key,
                api_base: var("STRIPE_API_BASE"),
                script_url: var("STRIPE_JS_URL").unwrap_or_else(|| "https://js.stripe.com/v3/".into()),
            }),
            _ => return Err("card payments need all of STRIPE_SECRET_KEY, STRIPE_WEBHOOK_SECRET and STRIPE_PUBLISHABLE_KEY, or none".into()),
        };
        Ok(Self {
            stripe,
            database_url,
            db_connections,
            data_dir,
            address,
            secure_cookies: flag("CAREMARKET_SECURE_COOKIES", false)?,
            trust_proxy: flag("CAREMARKET_TRUST_PROXY", false)?,
            session_hours,
            demo_data: flag("CAREMARKET_DEMO_DATA", true)?,
            meilisearch: var("MEILI_URL").map(|url| MeilisearchConfig {
                url,
                api_key: var("MEILI_API_KEY"),
                index: var("MEILI_INDEX").unwrap_or_else(|| "caremarket_listings".into()),
            }),
        })
    }

    /// A configuration for tests: the given database, no demo data.
    pub fn for_tests(database_url: &str) -> Self {
        Self {
            database_url: database_url.into(),
            db_connections: crate::db::POSTGRES_CONNECTIONS,
            data_dir: std::env::temp_dir(),
            address: SocketAddr::from(([127, 0, 0, 1], 0)),
            secure_cookies: false,
            trust_proxy: true,
            session_hours: 12,
            demo_data: false,
            meilisearch: None,
            stripe: None,
        }
    }
}

fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|value| !value.trim().is_empty())
}

fn flag(name: &str, default: bool) -> Result<bool, String> {
    match var(name).as_deref() {
        None => Ok(default),
        Some("1" | "true" | "yes" | "on") => Ok(true),
        Some("0" | "false" | "no" | "off") => Ok(false),
        Some(other) => Err(format!("{name} must be true or false, not {other:?}")),
    }
}
