//! The POST side of the Settings page: one form per intent (company
//! information, rename, delete), each refused beside its own fields.

use super::operations::delete;
use super::{DeleteForm, TwoFactorRequiredForm};
use crate::auth::Account;
use crate::company::CompanySave;
use crate::organizations::{NameForm, Principal};
use crate::server::render::{refused, see_other};
use crate::server::AppState;
use axum::extract::{Path, State};
use axum::http::request::Parts;
use axum::response::Response;
use axum::{Extension, Form};
use serde::Deserialize;

/// The Settings page's three forms, told apart by their `intent`.
#[derive(Deserialize)]
#[serde(tag = "intent", rename_all = "lowercase")]
pub enum SettingsForm {
    Rename(NameForm),
    Delete(DeleteForm),
    Company(Box<CompanySave>),
    #[serde(rename = "two-factor")]
    TwoFactor(TwoFactorRequiredForm),
}

pub async fn settings(
    State(state): State<AppState>,
    Extension(account): Extension<Account>,
    Path(org): Path<String>,
    parts: Parts,
    Form(form): Form<SettingsForm>,
) -> Response {
    let by = Principal::Person(account);
    match form {
        SettingsForm::Rename(form) => {
            match crate::organizations::operations::rename(&state, &by, &org, &form.name).await {
                Ok(()) => see_other(&format!("/organizations/{org}/settings?renamed=1")),
                Err(error) => refused(&state, parts, error, form).await,
            }
        }
        SettingsForm::Company(form) => {
            match crate::company::operations::save(&state, &by, &org, &form).await {
                Ok(()) => see_other(&format!("/organizations/{org}/settings?saved=1")),
                Err(error) => refused(&state, parts, error, *form).await,
            }
        }
        SettingsForm::TwoFactor(form) => {
            let result = match form.required.as_str() {
                "yes" | "no" => {
                    crate::organizations::operations::set_two_factor_required(
                        &state,
                        &by,
                        &org,
                        form.required == "yes",
                    )
                    .await
                }
                _ => Err(crate::error::AppError::BadRequest(
                    "required is yes or no.".into(),
                )),
            };
            match result {
                Ok(()) => see_other(&format!(
                    "/organizations/{org}/settings?security=1#two-factor"
                )),
                Err(error) => refused(&state, parts, error, form).await,
            }
        }
        SettingsForm::Delete(form) => match delete(&state, &by, &org, &form.confirm).await {
            Ok(()) => see_other("/?deleted=1"),
            Err(error) => refused(&state, parts, error, form).await,
        },
    }
}
