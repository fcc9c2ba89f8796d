//! The POST side of Services: create and delete.

use super::{store, DeleteService, ServiceForm};
use crate::auth::Account;
use crate::error::{AppError, AppResult};
use crate::organizations::{gate::authorize, Action};
use crate::server::render::{refused, see_other};
use crate::server::AppState;
use axum::extract::{Path, State};
use axum::http::request::Parts;
use axum::response::Response;
use axum::{Extension, Form};
use serde::Deserialize;

/// The Services page's two forms, told apart by their `intent`.
#[derive(Deserialize)]
#[serde(tag = "intent", rename_all = "lowercase")]
pub enum ServicesForm {
    Create(ServiceForm),
    Delete(DeleteService),
}

pub async fn services(
    State(state): State<AppState>,
    Extension(account): Extension<Account>,
    Path(org): Path<String>,
    parts: Parts,
    Form(form): Form<ServicesForm>,
) -> Response {
    let page = format!("/organizations/{org}/services");
    match form {
        ServicesForm::Create(form) => match create(&state, &account, &org, &form).await {
            Ok(name) => see_other(&format!("{page}?created={name}")),
            Err(error) => refused(&state, parts, error, form).await,
        },
        ServicesForm::Delete(form) => match delete(&state, &account, &org, &form.service).await {
            Ok(name) => see_other(&format!("{page}?deleted={name}")),
            Err(error) => refused(&state, parts, error, form).await,
        },
    }
}

/// Returns the new service's name.
async fn create(
    state: &AppState,
    account: &Account,
    org: &str,
    form: &ServiceForm,
) -> AppResult<String> {
    let access = authorize(&state.db, account.id, org, Action::ManageServices).await?;
    let service = form.parse().map_err(AppError::Invalid)?;
    store::create(&state.db, &access, account.id, &service, state.clock.now()).await?;
    Ok(service.name.to_string())
}

/// Returns the deleted service's name.
async fn delete(
    state: &AppState,
    account: &Account,
    org: &str,
    service: &str,
) -> AppResult<String> {
    let access = authorize(&state.db, account.id, org, Action::ManageServices).await?;
    store::delete(&state.db, &access, account.id, service, state.clock.now()).await
}
