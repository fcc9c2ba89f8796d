//! The monthly run: on the 1st (UTC) every organization gets its invoice
//! for the month before, once. Idempotent per organization and month (the
//! unique (organization, period) key decides, on one replica or many), and
//! numbered gap-free: the number is taken from `invoice_numbers` in the
//! transaction that writes the invoice, so an invoice that is not written
//! gives its number back, and two replicas queue on the counter's row.

use super::rules::{
    billable_hours, line_vat, prorated, totals, vat_for, Period, Totals, Vat, VatCase,
};
use crate::billing::{InvoiceDelivery, PaymentMethod};
use crate::clock::Timestamp;
use crate::company::CompanyForm;
use crate::error::{AppError, AppResult};
use crate::server::state::AppState;
use crate::services::operations::Billed;

/// Days from the invoice date to its due date ("20 days net").
pub const DUE_DAYS: i64 = 20;
/// How often the job looks for a month to bill, in seconds.
const CHECK_EVERY_SECS: u64 = 5;

/// Runs every finished month whose run has not finished, oldest first, up
/// to the month before `now`: an invoice for each organization with
/// services in it that has none yet. A month is never skipped, even when
/// no replica ran across its end (a server down on the 1st, a test clock
/// moved by months): the runs go on from the newest finished one, or from
/// the first month with a service. Returns how many invoices were issued.
pub async fn run_due(state: &AppState) -> AppResult<usize> {
    /// The most months one call catches up on (the rest on the next).
    const MONTHS_AT_ONCE: usize = 120;
    let now = state.clock.now();
    let target = Period::before(now).ok_or_else(|| AppError::internal("no month before now"))?;
    let newest: Option<String> = sqlx::query_scalar("SELECT max(period) FROM invoice_runs")
        .fetch_one(&state.db.read)
        .await?;
    let mut period = match newest.as_deref().and_then(Period::parse) {
        Some(done) if done.start >= target.start => return Ok(0),
        Some(done) => done.next(),
        None => {
            let first: Option<Timestamp> =
                sqlx::query_scalar("SELECT min(created_at) FROM services")
                    .fetch_one(&state.db.read)
                    .await?;
            first
                .and_then(Period::containing)
                .filter(|p| p.start < target.start)
                .or(Some(target))
        }
    };
    let mut issued = 0;
    for _ in 0..MONTHS_AT_ONCE {
        let Some(month) = period.filter(|p| p.start <= target.start) else {
            break;
        };
        let made = run(state, &month, now).await?;
        // Another replica may have finished it meanwhile: the first mark stays.
        sqlx::query(
            "INSERT INTO invoice_runs (period, finished_at) VALUES ($1, $2) ON CONFLICT (period) DO NOTHING",
        )
        .bind(month.label())
        .bind(now)
        .execute(&state.db.write)
        .await?;
        if made > 0 {
            tracing::info!(period = %month.label(), issued = made, "invoices issued");
        }
        issued += made;
        period = month.next();
    }
    Ok(issued)
}

/// Issues the invoice of `period` for every organization with services in
/// it that has none yet, dated `now`.
pub async fn run(state: &AppState, period: &Period, now: Timestamp) -> AppResult<usize> {
    let organizations = crate::services::operations::organizations_billed_between(
        &state.db,
        period.start,
        period.end,
    )
    .await?;
    let mut issued = 0;
    for organization_id in organizations {
        if issue(state, organization_id, period, now).await? {
            issued += 1;
        }
    }
    Ok(issued)
}

/// Issues the organization's invoice for `period`, unless it has one: true
/// when this call wrote it.
async fn issue(
    state: &AppState,
    organization_id: i64,
    period: &Period,
    now: Timestamp,
) -> AppResult<bool> {
    let exists: Option<i64> =
        sqlx::query_scalar("SELECT 1 FROM invoices WHERE organization_id = $1 AND period = $2")
            .bind(organization_id)
            .bind(period.label())
            .fetch_optional(&state.db.read)
            .await?;
    if exists.is_some() {
        return Ok(false);
    }
    let mut tx = state.db.write.begin().await?;
    // The next number first: the counter's row (on SQLite the database) is
    // this transaction's until it commits, so issuing queues on every
    // replica, and what is read below is read under it.
    let number: i64 = sqlx::query_scalar(
        "UPDATE invoice_numbers SET next = next + 1 WHERE id = 1 RETURNING next - 1",
    )
    .fetch_one(&mut *tx)
    .await?;
    let company = crate::company::load_in(&mut tx, organization_id)
        .await?
        .map(|(form, _)| form)
        .ok_or_else(|| {
            AppError::internal(format!(
                "organization {organization_id} has services but no company information"
            ))
        })?;
    let (method, delivery, invoice_email) =
        crate::billing::operations::settlement_in(&mut tx, organization_id).await?;
    let settlement = match (method, delivery) {
        (Some(PaymentMethod::Card), _) => "card",
        (_, Some(InvoiceDelivery::SnailMail)) => "mail",
        _ => "email",
    };
    let customer_number =
        crate::organizations::operations::customer_number_in(&mut tx, organization_id).await?;
    let services = crate::services::operations::existing_between(
        &mut tx,
        organization_id,
        period.start,
        period.end,
    )
    .await?;
    let vat_number = Some(company.vat_number.trim().to_owned()).filter(|v| !v.is_empty());
    let Bill {
        vat,
        lines,
        totals: sums,
    } = bill(&company, services, period);
    if lines.is_empty() {
        // Services that existed for no time at all (made and deleted in
        // one second): nothing to bill, and the number goes back.
        return Ok(false);
    }
    let inserted = sqlx::query_scalar::<_, i64>(
        "INSERT INTO invoices (number, organization_id, period, issued_at, due_at, currency,
                net_cents, vat_cents, total_cents, vat_rate_basis_points, vat_case, vat_note,
                customer_number, customer_name, customer_business_id, customer_vat_number,
                customer_address, customer_postal_code, customer_city, customer_country,
                settlement, invoice_email, seller, next_charge_at, status)
         VALUES ($1, $2, $3, $4, $5, 'EUR', $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16,
                 $17, $18, $19, $20, $21, $22, $23, 'issued')
         RETURNING id",
    )
    .bind(number)
    .bind(organization_id)
    .bind(period.label())
    .bind(now)
    .bind(now + DUE_DAYS * 24 * 60 * 60)
    .bind(sums.net)
    .bind(sums.vat)
    .bind(sums.total)
    .bind(i64::from(vat.rate_basis_points))
    .bind(vat_case_name(vat.case))
    .bind(vat.note)
    .bind(&customer_number)
    .bind(&company.company_name)
    .bind(&company.business_id)
    .bind(vat_number)
    .bind(&company.address)
    .bind(&company.postal_code)
    .bind(&company.city)
    .bind(&company.country)
    .bind(settlement)
    // Where it is sent, or (sent by post) where the customer is told so.
    .bind(match settlement {
        "email" => invoice_email,
        "mail" => Some(company.email.clone()).filter(|e| !e.is_empty()),
        _ => None,
    })
    .bind(serde_json::to_string(&state.config.seller).map_err(AppError::internal)?)
    // A card invoice is charged as soon as the charge job comes by.
    .bind((settlement == "card").then_some(now))
    .fetch_one(&mut *tx)
    .await;
    let invoice_id = match inserted {
        Ok(id) => id,
        // Another replica issued it meanwhile: this transaction, and the
        // number it took, roll back.
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() => return Ok(false),
        Err(e) => return Err(e.into()),
    };
    for (position, line) in (1_i64..).zip(&lines) {
        sqlx::query(
            "INSERT INTO invoice_lines (invoice_id, position, service_name, plan, hours,
                    month_hours, monthly_cents, net_cents, vat_cents)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(invoice_id)
        .bind(position)
        .bind(&line.service.name)
        // As the price list names it when issued.
        .bind(crate::services::Plan::name_of(&line.service.plan))
        .bind(line.hours)
        .bind(period.hours())
        .bind(line.service.monthly_cents)
        .bind(line.net)
        // The line's own VAT, for reference: the invoice's VAT is the
        // rate of its net total (`rules::totals`).
        .bind(line_vat(line.net, &vat))
        .execute(&mut *tx)
        .await?;
    }
    crate::organizations::activity::record_system(
        &mut tx,
        organization_id,
        "Invoice issued",
        // No amount: Admins see the activity log but not what is paid.
        &format!("number {number} for {}", period.name()),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}

/// What a month of `services` costs a customer with `company`'s details.
pub struct Bill {
    pub vat: Vat,
    pub lines: Vec<Line>,
    pub totals: Totals,
}

/// A service's part of a bill.
pub struct Line {
    pub service: Billed,
    pub hours: i64,
    /// Cents, before VAT.
    pub net: i64,
}

/// The bill of `period` for `services` (those that existed in it), each
/// for the hours it existed; a service not deleted is billed to the
/// period's end (so the current month gives an estimate).
pub fn bill(company: &CompanyForm, services: Vec<Billed>, period: &Period) -> Bill {
    let vat = vat_for(&company.country, !company.vat_number.trim().is_empty());
    let lines: Vec<Line> = services
        .into_iter()
        .map(|service| {
            let hours = billable_hours(service.created_at, service.deleted_at, period);
            let net = prorated(service.monthly_cents, hours, period.hours());
            Line {
                service,
                hours,
                net,
            }
        })
        .filter(|line| line.hours > 0)
        .collect();
    let amounts: Vec<i64> = lines.iter().map(|line| line.net).collect();
    Bill {
        totals: totals(&amounts, &vat),
        vat,
        lines,
    }
}

/// A VAT case as stored.
fn vat_case_name(case: VatCase) -> &'static str {
    match case {
        VatCase::Domestic => "domestic",
        VatCase::ReverseCharge => "reverse_charge",
        VatCase::EuConsumer => "eu_consumer",
        VatCase::OutsideEu => "outside_eu",
    }
}

/// Looks for a month to bill, invoices to email and card invoices to charge
/// every few seconds until
/// `stop` changes (each check is one indexed read when there is nothing to do).
pub fn spawn(
    state: AppState,
    mut stop: tokio::sync::watch::Receiver<bool>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            // Errors are logged where they are made; the next round tries again.
            let _ = run_due(&state).await;
            let _ = super::delivery::send_due(&state).await;
            let _ = super::charges::charge_due(&state).await;
            tokio::select! {
                _ = stop.changed() => break,
                () = tokio::time::sleep(std::time::Duration::from_secs(CHECK_EVERY_SECS)) => {}
            }
        }
    })
}
