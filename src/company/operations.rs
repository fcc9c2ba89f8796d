//! What can be done to the company information, by a person on Settings or
//! through the API alike.

use super::{store, CompanyForm, CompanyInformation, CompanySave, StoredCompany};
use crate::error::{AppError, AppResult};
use crate::organizations::{gate, Action, Membership, OrgAccess, Principal};
use crate::server::AppState;

/// The company information as Settings shows it, and `by`'s standing.
pub async fn load(
    state: &AppState,
    by: &Principal,
    org: &str,
) -> AppResult<(Membership, StoredCompany)> {
    let access = gate::authorize(&state.db, by, org, Action::View).await?;
    let stored = store::load(&state.db, access.id).await?;
    Ok((access.membership(), stored))
}

/// Saves the company information, all or nothing, if `version` is still
/// the stored one (else `Conflict`: someone saved meanwhile). `Invalid`
/// names every field that is not valid.
pub async fn save(
    state: &AppState,
    by: &Principal,
    org: &str,
    save: &CompanySave,
) -> AppResult<()> {
    let access = gate::authorize(&state.db, by, org, Action::EditCompanyInformation).await?;
    let info = save.form.parse().map_err(AppError::Invalid)?;
    let mut tx = state.db.write.begin().await?;
    store::save_in(
        &mut tx,
        &access,
        &info,
        Some(save.version()),
        state.clock.now(),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// The stored company information with `change` laid over it, checked
/// whole, as a change of only some fields (the API's) is saved: inside the
/// caller's write transaction, so nothing saved meanwhile is lost.
/// `Ok(None)` when `change` changes nothing.
pub async fn merge_in(
    tx: &mut crate::server::db::Connection,
    access: &OrgAccess,
    change: impl FnOnce(&mut CompanyForm),
) -> AppResult<Option<CompanyInformation>> {
    let before = store::load_in(tx, access.id)
        .await?
        .map(|(form, _)| form)
        .unwrap_or_default();
    let mut after = before.clone();
    change(&mut after);
    if after == before {
        return Ok(None);
    }
    after.parse().map(Some).map_err(AppError::Invalid)
}

/// [`store::save_in`] for a caller that holds the write transaction.
pub async fn save_in(
    tx: &mut crate::server::db::Connection,
    access: &OrgAccess,
    info: &CompanyInformation,
    now: crate::clock::Timestamp,
) -> AppResult<()> {
    store::save_in(tx, access, info, None, now).await
}
