//! Organizations and their members in SQLite. Other features reach an
//! organization only through [`super::gate`].

use super::{activity, Actor, Collaborator, Membership, OrgAccess, OrgSummary, Role};
use crate::auth::Account;
use crate::clock::Timestamp;
use crate::error::{AppError, AppResult};
use crate::ids::{new_customer_number, new_public_id};
use crate::page::Window;
use crate::server::db::Db;
use crate::validate::OrganizationName;

/// A membership as stored, with how many the whole list holds.
#[derive(sqlx::FromRow)]
struct MembershipRow {
    public_id: String,
    customer_number: String,
    name: String,
    role: String,
    total: i64,
}

impl MembershipRow {
    fn membership(self) -> AppResult<Membership> {
        let role = Role::parse(&self.role)
            .ok_or_else(|| AppError::internal(format!("unknown role {:?}", self.role)))?;
        Ok(Membership {
            org: OrgSummary {
                public_id: self.public_id,
                customer_number: self.customer_number,
                name: self.name,
            },
            role,
        })
    }
}

/// A paged list's total: as the page's rows carry it, else (a page past
/// the end) counted with `count` for `id`; an empty first page is 0.
async fn total(
    db: &Db,
    on_page: Option<i64>,
    window: Window,
    count: &'static str,
    id: i64,
) -> AppResult<i64> {
    match on_page {
        Some(total) => Ok(total),
        None if window.offset > 0 => Ok(sqlx::query_scalar(count)
            .bind(id)
            .fetch_one(&db.read)
            .await?),
        None => Ok(0),
    }
}

/// The account's organizations with its role in each, by name: those in
/// `window`, and how many there are in all.
pub async fn organizations_of(
    db: &Db,
    account_id: i64,
    window: Window,
) -> AppResult<(Vec<Membership>, i64)> {
    // The order comes from memberships_by_account_and_name, and the total
    // from counting index entries: nothing sorts all the account's
    // organizations (a window count would, for every page shown).
    let sql = format!(
        "SELECT o.public_id, o.customer_number, o.name, m.role,
                (SELECT count(*) FROM memberships WHERE account_id = $1) AS total
           FROM memberships m JOIN organizations o ON o.id = m.organization_id
          WHERE m.account_id = $2
          ORDER BY {}, m.organization_id
          LIMIT $3 OFFSET $4",
        db.dialect.case_folded("m.organization_name")
    );
    let rows: Vec<MembershipRow> = sqlx::query_as(&sql)
        .bind(account_id)
        .bind(account_id)
        .bind(window.limit)
        .bind(window.offset)
        .fetch_all(&db.read)
        .await?;
    let total = total(
        db,
        rows.first().map(|row| row.total),
        window,
        "SELECT count(*) FROM memberships WHERE account_id = $1",
        account_id,
    )
    .await?;
    let memberships = rows
        .into_iter()
        .map(MembershipRow::membership)
        .collect::<AppResult<_>>()?;
    Ok((memberships, total))
}

/// The account's membership in the organization `public_id`, if it has one.
pub async fn membership_in(
    db: &Db,
    account_id: i64,
    public_id: &str,
) -> AppResult<Option<Membership>> {
    let row: Option<MembershipRow> = sqlx::query_as(
        "SELECT o.public_id, o.customer_number, o.name, m.role, 1 AS total
           FROM memberships m JOIN organizations o ON o.id = m.organization_id
          WHERE m.account_id = $1 AND o.public_id = $2",
    )
    .bind(account_id)
    .bind(public_id)
    .fetch_optional(&db.read)
    .await?;
    row.map(MembershipRow::membership).transpose()
}

/// The organization's members by role, then name: those in `window`, and
/// how many there are in all.
pub async fn collaborators(
    db: &Db,
    organization_id: i64,
    window: Window,
) -> AppResult<(Vec<Collaborator>, i64)> {
    /// A member as stored.
    #[derive(sqlx::FromRow)]
    struct Row {
        name: String,
        email: String,
        role: String,
        total: i64,
    }
    let sql = format!(
        "SELECT a.name, a.email, m.role,
                (SELECT count(*) FROM memberships WHERE organization_id = $1) AS total
           FROM memberships m JOIN accounts a ON a.id = m.account_id
          WHERE m.organization_id = $2
          ORDER BY CASE m.role WHEN 'owner' THEN 0 WHEN 'admin' THEN 1 WHEN 'billing' THEN 2 ELSE 3 END,
                   {}, a.id
          LIMIT $3 OFFSET $4",
        db.dialect.case_folded("a.name")
    );
    let rows: Vec<Row> = sqlx::query_as(&sql)
        .bind(organization_id)
        .bind(organization_id)
        .bind(window.limit)
        .bind(window.offset)
        .fetch_all(&db.read)
        .await?;
    let total = total(
        db,
        rows.first().map(|row| row.total),
        window,
        "SELECT count(*) FROM memberships WHERE organization_id = $1",
        organization_id,
    )
    .await?;
    let members = rows
        .into_iter()
        .map(|row| {
            let role = Role::parse(&row.role)
                .ok_or_else(|| AppError::internal(format!("unknown role {:?}", row.role)))?;
            Ok(Collaborator {
                name: row.name,
                email: row.email,
                role,
            })
        })
        .collect::<AppResult<_>>()?;
    Ok((members, total))
}

/// Creates an organization with `account` as its Owner.
pub async fn create(
    db: &Db,
    account: &Account,
    name: &OrganizationName,
    now: Timestamp,
) -> AppResult<OrgSummary> {
    let public_id = new_public_id();
    let mut tx = db.write.begin().await?;
    // Drawn until free: on the single writer nobody takes it in between.
    let customer_number = loop {
        let candidate = new_customer_number();
        let taken = 1 == sqlx::query_scalar::<_, i64>(
            "SELECT CASE WHEN EXISTS (SELECT 1 FROM organizations WHERE customer_number = $1) THEN 1 ELSE 0 END",
        )
        .bind(&candidate)
        .fetch_one(&mut *tx)
        .await?;
        if !taken {
            break candidate;
        }
    };
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO organizations (public_id, customer_number, name, created_by, created_at)
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(&public_id)
    .bind(&customer_number)
    .bind(name.as_str())
    .bind(account.id)
    .bind(now)
    .fetch_one(&mut *tx)
    .await?;
    sqlx::query(
        "INSERT INTO memberships (organization_id, account_id, role, created_at, organization_name)
         VALUES ($1, $2, 'owner', $3, $4)",
    )
    .bind(id)
    .bind(account.id)
    .bind(now)
    .bind(name.as_str())
    .execute(&mut *tx)
    .await?;
    activity::record(
        &mut tx,
        id,
        Actor::Person(account.id),
        "Organization created",
        name.as_str(),
        now,
    )
    .await?;
    tx.commit().await?;
    tracing::info!(organization = %public_id, account = account.id, "organization created");
    Ok(OrgSummary {
        public_id,
        customer_number,
        name: name.as_str().to_owned(),
    })
}

pub async fn rename(
    db: &Db,
    access: &OrgAccess,
    name: &OrganizationName,
    now: Timestamp,
) -> AppResult<()> {
    if name.as_str() == access.org.name {
        return Ok(());
    }
    let mut tx = db.write.begin().await?;
    sqlx::query("UPDATE organizations SET name = $1 WHERE id = $2")
        .bind(name.as_str())
        .bind(access.id)
        .execute(&mut *tx)
        .await?;
    // The members' lists are ordered by their copy of the name.
    sqlx::query("UPDATE memberships SET organization_name = $1 WHERE organization_id = $2")
        .bind(name.as_str())
        .bind(access.id)
        .execute(&mut *tx)
        .await?;
    let detail = format!("from {} to {}", access.org.name, name.as_str());
    activity::record(
        &mut tx,
        access.id,
        access.actor(),
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
/// reaches it; its payments, card setups, services, invoices and activity
/// stay (the database refuses to delete those). Refused while a card setup
/// is open or a refund pending (see `billing::card::settle_before_delete`),
/// checked again here in the write transaction, and while an invoice is
/// unpaid.
pub async fn delete(db: &Db, access: &OrgAccess, now: Timestamp) -> AppResult<()> {
    let mut tx = db.write.begin().await?;
    let under_way = 1 == sqlx::query_scalar::<_, i64>(
        "SELECT CASE WHEN EXISTS (SELECT 1 FROM card_setups WHERE organization_id = $1 AND status = 'started')
             OR EXISTS (SELECT 1 FROM refund_jobs j JOIN payments p ON p.id = j.payment_id
                         WHERE p.organization_id = $1 AND j.done_at IS NULL) THEN 1 ELSE 0 END",
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
    // An unpaid invoice is paid first: once deleted, nobody could see it or
    // pay it. (Plain SQL: invoices sit above this feature.)
    let unpaid: Option<i64> = sqlx::query_scalar(
        "SELECT number FROM invoices
          WHERE organization_id = $1 AND status = 'unpaid'
            AND credited_at IS NULL
          ORDER BY number LIMIT 1",
    )
    .bind(access.id)
    .fetch_optional(&mut *tx)
    .await?;
    if let Some(number) = unpaid {
        return Err(AppError::Conflict(format!(
            "This organization cannot be deleted while invoice {number} is unpaid: pay it on Billing \
             first. Nothing was deleted."
        )));
    }
    sqlx::query("UPDATE organizations SET deleted_at = $1 WHERE id = $2 AND deleted_at IS NULL")
        .bind(now)
        .bind(access.id)
        .execute(&mut *tx)
        .await?;
    sqlx::query("DELETE FROM memberships WHERE organization_id = $1")
        .bind(access.id)
        .execute(&mut *tx)
        .await?;
    // Its services end with it, in this transaction: nobody could reach
    // them any more, and the monthly invoice bills them only until now.
    // (Plain SQL: the services feature sits above this one.)
    sqlx::query(
        "UPDATE services SET deleted_at = $1, deleted_by = $2
          WHERE organization_id = $3 AND deleted_at IS NULL",
    )
    .bind(now)
    .bind(access.account_id())
    .bind(access.id)
    .execute(&mut *tx)
    .await?;
    activity::record(
        &mut tx,
        access.id,
        access.actor(),
        "Organization deleted",
        &access.org.name,
        now,
    )
    .await?;
    tx.commit().await?;
    tracing::info!(organization = %access.org.public_id, account = ?access.account_id(), api_key = ?access.by.api_key_id(), "organization deleted");
    Ok(())
}
