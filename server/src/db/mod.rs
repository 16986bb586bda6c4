//! The database: connecting (a [`Db`], the pool and on SQLite its writer), bringing its
//! schema up to date, and the ways to write: [`begin_write`], [`write_grouped`] and
//! [`check_then_write`].
mod sqlite_writer;

use migrations::{Migrator, MigratorTrait};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr, ExecResult, QueryResult, Statement,
    TransactionSession, TransactionTrait,
};
use sqlite_writer::SqliteWriter;
use std::pin::Pin;
use std::time::Duration;

/// The database as the server holds it: the pool, and on SQLite the writer every write queues
/// for. Cheap to clone. Reads take it wherever a connection is taken (it is one); writes go
/// through [`begin_write`], [`write_grouped`] or [`check_then_write`].
#[derive(Clone)]
pub struct Db {
    pool: DatabaseConnection,
    writer: Option<SqliteWriter>,
}

impl Db {
    /// The pool itself, for what only it can do (migrations, closing).
    pub fn pool(&self) -> &DatabaseConnection {
        &self.pool
    }

    /// A database reached through `pool`; on SQLite its writer is started now, so a request
    /// never finds it missing.
    pub async fn new(pool: DatabaseConnection) -> Result<Self, DbErr> {
        let writer = match pool.get_database_backend() {
            DbBackend::Sqlite => Some(SqliteWriter::start(&pool).await?),
            _ => None,
        };
        Ok(Self { pool, writer })
    }
}

impl std::ops::Deref for Db {
    type Target = DatabaseConnection;
    fn deref(&self) -> &DatabaseConnection {
        &self.pool
    }
}

/// `ConnectionTrait` by handing every call to the connection in one field: `Db` to its pool,
/// a write transaction to its transaction.
macro_rules! connection_through {
    ([$($generics:tt)*] $ty:ty => $field:ident) => {
        #[async_trait::async_trait]
        impl<$($generics)*> ConnectionTrait for $ty {
            fn get_database_backend(&self) -> DbBackend {
                self.$field.get_database_backend()
            }
            async fn execute_raw(&self, stmt: Statement) -> Result<ExecResult, DbErr> {
                self.$field.execute_raw(stmt).await
            }
            async fn execute_unprepared(&self, sql: &str) -> Result<ExecResult, DbErr> {
                self.$field.execute_unprepared(sql).await
            }
            async fn query_one_raw(&self, stmt: Statement) -> Result<Option<QueryResult>, DbErr> {
                self.$field.query_one_raw(stmt).await
            }
            async fn query_all_raw(&self, stmt: Statement) -> Result<Vec<QueryResult>, DbErr> {
                self.$field.query_all_raw(stmt).await
            }
            fn support_returning(&self) -> bool {
                self.$field.support_returning()
            }
        }
    };
}

connection_through!([] Db => pool);

/// Connections kept open to PostgreSQL unless configured: a small database server (2 to 4
/// cores) does most with about this many statements in hand at once; more only queue inside
/// it, switching between them (the booking bench's figures are in the README, "Measured").
pub const POSTGRES_CONNECTIONS: u32 = 10;

/// Opens a pool: on PostgreSQL of `postgres_connections`. SQLite gets WAL (readers never wait
/// for the writer), foreign keys and a busy timeout, so concurrent requests queue briefly
/// instead of failing.
pub async fn connect(url: &str, postgres_connections: u32) -> Result<Db, DbErr> {
    if let Some(path) = url.strip_prefix("sqlite://").map(|rest| rest.split('?').next().unwrap_or(rest))
        && let Some(parent) = std::path::Path::new(path).parent().filter(|p| !p.as_os_str().is_empty())
    {
        std::fs::create_dir_all(parent).map_err(|error| DbErr::Custom(format!("cannot create {}: {error}", parent.display())))?;
    }
    // SQLite's writers take turns (see `begin_write`), so the other connections are for reads
    // beside the write.
    let mut options = pool_options(url, if url.starts_with("sqlite:") { 4 } else { postgres_connections });
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
    Db::new(db).await
}

/// The pool the commissioners' reports read through: on PostgreSQL a small one of its own, on
/// SQLite the main one. Statements are prepared once per connection, and after five runs
/// PostgreSQL may switch to a generic plan that guesses a date range holds 0.5% of the rows:
/// a report over a year's transfers then walks them one by one (3× slower on the bench data),
/// so these connections plan every statement for its values. The main pool keeps the cached
/// plans: planning each run would halve the bookings a second the database can take.
pub async fn connect_for_reports(url: &str, main: &Db) -> Result<Db, DbErr> {
    if main.get_database_backend() != DbBackend::Postgres {
        return Ok(main.clone());
    }
    let mut options = pool_options(url, 4);
    options.map_sqlx_postgres_opts(|pg| pg.options([("plan_cache_mode", "force_custom_plan")]));
    Db::new(Database::connect(options).await?).await
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

/// Starts a transaction that will write. On SQLite it waits for this process's turn to
/// write (see `sqlite_writer`) and takes SQLite's write lock at the start (`BEGIN
/// IMMEDIATE`), so a concurrent writer waits instead of failing with "database is locked" when
/// it first writes after reading.
pub async fn begin_write(db: &Db) -> Result<WriteTransaction<DatabaseTransaction>, DbErr> {
    match &db.writer {
        Some(writer) => writer.begin(&db.pool).await,
        None => Ok(WriteTransaction { txn: db.pool.begin_with_options(sqlite_writer::immediate()).await?, _turn: None }),
    }
}

/// Runs `work` in a write transaction and commits it if `work` succeeds. On SQLite the writes
/// queued at the same moment share one transaction (a savepoint each, so a refused one undoes
/// only itself) on the writer's thread; each answer waits for its batch's commit.
pub async fn write_grouped<T, E, F>(db: &Db, work: F) -> Result<T, E>
where
    T: Send + 'static,
    E: From<DbErr> + Send + 'static,
    F: for<'t> FnOnce(&'t DatabaseTransaction) -> BoxedFuture<'t, Result<T, E>> + Send + 'static,
{
    if let Some(writer) = &db.writer {
        return writer.write(work).await;
    }
    let txn = db.pool.begin().await?;
    let result = work(&txn).await;
    if result.is_ok() {
        txn.commit().await?;
    }
    result
}

/// What a write's checks decided.
pub enum Decision<Checked, Answer, E> {
    /// The checks passed: write with what they read.
    Write(Checked),
    /// Refused: nothing is written.
    Refuse(E),
    /// Answered without writing (for example, what an identical earlier request got).
    Answer(Answer),
}

/// A write that reads and checks before it writes. Where the checks run is the store's choice,
/// made in [`check_then_write`], so the rules that use it do not branch on the database.
pub trait CheckedWrite: Send + 'static {
    type Checked: Send + 'static;
    type Answer: Send + 'static;
    type Error: From<DbErr> + Send + 'static;
    /// Reads and checks. `in_write` says the checks run inside the write's own transaction,
    /// where what they read may be locked until it commits.
    fn check<C: ConnectionTrait>(&self, db: &C, in_write: bool) -> impl Future<Output = Decision<Self::Checked, Self::Answer, Self::Error>> + Send;
    /// Writes, given what the checks read; anything that must be atomic with the write (money
    /// still there, no clash) is checked again here.
    fn write(&self, txn: &DatabaseTransaction, checked: Self::Checked) -> impl Future<Output = Result<Self::Answer, Self::Error>> + Send;
}

/// Runs a checked write. On PostgreSQL the checks and the write share one transaction on one
/// connection (each statement on a connection of its own costs a round trip more, and what the
/// checks lock stays locked). On SQLite the checks run first, on the pool, so the one write
/// lock is held only for what must be atomic.
pub async fn check_then_write<W: CheckedWrite>(db: &Db, work: W) -> Result<W::Answer, W::Error> {
    if db.get_database_backend() == DbBackend::Postgres {
        return write_grouped(db, move |txn| {
            Box::pin(async move {
                match work.check(txn, true).await {
                    Decision::Write(checked) => work.write(txn, checked).await,
                    Decision::Refuse(error) => Err(error),
                    Decision::Answer(answer) => Ok(answer),
                }
            })
        })
        .await;
    }
    let checked = match work.check(db, false).await {
        Decision::Write(checked) => checked,
        Decision::Refuse(error) => return Err(error),
        Decision::Answer(answer) => return Ok(answer),
    };
    write_grouped(db, move |txn| Box::pin(async move { work.write(txn, checked).await })).await
}

pub type BoxedFuture<'t, T> = Pin<Box<dyn Future<Output = T> + Send + 't>>;
/// A transaction from [`begin_write`], used like any other; on SQLite it keeps this process's
/// writing turn until it commits or is dropped (rolled back).
pub struct WriteTransaction<T> {
    txn: T,
    _turn: Option<tokio::sync::OwnedMutexGuard<()>>,
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

connection_through!([T: ConnectionTrait + Send] WriteTransaction<T> => txn);

pub async fn migrate(db: &Db) -> Result<(), DbErr> {
    Migrator::up(&db.pool, None).await
}
