//! The POST side of "API keys": create (the new key is shown in the answer
//! to this POST, and never again) and revoke.

use super::operations::{create, revoke};
use super::{ApiKeyForm, RevokeForm};
use crate::auth::Account;
use crate::organizations::Principal;
use crate::server::render::{refused, render_with_context, see_other};
use crate::server::AppState;
use axum::extract::{Path, State};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::Response;
use axum::{Extension, Form};
use serde::Deserialize;

/// The page's two forms, told apart by their `intent`.
#[derive(Deserialize)]
#[serde(tag = "intent", rename_all = "lowercase")]
pub enum ApiKeysForm {
    Create(ApiKeyForm),
    Revoke(RevokeForm),
}

pub async fn api_keys(
    State(state): State<AppState>,
    Extension(account): Extension<Account>,
    Path(org): Path<String>,
    parts: Parts,
    Form(form): Form<ApiKeysForm>,
) -> Response {
    let by = Principal::Person(account);
    match form {
        ApiKeysForm::Create(form) => match create(&state, &by, &org, &form).await {
            // Rendered here, not redirected: the key must not reach a URL.
            Ok(created) => render_with_context(&state, parts, created, StatusCode::CREATED).await,
            Err(error) => refused(&state, parts, error, form).await,
        },
        ApiKeysForm::Revoke(form) => match revoke(&state, &by, &org, &form.key).await {
            Ok(_) => see_other(&format!("/organizations/{org}/api-keys?revoked=1")),
            Err(error) => refused(&state, parts, error, form).await,
        },
    }
}
