//! The POST side of Services: create and delete.

use super::operations::{create, delete};
use super::{DeleteService, ServiceForm};
use crate::auth::Account;
use crate::organizations::Principal;
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
    let by = Principal::Person(account);
    match form {
        ServicesForm::Create(form) => match create(&state, &by, &org, &form).await {
            Ok(service) => see_other(&format!("{page}?created={}", service.name)),
            Err(error) => refused(&state, parts, error, form).await,
        },
        ServicesForm::Delete(form) => match delete(&state, &by, &org, &form.service).await {
            Ok(name) => see_other(&format!("{page}?deleted={name}")),
            Err(error) => refused(&state, parts, error, form).await,
        },
    }
}
