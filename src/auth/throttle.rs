//! Throttling: failed log-ins are counted per account (by email, whether or
//! not it exists) and per client address over the last hour; sign-ups per
//! client address. The address is the one `Config::client_address` gives,
//! so behind a trusted proxy each client is counted, not the proxy.

use crate::error::{AppError, AppResult};
use crate::server::clock::Timestamp;
use crate::server::db::Db;

pub const WINDOW_SECS: i64 = 60 * 60;
pub const MAX_FAILURES_PER_ACCOUNT: i64 = 100;
/// An address may share a network with many people, so it gets more room.
pub const MAX_FAILURES_PER_ADDRESS: i64 = 300;
/// New accounts an address may make in an hour: an office behind one
/// address signing up its staff fits; a script making accounts does not.
pub const MAX_SIGNUPS_PER_ADDRESS: i64 = 100;

fn too_many(what: &str, counted_at: Timestamp, now: Timestamp) -> AppError {
    let retry_after_secs = (counted_at + WINDOW_SECS - now).max(1) as u64;
    let minutes = retry_after_secs.div_ceil(60);
    AppError::TooManyRequests {
        message: format!(
            "Too many {what}. Try again in {minutes} minute{}.",
            if minutes == 1 { "" } else { "s" }
        ),
        retry_after_secs,
    }
}

/// Counts a sign-up from `address`, or refuses it when the address made
/// [`MAX_SIGNUPS_PER_ADDRESS`] within the hour. Counted in the write
/// transaction, so a burst cannot slip past the limit.
pub async fn count_signup(db: &Db, address: &str, now: Timestamp) -> AppResult<()> {
    let mut tx = db.write.begin().await?;
    sqlx::query("DELETE FROM signups WHERE at <= ?")
        .bind(now - WINDOW_SECS)
        .execute(&mut *tx)
        .await?;
    let oldest_counted: Option<i64> = sqlx::query_scalar(
        "SELECT at FROM signups WHERE address = ? ORDER BY at DESC LIMIT 1 OFFSET ?",
    )
    .bind(address)
    .bind(MAX_SIGNUPS_PER_ADDRESS - 1)
    .fetch_optional(&mut *tx)
    .await?;
    if let Some(at) = oldest_counted {
        return Err(too_many("sign-ups from your network", at, now));
    }
    sqlx::query("INSERT INTO signups (address, at) VALUES (?, ?)")
        .bind(address)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Refuses the attempt when either counter is full, saying when to try again.
pub async fn check(db: &Db, email_key: &str, address: &str, now: Timestamp) -> AppResult<()> {
    let since = now - WINDOW_SECS;
    // The failure whose expiry frees the counter: the limit-th newest in the window.
    const BY_EMAIL: &str =
        "SELECT failed_at FROM login_failures WHERE email_key = ? AND failed_at > ?
                             ORDER BY failed_at DESC LIMIT 1 OFFSET ?";
    const BY_ADDRESS: &str =
        "SELECT failed_at FROM login_failures WHERE address = ? AND failed_at > ?
                               ORDER BY failed_at DESC LIMIT 1 OFFSET ?";
    for (sql, key, limit) in [
        (BY_EMAIL, email_key, MAX_FAILURES_PER_ACCOUNT),
        (BY_ADDRESS, address, MAX_FAILURES_PER_ADDRESS),
    ] {
        let oldest_counted: Option<i64> = sqlx::query_scalar(sql)
            .bind(key)
            .bind(since)
            .bind(limit - 1)
            .fetch_optional(&db.read)
            .await?;
        if let Some(failed_at) = oldest_counted {
            return Err(too_many("failed log-in attempts", failed_at, now));
        }
    }
    Ok(())
}

pub async fn record_failure(
    db: &Db,
    email_key: &str,
    address: &str,
    now: Timestamp,
) -> AppResult<()> {
    let mut tx = db.write.begin().await?;
    sqlx::query("DELETE FROM login_failures WHERE failed_at <= ?")
        .bind(now - WINDOW_SECS)
        .execute(&mut *tx)
        .await?;
    sqlx::query("INSERT INTO login_failures (email_key, address, failed_at) VALUES (?, ?, ?)")
        .bind(email_key)
        .bind(address)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}
