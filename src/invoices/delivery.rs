//! Getting an issued invoice to its customer: by email, the PDF attached,
//! through the outbox ([`send_due`]); by snail mail, through the operator's
//! print list ([`print_waiting`], `orgpanel print-invoices DIR`), after
//! which the customer is told by email that it is on its way. Each step is
//! one conditional write of the invoice's status with its email and
//! activity in the same transaction, so two replicas (or two operators)
//! deliver an invoice once.

use super::pdf::{render, Printed, PrintedLine};
use super::rules::Period;
use crate::clock::{format_date, Timestamp};
use crate::error::{AppError, AppResult};
use crate::mail::{enqueue, enqueue_with_attachment, Attachment};
use crate::money::Money;
use crate::server::config::Seller;
use crate::server::db::{JOB_BATCH, LEASE_SECS};
use crate::server::state::AppState;
use crate::server::Db;
use crate::validate::{Country, Email};
use std::path::{Path, PathBuf};

/// An invoice's row as it is printed and delivered.
#[derive(sqlx::FromRow)]
struct Row {
    id: i64,
    number: i64,
    organization_id: i64,
    period: String,
    issued_at: Timestamp,
    due_at: Timestamp,
    net_cents: i64,
    vat_cents: i64,
    total_cents: i64,
    vat_rate_basis_points: i64,
    vat_note: Option<String>,
    customer_number: String,
    customer_name: String,
    customer_business_id: String,
    customer_vat_number: Option<String>,
    customer_address: String,
    customer_postal_code: String,
    customer_city: String,
    customer_country: String,
    settlement: String,
    invoice_email: Option<String>,
    seller: String,
}

const COLUMNS: &str = "id, number, organization_id, period, issued_at, due_at, net_cents, \
    vat_cents, total_cents, vat_rate_basis_points, vat_note, customer_number, customer_name, \
    customer_business_id, customer_vat_number, customer_address, customer_postal_code, \
    customer_city, customer_country, settlement, invoice_email, seller";

/// One stored invoice with its lines, as printed.
pub struct Loaded {
    pub id: i64,
    pub organization_id: i64,
    pub invoice_email: Option<String>,
    pub printed: Printed,
}

impl Loaded {
    /// "invoice-12.pdf", "credit-note-13.pdf".
    pub fn file_name(&self) -> String {
        if self.printed.credits.is_some() {
            format!("credit-note-{}.pdf", self.printed.number)
        } else {
            file_name(self.printed.number)
        }
    }
}

/// Records `action` in the organization's activity log, commits `tx` (and
/// the emails written in it) and wakes the outbox.
pub(super) async fn commit_with_activity(
    state: &AppState,
    mut tx: sqlx::Transaction<'_, sqlx::Any>,
    organization_id: i64,
    action: &str,
    detail: &str,
    now: Timestamp,
) -> AppResult<()> {
    crate::organizations::activity::record_system(&mut tx, organization_id, action, detail, now)
        .await?;
    tx.commit().await?;
    state.mail_due.notify_one();
    Ok(())
}

/// "invoice-12.pdf": the name of invoice `number`'s PDF.
pub fn file_name(number: i64) -> String {
    format!("invoice-{number}.pdf")
}

/// The invoices `condition` (a WHERE clause over `invoices`, binding `$1`
/// to `value`) selects, with their lines, oldest first.
pub(super) async fn load_where(db: &Db, condition: &str, value: i64) -> AppResult<Vec<Loaded>> {
    #[derive(sqlx::FromRow)]
    struct LineRow {
        service_name: String,
        plan: String,
        hours: i64,
        month_hours: i64,
        monthly_cents: i64,
        net_cents: i64,
    }
    let rows: Vec<Row> = sqlx::query_as(&format!(
        "SELECT {COLUMNS} FROM invoices WHERE {condition} ORDER BY number LIMIT 100"
    ))
    .bind(value)
    .fetch_all(&db.read)
    .await?;
    let mut loaded = Vec::with_capacity(rows.len());
    for row in rows {
        let lines: Vec<LineRow> = sqlx::query_as(
            "SELECT service_name, plan, hours, month_hours, monthly_cents, net_cents
               FROM invoice_lines WHERE invoice_id = $1 ORDER BY position",
        )
        .bind(row.id)
        .fetch_all(&db.read)
        .await?;
        let seller: Seller = serde_json::from_str(&row.seller).map_err(|e| {
            AppError::internal(format!("invoice {} has no seller: {e}", row.number))
        })?;
        let country = Country::parse(&row.customer_country)
            .map_or(row.customer_country.clone(), |c| c.name().to_owned());
        loaded.push(Loaded {
            id: row.id,
            organization_id: row.organization_id,
            invoice_email: row.invoice_email,
            printed: Printed {
                number: row.number,
                period: Period::parse(&row.period).map_or(row.period, |p| p.name()),
                date: format_date(row.issued_at),
                due: format_date(row.due_at),
                customer_number: row.customer_number,
                customer: vec![
                    row.customer_name,
                    row.customer_address,
                    format!("{} {}", row.customer_postal_code, row.customer_city),
                    country,
                ],
                customer_business_id: row.customer_business_id,
                customer_vat_number: row.customer_vat_number,
                seller,
                lines: lines
                    .into_iter()
                    .map(|line| PrintedLine {
                        service: line.service_name,
                        plan: line.plan,
                        hours: line.hours,
                        month_hours: line.month_hours,
                        monthly: line.monthly_cents,
                        net: line.net_cents,
                    })
                    .collect(),
                net: row.net_cents,
                vat: row.vat_cents,
                total: row.total_cents,
                vat_rate_basis_points: row.vat_rate_basis_points,
                vat_note: row.vat_note,
                by_card: row.settlement == "card",
                credits: None,
            },
        });
    }
    Ok(loaded)
}

/// The organization's invoice (or credit note) number `number`, if it has one.
pub async fn load(db: &Db, organization_id: i64, number: i64) -> AppResult<Option<Loaded>> {
    let mut found = load_where(db, "number = $1", number).await?;
    match found.pop() {
        Some(invoice) => Ok(Some(invoice).filter(|i| i.organization_id == organization_id)),
        None => super::corrections::load_credit_note(db, organization_id, number).await,
    }
}

/// "Invoice 12 for November 2026 from Orgpanel Cloud AB".
fn subject_of(printed: &Printed) -> String {
    format!(
        "Invoice {} for {} from {}",
        printed.number, printed.period, printed.seller.name
    )
}

/// The lines every invoice email holds (short: plain text mail is read
/// at 72 columns).
fn summary(printed: &Printed) -> String {
    let payment = if printed.by_card {
        "Payment: charged to the card on file".to_owned()
    } else {
        format!(
            "Pay to: {}\nReference: {}",
            printed.seller.bank_account, printed.number
        )
    };
    format!(
        "Invoice {number} for {period}\nTotal: {total}{vat}\nDate: {date}\nDue date: {due}\n{payment}",
        vat = if printed.vat == 0 {
            ""
        } else {
            " (VAT included)"
        },
        number = printed.number,
        period = printed.period,
        total = Money::eur(printed.total),
        date = printed.date,
        due = printed.due,
    )
}

/// An email about `printed`: "Hello," then `text`, then where to ask and
/// the seller's name.
pub(super) fn letter(printed: &Printed, text: &str) -> String {
    format!(
        "Hello,\n\n{text}\n\nQuestions about it: {}.\n\n{}\n",
        printed.seller.email, printed.seller.name
    )
}

/// Sends every issued invoice that goes by email, its PDF attached, and
/// marks it sent; returns how many were sent now.
pub async fn send_due(state: &AppState) -> AppResult<usize> {
    let now = state.clock.now();
    let waiting = load_where(
        &state.db,
        "status = 'issued' AND settlement = 'email' AND id > $1",
        0,
    )
    .await?;
    let mut sent = 0;
    for invoice in waiting {
        let Some(to) = invoice
            .invoice_email
            .as_deref()
            .and_then(|e| Email::parse(e).ok())
        else {
            tracing::warn!(
                number = invoice.printed.number,
                "invoice to be emailed has no address; left issued"
            );
            continue;
        };
        let pdf = render(&invoice.printed)?;
        let mut tx = state.db.write.begin().await?;
        let marked = sqlx::query(
            "UPDATE invoices SET status = 'sent', delivered_at = $1 WHERE id = $2 AND status = 'issued'",
        )
        .bind(now)
        .bind(invoice.id)
        .execute(&mut *tx)
        .await?;
        if marked.rows_affected() == 0 {
            // Another replica sent it meanwhile.
            continue;
        }
        let body = letter(
            &invoice.printed,
            &format!(
                "your invoice is attached ({}).\n\n{}",
                invoice.file_name(),
                summary(&invoice.printed)
            ),
        );
        enqueue_with_attachment(
            &mut tx,
            &to,
            &subject_of(&invoice.printed),
            &body,
            Attachment {
                name: &invoice.file_name(),
                pdf: &pdf,
            },
            now,
        )
        .await?;
        commit_with_activity(
            state,
            tx,
            invoice.organization_id,
            "Invoice sent",
            &format!("number {} to {}", invoice.printed.number, to.as_str()),
            now,
        )
        .await?;
        sent += 1;
    }
    Ok(sent)
}

/// The operator's print list: writes the PDF of every invoice waiting to go
/// by snail mail into `dir` (`invoice-12.pdf`, the address on its first
/// page), marks each posted and tells its customer by email. Returns the
/// files written. Each run takes the invoices it prints under a lease
/// ([`LEASE_SECS`]), so two runs at once (two operators) print each
/// invoice once; a file is written before its invoice is marked, so a run
/// that dies loses none (the next one prints it once the lease is over).
pub async fn print_waiting(state: &AppState, dir: &Path) -> AppResult<Vec<PathBuf>> {
    let cannot = |what: &Path, e: std::io::Error| {
        AppError::BadRequest(format!("cannot write {}: {e}", what.display()))
    };
    std::fs::create_dir_all(dir).map_err(|e| cannot(dir, e))?;
    let now = state.clock.now();
    let claim = format!(
        "UPDATE invoices SET printing_until = $1
          WHERE id IN (SELECT id FROM invoices
                        WHERE status = 'issued' AND settlement = 'mail'
                          AND (printing_until IS NULL OR printing_until <= $2)
                        ORDER BY number LIMIT {JOB_BATCH}{})
          RETURNING id",
        state.db.dialect.skip_locked()
    );
    let mut written = Vec::new();
    loop {
        let claimed: Vec<i64> = sqlx::query_scalar(&claim)
            .bind(now + LEASE_SECS)
            .bind(now)
            .fetch_all(&state.db.write)
            .await?;
        if claimed.is_empty() {
            return Ok(written);
        }
        for (index, id) in claimed.iter().enumerate() {
            let printed = print_one(state, dir, *id, now, &cannot).await;
            match printed {
                Ok(Some(path)) => written.push(path),
                Ok(None) => {}
                Err(error) => {
                    // What this run took and did not print goes back at once.
                    for id in &claimed[index..] {
                        sqlx::query(
                            "UPDATE invoices SET printing_until = NULL WHERE id = $1 AND status = 'issued'",
                        )
                        .bind(id)
                        .execute(&state.db.write)
                        .await?;
                    }
                    return Err(error);
                }
            }
        }
    }
}

/// Writes invoice `id`'s PDF into `dir` and marks it posted; the file, or
/// `None` when another run posted it meanwhile (its file then removed).
async fn print_one(
    state: &AppState,
    dir: &Path,
    id: i64,
    now: Timestamp,
    cannot: &impl Fn(&Path, std::io::Error) -> AppError,
) -> AppResult<Option<PathBuf>> {
    let Some(invoice) = load_where(&state.db, "id = $1", id).await?.pop() else {
        return Ok(None);
    };
    let path = dir.join(invoice.file_name());
    std::fs::write(&path, render(&invoice.printed)?).map_err(|e| cannot(&path, e))?;
    if posted(state, &invoice, now).await? {
        Ok(Some(path))
    } else {
        std::fs::remove_file(&path).map_err(|e| cannot(&path, e))?;
        Ok(None)
    }
}

/// Marks `invoice` posted, with its email and activity; false when it
/// was not waiting any more.
async fn posted(state: &AppState, invoice: &Loaded, now: Timestamp) -> AppResult<bool> {
    let mut tx = state.db.write.begin().await?;
    let marked = sqlx::query(
        "UPDATE invoices SET status = 'posted', delivered_at = $1 WHERE id = $2 AND status = 'issued'",
    )
    .bind(now)
    .bind(invoice.id)
    .execute(&mut *tx)
    .await?;
    if marked.rows_affected() == 0 {
        return Ok(false);
    }
    let printed = &invoice.printed;
    if let Some(to) = invoice
        .invoice_email
        .as_deref()
        .and_then(|e| Email::parse(e).ok())
    {
        let body = letter(
            printed,
            &format!(
                "your invoice is on its way by post, to:\n\n{}\n\n{}",
                printed.customer.join("\n"),
                summary(printed)
            ),
        );
        enqueue(
            &mut tx,
            &to,
            &format!("Invoice {} is on its way by post", printed.number),
            &body,
            now,
        )
        .await?;
    }
    commit_with_activity(
        state,
        tx,
        invoice.organization_id,
        "Invoice posted",
        &format!("number {}", printed.number),
        now,
    )
    .await?;
    Ok(true)
}
