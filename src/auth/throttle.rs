//! Throttling: failed log-ins are counted per account (by email, whether or
//! not it exists) and per client address over the last hour; sign-ups per
//! client address. The address is the one `Config::client_address` gives,
//! so behind a trusted proxy each client is counted, not the proxy.

use crate::clock::Timestamp;
use crate::error::AppResult;
use crate::server::db::Db;
use crate::server::rate_limit::RateLimit;

pub const WINDOW_SECS: i64 = 60 * 60;
pub const FAILURES_PER_ACCOUNT: RateLimit = RateLimit {
    limit: 100,
    window_secs: WINDOW_SECS,
    refusal: "Too many failed log-in attempts.",
};
/// An address may share a network with many people, so it gets more room.
pub const FAILURES_PER_ADDRESS: RateLimit = RateLimit {
    limit: 300,
    ..FAILURES_PER_ACCOUNT
};
/// Wrong two-factor codes an account may be sent in an hour, after a right
/// password: a guesser gets 30 codes of a million a day. Counted apart from
/// failed passwords, so a password reset (which clears those) frees none.
pub const CODE_FAILURES_PER_ACCOUNT: RateLimit = RateLimit {
    limit: 10,
    window_secs: WINDOW_SECS,
    refusal: "Too many wrong two-factor codes.",
};

/// New accounts an address may make in an hour: an office behind one
/// address signing up its staff fits; a script making accounts does not.
pub const SIGNUPS_PER_ADDRESS: RateLimit = RateLimit {
    limit: 100,
    window_secs: WINDOW_SECS,
    refusal: "Too many sign-ups from your network.",
};

/// Counts a sign-up from `address`, or refuses it when the address made
/// [`SIGNUPS_PER_ADDRESS`] allow. Counted in the write
/// transaction, so a burst cannot slip past the limit.
pub async fn count_signup(db: &Db, address: &str, now: Timestamp) -> AppResult<()> {
    let mut tx = db.write.begin().await?;
    sqlx::query("DELETE FROM signups WHERE at <= $1")
        .bind(now - WINDOW_SECS)
        .execute(&mut *tx)
        .await?;
    SIGNUPS_PER_ADDRESS
        .enforce(
            &mut tx,
            "SELECT at FROM signups WHERE address = $1 AND at > $2 ORDER BY at DESC LIMIT 1 OFFSET $3",
            address.to_owned(),
            now,
        )
        .await?;
    sqlx::query("INSERT INTO signups (address, at) VALUES ($1, $2)")
        .bind(address)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Counts a log-in attempt as failed before its password is checked, or
/// refuses it when either counter is full (saying when to try again);
/// returns the attempt's row for [`forgive`] once the password matched.
/// Counted in the write transaction, before the slow password check, so a
/// burst of attempts at once, on one replica or many, cannot slip past the
/// limits.
pub async fn begin_attempt(
    db: &Db,
    email_key: &str,
    address: &str,
    now: Timestamp,
) -> AppResult<i64> {
    begin(db, email_key, FAILURES_PER_ACCOUNT, address, now).await
}

/// The same for a two-factor code of the account with `email_key`: counted
/// under [`CODE_FAILURES_PER_ACCOUNT`] (and the address's limit), apart
/// from failed passwords.
pub async fn begin_code_attempt(
    db: &Db,
    email_key: &str,
    address: &str,
    now: Timestamp,
) -> AppResult<i64> {
    begin(
        db,
        &format!("code:{email_key}"),
        CODE_FAILURES_PER_ACCOUNT,
        address,
        now,
    )
    .await
}

async fn begin(
    db: &Db,
    email_key: &str,
    per_account: RateLimit,
    address: &str,
    now: Timestamp,
) -> AppResult<i64> {
    // The failure whose expiry frees the counter: the limit-th newest in the window.
    const BY_EMAIL: &str =
        "SELECT failed_at FROM login_failures WHERE email_key = $1 AND failed_at > $2
                             ORDER BY failed_at DESC LIMIT 1 OFFSET $3";
    const BY_ADDRESS: &str =
        "SELECT failed_at FROM login_failures WHERE address = $1 AND failed_at > $2
                               ORDER BY failed_at DESC LIMIT 1 OFFSET $3";
    let mut tx = db.write.begin().await?;
    sqlx::query("DELETE FROM login_failures WHERE failed_at <= $1")
        .bind(now - WINDOW_SECS)
        .execute(&mut *tx)
        .await?;
    for (sql, key, limit) in [
        (BY_EMAIL, email_key, per_account),
        (BY_ADDRESS, address, FAILURES_PER_ADDRESS),
    ] {
        limit.enforce(&mut tx, sql, key.to_owned(), now).await?;
    }
    let attempt = sqlx::query_scalar(
        "INSERT INTO login_failures (email_key, address, failed_at) VALUES ($1, $2, $3) RETURNING id",
    )
    .bind(email_key)
    .bind(address)
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(attempt)
}

/// Takes back the attempt [`begin_attempt`] counted: the password matched.
pub async fn forgive(db: &Db, attempt: i64) -> AppResult<()> {
    sqlx::query("DELETE FROM login_failures WHERE id = $1")
        .bind(attempt)
        .execute(&db.write)
        .await?;
    Ok(())
}
