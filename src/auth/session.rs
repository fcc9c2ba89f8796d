//! Server-side sessions in the database.
//!
//! The cookie carries 256 random bits; the table keeps only their SHA-256.
//! A session ends after `IDLE_TIMEOUT` without a request, after
//! `ABSOLUTE_TIMEOUT` whatever happens, or at log-out.

use super::Account;
use crate::clock::Timestamp;
use crate::error::AppResult;
use crate::ids::{new_public_id, new_token, token_hash};
use crate::server::db::{Connection, Db};
use crate::server::Client;
use axum::http::{header, HeaderMap, HeaderValue};

pub const COOKIE_NAME: &str = "orgpanel_session";
pub const IDLE_TIMEOUT_SECS: i64 = 12 * 60 * 60;
pub const ABSOLUTE_TIMEOUT_SECS: i64 = 7 * 24 * 60 * 60;
/// `last_seen_at` is written at most this often, to spare the writer.
const TOUCH_INTERVAL_SECS: i64 = 60;

/// What a session token is for: one kind never works as the other.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// The browser's cookie.
    Browser,
    /// The JSON API's temporary key from `user/login` (HTTP Basic).
    Api,
}

impl Kind {
    fn as_str(self) -> &'static str {
        match self {
            Kind::Browser => "browser",
            Kind::Api => "api",
        }
    }
}

/// Starts a session of `kind` for `client` and returns its token.
pub async fn create(
    db: &Db,
    account_id: i64,
    kind: Kind,
    client: &Client,
    now: Timestamp,
) -> AppResult<String> {
    let token = new_token();
    sqlx::query(
        "INSERT INTO sessions (token_hash, account_id, created_at, last_seen_at, kind, public_id, user_agent, address)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(token_hash(&token))
    .bind(account_id)
    .bind(now)
    .bind(now)
    .bind(kind.as_str())
    .bind(new_public_id())
    .bind(&client.user_agent)
    .bind(&client.address)
    .execute(&db.write)
    .await?;
    Ok(token)
}

/// The account behind a live session token of `kind`, touching the session:
/// its last use (at most every minute) and the client `address` it was
/// last used from (at once when it changes: a cookie used from somewhere
/// new shows on the Account page).
pub async fn account(
    db: &Db,
    token: &str,
    kind: Kind,
    address: &str,
    now: Timestamp,
) -> AppResult<Option<Account>> {
    /// A live session and its account.
    #[derive(sqlx::FromRow)]
    struct Row {
        id: i64,
        name: String,
        email: String,
        last_seen_at: Timestamp,
        public_id: String,
        address: String,
        email_verified_at: Option<Timestamp>,
    }
    let hash = token_hash(token);
    let row: Option<Row> = sqlx::query_as(
        "SELECT a.id, a.name, a.email, s.last_seen_at, COALESCE(s.public_id, '') AS public_id,
                s.address, a.email_verified_at
           FROM sessions s JOIN accounts a ON a.id = s.account_id
          WHERE s.token_hash = $1 AND s.kind = $2 AND s.created_at > $3 AND s.last_seen_at > $4",
    )
    .bind(&hash)
    .bind(kind.as_str())
    .bind(now - ABSOLUTE_TIMEOUT_SECS)
    .bind(now - IDLE_TIMEOUT_SECS)
    .fetch_optional(&db.read)
    .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    if now - row.last_seen_at >= TOUCH_INTERVAL_SECS || row.address != address {
        sqlx::query("UPDATE sessions SET last_seen_at = $1, address = $2 WHERE token_hash = $3")
            .bind(now)
            .bind(address)
            .bind(&hash)
            .execute(&db.write)
            .await?;
    }
    Ok(Some(Account {
        id: row.id,
        name: row.name,
        email: row.email,
        email_verified: row.email_verified_at.is_some(),
        session: row.public_id,
    }))
}

pub async fn delete(db: &Db, token: &str) -> AppResult<()> {
    sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
        .bind(token_hash(token))
        .execute(&db.write)
        .await?;
    Ok(())
}

/// A live session of an account, as the Account page lists it.
#[derive(Debug, sqlx::FromRow)]
pub struct Listed {
    pub public_id: String,
    pub kind: String,
    pub user_agent: String,
    pub address: String,
    pub created_at: Timestamp,
    pub last_seen_at: Timestamp,
}

/// The account's live sessions, most recently used first (browsers and the
/// API's temporary keys alike).
pub async fn list(db: &Db, account_id: i64, now: Timestamp) -> AppResult<Vec<Listed>> {
    Ok(sqlx::query_as(
        "SELECT COALESCE(public_id, '') AS public_id, kind, user_agent, address, created_at, last_seen_at FROM sessions
          WHERE account_id = $1 AND created_at > $2 AND last_seen_at > $3
          ORDER BY last_seen_at DESC, created_at DESC LIMIT 100",
    )
    .bind(account_id)
    .bind(now - ABSOLUTE_TIMEOUT_SECS)
    .bind(now - IDLE_TIMEOUT_SECS)
    .fetch_all(&db.read)
    .await?)
}

/// Ends the account's session `public_id` (in `tx`); false when it has
/// none such (already ended, or another account's).
pub async fn end(tx: &mut Connection, account_id: i64, public_id: &str) -> AppResult<bool> {
    let done = sqlx::query("DELETE FROM sessions WHERE account_id = $1 AND public_id = $2")
        .bind(account_id)
        .bind(public_id)
        .execute(&mut *tx)
        .await?;
    Ok(done.rows_affected() > 0)
}

/// Ends every session of the account but `keep` (in `tx`); how many ended.
pub async fn end_all_but(tx: &mut Connection, account_id: i64, keep: &str) -> AppResult<u64> {
    // A session made by the previous release (during a rolling upgrade) has no public id.
    let done = sqlx::query(
        "DELETE FROM sessions WHERE account_id = $1 AND (public_id IS NULL OR public_id <> $2)",
    )
    .bind(account_id)
    .bind(keep)
    .execute(&mut *tx)
    .await?;
    Ok(done.rows_affected())
}

/// Drops sessions that can no longer be used, and throttle counts older
/// than their window.
pub async fn delete_expired(db: &Db, now: Timestamp) -> AppResult<u64> {
    let done = sqlx::query("DELETE FROM sessions WHERE created_at <= $1 OR last_seen_at <= $2")
        .bind(now - ABSOLUTE_TIMEOUT_SECS)
        .bind(now - IDLE_TIMEOUT_SECS)
        .execute(&db.write)
        .await?;
    let window = now - super::throttle::WINDOW_SECS;
    sqlx::query("DELETE FROM login_failures WHERE failed_at <= $1")
        .bind(window)
        .execute(&db.write)
        .await?;
    sqlx::query("DELETE FROM signups WHERE at <= $1")
        .bind(window)
        .execute(&db.write)
        .await?;
    Ok(done.rows_affected())
}

/// How often expired sessions are purged (and once at start).
pub const PURGE_EVERY: std::time::Duration = std::time::Duration::from_secs(10 * 60);

/// Purges expired sessions at start and every [`PURGE_EVERY`], until `stop` changes.
pub fn spawn_purge(
    db: Db,
    clock: crate::clock::Clock,
    mut stop: tokio::sync::watch::Receiver<bool>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            // An error is logged where it was made; the next round tries again.
            if let Ok(purged @ 1..) = delete_expired(&db, clock.now()).await {
                tracing::info!(purged, "expired sessions purged");
            }
            tokio::select! {
                _ = stop.changed() => break,
                () = tokio::time::sleep(PURGE_EVERY) => {}
            }
        }
    })
}

/// The session token sent by the browser, if any.
pub fn token_from(headers: &HeaderMap) -> Option<String> {
    cookie_from(headers, COOKIE_NAME)
}

/// The value of the cookie `name` the browser sent, if any and not empty.
pub fn cookie_from(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(cookie, _)| *cookie == name)
        .map(|(_, value)| value.to_owned())
        .filter(|value| !value.is_empty())
}

/// The `Set-Cookie` of a new session.
///
/// # Panics
/// Never: a token is base64url, which is always a valid header value.
pub fn set_cookie(token: &str, secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{COOKIE_NAME}={token}; Path=/; HttpOnly; SameSite=Lax; Max-Age={ABSOLUTE_TIMEOUT_SECS}{secure}"
    ))
    .expect("a base64url token makes a valid header")
}

/// The `Set-Cookie` that ends the session in the browser.
///
/// # Panics
/// Never: the value is a constant.
pub fn clear_cookie(secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{COOKIE_NAME}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0{secure}"
    ))
    .expect("a constant cookie is a valid header")
}
