//! Password hashing: argon2id, m=19456 KiB, t=2, p=1 (OWASP's first
//! choice), stored as a PHC string, computed off the async runtime.
//!
//! Each hash takes 19 MiB while it runs, so only a few run at once (as
//! many as there are cores, 2 to 4) and at most [`MAX_WAITING`] more wait
//! their turn: 50 log-ins at once take 2–4 hashes' memory, not 50. Past
//! the queue, a log-in is asked to try again in a few seconds.

use crate::error::{AppError, AppResult};
use argon2::password_hash::{
    rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString,
};
use argon2::{Algorithm, Argon2, Params, Version};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{LazyLock, OnceLock};
use tokio::sync::Semaphore;

/// Hashes that may wait for their turn before log-ins are turned away.
pub const MAX_WAITING: usize = 256;

struct Gate {
    permits: Semaphore,
    limit: usize,
    waiting: AtomicUsize,
    running: AtomicUsize,
    peak: AtomicUsize,
}

static GATE: LazyLock<Gate> = LazyLock::new(|| {
    let limit = std::thread::available_parallelism()
        .map_or(2, usize::from)
        .clamp(2, 4);
    Gate {
        permits: Semaphore::new(limit),
        limit,
        waiting: AtomicUsize::new(0),
        running: AtomicUsize::new(0),
        peak: AtomicUsize::new(0),
    }
});

/// How many hashes may run at once.
pub fn parallel_limit() -> usize {
    GATE.limit
}

/// The most hashes that ever ran at once in this process.
pub fn peak_parallel() -> usize {
    GATE.peak.load(Ordering::Relaxed)
}

/// Takes one off a counter when dropped, also when the request is cancelled.
struct Counted(&'static AtomicUsize);

impl Drop for Counted {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

/// Runs one hash on the blocking pool once the gate lets it through.
async fn gated<T: Send + 'static>(
    work: impl FnOnce() -> AppResult<T> + Send + 'static,
) -> AppResult<T> {
    let gate = &*GATE;
    let waiting = Counted(&gate.waiting);
    if gate.waiting.fetch_add(1, Ordering::Relaxed) >= MAX_WAITING {
        return Err(AppError::TooManyRequests {
            message: "Many people are logging in right now. Try again in a few seconds.".into(),
            retry_after_secs: 5,
        });
    }
    let _permit = gate.permits.acquire().await.map_err(AppError::internal)?;
    drop(waiting);
    let running = gate.running.fetch_add(1, Ordering::Relaxed) + 1;
    let _running = Counted(&gate.running);
    gate.peak.fetch_max(running, Ordering::Relaxed);
    tokio::task::spawn_blocking(work).await?
}

fn argon2() -> Argon2<'static> {
    let params = Params::new(19_456, 2, 1, None).expect("constant argon2 parameters are valid");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

pub async fn hash(password: String) -> AppResult<String> {
    gated(move || {
        let salt = SaltString::generate(&mut OsRng);
        argon2()
            .hash_password(password.as_bytes(), &salt)
            .map(|hash| hash.to_string())
            .map_err(AppError::internal)
    })
    .await
}

/// Checks `password` against a stored PHC string. With no account
/// (`stored == None`) it still does the work of one check, so the time a
/// log-in takes does not tell whether the email exists.
pub async fn verify(password: String, stored: Option<String>) -> AppResult<bool> {
    gated(move || {
        let stored = stored.as_deref().unwrap_or_else(|| dummy_hash());
        let parsed = PasswordHash::new(stored).map_err(AppError::internal)?;
        Ok(argon2()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok())
    })
    .await
}

fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| {
        let salt = SaltString::generate(&mut OsRng);
        argon2()
            .hash_password(b"not a real password", &salt)
            .map(|hash| hash.to_string())
            .unwrap_or_default()
    })
}
