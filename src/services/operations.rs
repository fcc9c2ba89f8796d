//! Creating and deleting services, by a person on Services or through the
//! API alike.

use super::{store, Service, ServiceForm};
use crate::error::{AppError, AppResult};
use crate::organizations::{gate, Action, Principal};
use crate::server::AppState;

/// Creates the service if the form is valid, billing is ready
/// (`BillingNotReady` otherwise) and the name is free in the organization.
pub async fn create(
    state: &AppState,
    by: &Principal,
    org: &str,
    form: &ServiceForm,
) -> AppResult<Service> {
    let access = gate::authorize(&state.db, by, org, Action::ManageServices).await?;
    let service = form.parse().map_err(AppError::Invalid)?;
    store::create(&state.db, &access, &service, state.clock.now()).await
}

/// Deletes the service with `public_id`; returns its name. One deleted
/// meanwhile (a second click, another tab) is a `Conflict`.
pub async fn delete(
    state: &AppState,
    by: &Principal,
    org: &str,
    public_id: &str,
) -> AppResult<String> {
    let access = gate::authorize(&state.db, by, org, Action::ManageServices).await?;
    store::delete(&state.db, &access, public_id, state.clock.now()).await
}

/// The services that are not deleted, by name.
pub async fn list(state: &AppState, by: &Principal, org: &str) -> AppResult<Vec<Service>> {
    let access = gate::authorize(&state.db, by, org, Action::View).await?;
    store::list(&state.db, access.id).await
}
