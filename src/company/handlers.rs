//! Saving the company information (the Settings page's form posts through
//! `crate::settings::handlers`).

use super::{store, CompanySave};
use crate::auth::Account;
use crate::error::{AppError, AppResult};
use crate::organizations::{gate, Action};
use crate::server::AppState;

/// Saves the company information, all or nothing, if `version` is still
/// the stored one (else `Conflict`: someone saved meanwhile).
pub async fn save(
    state: &AppState,
    account: &Account,
    org: &str,
    save: &CompanySave,
) -> AppResult<()> {
    let access =
        gate::authorize(&state.db, account.id, org, Action::EditCompanyInformation).await?;
    let info = save.form.parse().map_err(AppError::Invalid)?;
    store::save(
        &state.db,
        &access,
        account.id,
        &info,
        save.version(),
        state.clock.now(),
    )
    .await
}
