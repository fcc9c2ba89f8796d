//! What the Account page does, for the signed-in account only: there is no
//! organization here, so no role; the session decides whose account it is.

use super::{describe_user_agent, AccountField, AccountView, EventView, SessionView};
use crate::auth::events::{self, SecurityEvent};
use crate::auth::{password, session, Account};
use crate::clock::format_utc;
use crate::error::{AppError, AppResult};
use crate::server::{AppState, Client};
use crate::validate::{Email, Password, PersonName};

/// The page's data: name, email, live sessions (this one marked) and the
/// newest security events.
pub async fn view(state: &AppState, account: &Account) -> AppResult<AccountView> {
    let now = state.clock.now();
    let mut sessions: Vec<SessionView> = session::list(&state.db, account.id, now)
        .await?
        .into_iter()
        .map(|s| {
            let program = describe_user_agent(&s.user_agent);
            SessionView {
                current: s.public_id == account.session,
                client: if s.kind == "api" {
                    format!("API (user/login): {program}")
                } else {
                    program
                },
                public_id: s.public_id,
                user_agent: s.user_agent,
                address: s.address,
                started: format_utc(s.created_at),
                last_used: format_utc(s.last_seen_at),
            }
        })
        .collect();
    // This browser first, then the most recently used.
    sessions.sort_by_key(|s| !s.current);
    let events = events::recent(&state.db, account.id)
        .await?
        .into_iter()
        .map(|e| EventView {
            at: format_utc(e.at),
            what: e.event.description().to_owned(),
            address: e.address,
        })
        .collect();
    Ok(AccountView {
        name: account.name.clone(),
        email: account.email.clone(),
        sessions,
        events,
    })
}

/// Sets the account's name (the sign-up rules).
pub async fn change_name(state: &AppState, account: &Account, name: &str) -> AppResult<()> {
    let name = PersonName::parse(name).map_err(|m| AppError::field(AccountField::Name, m))?;
    sqlx::query("UPDATE accounts SET name = $1 WHERE id = $2")
        .bind(name.as_str())
        .bind(account.id)
        .execute(&state.db.write)
        .await?;
    Ok(())
}

/// Sets a new password (the sign-up rules) when `current` is the account's
/// password; a wrong one is counted like a failed log-in (the same limits,
/// so this form is no way around them). Every other session and every
/// open reset link of the account ends; the change is a security event.
pub async fn change_password(
    state: &AppState,
    account: &Account,
    client: &Client,
    current: &str,
    new: &str,
) -> AppResult<()> {
    if current.is_empty() {
        return Err(AppError::field(
            AccountField::CurrentPassword,
            "Enter your current password.",
        ));
    }
    let new = Password::parse(new).map_err(|m| AppError::field(AccountField::NewPassword, m))?;
    crate::auth::handlers::check_login(state, &account.email, current, &client.address)
        .await
        .map_err(|error| match error {
            AppError::BadCredentials => AppError::field(
                AccountField::CurrentPassword,
                "That is not your current password.",
            ),
            other => other,
        })?;
    let hash = password::hash(new.expose().to_owned()).await?;
    let now = state.clock.now();
    let to = Email::parse(&account.email).map_err(AppError::internal)?;
    let mut tx = state.db.write.begin().await?;
    sqlx::query("UPDATE accounts SET password_hash = $1 WHERE id = $2")
        .bind(hash)
        .bind(account.id)
        .execute(&mut *tx)
        .await?;
    session::end_all_but(&mut tx, account.id, &account.session).await?;
    sqlx::query(
        "UPDATE password_resets SET used_at = $1 WHERE account_id = $2 AND used_at IS NULL",
    )
    .bind(now)
    .bind(account.id)
    .execute(&mut *tx)
    .await?;
    events::record(
        &mut tx,
        state.config.base_url(),
        account.id,
        &to,
        SecurityEvent::PasswordChanged,
        &client.address,
        now,
    )
    .await?;
    tx.commit().await?;
    state.mail_due.notify_one();
    tracing::info!(account_id = account.id, "password changed");
    Ok(())
}

/// Logs out the account's session `public_id`. One already ended (another
/// tab did it) is no error; this browser's own session is ended with "Log
/// out", not here.
pub async fn end_session(
    state: &AppState,
    account: &Account,
    client: &Client,
    public_id: &str,
) -> AppResult<()> {
    if public_id == account.session {
        return Err(AppError::BadRequest(
            "That is this browser's session: use Log out.".into(),
        ));
    }
    let now = state.clock.now();
    let to = Email::parse(&account.email).map_err(AppError::internal)?;
    let mut tx = state.db.write.begin().await?;
    if session::end(&mut tx, account.id, public_id).await? {
        events::record(
            &mut tx,
            state.config.base_url(),
            account.id,
            &to,
            SecurityEvent::SessionEnded,
            &client.address,
            now,
        )
        .await?;
        tx.commit().await?;
        state.mail_due.notify_one();
    }
    Ok(())
}

/// "Log out everywhere else": every session of the account but this one.
pub async fn end_other_sessions(
    state: &AppState,
    account: &Account,
    client: &Client,
) -> AppResult<()> {
    let now = state.clock.now();
    let to = Email::parse(&account.email).map_err(AppError::internal)?;
    let mut tx = state.db.write.begin().await?;
    if session::end_all_but(&mut tx, account.id, &account.session).await? > 0 {
        events::record(
            &mut tx,
            state.config.base_url(),
            account.id,
            &to,
            SecurityEvent::OtherSessionsEnded,
            &client.address,
            now,
        )
        .await?;
        tx.commit().await?;
        state.mail_due.notify_one();
    }
    Ok(())
}
