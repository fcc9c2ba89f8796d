//! API keys in SQLite: only each key's SHA-256 is kept.

use super::{ApiKeyRow, KEY_PREFIX};
use crate::clock::{format_utc, Timestamp};
use crate::error::{AppError, AppResult};
use crate::ids::{new_public_id, new_token, token_hash};
use crate::organizations::{activity, ApiKeyPrincipal, OrgAccess, Role};
use crate::server::db::Db;
use crate::server::rate_limit::RateLimit;

/// Calls one key may make per minute.
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
          WHERE k.organization_id = ? AND k.revoked_at IS NULL
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
    now: Timestamp,
) -> AppResult<String> {
    let key = format!("{KEY_PREFIX}{}", new_token());
    let key_start: String = key.chars().take(KEY_PREFIX.len() + 4).collect();
    let mut tx = db.write.begin().await?;
    sqlx::query(
        "INSERT INTO api_keys (public_id, organization_id, key_hash, key_start, description, role,
                               created_by, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
    )
    .bind(new_public_id())
    .bind(access.id)
    .bind(token_hash(&key))
    .bind(&key_start)
    .bind(description)
    .bind(role.as_str())
    .bind(access.account_id())
    .bind(now)
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
/// Returns its description; a key revoked meanwhile is a `Conflict`.
pub async fn revoke(
    db: &Db,
    access: &OrgAccess,
    public_id: &str,
    now: Timestamp,
) -> AppResult<String> {
    let mut tx = db.write.begin().await?;
    let description: Option<String> = sqlx::query_scalar(
        "UPDATE api_keys SET revoked_at = ?, revoked_by = ?
          WHERE public_id = ? AND organization_id = ? AND revoked_at IS NULL
          RETURNING description",
    )
    .bind(now)
    .bind(access.account_id())
    .bind(public_id)
    .bind(access.id)
    .fetch_optional(&mut *tx)
    .await?;
    let description = description.ok_or_else(|| {
        AppError::Conflict(
            "That API key no longer exists: it may have been revoked meanwhile.".into(),
        )
    })?;
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
          WHERE k.key_hash = ? AND o.customer_number = ? AND k.revoked_at IS NULL
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
    let maker_may = maker.is_some_and(|maker| {
        crate::organizations::permissions::may(maker, crate::organizations::Action::ManageApiKeys)
            && crate::collaborators::roles_to_give(maker).contains(&role)
    });
    if !maker_may {
        return Err(AppError::Unauthenticated);
    }
    let mut tx = db.write.begin().await?;
    API_CALLS
        .enforce(
            &mut tx,
            "SELECT at FROM api_key_calls WHERE api_key_id = ? AND at > ?
              ORDER BY at DESC LIMIT 1 OFFSET ?",
            row.id,
            now,
        )
        .await?;
    sqlx::query("DELETE FROM api_key_calls WHERE api_key_id = ? AND at <= ?")
        .bind(row.id)
        .bind(API_CALLS.window_start(now))
        .execute(&mut *tx)
        .await?;
    sqlx::query("INSERT INTO api_key_calls (api_key_id, at) VALUES (?, ?)")
        .bind(row.id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    sqlx::query("UPDATE api_keys SET last_used_at = ? WHERE id = ?")
        .bind(now)
        .bind(row.id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(Some(ApiKeyPrincipal {
        id: row.id,
        organization_id: row.organization_id,
        role,
        description: row.description,
    }))
}
