//! The card work no browser waits for: asking the provider about setups
//! whose browser never came back, and refunding verification charges when
//! they are due. Both run every half second and whenever a card is added;
//! each row is handled on its own, so one failure stops no other.

use super::setup::{record_outcome, StartedSetup, OPEN_SETUP_SECS};
use crate::billing::CardFailure;
use crate::clock::Timestamp;
use crate::error::AppResult;
use crate::organizations::{activity, Actor};
use crate::payments::SetupOutcome;
use crate::server::db::{retry_delay, JOB_BATCH, LEASE_SECS};
use crate::server::AppState;

const HOUR: i64 = 3600;

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
        "UPDATE card_setups SET status = 'failed', failure = $1, finished_at = $2
          WHERE status = 'started' AND provider_session IS NULL AND created_at <= $3",
    )
    .bind(CardFailure::Closed.as_str())
    .bind(now)
    .bind(now - OPEN_SETUP_SECS)
    .execute(&state.db.write)
    .await?;
    // Taken under a lease (`LEASE_SECS`), as the outbox's email is: one
    // worker of one replica asks about a setup at a time.
    let sql = format!(
        "UPDATE card_setups SET next_check_at = $1
          WHERE id IN (SELECT id FROM card_setups
                        WHERE status = 'started' AND provider_session IS NOT NULL
                          AND next_check_at <= $2
                        ORDER BY next_check_at LIMIT {}{})
          RETURNING id, organization_id, account_id, api_key_id, provider_session, checks",
        JOB_BATCH,
        state.db.dialect.skip_locked()
    );
    let mut recorded = 0;
    // Batch after batch until one comes back short: each has its own lease.
    loop {
        let due: Vec<StartedSetup> = sqlx::query_as(&sql)
            .bind(now + LEASE_SECS)
            .bind(now)
            .fetch_all(&state.db.write)
            .await?;
        let taken = due.len();
        for setup in due {
            let StartedSetup {
                id: setup_id,
                organization_id,
                account_id,
                api_key_id,
                checks,
                ..
            } = setup;
            let Some(session) = setup.provider_session else {
                continue;
            };
            let checked = match state.payments.setup_outcome(&session).await {
                Ok(SetupOutcome::Open) => Ok(false),
                Ok(outcome) => record_outcome(
                    state,
                    organization_id,
                    setup_id,
                    Actor::from_columns(account_id, api_key_id),
                    outcome,
                )
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
                "UPDATE card_setups SET checks = checks + 1, last_error = $1, next_check_at = $2
              WHERE id = $3 AND status = 'started'",
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
        if taken < JOB_BATCH {
            break;
        }
    }
    Ok(recorded)
}

/// Refunds every verification charge that is due; returns how many were
/// refunded now. Safe to run twice at once: the provider refunds a payment
/// once per idempotency key, and the job is marked done only once. A refund
/// that fails (the provider down, a bad row) is logged and tried again
/// later, waiting longer each time (at most an hour), without stopping the others.
pub async fn refund_due(state: &AppState) -> AppResult<usize> {
    /// A refund that is due, and the charge it refunds.
    #[derive(sqlx::FromRow)]
    struct Due {
        provider_payment: String,
        organization_id: i64,
    }
    let now = state.clock.now();
    // Taken under a lease (`LEASE_SECS`), as the outbox's email is: one
    // worker of one replica calls the provider for a refund at a time (and
    // the idempotency key makes a second call refund nothing more).
    let sql = format!(
        "UPDATE refund_jobs SET due_at = $1
          WHERE payment_id IN (SELECT payment_id FROM refund_jobs
                                WHERE done_at IS NULL AND due_at <= $2
                                ORDER BY due_at LIMIT {}{})
          RETURNING payment_id, attempts",
        JOB_BATCH,
        state.db.dialect.skip_locked()
    );
    let mut refunded = 0;
    // Batch after batch until one comes back short: each has its own lease.
    loop {
        let mut taken: Vec<(i64, i64)> = sqlx::query_as(&sql)
            .bind(now + LEASE_SECS)
            .bind(now)
            .fetch_all(&state.db.write)
            .await?;
        taken.sort_unstable();
        let batch = taken.len();
        for (payment, attempts) in taken {
            let Some(Due {
                provider_payment,
                organization_id,
            }) = sqlx::query_as(
                "SELECT provider_payment, organization_id FROM payments WHERE id = $1",
            )
            .bind(payment)
            .fetch_optional(&state.db.read)
            .await?
            else {
                continue;
            };
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
                    "UPDATE refund_jobs SET attempts = attempts + 1, last_error = $1, due_at = $2
                      WHERE payment_id = $3 AND done_at IS NULL",
                )
                .bind(error)
                .bind(now + retry_delay(attempts))
                .bind(payment)
                .execute(&state.db.write)
                .await;
                    if let Err(error) = rescheduled {
                        tracing::warn!(%error, payment, "refund not rescheduled");
                    }
                }
            }
        }
        if batch < JOB_BATCH {
            break;
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
    let done = sqlx::query(
        "UPDATE refund_jobs SET done_at = $1 WHERE payment_id = $2 AND done_at IS NULL",
    )
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
         SELECT organization_id, card_id, 'refund', $1, id, $2, $3, 'completed', $4 FROM payments WHERE id = $5",
    )
    .bind(&refund.id)
    .bind(refund.amount.cents)
    .bind(refund.amount.currency.code())
    .bind(now)
    .bind(payment)
    .execute(&mut *tx)
    .await?;
    sqlx::query("UPDATE payments SET status = 'refunded' WHERE id = $1")
        .bind(payment)
        .execute(&mut *tx)
        .await?;
    activity::record_system(
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
