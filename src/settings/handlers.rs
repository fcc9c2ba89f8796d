//! The POST side of the Settings page: one form per intent (company
//! information, rename, delete), each refused beside its own fields.

use super::{DeleteField, DeleteForm};
use crate::auth::Account;
use crate::billing::card::{settle_before_delete, Unsettled};
use crate::clock::format_utc;
use crate::company::CompanySave;
use crate::error::{AppError, AppResult};
use crate::organizations::{gate, Action, NameForm};
use crate::server::render::{refused, see_other};
use crate::server::AppState;
use crate::validate::OrganizationName;
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
}

pub async fn settings(
    State(state): State<AppState>,
    Extension(account): Extension<Account>,
    Path(org): Path<String>,
    parts: Parts,
    Form(form): Form<SettingsForm>,
) -> Response {
    match form {
        SettingsForm::Rename(form) => {
            match crate::organizations::handlers::rename(&state, &account, &org, &form.name).await {
                Ok(()) => see_other(&format!("/organizations/{org}/settings?renamed=1")),
                Err(error) => refused(&state, parts, error, form).await,
            }
        }
        SettingsForm::Company(form) => {
            match crate::company::handlers::save(&state, &account, &org, &form).await {
                Ok(()) => see_other(&format!("/organizations/{org}/settings?saved=1")),
                Err(error) => refused(&state, parts, error, *form).await,
            }
        }
        SettingsForm::Delete(form) => match delete(&state, &account, &org, &form.confirm).await {
            Ok(()) => see_other("/?deleted=1"),
            Err(error) => refused(&state, parts, error, form).await,
        },
    }
}

/// Deletes the organization once its name is typed and no money of it is
/// under way: open card pages are closed at the provider first, and a
/// pending refund makes the person come back later.
async fn delete(state: &AppState, account: &Account, org: &str, confirm: &str) -> AppResult<()> {
    let access = gate::authorize(&state.db, account.id, org, Action::RenameOrDelete).await?;
    if !OrganizationName::same(&access.org.name, confirm) {
        return Err(AppError::field(
            DeleteField::Confirm,
            "Type the organization's name exactly as shown to delete it.",
        ));
    }
    let now = state.clock.now();
    let reason = match settle_before_delete(state, access.id).await? {
        None => None,
        Some(Unsettled::RefundPending { due }) => Some((
            format!(
                "its 1.00 EUR card verification is refunded at {}",
                format_utc(due)
            ),
            // The worker refunds within a second or two of the due time.
            due + 5,
        )),
        Some(Unsettled::CardPageOpen) => Some((
            "the payment provider did not confirm that its card page is closed".to_owned(),
            now + 60,
        )),
    };
    if let Some((why, retry_at)) = reason {
        let wait = (retry_at - now).max(1);
        let when = match (wait, (wait + 59) / 60) {
            (1, _) => "1 second".to_owned(),
            (2..=59, _) => format!("{wait} seconds"),
            (_, 1) => "1 minute".to_owned(),
            (_, minutes) => format!("{minutes} minutes"),
        };
        return Err(AppError::Conflict(format!(
            "This organization cannot be deleted yet: {why}. Nothing was deleted. Try again in {when}."
        )));
    }
    crate::organizations::handlers::delete(state, &access, account).await
}
