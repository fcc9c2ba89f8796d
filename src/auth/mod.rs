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

use serde::{Deserialize, Serialize};

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
