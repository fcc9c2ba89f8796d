//! The one gate: every page, form and server function that touches an
//! organization asks here first, and the answer comes from the permission
//! table ([`super::permissions::may`]).

use super::{Action, OrgAccess, OrgSummary, Principal, Role};
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
    let access = authorize(&state.db, &Principal::Person(account.clone()), org, action).await?;
    Ok((state, account, access))
}

/// `by`'s access to the organization `public_id` (as in page addresses)
/// for `action`. An organization that is not `by`'s (not a member, another
/// organization's key, deleted) is `NotFound`, whether or not it exists;
/// a role that does not allow `action` is `Forbidden`.
pub async fn authorize(
    db: &Db,
    by: &Principal,
    public_id: &str,
    action: Action,
) -> AppResult<OrgAccess> {
    authorize_where(db, by, OrgKey::PublicId, public_id, action).await
}

/// The same for the organization with `customer_number` (as the API names it).
pub async fn authorize_customer(
    db: &Db,
    by: &Principal,
    customer_number: &str,
    action: Action,
) -> AppResult<OrgAccess> {
    authorize_where(db, by, OrgKey::CustomerNumber, customer_number, action).await
}

/// The column an organization is looked up by.
#[derive(Clone, Copy)]
enum OrgKey {
    PublicId,
    CustomerNumber,
}

async fn authorize_where(
    db: &Db,
    by: &Principal,
    key: OrgKey,
    value: &str,
    action: Action,
) -> AppResult<OrgAccess> {
    /// A membership (or a key's organization) as stored.
    #[derive(sqlx::FromRow)]
    struct Row {
        id: i64,
        public_id: String,
        customer_number: String,
        name: String,
        role: String,
        /// The organization requires two-factor log-in (1) or not (0).
        require_two_factor: i64,
        /// The person has two-factor log-in on (an API key counts as on).
        two_factor_on: i64,
    }
    // Two fixed texts each: the value is always a bound parameter.
    let sql = match (by, key) {
        (Principal::Person(_), OrgKey::PublicId) => {
            "SELECT o.id, o.public_id, o.customer_number, o.name, m.role, o.require_two_factor,
                    (SELECT count(*) FROM two_factor t WHERE t.account_id = m.account_id AND t.enabled_at IS NOT NULL) AS two_factor_on
               FROM organizations o JOIN memberships m ON m.organization_id = o.id
              WHERE o.public_id = $1 AND m.account_id = $2"
        }
        (Principal::Person(_), OrgKey::CustomerNumber) => {
            "SELECT o.id, o.public_id, o.customer_number, o.name, m.role, o.require_two_factor,
                    (SELECT count(*) FROM two_factor t WHERE t.account_id = m.account_id AND t.enabled_at IS NOT NULL) AS two_factor_on
               FROM organizations o JOIN memberships m ON m.organization_id = o.id
              WHERE o.customer_number = $1 AND m.account_id = $2"
        }
        (Principal::Key(_), OrgKey::PublicId) => {
            "SELECT o.id, o.public_id, o.customer_number, o.name, k.role,
                    0 AS require_two_factor, 1 AS two_factor_on
               FROM organizations o JOIN api_keys k ON k.organization_id = o.id
              WHERE o.public_id = $1 AND k.id = $2 AND k.revoked_at IS NULL AND o.deleted_at IS NULL"
        }
        (Principal::Key(_), OrgKey::CustomerNumber) => {
            "SELECT o.id, o.public_id, o.customer_number, o.name, k.role,
                    0 AS require_two_factor, 1 AS two_factor_on
               FROM organizations o JOIN api_keys k ON k.organization_id = o.id
              WHERE o.customer_number = $1 AND k.id = $2 AND k.revoked_at IS NULL AND o.deleted_at IS NULL"
        }
    };
    let who = match by {
        Principal::Person(account) => account.id,
        Principal::Key(key) => key.id,
    };
    let row: Option<Row> = sqlx::query_as(sql)
        .bind(value)
        .bind(who)
        .fetch_optional(&db.read)
        .await?;
    let row = row.ok_or(AppError::NotFound)?;
    // Before any role: a person without two-factor log-in reaches nothing
    // of an organization that requires it (its keys are not people), but
    // may still leave it.
    if row.require_two_factor != 0 && row.two_factor_on == 0 && action != Action::Leave {
        return Err(AppError::TwoFactorRequired {
            organization: row.name,
        });
    }
    // The membership's role, or the key's as stored (not revoked).
    let role = parse_role(&row.role)?;
    let access = OrgAccess {
        id: row.id,
        org: OrgSummary {
            public_id: row.public_id,
            customer_number: row.customer_number,
            name: row.name,
        },
        role,
        by: by.clone(),
    };
    allowed(access, action)
}

fn parse_role(stored: &str) -> AppResult<Role> {
    Role::parse(stored).ok_or_else(|| AppError::internal(format!("unknown role {stored:?}")))
}

fn allowed(access: OrgAccess, action: Action) -> AppResult<OrgAccess> {
    if access.may(action) {
        return Ok(access);
    }
    let role = access.role;
    Err(AppError::Forbidden(match access.by {
        Principal::Person(_) => format!(
            "Your role in {} ({role}) does not allow this. An Owner of the organization can change your role.",
            access.org.name
        ),
        Principal::Key(_) => format!(
            "This API key's role in {} ({role}) does not allow this. Make a key with a role that does.",
            access.org.name
        ),
    }))
}

/// The gate again inside a write transaction: `access` as it stands now,
/// for a change whose rules depend on the actor's role (who may change
/// whose role). A role changed, a membership removed or a key revoked
/// since [`authorize`] read it is seen here, so a request in flight cannot
/// act with a role its actor no longer has.
pub async fn authorize_in(
    conn: &mut crate::server::db::Connection,
    access: &OrgAccess,
    action: Action,
) -> AppResult<OrgAccess> {
    let role: Option<String> = match &access.by {
        Principal::Person(account) => {
            sqlx::query_scalar(
                "SELECT role FROM memberships WHERE organization_id = $1 AND account_id = $2",
            )
            .bind(access.id)
            .bind(account.id)
            .fetch_optional(conn)
            .await?
        }
        Principal::Key(key) => sqlx::query_scalar(
            "SELECT role FROM api_keys WHERE organization_id = $1 AND id = $2 AND revoked_at IS NULL",
        )
        .bind(access.id)
        .bind(key.id)
        .fetch_optional(conn)
        .await?,
    };
    let role = parse_role(&role.ok_or(AppError::NotFound)?)?;
    let now = OrgAccess {
        role,
        ..access.clone()
    };
    allowed(now, action)
}
