//! Accounts: sign-up, log-in, log-out and the server-side session.

#[cfg(feature = "ssr")]
pub mod events;
#[cfg(feature = "ssr")]
pub mod handlers;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod password;
#[cfg(feature = "ssr")]
pub mod reset;
#[cfg(feature = "ssr")]
pub mod session;
#[cfg(feature = "ssr")]
pub mod throttle;
#[cfg(feature = "ssr")]
pub mod two_factor;
#[cfg(feature = "ssr")]
pub mod verify;

use crate::validate::FormField;
use serde::{Deserialize, Serialize};

/// The fields of the log-in and sign-up forms.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuthField {
    Name,
    Email,
    Password,
    /// A two-factor code: six digits from the app, or a recovery code.
    Code,
}

impl FormField for AuthField {
    fn name(self) -> &'static str {
        match self {
            AuthField::Name => "name",
            AuthField::Email => "email",
            AuthField::Password => "password",
            AuthField::Code => "code",
        }
    }
}

/// The log-in form as posted (`name` is empty) and the sign-up form.
/// A refused one goes back to the page with the password emptied
/// ([`Credentials::without_password`]). No `Debug`: it holds a password.
#[derive(Clone, Default, Deserialize)]
pub struct Credentials {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub password: String,
    /// Where to go afterwards: a local path, else ignored.
    pub next: Option<String>,
}

impl Credentials {
    /// What may be shown again: all but the password.
    #[must_use]
    pub fn without_password(self) -> Self {
        Self {
            password: String::new(),
            ..self
        }
    }
}

/// The second step of a log-in with two-factor on: the code, and where to
/// go afterwards. No `Debug`: a code is a secret while it works.
#[derive(Clone, Default, Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    pub code: String,
    pub next: Option<String>,
}

/// "Forgot password?": the address to send a link to.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct ResetRequest {
    #[serde(default)]
    pub email: String,
}

/// The new password posted from a reset link. No `Debug`: it holds a
/// password; a refused one goes back to the page empty.
#[derive(Clone, Default, Deserialize)]
pub struct NewPassword {
    #[serde(default)]
    pub password: String,
}

/// "Confirm" on an email confirmation link's page (the token is in the
/// path).
#[derive(Clone, Copy, Debug, Default, Deserialize)]
pub struct ConfirmEmail;

/// What an email confirmation link confirms, while it works.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerificationLink {
    /// The address it confirms.
    pub email: String,
    /// A change of the account's address (else its own address).
    pub change: bool,
}

/// The email confirmation link behind `token`, while it works; `NotFound`
/// once used, expired or never made.
#[leptos::server(prefix = "/rpc")]
pub async fn fetch_verification_link(
    token: String,
) -> Result<VerificationLink, crate::error::AppError> {
    let state = leptos::prelude::use_context::<crate::server::state::AppState>()
        .ok_or_else(|| crate::error::AppError::internal("AppState missing from context"))?;
    verify::link(&state, &token).await
}

/// Whether the browser's log-in is waiting for its two-factor code (the
/// challenge cookie is live); false for anyone else.
#[leptos::server(prefix = "/rpc")]
pub async fn fetch_login_code_state() -> Result<bool, crate::error::AppError> {
    let state = leptos::prelude::use_context::<crate::server::state::AppState>()
        .ok_or_else(|| crate::error::AppError::internal("AppState missing from context"))?;
    let parts = leptos::prelude::use_context::<axum::http::request::Parts>()
        .ok_or_else(|| crate::error::AppError::internal("request missing from context"))?;
    match two_factor::token_from(&parts.headers) {
        Some(token) => two_factor::challenge_is_live(&state.db, &token, state.clock.now()).await,
        None => Ok(false),
    }
}

/// The email of the account a password reset link is for, while the link
/// works; `NotFound` once it was used, expired or never existed.
#[leptos::server(prefix = "/rpc")]
pub async fn fetch_reset_link(token: String) -> Result<String, crate::error::AppError> {
    let state = leptos::prelude::use_context::<crate::server::state::AppState>()
        .ok_or_else(|| crate::error::AppError::internal("AppState missing from context"))?;
    reset::link_email(&state, &token).await
}

/// The signed-in account of a request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    pub id: i64,
    pub name: String,
    pub email: String,
    /// The email address was confirmed through a link (else every page
    /// shows a banner with "Resend").
    pub email_verified: bool,
    /// The public id of the session the request came with (the Account
    /// page marks it "This browser"); never its token.
    pub session: String,
}

/// The account of the request being rendered; `None` for a visitor.
/// Only the server knows it: islands receive what they need as props.
pub fn current_account() -> Option<Account> {
    #[cfg(feature = "ssr")]
    {
        leptos::prelude::use_context::<axum::http::request::Parts>()?
            .extensions
            .get::<Account>()
            .cloned()
    }
    #[cfg(not(feature = "ssr"))]
    {
        None
    }
}
