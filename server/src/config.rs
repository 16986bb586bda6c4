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
    /// `CAREMARKET_TRUST_PROXY`: how many proxies of ours stand in front (`true` is one; default
    /// none). Each appends the address it was reached from to `X-Forwarded-For`, so the client
    /// is that many entries from the right; anything further left was sent by the client and
    /// proves nothing.
    pub trusted_proxies: usize,
    /// `CAREMARKET_PUBLIC_URL`: the address people reach CareMarket at (`https://…`), when a
    /// proxy in front rewrites the Host header; forms are accepted only from this origin.
    pub public_url: Option<String>,
    /// `CAREMARKET_SESSION_HOURS`: how long a session lasts (default 12).
    pub session_hours: i64,
    /// `CAREMARKET_DEMO_DATA`: load the demo data set into an empty database at start (default:
    /// on for the embedded SQLite default only, never unasked into a PostgreSQL database).
    pub demo_data: bool,
    /// `CAREMARKET_PUBLIC_DEMO`: this is a demonstration, so the demo sign-ins (whose password
    /// is published) may be served on an address other people can reach (default off: the
    /// server refuses to start that way).
    pub public_demo: bool,
    /// `MEILI_URL` (with `MEILI_API_KEY`, and `MEILI_INDEX`, default `caremarket_listings`):
    /// search with this Meilisearch server instead of the embedded index.
    pub meilisearch: Option<MeilisearchConfig>,
    /// `STRIPE_SECRET_KEY` with `STRIPE_WEBHOOK_SECRET` and `STRIPE_PUBLISHABLE_KEY` (and, for
    /// tests, `STRIPE_API_BASE` and `STRIPE_JS_URL`): take card payments. Without them the
    /// card option is hidden.
    pub stripe: Option<StripeConfig>,
    /// Where mail goes: a mail server, or files under `data/mail/` when none is set.
    pub mail: crate::mail::MailConfig,
    /// `CAREMARKET_CLOCK_FILE` (tests only): a file holding the time to act at.
    pub clock: crate::clock::Clock,
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
        Self::from_vars(|name| std::env::var(name).ok())
    }

    /// The configuration these settings give (`setting` looks one up by name).
    pub fn from_vars(setting: impl Fn(&str) -> Option<String>) -> Result<Self, String> {
        let var = |name: &str| setting(name).filter(|value| !value.trim().is_empty());
        let flag = |name: &str, default: bool| match var(name).as_deref() {
            None => Ok(default),
            Some(value) => parse_flag(value).ok_or_else(|| format!("{name} must be true or false, not {value:?}")),
        };
        let data_dir = PathBuf::from(var("CAREMARKET_DATA_DIR").unwrap_or_else(|| "data".into()));
        let embedded_database = var("DATABASE_URL").is_none();
        let database_url = var("DATABASE_URL").unwrap_or_else(|| format!("sqlite://{}?mode=rwc", data_dir.join("caremarket.db").display()));
        let address = var("CAREMARKET_ADDR").or_else(|| var("LEPTOS_SITE_ADDR")).unwrap_or_else(|| "127.0.0.1:3000".into());
        let address = address.parse().map_err(|_| format!("CAREMARKET_ADDR must be an address like 127.0.0.1:3000, not {address:?}"))?;
        let session_hours = match var("CAREMARKET_SESSION_HOURS") {
            None => 12,
            Some(hours) => {
                hours.parse().ok().filter(|hours| (1..=720).contains(hours)).ok_or("CAREMARKET_SESSION_HOURS must be a whole number of hours from 1 to 720")?
            }
        };
        let db_connections = match var("CAREMARKET_DB_CONNECTIONS") {
            None => crate::db::POSTGRES_CONNECTIONS,
            Some(count) => {
                count.parse().ok().filter(|count| (1..=1000).contains(count)).ok_or("CAREMARKET_DB_CONNECTIONS must be a whole number from 1 to 1000")?
            }
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
        let trusted_proxies = match var("CAREMARKET_TRUST_PROXY") {
            None => 0,
            Some(value) => match (parse_flag(&value), value.trim().parse::<usize>()) {
                (Some(trust), _) => usize::from(trust),
                (None, Ok(hops)) if hops <= 10 => hops,
                _ => return Err("CAREMARKET_TRUST_PROXY must be true, false or the number of proxies in front (0 to 10)".into()),
            },
        };
        let public_url = match var("CAREMARKET_PUBLIC_URL") {
            None => None,
            Some(url) => {
                Some(public_origin(&url).ok_or_else(|| format!("CAREMARKET_PUBLIC_URL must be an address like https://caremarket.example.org, not {url:?}"))?)
            }
        };
        Ok(Self {
            stripe,
            database_url,
            db_connections,
            data_dir,
            address,
            secure_cookies: flag("CAREMARKET_SECURE_COOKIES", false)?,
            trusted_proxies,
            public_url,
            session_hours,
            demo_data: flag("CAREMARKET_DEMO_DATA", embedded_database)?,
            public_demo: flag("CAREMARKET_PUBLIC_DEMO", false)?,
            mail: crate::mail::MailConfig {
                smtp_url: var("CAREMARKET_SMTP_URL"),
                from: var("CAREMARKET_MAIL_FROM").unwrap_or_else(|| "CareMarket <no-reply@caremarket.localhost>".into()),
                extra_root_certificate: var("CAREMARKET_SMTP_CA_FILE").map(PathBuf::from),
            },
            clock: crate::clock::Clock::set_by(var("CAREMARKET_CLOCK_FILE").map(PathBuf::from)),
            meilisearch: var("MEILI_URL").map(|url| MeilisearchConfig {
                url,
                api_key: var("MEILI_API_KEY"),
                index: var("MEILI_INDEX").unwrap_or_else(|| "caremarket_listings".into()),
            }),
        })
    }

    /// Whether the demo sign-ins, if present, may be served: only on this machine's own
    /// loopback address, unless this is declared a public demonstration.
    pub fn may_serve_demo_logins(&self) -> bool {
        self.address.ip().is_loopback() || self.public_demo
    }

    /// A configuration for tests: the given database, no demo data.
    pub fn for_tests(database_url: &str) -> Self {
        Self {
            database_url: database_url.into(),
            db_connections: crate::db::POSTGRES_CONNECTIONS,
            data_dir: std::env::temp_dir(),
            address: SocketAddr::from(([127, 0, 0, 1], 0)),
            secure_cookies: false,
            trusted_proxies: 1,
            public_url: None,
            session_hours: 12,
            demo_data: false,
            public_demo: false,
            meilisearch: None,
            stripe: None,
            mail: crate::mail::MailConfig { smtp_url: None, from: "CareMarket <no-reply@caremarket.localhost>".into(), extra_root_certificate: None },
            clock: crate::clock::Clock::default(),
        }
    }

    /// The address links in emails start with: the public one when set, else where we listen.
    pub fn site_url(&self) -> String {
        self.public_url.clone().unwrap_or_else(|| format!("http://{}", self.address))
    }
}

fn parse_flag(value: &str) -> Option<bool> {
    match value.trim() {
        "1" | "true" | "yes" | "on" => Some(true),
        "0" | "false" | "no" | "off" => Some(false),
        _ => None,
    }
}

/// `scheme://host[:port]` of an http(s) address with nothing after it but an optional `/`.
fn public_origin(url: &str) -> Option<String> {
    let url = url.trim().trim_end_matches('/');
    let (scheme, host) = url.split_once("://")?;
    let plain_host = !host.is_empty() && host.bytes().all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b));
    (matches!(scheme, "http" | "https") && plain_host).then(|| url.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(settings: &[(&str, &str)]) -> Result<Config, String> {
        let settings: Vec<(String, String)> = settings.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        Config::from_vars(move |name| settings.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()))
    }

    #[test]
    fn demo_data_loads_unasked_only_into_the_embedded_database() {
        assert!(config(&[]).unwrap().demo_data);
        assert!(!config(&[("DATABASE_URL", "postgres://db.internal/caremarket")]).unwrap().demo_data);
        assert!(config(&[("DATABASE_URL", "postgres://db.internal/caremarket"), ("CAREMARKET_DEMO_DATA", "true")]).unwrap().demo_data);
        assert!(!config(&[("CAREMARKET_DEMO_DATA", "false")]).unwrap().demo_data);
        assert!(!config(&[]).unwrap().public_demo);
        assert!(config(&[]).unwrap().may_serve_demo_logins(), "127.0.0.1 by default");
        assert!(!config(&[("CAREMARKET_ADDR", "0.0.0.0:3000")]).unwrap().may_serve_demo_logins());
        assert!(config(&[("CAREMARKET_ADDR", "0.0.0.0:3000"), ("CAREMARKET_PUBLIC_DEMO", "true")]).unwrap().may_serve_demo_logins());
    }

    #[test]
    fn proxies_and_public_addresses_are_read_strictly() {
        assert_eq!(config(&[]).unwrap().trusted_proxies, 0);
        assert_eq!(config(&[("CAREMARKET_TRUST_PROXY", "true")]).unwrap().trusted_proxies, 1);
        assert_eq!(config(&[("CAREMARKET_TRUST_PROXY", "2")]).unwrap().trusted_proxies, 2);
        assert!(config(&[("CAREMARKET_TRUST_PROXY", "maybe")]).is_err());
        assert_eq!(config(&[("CAREMARKET_PUBLIC_URL", "https://care.example.org/")]).unwrap().public_url.as_deref(), Some("https://care.example.org"));
        assert!(config(&[("CAREMARKET_PUBLIC_URL", "https://care.example.org/path")]).is_err());
        assert!(config(&[("CAREMARKET_PUBLIC_URL", "javascript:alert(1)")]).is_err());
    }
}
