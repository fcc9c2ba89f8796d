//! Services in SQLite. A create checks billing readiness and the name's
//! uniqueness inside its own transaction, so neither can change in between.

use super::{DataCenter, NewService, Plan, Service};
use crate::clock::{format_utc, Timestamp};
use crate::error::{AppError, AppResult};
use crate::ids::new_public_id;
use crate::money::Money;
use crate::organizations::{activity, OrgAccess};
use crate::server::db::Db;

/// A service as stored.
#[derive(sqlx::FromRow)]
struct Row {
    public_id: String,
    name: String,
    plan: String,
    data_center: String,
    monthly_cents: i64,
    currency: String,
    created_at: Timestamp,
}

/// The services that are not deleted, by name.
pub async fn list(db: &Db, organization_id: i64) -> AppResult<Vec<Service>> {
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT public_id, name, plan, data_center, monthly_cents, currency, created_at
           FROM services WHERE organization_id = $1 AND deleted_at IS NULL
          ORDER BY name",
    )
    .bind(organization_id)
    .fetch_all(&db.read)
    .await?;
    rows.into_iter()
        .map(|row| {
            Ok(Service {
                monthly: Money::stored(row.monthly_cents, &row.currency)?,
                // A plan or data center no longer offered still shows its id.
                plan: Plan::parse(&row.plan).map_or_else(|_| row.plan.clone(), |p| p.summary()),
                plan_id: row.plan,
                data_center: DataCenter::parse(&row.data_center)
                    .map_or_else(|_| row.data_center.clone(), |d| d.description()),
                data_center_id: row.data_center,
                created_at: format_utc(row.created_at),
                created: row.created_at,
                public_id: row.public_id,
                name: row.name,
            })
        })
        .collect()
}

/// How many services the organization runs (created, not deleted).
pub async fn running(db: &Db, organization_id: i64) -> AppResult<i64> {
    Ok(sqlx::query_scalar(
        "SELECT count(*) FROM services WHERE organization_id = $1 AND deleted_at IS NULL",
    )
    .bind(organization_id)
    .fetch_one(&db.read)
    .await?)
}

/// Creates the service if billing is ready and the name is free.
pub async fn create(
    db: &Db,
    access: &OrgAccess,
    service: &NewService,
    now: Timestamp,
) -> AppResult<Service> {
    let mut tx = db.write.begin().await?;
    let missing =
        crate::billing::missing(&crate::billing::facts_in(&mut tx, access.id, now).await?);
    if !missing.is_empty() {
        return Err(AppError::BillingNotReady);
    }
    let taken: Option<i64> = sqlx::query_scalar(
        "SELECT 1 FROM services WHERE organization_id = $1 AND name = $2 AND deleted_at IS NULL",
    )
    .bind(access.id)
    .bind(service.name.as_str())
    .fetch_optional(&mut *tx)
    .await?;
    if taken.is_some() {
        return Err(AppError::field(
            super::ServiceField::Name,
            format!(
                "There is already a service named {} in this organization.",
                service.name
            ),
        ));
    }
    let public_id = new_public_id();
    sqlx::query(
        "INSERT INTO services (public_id, organization_id, name, plan, data_center, monthly_cents, currency,
                               created_by, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(&public_id)
    .bind(access.id)
    .bind(service.name.as_str())
    .bind(service.plan.id)
    .bind(service.data_center.id)
    .bind(service.plan.monthly.cents)
    .bind(service.plan.monthly.currency.code())
    .bind(access.account_id())
    .bind(now)
    .execute(&mut *tx)
    .await?;
    let detail = format!(
        "{} ({} in {}, {} a month)",
        service.name, service.plan.name, service.data_center.city, service.plan.monthly
    );
    activity::record(
        &mut tx,
        access.id,
        access.actor(),
        "Service created",
        &detail,
        now,
    )
    .await?;
    tx.commit().await?;
    tracing::info!(organization = %access.org.public_id, service = %public_id, "service created");
    Ok(Service {
        public_id,
        name: service.name.to_string(),
        plan: service.plan.summary(),
        plan_id: service.plan.id.to_owned(),
        data_center: service.data_center.description(),
        data_center_id: service.data_center.id.to_owned(),
        monthly: service.plan.monthly,
        created_at: format_utc(now),
        created: now,
    })
}

/// Deletes the service; returns its name. A service already deleted (a
/// second click, another tab) is a `Conflict`; one that never was the
/// organization's is `NotFound`.
pub async fn delete(
    db: &Db,
    access: &OrgAccess,
    public_id: &str,
    now: Timestamp,
) -> AppResult<String> {
    let mut tx = db.write.begin().await?;
    let name: Option<String> = sqlx::query_scalar(
        "UPDATE services SET deleted_at = $1, deleted_by = $2
          WHERE public_id = $3 AND organization_id = $4 AND deleted_at IS NULL
          RETURNING name",
    )
    .bind(now)
    .bind(access.account_id())
    .bind(public_id)
    .bind(access.id)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(name) = name else {
        // Deleted meanwhile (a second click, another tab), or never this
        // organization's at all.
        let deleted = 1 == sqlx::query_scalar::<_, i64>(
            "SELECT CASE WHEN EXISTS (SELECT 1 FROM services WHERE public_id = $1 AND organization_id = $2) THEN 1 ELSE 0 END",
        )
        .bind(public_id)
        .bind(access.id)
        .fetch_one(&mut *tx)
        .await?;
        return Err(if deleted {
            AppError::Conflict(
                "That service no longer exists: it may have been deleted meanwhile.".into(),
            )
        } else {
            AppError::NotFound
        });
    };
    activity::record(
        &mut tx,
        access.id,
        access.actor(),
        "Service deleted",
        &name,
        now,
    )
    .await?;
    tx.commit().await?;
    tracing::info!(organization = %access.org.public_id, service = %public_id, "service deleted");
    Ok(name)
}
