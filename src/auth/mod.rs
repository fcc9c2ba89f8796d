//! Accounts: sign-up, log-in, log-out and the server-side session.

#[cfg(feature = "ssr")]
pub mod handlers;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod password;
#[cfg(feature = "ssr")]
pub mod session;
#[cfg(feature = "ssr")]
pub mod throttle;

use crate::validate::FormField;
use serde::{Deserialize, Serialize};

/// The fields of the log-in and sign-up forms.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AuthField {
    Name,
    Email,
    Password,
}

impl FormField for AuthField {
    fn name(self) -> &'static str {
        match self {
            AuthField::Name => "name",
            AuthField::Email => "email",
            AuthField::Password => "password",
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

/// The signed-in account of a request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    pub id: i64,
    pub name: String,
    pub email: String,
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
