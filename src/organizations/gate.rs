//! The one gate: every page, form and server function that touches an
//! organization asks here first, and the answer comes from the permission
//! table ([`super::permissions::may`]).

use super::{Action, OrgAccess, OrgSummary, Role};
use crate::auth::Account;
use crate::error::{AppError, AppResult};
use crate::server::db::Db;
use crate::server::AppState;

/// The state and signed-in account of the request a server function serves.
pub fn context() -> AppResult<(AppState, Account)> {
    let state = leptos::prelude::use_context::<AppState>()
        .ok_or_else(|| AppError::internal("AppState missing from context"))?;
    let account = crate::auth::current_account().ok_or(AppError::Unauthenticated)?;
    Ok((state, account))
}

/// How a server function about one organization begins: the state, the
/// signed-in account, and its access to `org` for `action`.
pub async fn access(org: &str, action: Action) -> AppResult<(AppState, Account, OrgAccess)> {
    let (state, account) = context()?;
    let access = authorize(&state.db, account.id, org, action).await?;
    Ok((state, account, access))
}

/// The account's access to the organization `public_id` for `action`.
/// A non-member gets `NotFound`, whether or not the organization exists.
pub async fn authorize(
    db: &Db,
    account_id: i64,
    public_id: &str,
    action: Action,
) -> AppResult<OrgAccess> {
    /// A membership as stored.
    #[derive(sqlx::FromRow)]
    struct Row {
        id: i64,
        public_id: String,
        customer_number: String,
        name: String,
        role: String,
    }
    let row: Option<Row> = sqlx::query_as(
        "SELECT o.id, o.public_id, o.customer_number, o.name, m.role
           FROM organizations o JOIN memberships m ON m.organization_id = o.id
          WHERE o.public_id = ? AND m.account_id = ?",
    )
    .bind(public_id)
    .bind(account_id)
    .fetch_optional(&db.read)
    .await?;
    let row = row.ok_or(AppError::NotFound)?;
    let role = Role::parse(&row.role)
        .ok_or_else(|| AppError::internal(format!("unknown role {:?}", row.role)))?;
    let access = OrgAccess {
        id: row.id,
        org: OrgSummary {
            public_id: row.public_id,
            customer_number: row.customer_number,
            name: row.name,
        },
        role,
    };
    if !access.may(action) {
        return Err(AppError::Forbidden(format!(
            "Your role in {} ({role}) does not allow this. An Owner of the organization can change your role.",
            access.org.name
        )));
    }
    Ok(access)
}

/// The gate again inside a write transaction: `access` as it stands now,
/// for a change whose rules depend on the actor's role (who may change
/// whose role). A role changed, or a membership removed, since
/// [`authorize`] read it is seen here, so a request in flight cannot act
/// with a role its actor no longer has.
pub async fn authorize_in(
    conn: &mut sqlx::SqliteConnection,
    access: &OrgAccess,
    account_id: i64,
    action: Action,
) -> AppResult<OrgAccess> {
    let role: Option<String> = sqlx::query_scalar(
        "SELECT role FROM memberships WHERE organization_id = ? AND account_id = ?",
    )
    .bind(access.id)
    .bind(account_id)
    .fetch_optional(conn)
    .await?;
    let role = role.ok_or(AppError::NotFound)?;
    let role =
        Role::parse(&role).ok_or_else(|| AppError::internal(format!("unknown role {role:?}")))?;
    let now = OrgAccess {
        role,
        ..access.clone()
    };
    if !now.may(action) {
        return Err(AppError::Forbidden(format!(
            "Your role in {} ({role}) does not allow this. An Owner of the organization can change your role.",
            now.org.name
        )));
    }
    Ok(now)
}
