//! What Billing shows of invoices: the issued ones and the estimate of the
//! next, for the roles that see payments (Owner, Billing).

use super::rules::{rate_shown, Period};
use super::run::{bill, Bill};
use super::{Estimate, InvoiceSummary, InvoicesView, LineView};
use crate::clock::format_date;
use crate::clock::Timestamp;
use crate::error::{AppError, AppResult};
use crate::money::Money;
use crate::organizations::{gate, Action, Principal};
use crate::server::AppState;

/// How many invoices Billing lists, newest first (a decade of months).
pub const LISTED: i64 = 120;

/// An issued invoice as listed, on Billing and by `invoice/list`.
#[derive(sqlx::FromRow)]
pub struct Listed {
    pub number: i64,
    /// "2026-11".
    pub period: String,
    pub issued_at: Timestamp,
    pub due_at: Timestamp,
    pub total_cents: i64,
    /// `issued`, `sent`, `posted`, `paid`, `unpaid`, or `credited` (a
    /// credit note cancelled it); `credit_note` for a credit note (its
    /// total negative).
    pub status: String,
    /// Why the last card charge failed.
    pub charge_error: Option<String>,
    /// A credit note: the number of the invoice it cancels.
    pub credits: Option<i64>,
}

/// The organization's invoices, newest first (at most [`LISTED`]): Owners
/// and Billing collaborators only.
pub async fn list(state: &AppState, by: &Principal, org: &str) -> AppResult<Vec<Listed>> {
    let access = gate::authorize(&state.db, by, org, Action::ManageBilling).await?;
    listed(state, access.id).await
}

/// The current month's bill if every service runs to its end: Owners and
/// Billing collaborators only.
pub async fn next(state: &AppState, by: &Principal, org: &str) -> AppResult<(Period, Bill)> {
    let access = gate::authorize(&state.db, by, org, Action::ManageBilling).await?;
    next_bill(state, access.id, state.clock.now()).await
}

async fn listed(state: &AppState, organization_id: i64) -> AppResult<Vec<Listed>> {
    Ok(sqlx::query_as(
        "SELECT number, period, issued_at, due_at, total_cents,
                CASE WHEN credited_at IS NULL THEN status ELSE 'credited' END AS status, charge_error,
                CAST(NULL AS BIGINT) AS credits
           FROM invoices
          WHERE organization_id = $1
         UNION ALL
         SELECT n.number, i.period, n.issued_at, n.issued_at, -i.total_cents, 'credit_note', NULL,
                i.number
           FROM credit_notes n JOIN invoices i ON i.id = n.invoice_id
          WHERE n.organization_id = $1
         ORDER BY number DESC LIMIT $2",
    )
    .bind(organization_id)
    .bind(LISTED)
    .fetch_all(&state.db.read)
    .await?)
}

/// The organization's invoices, newest first, and the estimate of the
/// current month's, as Billing shows them.
pub async fn view(state: &AppState, by: &Principal, org: &str) -> AppResult<InvoicesView> {
    let access = gate::authorize(&state.db, by, org, Action::ManageBilling).await?;
    let invoices = listed(state, access.id)
        .await?
        .into_iter()
        .map(|row| InvoiceSummary {
            number: row.number,
            period: Period::parse(&row.period).map_or(row.period, |p| p.name()),
            date: format_date(row.issued_at),
            // A credit note is due nothing.
            due: if row.credits.is_some() {
                "—".to_owned()
            } else {
                format_date(row.due_at)
            },
            total: Money::eur(row.total_cents).to_string(),
            status: status_label(&row.status).to_owned(),
            pdf: pdf_path(org, row.number),
            unpaid_because: row.charge_error.filter(|_| row.status == "unpaid"),
        })
        .collect();
    let (period, bill) = next_bill(state, access.id, state.clock.now()).await?;
    Ok(InvoicesView {
        invoices,
        estimate: estimate(&period, &bill),
    })
}

/// The bill of the month `now` is in, every service running to its end.
async fn next_bill(
    state: &AppState,
    organization_id: i64,
    now: Timestamp,
) -> AppResult<(Period, Bill)> {
    let period =
        Period::containing(now).ok_or_else(|| AppError::internal("no month contains now"))?;
    let mut conn = state.db.read.acquire().await?;
    let company = crate::company::load_in(&mut conn, organization_id)
        .await?
        .map(|(form, _)| form)
        .unwrap_or_default();
    let services = crate::services::operations::existing_between(
        &mut conn,
        organization_id,
        period.start,
        period.end,
    )
    .await?;
    let bill = bill(&company, services, &period);
    Ok((period, bill))
}

/// The estimate as Billing shows it.
fn estimate(period: &Period, bill: &Bill) -> Estimate {
    Estimate {
        period: period.label(),
        month: period.name(),
        lines: bill
            .lines
            .iter()
            .map(|line| LineView {
                service: line.service.name.clone(),
                plan: crate::services::Plan::name_of(&line.service.plan),
                hours: line.hours,
                month_hours: period.hours(),
                amount: Money::eur(line.net).to_string(),
            })
            .collect(),
        net: Money::eur(bill.totals.net).to_string(),
        vat_rate: rate_shown(i64::from(bill.vat.rate_basis_points)),
        vat: Money::eur(bill.totals.vat).to_string(),
        total: Money::eur(bill.totals.total).to_string(),
        vat_note: bill.vat.note.map(str::to_owned),
    }
}

/// The oldest unpaid invoice of the organization (number, total in cents)
/// and how many are unpaid, for the Overview of those who see payments.
pub async fn unpaid(state: &AppState, organization_id: i64) -> AppResult<Option<(i64, i64, i64)>> {
    let oldest: Option<(i64, i64)> = sqlx::query_as(
        "SELECT number, total_cents FROM invoices
          WHERE organization_id = $1 AND status = 'unpaid'
            AND credited_at IS NULL
          ORDER BY number LIMIT 1",
    )
    .bind(organization_id)
    .fetch_optional(&state.db.read)
    .await?;
    let Some((number, total)) = oldest else {
        return Ok(None);
    };
    let count: i64 = sqlx::query_scalar(
        "SELECT count(*) FROM invoices WHERE organization_id = $1 AND status = 'unpaid'
            AND credited_at IS NULL",
    )
    .bind(organization_id)
    .fetch_one(&state.db.read)
    .await?;
    Ok(Some((number, total, count)))
}

/// Where Billing links invoice `number`'s PDF.
pub fn pdf_path(org: &str, number: i64) -> String {
    format!("/organizations/{org}/invoices/{number}.pdf")
}

/// Invoice `number` of `org` as a PDF, with its file name: Owners and
/// Billing collaborators only; `NotFound` for a number that is not the
/// organization's.
pub async fn pdf(
    state: &AppState,
    by: &Principal,
    org: &str,
    number: i64,
) -> AppResult<(String, Vec<u8>)> {
    let access = gate::authorize(&state.db, by, org, Action::ManageBilling).await?;
    let invoice = super::delivery::load(&state.db, access.id, number)
        .await?
        .ok_or(AppError::NotFound)?;
    let pdf = super::pdf::render(&invoice.printed)?;
    Ok((invoice.file_name(), pdf))
}

/// A stored status as Billing shows it (DESIGN.md's words).
fn status_label(stored: &str) -> &'static str {
    match stored {
        "sent" => "Sent",
        "posted" => "Posted",
        "paid" => "Paid",
        "unpaid" => "Unpaid",
        "credit_note" => "Credit note",
        "credited" => "Credited",
        _ => "Issued",
    }
}
