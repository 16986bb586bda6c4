use sea_orm::{ConnectionTrait, Database, DatabaseConnection};
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
    File(std::path::PathBuf),
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
                let path = std::env::temp_dir().join(format!("{name}.db"));
                let _ = std::fs::remove_file(&path);
                Self { url: format!("sqlite://{}?mode=rwc", path.display()), cleanup: Cleanup::File(path) }
            }
        }
    }

    pub async fn connect(&self) -> DatabaseConnection {
        server::db::connect(&self.url).await.expect("connect to the test database")
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        match &self.cleanup {
            Cleanup::File(path) => {
                for suffix in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
                }
            }
            // Dropped by the test script when it stops its PostgreSQL (a running pool may
            // still hold connections here).
            Cleanup::Postgres => {}
        }
    }
}

