//! Verified email (issue 17). Sign-up sends a link to the address; until it
//! is followed every signed-in page shows a banner with "Resend". A change
//! of address (Account page, the current password given) sends a link to
//! the new address and takes effect only when it is followed; the old
//! address is then told (a security event). Opening a link shows a page
//! with a button: only the POST confirms, so a mail scanner that fetches
//! links confirms nothing. Links work once, for [`LINK_VALID_SECS`]; only
//! the token's SHA-256 is stored.

use super::events::{self, SecurityEvent};
use super::{Account, VerificationLink};
use crate::clock::Timestamp;
use crate::error::{AppError, AppResult};
use crate::ids::{new_token, token_hash};
use crate::server::db::Connection;
use crate::server::rate_limit::RateLimit;
use crate::server::AppState;
use crate::validate::Email;

/// How long a link works, in seconds: a day.
pub const LINK_VALID_SECS: i64 = 24 * 60 * 60;

/// Links sent for one account in an hour, sign-up, resends and changes
/// together.
pub const LINKS_PER_ACCOUNT: RateLimit = RateLimit {
    limit: 5,
    window_secs: 60 * 60,
    refusal: "Too many confirmation links were sent in the last hour.",
};

/// Sends a link confirming `to` for the account `account_id` (its own
/// address, or the one it is to change to), in `tx`. `TooManyRequests`
/// past [`LINKS_PER_ACCOUNT`].
pub async fn send_link(
    tx: &mut Connection,
    base_url: &str,
    account_id: i64,
    to: &Email,
    change: bool,
    now: Timestamp,
) -> AppResult<()> {
    LINKS_PER_ACCOUNT
        .enforce(
            tx,
            "SELECT created_at FROM email_verifications WHERE account_id = $1 AND created_at > $2
              ORDER BY created_at DESC LIMIT 1 OFFSET $3",
            account_id,
            now,
        )
        .await?;
    let token = new_token();
    sqlx::query(
        "INSERT INTO email_verifications (token_hash, account_id, email, email_key, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(token_hash(&token))
    .bind(account_id)
    .bind(to.as_str())
    .bind(to.key())
    .bind(now)
    .bind(now + LINK_VALID_SECS)
    .execute(&mut *tx)
    .await?;
    let link = format!("{base_url}/verify-email/{token}");
    let (subject, why) = if change {
        (
            "Confirm your new email address for Orgpanel",
            format!("Someone, hopefully you, asked to change the email of an Orgpanel account to {to}. The change takes effect when you confirm it here (the link works once, for a day):"),
        )
    } else {
        (
            "Confirm your email address for Orgpanel",
            format!("Welcome to Orgpanel. Confirm that {to} is your address here (the link works once, for a day):"),
        )
    };
    let body = format!(
        "{why}\n{link}\n\nIf you did not ask for this, ignore this email: nothing changes.\n"
    );
    crate::mail::enqueue(tx, to, subject, &body, now).await
}

/// "Resend" from the banner: a new link to the account's address, unless
/// it is confirmed already.
pub async fn resend(state: &AppState, account: &Account) -> AppResult<()> {
    if account.email_verified {
        return Ok(());
    }
    let to = Email::parse(&account.email).map_err(AppError::internal)?;
    let mut tx = state.db.write.begin().await?;
    send_link(
        &mut tx,
        state.config.base_url(),
        account.id,
        &to,
        false,
        state.clock.now(),
    )
    .await?;
    tx.commit().await?;
    state.mail_due.notify_one();
    Ok(())
}

/// The link behind `token`, while it works; `NotFound` once used, expired
/// or never made.
pub async fn link(state: &AppState, token: &str) -> AppResult<VerificationLink> {
    let found: Option<(String, String, String)> = sqlx::query_as(
        "SELECT v.email, v.email_key, a.email_key FROM email_verifications v
           JOIN accounts a ON a.id = v.account_id
          WHERE v.token_hash = $1 AND v.used_at IS NULL AND v.expires_at > $2",
    )
    .bind(token_hash(token))
    .bind(state.clock.now())
    .fetch_optional(&state.db.read)
    .await?;
    let (email, key, account_key) = found.ok_or(AppError::NotFound)?;
    Ok(VerificationLink {
        email,
        change: key != account_key,
    })
}

/// Follows the link behind `token`, once: confirms the account's address,
/// or changes it to the link's (then every other open link of the account
/// ends and the old address is told). `Conflict` when another account took
/// the address meanwhile. Returns the account's id.
pub async fn confirm(state: &AppState, token: &str, address: &str) -> AppResult<i64> {
    let now = state.clock.now();
    let hash = token_hash(token);
    let mut tx = state.db.write.begin().await?;
    let owner: Option<i64> =
        sqlx::query_scalar("SELECT account_id FROM email_verifications WHERE token_hash = $1")
            .bind(&hash)
            .fetch_optional(&mut *tx)
            .await?;
    // The account's row first, as a password change takes it: two links of
    // one account followed at once then queue instead of each holding its
    // link and waiting for the other's (a deadlock on PostgreSQL).
    sqlx::query("UPDATE accounts SET email = email WHERE id = $1")
        .bind(owner.ok_or(AppError::NotFound)?)
        .execute(&mut *tx)
        .await?;
    let used: Option<(i64, String, String)> = sqlx::query_as(
        "UPDATE email_verifications SET used_at = $1
          WHERE token_hash = $2 AND used_at IS NULL AND expires_at > $1
          RETURNING account_id, email, email_key",
    )
    .bind(now)
    .bind(&hash)
    .fetch_optional(&mut *tx)
    .await?;
    let (account_id, email, key) = used.ok_or(AppError::NotFound)?;
    let (old_email, old_key): (String, String) =
        sqlx::query_as("SELECT email, email_key FROM accounts WHERE id = $1")
            .bind(account_id)
            .fetch_one(&mut *tx)
            .await?;
    if key == old_key {
        mark_confirmed(&mut tx, account_id, now).await?;
        tx.commit().await?;
        return Ok(account_id);
    }
    let changed = sqlx::query(
        "UPDATE accounts SET email = $1, email_key = $2, email_verified_at = $3 WHERE id = $4",
    )
    .bind(&email)
    .bind(&key)
    .bind(now)
    .bind(account_id)
    .execute(&mut *tx)
    .await;
    match changed {
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
            return Err(AppError::Conflict(
                "Another account has this email address now, so it cannot become yours.".into(),
            ))
        }
        other => other?,
    };
    cancel_open_links(&mut tx, account_id, now).await?;
    // A reset link already in the old mailbox must not reach the account.
    super::reset::cancel_open_links(&mut tx, account_id, now).await?;
    let old = Email::parse(&old_email).map_err(AppError::internal)?;
    events::record(
        &mut tx,
        state.config.base_url(),
        account_id,
        &old,
        SecurityEvent::EmailChanged,
        address,
        now,
    )
    .await?;
    tx.commit().await?;
    state.mail_due.notify_one();
    tracing::info!(account_id, "email changed");
    Ok(account_id)
}

/// Marks the account's current email confirmed (in `tx`), keeping the
/// first time. Also for an accepted invitation, whose link proves the
/// address it reached.
pub async fn mark_confirmed(tx: &mut Connection, account_id: i64, now: Timestamp) -> AppResult<()> {
    sqlx::query(
        "UPDATE accounts SET email_verified_at = COALESCE(email_verified_at, $1) WHERE id = $2",
    )
    .bind(now)
    .bind(account_id)
    .execute(&mut *tx)
    .await?;
    Ok(())
}

/// Ends every open link of the account (in `tx`): after its email changed,
/// and when its password is changed or reset, so that a change of email
/// asked for by someone who had the old password cannot be confirmed.
pub async fn cancel_open_links(
    tx: &mut Connection,
    account_id: i64,
    now: Timestamp,
) -> AppResult<()> {
    sqlx::query(
        "UPDATE email_verifications SET used_at = $1 WHERE account_id = $2 AND used_at IS NULL",
    )
    .bind(now)
    .bind(account_id)
    .execute(&mut *tx)
    .await?;
    Ok(())
}
