//! Creating and renaming organizations, by a person on the pages or through
//! the API alike (deleting one settles its money first:
//! `crate::settings::operations::delete`).

use super::{gate, store, Action, Membership, NameField, OrgAccess, OrgSummary, Principal};
use crate::auth::Account;
use crate::error::{AppError, AppResult};
use crate::server::AppState;
use crate::validate::OrganizationName;

/// Creates an organization with `account` as its Owner. Only a person
/// creates one: an API key belongs to an organization already.
pub async fn create(state: &AppState, account: &Account, name: &str) -> AppResult<OrgSummary> {
    let name = OrganizationName::parse(name).map_err(|m| AppError::field(NameField::Name, m))?;
    store::create(&state.db, account, &name, state.clock.now()).await
}

/// Renames the organization: Owners only.
pub async fn rename(state: &AppState, by: &Principal, org: &str, name: &str) -> AppResult<()> {
    let access = gate::authorize(&state.db, by, org, Action::RenameOrDelete).await?;
    let name = OrganizationName::parse(name).map_err(|m| AppError::field(NameField::Name, m))?;
    store::rename(&state.db, &access, &name, state.clock.now()).await
}

/// Deletes the organization. The caller has settled its money first.
pub async fn delete(state: &AppState, access: &OrgAccess) -> AppResult<()> {
    store::delete(&state.db, access, state.clock.now()).await
}

/// Every organization of `account`, by name, with its role there.
pub async fn of_account(state: &AppState, account: &Account) -> AppResult<Vec<Membership>> {
    Ok(
        store::organizations_of(&state.db, account.id, crate::page::Window::ALL)
            .await?
            .0,
    )
}
