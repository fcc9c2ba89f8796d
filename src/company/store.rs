//! Company information in SQLite, saved whole or not at all.

use super::{CompanyField, CompanyForm, CompanyInformation, StoredCompany};
use crate::clock::Timestamp;
use crate::error::{AppError, AppResult};
use crate::organizations::{activity, OrgAccess};
use crate::server::db::Db;

/// A `company_information` row as stored: normalized values and the version.
#[derive(sqlx::FromRow)]
struct Row {
    company_name: String,
    business_id: String,
    vat_number: Option<String>,
    address: String,
    postal_code: String,
    city: String,
    country: String,
    email: String,
    phone: String,
    version: i64,
}

/// The company information as Settings shows it (empty, version 0, before the first save).
pub async fn load(db: &Db, organization_id: i64) -> AppResult<StoredCompany> {
    let mut conn = db.read.acquire().await?;
    Ok(match load_in(&mut conn, organization_id).await? {
        Some((form, version)) => StoredCompany { form, version },
        None => StoredCompany {
            form: CompanyForm::default(),
            version: 0,
        },
    })
}

/// Whether the organization's company information is complete and valid
/// (by today's rules: a stored row that no longer parses does not count).
pub async fn is_complete_in(
    conn: &mut crate::server::db::Connection,
    organization_id: i64,
) -> AppResult<bool> {
    Ok(load_in(conn, organization_id)
        .await?
        .is_some_and(|(form, _)| form.parse().is_ok()))
}

/// Saves `info` inside the caller's write transaction, with its activity
/// entry, if the stored version is still `version` (`None`: whatever it
/// is); otherwise someone else saved meanwhile and nothing is written.
pub async fn save_in(
    tx: &mut crate::server::db::Connection,
    access: &OrgAccess,
    info: &CompanyInformation,
    version: Option<i64>,
    now: Timestamp,
) -> AppResult<()> {
    let before = load_in(tx, access.id).await?;
    let current_version = before.as_ref().map_or(0, |(_, v)| *v);
    if version.is_some_and(|version| version != current_version) {
        return Err(AppError::Conflict(
            "Someone else saved the company information while you were editing, so nothing of \
             yours was saved."
                .into(),
        ));
    }
    let after = CompanyForm::from(info);
    let changed: Vec<&str> = CompanyField::ALL
        .into_iter()
        .filter(|&field| {
            before
                .as_ref()
                .map_or(!after.get(field).is_empty(), |(b, _)| {
                    b.get(field) != after.get(field)
                })
        })
        .map(CompanyField::label)
        .collect();
    if changed.is_empty() {
        return Ok(());
    }
    sqlx::query(
        "INSERT INTO company_information
            (organization_id, company_name, business_id, vat_number, address, postal_code, city, country,
             email, phone, version, updated_by, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 1, $11, $12)
         ON CONFLICT (organization_id) DO UPDATE SET
            company_name = excluded.company_name, business_id = excluded.business_id,
            vat_number = excluded.vat_number, address = excluded.address,
            postal_code = excluded.postal_code, city = excluded.city, country = excluded.country,
            email = excluded.email, phone = excluded.phone, version = company_information.version + 1,
            updated_by = excluded.updated_by, updated_at = excluded.updated_at",
    )
    .bind(access.id)
    .bind(info.company_name.as_str())
    .bind(info.business_id.normalized())
    .bind(info.vat_number.as_ref().map(|v| v.as_str().to_owned()))
    .bind(info.address.as_str())
    .bind(info.postal_code.normalized())
    .bind(info.city.as_str())
    .bind(info.country.code())
    .bind(info.email.as_str())
    .bind(info.phone.as_str())
    .bind(access.account_id())
    .bind(now)
    .execute(&mut *tx)
    .await?;
    activity::record(
        tx,
        access.id,
        access.actor(),
        "Company information updated",
        &changed.join(", "),
        now,
    )
    .await
}

/// The stored company information, formatted, with its version.
pub async fn load_in(
    tx: &mut crate::server::db::Connection,
    organization_id: i64,
) -> AppResult<Option<(CompanyForm, i64)>> {
    let row: Option<Row> = sqlx::query_as(
        "SELECT company_name, business_id, vat_number, address, postal_code, city, country, email, phone, version
           FROM company_information WHERE organization_id = $1",
    )
    .bind(organization_id)
    .fetch_optional(tx)
    .await?;
    Ok(row.map(|row| {
        let version = row.version;
        let raw = CompanyForm {
            company_name: row.company_name,
            business_id: row.business_id,
            vat_number: row.vat_number.unwrap_or_default(),
            address: row.address,
            postal_code: row.postal_code,
            city: row.city,
            country: row.country,
            email: row.email,
            phone: row.phone,
        };
        // Stored normalized; shown (and compared) formatted.
        let shown = raw
            .parse()
            .map(|info| CompanyForm::from(&info))
            .unwrap_or(raw);
        (shown, version)
    }))
}
