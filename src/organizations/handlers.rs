//! The POST side of creating and renaming an organization (the Settings
//! page's form goes through `crate::settings::handlers`).

use super::{gate, store, Action, NameField, NameForm, OrgAccess};
use crate::auth::Account;
use crate::error::{AppError, AppResult};
use crate::server::render::{refused, see_other};
use crate::server::AppState;
use crate::validate::OrganizationName;
use axum::extract::State;
use axum::http::request::Parts;
use axum::response::Response;
use axum::{Extension, Form};

pub async fn create(
    State(state): State<AppState>,
    Extension(account): Extension<Account>,
    parts: Parts,
    Form(form): Form<NameForm>,
) -> Response {
    let created = async {
        let name =
            OrganizationName::parse(&form.name).map_err(|m| AppError::field(NameField::Name, m))?;
        store::create(&state.db, account.id, &name, state.clock.now()).await
    }
    .await;
    match created {
        // Company information comes first: the new organization opens on Settings.
        Ok(public_id) => see_other(&format!("/organizations/{public_id}/settings?created=1")),
        Err(error) => refused(&state, parts, error, form).await,
    }
}

/// Renames the organization: Owners only.
pub async fn rename(state: &AppState, account: &Account, org: &str, name: &str) -> AppResult<()> {
    let access = gate::authorize(&state.db, account.id, org, Action::RenameOrDelete).await?;
    let name = OrganizationName::parse(name).map_err(|m| AppError::field(NameField::Name, m))?;
    store::rename(&state.db, &access, account.id, &name, state.clock.now()).await
}

/// Deletes the organization (Owners only), once `confirm` is its name.
/// The caller settles its money first: see `crate::settings::handlers`.
pub async fn delete(state: &AppState, access: &OrgAccess, account: &Account) -> AppResult<()> {
    store::delete(&state.db, access, account.id, state.clock.now()).await
}
