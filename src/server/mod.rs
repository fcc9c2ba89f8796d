//! Infrastructure every feature uses, knowing none of them: configuration,
//! the database, the page renderer, security headers, error pages and the
//! one rate limit. The composition of it all is `crate::startup`.

pub mod assets;
pub mod client;
pub mod config;
pub mod db;
pub mod failures;
pub mod rate_limit;
pub mod render;
pub mod security;
pub mod state;

use axum::{middleware, Router};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::limit::RequestBodyLimitLayer;

pub use self::{client::Client, config::Config, db::Db, state::AppState};

/// Paths whose last segment is a secret (an invitation's token, a password
/// reset link's, an email verification link's): logged without it.
const SECRET_PATHS: [&str; 3] = ["/invitations/", "/reset-password/", "/verify-email/"];

/// `path` as it may be logged: a token in it replaced by `…`.
pub fn loggable_path(path: &str) -> std::borrow::Cow<'_, str> {
    match SECRET_PATHS
        .iter()
        .find(|prefix| path.starts_with(**prefix))
    {
        Some(prefix) => format!("{prefix}…").into(),
        None => path.into(),
    }
}

/// Forms are small; anything larger is refused before it is read.
const MAX_BODY_BYTES: usize = 64 * 1024;

/// Panics, bodies that are refused before they are read (too large,
/// malformed) and errors answered as plain text become the panel's error
/// page with their status; nothing drops the connection.
pub fn with_error_pages(app: Router<AppState>, state: &AppState) -> Router<AppState> {
    app.layer(CatchPanicLayer::custom(failures::panic_response))
        .layer(RequestBodyLimitLayer::new(MAX_BODY_BYTES))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            failures::error_pages,
        ))
}
