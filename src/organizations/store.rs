//! Organizations in SQLite. Every read of an organization goes through
//! [`authorize`], which asks [`permissions::may`](super::permissions::may).

use super::{Action, ActivityEntry, Collaborator, OrgAccess, OrgSummary, Role};
use crate::auth::Account;
use crate::error::{AppError, AppResult};
use crate::server::clock::Timestamp;
use crate::server::db::Db;
use crate::server::AppState;
use crate::validate::OrganizationName;
use rand::RngCore as _;

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

/// 16 characters of lower-case base32 from 80 random bits.
pub(crate) fn new_public_id() -> String {
    const ALPHABET: &[u8; 32] = b"abcdefghijklmnopqrstuvwxyz234567";
    let mut bytes = [0u8; 10];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let bits = bytes
        .iter()
        .fold(0u128, |acc, b| (acc << 8) | u128::from(*b));
    (0..16)
        .map(|i| ALPHABET[((bits >> (75 - 5 * i)) & 31) as usize] as char)
        .collect()
}

/// The account's access to the organization `public_id` for `action`.
/// A non-member gets `NotFound`, whether or not the organization exists.
pub async fn authorize(
    db: &Db,
    account_id: i64,
    public_id: &str,
    action: Action,
) -> AppResult<OrgAccess> {
    let row: Option<(i64, String, String, String)> = sqlx::query_as(
        "SELECT o.id, o.public_id, o.name, m.role
           FROM organizations o JOIN memberships m ON m.organization_id = o.id
          WHERE o.public_id = ? AND m.account_id = ?",
    )
    .bind(public_id)
    .bind(account_id)
    .fetch_optional(&db.read)
    .await?;
    let (id, public_id, name, role) = row.ok_or(AppError::NotFound)?;
    let role =
        Role::parse(&role).ok_or_else(|| AppError::internal(format!("unknown role {role:?}")))?;
    let access = OrgAccess {
        id,
        org: OrgSummary { public_id, name },
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

pub async fn organizations_of(db: &Db, account_id: i64) -> AppResult<Vec<OrgSummary>> {
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT o.public_id, o.name
           FROM memberships m JOIN organizations o ON o.id = m.organization_id
          WHERE m.account_id = ?
          ORDER BY o.name COLLATE NOCASE, o.id",
    )
    .bind(account_id)
    .fetch_all(&db.read)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(public_id, name)| OrgSummary { public_id, name })
        .collect())
}

pub async fn collaborators(db: &Db, organization_id: i64) -> AppResult<Vec<Collaborator>> {
    let rows: Vec<(String, String, String)> = sqlx::query_as(
        "SELECT a.name, a.email, m.role
           FROM memberships m JOIN accounts a ON a.id = m.account_id
          WHERE m.organization_id = ?
          ORDER BY CASE m.role WHEN 'owner' THEN 0 WHEN 'admin' THEN 1 WHEN 'billing' THEN 2 ELSE 3 END,
                   a.name COLLATE NOCASE, a.id",
    )
    .bind(organization_id)
    .fetch_all(&db.read)
    .await?;
    rows.into_iter()
        .map(|(name, email, role)| {
            let role = Role::parse(&role)
                .ok_or_else(|| AppError::internal(format!("unknown role {role:?}")))?;
            Ok(Collaborator { name, email, role })
        })
        .collect()
}

/// The newest entries first.
pub async fn activity(db: &Db, organization_id: i64) -> AppResult<Vec<ActivityEntry>> {
    let rows: Vec<(i64, Option<String>, String, String)> = sqlx::query_as(
        "SELECT e.at, CASE WHEN e.by_system THEN 'Orgpanel' ELSE a.name END, e.action, e.detail
           FROM activity e LEFT JOIN accounts a ON a.id = e.account_id
          WHERE e.organization_id = ?
          ORDER BY e.id DESC
          LIMIT 500",
    )
    .bind(organization_id)
    .fetch_all(&db.read)
    .await?;
    Ok(rows
        .into_iter()
        .map(|(at, who, action, detail)| ActivityEntry {
            at: format_utc(at),
            who: who.unwrap_or_else(|| "A deleted account".into()),
            what: if detail.is_empty() {
                action
            } else {
                format!("{action}: {detail}")
            },
        })
        .collect())
}

pub(crate) fn format_utc(at: Timestamp) -> String {
    let format = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute] UTC");
    time::OffsetDateTime::from_unix_timestamp(at)
        .ok()
        .and_then(|t| t.format(&format).ok())
        .unwrap_or_default()
}

/// Appends to the activity log inside the caller's transaction.
pub async fn record(
    tx: &mut sqlx::SqliteConnection,
    organization_id: i64,
    account_id: i64,
    action: &str,
    detail: &str,
    at: Timestamp,
) -> AppResult<()> {
    append(tx, organization_id, Some(account_id), action, detail, at).await
}

/// The same for what the panel does on its own (a refund): shown as "Orgpanel".
pub async fn record_system(
    tx: &mut sqlx::SqliteConnection,
    organization_id: i64,
    action: &str,
    detail: &str,
    at: Timestamp,
) -> AppResult<()> {
    append(tx, organization_id, None, action, detail, at).await
}

async fn append(
    tx: &mut sqlx::SqliteConnection,
    organization_id: i64,
    account_id: Option<i64>,
    action: &str,
    detail: &str,
    at: Timestamp,
) -> AppResult<()> {
    sqlx::query(
        "INSERT INTO activity (organization_id, account_id, by_system, action, detail, at) VALUES (?, ?, ?, ?, ?, ?)",
    )
    .bind(organization_id)
    .bind(account_id)
    .bind(account_id.is_none())
    .bind(action)
    .bind(detail)
    .bind(at)
    .execute(tx)
    .await?;
    Ok(())
}

/// Creates an organization with `account_id` as its Owner; returns its public id.
pub async fn create(
    db: &Db,
    account_id: i64,
    name: &OrganizationName,
    now: Timestamp,
) -> AppResult<String> {
    let public_id = new_public_id();
    let mut tx = db.write.begin().await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO organizations (public_id, name, created_by, created_at) VALUES (?, ?, ?, ?) RETURNING id",
    )
    .bind(&public_id)
    .bind(name.as_str())
    .bind(account_id)
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    sqlx::query("INSERT INTO memberships (organization_id, account_id, role, created_at) VALUES (?, ?, 'owner', ?)")
        .bind(id)
        .bind(account_id)
        .bind(now)
        .execute(&mut *tx)
        .await?;
    record(
        &mut tx,
        id,
        account_id,
        "Organization created",
        name.as_str(),
        now,
    )
    .await?;
    tx.commit().await?;
    tracing::info!(organization = %public_id, account_id, "organization created");
    Ok(public_id)
}

pub async fn rename(
    db: &Db,
    access: &OrgAccess,
    account_id: i64,
    name: &OrganizationName,
    now: Timestamp,
) -> AppResult<()> {
    if name.as_str() == access.org.name {
        return Ok(());
    }
    let mut tx = db.write.begin().await?;
    sqlx::query("UPDATE organizations SET name = ? WHERE id = ?")
        .bind(name.as_str())
        .bind(access.id)
        .execute(&mut *tx)
        .await?;
    let detail = format!("from {} to {}", access.org.name, name.as_str());
    record(
        &mut tx,
        access.id,
        account_id,
        "Organization renamed",
        &detail,
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Deletes the organization with its memberships and activity log.
/// Deletes the organization for everyone: its memberships go, so no page
/// reaches it; its payments, card setups, services and activity stay (the
/// database refuses to delete those). Refused while a card setup is open or
/// a refund pending (see `billing::card::settle_before_delete`), checked
/// again here in the write transaction.
pub async fn delete(db: &Db, access: &OrgAccess, account_id: i64, now: Timestamp) -> AppResult<()> {
    let mut tx = db.write.begin().await?;
    let under_way: bool = sqlx::query_scalar(
        "SELECT EXISTS (SELECT 1 FROM card_setups WHERE organization_id = ?1 AND status = 'started')
             OR EXISTS (SELECT 1 FROM refund_jobs j JOIN payments p ON p.id = j.payment_id
                         WHERE p.organization_id = ?1 AND j.done_at IS NULL)",
    )
    .bind(access.id)
    .fetch_one(&mut *tx)
    .await?;
    if under_way {
        return Err(AppError::Conflict(
            "This organization cannot be deleted yet: a card is being added. Nothing was deleted. \
             Try again in 1 minute."
                .into(),
        ));
    }
    sqlx::query("UPDATE organizations SET deleted_at = ? WHERE id = ? AND deleted_at IS NULL")
        .bind(now)
        .bind(access.id)
        .execute(&mut *tx)
        .await?;
    sqlx::query("DELETE FROM memberships WHERE organization_id = ?")
        .bind(access.id)
        .execute(&mut *tx)
        .await?;
    record(
        &mut tx,
        access.id,
        account_id,
        "Organization deleted",
        &access.org.name,
        now,
    )
    .await?;
    tx.commit().await?;
    tracing::info!(organization = %access.org.public_id, account_id, "organization deleted");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::new_public_id;

    #[test]
    fn public_ids_are_random_and_url_safe() {
        let a = new_public_id();
        let b = new_public_id();
        assert_eq!(a.len(), 16);
        assert_ne!(a, b);
        assert!(a
            .chars()
            .all(|c| c.is_ascii_lowercase() || ('2'..='7').contains(&c)));
    }
}
