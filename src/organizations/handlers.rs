//! The POST side of creating, renaming and deleting an organization.

use super::{store, Action};
use crate::auth::Account;
use crate::company::pages::CompanyFeedback;
use crate::company::CompanyForm;
use crate::error::{AppError, AppResult};
use crate::server::render::{refused, render_with_context, see_other};
use crate::server::AppState;
use crate::validate::OrganizationName;
use axum::extract::{Path, State};
use axum::http::request::Parts;
use axum::response::Response;
use axum::{Extension, Form};
use serde::Deserialize;

#[derive(Deserialize)]
pub struct NameForm {
    #[serde(default)]
    name: String,
}

pub async fn create(
    State(state): State<AppState>,
    Extension(account): Extension<Account>,
    parts: Parts,
    Form(form): Form<NameForm>,
) -> Response {
    let created = async {
        let name = OrganizationName::parse(&form.name).map_err(|m| AppError::field("name", m))?;
        store::create(&state.db, account.id, &name, state.clock.now()).await
    }
    .await;
    match created {
        // Company information comes first: the new organization opens on Settings.
        Ok(public_id) => see_other(&format!("/organizations/{public_id}/settings?created=1")),
        Err(error) => refused(&state, parts, error, vec![("name".into(), form.name)]).await,
    }
}

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
            let result = rename(&state, &account, &org, &name).await;
            match result {
                Ok(()) => see_other(&format!("/organizations/{org}/settings?renamed=1")),
                Err(error) => refused(&state, parts, error, vec![("name".into(), name)]).await,
            }
        }
        SettingsForm::Company { form, version } => {
            let version = version.parse::<i64>().unwrap_or(-1);
            match save_company(&state, &account, &org, &form, version).await {
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

async fn rename(state: &AppState, account: &Account, org: &str, name: &str) -> AppResult<()> {
    let access = store::authorize(&state.db, account.id, org, Action::RenameOrDelete).await?;
    let name = OrganizationName::parse(name).map_err(|m| AppError::field("name", m))?;
    store::rename(&state.db, &access, account.id, &name, state.clock.now()).await
}

async fn save_company(
    state: &AppState,
    account: &Account,
    org: &str,
    form: &CompanyForm,
    version: i64,
) -> AppResult<()> {
    let access =
        store::authorize(&state.db, account.id, org, Action::EditCompanyInformation).await?;
    let info = form.parse().map_err(AppError::Invalid)?;
    crate::company::store::save(
        &state.db,
        &access,
        account.id,
        &info,
        version,
        state.clock.now(),
    )
    .await
}

async fn delete(state: &AppState, account: &Account, org: &str, confirm: &str) -> AppResult<()> {
    let access = store::authorize(&state.db, account.id, org, Action::RenameOrDelete).await?;
    if !OrganizationName::same(&access.org.name, confirm) {
        return Err(AppError::field(
            "confirm",
            "Type the organization's name exactly as shown to delete it.",
        ));
    }
    // Money under way stays recorded: open card pages are closed at the
    // provider first, and a pending refund makes the person come back later.
    use crate::billing::card::{settle_before_delete, Unsettled};
    let now = state.clock.now();
    let reason = match settle_before_delete(state, access.id).await? {
        None => None,
        Some(Unsettled::RefundPending { due }) => Some((
            format!(
                "its 1.00 EUR card verification is refunded at {}",
                crate::organizations::store::format_utc(due)
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
    store::delete(&state.db, &access, account.id, state.clock.now()).await
}
