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

/// The card in force: brand, last four, expiry month and year.
type CardRow = (String, String, i64, i64);

async fn card_in(
    conn: &mut sqlx::SqliteConnection,
    organization_id: i64,
) -> AppResult<Option<CardRow>> {
    Ok(sqlx::query_as(
        "SELECT brand, last4, exp_month, exp_year FROM cards WHERE organization_id = ? AND replaced_at IS NULL",
    )
    .bind(organization_id)
    .fetch_optional(conn)
    .await?)
}

fn view(row: &CardRow, now: Timestamp) -> CardView {
    let (brand, last4, month, year) = row;
    let (month, year) = (*month as u8, *year as u16);
    CardView {
        brand: brand.clone(),
        last4: last4.clone(),
        expires: format!("{month:02}/{:02}", year % 100),
        expired: expired(month, year, now),
        expires_soon: expires_soon(month, year, now),
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
    db: &Db,
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
        .fetch_one(&db.read)
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
pub async fn start(state: &AppState, access: &OrgAccess, account_id: i64) -> AppResult<String> {
    let now = state.clock.now();
    // A second tab, a retry or a double click continues the setup already
    // open, so one card page can only ever charge once.
    let open: Option<String> = sqlx::query_scalar(
        "SELECT provider_url FROM card_setups
          WHERE organization_id = ? AND account_id = ? AND status = 'started'
            AND provider_url IS NOT NULL AND created_at > ?
          ORDER BY id DESC LIMIT 1",
    )
    .bind(access.id)
    .bind(account_id)
    .bind(now - OPEN_SETUP_SECS)
    .fetch_optional(&state.db.read)
    .await?;
    if let Some(url) = open {
        return Ok(url);
    }
    check_rate(&state.db, access.id, account_id, now).await?;
    let public_id = new_public_id();
    let idempotency_key = format!("setup_{}", new_public_id());
    sqlx::query(
        "INSERT INTO card_setups (public_id, organization_id, account_id, idempotency_key, status, created_at)
         VALUES (?, ?, ?, ?, 'started', ?)",
    )
    .bind(&public_id)
    .bind(access.id)
    .bind(account_id)
    .bind(&idempotency_key)
    .bind(now)
    .execute(&state.db.write)
    .await?;
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
        "UPDATE card_setups SET provider_session = ?, provider_url = ? WHERE public_id = ?",
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
            sqlx::query("UPDATE cards SET replaced_at = ? WHERE organization_id = ? AND replaced_at IS NULL")
                .bind(now)
                .bind(organization_id)
                .execute(&mut *tx)
                .await?;
            let card_id: i64 = sqlx::query_scalar(
                "INSERT INTO cards (organization_id, setup_id, provider_token, brand, last4, exp_month, exp_year, added_at)
                 VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            )
            .bind(organization_id)
            .bind(setup_id)
            .bind(&card.token)
            .bind(&card.brand)
            .bind(&card.last4)
            .bind(i64::from(card.exp_month))
            .bind(i64::from(card.exp_year))
            .bind(now)
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
            let added = format!(
                "{} ending in {}, expires {:02}/{:02}",
                card.brand,
                card.last4,
                card.exp_month,
                card.exp_year % 100
            );
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
                Some((_, old_last4, _, _)) => {
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

/// Setups whose browser never came back: after 15 minutes the provider is
/// asked how they ended, so a charge is always recorded (and refunded).
pub async fn reconcile(state: &AppState) -> AppResult<usize> {
    let now = state.clock.now();
    let stale: Vec<(i64, i64, Option<i64>, String)> = sqlx::query_as(
        "SELECT id, organization_id, account_id, provider_session FROM card_setups
          WHERE status = 'started' AND provider_session IS NOT NULL
            AND created_at <= ? AND created_at > ?
          ORDER BY id LIMIT 50",
    )
    .bind(now - 15 * 60)
    .bind(now - 7 * DAY)
    .fetch_all(&state.db.read)
    .await?;
    let mut recorded = 0;
    for (setup_id, organization_id, account_id, session) in stale {
        match state.payments.setup_outcome(&session).await {
            Ok(SetupOutcome::Open) => {}
            Ok(outcome) => {
                record_outcome(state, organization_id, setup_id, account_id, outcome).await?;
                recorded += 1;
            }
            Err(error) => tracing::warn!(%error, setup_id, "card setup not reconciled; will retry"),
        }
    }
    Ok(recorded)
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
            let row: (String, String, i64, i64, i64) = sqlx::query_as(
                "SELECT brand, last4, exp_month, exp_year,
                        (SELECT count(*) FROM cards e WHERE e.organization_id = c.organization_id AND e.id < c.id)
                   FROM cards c WHERE c.id = ?",
            )
            .bind(card_id)
            .fetch_one(&state.db.read)
            .await?;
            let (brand, last4, month, year, earlier) = row;
            Ok(CardSetupResult::Added {
                card: view(&(brand, last4, month, year), state.clock.now()),
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
/// once per idempotency key, and the job is marked done only once.
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
        match state.payments.refund(&provider_payment, &key).await {
            Ok(refund) => {
                let mut tx = state.db.write.begin().await?;
                let done = sqlx::query(
                    "UPDATE refund_jobs SET done_at = ? WHERE payment_id = ? AND done_at IS NULL",
                )
                .bind(now)
                .bind(payment)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                if done == 0 {
                    continue;
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
                refunded += 1;
            }
            Err(error) => {
                // Tried again later, waiting longer each time (at most an hour).
                tracing::warn!(%error, payment, "refund failed; will retry");
                sqlx::query(
                    "UPDATE refund_jobs SET attempts = attempts + 1, last_error = ?,
                            due_at = ? + min(3600, 30 * (1 << min(attempts, 7)))
                      WHERE payment_id = ? AND done_at IS NULL",
                )
                .bind(error.to_string())
                .bind(now)
                .bind(payment)
                .execute(&state.db.write)
                .await?;
            }
        }
    }
    if refunded > 0 {
        tracing::info!(refunded, "verification charges refunded");
    }
    Ok(refunded)
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
