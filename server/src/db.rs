//! Connecting to the database and bringing its schema up to date.
use migrations::{Migrator, MigratorTrait};
use sea_orm::{
    ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DatabaseTransaction, DbBackend, DbErr, ExecResult, QueryResult, SqliteTransactionMode,
    Statement, TransactionOptions, TransactionSession, TransactionTrait,
};
use std::path::PathBuf;
use std::pin::Pin;
use std::sync::OnceLock;
use std::time::Duration;

/// Connections kept open to PostgreSQL unless configured: a small database server (2 to 4
/// cores) does most with about this many statements in hand at once; more only queue inside
/// it, switching between them (the booking bench's figures are in the README, "Measured").
pub const POSTGRES_CONNECTIONS: u32 = 10;

/// Opens a pool: on PostgreSQL of `postgres_connections`. SQLite gets WAL (readers never wait
/// for the writer), foreign keys and a busy timeout, so concurrent requests queue briefly
/// instead of failing.
pub async fn connect(url: &str, postgres_connections: u32) -> Result<DatabaseConnection, DbErr> {
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
    let txn =
        db.begin_with_options(TransactionOptions { sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate), ..TransactionOptions::default() }).await?;
    Ok(WriteTransaction { txn, _turn: turn })
}

/// Runs `work` in a write transaction and commits it if `work` succeeds. On SQLite, where
/// writers take turns, the writes queued at the same moment share one transaction (a savepoint
/// each, so a refused one undoes only itself), made on a thread of their own: the turn every
/// booking queues for then costs one BEGIN and one COMMIT a batch instead of a booking, and
/// never stalls behind the requests being served. Each answer waits for the batch's commit.
pub async fn write_grouped<T, E, F>(db: &DatabaseConnection, work: F) -> Result<T, E>
where
    T: Send + 'static,
    E: From<DbErr> + Send + 'static,
    F: for<'t> FnOnce(&'t DatabaseTransaction) -> BoxedFuture<'t, Result<T, E>> + Send + 'static,
{
    if db.get_database_backend() != DbBackend::Sqlite {
        let txn = db.begin().await?;
        let result = work(&txn).await;
        if result.is_ok() {
            txn.commit().await?;
        }
        return result;
    }
    let (reply, answer) = tokio::sync::oneshot::channel();
    let write = QueuedWrite {
        file: db.get_sqlite_connection_pool().connect_options().get_filename().to_path_buf(),
        db: db.clone(),
        run: Box::new(move |txn| {
            Box::pin(async move {
                let result = work(txn).await;
                let keep = result.is_ok();
                let answer: Answer = Box::new(move |batch_failed| {
                    let result = match (result, batch_failed) {
                        (Ok(_), Some(error)) => Err(E::from(DbErr::Custom(format!("the write was not saved: {error}")))),
                        (result, _) => result,
                    };
                    let _ = reply.send(result);
                });
                (keep, answer)
            })
        }),
    };
    sqlite_writer().send(write).map_err(|_| DbErr::Custom("SQLite's writer has stopped".into()))?;
    // A write whose batch could not start is dropped unanswered (the writer logs why).
    answer.await.unwrap_or_else(|_| Err(E::from(DbErr::Custom("the write was not saved: see the server's log".into()))))
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
pub async fn check_then_write<W: CheckedWrite>(db: &DatabaseConnection, work: W) -> Result<W::Answer, W::Error> {
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
/// Tells a queued write how its batch ended: `Some` if the batch was not committed.
type Answer = Box<dyn FnOnce(Option<&DbErr>) + Send>;
/// Makes a queued write in its savepoint; says whether to keep it, and how to answer.
type RunWrite = Box<dyn for<'t> FnOnce(&'t DatabaseTransaction) -> BoxedFuture<'t, (bool, Answer)> + Send>;

/// A write waiting for SQLite's writer thread. `run` says whether to keep what it did.
struct QueuedWrite {
    file: PathBuf,
    db: DatabaseConnection,
    run: RunWrite,
}

/// At most this many writes share a transaction, so no answer waits long for the batch.
const BATCH_LIMIT: usize = 32;

fn sqlite_writer() -> &'static tokio::sync::mpsc::UnboundedSender<QueuedWrite> {
    static QUEUE: OnceLock<tokio::sync::mpsc::UnboundedSender<QueuedWrite>> = OnceLock::new();
    QUEUE.get_or_init(|| {
        let (queue, mut writes) = tokio::sync::mpsc::unbounded_channel::<QueuedWrite>();
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a runtime for SQLite's writer");
        std::thread::Builder::new()
            .name("sqlite-writer".into())
            .spawn(move || {
                stay_on_this_cpu();
                runtime.block_on(async move {
                    let mut connections = WriterConnections::default();
                    let mut next = None;
                    loop {
                        let first = match next.take() {
                            Some(write) => write,
                            None => match writes.recv().await {
                                Some(write) => write,
                                None => return,
                            },
                        };
                        // Whatever else is waiting for the same database joins the batch.
                        let mut batch = vec![first];
                        while batch.len() < BATCH_LIMIT {
                            match writes.try_recv() {
                                Ok(write) if write.file == batch[0].file => batch.push(write),
                                Ok(other) => {
                                    next = Some(other);
                                    break;
                                }
                                Err(_) => break,
                            }
                        }
                        let db = match connections.to(&batch[0]).await {
                            Ok(db) => db,
                            Err(error) => {
                                tracing::error!(%error, "SQLite's writer could not open the database");
                                continue;
                            }
                        };
                        // A task of its own, so that a write that panics fails its batch only.
                        match tokio::spawn(write_batch(db, batch)).await {
                            Ok(Ok(())) => {}
                            Ok(Err(error)) => tracing::error!(%error, "a batch of writes could not be saved"),
                            Err(failed) => tracing::error!(%failed, "a batch of writes failed"),
                        }
                    }
                })
            })
            .expect("a thread for SQLite's writer");
        queue
    })
}

/// One transaction for the batch, a savepoint for each write; the answers once it commits.
/// Any failure of the database itself rolls the whole batch back, and its writes are told so.
async fn write_batch(db: DatabaseConnection, batch: Vec<QueuedWrite>) -> Result<(), DbErr> {
    let txn = begin_write(&db).await?;
    let mut answers = Vec::with_capacity(batch.len());
    for write in batch {
        let savepoint = txn.savepoint().await?;
        let (keep, answer) = (write.run)(&savepoint).await;
        if keep {
            savepoint.commit().await?
        } else {
            savepoint.rollback().await?
        }
        answers.push(answer);
    }
    let committed = txn.commit().await;
    for answer in answers {
        answer(committed.as_ref().err());
    }
    committed
}

/// Keeps the calling thread on the CPU it is running on. SQLite's driver runs each connection
/// on a thread of its own, and every statement is a hand-off between the caller's thread and
/// the connection's: on one CPU that is a switch, across two it wakes the other CPU, several
/// times slower (figures in the README's booking row). Threads started from this one, as its
/// connections' are, keep to it too.
#[cfg(target_os = "linux")]
fn stay_on_this_cpu() {
    let mut cpus = rustix::thread::CpuSet::new();
    cpus.set(rustix::thread::sched_getcpu());
    if let Err(error) = rustix::thread::sched_setaffinity(None, &cpus) {
        tracing::warn!(%error, "SQLite's writer could not keep to one CPU");
    }
}

#[cfg(not(target_os = "linux"))]
fn stay_on_this_cpu() {}

/// The writer's own connection to each database it writes to, opened from the writer's thread
/// (see [`stay_on_this_cpu`]) and never waiting behind readers for one of the pool's. A
/// server has one database; the few most recent are kept for tests, which have many.
#[derive(Default)]
struct WriterConnections(Vec<(PathBuf, DatabaseConnection)>);

impl WriterConnections {
    const KEPT: usize = 4;

    async fn to(&mut self, write: &QueuedWrite) -> Result<DatabaseConnection, DbErr> {
        let db = match self.0.iter().position(|(file, _)| *file == write.file) {
            Some(found) => self.0.remove(found).1,
            None => {
                // The same settings as the pool's (WAL, busy timeout, memory-mapped reads).
                let options = write.db.get_sqlite_connection_pool().connect_options().as_ref().clone();
                let pool = sea_orm::sqlx::pool::PoolOptions::new()
                    .max_connections(1)
                    .test_before_acquire(false)
                    .connect_with(options)
                    .await
                    .map_err(|error| DbErr::Custom(format!("cannot open {} for writing: {error}", write.file.display())))?;
                sea_orm::SqlxSqliteConnector::from_sqlx_sqlite_pool(pool)
            }
        };
        self.0.push((write.file.clone(), db.clone()));
        if self.0.len() > Self::KEPT {
            let _ = self.0.remove(0).1.close().await;
        }
        Ok(db)
    }
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
