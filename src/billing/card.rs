//! Credit cards: starting a setup on the provider's card page, recording
//! how it ended (asked server to server, exactly once), expiry, and the
//! durable refund of the 1.00 EUR verification charge.

use super::{CardFailure, CardSetupResult, CardView, PaymentRow};
use crate::error::{AppError, AppResult};
use crate::money::Money;
use crate::organizations::store::{format_utc, new_public_id, record, record_system};
use crate::organizations::OrgAccess;
use crate::payments::{SetupOutcome, SetupRequest};
use crate::server::clock::Timestamp;
use crate::server::db::Db;
use crate::server::AppState;

/// What verifying a card costs (and is refunded).
pub const VERIFICATION: Money = Money::eur(100);
/// Card setups allowed per hour (against card testing).
pub const SETUPS_PER_ORGANIZATION: i64 = 5;
pub const SETUPS_PER_ACCOUNT: i64 = 10;
const HOUR: i64 = 3600;
/// How long an unfinished setup is offered again instead of a new one.
const OPEN_SETUP_SECS: i64 = 30 * 60;
const DAY: i64 = 86_400;
/// A setup whose browser has not come back is first asked about after this.
const FIRST_CHECK_SECS: i64 = 15 * 60;

/// The first second after the card's expiry month (UTC): a card is good
/// through the last day of the month printed on it.
pub fn expires_at(month: u8, year: u16) -> Timestamp {
    let (year, month) = if month >= 12 {
        (i32::from(year) + 1, 1)
    } else {
        (i32::from(year), month + 1)
    };
    time::Month::try_from(month)
        .ok()
        .and_then(|m| time::Date::from_calendar_date(year, m, 1).ok())
        .map(|d| d.midnight().assume_utc().unix_timestamp())
        .unwrap_or(0)
}

pub fn expired(month: u8, year: u16, now: Timestamp) -> bool {
    now >= expires_at(month, year)
}

/// Within 30 days of expiring (and not yet expired).
pub fn expires_soon(month: u8, year: u16, now: Timestamp) -> bool {
    !expired(month, year, now) && expires_at(month, year) - now <= 30 * DAY
}

/// The card in force: brand, last four, expiry month and year, and the
/// method it did not replace (`invoice`, chosen while it was being added).
type CardRow = (String, String, i64, i64, Option<String>);

async fn card_in(
    conn: &mut sqlx::SqliteConnection,
    organization_id: i64,
) -> AppResult<Option<CardRow>> {
    Ok(sqlx::query_as(
        "SELECT brand, last4, exp_month, exp_year, kept_method FROM cards
          WHERE organization_id = ? AND replaced_at IS NULL",
    )
    .bind(organization_id)
    .fetch_optional(conn)
    .await?)
}

fn view(row: &CardRow, now: Timestamp) -> CardView {
    let (brand, last4, month, year, kept_method) = row;
    let (month, year) = (*month as u8, *year as u16);
    CardView {
        brand: brand.clone(),
        last4: last4.clone(),
        expires: format!("{month:02}/{:02}", year % 100),
        expired: expired(month, year, now),
        expires_soon: expires_soon(month, year, now),
        kept_invoice: kept_method.as_deref() == Some("invoice"),
    }
}

pub async fn card_view_in(
    conn: &mut sqlx::SqliteConnection,
    organization_id: i64,
    now: Timestamp,
) -> AppResult<Option<CardView>> {
    Ok(card_in(conn, organization_id)
        .await?
        .map(|row| view(&row, now)))
}

/// Refuses a setup when the organization or the account tried too often
/// within the hour; says when to try again.
async fn check_rate(
    conn: &mut sqlx::SqliteConnection,
    organization_id: i64,
    account_id: i64,
    now: Timestamp,
) -> AppResult<()> {
    for (column, id, limit) in [
        ("organization_id", organization_id, SETUPS_PER_ORGANIZATION),
        ("account_id", account_id, SETUPS_PER_ACCOUNT),
    ] {
        // `column` is one of two fixed names, never input.
        let (count, oldest): (i64, Option<i64>) = sqlx::query_as(&format!(
            "SELECT count(*), min(created_at) FROM card_setups WHERE {column} = ? AND created_at > ?"
        ))
        .bind(id)
        .bind(now - HOUR)
        .fetch_one(&mut *conn)
        .await?;
        if count >= limit {
            let retry_after = (oldest.unwrap_or(now) + HOUR - now).max(1);
            let minutes = (retry_after + 59) / 60;
            return Err(AppError::TooManyRequests {
                message: format!(
                    "Too many attempts to add a card. For your security, try again in {minutes} minute{}.",
                    if minutes == 1 { "" } else { "s" }
                ),
                retry_after_secs: retry_after as u64,
            });
        }
    }
    Ok(())
}

/// Opens a card setup at the provider; returns the card page to send the
/// browser to.
///
/// A second tab, a retry or 16 clicks at once continue the setup already
/// open: choosing (or making) the setup row is one transaction on the single
/// writer, and every click asks the provider with that row's idempotency
/// key, which always names the same session. So one card page, one charge.
pub async fn start(state: &AppState, access: &OrgAccess, account_id: i64) -> AppResult<String> {
    let now = state.clock.now();
    let mut tx = state.db.write.begin().await?;
    let open: Option<(String, String, Option<String>)> = sqlx::query_as(
        "SELECT public_id, idempotency_key, provider_url FROM card_setups
          WHERE organization_id = ? AND account_id = ? AND status = 'started' AND created_at > ?
          ORDER BY id DESC LIMIT 1",
    )
    .bind(access.id)
    .bind(account_id)
    .bind(now - OPEN_SETUP_SECS)
    .fetch_optional(&mut *tx)
    .await?;
    let (public_id, idempotency_key) = match open {
        Some((_, _, Some(url))) => return Ok(url),
        Some((public_id, key, None)) => (public_id, key),
        None => {
            check_rate(&mut tx, access.id, account_id, now).await?;
            let public_id = new_public_id();
            let key = format!("setup_{}", new_public_id());
            sqlx::query(
                "INSERT INTO card_setups (public_id, organization_id, account_id, idempotency_key, status,
                                          created_at, next_check_at, method_at_start, billing_updated_at_start)
                 SELECT ?, ?, ?, ?, 'started', ?, ?, b.method, b.updated_at
                   FROM (SELECT 1) LEFT JOIN billing b ON b.organization_id = ?",
            )
            .bind(&public_id)
            .bind(access.id)
            .bind(account_id)
            .bind(&key)
            .bind(now)
            .bind(now + FIRST_CHECK_SECS)
            .bind(access.id)
            .execute(&mut *tx)
            .await?;
            (public_id, key)
        }
    };
    tx.commit().await?;
    let public_url = state.config.public_url.as_str().trim_end_matches('/');
    let session = state
        .payments
        .start_setup(SetupRequest {
            merchant: "Orgpanel".into(),
            description: format!("Card verification for {}", access.org.name),
            amount: VERIFICATION,
            idempotency_key,
            return_url: format!(
                "{public_url}/organizations/{}/billing/card?setup={public_id}",
                access.org.public_id
            ),
        })
        .await
        .map_err(AppError::internal)?;
    sqlx::query(
        "UPDATE card_setups SET provider_session = ?, provider_url = ?
          WHERE public_id = ? AND provider_session IS NULL",
    )
    .bind(&session.id)
    .bind(&session.url)
    .bind(&public_id)
    .execute(&state.db.write)
    .await?;
    Ok(session.url)
}

/// Asks the provider how the setup ended and records it, once: a reload,
/// a second tab or a retry finds it already recorded.
pub async fn complete(
    state: &AppState,
    access: &OrgAccess,
    account_id: i64,
    setup: &str,
) -> AppResult<()> {
    let row: Option<(i64, String, Option<String>)> = sqlx::query_as(
        "SELECT id, status, provider_session FROM card_setups WHERE public_id = ? AND organization_id = ?",
    )
    .bind(setup)
    .bind(access.id)
    .fetch_optional(&state.db.read)
    .await?;
    let (setup_id, status, session) = row.ok_or(AppError::NotFound)?;
    let Some(session) = session.filter(|_| status == "started") else {
        return Ok(());
    };
    let outcome = state
        .payments
        .setup_outcome(&session)
        .await
        .map_err(AppError::internal)?;
    record_outcome(state, access.id, setup_id, Some(account_id), outcome).await
}

/// Records how a setup ended, once: card, payment, refund job and method
/// together, or the failure.
async fn record_outcome(
    state: &AppState,
    organization_id: i64,
    setup_id: i64,
    account_id: Option<i64>,
    outcome: SetupOutcome,
) -> AppResult<()> {
    let (status, failure) = match &outcome {
        SetupOutcome::Open => return Ok(()),
        SetupOutcome::Succeeded { .. } => ("succeeded", None),
        SetupOutcome::Failed(reason) => ("failed", Some(reason.as_str())),
    };
    let now = state.clock.now();
    let mut tx = state.db.write.begin().await?;
    let moved = sqlx::query(
        "UPDATE card_setups SET status = ?, failure = ?, finished_at = ? WHERE id = ? AND status = 'started'",
    )
    .bind(status)
    .bind(failure)
    .bind(now)
    .bind(setup_id)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if moved == 0 {
        // Someone else recorded it meanwhile.
        return Ok(());
    }
    match outcome {
        SetupOutcome::Open => {}
        SetupOutcome::Failed(reason) => {
            log(
                &mut tx,
                organization_id,
                account_id,
                "Card setup failed",
                reason.message(),
                now,
            )
            .await?;
        }
        SetupOutcome::Succeeded {
            card,
            payment_id,
            amount,
        } => {
            let before = card_in(&mut tx, organization_id).await?;
            // Invoice chosen after this setup started is a newer decision:
            // the card is kept on file, the method stays, and both say so.
            let kept_invoice: bool = sqlx::query_scalar(
                "SELECT EXISTS (SELECT 1 FROM billing b JOIN card_setups s ON s.id = ?
                                 WHERE b.organization_id = ? AND b.method = 'invoice'
                                   AND (s.method_at_start IS NOT 'invoice'
                                        OR b.updated_at > s.billing_updated_at_start))",
            )
            .bind(setup_id)
            .bind(organization_id)
            .fetch_one(&mut *tx)
            .await?;
            sqlx::query("UPDATE cards SET replaced_at = ? WHERE organization_id = ? AND replaced_at IS NULL")
                .bind(now)
                .bind(organization_id)
                .execute(&mut *tx)
                .await?;
            let card_id: i64 = sqlx::query_scalar(
                "INSERT INTO cards (organization_id, setup_id, provider_token, brand, last4, exp_month, exp_year, added_at, kept_method)
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            )
            .bind(organization_id)
            .bind(setup_id)
            .bind(&card.token)
            .bind(&card.brand)
            .bind(&card.last4)
            .bind(i64::from(card.exp_month))
            .bind(i64::from(card.exp_year))
            .bind(now)
            .bind(kept_invoice.then_some("invoice"))
            .fetch_one(&mut *tx)
            .await?;
            let payment: i64 = sqlx::query_scalar(
                "INSERT INTO payments (organization_id, card_id, kind, provider_payment, amount_cents, currency, status, created_at)
                 VALUES (?, ?, 'verification', ?, ?, ?, 'refund_pending', ?) RETURNING id",
            )
            .bind(organization_id)
            .bind(card_id)
            .bind(&payment_id)
            .bind(amount.cents)
            .bind(amount.currency.code())
            .bind(now)
            .fetch_one(&mut *tx)
            .await?;
            let delay = i64::try_from(state.config.refund_delay.as_secs()).unwrap_or(i64::MAX / 2);
            sqlx::query("INSERT INTO refund_jobs (payment_id, due_at) VALUES (?, ?)")
                .bind(payment)
                .bind(now.saturating_add(delay))
                .execute(&mut *tx)
                .await?;
            if !kept_invoice {
                sqlx::query(
                    "INSERT INTO billing (organization_id, method, updated_by, updated_at) VALUES (?, 'card', ?, ?)
                     ON CONFLICT (organization_id) DO UPDATE SET
                        method = 'card', updated_by = excluded.updated_by, updated_at = excluded.updated_at",
                )
                .bind(organization_id)
                .bind(account_id)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            }
            let mut added = format!(
                "{} ending in {}, expires {:02}/{:02}",
                card.brand,
                card.last4,
                card.exp_month,
                card.exp_year % 100
            );
            if kept_invoice {
                added.push_str(
                    "; Invoice, chosen while the card was being added, stays the method of payment",
                );
            }
            match before {
                None => {
                    log(
                        &mut tx,
                        organization_id,
                        account_id,
                        "Credit card added",
                        &added,
                        now,
                    )
                    .await?
                }
                Some((_, old_last4, _, _, _)) => {
                    let detail = format!("{added}, replaces the card ending in {old_last4}");
                    log(
                        &mut tx,
                        organization_id,
                        account_id,
                        "Credit card replaced",
                        &detail,
                        now,
                    )
                    .await?
                }
            }
        }
    }
    tx.commit().await?;
    tracing::info!(organization_id, setup_id, status, "card setup recorded");
    state.refunds_due.notify_one();
    Ok(())
}

/// The activity entry of a setup: by who started it, or by the panel when
/// that account is gone.
async fn log(
    tx: &mut sqlx::SqliteConnection,
    organization_id: i64,
    account_id: Option<i64>,
    action: &str,
    detail: &str,
    now: Timestamp,
) -> AppResult<()> {
    match account_id {
        Some(account_id) => record(tx, organization_id, account_id, action, detail, now).await,
        None => record_system(tx, organization_id, action, detail, now).await,
    }
}

/// How long to wait before asking about a setup again after `checks`
/// answers of "still open" (or failed attempts): 1, 2, 4 … minutes, at most
/// 6 hours. The provider closes a session after 24 hours, so every setup ends.
fn next_check_delay(checks: i64) -> i64 {
    (60_i64 << checks.clamp(0, 12)).min(6 * HOUR)
}

/// Setups whose browser never came back: 15 minutes after the start the
/// provider is asked how they ended, so a charge is always recorded (and
/// refunded). Each setup has its own next check, later after every "still
/// open", and one that fails (the provider down, a bad row) is logged and
/// tried again later without stopping the others.
pub async fn reconcile(state: &AppState) -> AppResult<usize> {
    let now = state.clock.now();
    // A setup the provider never opened a session for cannot charge.
    sqlx::query(
        "UPDATE card_setups SET status = 'failed', failure = ?, finished_at = ?
          WHERE status = 'started' AND provider_session IS NULL AND created_at <= ?",
    )
    .bind(CardFailure::Closed.as_str())
    .bind(now)
    .bind(now - OPEN_SETUP_SECS)
    .execute(&state.db.write)
    .await?;
    let due: Vec<(i64, i64, Option<i64>, String, i64)> = sqlx::query_as(
        "SELECT id, organization_id, account_id, provider_session, checks FROM card_setups
          WHERE status = 'started' AND provider_session IS NOT NULL AND next_check_at <= ?
          ORDER BY next_check_at LIMIT 50",
    )
    .bind(now)
    .fetch_all(&state.db.read)
    .await?;
    let mut recorded = 0;
    for (setup_id, organization_id, account_id, session, checks) in due {
        let checked = match state.payments.setup_outcome(&session).await {
            Ok(SetupOutcome::Open) => Ok(false),
            Ok(outcome) => record_outcome(state, organization_id, setup_id, account_id, outcome)
                .await
                .map(|()| true)
                .map_err(|e| e.to_string()),
            Err(error) => Err(error.to_string()),
        };
        if checked == Ok(true) {
            recorded += 1;
            continue;
        }
        if let Err(error) = &checked {
            tracing::warn!(%error, setup_id, "card setup not reconciled; will retry");
        }
        let rescheduled = sqlx::query(
            "UPDATE card_setups SET checks = checks + 1, last_error = ?, next_check_at = ?
              WHERE id = ? AND status = 'started'",
        )
        .bind(checked.err())
        .bind(now + next_check_delay(checks))
        .bind(setup_id)
        .execute(&state.db.write)
        .await;
        if let Err(error) = rescheduled {
            tracing::warn!(%error, setup_id, "card setup check not rescheduled");
        }
    }
    Ok(recorded)
}

/// Money of an organization still under way, which stops its deletion.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unsettled {
    /// A verification charge is refunded at `due` (Unix seconds, UTC).
    RefundPending { due: Timestamp },
    /// A card page could not be closed at the provider (it did not answer).
    CardPageOpen,
}

/// Before an organization is deleted: closes its open card pages at the
/// provider, recording any that charged meanwhile (their refunds are then
/// pending). Returns what still stops the deletion, if anything.
pub async fn settle_before_delete(
    state: &AppState,
    organization_id: i64,
) -> AppResult<Option<Unsettled>> {
    let open: Vec<(i64, Option<i64>, Option<String>)> = sqlx::query_as(
        "SELECT id, account_id, provider_session FROM card_setups
          WHERE organization_id = ? AND status = 'started'",
    )
    .bind(organization_id)
    .fetch_all(&state.db.read)
    .await?;
    let mut page_open = false;
    for (setup_id, account_id, session) in open {
        let outcome = match session {
            Some(session) => state.payments.close_setup(&session).await,
            None => Ok(SetupOutcome::Failed(CardFailure::Closed)),
        };
        match outcome {
            Ok(SetupOutcome::Open) | Err(_) => page_open = true,
            Ok(outcome) => {
                record_outcome(state, organization_id, setup_id, account_id, outcome).await?
            }
        }
    }
    let refund_due: Option<i64> = sqlx::query_scalar(
        "SELECT max(j.due_at) FROM refund_jobs j JOIN payments p ON p.id = j.payment_id
          WHERE p.organization_id = ? AND j.done_at IS NULL",
    )
    .bind(organization_id)
    .fetch_one(&state.db.read)
    .await?;
    Ok(match (refund_due, page_open) {
        (Some(due), _) => Some(Unsettled::RefundPending { due }),
        (None, true) => Some(Unsettled::CardPageOpen),
        (None, false) => None,
    })
}

/// How the setup `setup` of the organization ended, for the return page.
pub async fn result(
    state: &AppState,
    access: &OrgAccess,
    setup: &str,
) -> AppResult<CardSetupResult> {
    /// Status, failure, the provider's card page, the card it added.
    type SetupRow = (String, Option<String>, Option<String>, Option<i64>);
    let row: Option<SetupRow> = sqlx::query_as(
        "SELECT s.status, s.failure, s.provider_url, c.id
           FROM card_setups s LEFT JOIN cards c ON c.setup_id = s.id
          WHERE s.public_id = ? AND s.organization_id = ?",
    )
    .bind(setup)
    .bind(access.id)
    .fetch_optional(&state.db.read)
    .await?;
    let (status, failure, url, card_id) = row.ok_or(AppError::NotFound)?;
    match (status.as_str(), card_id) {
        ("succeeded", Some(card_id)) => {
            let row: (String, String, i64, i64, Option<String>, i64) = sqlx::query_as(
                "SELECT brand, last4, exp_month, exp_year, kept_method,
                        (SELECT count(*) FROM cards e WHERE e.organization_id = c.organization_id AND e.id < c.id)
                   FROM cards c WHERE c.id = ?",
            )
            .bind(card_id)
            .fetch_one(&state.db.read)
            .await?;
            let (brand, last4, month, year, kept, earlier) = row;
            Ok(CardSetupResult::Added {
                card: view(&(brand, last4, month, year, kept), state.clock.now()),
                replaced: earlier > 0,
            })
        }
        ("failed", _) => failure
            .as_deref()
            .and_then(CardFailure::parse)
            .map(CardSetupResult::Failed)
            .ok_or_else(|| AppError::internal(format!("failed setup without a reason: {setup}"))),
        _ => Ok(CardSetupResult::Unfinished {
            card_page: url.unwrap_or_default(),
        }),
    }
}

/// The "Payments" table, newest first.
pub async fn payments(db: &Db, organization_id: i64) -> AppResult<Vec<PaymentRow>> {
    let rows: Vec<(i64, String, i64, String, String)> = sqlx::query_as(
        "SELECT created_at, kind, amount_cents, currency, status FROM payments
          WHERE organization_id = ? ORDER BY id DESC LIMIT 200",
    )
    .bind(organization_id)
    .fetch_all(&db.read)
    .await?;
    rows.into_iter()
        .map(|(at, kind, cents, currency, status)| {
            let amount = Money::stored(cents, &currency)?;
            Ok(PaymentRow {
                date: format_utc(at),
                description: match kind.as_str() {
                    "verification" => "Card verification",
                    _ => "Refund",
                }
                .to_owned(),
                amount,
                status: match status.as_str() {
                    "refund_pending" => "Refund pending",
                    "refunded" => "Refunded",
                    _ => "Completed",
                }
                .to_owned(),
            })
        })
        .collect()
}

/// Refunds every verification charge that is due; returns how many were
/// refunded now. Safe to run twice at once: the provider refunds a payment
/// once per idempotency key, and the job is marked done only once. A refund
/// that fails (the provider down, a bad row) is logged and tried again
/// later, waiting longer each time (at most an hour), without stopping the others.
pub async fn refund_due(state: &AppState) -> AppResult<usize> {
    let now = state.clock.now();
    let due: Vec<(i64, String, i64)> = sqlx::query_as(
        "SELECT j.payment_id, p.provider_payment, p.organization_id
           FROM refund_jobs j JOIN payments p ON p.id = j.payment_id
          WHERE j.done_at IS NULL AND j.due_at <= ?
          ORDER BY j.due_at LIMIT 50",
    )
    .bind(now)
    .fetch_all(&state.db.read)
    .await?;
    let mut refunded = 0;
    for (payment, provider_payment, organization_id) in due {
        let key = format!("refund_{payment}");
        let done = match state.payments.refund(&provider_payment, &key).await {
            Ok(refund) => record_refund(state, payment, organization_id, &refund, now)
                .await
                .map_err(|e| e.to_string()),
            Err(error) => Err(error.to_string()),
        };
        match done {
            Ok(true) => refunded += 1,
            Ok(false) => {}
            Err(error) => {
                tracing::warn!(%error, payment, "refund failed; will retry");
                let rescheduled = sqlx::query(
                    "UPDATE refund_jobs SET attempts = attempts + 1, last_error = ?,
                            due_at = ? + min(3600, 30 * (1 << min(attempts, 7)))
                      WHERE payment_id = ? AND done_at IS NULL",
                )
                .bind(error)
                .bind(now)
                .bind(payment)
                .execute(&state.db.write)
                .await;
                if let Err(error) = rescheduled {
                    tracing::warn!(%error, payment, "refund not rescheduled");
                }
            }
        }
    }
    if refunded > 0 {
        tracing::info!(refunded, "verification charges refunded");
    }
    Ok(refunded)
}

/// Records a refund the provider made, once: `false` when another run
/// recorded it first.
async fn record_refund(
    state: &AppState,
    payment: i64,
    organization_id: i64,
    refund: &crate::payments::Refund,
    now: Timestamp,
) -> AppResult<bool> {
    let mut tx = state.db.write.begin().await?;
    let done =
        sqlx::query("UPDATE refund_jobs SET done_at = ? WHERE payment_id = ? AND done_at IS NULL")
            .bind(now)
            .bind(payment)
            .execute(&mut *tx)
            .await?
            .rows_affected();
    if done == 0 {
        tracing::debug!(payment, "refund already recorded by another run");
        return Ok(false);
    }
    sqlx::query(
        "INSERT INTO payments (organization_id, card_id, kind, provider_payment, refund_of, amount_cents, currency, status, created_at)
         SELECT organization_id, card_id, 'refund', ?, id, ?, ?, 'completed', ? FROM payments WHERE id = ?",
    )
    .bind(&refund.id)
    .bind(refund.amount.cents)
    .bind(refund.amount.currency.code())
    .bind(now)
    .bind(payment)
    .execute(&mut *tx)
    .await?;
    sqlx::query("UPDATE payments SET status = 'refunded' WHERE id = ?")
        .bind(payment)
        .execute(&mut *tx)
        .await?;
    record_system(
        &mut tx,
        organization_id,
        "Card verification refunded",
        &refund.amount.to_string(),
        now,
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}

/// Runs [`reconcile`] and [`refund_due`] now (pending work is taken up at
/// start), when a card was added, and every half second, until `stop` changes.
pub fn spawn_refunds(
    state: AppState,
    mut stop: tokio::sync::watch::Receiver<bool>,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            // Errors are logged where they are made; the next round tries again.
            let _ = reconcile(&state).await;
            let _ = refund_due(&state).await;
            tokio::select! {
                _ = stop.changed() => break,
                () = state.refunds_due.notified() => {}
                () = tokio::time::sleep(std::time::Duration::from_millis(500)) => {}
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_card_is_good_through_the_last_day_of_its_month() {
        let dec_2030 = expires_at(12, 2030);
        assert_eq!(dec_2030, 1_924_992_000, "2031-01-01 00:00 UTC");
        assert!(!expired(12, 2030, dec_2030 - 1));
        assert!(expired(12, 2030, dec_2030));
        assert_eq!(
            expires_at(2, 2028) - expires_at(1, 2028),
            29 * DAY,
            "a leap February"
        );
        assert!(expires_soon(12, 2030, dec_2030 - 30 * DAY));
        assert!(!expires_soon(12, 2030, dec_2030 - 30 * DAY - 1));
        assert!(!expires_soon(12, 2030, dec_2030), "expired is not 'soon'");
    }
}
