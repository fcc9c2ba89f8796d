//! Billing in SQLite. Readiness is read inside the caller's connection so
//! that a write can check it in the same transaction.

use super::{
    BillingFacts, BillingField, BillingView, CardState, CardView, InvoiceDelivery, Missing,
    PaymentMethod,
};
use crate::clock::Timestamp;
use crate::company::CompanyForm;
use crate::error::{AppError, AppResult};
use crate::organizations::{activity, OrgAccess};
use crate::server::db::Db;
use crate::validate::{Country, Email};

/// The stored billing row; all empty before anything is chosen.
#[derive(sqlx::FromRow, Default)]
struct Row {
    method: Option<String>,
    invoice_delivery: Option<String>,
    invoice_email: Option<String>,
}

async fn row_in(conn: &mut crate::server::db::Connection, organization_id: i64) -> AppResult<Row> {
    let row: Option<Row> = sqlx::query_as(
        "SELECT method, invoice_delivery, invoice_email FROM billing WHERE organization_id = $1",
    )
    .bind(organization_id)
    .fetch_optional(conn)
    .await?;
    Ok(row.unwrap_or_default())
}

/// How the organization's invoices are settled, as stored now: the method,
/// the delivery and the invoice email (for the invoice run, which acts for
/// no person).
pub async fn settlement_in(
    conn: &mut crate::server::db::Connection,
    organization_id: i64,
) -> AppResult<(
    Option<PaymentMethod>,
    Option<InvoiceDelivery>,
    Option<String>,
)> {
    let row = row_in(conn, organization_id).await?;
    let (method, delivery) = parse_row(&row)?;
    Ok((method, delivery, row.invoice_email))
}

fn parse_row(row: &Row) -> AppResult<(Option<PaymentMethod>, Option<InvoiceDelivery>)> {
    let method = match &row.method {
        None => None,
        Some(m) => Some(
            PaymentMethod::parse(m)
                .ok_or_else(|| AppError::internal(format!("unknown payment method {m:?}")))?,
        ),
    };
    let delivery = match &row.invoice_delivery {
        None => None,
        Some(d) => Some(
            InvoiceDelivery::parse(d)
                .ok_or_else(|| AppError::internal(format!("unknown invoice delivery {d:?}")))?,
        ),
    };
    Ok((method, delivery))
}

/// Everything billing is decided from, in three queries.
struct Stored {
    /// The company information, when it is complete and valid.
    company: Option<CompanyForm>,
    row: Row,
    card: Option<CardView>,
}

async fn stored_in(
    conn: &mut crate::server::db::Connection,
    organization_id: i64,
    now: Timestamp,
) -> AppResult<Stored> {
    let company = crate::company::load_in(conn, organization_id)
        .await?
        .map(|(form, _)| form)
        .filter(|form| form.parse().is_ok());
    Ok(Stored {
        company,
        row: row_in(conn, organization_id).await?,
        card: super::card::card_view_in(conn, organization_id, now).await?,
    })
}

impl Stored {
    fn facts(&self) -> AppResult<BillingFacts> {
        let (method, delivery) = parse_row(&self.row)?;
        Ok(BillingFacts {
            company_information: self.company.is_some(),
            method,
            delivery,
            invoice_email: self
                .row
                .invoice_email
                .as_deref()
                .is_some_and(|e| Email::parse(e).is_ok()),
            card: match &self.card {
                None => CardState::None,
                Some(card) if card.expired => CardState::Expired,
                Some(_) => CardState::Valid,
            },
        })
    }
}

pub async fn facts_in(
    conn: &mut crate::server::db::Connection,
    organization_id: i64,
    now: Timestamp,
) -> AppResult<BillingFacts> {
    stored_in(conn, organization_id, now).await?.facts()
}

pub async fn facts(db: &Db, organization_id: i64, now: Timestamp) -> AppResult<BillingFacts> {
    let mut conn = db.read.acquire().await?;
    facts_in(&mut conn, organization_id, now).await
}

/// What keeps billing from being ready; empty when it is.
pub async fn missing(db: &Db, organization_id: i64, now: Timestamp) -> AppResult<Vec<Missing>> {
    Ok(super::missing(&facts(db, organization_id, now).await?))
}

/// The lines an invoice by post is addressed with.
fn postal_address(company: &CompanyForm) -> Vec<String> {
    let country = Country::parse(&company.country)
        .map(Country::name)
        .unwrap_or_default();
    vec![
        company.company_name.clone(),
        company.address.clone(),
        format!("{} {}", company.postal_code, company.city),
        country.to_owned(),
    ]
}

pub async fn view(db: &Db, access: OrgAccess, now: Timestamp) -> AppResult<BillingView> {
    view_with(db, access, now, true).await
}

/// [`view`] without the payments (`payments: None` for every role), for
/// the overview, which shows none.
pub async fn summary(db: &Db, access: OrgAccess, now: Timestamp) -> AppResult<BillingView> {
    view_with(db, access, now, false).await
}

async fn view_with(
    db: &Db,
    access: OrgAccess,
    now: Timestamp,
    with_payments: bool,
) -> AppResult<BillingView> {
    let stored = stored_in(&mut *db.read.acquire().await?, access.id, now).await?;
    let facts = stored.facts()?;
    // The card's digits, the invoice address and the payments are for the
    // roles that handle money (Owner, Billing).
    let details = access.may(crate::organizations::Action::ManageBilling);
    let payments = if details && with_payments {
        Some(super::card::payments(db, access.id).await?)
    } else {
        None
    };
    let company_email = stored.company.as_ref().map(|c| c.email.clone());
    Ok(BillingView {
        method: facts.method,
        delivery: facts.delivery,
        invoice_email: if details {
            stored
                .row
                .invoice_email
                .or(company_email)
                .unwrap_or_default()
        } else {
            String::new()
        },
        postal_address: stored.company.as_ref().map(postal_address),
        company: stored
            .company
            .as_ref()
            .map(|c| (c.company_name.clone(), c.business_id.clone())),
        card: stored.card.map(|card| CardView {
            last4: card.last4.filter(|_| details),
            ..card
        }),
        payments,
        missing: super::missing(&facts),
        access: access.membership(),
    })
}

/// Makes `method` the organization's method of payment, keeping the
/// invoice settings (and any card on file) for a later switch back;
/// inside the caller's write transaction, with its activity entry.
pub async fn set_method_in(
    tx: &mut crate::server::db::Connection,
    access: &OrgAccess,
    method: PaymentMethod,
    now: Timestamp,
) -> AppResult<()> {
    let (before, _) = parse_row(&row_in(tx, access.id).await?)?;
    if before == Some(method) {
        return Ok(());
    }
    sqlx::query(
        "INSERT INTO billing (organization_id, method, updated_by, updated_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (organization_id) DO UPDATE SET
            method = excluded.method, updated_by = excluded.updated_by, updated_at = excluded.updated_at",
    )
    .bind(access.id)
    .bind(method.as_str())
    .bind(access.account_id())
    .bind(now)
    .execute(&mut *tx)
    .await?;
    if method == PaymentMethod::Card {
        // The card on file is in use now: the note that Invoice was kept is done.
        sqlx::query(
            "UPDATE cards SET kept_method = NULL WHERE organization_id = $1 AND replaced_at IS NULL",
        )
        .bind(access.id)
        .execute(&mut *tx)
        .await?;
    }
    let detail = match before {
        Some(before) => format!("{} (was {})", method.label(), before.label()),
        None => method.label().to_owned(),
    };
    activity::record(
        tx,
        access.id,
        access.actor(),
        "Method of payment changed",
        &detail,
        now,
    )
    .await
}

/// How invoices reach the organization, inside the caller's write
/// transaction. Snail mail goes to the company address, so it needs the
/// company information first (as the same transaction sees it).
pub async fn set_delivery_in(
    tx: &mut crate::server::db::Connection,
    access: &OrgAccess,
    delivery: InvoiceDelivery,
    invoice_email: Option<&Email>,
    now: Timestamp,
) -> AppResult<()> {
    let row = row_in(tx, access.id).await?;
    let (method, before) = parse_row(&row)?;
    if method != Some(PaymentMethod::Invoice) {
        return Err(AppError::Conflict(
            "Choose Invoice as the method of payment before choosing how invoices are delivered."
                .into(),
        ));
    }
    if delivery == InvoiceDelivery::SnailMail
        && !crate::company::is_complete_in(tx, access.id).await?
    {
        return Err(AppError::field(
            BillingField::Delivery,
            "Invoices by snail mail go to the company address: fill in the company information in Settings first.",
        ));
    }
    let email = match delivery {
        InvoiceDelivery::Email => {
            invoice_email
                .map(|e| e.as_str().to_owned())
                .ok_or_else(|| {
                    AppError::field(
                        BillingField::InvoiceEmail,
                        "Enter the email address invoices are sent to.",
                    )
                })?
        }
        // Kept (or, when one is given, replaced) for a later switch back to email.
        InvoiceDelivery::SnailMail => invoice_email
            .map(|e| e.as_str().to_owned())
            .or_else(|| row.invoice_email.clone())
            .unwrap_or_default(),
    };
    let email = (!email.is_empty()).then_some(email);
    if before == Some(delivery) && email == row.invoice_email {
        return Ok(());
    }
    sqlx::query(
        "UPDATE billing SET invoice_delivery = $1, invoice_email = $2, updated_by = $3, updated_at = $4
          WHERE organization_id = $5",
    )
    .bind(delivery.as_str())
    .bind(&email)
    .bind(access.account_id())
    .bind(now)
    .bind(access.id)
    .execute(&mut *tx)
    .await?;
    let detail = match (delivery, &email) {
        (InvoiceDelivery::Email, Some(email)) => format!("Email, to {email}"),
        _ => "Snail mail, to the company address".to_owned(),
    };
    activity::record(
        tx,
        access.id,
        access.actor(),
        "Invoice delivery changed",
        &detail,
        now,
    )
    .await
}
