//! The test harness: a fresh, migrated database per test (SQLite file by default; PostgreSQL
//! when `CAREMARKET_TEST_POSTGRES` names a server), the whole router driven in-process, a
//! client that keeps cookies and sends forms like a browser with JavaScript off, and personas
//! for every role.
mod client;
mod database;
pub mod fixtures;

pub use client::{Client, Reply};
pub use database::{TestDatabase, backend_name};

use server::{AppState, Config};

/// One application over its own fresh database.
pub struct TestApp {
    pub db: sea_orm::DatabaseConnection,
    pub router: axum::Router,
    pub personas: fixtures::Personas,
    _database: TestDatabase,
}

impl TestApp {
    /// A migrated database with one council, one provider and a person in every role.
    pub async fn new() -> Self {
        let database = TestDatabase::fresh().await;
        let db = database.connect().await;
        server::db::migrate(&db).await.expect("migrations run");
        let personas = fixtures::personas(&db).await;
        let state = AppState::new(db.clone(), Config::for_tests(&database.url));
        Self { router: server::http::router(state), db, personas, _database: database }
    }

    /// A client with no cookies yet: a new visitor.
    pub fn visitor(&self) -> Client {
        Client::new(self.router.clone())
    }

    /// A client signed in as this persona (through the real sign-in form).
    pub async fn signed_in(&self, persona: &fixtures::Persona) -> Client {
        let mut client = self.visitor();
        let reply = client.sign_in(&persona.email, fixtures::PASSWORD).await;
        assert_eq!(reply.status, 302, "sign-in as {} should redirect: {reply:?}", persona.email);
        client
    }
}
