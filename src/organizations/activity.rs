//! The activity log: who did what in an organization, appended inside the
//! transaction of what it records, so an entry exists exactly when the
//! change does.

use super::{ActivityEntry, Actor};
use crate::clock::{format_utc, Timestamp};
use crate::error::AppResult;
use crate::server::db::Db;

/// The newest entries first.
pub async fn list(db: &Db, organization_id: i64) -> AppResult<Vec<ActivityEntry>> {
    /// An entry as stored; `who` is `None` once the account is deleted.
    #[derive(sqlx::FromRow)]
    struct Row {
        at: Timestamp,
        who: Option<String>,
        action: String,
        detail: String,
    }
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT e.at, CASE WHEN e.by_system = 1 THEN 'Orgpanel'
                           WHEN e.api_key_id IS NOT NULL THEN 'API key “' || k.description || '”'
                           ELSE a.name END AS who,
                e.action, e.detail
           FROM activity e LEFT JOIN accounts a ON a.id = e.account_id
                LEFT JOIN api_keys k ON k.id = e.api_key_id
          WHERE e.organization_id = $1
          ORDER BY e.id DESC
          LIMIT 500",
    )
    .bind(organization_id)
    .fetch_all(&db.read)
    .await?;
    Ok(rows
        .into_iter()
        .map(|row| ActivityEntry {
            at: format_utc(row.at),
            who: row.who.unwrap_or_else(|| "A deleted account".into()),
            what: if row.detail.is_empty() {
                row.action
            } else {
                format!("{}: {}", row.action, row.detail)
            },
        })
        .collect())
}

/// Appends what `by` did to the activity log, inside the caller's transaction.
pub async fn record(
    tx: &mut crate::server::db::Connection,
    organization_id: i64,
    by: Actor,
    action: &str,
    detail: &str,
    at: Timestamp,
) -> AppResult<()> {
    append(tx, organization_id, Some(by), action, detail, at).await
}

/// The same for what the panel does on its own (a refund): shown as "Orgpanel".
pub async fn record_system(
    tx: &mut crate::server::db::Connection,
    organization_id: i64,
    action: &str,
    detail: &str,
    at: Timestamp,
) -> AppResult<()> {
    append(tx, organization_id, None, action, detail, at).await
}

/// `by` is `None` for the panel itself.
async fn append(
    tx: &mut crate::server::db::Connection,
    organization_id: i64,
    by: Option<Actor>,
    action: &str,
    detail: &str,
    at: Timestamp,
) -> AppResult<()> {
    sqlx::query(
        "INSERT INTO activity (organization_id, account_id, api_key_id, by_system, action, detail, at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(organization_id)
    .bind(by.and_then(Actor::account_id))
    .bind(by.and_then(Actor::api_key_id))
    .bind(i64::from(by.is_none()))
    .bind(action)
    .bind(detail)
    .bind(at)
    .execute(tx)
    .await?;
    Ok(())
}
