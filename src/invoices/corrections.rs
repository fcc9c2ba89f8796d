//! What the operator does to an issued invoice, which itself never changes:
//! a credit note cancelling it in full, with its own number from the same
//! gap-free sequence (`orgpanel credit-note NUMBER REASON`), and recording a
//! payment that arrived by bank transfer (`orgpanel mark-paid NUMBER`).

use super::charges::billing_contacts;
use super::delivery::{commit_with_activity, letter, load_where, Loaded};
use super::pdf::{render, Credit};
use crate::clock::format_date;
use crate::error::{AppError, AppResult};
use crate::mail::{enqueue_with_attachment, Attachment};
use crate::money::Money;
use crate::server::state::AppState;
use crate::server::Db;
use crate::validate::Email;

/// A credit note as stored.
#[derive(sqlx::FromRow)]
struct Row {
    number: i64,
    invoice_id: i64,
    issued_at: crate::clock::Timestamp,
    reason: String,
}

/// The organization's credit note `number`, as printed, if it has one.
pub async fn load_credit_note(
    db: &Db,
    organization_id: i64,
    number: i64,
) -> AppResult<Option<Loaded>> {
    let row: Option<Row> = sqlx::query_as(
        "SELECT number, invoice_id, issued_at, reason FROM credit_notes
          WHERE number = $1 AND organization_id = $2",
    )
    .bind(number)
    .bind(organization_id)
    .fetch_optional(&db.read)
    .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    let invoice = load_where(db, "id = $1", row.invoice_id)
        .await?
        .pop()
        .ok_or_else(|| AppError::internal(format!("credit note {number} has no invoice")))?;
    Ok(Some(credit_note_of(invoice, &row)))
}

/// The credit note `row` of `invoice`: the invoice's lines and totals,
/// negative, under the credit note's number and date.
fn credit_note_of(mut invoice: Loaded, row: &Row) -> Loaded {
    let printed = &mut invoice.printed;
    printed.credits = Some(Credit {
        invoice: printed.number,
        reason: row.reason.clone(),
    });
    printed.number = row.number;
    printed.date = format_date(row.issued_at);
    printed.due.clone_from(&printed.date);
    for line in &mut printed.lines {
        line.net = -line.net;
    }
    printed.net = -printed.net;
    printed.vat = -printed.vat;
    printed.total = -printed.total;
    invoice
}

/// Issues a credit note cancelling invoice `invoice_number` in full for
/// `reason`, emails it (the PDF attached) where the invoice went (the
/// invoice email, else the Owners and Billing collaborators) and stops any
/// card charge of the invoice. Returns the credit note's number. Refused
/// (`Conflict`) for an invoice already credited or paid (its credit note
/// would owe a refund), `NotFound` for no invoice.
pub async fn credit_note(state: &AppState, invoice_number: i64, reason: &str) -> AppResult<i64> {
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(AppError::BadRequest(
            "Say why the invoice is credited.".to_owned(),
        ));
    }
    if reason.chars().any(char::is_control) {
        return Err(AppError::BadRequest(
            "The reason is printed and emailed: write it on one line, without control characters."
                .to_owned(),
        ));
    }
    let invoice = load_where(&state.db, "number = $1", invoice_number)
        .await?
        .pop()
        .ok_or(AppError::NotFound)?;
    let contacts = match invoice
        .invoice_email
        .as_deref()
        .and_then(|e| Email::parse(e).ok())
    {
        Some(email) => vec![email],
        None => billing_contacts(state, invoice.organization_id).await?,
    };
    let now = state.clock.now();
    let mut tx = state.db.write.begin().await?;
    // The number first, as an invoice's: not written, it is given back.
    let number: i64 = sqlx::query_scalar(
        "UPDATE invoice_numbers SET next = next + 1 WHERE id = 1 RETURNING next - 1",
    )
    .fetch_one(&mut *tx)
    .await?;
    // The invoice's row decides, on every database: not paid (a credit
    // note would owe a refund the panel does not make), not credited yet.
    // Its charges stop here.
    let taken = sqlx::query(
        "UPDATE invoices SET credited_at = $1, next_charge_at = NULL
          WHERE id = $2 AND credited_at IS NULL AND status <> 'paid'",
    )
    .bind(now)
    .bind(invoice.id)
    .execute(&mut *tx)
    .await?;
    if taken.rows_affected() == 0 {
        let paid: Option<i64> =
            sqlx::query_scalar("SELECT 1 FROM invoices WHERE id = $1 AND status = 'paid'")
                .bind(invoice.id)
                .fetch_optional(&mut *tx)
                .await?;
        return Err(AppError::Conflict(if paid.is_some() {
            format!(
                "Invoice {invoice_number} is paid: a credit note would owe the customer a refund, which the panel does not make. Nothing was issued."
            )
        } else {
            format!("Invoice {invoice_number} already has a credit note.")
        }));
    }
    let inserted = sqlx::query(
        "INSERT INTO credit_notes (number, invoice_id, organization_id, issued_at, reason)
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(number)
    .bind(invoice.id)
    .bind(invoice.organization_id)
    .bind(now)
    .bind(reason)
    .execute(&mut *tx)
    .await;
    match inserted {
        Ok(_) => {}
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
            return Err(AppError::Conflict(format!(
                "Invoice {invoice_number} already has a credit note."
            )));
        }
        Err(e) => return Err(e.into()),
    }
    let organization_id = invoice.organization_id;
    let note = credit_note_of(
        invoice,
        &Row {
            number,
            invoice_id: 0,
            issued_at: now,
            reason: reason.to_owned(),
        },
    );
    let pdf = render(&note.printed)?;
    let printed = &note.printed;
    for to in &contacts {
        let body = letter(
            printed,
            &format!(
                "credit note {number} cancels invoice {invoice_number} for {period}\nin full: {total}.\nReason: {reason}\n\nThe credit note is attached ({file}).",
                period = printed.period,
                total = Money::eur(printed.total),
                file = note.file_name(),
            ),
        );
        enqueue_with_attachment(
            &mut tx,
            to,
            &format!("Credit note {number} for invoice {invoice_number}"),
            &body,
            Attachment {
                name: &note.file_name(),
                pdf: &pdf,
            },
            now,
        )
        .await?;
    }
    commit_with_activity(
        state,
        tx,
        organization_id,
        "Credit note issued",
        &format!("number {number} for invoice {invoice_number}"),
        now,
    )
    .await?;
    Ok(number)
}

/// Records that invoice `number` was paid (by bank transfer, say): "Paid",
/// its card charges stopped. `NotFound` for no invoice, `Conflict` for one
/// already paid or credited.
pub async fn mark_paid(state: &AppState, number: i64) -> AppResult<()> {
    let now = state.clock.now();
    let mut tx = state.db.write.begin().await?;
    let organization_id: Option<i64> = sqlx::query_scalar(
        "UPDATE invoices SET status = 'paid', paid_at = $1, next_charge_at = NULL
          WHERE number = $2 AND status IN ('issued', 'sent', 'posted', 'unpaid')
            AND credited_at IS NULL
          RETURNING organization_id",
    )
    .bind(now)
    .bind(number)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(organization_id) = organization_id else {
        let exists: Option<i64> = sqlx::query_scalar("SELECT 1 FROM invoices WHERE number = $1")
            .bind(number)
            .fetch_optional(&mut *tx)
            .await?;
        return Err(match exists {
            Some(_) => AppError::Conflict(format!("Invoice {number} is already paid or credited.")),
            None => AppError::NotFound,
        });
    };
    commit_with_activity(
        state,
        tx,
        organization_id,
        "Invoice paid",
        &format!("number {number}"),
        now,
    )
    .await
}
