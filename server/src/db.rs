//! Connecting to the database and bringing its schema up to date.
use migrations::{Migrator, MigratorTrait};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend, DbErr, ExecResult, QueryResult, SqliteTransactionMode, Statement,
    TransactionOptions, TransactionSession, TransactionTrait,
};
use std::time::Duration;

/// Opens a pool. SQLite gets WAL (readers never wait for the writer), foreign keys and a busy
/// timeout, so concurrent requests queue briefly instead of failing.
pub async fn connect(url: &str) -> Result<DatabaseConnection, DbErr> {
    if let Some(path) = url.strip_prefix("sqlite://").map(|rest| rest.split('?').next().unwrap_or(rest))
        && let Some(parent) = std::path::Path::new(path).parent().filter(|p| !p.as_os_str().is_empty())
    {
        std::fs::create_dir_all(parent).map_err(|error| DbErr::Custom(format!("cannot create {}: {error}", parent.display())))?;
    }
    // SQLite's writers take turns (see `begin_write`), so the other connections are for reads
    // beside the write.
    let mut options = pool_options(url, if url.starts_with("sqlite:") { 4 } else { 16 });
    if url.starts_with("sqlite:") {
        options.map_sqlx_sqlite_opts(|sqlite| {
            sqlite
                .journal_mode(sea_orm::sqlx::sqlite::SqliteJournalMode::Wal)
                .synchronous(sea_orm::sqlx::sqlite::SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10))
                // Pages read straight from the operating system's cache (up to 1 GiB of the
                // file) instead of copied into each connection's own 2 MB one: a booking's
                // inserts touch a dozen index pages all over a million-booking file.
                .pragma("mmap_size", "1073741824")
        });
    }
    let db = Database::connect(options).await?;
    if db.get_database_backend() == DbBackend::Sqlite {
        db.execute_unprepared("PRAGMA foreign_keys = ON").await?;
    }
    Ok(db)
}

/// The pool the commissioners' reports read through: on PostgreSQL a small one of its own, on
/// SQLite the main one. Statements are prepared once per connection, and after five runs
/// PostgreSQL may switch to a generic plan that guesses a date range holds 0.5% of the rows:
/// a report over a year's transfers then walks them one by one (3× slower on the bench data),
/// so these connections plan every statement for its values. The main pool keeps the cached
/// plans: planning each run would halve the bookings a second the database can take.
pub async fn connect_for_reports(url: &str, main: &DatabaseConnection) -> Result<DatabaseConnection, DbErr> {
    if main.get_database_backend() != DbBackend::Postgres {
        return Ok(main.clone());
    }
    let mut options = pool_options(url, 4);
    options.map_sqlx_postgres_opts(|pg| pg.options([("plan_cache_mode", "force_custom_plan")]));
    Database::connect(options).await
}

fn pool_options(url: &str, max_connections: u32) -> ConnectOptions {
    let mut options = ConnectOptions::new(url);
    options
        .max_connections(max_connections)
        .min_connections(1)
        .acquire_timeout(Duration::from_secs(10))
        // A connection in use moments ago is not checked again: pinging at every checkout was
        // one round trip in four of a booking's on PostgreSQL.
        .test_before_acquire_if_idle_for(Duration::from_secs(30))
        .sqlx_logging(false);
    options
}

/// Starts a transaction that will write. On SQLite it takes the write lock at the start
/// (`BEGIN IMMEDIATE`), so a concurrent writer waits instead of failing with "database is
/// locked" when it first writes after reading. PostgreSQL ignores the mode.
///
/// SQLite lets one writer in at a time, and a writer kept out sleeps and retries (1, 2, 5 … 25
/// ms apart), holding a pooled connection while it sleeps. So this process's writers first
/// queue for their turn (first come, first served, holding no connection), and only the one
/// whose turn it is asks SQLite. One queue for the process: it has one SQLite database
/// (tests with several only wait a little longer).
pub async fn begin_write<C: TransactionTrait + ConnectionTrait>(db: &C) -> Result<WriteTransaction<C::Transaction>, DbErr> {
    static SQLITE_WRITERS: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());
    let turn = match db.get_database_backend() {
        DbBackend::Sqlite => Some(SQLITE_WRITERS.lock().await),
        _ => None,
    };
    let txn = db
        .begin_with_options(TransactionOptions { sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate), ..TransactionOptions::default() })
        .await?;
    Ok(WriteTransaction { txn, _turn: turn })
}

/// Runs `work` (a write transaction) on SQLite's writer thread, or here on PostgreSQL.
/// SQLite's writing turn is what every booking queues for, so it must last no longer than its
/// statements do. On the server's runtime the turn stalls after each statement, its answer
/// waiting in line behind every other request being served; on a thread of its own it goes
/// straight on.
pub async fn on_writer_thread<T: Send + 'static>(db: &DatabaseConnection, work: impl Future<Output = T> + Send + 'static) -> T {
    static WRITER: std::sync::OnceLock<tokio::runtime::Runtime> = std::sync::OnceLock::new();
    if db.get_database_backend() != DbBackend::Sqlite {
        return work.await;
    }
    let writer = WRITER.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread().worker_threads(1).thread_name("sqlite-writer").enable_all().build().expect("a thread for SQLite's writer")
    });
    writer.spawn(work).await.unwrap_or_else(|failed| std::panic::resume_unwind(failed.into_panic()))
}

/// A transaction from [`begin_write`], used like any other; on SQLite it keeps this process's
/// writing turn until it commits or is dropped (rolled back).
pub struct WriteTransaction<T> {
    txn: T,
    _turn: Option<tokio::sync::MutexGuard<'static, ()>>,
}

impl<T: TransactionSession + TransactionTrait> WriteTransaction<T> {
    pub async fn commit(self) -> Result<(), DbErr> {
        self.txn.commit().await
    }

    /// A transaction inside this one (a savepoint), in the same turn.
    pub async fn savepoint(&self) -> Result<T::Transaction, DbErr> {
        self.txn.begin().await
    }
}

#[async_trait::async_trait]
impl<T: ConnectionTrait + Send> ConnectionTrait for WriteTransaction<T> {
    fn get_database_backend(&self) -> DbBackend {
        self.txn.get_database_backend()
    }
    async fn execute_raw(&self, stmt: Statement) -> Result<ExecResult, DbErr> {
        self.txn.execute_raw(stmt).await
    }
    async fn execute_unprepared(&self, sql: &str) -> Result<ExecResult, DbErr> {
        self.txn.execute_unprepared(sql).await
    }
    async fn query_one_raw(&self, stmt: Statement) -> Result<Option<QueryResult>, DbErr> {
        self.txn.query_one_raw(stmt).await
    }
    async fn query_all_raw(&self, stmt: Statement) -> Result<Vec<QueryResult>, DbErr> {
        self.txn.query_all_raw(stmt).await
    }
    fn support_returning(&self) -> bool {
        self.txn.support_returning()
    }
}

pub async fn migrate(db: &DatabaseConnection) -> Result<(), DbErr> {
    Migrator::up(db, None).await
}
