//! "Forgot password?" (issue 17): a link by email that sets a new password
//! once, within [`LINK_VALID_SECS`]. The answer to a request is the same
//! whether or not an account has the address; requests are limited per
//! address asked for and per client address. Only the token's SHA-256 is
//! stored. Setting the password ends every session of the account and
//! every other link, and tells the account by email.

use super::events::SecurityEvent;
use super::{password, AuthField};
use crate::clock::Timestamp;
use crate::error::{AppError, AppResult};
use crate::ids::{new_token, token_hash};
use crate::server::db::Connection;
use crate::server::rate_limit::RateLimit;
use crate::server::state::AppState;
use crate::validate::{Email, Password};

/// How long a link works, in seconds: an hour.
pub const LINK_VALID_SECS: i64 = 60 * 60;
const WINDOW_SECS: i64 = 60 * 60;

/// Links asked for one address in an hour: a person who lost the first
/// email or two fits; filling someone's inbox does not.
pub const REQUESTS_PER_EMAIL: RateLimit = RateLimit {
    limit: 5,
    window_secs: WINDOW_SECS,
    refusal: "Too many reset links were requested for this address.",
};
/// Links asked from one client address in an hour, whatever the email.
pub const REQUESTS_PER_ADDRESS: RateLimit = RateLimit {
    limit: 20,
    window_secs: WINDOW_SECS,
    refusal: "Too many reset links were requested from your network.",
};

/// Sends a link to the account with `email`, if there is one; counts the
/// request either way. `Invalid` for an address that is not one,
/// `TooManyRequests` past a limit; otherwise nothing tells whether the
/// account exists.
pub async fn request(state: &AppState, email: &str, address: &str) -> AppResult<()> {
    let email = Email::parse(email).map_err(|m| AppError::field(AuthField::Email, m))?;
    let now = state.clock.now();
    let mut tx = state.db.write.begin().await?;
    sqlx::query("DELETE FROM reset_requests WHERE at <= $1")
        .bind(now - WINDOW_SECS)
        .execute(&mut *tx)
        .await?;
    REQUESTS_PER_EMAIL
        .enforce(
            &mut tx,
            "SELECT at FROM reset_requests WHERE email_key = $1 AND at > $2 ORDER BY at DESC LIMIT 1 OFFSET $3",
            email.key(),
            now,
        )
        .await?;
    REQUESTS_PER_ADDRESS
        .enforce(
            &mut tx,
            "SELECT at FROM reset_requests WHERE address = $1 AND at > $2 ORDER BY at DESC LIMIT 1 OFFSET $3",
            address.to_owned(),
            now,
        )
        .await?;
    sqlx::query("INSERT INTO reset_requests (email_key, address, at) VALUES ($1, $2, $3)")
        .bind(email.key())
        .bind(address)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    let account: Option<(i64, String)> =
        sqlx::query_as("SELECT id, email FROM accounts WHERE email_key = $1")
            .bind(email.key())
            .fetch_optional(&mut *tx)
            .await?;
    if let Some((account_id, stored)) = &account {
        let token = new_token();
        sqlx::query(
            "INSERT INTO password_resets (token_hash, account_id, created_at, expires_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(token_hash(&token))
        .bind(account_id)
        .bind(now)
        .bind(now + LINK_VALID_SECS)
        .execute(&mut *tx)
        .await?;
        let to = Email::parse(stored).map_err(AppError::internal)?;
        let link = format!("{}/reset-password/{token}", state.config.base_url());
        let body = format!(
            "Someone, hopefully you, asked to reset the password of the Orgpanel account {stored}.\n\n\
             Choose a new password here (the link works once, for one hour):\n{link}\n\n\
             If you did not ask for this, ignore this email: your password stays as it is.\n"
        );
        crate::mail::enqueue(&mut tx, &to, "Reset your Orgpanel password", &body, now).await?;
    }
    tx.commit().await?;
    if account.is_some() {
        state.mail_due.notify_one();
    }
    Ok(())
}

/// The email of the account whose password the link behind `token` resets,
/// while it works; `NotFound` once used, expired or never made.
pub async fn link_email(state: &AppState, token: &str) -> AppResult<String> {
    sqlx::query_scalar(
        "SELECT a.email FROM password_resets r JOIN accounts a ON a.id = r.account_id
          WHERE r.token_hash = $1 AND r.used_at IS NULL AND r.expires_at > $2",
    )
    .bind(token_hash(token))
    .bind(state.clock.now())
    .fetch_optional(&state.db.read)
    .await?
    .ok_or(AppError::NotFound)
}

/// Sets `new_password` (the sign-up rules) on the account behind `token`,
/// once; ends every session and every other link of the account, clears
/// its failed log-ins and records the reset from the client `address` (a
/// security event, emailed). Returns the account's id.
pub async fn complete(
    state: &AppState,
    token: &str,
    new_password: &str,
    address: &str,
) -> AppResult<i64> {
    let new_password =
        Password::parse(new_password).map_err(|m| AppError::field(AuthField::Password, m))?;
    // A dead link costs no password hash.
    link_email(state, token).await?;
    let hash = password::hash(new_password.expose().to_owned()).await?;
    let now: Timestamp = state.clock.now();
    let mut tx = state.db.write.begin().await?;
    // Taken in the write: of two posts of one link, one sets the password.
    let account_id: Option<i64> = sqlx::query_scalar(
        "UPDATE password_resets SET used_at = $1
          WHERE token_hash = $2 AND used_at IS NULL AND expires_at > $1
          RETURNING account_id",
    )
    .bind(now)
    .bind(token_hash(token))
    .fetch_optional(&mut *tx)
    .await?;
    let account_id = account_id.ok_or(AppError::NotFound)?;
    let email: String =
        sqlx::query_scalar("UPDATE accounts SET password_hash = $1 WHERE id = $2 RETURNING email")
            .bind(hash)
            .bind(account_id)
            .fetch_one(&mut *tx)
            .await?;
    cancel_open_links(&mut tx, account_id, now).await?;
    // A change of email asked for with the old password is cancelled too.
    super::verify::cancel_open_links(&mut tx, account_id, now).await?;
    sqlx::query("DELETE FROM sessions WHERE account_id = $1")
        .bind(account_id)
        .execute(&mut *tx)
        .await?;
    let to = Email::parse(&email).map_err(AppError::internal)?;
    sqlx::query("DELETE FROM login_failures WHERE email_key = $1")
        .bind(to.key())
        .execute(&mut *tx)
        .await?;
    super::events::record(
        &mut tx,
        state.config.base_url(),
        account_id,
        &to,
        SecurityEvent::PasswordReset,
        address,
        now,
    )
    .await?;
    tx.commit().await?;
    state.mail_due.notify_one();
    tracing::info!(account_id, "password reset");
    Ok(account_id)
}

/// Ends every open reset link of the account (in `tx`): once one was used,
/// and when its password or email changes another way.
pub async fn cancel_open_links(
    tx: &mut Connection,
    account_id: i64,
    now: Timestamp,
) -> AppResult<()> {
    sqlx::query(
        "UPDATE password_resets SET used_at = $1 WHERE account_id = $2 AND used_at IS NULL",
    )
    .bind(now)
    .bind(account_id)
    .execute(&mut *tx)
    .await?;
    Ok(())
}
