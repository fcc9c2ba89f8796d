//! Security events (issue 17): what changed how an account is protected.
//! Each is recorded for the Account page's "Security events" and emailed to
//! the account in the same transaction as the change, so that a person whose
//! password was taken hears of what the taker did.

use crate::clock::{format_utc, Timestamp};
use crate::error::AppResult;
use crate::server::db::{Connection, Db};
use crate::validate::Email;

/// How many events the Account page shows, newest first.
pub const SHOWN: i64 = 10;

/// A change to how an account is protected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SecurityEvent {
    /// Changed on the Account page, the current password given.
    PasswordChanged,
    /// Set through an emailed reset link.
    PasswordReset,
    /// The account's email changed to a confirmed new address (told to
    /// the old one).
    EmailChanged,
    /// One session logged out from the Account page.
    SessionEnded,
    /// "Log out everywhere else".
    OtherSessionsEnded,
    /// Two-factor log-in turned on (a code from the app confirmed).
    TwoFactorOn,
    /// Two-factor log-in turned off (password and a code given).
    TwoFactorOff,
    /// A log-in with one of the recovery codes instead of the app's code.
    RecoveryCodeUsed,
}

impl SecurityEvent {
    /// As stored in `security_events.kind`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::PasswordChanged => "password_changed",
            Self::PasswordReset => "password_reset",
            Self::EmailChanged => "email_changed",
            Self::SessionEnded => "session_ended",
            Self::OtherSessionsEnded => "other_sessions_ended",
            Self::TwoFactorOn => "two_factor_on",
            Self::TwoFactorOff => "two_factor_off",
            Self::RecoveryCodeUsed => "recovery_code_used",
        }
    }

    fn parse(kind: &str) -> Option<Self> {
        [
            Self::PasswordChanged,
            Self::PasswordReset,
            Self::EmailChanged,
            Self::SessionEnded,
            Self::OtherSessionsEnded,
            Self::TwoFactorOn,
            Self::TwoFactorOff,
            Self::RecoveryCodeUsed,
        ]
        .into_iter()
        .find(|event| event.as_str() == kind)
    }

    /// The line on the Account page.
    pub fn description(self) -> &'static str {
        match self {
            Self::PasswordChanged => "Password changed",
            Self::PasswordReset => "Password reset through an emailed link",
            Self::EmailChanged => "Email address changed",
            Self::SessionEnded => "A session was logged out",
            Self::OtherSessionsEnded => "Every other session was logged out",
            Self::TwoFactorOn => "Two-factor log-in turned on",
            Self::TwoFactorOff => "Two-factor log-in turned off",
            Self::RecoveryCodeUsed => "Logged in with a recovery code",
        }
    }

    /// The email's subject and what happened, in a sentence.
    fn email(self) -> (&'static str, &'static str) {
        match self {
            Self::PasswordChanged => (
                "Your Orgpanel password was changed",
                "The password of your Orgpanel account was changed on the Account page. \
                 Every other browser and API session of the account was logged out.",
            ),
            Self::PasswordReset => (
                "Your Orgpanel password was changed",
                "The password of your Orgpanel account was changed through a reset link, \
                 and every other browser and API session of the account was logged out.",
            ),
            Self::EmailChanged => (
                "The email address of your Orgpanel account was changed",
                "The email address of your Orgpanel account was changed, after the new address \
                 was confirmed. Emails about the account go to the new address from now on, \
                 and this address no longer logs in.",
            ),
            Self::SessionEnded => (
                "A session of your Orgpanel account was logged out",
                "A session of your Orgpanel account was logged out from the Account page.",
            ),
            Self::OtherSessionsEnded => (
                "Your Orgpanel account was logged out everywhere else",
                "Every session of your Orgpanel account but one was logged out from the Account page.",
            ),
            Self::TwoFactorOn => (
                "Two-factor log-in is on for your Orgpanel account",
                "Two-factor log-in was turned on for your Orgpanel account: logging in now asks \
                 for a code from the authenticator app after the password.",
            ),
            Self::TwoFactorOff => (
                "Two-factor log-in is off for your Orgpanel account",
                "Two-factor log-in was turned off for your Orgpanel account: the password alone \
                 logs in again.",
            ),
            Self::RecoveryCodeUsed => (
                "A recovery code of your Orgpanel account was used",
                "Your Orgpanel account was logged in with one of its recovery codes instead of a \
                 code from the authenticator app. That code no longer works.",
            ),
        }
    }
}

/// Records `event` of the account `account_id` (whose email is `to`) from
/// the client `address`, and queues the email telling it, both in `tx`.
/// `base_url` is the panel's public address, for the way back in.
pub async fn record(
    tx: &mut Connection,
    base_url: &str,
    account_id: i64,
    to: &Email,
    event: SecurityEvent,
    address: &str,
    now: Timestamp,
) -> AppResult<()> {
    sqlx::query(
        "INSERT INTO security_events (account_id, kind, address, at) VALUES ($1, $2, $3, $4)",
    )
    .bind(account_id)
    .bind(event.as_str())
    .bind(address)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    let (subject, what) = event.email();
    let advice = if matches!(
        event,
        SecurityEvent::EmailChanged | SecurityEvent::TwoFactorOn
    ) {
        // A reset link cannot undo these: the address is gone, or the
        // log-in now needs a phone that is not the owner's.
        "If this was not you, reply to this email at once: someone who knew your password has \
         taken the account, and only we can give it back."
            .to_owned()
    } else {
        format!(
            "If it was not, set a new password at once at {base_url}/forgot-password (it logs out \
             every session and cancels a change of email not yet confirmed), then review your \
             account at {base_url}/account."
        )
    };
    let body = format!(
        "{what}\n\nWhen: {}\nFrom: {address}\n\nIf this was you, there is nothing to do. {advice}\n",
        format_utc(now)
    );
    crate::mail::enqueue(tx, to, subject, &body, now).await
}

/// A recorded event as the Account page shows it.
#[derive(Debug)]
pub struct Recorded {
    pub event: SecurityEvent,
    pub address: String,
    pub at: Timestamp,
}

/// The account's newest [`SHOWN`] events, newest first.
pub async fn recent(db: &Db, account_id: i64) -> AppResult<Vec<Recorded>> {
    let rows: Vec<(String, String, Timestamp)> = sqlx::query_as(
        "SELECT kind, address, at FROM security_events WHERE account_id = $1
          ORDER BY at DESC, id DESC LIMIT $2",
    )
    .bind(account_id)
    .bind(SHOWN)
    .fetch_all(&db.read)
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(kind, address, at)| {
            // A kind from a newer release (rolling upgrade) is skipped.
            SecurityEvent::parse(&kind).map(|event| Recorded { event, address, at })
        })
        .collect())
}
