//! The test harness: a fresh, migrated database per test (SQLite file by default; PostgreSQL
//! when `CAREMARKET_TEST_POSTGRES` names a server), the whole router driven in-process, a
//! client that keeps cookies and sends forms like a browser with JavaScript off, and personas
//! for every role.
mod client;
mod database;
pub mod fixtures;
pub mod localstripe;
pub mod smtp;

pub use client::{Client, Reply};
pub use database::{TestDatabase, backend_name};

use server::search::embedded::EmbeddedIndex;
use server::{AppState, Config};
use std::sync::Arc;

/// One application over its own fresh database.
pub struct TestApp {
    pub db: server::db::Db,
    pub router: axum::Router,
    pub personas: fixtures::Personas,
    pub search: Arc<EmbeddedIndex>,
    /// The app's password hashing (its count of hashes made tells what work a request did).
    pub passwords: server::domain::auth::Passwords,
    _database: TestDatabase,
}

impl TestApp {
    /// A migrated database with one council, one provider and a person in every role.
    pub async fn new() -> Self {
        Self::with_config(|_| {}).await
    }

    /// The same with card payments on, against the test script's localstripe, and the app
    /// also listening on a loopback port so localstripe can deliver its webhooks to it.
    pub async fn with_stripe() -> Self {
        let stripe = localstripe::settings();
        let app = Self::with_config(move |config| config.stripe = Some(stripe)).await;
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("a loopback port");
        let port = listener.local_addr().expect("its address").port();
        let router = app.router.clone();
        tokio::spawn(async move { axum::serve(listener, router).await });
        localstripe::deliver_webhooks_to(&format!("http://127.0.0.1:{port}/stripe/webhook")).await;
        app
    }

    /// An application with its configuration changed (cookies, public address ...).
    pub async fn configured(change: impl FnOnce(&mut Config)) -> Self {
        Self::with_config(change).await
    }

    async fn with_config(change: impl FnOnce(&mut Config)) -> Self {
        // Printed through the test's own output, so it shows only when the test fails.
        let _ = tracing_subscriber::fmt().with_test_writer().with_max_level(tracing_subscriber::filter::LevelFilter::WARN).try_init();
        let database = TestDatabase::fresh().await;
        let db = database.connect().await;
        server::db::migrate(&db).await.expect("migrations run");
        let personas = fixtures::personas(&db).await;
        let search = Arc::new(EmbeddedIndex::in_memory().expect("an in-memory search index"));
        let mut config = Config::for_tests(&database.url);
        change(&mut config);
        let reports_db = server::db::connect_for_reports(&database.url, &db).await.expect("connect to the test database");
        let state = AppState::new(db.clone(), config, search.clone()).with_reports_db(reports_db);
        let passwords = state.passwords.clone();
        Self { router: server::http::router(state), db, personas, search, passwords, _database: database }
    }

    /// Brings the search index up to date, as the server's background task would: everything
    /// waiting in the outbox (then removed, this being the only index), or (with `everything`)
    /// a rebuild that also picks up rows that tests inserted directly.
    pub async fn sync_search(&self, everything: bool) {
        let now = chrono::Utc::now();
        if everything {
            server::search::sync::reindex(&self.db, self.search.as_ref(), |_, _| {}, now).await.expect("reindex");
        } else {
            while server::search::sync::follow_outbox(&self.db, self.search.as_ref(), 500, now).await.expect("follow") > 0 {}
            // As the server's minute's tidy-up would: what every index has applied goes.
            server::search::sync::prune_outbox(&self.db, now).await.expect("prune");
        }
    }

    /// Runs one SQL statement (for test data the fixtures do not build).
    pub async fn execute_sql(&self, statement: &str) {
        sea_orm::ConnectionTrait::execute_unprepared(&self.db, statement).await.expect("test SQL runs");
    }

    /// Another pool on the same database, as a second server instance would have.
    pub async fn second_connection(&self) -> server::db::Db {
        self._database.connect().await
    }

    /// A second server on the same database, as a load balancer would run beside this one:
    /// its own pool and its own embedded search index (empty until it is rebuilt or follows).
    pub async fn second_server(&self) -> (axum::Router, Arc<EmbeddedIndex>) {
        let db = self.second_connection().await;
        let search = Arc::new(EmbeddedIndex::in_memory().expect("an in-memory search index"));
        let state = AppState::new(db, Config::for_tests(&self._database.url), search.clone());
        (server::http::router(state), search)
    }

    /// A client with no cookies yet: a new visitor.
    pub fn visitor(&self) -> Client {
        Client::new(self.router.clone())
    }

    /// Registers someone with `path` (a registration form's server function) and follows the
    /// link mailed to `address`, as its owner would: the client is signed in to the new account.
    pub async fn register_and_open(&self, client: &mut Client, path: &str, fields: &[(&str, &str)], address: &str) -> Reply {
        let asked = client.post_form(path, fields).await;
        if asked.status != 302 || asked.redirected_error().is_some() {
            return asked;
        }
        let link = fixtures::open_account_link(&self.db, address).await;
        let token = link.rsplit('=').next().unwrap_or_default().to_string();
        let password = fields.iter().find(|(name, _)| *name == "form[password]").map(|(_, value)| *value).unwrap_or_default();
        client.post_form("/api/confirm-email", &[("token", token.as_str()), ("password", password)]).await
    }

    /// A client signed in as this persona (through the real sign-in form).
    pub async fn signed_in(&self, persona: &fixtures::Persona) -> Client {
        let mut client = self.visitor();
        let reply = client.sign_in(&persona.email, fixtures::PASSWORD).await;
        assert_eq!(reply.status, 302, "sign-in as {} should redirect: {reply:?}", persona.email);
        client
    }
}
