//! The database, through sqlx's Any driver (so that one set of queries,
//! with numbered parameters, serves each database sqlx supports); today
//! SQLite: WAL, foreign keys, a busy timeout, and one writer.
//!
//! All writes go through `Db::write`, a pool of exactly one connection, so
//! two writers never race for the lock and no caller sees `SQLITE_BUSY`;
//! reads run in parallel on `Db::read`.
//!
//! Each statement is a round trip to the connection's own thread (sqlx runs
//! SQLite there), so the pools skip the ping sqlx would otherwise make on
//! every acquire: a local file has no network to have dropped.

use sqlx::any::AnyPoolOptions;
use std::ffi::{c_char, c_int, c_uint, c_void, CStr};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, Once};

/// A connection, as transactions and the stores' functions take it.
pub type Connection = sqlx::AnyConnection;
/// A pool of connections.
pub type Pool = sqlx::AnyPool;
/// The database type parameter of sqlx's generic items.
pub type Database = sqlx::Any;

/// The key of PostgreSQL's session-level advisory lock that the one writer
/// connection of each replica holds while in use (`Db::open_postgres`).
pub const WRITER_LOCK: i64 = 0x6f72_6770_616e_656c; // "orgpanel"

/// How long, in seconds, the writer connection may sit idle (between
/// statements, in a transaction or not) while it holds [`WRITER_LOCK`]
/// before PostgreSQL ends its session, which frees the lock: a replica that
/// freezes mid-write (stopped, swapped out, cut off) holds up the others'
/// writes this long, not for ever. Far longer than a healthy replica waits
/// between two statements of one write.
pub const WRITER_IDLE_SECS: u32 = 10;

/// How long a background worker holds the job rows it took (email due,
/// refunds due, card setups to ask about), in seconds: no other worker, of
/// this replica or another on the same database, takes them meanwhile, and
/// if the worker dies they are taken up again when the lease ends. A worker
/// takes at most [`JOB_BATCH`] rows and hands back, unworked, those it has
/// not reached within half the lease, so a slow server (the SMTP client
/// gives up after 20 s a message) never lets a lease end mid-batch.
pub const LEASE_SECS: i64 = 300;

/// How many rows a background worker takes at once.
pub const JOB_BATCH: usize = 10;

/// How long a background job waits after its `attempts`-th failure, in
/// seconds: 30 s, 1, 2, 4 … minutes, at most an hour.
pub fn retry_delay(attempts: i64) -> i64 {
    (30_i64 << attempts.clamp(0, 7)).min(3600)
}

/// Which database `DATABASE_URL` names. The few places where their SQL
/// differs ask it ([`Dialect::case_folded`], [`Dialect::skip_locked`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dialect {
    /// `sqlite://path`: one file, one writer.
    Sqlite,
    /// `postgres://…`: a server any number of replicas share.
    Postgres,
}

impl Dialect {
    /// `column` as names are sorted, case-insensitively: SQLite's
    /// `COLLATE NOCASE` (ASCII), PostgreSQL's `lower()`. Each has an index
    /// of that form where the sort must be fast.
    pub fn case_folded(self, column: &str) -> String {
        match self {
            Dialect::Sqlite => format!("{column} COLLATE NOCASE"),
            Dialect::Postgres => format!("lower({column})"),
        }
    }

    /// What a job's `SELECT` of rows to take adds so that two workers never
    /// take one row: nothing on SQLite (one writer at a time), `FOR UPDATE
    /// SKIP LOCKED` on PostgreSQL.
    pub fn skip_locked(self) -> &'static str {
        match self {
            Dialect::Sqlite => "",
            Dialect::Postgres => " FOR UPDATE SKIP LOCKED",
        }
    }
}

/// The migrations in `dir`, run at start. A database migrated by a newer
/// release is accepted (`ignore_missing`): during a rolling upgrade a
/// replica of the old release may restart after a new one migrated, and
/// migrations only add (columns and tables are dropped a release after the
/// code stops using them).
macro_rules! migrator {
    ($dir:literal) => {{
        let mut migrator = sqlx::migrate!($dir);
        migrator.set_ignore_missing(true);
        migrator
    }};
}

#[derive(Clone, Debug)]
pub struct Db {
    pub read: Pool,
    pub write: Pool,
    pub dialect: Dialect,
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
    // SAFETY: `counter` is a `&'static AtomicU64` of `COUNTERS`.
    let counter = unsafe { &*(counter as *const AtomicU64) };
    counter.fetch_add(1, Ordering::Relaxed);
    0
}

/// Each database file's statement counter, the latest `Db::open` of a file
/// last. sqlx's Any driver hands out no SQLite handle, so the counter is
/// put on each new connection by SQLite itself ([`on_open`]).
static COUNTERS: Mutex<Vec<(PathBuf, &'static AtomicU64)>> = Mutex::new(Vec::new());

/// A database file's path as SQLite reports it: absolute, links resolved
/// (for a file that does not exist yet, those of its folder).
fn file_key(path: &Path) -> Option<PathBuf> {
    let path = std::path::absolute(path).ok()?;
    let folder = path.parent()?.canonicalize().ok()?;
    Some(folder.join(path.file_name()?))
}

/// Runs for every SQLite connection the process opens
/// (`sqlite3_auto_extension`): puts the counter of its file on it.
#[expect(
    unsafe_code,
    reason = "an SQLite auto-extension is a C callback given the connection's handle"
)]
unsafe extern "C" fn on_open(
    db: *mut libsqlite3_sys::sqlite3,
    _error: *mut *mut c_char,
    _api: *const libsqlite3_sys::sqlite3_api_routines,
) -> c_int {
    // SAFETY: `db` is the connection being opened; SQLite owns the name,
    // valid while the connection is (it is copied at once).
    let file = unsafe {
        let name = libsqlite3_sys::sqlite3_db_filename(db, c"main".as_ptr());
        if name.is_null() {
            return libsqlite3_sys::SQLITE_OK;
        }
        PathBuf::from(CStr::from_ptr(name).to_string_lossy().into_owned())
    };
    let key = file_key(&file);
    let counters = COUNTERS
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some((_, counter)) = counters
        .iter()
        .rev()
        .find(|(path, _)| Some(path) == key.as_ref())
    {
        // SAFETY: `db` is live; the counter lives as long as the program.
        unsafe {
            libsqlite3_sys::sqlite3_trace_v2(
                db,
                libsqlite3_sys::SQLITE_TRACE_PROFILE as c_uint,
                Some(count_statement),
                std::ptr::from_ref::<AtomicU64>(counter) as *mut c_void,
            );
        }
    }
    libsqlite3_sys::SQLITE_OK
}

/// Registers [`on_open`] once for the process.
#[expect(
    unsafe_code,
    reason = "registering an SQLite auto-extension is a C call"
)]
fn count_statements_of(file: &Path) -> &'static AtomicU64 {
    static REGISTERED: Once = Once::new();
    REGISTERED.call_once(|| {
        // SAFETY: `on_open` has the signature SQLite calls and lives forever.
        unsafe {
            libsqlite3_sys::sqlite3_auto_extension(Some(on_open));
        }
    });
    // One counter for the life of the program (a test opens many).
    let counter: &'static AtomicU64 = Box::leak(Box::default());
    if let Some(key) = file_key(file) {
        COUNTERS
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push((key, counter));
    }
    counter
}

/// The URL with SQLite's open mode (`rwc`: create if missing, `ro`) set.
fn with_mode(url: &str, mode: &str) -> String {
    let separator = if url.contains('?') { '&' } else { '?' };
    format!("{url}{separator}mode={mode}")
}

/// The file of an `sqlite:` URL.
fn sqlite_file(url: &str) -> PathBuf {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .unwrap_or(url);
    PathBuf::from(rest.split('?').next().unwrap_or(rest))
}

impl Db {
    /// Opens the database at `url` (`sqlite://path`, created if missing, or
    /// `postgres://user@host:port/database`) and brings its schema up to
    /// date (`migrations/sqlite` or `migrations/postgres`).
    pub async fn open(url: &str) -> Result<Self, sqlx::Error> {
        sqlx::any::install_default_drivers();
        if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Self::open_postgres(url).await
        } else {
            Self::open_sqlite(url).await
        }
    }

    /// The same rule as on SQLite, across every replica: one writer at a
    /// time. The write pool has one connection, which holds PostgreSQL's
    /// advisory lock [`WRITER_LOCK`] while it is out of the pool, so every
    /// write (a transaction or a statement) runs alone, as the stores'
    /// checks-then-writes expect. A replica that dies drops its lock with
    /// its connection; one that freezes holding it loses its session after
    /// [`WRITER_IDLE_SECS`] (PostgreSQL's `idle_session_timeout` and
    /// `idle_in_transaction_session_timeout`, set only while the lock is
    /// held, so an idle pooled connection is left alone; PostgreSQL 14 on).
    /// Reads run in parallel on their own pool.
    async fn open_postgres(url: &str) -> Result<Self, sqlx::Error> {
        async fn lock(connection: &mut Connection) -> Result<(), sqlx::Error> {
            let idle = format!("{WRITER_IDLE_SECS}s");
            sqlx::query(
                "SELECT pg_advisory_lock($1),
                        set_config('idle_session_timeout', $2, false),
                        set_config('idle_in_transaction_session_timeout', $2, false)",
            )
            .bind(WRITER_LOCK)
            .bind(idle)
            .execute(connection)
            .await
            .map(|_| ())
        }
        let write = AnyPoolOptions::new()
            .max_connections(1)
            .after_connect(|connection, _| Box::pin(lock(connection)))
            .before_acquire(|connection, _| {
                Box::pin(async move { lock(connection).await.map(|()| true) })
            })
            .after_release(|connection, _| {
                Box::pin(async move {
                    // All of them: a fresh connection may have been locked twice
                    // (after connecting and before being handed out).
                    sqlx::query(
                        "SELECT pg_advisory_unlock_all(),
                                set_config('idle_session_timeout', '0', false),
                                set_config('idle_in_transaction_session_timeout', '0', false)",
                    )
                    .execute(connection)
                    .await
                    .map(|_| true)
                })
            })
            .connect(url)
            .await?;
        migrator!("./migrations/postgres").run(&write).await?;
        let read = AnyPoolOptions::new()
            .max_connections(8)
            .connect(url)
            .await?;
        Ok(Self {
            read,
            write,
            dialect: Dialect::Postgres,
            // PostgreSQL's statements are not counted (see `statements_run`).
            statements: Box::leak(Box::default()),
        })
    }

    async fn open_sqlite(url: &str) -> Result<Self, sqlx::Error> {
        let statements = count_statements_of(&sqlite_file(url));
        let write = AnyPoolOptions::new()
            .max_connections(1)
            .test_before_acquire(false)
            .after_connect(|connection, _| {
                Box::pin(async move {
                    for pragma in [
                        "PRAGMA journal_mode = WAL",
                        "PRAGMA synchronous = NORMAL",
                        "PRAGMA foreign_keys = ON",
                        "PRAGMA busy_timeout = 10000",
                    ] {
                        sqlx::query(pragma).execute(&mut *connection).await?;
                    }
                    Ok(())
                })
            })
            .connect(&with_mode(url, "rwc"))
            .await?;
        migrator!("./migrations/sqlite").run(&write).await?;
        // A connection per core: more only adds threads to switch between.
        let readers = std::thread::available_parallelism()
            .map_or(2, |n| u32::try_from(n.get().clamp(2, 8)).unwrap_or(8));
        let read = AnyPoolOptions::new()
            .max_connections(readers)
            .test_before_acquire(false)
            .after_connect(|connection, _| {
                Box::pin(async move {
                    sqlx::query("PRAGMA busy_timeout = 10000")
                        .execute(&mut *connection)
                        .await?;
                    Ok(())
                })
            })
            .connect(&with_mode(url, "ro"))
            .await?;
        Ok(Self {
            read,
            write,
            dialect: Dialect::Sqlite,
            statements,
        })
    }

    /// Statements run so far on this database, reads and writes, as SQLite
    /// counts them; always 0 on PostgreSQL.
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
