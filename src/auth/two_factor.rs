//! Two-factor log-in (issue 17): after the password, a code from an
//! authenticator app (RFC 6238: HMAC-SHA-1, 30-second steps, 6 digits,
//! through `totp-rs`) or one of ten single-use recovery codes.
//!
//! - The shared secret (160 bits, RFC 4226 section 4's recommendation) must
//!   be readable to check a code, so it is stored as base32; it is shown
//!   only during set-up and never logged. Recovery codes and log-in
//!   challenges are stored only as SHA-256.
//! - A code is accepted for the step before, the current one and the one
//!   after (RFC 6238 section 5.2's one step of drift) and only once: the
//!   newest accepted step is stored and a code must be for a later one.
//! - The step between password and code is a challenge (a cookie with a
//!   256-bit token) that lasts [`CHALLENGE_SECS`] and takes
//!   [`ATTEMPTS_PER_CHALLENGE`] codes; wrong codes are also counted per
//!   account, apart from failed passwords, 10 an hour
//!   ([`super::throttle::CODE_FAILURES_PER_ACCOUNT`]).
//! - Turning it on ends every other session of the account (a browser or a
//!   `user/login` key made with the password alone), and asks for the
//!   password as turning it off does.

use super::events::{self, SecurityEvent};
use super::{throttle, AuthField};
use crate::clock::Timestamp;
use crate::error::{AppError, AppResult};
use crate::ids::{new_token, token_hash};
use crate::server::db::{Connection, Db};
use crate::server::state::AppState;
use crate::validate::Email;
use axum::http::{header, HeaderMap, HeaderValue};
use rand::RngCore as _;
use totp_rs::{Builder, Secret, Totp};

/// The name authenticator apps show above the codes.
pub const ISSUER: &str = "Orgpanel";
/// How long the code step of a log-in waits, in seconds.
pub const CHALLENGE_SECS: i64 = 10 * 60;
/// Codes one log-in may try before the password is asked again.
pub const ATTEMPTS_PER_CHALLENGE: i64 = 5;
/// How many recovery codes an account gets, each working once.
pub const RECOVERY_CODES: usize = 10;
/// The cookie of the log-in waiting for its code.
pub const COOKIE_NAME: &str = "orgpanel_login";

/// What set-up shows: the secret as an app can take it, typed or scanned.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Setup {
    /// The secret in base32, in groups of four for typing.
    pub secret: String,
    /// The `otpauth://totp/…` URL the QR code holds.
    pub url: String,
    /// The QR code, as an `<svg>` element.
    pub qr_svg: String,
    /// Names this set-up's secret without telling it (16 hex digits of its
    /// SHA-256): the confirming form sends it back, so a set-up begun again
    /// in another tab is told apart from a wrong code.
    pub fingerprint: String,
}

/// What became of a code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Checked {
    /// A code of the authenticator app, accepted.
    App,
    /// A recovery code, accepted and now used up.
    RecoveryCode,
    /// The app's code of a step already used (RFC 6238 section 5.2: once).
    Replayed,
    /// Neither the app's code now nor an unused recovery code.
    Wrong,
}

impl Checked {
    pub fn accepted(self) -> bool {
        matches!(self, Self::App | Self::RecoveryCode)
    }

    /// Why a code that was not accepted was refused, for the person.
    pub fn refusal(self) -> &'static str {
        if self == Self::Replayed {
            "That code was already used. Wait for the next one: the app shows a new code every 30 seconds."
        } else {
            "That code is wrong or was already used. Enter the code the app shows now."
        }
    }
}

fn fingerprint(secret: &str) -> String {
    token_hash(secret)[..16].to_owned()
}

fn totp(secret: &str, account_name: &str) -> AppResult<Totp> {
    let secret = Secret::try_from_base32(secret).map_err(AppError::internal)?;
    Builder::new()
        .with_secret(secret)
        // otpauth URLs split issuer and name at ':'.
        .with_account_name(account_name.replace(':', " "))
        .with_issuer(Some(ISSUER))
        .build()
        .map_err(AppError::internal)
}

/// The Unix time `now` as the u64 `totp-rs` counts in (0 before 1970).
fn unix(now: Timestamp) -> u64 {
    u64::try_from(now).unwrap_or(0)
}

/// Is two-factor log-in on for the account?
pub async fn is_on(db: &Db, account_id: i64) -> AppResult<bool> {
    let on: Option<i64> = sqlx::query_scalar(
        "SELECT 1 FROM two_factor WHERE account_id = $1 AND enabled_at IS NOT NULL",
    )
    .bind(account_id)
    .fetch_optional(&db.read)
    .await?;
    Ok(on.is_some())
}

/// Starts set-up with a fresh secret (replacing one of an unfinished
/// set-up); `Conflict` when two-factor log-in is already on.
pub async fn begin_setup(db: &Db, account_id: i64, now: Timestamp) -> AppResult<()> {
    let mut bytes = [0u8; 20];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let secret = Secret::from(bytes).to_base32();
    let done = sqlx::query(
        "INSERT INTO two_factor (account_id, secret, created_at) VALUES ($1, $2, $3)
         ON CONFLICT (account_id) DO UPDATE SET secret = excluded.secret,
                created_at = excluded.created_at, last_step = 0
          WHERE two_factor.enabled_at IS NULL",
    )
    .bind(account_id)
    .bind(secret)
    .bind(now)
    .execute(&db.write)
    .await?;
    if done.rows_affected() == 0 {
        return Err(already_on());
    }
    Ok(())
}

fn already_on() -> AppError {
    AppError::Conflict("Two-factor log-in is already on for your account.".into())
}

/// The unfinished set-up of the account, if there is one (`email` names
/// the account in the app).
pub async fn setup(db: &Db, account_id: i64, email: &str) -> AppResult<Option<Setup>> {
    let secret: Option<String> = sqlx::query_scalar(
        "SELECT secret FROM two_factor WHERE account_id = $1 AND enabled_at IS NULL",
    )
    .bind(account_id)
    .fetch_optional(&db.read)
    .await?;
    let Some(secret) = secret else {
        return Ok(None);
    };
    let url = totp(&secret, email)?.to_url().map_err(AppError::internal)?;
    let qr_svg = qrcode::QrCode::new(url.as_bytes())
        .map_err(AppError::internal)?
        .render::<qrcode::render::svg::Color<'_>>()
        .min_dimensions(200, 200)
        .quiet_zone(true)
        .build();
    let grouped = secret
        .as_bytes()
        .chunks(4)
        .map(|group| String::from_utf8_lossy(group).into_owned())
        .collect::<Vec<_>>()
        .join(" ");
    Ok(Some(Setup {
        fingerprint: fingerprint(&secret),
        secret: grouped,
        url,
        qr_svg,
    }))
}

/// Finishes the set-up `setup` names (its [`Setup::fingerprint`]) when
/// `code` is the app's current code: two-factor log-in is on, every session
/// of the account but `keep` ends, and the ten recovery codes (only now in
/// plain text) are returned. The change is a security event, emailed to
/// `to`. The caller checked the password.
pub async fn confirm_setup(
    state: &AppState,
    account_id: i64,
    keep: &str,
    to: &Email,
    setup: &str,
    code: &str,
    address: &str,
) -> AppResult<Vec<String>> {
    let now = state.clock.now();
    let secret: Option<String> = sqlx::query_scalar(
        "SELECT secret FROM two_factor WHERE account_id = $1 AND enabled_at IS NULL",
    )
    .bind(account_id)
    .fetch_optional(&state.db.read)
    .await?;
    let Some(secret) = secret else {
        return Err(if is_on(&state.db, account_id).await? {
            already_on()
        } else {
            AppError::Conflict("Start the set-up again: it was not begun or was replaced.".into())
        });
    };
    if fingerprint(&secret) != setup {
        return Err(AppError::Conflict(
            "The set-up was started again in another tab or window: scan the code shown now, then enter the app's code."
                .into(),
        ));
    }
    let step = totp(&secret, to.as_str())?
        .check(digits(code).as_deref().unwrap_or(""), unix(now))
        .ok_or_else(|| {
            AppError::field(
                AuthField::Code,
                "That is not the code the app shows now. Enter the 6 digits shown for Orgpanel.",
            )
        })?;
    let mut tx = state.db.write.begin().await?;
    // The secret checked is still the one pending: another tab did not
    // replace or finish it meanwhile.
    let done = sqlx::query(
        "UPDATE two_factor SET enabled_at = $1, last_step = $2
          WHERE account_id = $3 AND secret = $4 AND enabled_at IS NULL",
    )
    .bind(now)
    .bind(i64::try_from(step).map_err(AppError::internal)?)
    .bind(account_id)
    .bind(&secret)
    .execute(&mut *tx)
    .await?;
    if done.rows_affected() == 0 {
        return Err(already_on());
    }
    let codes = replace_recovery_codes(&mut tx, account_id).await?;
    // A browser or key made with the password alone would keep the way in
    // this closes (and pass an organization's requirement).
    super::session::end_all_but(&mut tx, account_id, keep).await?;
    events::record(
        &mut tx,
        state.config.base_url(),
        account_id,
        to,
        SecurityEvent::TwoFactorOn,
        address,
        now,
    )
    .await?;
    tx.commit().await?;
    state.mail_due.notify_one();
    tracing::info!(account_id, "two-factor log-in turned on");
    Ok(codes)
}

/// Ten fresh recovery codes for the account (the old ones end): ten
/// lower-case base32 characters each, 50 random bits, shown as `xxxxx-xxxxx`.
async fn replace_recovery_codes(tx: &mut Connection, account_id: i64) -> AppResult<Vec<String>> {
    sqlx::query("DELETE FROM recovery_codes WHERE account_id = $1")
        .bind(account_id)
        .execute(&mut *tx)
        .await?;
    let mut codes = Vec::with_capacity(RECOVERY_CODES);
    for _ in 0..RECOVERY_CODES {
        let id = crate::ids::new_public_id();
        let code = format!("{}-{}", &id[..5], &id[5..10]);
        sqlx::query("INSERT INTO recovery_codes (account_id, code_hash) VALUES ($1, $2)")
            .bind(account_id)
            .bind(token_hash(&recovery_key(&code)))
            .execute(&mut *tx)
            .await?;
        codes.push(code);
    }
    Ok(codes)
}

/// A recovery code as stored (hashed): lower case, without the hyphen or spaces.
fn recovery_key(code: &str) -> String {
    code.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// The six digits of an app code as typed ("123 456" too), if that is what it is.
fn digits(code: &str) -> Option<String> {
    let digits: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    (digits.len() == 6 && digits.bytes().all(|b| b.is_ascii_digit())).then_some(digits)
}

/// Checks `code` for the account (two-factor on): the app's code for a
/// step later than the last one accepted, or an unused recovery code,
/// which is used up. Each acceptance is one conditional write, so two
/// requests with the same code, on one replica or several, cannot both
/// pass.
pub async fn accept_code(
    db: &Db,
    account_id: i64,
    email: &str,
    code: &str,
    now: Timestamp,
) -> AppResult<Checked> {
    if let Some(digits) = digits(code) {
        let secret: Option<String> = sqlx::query_scalar(
            "SELECT secret FROM two_factor WHERE account_id = $1 AND enabled_at IS NOT NULL",
        )
        .bind(account_id)
        .fetch_optional(&db.read)
        .await?;
        let Some(secret) = secret else {
            return Ok(Checked::Wrong);
        };
        let Some(step) = totp(&secret, email)?.check(&digits, unix(now)) else {
            return Ok(Checked::Wrong);
        };
        let done = sqlx::query(
            "UPDATE two_factor SET last_step = $1 WHERE account_id = $2 AND last_step < $3",
        )
        .bind(i64::try_from(step).map_err(AppError::internal)?)
        .bind(account_id)
        .bind(i64::try_from(step).map_err(AppError::internal)?)
        .execute(&db.write)
        .await?;
        return Ok(if done.rows_affected() == 1 {
            Checked::App
        } else {
            Checked::Replayed
        });
    }
    let key = recovery_key(code);
    if key.len() != 10 {
        return Ok(Checked::Wrong);
    }
    let done = sqlx::query(
        "UPDATE recovery_codes SET used_at = $1
          WHERE account_id = $2 AND code_hash = $3 AND used_at IS NULL",
    )
    .bind(now)
    .bind(account_id)
    .bind(token_hash(&key))
    .execute(&db.write)
    .await?;
    Ok(if done.rows_affected() == 1 {
        Checked::RecoveryCode
    } else {
        Checked::Wrong
    })
}

/// [`accept_code`], counted under the account's wrong-code limit
/// ([`throttle::begin_code_attempt`]: `TooManyRequests` past it, from the
/// client `address` too) before the code is checked, and taken back when
/// it is accepted. The one way the log-in page, `user/login` and turning
/// it off check a code.
pub async fn check_counted(
    db: &Db,
    account_id: i64,
    email: &str,
    email_key: &str,
    code: &str,
    address: &str,
    now: Timestamp,
) -> AppResult<Checked> {
    let attempt = throttle::begin_code_attempt(db, email_key, address, now).await?;
    let checked = accept_code(db, account_id, email, code, now).await?;
    if checked.accepted() {
        throttle::forgive(db, attempt).await?;
    }
    Ok(checked)
}

/// How many recovery codes the account has left.
pub async fn recovery_codes_left(db: &Db, account_id: i64) -> AppResult<i64> {
    Ok(sqlx::query_scalar(
        "SELECT count(*) FROM recovery_codes WHERE account_id = $1 AND used_at IS NULL",
    )
    .bind(account_id)
    .fetch_one(&db.read)
    .await?)
}

/// Turns two-factor log-in off (in `tx`): the secret and the recovery
/// codes are deleted. The caller checked the password and a code.
pub async fn turn_off(tx: &mut Connection, account_id: i64) -> AppResult<()> {
    sqlx::query("DELETE FROM two_factor WHERE account_id = $1")
        .bind(account_id)
        .execute(&mut *tx)
        .await?;
    sqlx::query("DELETE FROM recovery_codes WHERE account_id = $1")
        .bind(account_id)
        .execute(&mut *tx)
        .await?;
    Ok(())
}

/// Starts the code step of a log-in whose password was right; returns the
/// challenge's token for [`set_cookie`].
pub async fn start_challenge(db: &Db, account_id: i64, now: Timestamp) -> AppResult<String> {
    let token = new_token();
    sqlx::query("DELETE FROM login_challenges WHERE created_at <= $1")
        .bind(now - CHALLENGE_SECS)
        .execute(&db.write)
        .await?;
    sqlx::query(
        "INSERT INTO login_challenges (token_hash, account_id, created_at) VALUES ($1, $2, $3)",
    )
    .bind(token_hash(&token))
    .bind(account_id)
    .bind(now)
    .execute(&db.write)
    .await?;
    Ok(token)
}

/// Is the challenge `token` still waiting for its code?
pub async fn challenge_is_live(db: &Db, token: &str, now: Timestamp) -> AppResult<bool> {
    let live: Option<i64> = sqlx::query_scalar(
        "SELECT 1 FROM login_challenges WHERE token_hash = $1 AND created_at > $2 AND attempts < $3",
    )
    .bind(token_hash(token))
    .bind(now - CHALLENGE_SECS)
    .bind(ATTEMPTS_PER_CHALLENGE)
    .fetch_optional(&db.read)
    .await?;
    Ok(live.is_some())
}

fn log_in_again(why: &str) -> AppError {
    AppError::field(
        AuthField::Code,
        format!("{why} Log in again with your password."),
    )
}

/// Answers the challenge `token` with `code` from the client `address`:
/// the account id, and the challenge ends. A wrong code counts against the
/// challenge and as a failed log-in of the account; a recovery code used
/// is a security event.
pub async fn answer_challenge(
    state: &AppState,
    token: &str,
    code: &str,
    address: &str,
) -> AppResult<i64> {
    /// A challenge and its account.
    #[derive(sqlx::FromRow)]
    struct Row {
        account_id: i64,
        email: String,
        email_key: String,
    }
    let now = state.clock.now();
    if code.trim().is_empty() {
        return Err(AppError::field(
            AuthField::Code,
            "Enter the code from your authenticator app.",
        ));
    }
    let hash = token_hash(token);
    // Counted before the code is checked, so a burst cannot pass the limit.
    let counted = sqlx::query(
        "UPDATE login_challenges SET attempts = attempts + 1
          WHERE token_hash = $1 AND created_at > $2 AND attempts < $3",
    )
    .bind(&hash)
    .bind(now - CHALLENGE_SECS)
    .bind(ATTEMPTS_PER_CHALLENGE)
    .execute(&state.db.write)
    .await?;
    if counted.rows_affected() == 0 {
        return Err(log_in_again(
            "This log-in has expired or had too many wrong codes.",
        ));
    }
    let row: Row = sqlx::query_as(
        "SELECT c.account_id, a.email, a.email_key
           FROM login_challenges c JOIN accounts a ON a.id = c.account_id
          WHERE c.token_hash = $1",
    )
    .bind(&hash)
    .fetch_optional(&state.db.write)
    .await?
    .ok_or_else(|| log_in_again("This log-in has ended."))?;
    let checked = check_counted(
        &state.db,
        row.account_id,
        &row.email,
        &row.email_key,
        code,
        address,
        now,
    )
    .await?;
    if !checked.accepted() {
        tracing::info!(%address, "two-factor code refused");
        return Err(AppError::field(AuthField::Code, checked.refusal()));
    }
    let mut tx = state.db.write.begin().await?;
    let ended = sqlx::query("DELETE FROM login_challenges WHERE token_hash = $1")
        .bind(&hash)
        .execute(&mut *tx)
        .await?;
    if ended.rows_affected() == 0 {
        // The same challenge answered twice at once: one log-in is enough.
        return Err(log_in_again("This log-in has ended."));
    }
    if checked == Checked::RecoveryCode {
        recovery_code_used(state, &mut tx, row.account_id, &row.email, address, now).await?;
    }
    tx.commit().await?;
    Ok(row.account_id)
}

/// Records (in `tx`) that the account logged in with a recovery code.
pub async fn recovery_code_used(
    state: &AppState,
    tx: &mut Connection,
    account_id: i64,
    email: &str,
    address: &str,
    now: Timestamp,
) -> AppResult<()> {
    let to = Email::parse(email).map_err(AppError::internal)?;
    events::record(
        tx,
        state.config.base_url(),
        account_id,
        &to,
        SecurityEvent::RecoveryCodeUsed,
        address,
        now,
    )
    .await?;
    state.mail_due.notify_one();
    Ok(())
}

/// The challenge token the browser sent, if any.
pub fn token_from(headers: &HeaderMap) -> Option<String> {
    super::session::cookie_from(headers, COOKIE_NAME)
}

/// The `Set-Cookie` of a log-in waiting for its code.
///
/// # Panics
/// Never: a token is base64url, which is always a valid header value.
pub fn set_cookie(token: &str, secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{COOKIE_NAME}={token}; Path=/login; HttpOnly; SameSite=Lax; Max-Age={CHALLENGE_SECS}{secure}"
    ))
    .expect("a base64url token makes a valid header")
}

/// The `Set-Cookie` that forgets the challenge.
///
/// # Panics
/// Never: the value is a constant.
pub fn clear_cookie(secure: bool) -> HeaderValue {
    let secure = if secure { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{COOKIE_NAME}=; Path=/login; HttpOnly; SameSite=Lax; Max-Age=0{secure}"
    ))
    .expect("a constant cookie is a valid header")
}

/// Adds the challenge cookie's removal to a response.
pub fn forget(headers: &mut HeaderMap, secure: bool) {
    headers.append(header::SET_COOKIE, clear_cookie(secure));
}

#[cfg(test)]
mod tests {
    use super::{digits, recovery_key, totp};

    #[test]
    fn codes_are_read_as_people_type_them() {
        assert_eq!(digits("123 456").as_deref(), Some("123456"));
        assert_eq!(digits(" 123456 ").as_deref(), Some("123456"));
        assert_eq!(digits("12345"), None);
        assert_eq!(digits("12345a"), None);
        assert_eq!(recovery_key("ABCDE-fghij"), "abcdefghij");
        assert_eq!(recovery_key(" abcde fghij "), "abcdefghij");
    }

    /// RFC 6238 appendix B's SHA-1 vectors (the 6 low digits of each).
    #[test]
    fn codes_match_rfc_6238() {
        // "12345678901234567890" in base32.
        let totp = totp("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", "test@example.com").unwrap();
        for (time, code) in [
            (59, "287082"),
            (1_111_111_109, "081804"),
            (1_234_567_890, "005924"),
            (2_000_000_000, "279037"),
        ] {
            assert_eq!(totp.generate(time).to_string(), code, "at {time}");
        }
    }
}
