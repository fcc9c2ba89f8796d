//! What the Account page does, for the signed-in account only: there is no
//! organization here, so no role; the session decides whose account it is.

use super::{
    describe_user_agent, AccountField, AccountView, EventView, SessionView, SetupView,
    TwoFactorView,
};
use crate::auth::events::{self, SecurityEvent};
use crate::auth::two_factor;
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
        email_verified: account.email_verified,
        two_factor: two_factor_view(state, account).await?,
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
    let new = Password::parse(new).map_err(|m| AppError::field(AccountField::NewPassword, m))?;
    check_current_password(
        state,
        account,
        client,
        current,
        AccountField::CurrentPassword,
    )
    .await?;
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
    crate::auth::verify::cancel_open_links(&mut tx, account.id, now).await?;
    crate::auth::reset::cancel_open_links(&mut tx, account.id, now).await?;
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

/// Logs out the account's session `public_id`; false when the account has
/// no such session (another tab ended it already). This browser's own
/// session is ended with "Log out", not here.
pub async fn end_session(
    state: &AppState,
    account: &Account,
    client: &Client,
    public_id: &str,
) -> AppResult<bool> {
    if public_id == account.session {
        return Err(AppError::BadRequest(
            "That is this browser's session: use Log out.".into(),
        ));
    }
    let now = state.clock.now();
    let to = Email::parse(&account.email).map_err(AppError::internal)?;
    let mut tx = state.db.write.begin().await?;
    if !session::end(&mut tx, account.id, public_id).await? {
        return Ok(false);
    }
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
    Ok(true)
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

/// "Change email": when `current` is the password, sends a link to
/// `new_email`; the change takes effect when it is followed
/// ([`crate::auth::verify::confirm`]). Refused: an address that is not one,
/// the account's own, another account's, a wrong password (counted like a
/// failed log-in), more than [`crate::auth::verify::LINKS_PER_ACCOUNT`].
pub async fn request_email_change(
    state: &AppState,
    account: &Account,
    client: &Client,
    new_email: &str,
    current: &str,
) -> AppResult<()> {
    let new_email =
        Email::parse(new_email).map_err(|m| AppError::field(AccountField::NewEmail, m))?;
    if Email::parse(&account.email).is_ok_and(|own| own.key() == new_email.key()) {
        return Err(AppError::field(
            AccountField::NewEmail,
            "That is already your email address.",
        ));
    }
    check_current_password(state, account, client, current, AccountField::Password).await?;
    let taken: Option<i64> = sqlx::query_scalar("SELECT id FROM accounts WHERE email_key = $1")
        .bind(new_email.key())
        .fetch_optional(&state.db.read)
        .await?;
    if taken.is_some() {
        return Err(AppError::field(
            AccountField::NewEmail,
            "Another account has this email address.",
        ));
    }
    let now = state.clock.now();
    let current = Email::parse(&account.email).map_err(AppError::internal)?;
    let mut tx = state.db.write.begin().await?;
    crate::auth::verify::send_link(
        &mut tx,
        state.config.base_url(),
        account.id,
        &new_email,
        true,
        now,
    )
    .await?;
    // Told now, not only once it is done: a change asked for with a stolen
    // password is cancelled by a new password before its link is followed.
    let body = format!(
        "Someone with your password asked to change the email of your Orgpanel account to \
         {new_email}. It changes only when the link sent there is followed.\n\n\
         If this was not you, set a new password at once at {}/forgot-password: that cancels \
         the change and logs out every session.\n",
        state.config.base_url()
    );
    crate::mail::enqueue(
        &mut tx,
        &current,
        "A change of your Orgpanel email address was asked for",
        &body,
        now,
    )
    .await?;
    tx.commit().await?;
    state.mail_due.notify_one();
    Ok(())
}

/// `current` is the account's password (else an error on `field`); a wrong one is counted like a
/// failed log-in (the same limits: these forms are no way around them).
async fn check_current_password(
    state: &AppState,
    account: &Account,
    client: &Client,
    current: &str,
    field: AccountField,
) -> AppResult<()> {
    if current.is_empty() {
        return Err(AppError::field(field, "Enter your current password."));
    }
    crate::auth::handlers::check_login(state, &account.email, current, &client.address)
        .await
        .map(|_| ())
        .map_err(|error| match error {
            AppError::BadCredentials => {
                AppError::field(field, "That is not your current password.")
            }
            other => other,
        })
}

async fn two_factor_view(state: &AppState, account: &Account) -> AppResult<TwoFactorView> {
    let db = &state.db;
    let on_since: Option<Option<crate::clock::Timestamp>> =
        sqlx::query_scalar("SELECT enabled_at FROM two_factor WHERE account_id = $1")
            .bind(account.id)
            .fetch_optional(&db.read)
            .await?;
    let on_since = on_since.flatten();
    let setup = if on_since.is_none() {
        two_factor::setup(db, account.id, &account.email)
            .await?
            .map(|setup| SetupView {
                secret: setup.secret,
                qr_svg: setup.qr_svg,
                fingerprint: setup.fingerprint,
            })
    } else {
        None
    };
    // Plain SQL, not the organizations feature (a layer above this one):
    // only the names, for a warning before turning it off.
    let required_by: Vec<String> = sqlx::query_scalar(
        "SELECT o.name FROM organizations o JOIN memberships m ON m.organization_id = o.id
          WHERE m.account_id = $1 AND o.require_two_factor = 1 AND o.deleted_at IS NULL
          ORDER BY o.name LIMIT 20",
    )
    .bind(account.id)
    .fetch_all(&db.read)
    .await?;
    Ok(TwoFactorView {
        on_since: on_since.map(format_utc),
        recovery_codes_left: two_factor::recovery_codes_left(db, account.id).await?,
        setup,
        required_by,
    })
}

/// "Set up two-factor log-in": a fresh secret to scan (replacing that of
/// an unfinished set-up); `Conflict` when it is already on.
pub async fn begin_two_factor(state: &AppState, account: &Account) -> AppResult<()> {
    two_factor::begin_setup(&state.db, account.id, state.clock.now()).await
}

/// Finishes the set-up `setup` (the fingerprint the page showed) with the
/// password and the app's current `code`: two-factor log-in is on, every
/// other session ends, and the ten recovery codes are returned to be shown
/// once. The password is asked so that a session left open somewhere
/// cannot lock its owner out.
pub async fn confirm_two_factor(
    state: &AppState,
    account: &Account,
    client: &Client,
    password: &str,
    setup: &str,
    code: &str,
) -> AppResult<Vec<String>> {
    if code.trim().is_empty() {
        return Err(AppError::field(
            AccountField::Code,
            "Enter the 6-digit code the app shows for Orgpanel.",
        ));
    }
    check_current_password(state, account, client, password, AccountField::Password).await?;
    let to = Email::parse(&account.email).map_err(AppError::internal)?;
    two_factor::confirm_setup(
        state,
        account.id,
        &account.session,
        &to,
        setup,
        code,
        &client.address,
    )
    .await
    .map_err(|error| match error {
        AppError::Invalid(_) => AppError::field(
            AccountField::Code,
            error
                .field_message(crate::auth::AuthField::Code)
                .unwrap_or_default(),
        ),
        other => other,
    })
}

/// "Turn off two-factor log-in", with the password and a code of the app
/// (or a recovery code): a wrong password or code counts as a failed
/// log-in, so that a stolen session cannot turn it off by guessing.
pub async fn turn_off_two_factor(
    state: &AppState,
    account: &Account,
    client: &Client,
    password: &str,
    code: &str,
) -> AppResult<()> {
    if code.trim().is_empty() {
        return Err(AppError::field(
            AccountField::Code,
            "Enter the code your authenticator app shows now, or a recovery code.",
        ));
    }
    check_current_password(state, account, client, password, AccountField::Password).await?;
    let now = state.clock.now();
    let email = Email::parse(&account.email).map_err(AppError::internal)?;
    let checked = two_factor::check_counted(
        &state.db,
        account.id,
        &account.email,
        &email.key(),
        code,
        &client.address,
        now,
    )
    .await?;
    if !checked.accepted() {
        return Err(AppError::field(AccountField::Code, checked.refusal()));
    }
    let mut tx = state.db.write.begin().await?;
    two_factor::turn_off(&mut tx, account.id).await?;
    events::record(
        &mut tx,
        state.config.base_url(),
        account.id,
        &email,
        SecurityEvent::TwoFactorOff,
        &client.address,
        now,
    )
    .await?;
    tx.commit().await?;
    state.mail_due.notify_one();
    tracing::info!(account_id = account.id, "two-factor log-in turned off");
    Ok(())
}
