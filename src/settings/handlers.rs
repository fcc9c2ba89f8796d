//! The POST side of the Settings page: one form per intent (company
//! information, rename, delete), each refused beside its own fields.

use crate::auth::Account;
use crate::billing::card::{settle_before_delete, Unsettled};
use crate::clock::format_utc;
use crate::company::pages::CompanyFeedback;
use crate::company::CompanyForm;
use crate::error::{AppError, AppResult};
use crate::organizations::{gate, Action};
use crate::server::render::{refused, render_with_context, see_other};
use crate::server::AppState;
use crate::validate::OrganizationName;
use axum::extract::{Path, State};
use axum::http::request::Parts;
use axum::response::Response;
use axum::{Extension, Form};
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(tag = "intent", rename_all = "lowercase")]
pub enum SettingsForm {
    Rename {
        #[serde(default)]
        name: String,
    },
    Delete {
        #[serde(default)]
        confirm: String,
    },
    Company {
        #[serde(flatten)]
        form: Box<CompanyForm>,
        #[serde(default)]
        version: String,
    },
}

pub async fn settings(
    State(state): State<AppState>,
    Extension(account): Extension<Account>,
    Path(org): Path<String>,
    parts: Parts,
    Form(form): Form<SettingsForm>,
) -> Response {
    match form {
        SettingsForm::Rename { name } => {
            let result =
                crate::organizations::handlers::rename(&state, &account, &org, &name).await;
            match result {
                Ok(()) => see_other(&format!("/organizations/{org}/settings?renamed=1")),
                Err(error) => refused(&state, parts, error, vec![("name".into(), name)]).await,
            }
        }
        SettingsForm::Company { form, version } => {
            let version = version.parse::<i64>().unwrap_or(-1);
            match crate::company::handlers::save(&state, &account, &org, &form, version).await {
                Ok(()) => see_other(&format!("/organizations/{org}/settings?saved=1")),
                Err(error @ (AppError::Invalid(_) | AppError::Conflict(_))) => {
                    let status = error.status();
                    let feedback = CompanyFeedback {
                        form: *form,
                        version,
                        error,
                    };
                    render_with_context(&state, parts, feedback, status).await
                }
                Err(error) => refused(&state, parts, error, Vec::new()).await,
            }
        }
        SettingsForm::Delete { confirm } => match delete(&state, &account, &org, &confirm).await {
            Ok(()) => see_other("/?deleted=1"),
            Err(error) => refused(&state, parts, error, vec![("confirm".into(), confirm)]).await,
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
            "confirm",
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
