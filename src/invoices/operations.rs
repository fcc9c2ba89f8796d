//! What Billing shows of invoices: the issued ones and the estimate of the
//! next, for the roles that see payments (Owner, Billing).

use super::rules::Period;
use super::run::bill;
use super::{Estimate, InvoiceSummary, InvoicesView, LineView};
use crate::clock::Timestamp;
use crate::error::{AppError, AppResult};
use crate::money::Money;
use crate::organizations::{gate, Action, Principal};
use crate::server::AppState;

/// How many invoices Billing lists, newest first (a decade of months).
pub const LISTED: i64 = 120;

/// The organization's invoices, newest first, and the estimate of the
/// current month's.
pub async fn view(state: &AppState, by: &Principal, org: &str) -> AppResult<InvoicesView> {
    /// An invoice as listed.
    #[derive(sqlx::FromRow)]
    struct Row {
        number: i64,
        period: String,
        issued_at: Timestamp,
        due_at: Timestamp,
        total_cents: i64,
        status: String,
    }
    let access = gate::authorize(&state.db, by, org, Action::ManageBilling).await?;
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT number, period, issued_at, due_at, total_cents, status FROM invoices
          WHERE organization_id = $1 ORDER BY number DESC LIMIT $2",
    )
    .bind(access.id)
    .bind(LISTED)
    .fetch_all(&state.db.read)
    .await?;
    let invoices = rows
        .into_iter()
        .map(|row| InvoiceSummary {
            number: row.number,
            period: Period::parse(&row.period).map_or(row.period, |p| p.name()),
            date: date(row.issued_at),
            due: date(row.due_at),
            total: Money::eur(row.total_cents).to_string(),
            status: status_label(&row.status).to_owned(),
        })
        .collect();
    Ok(InvoicesView {
        invoices,
        estimate: estimate(state, access.id, state.clock.now()).await?,
    })
}

/// The current month's bill if every service runs to its end.
async fn estimate(state: &AppState, organization_id: i64, now: Timestamp) -> AppResult<Estimate> {
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
    let rate = bill.vat.rate_basis_points;
    Ok(Estimate {
        period: period.label(),
        month: period.name(),
        lines: bill
            .lines
            .iter()
            .map(|line| LineView {
                service: line.service.name.clone(),
                plan: line.service.plan.clone(),
                hours: line.hours,
                month_hours: period.hours(),
                amount: Money::eur(line.net).to_string(),
            })
            .collect(),
        net: Money::eur(bill.totals.net).to_string(),
        vat_rate: if rate.is_multiple_of(100) {
            (rate / 100).to_string()
        } else {
            format!("{}.{}", rate / 100, (rate % 100) / 10)
        },
        vat: Money::eur(bill.totals.vat).to_string(),
        total: Money::eur(bill.totals.total).to_string(),
        vat_note: bill.vat.note.map(str::to_owned),
    })
}

/// "2026-12-01".
fn date(at: Timestamp) -> String {
    crate::clock::format_rfc3339(at)
        .split('T')
        .next()
        .unwrap_or_default()
        .to_owned()
}

/// A stored status as Billing shows it (DESIGN.md's words).
fn status_label(stored: &str) -> &'static str {
    match stored {
        "sent" => "Sent",
        "posted" => "Posted",
        "paid" => "Paid",
        "unpaid" => "Unpaid",
        _ => "Issued",
    }
}
