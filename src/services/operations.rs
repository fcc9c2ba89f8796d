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

/// A service as a month bills it.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct Billed {
    pub name: String,
    /// The plan's id ("small").
    pub plan: String,
    /// The monthly price when it was created, in cents (EUR).
    pub monthly_cents: i64,
    pub created_at: crate::clock::Timestamp,
    pub deleted_at: Option<crate::clock::Timestamp>,
}

/// The organization's services that existed at some time in `[start,
/// end)`, deleted ones included, oldest first (for the invoice run, which
/// acts for no person).
pub async fn existing_between(
    conn: &mut crate::server::db::Connection,
    organization_id: i64,
    start: crate::clock::Timestamp,
    end: crate::clock::Timestamp,
) -> AppResult<Vec<Billed>> {
    Ok(sqlx::query_as(
        "SELECT name, plan, monthly_cents, created_at, deleted_at FROM services
          WHERE organization_id = $1 AND created_at < $2 AND (deleted_at IS NULL OR deleted_at > $3)
          ORDER BY created_at, id",
    )
    .bind(organization_id)
    .bind(end)
    .bind(start)
    .fetch_all(conn)
    .await?)
}

/// The organizations with a service at some time in `[start, end)`.
pub async fn organizations_billed_between(
    db: &crate::server::db::Db,
    start: crate::clock::Timestamp,
    end: crate::clock::Timestamp,
) -> AppResult<Vec<i64>> {
    Ok(sqlx::query_scalar(
        "SELECT DISTINCT organization_id FROM services
          WHERE created_at < $1 AND (deleted_at IS NULL OR deleted_at > $2)
          ORDER BY organization_id",
    )
    .bind(end)
    .bind(start)
    .fetch_all(&db.read)
    .await?)
}
