//! Invoices paid by card: charged off-session to the organization's card in
//! force when issued. Never charged twice: each attempt has its own
//! idempotency key (`invoice-12-attempt-1`), so an attempt made again (a
//! replica that died mid-call, two workers) is answered by the provider
//! with the first outcome, and an attempt is recorded by one conditional
//! write on the attempt count. A declined charge is tried again 1, 3 and 7
//! days after the invoice date; each failure is emailed to the Owners and
//! Billing collaborators, and the invoice shows as unpaid with "Pay now":
//! a card entered on the provider's page then (a card in force other than
//! the one the last attempt used) is charged the invoice at the next round.

use super::delivery::{commit_with_activity, letter, load, Loaded};
use crate::clock::format_date;
use crate::clock::Timestamp;
use crate::error::{AppError, AppResult};
use crate::mail::{enqueue, enqueue_with_attachment, Attachment};
use crate::money::Money;
use crate::payments::{ChargeOutcome, ChargeRequest, Decline};
use crate::server::db::{retry_delay, JOB_BATCH, LEASE_SECS};
use crate::server::state::AppState;
use crate::validate::Email;

const DAY: i64 = 24 * 60 * 60;
/// When a declined charge is tried again, in days after the invoice date.
pub const RETRY_DAYS: [i64; 3] = [1, 3, 7];

/// An invoice due to be charged.
#[derive(sqlx::FromRow)]
struct Due {
    id: i64,
    number: i64,
    organization_id: i64,
    issued_at: Timestamp,
    total_cents: i64,
    charge_attempts: i64,
}

/// Charges every card invoice that is due (a batch at a time, each under a
/// lease so one worker of one replica charges it); returns how many were
/// paid now.
pub async fn charge_due(state: &AppState) -> AppResult<usize> {
    let now = state.clock.now();
    let sql = format!(
        "UPDATE invoices SET next_charge_at = $1
          WHERE id IN (SELECT id FROM invoices
                        WHERE settlement = 'card' AND status IN ('issued', 'unpaid')
                          AND credited_at IS NULL
                          AND (next_charge_at <= $2
                               -- \"Pay now\": a card added since the last attempt.
                               -- (Two workers at once charge it with one idempotency key.)
                               OR (status = 'unpaid'
                                   AND EXISTS (SELECT 1 FROM cards c
                                                WHERE c.organization_id = invoices.organization_id
                                                  AND c.replaced_at IS NULL
                                                  AND c.provider_token <> COALESCE(invoices.charged_card, ''))))
                        ORDER BY next_charge_at LIMIT {JOB_BATCH}{})
          RETURNING id, number, organization_id, issued_at, total_cents, charge_attempts",
        state.db.dialect.skip_locked()
    );
    let mut paid = 0;
    loop {
        let due: Vec<Due> = sqlx::query_as(&sql)
            .bind(now + LEASE_SECS)
            .bind(now)
            .fetch_all(&state.db.write)
            .await?;
        let taken = due.len();
        for invoice in due {
            match charge(state, &invoice, now).await {
                Ok(true) => paid += 1,
                Ok(false) => {}
                Err(error) => {
                    // The provider unreachable: the same attempt again soon.
                    tracing::warn!(%error, number = invoice.number, "invoice not charged; will retry");
                    sqlx::query(
                        "UPDATE invoices SET next_charge_at = $1 WHERE id = $2 AND charge_attempts = $3",
                    )
                    .bind(now + retry_delay(0))
                    .bind(invoice.id)
                    .bind(invoice.charge_attempts)
                    .execute(&state.db.write)
                    .await?;
                }
            }
        }
        if taken < JOB_BATCH {
            return Ok(paid);
        }
    }
}

/// One attempt at charging `invoice`; true when it was paid now.
async fn charge(state: &AppState, invoice: &Due, now: Timestamp) -> AppResult<bool> {
    let attempt = invoice.charge_attempts + 1;
    let card: Option<(String, String)> = sqlx::query_as(
        "SELECT provider_token, last4 FROM cards WHERE organization_id = $1 AND replaced_at IS NULL",
    )
    .bind(invoice.organization_id)
    .fetch_optional(&state.db.write)
    .await?;
    let outcome = match &card {
        None => Err("there is no card on file".to_owned()),
        Some((token, _)) => {
            let request = ChargeRequest {
                card_token: token.clone(),
                amount: Money::eur(invoice.total_cents),
                description: format!("Invoice {}", invoice.number),
                idempotency_key: format!("invoice-{}-attempt-{attempt}", invoice.number),
            };
            match state.payments.charge(request).await {
                Ok(ChargeOutcome::Paid { payment_id }) => Ok(payment_id),
                Ok(ChargeOutcome::Declined(decline)) => Err(decline_reason(decline).to_owned()),
                Err(error) => return Err(AppError::internal(error)),
            }
        }
    };
    let Some(loaded) = load(&state.db, invoice.organization_id, invoice.number).await? else {
        return Err(AppError::internal(format!(
            "invoice {} not found",
            invoice.number
        )));
    };
    let (token, last4) = card.unwrap_or_default();
    let attempt = Attempt {
        number: attempt,
        card: token,
        last4,
    };
    match outcome {
        Ok(payment_id) => record_paid(state, invoice, &loaded, &attempt, &payment_id, now).await,
        Err(reason) => {
            record_failed(state, invoice, &loaded, &attempt, &reason, now).await?;
            Ok(false)
        }
    }
}

/// One attempt at charging an invoice: its number (1 on the invoice date)
/// and the card it used (the provider's token, empty for none; its last
/// four digits).
struct Attempt {
    number: i64,
    card: String,
    last4: String,
}

/// Why a charge was declined, as the Billing contacts are told.
fn decline_reason(decline: Decline) -> &'static str {
    match decline {
        Decline::InsufficientFunds => "there is not enough money on the card's account",
        Decline::ExpiredCard => "the card has expired",
        Decline::IncorrectCvc | Decline::Declined => "the bank declined it",
        Decline::IdentificationCancelled => "the bank asked for identification",
        Decline::Closed => "the payment was not completed",
    }
}

/// The Owners' and Billing collaborators' addresses; for an organization
/// that has none any more (deleted after its last month began), the
/// company's email, so a failed charge of its final invoice is still told.
pub(super) async fn billing_contacts(
    state: &AppState,
    organization_id: i64,
) -> AppResult<Vec<Email>> {
    let mut emails: Vec<String> = sqlx::query_scalar(
        "SELECT a.email FROM memberships m JOIN accounts a ON a.id = m.account_id
          WHERE m.organization_id = $1 AND m.role IN ('owner', 'billing') ORDER BY a.email_key",
    )
    .bind(organization_id)
    .fetch_all(&state.db.read)
    .await?;
    if emails.is_empty() {
        let mut conn = state.db.read.acquire().await?;
        if let Some((company, _)) = crate::company::load_in(&mut conn, organization_id).await? {
            emails.push(company.email);
        }
    }
    Ok(emails
        .iter()
        .filter_map(|email| Email::parse(email).ok())
        .collect())
}

async fn record_paid(
    state: &AppState,
    invoice: &Due,
    loaded: &Loaded,
    attempt: &Attempt,
    payment_id: &str,
    now: Timestamp,
) -> AppResult<bool> {
    let last4 = &attempt.last4;
    let pdf = super::pdf::render(&loaded.printed)?;
    let contacts = billing_contacts(state, invoice.organization_id).await?;
    let mut tx = state.db.write.begin().await?;
    let marked = sqlx::query(
        "UPDATE invoices SET status = 'paid', paid_at = $1, payment_id = $2, charge_attempts = $3,
                next_charge_at = NULL, charge_error = NULL, charged_at = $1, charged_card = $6
          WHERE id = $4 AND charge_attempts = $5 AND status IN ('issued', 'unpaid')",
    )
    .bind(now)
    .bind(payment_id)
    .bind(attempt.number)
    .bind(invoice.id)
    .bind(invoice.charge_attempts)
    .bind(&attempt.card)
    .execute(&mut *tx)
    .await?;
    if marked.rows_affected() == 0 {
        // Another worker recorded this attempt (the provider charged once).
        return Ok(false);
    }
    let total = Money::eur(invoice.total_cents);
    let printed = &loaded.printed;
    for to in &contacts {
        let body = letter(
            printed,
            &format!(
                "invoice {number} for {period}, {total}, was paid\nwith the card ending in {last4}. The invoice is attached\n({file}).",
                number = printed.number,
                period = printed.period,
                file = loaded.file_name(),
            ),
        );
        enqueue_with_attachment(
            &mut tx,
            to,
            &format!("Invoice {} paid by card", printed.number),
            &body,
            Attachment {
                name: &loaded.file_name(),
                pdf: &pdf,
            },
            now,
        )
        .await?;
    }
    commit_with_activity(
        state,
        tx,
        invoice.organization_id,
        "Invoice charged",
        &format!("number {} to the card ending in {last4}", printed.number),
        now,
    )
    .await?;
    Ok(true)
}

async fn record_failed(
    state: &AppState,
    invoice: &Due,
    loaded: &Loaded,
    attempt: &Attempt,
    reason: &str,
    now: Timestamp,
) -> AppResult<()> {
    // Retries are on days 1, 3 and 7 after the invoice date: the next of
    // those still ahead (a card tried in between with "Pay now" takes none
    // of them away).
    let next = RETRY_DAYS
        .iter()
        .map(|days| invoice.issued_at + days * DAY)
        .find(|at| *at > now)
        // A first charge made late (the panel down for a week): one more try.
        .or((attempt.number == 1).then_some(now + DAY));
    let contacts = billing_contacts(state, invoice.organization_id).await?;
    let mut tx = state.db.write.begin().await?;
    let marked = sqlx::query(
        "UPDATE invoices SET status = 'unpaid', charge_attempts = $1, next_charge_at = $2, charge_error = $3,
                charged_at = $6, charged_card = $7
          WHERE id = $4 AND charge_attempts = $5 AND status IN ('issued', 'unpaid')",
    )
    .bind(attempt.number)
    .bind(next)
    .bind(reason)
    .bind(invoice.id)
    .bind(invoice.charge_attempts)
    .bind(now)
    .bind(&attempt.card)
    .execute(&mut *tx)
    .await?;
    if marked.rows_affected() == 0 {
        return Ok(());
    }
    let printed = &loaded.printed;
    let org: String = sqlx::query_scalar("SELECT public_id FROM organizations WHERE id = $1")
        .bind(invoice.organization_id)
        .fetch_one(&mut *tx)
        .await?;
    let billing = format!("{}/organizations/{org}/billing", state.config.base_url());
    let then = match next {
        Some(at) => format!("We will try the card again on {}.", format_date(at)),
        None => "We will not try the card again.".to_owned(),
    };
    for to in &contacts {
        let body = format!(
            "Hello,\n\nthe card payment of invoice {number} for {period}, {total},\nfailed: {reason}.\n{then}\n\nTo pay it now, or to choose another card, open Billing:\n{billing}\n\nThe invoice is due on {due}.\n\n{seller}\n",
            number = printed.number,
            period = printed.period,
            total = Money::eur(invoice.total_cents),
            due = printed.due,
            seller = printed.seller.name,
        );
        enqueue(
            &mut tx,
            to,
            &format!("Invoice {}: the card payment failed", printed.number),
            &body,
            now,
        )
        .await?;
    }
    commit_with_activity(
        state,
        tx,
        invoice.organization_id,
        "Invoice charge failed",
        &format!("number {}: {reason}", printed.number),
        now,
    )
    .await?;
    Ok(())
}
