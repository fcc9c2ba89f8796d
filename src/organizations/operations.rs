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

/// Requires two-factor log-in of every collaborator of the organization,
/// or stops requiring it: Owners only, and only an Owner who has it on
/// (else they would lock themselves out). Collaborators without it reach
/// none of the organization's pages or functions until they turn it on
/// (the gate); API keys are not people and are unaffected. Logged.
pub async fn set_two_factor_required(
    state: &AppState,
    by: &Principal,
    org: &str,
    required: bool,
) -> AppResult<()> {
    let access = gate::authorize(&state.db, by, org, Action::RequireTwoFactor).await?;
    if let (true, Principal::Person(account)) = (required, by) {
        if !crate::auth::two_factor::is_on(&state.db, account.id).await? {
            return Err(AppError::Conflict(
                "Turn on two-factor log-in for your own account first (Account page): requiring it without would lock you out too.".into(),
            ));
        }
    }
    let now = state.clock.now();
    let mut tx = state.db.write.begin().await?;
    let changed = sqlx::query(
        "UPDATE organizations SET require_two_factor = $1 WHERE id = $2 AND require_two_factor <> $3",
    )
    .bind(i64::from(required))
    .bind(access.id)
    .bind(i64::from(required))
    .execute(&mut *tx)
    .await?;
    // Already so (another tab, a double click): nothing to log.
    if changed.rows_affected() > 0 {
        let what = if required {
            "Two-factor log-in required of every collaborator"
        } else {
            "Two-factor log-in no longer required"
        };
        super::activity::record(&mut tx, access.id, access.actor(), what, "", now).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Does the organization require two-factor log-in of its collaborators?
pub async fn two_factor_required(state: &AppState, access: &OrgAccess) -> AppResult<bool> {
    let required: i64 =
        sqlx::query_scalar("SELECT require_two_factor FROM organizations WHERE id = $1")
            .bind(access.id)
            .fetch_one(&state.db.read)
            .await?;
    Ok(required != 0)
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

/// The customer number of the organization with the internal id
/// `organization_id` (for the invoice run, which acts for no person).
pub async fn customer_number_in(
    conn: &mut crate::server::db::Connection,
    organization_id: i64,
) -> AppResult<String> {
    Ok(
        sqlx::query_scalar("SELECT customer_number FROM organizations WHERE id = $1")
            .bind(organization_id)
            .fetch_one(conn)
            .await?,
    )
}
