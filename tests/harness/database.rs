use sea_orm::{ConnectionTrait, Database};
use server::db::Db;
use std::sync::atomic::{AtomicUsize, Ordering};

static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// Which database the tests run on: `postgres` when `CAREMARKET_TEST_POSTGRES` is set.
pub fn backend_name() -> &'static str {
    if postgres_admin_url().is_some() { "postgres" } else { "sqlite" }
}

fn postgres_admin_url() -> Option<String> {
    std::env::var("CAREMARKET_TEST_POSTGRES").ok().filter(|url| !url.is_empty())
}

/// A database that exists for one test, dropped (SQLite: deleted) afterwards.
pub struct TestDatabase {
    pub url: String,
    cleanup: Cleanup,
}

enum Cleanup {
    Directory(std::path::PathBuf),
    Postgres,
}

impl TestDatabase {
    pub async fn fresh() -> Self {
        let n = COUNTER.fetch_add(1, Ordering::SeqCst);
        let name = format!("caremarket_test_{}_{n}", std::process::id());
        match postgres_admin_url() {
            Some(admin_url) => {
                let admin = Database::connect(&admin_url).await.expect("PostgreSQL is reachable");
                admin.execute_unprepared(&format!("CREATE DATABASE {name}")).await.expect("create test database");
                admin.close().await.ok();
                let url = format!("{}/{name}", admin_url.rsplit_once('/').map_or(admin_url.as_str(), |(base, _)| base));
                Self { url, cleanup: Cleanup::Postgres }
            }
            None => {
                // A directory of its own, named down to the nanosecond: a database file must never
                // meet a stale `-wal` left by an earlier run whose process had the same id, or
                // SQLite would replay that other database's pages into this one.
                let started = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |t| t.as_nanos());
                let dir = std::env::temp_dir().join(format!("{name}_{started}"));
                std::fs::create_dir_all(&dir).expect("a directory for the test database");
                Self { url: format!("sqlite://{}?mode=rwc", dir.join("caremarket.db").display()), cleanup: Cleanup::Directory(dir) }
            }
        }
    }

    pub async fn connect(&self) -> Db {
        server::db::connect(&self.url, server::db::POSTGRES_CONNECTIONS).await.expect("connect to the test database")
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        match &self.cleanup {
            Cleanup::Directory(dir) => {
                let _ = std::fs::remove_dir_all(dir);
            }
            // Dropped by the test script when it stops its PostgreSQL (a running pool may
            // still hold connections here).
            Cleanup::Postgres => {}
        }
    }
}
