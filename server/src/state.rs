use crate::config::Config;
use crate::db::Db;
use crate::domain::auth::Passwords;
use crate::search::SearchEngine;
use crate::search::params::PostcodeCentres;
use crate::stripe::Stripe;
use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use std::sync::Arc;

/// Everything a request may need, shared: axum clones the state for every request and layer,
/// so a clone is one count. Nothing in it is the only copy of any data (sessions and all state
/// live in the database), so instances can run side by side.
#[derive(Clone)]
pub struct AppState(Arc<Resources>);

#[derive(Clone)]
pub struct Resources {
    pub db: Db,
    /// Where the commissioners' reports read (see `db::connect_for_reports`); `db` unless set.
    pub reports_db: Db,
    pub config: Arc<Config>,
    pub leptos_options: LeptosOptions,
    pub passwords: Passwords,
    /// Fed only from the outbox (see `search::sync`).
    pub search: Arc<dyn SearchEngine>,
    pub postcodes: PostcodeCentres,
    /// Card payments, when Stripe is configured.
    pub stripe: Option<Arc<Stripe>>,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

impl std::ops::Deref for AppState {
    type Target = Resources;

    fn deref(&self) -> &Resources {
        &self.0
    }
}

impl AppState {
    /// Panics when the Stripe settings cannot make a client (checked at start, before serving).
    pub fn new(db: Db, config: Config, search: Arc<dyn SearchEngine>) -> Self {
        let site_root = std::env::var("LEPTOS_SITE_ROOT").unwrap_or_else(|_| "target/site".into());
        let pkg_dir = crate::http::assets::pkg_dir(&site_root);
        let leptos_options = LeptosOptions::builder().output_name("caremarket").site_root(site_root).site_pkg_dir(pkg_dir).site_addr(config.address).build();
        let cores = std::thread::available_parallelism().map_or(2, usize::from);
        let stripe = config.stripe.clone().map(|stripe| Arc::new(Stripe::new(stripe).expect("a Stripe client from the settings")));
        Self(Arc::new(Resources {
            reports_db: db.clone(),
            db,
            config: Arc::new(config),
            leptos_options,
            passwords: Passwords::new(cores),
            search,
            postcodes: PostcodeCentres::default(),
            stripe,
        }))
    }

    /// Reads the reports through `reports_db` instead of the main pool.
    pub fn with_reports_db(self, reports_db: Db) -> Self {
        Self(Arc::new(Resources { reports_db, ..Arc::unwrap_or_clone(self.0) }))
    }
}
