//! SQLite: WAL, foreign keys, a busy timeout, and one writer.
//!
//! All writes go through `Db::write`, a pool of exactly one connection, so
//! two writers never race for the lock and no caller sees `SQLITE_BUSY`;
//! reads run in parallel on `Db::read`.
//!
//! Each statement is a round trip to the connection's own thread (sqlx runs
//! SQLite there), so the pools skip the ping sqlx would otherwise make on
//! every acquire: a local file has no network to have dropped.

use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::SqlitePool;
use std::ffi::{c_int, c_uint, c_void};
use std::str::FromStr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// How long a background worker holds the job rows it took (email due,
/// refunds due, card setups to ask about), in seconds: no other worker, of
/// this replica or another on the same database, takes them meanwhile, and
/// if the worker dies they are taken up again when the lease ends. Longer
/// than one job's calls can take (the SMTP client gives up after 20 s).
pub const LEASE_SECS: i64 = 300;

/// How long a background job waits after its `attempts`-th failure, in
/// seconds: 30 s, 1, 2, 4 … minutes, at most an hour.
pub fn retry_delay(attempts: i64) -> i64 {
    (30_i64 << attempts.clamp(0, 7)).min(3600)
}

#[derive(Clone, Debug)]
pub struct Db {
    pub read: SqlitePool,
    pub write: SqlitePool,
    /// Statements run on either pool, as SQLite counts them: tests and the
    /// benchmark check that what a page runs does not grow with its data.
    statements: &'static AtomicU64,
}

/// SQLite's trace callback (`SQLITE_TRACE_PROFILE`: once per statement run).
#[expect(
    unsafe_code,
    reason = "SQLite's own statement count needs its C trace hook; sqlx has no hook of its own"
)]
unsafe extern "C" fn count_statement(
    _event: c_uint,
    counter: *mut c_void,
    _statement: *mut c_void,
    _nanoseconds: *mut c_void,
) -> c_int {
    // SAFETY: `counter` is the `&'static AtomicU64` registered in `Db::open`.
    let counter = unsafe { &*(counter as *const AtomicU64) };
    counter.fetch_add(1, Ordering::Relaxed);
    0
}

/// Registers the statement counter on a new connection.
#[expect(
    unsafe_code,
    reason = "registering the trace hook is a call into SQLite's C API"
)]
async fn count_statements(
    connection: &mut sqlx::SqliteConnection,
    counter: &'static AtomicU64,
) -> Result<(), sqlx::Error> {
    let mut handle = connection.lock_handle().await?;
    let raw = handle.as_raw_handle().as_ptr();
    // SAFETY: `raw` is this live connection's handle, held locked for the
    // call; the counter lives as long as the program.
    unsafe {
        libsqlite3_sys::sqlite3_trace_v2(
            raw,
            libsqlite3_sys::SQLITE_TRACE_PROFILE as c_uint,
            Some(count_statement),
            std::ptr::from_ref::<AtomicU64>(counter) as *mut c_void,
        );
    }
    Ok(())
}

impl Db {
    pub async fn open(url: &str) -> Result<Self, sqlx::Error> {
        let options = SqliteConnectOptions::from_str(url)?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10));
        // One counter for the life of the program (a test opens many).
        let statements: &'static AtomicU64 = Box::leak(Box::default());
        let write = SqlitePoolOptions::new()
            .max_connections(1)
            .test_before_acquire(false)
            .after_connect(move |connection, _| Box::pin(count_statements(connection, statements)))
            .connect_with(options.clone())
            .await?;
        sqlx::migrate!("./migrations").run(&write).await?;
        // A connection per core: more only adds threads to switch between.
        let readers = std::thread::available_parallelism()
            .map_or(2, |n| u32::try_from(n.get().clamp(2, 8)).unwrap_or(8));
        let read = SqlitePoolOptions::new()
            .max_connections(readers)
            .test_before_acquire(false)
            .after_connect(move |connection, _| Box::pin(count_statements(connection, statements)))
            .connect_with(options.read_only(true))
            .await?;
        Ok(Self {
            read,
            write,
            statements,
        })
    }

    /// Statements run so far on this database, reads and writes.
    pub fn statements_run(&self) -> u64 {
        self.statements.load(Ordering::Relaxed)
    }

    pub async fn ping(&self) -> Result<(), sqlx::Error> {
        sqlx::query("SELECT 1")
            .execute(&self.read)
            .await
            .map(|_| ())
    }

    pub async fn close(&self) {
        self.read.close().await;
        self.write.close().await;
    }
}
