//! API keys in SQLite: only each key's SHA-256 is kept.

use super::{ApiKeyRow, KEY_PREFIX};
use crate::clock::{format_utc, Timestamp};
use crate::error::{AppError, AppResult};
use crate::ids::{new_public_id, new_token, token_hash};
use crate::organizations::permissions::roles_to_give;
use crate::organizations::{activity, ApiKeyPrincipal, OrgAccess, Role};
use crate::server::db::Db;
use crate::server::rate_limit::RateLimit;

/// Calls one API key (or one temporary key) may make per minute.
pub const API_CALLS: RateLimit = RateLimit {
    limit: 120,
    window_secs: 60,
    refusal: "Too many calls with this API key.",
};

fn parse_role(stored: &str) -> AppResult<Role> {
    Role::parse(stored).ok_or_else(|| AppError::internal(format!("unknown role {stored:?}")))
}

/// The keys of the organization that work (not revoked), newest first.
pub async fn list(db: &Db, organization_id: i64) -> AppResult<Vec<ApiKeyRow>> {
    /// A key as listed.
    #[derive(sqlx::FromRow)]
    struct Row {
        public_id: String,
        description: String,
        role: String,
        key_start: String,
        made_by: Option<String>,
        created_at: Timestamp,
        last_used_at: Option<Timestamp>,
    }
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT k.public_id, k.description, k.role, k.key_start, a.name AS made_by, k.created_at,
                k.last_used_at
           FROM api_keys k LEFT JOIN accounts a ON a.id = k.created_by
          WHERE k.organization_id = $1 AND k.revoked_at IS NULL
          ORDER BY k.id DESC",
    )
    .bind(organization_id)
    .fetch_all(&db.read)
    .await?;
    rows.into_iter()
        .map(|row| {
            Ok(ApiKeyRow {
                role: parse_role(&row.role)?,
                public_id: row.public_id,
                description: row.description,
                key_start: format!("{}…", row.key_start),
                made_by: row.made_by,
                created: format_utc(row.created_at),
                last_used: row.last_used_at.map(format_utc),
            })
        })
        .collect()
}

/// Makes a key for `access`'s organization; returns the key, which exists
/// nowhere else afterwards. The caller has checked the role may be given.
pub async fn create(
    db: &Db,
    access: &OrgAccess,
    description: &str,
    role: Role,
    request: &str,
    now: Timestamp,
) -> AppResult<String> {
    let key = format!("{KEY_PREFIX}{}", new_token());
    let key_start: String = key.chars().take(KEY_PREFIX.len() + 4).collect();
    let request = (!request.is_empty()).then_some(request);
    let mut tx = db.write.begin().await?;
    let made = 1 == sqlx::query_scalar::<_, i64>(
        "SELECT CASE WHEN EXISTS (SELECT 1 FROM api_keys WHERE request_id = $1) THEN 1 ELSE 0 END",
    )
    .bind(request)
    .fetch_one(&mut *tx)
    .await?;
    if made {
        return Err(AppError::Conflict(
            "This form was sent again (a reload), so no second key was made. The key it made was shown once; if you did not copy it, revoke it below and create another."
                .into(),
        ));
    }
    let taken = 1 == sqlx::query_scalar::<_, i64>(
        "SELECT CASE WHEN EXISTS (SELECT 1 FROM api_keys
                         WHERE organization_id = $1 AND description = $2 AND revoked_at IS NULL) THEN 1 ELSE 0 END",
    )
    .bind(access.id)
    .bind(description)
    .fetch_one(&mut *tx)
    .await?;
    if taken {
        // The list and the activity log tell keys apart by it.
        return Err(AppError::field(
            super::ApiKeyField::Description,
            format!("A key named {description} exists already: describe this one apart."),
        ));
    }
    sqlx::query(
        "INSERT INTO api_keys (public_id, organization_id, key_hash, key_start, description, role,
                               created_by, created_at, request_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(new_public_id())
    .bind(access.id)
    .bind(token_hash(&key))
    .bind(&key_start)
    .bind(description)
    .bind(role.as_str())
    .bind(access.account_id())
    .bind(now)
    .bind(request)
    .execute(&mut *tx)
    .await?;
    activity::record(
        &mut tx,
        access.id,
        access.actor(),
        "API key created",
        &format!("{description} ({role})"),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(key)
}

/// Revokes the key `public_id` of the organization: it fails from now on.
/// Returns its description; a key revoked meanwhile is a `Conflict`. Only
/// an Owner revokes a key with the Owner role (as only an Owner touches an
/// Owner).
pub async fn revoke(
    db: &Db,
    access: &OrgAccess,
    public_id: &str,
    now: Timestamp,
) -> AppResult<String> {
    let mut tx = db.write.begin().await?;
    let found: Option<(String, String)> = sqlx::query_as(
        "SELECT description, role FROM api_keys
          WHERE public_id = $1 AND organization_id = $2 AND revoked_at IS NULL",
    )
    .bind(public_id)
    .bind(access.id)
    .fetch_optional(&mut *tx)
    .await?;
    let (description, role) = found.ok_or_else(|| {
        AppError::Conflict(
            "That API key no longer exists: it may have been revoked meanwhile.".into(),
        )
    })?;
    if parse_role(&role)? == Role::Owner && access.role != Role::Owner {
        return Err(AppError::Forbidden(
            "Only an Owner can revoke a key with the Owner role.".into(),
        ));
    }
    sqlx::query("UPDATE api_keys SET revoked_at = $1, revoked_by = $2 WHERE public_id = $3")
        .bind(now)
        .bind(access.account_id())
        .bind(public_id)
        .execute(&mut *tx)
        .await?;
    activity::record(
        &mut tx,
        access.id,
        access.actor(),
        "API key revoked",
        &description,
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(description)
}

/// Revokes, inside the caller's write transaction, the keys `maker` made
/// in `access`'s organization that a maker with `role_now` could not make
/// (all of them when `role_now` is `None`: the maker left). A key is never
/// stronger than its maker, and does not come back with a later promotion.
pub async fn revoke_made_by_in(
    tx: &mut crate::server::db::Connection,
    access: &OrgAccess,
    maker: i64,
    role_now: Option<Role>,
    now: Timestamp,
) -> AppResult<()> {
    let keys: Vec<(i64, String, String)> = sqlx::query_as(
        "SELECT id, description, role FROM api_keys
          WHERE organization_id = $1 AND created_by = $2 AND revoked_at IS NULL",
    )
    .bind(access.id)
    .bind(maker)
    .fetch_all(&mut *tx)
    .await?;
    for (id, description, role) in keys {
        let role = parse_role(&role)?;
        if role_now.is_some_and(|now| may_make(now, role)) {
            continue;
        }
        sqlx::query("UPDATE api_keys SET revoked_at = $1, revoked_by = $2 WHERE id = $3")
            .bind(now)
            .bind(access.account_id())
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let why = match role_now {
            None => "its maker left the organization".to_owned(),
            Some(role_now) => format!("its maker is now {role_now}"),
        };
        activity::record(
            tx,
            access.id,
            access.actor(),
            "API key revoked",
            &format!("{description} ({why})"),
            now,
        )
        .await?;
    }
    Ok(())
}

/// Whether someone with `maker` may make (and keep working) a key with `role`.
fn may_make(maker: Role, role: Role) -> bool {
    crate::organizations::permissions::may(maker, crate::organizations::Action::ManageApiKeys)
        && roles_to_give(maker).contains(&role)
}

/// Counts a call by `caller` (an API key or a temporary key) against
/// [`API_CALLS`]: `TooManyRequests` past it, and then the call is not
/// counted. Counted in the write transaction, so a burst cannot slip past.
pub async fn count_call(db: &Db, caller: &str, now: Timestamp) -> AppResult<()> {
    let mut tx = db.write.begin().await?;
    API_CALLS
        .enforce(
            &mut tx,
            "SELECT at FROM api_calls WHERE caller = $1 AND at > $2 ORDER BY at DESC LIMIT 1 OFFSET $3",
            caller.to_owned(),
            now,
        )
        .await?;
    sqlx::query("DELETE FROM api_calls WHERE caller = $1 AND at <= $2")
        .bind(caller)
        .bind(API_CALLS.window_start(now))
        .execute(&mut *tx)
        .await?;
    sqlx::query("INSERT INTO api_calls (caller, at) VALUES ($1, $2)")
        .bind(caller)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// The key `key` of the organization with `customer_number`, if it works:
/// not revoked, the organization not deleted, and its maker still an
/// Owner or Admin there who may give the key's role (a maker removed or
/// demoted takes the key's power along). Counts the call against
/// [`API_CALLS`] (`TooManyRequests` past it) and notes the key's last use.
pub async fn authenticate(
    db: &Db,
    customer_number: &str,
    key: &str,
    now: Timestamp,
) -> AppResult<Option<ApiKeyPrincipal>> {
    /// A key and its maker's role now.
    #[derive(sqlx::FromRow)]
    struct Row {
        id: i64,
        organization_id: i64,
        role: String,
        description: String,
        maker_role: Option<String>,
    }
    if !key.starts_with(KEY_PREFIX) {
        return Ok(None);
    }
    let row: Option<Row> = sqlx::query_as(
        "SELECT k.id, k.organization_id, k.role, k.description, m.role AS maker_role
           FROM api_keys k JOIN organizations o ON o.id = k.organization_id
                LEFT JOIN memberships m ON m.organization_id = k.organization_id
                                       AND m.account_id = k.created_by
          WHERE k.key_hash = $1 AND o.customer_number = $2 AND k.revoked_at IS NULL
            AND o.deleted_at IS NULL",
    )
    .bind(token_hash(key))
    .bind(customer_number)
    .fetch_optional(&db.read)
    .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    let role = parse_role(&row.role)?;
    let maker = row.maker_role.as_deref().map(parse_role).transpose()?;
    // Revoked when the maker leaves or is demoted; checked here as well.
    let maker_may = maker.is_some_and(|maker| may_make(maker, role));
    if !maker_may {
        return Err(AppError::Unauthenticated);
    }
    count_call(db, &format!("key:{}", row.id), now).await?;
    sqlx::query("UPDATE api_keys SET last_used_at = $1 WHERE id = $2")
        .bind(now)
        .bind(row.id)
        .execute(&db.write)
        .await?;
    Ok(Some(ApiKeyPrincipal {
        id: row.id,
        organization_id: row.organization_id,
        role,
        description: row.description,
    }))
}
