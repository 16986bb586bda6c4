//! SQLite's writer. SQLite lets one writer in at a time, and a writer kept out sleeps and
//! retries (1, 2, 5 … 25 ms apart), holding a pooled connection while it sleeps. So each
//! database's writes queue here, first come, first served, holding no connection, and the
//! writes waiting at the same moment share one transaction on a thread of the writer's own:
//! a booking then costs its batch's one BEGIN and COMMIT instead of its own, and never stalls
//! behind the requests being served.
use super::{BoxedFuture, WriteTransaction};
use sea_orm::{DatabaseConnection, DatabaseTransaction, DbErr, SqliteTransactionMode, TransactionOptions, TransactionTrait};
use std::sync::Arc;
use tokio::sync::{Mutex, mpsc};

/// At most this many writes share a transaction, so no answer waits long for the batch.
const BATCH_LIMIT: usize = 32;

/// Tells a queued write how its batch ended: `Some` if the batch was not committed.
type Answer = Box<dyn FnOnce(Option<&DbErr>) + Send>;
/// Makes a queued write in its savepoint; says whether to keep it, and how to answer.
type RunWrite = Box<dyn for<'t> FnOnce(&'t DatabaseTransaction) -> BoxedFuture<'t, (bool, Answer)> + Send>;

/// One database's writer: its queue, and the turn that every write transaction of this
/// process takes (the writer's batches and `begin_write`'s alike). Cheap to clone; the
/// writer's thread ends when the last clone is dropped.
#[derive(Clone)]
pub struct SqliteWriter {
    queue: mpsc::UnboundedSender<RunWrite>,
    turn: Arc<Mutex<()>>,
}

impl SqliteWriter {
    /// Starts the writer for the database `pool` reaches: its thread, and on it a connection
    /// of its own with the pool's settings (WAL, busy timeout, memory-mapped reads).
    pub async fn start(pool: &DatabaseConnection) -> Result<Self, DbErr> {
        let failed = |what: &str, error: &dyn std::fmt::Display| DbErr::Custom(format!("SQLite's writer: {what}: {error}"));
        let options = pool.get_sqlite_connection_pool().connect_options().as_ref().clone();
        let (queue, mut writes) = mpsc::unbounded_channel::<RunWrite>();
        let turn = Arc::new(Mutex::new(()));
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(|error| failed("no runtime", &error))?;
        let (opened, connected) = tokio::sync::oneshot::channel();
        let writer_turn = turn.clone();
        std::thread::Builder::new()
            .name("sqlite-writer".into())
            .spawn(move || {
                stay_on_this_cpu();
                runtime.block_on(async move {
                    // Opened from this thread, so the connection's own thread keeps to this CPU too.
                    let connection = sea_orm::sqlx::pool::PoolOptions::new().max_connections(1).test_before_acquire(false).connect_with(options).await;
                    let db = match connection {
                        Ok(pool) => sea_orm::SqlxSqliteConnector::from_sqlx_sqlite_pool(pool),
                        Err(error) => {
                            let _ = opened.send(Err(error.to_string()));
                            return;
                        }
                    };
                    let _ = opened.send(Ok(()));
                    while let Some(first) = writes.recv().await {
                        // Whatever else is waiting joins the batch.
                        let mut batch = vec![first];
                        while batch.len() < BATCH_LIMIT
                            && let Ok(write) = writes.try_recv()
                        {
                            batch.push(write);
                        }
                        // A task of its own, so that a write that panics fails its batch only.
                        match tokio::spawn(write_batch(db.clone(), writer_turn.clone(), batch)).await {
                            Ok(Ok(())) => {}
                            Ok(Err(error)) => tracing::error!(%error, "a batch of writes could not be saved"),
                            Err(failed) => tracing::error!(%failed, "a batch of writes failed"),
                        }
                    }
                    let _ = db.close().await;
                })
            })
            .map_err(|error| failed("no thread", &error))?;
        match connected.await {
            Ok(Ok(())) => Ok(Self { queue, turn }),
            Ok(Err(error)) => Err(failed("cannot open the database for writing", &error)),
            Err(_) => Err(DbErr::Custom("SQLite's writer stopped as it started".into())),
        }
    }

    /// Waits for this process's turn to write, then starts the transaction, taking SQLite's
    /// write lock at once (`BEGIN IMMEDIATE`).
    pub async fn begin<C: TransactionTrait>(&self, db: &C) -> Result<WriteTransaction<C::Transaction>, DbErr> {
        let turn = self.turn.clone().lock_owned().await;
        let txn = db.begin_with_options(immediate()).await?;
        Ok(WriteTransaction { txn, _turn: Some(turn) })
    }

    /// Queues `work` for the next batch; the answer comes once its batch is committed.
    pub async fn write<T, E, F>(&self, work: F) -> Result<T, E>
    where
        T: Send + 'static,
        E: From<DbErr> + Send + 'static,
        F: for<'t> FnOnce(&'t DatabaseTransaction) -> BoxedFuture<'t, Result<T, E>> + Send + 'static,
    {
        let (reply, answer) = tokio::sync::oneshot::channel();
        let run: RunWrite = Box::new(move |txn| {
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
        });
        self.queue.send(run).map_err(|_| DbErr::Custom("SQLite's writer has stopped".into()))?;
        // A write whose batch could not start is dropped unanswered (the writer logs why).
        answer.await.unwrap_or_else(|_| Err(E::from(DbErr::Custom("the write was not saved: see the server's log".into()))))
    }
}

/// SQLite takes the write lock as the transaction starts, so a concurrent writer waits instead
/// of failing with "database is locked" when it first writes after reading. PostgreSQL
/// ignores the mode.
pub(super) fn immediate() -> TransactionOptions {
    TransactionOptions { sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate), ..TransactionOptions::default() }
}

/// One transaction for the batch, a savepoint for each write; the answers once it commits.
/// Any failure of the database itself rolls the whole batch back, and its writes are told so.
async fn write_batch(db: DatabaseConnection, turn: Arc<Mutex<()>>, batch: Vec<RunWrite>) -> Result<(), DbErr> {
    let _turn = turn.lock_owned().await;
    let txn = db.begin_with_options(immediate()).await?;
    let mut answers = Vec::with_capacity(batch.len());
    for run in batch {
        let savepoint = txn.begin().await?;
        let (keep, answer) = run(&savepoint).await;
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
/// connection's is, keep to it too.
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
