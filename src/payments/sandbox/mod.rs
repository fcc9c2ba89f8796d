//! The sandbox payment provider: runs inside the binary under
//! `/sandbox-pay/`, with tables of its own, and behaves like a real hosted
//! card page in test mode (DESIGN.md, "The card flow", test cards).
//!
//! It receives a card number and security code when the person submits its
//! card page, and keeps neither: only a token, the brand, the last four
//! digits, the expiry and the outcome. Nothing of the form is logged.
//!
//! Here: the provider interface and the sessions' lifetime. `cards`: the
//! test cards and the card checks; `pages`: the HTTP handlers; `views`:
//! their HTML.

mod cards;
mod pages;
mod views;

use super::{
    BoxFuture, ChargeOutcome, ChargeRequest, Decline, PaymentProvider, ProviderCard, ProviderError,
    Refund, SetupOutcome, SetupRequest, SetupSession,
};
use crate::clock::{Clock, Timestamp};
use crate::ids::new_public_id;
use crate::money::{Currency, Money};
use sqlx::AnyPool as Pool;

/// Where the sandbox's pages are served: the card page of session `id` is
/// `{PREFIX}/setup/{id}`.
pub const PREFIX: &str = "/sandbox-pay";
/// A card page left unfinished this long is closed, as real providers
/// expire their checkout sessions.
pub const SESSION_LIFETIME_SECS: i64 = 24 * 3600;

/// Closes a session that is still open: all of them (`before` = none), or
/// only one older than the lifetime. A compare-and-set, so a card accepted
/// at the same moment is either charged or closed, never both.
async fn close(
    db: &Sandbox,
    id: &str,
    now: Timestamp,
    before: Option<Timestamp>,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE sandbox_sessions SET status = 'failed', failure = $1, finished_at = $2
          WHERE id = $3 AND status IN ('open', 'identifying') AND created_at <= $4",
    )
    .bind(Decline::Closed.as_str())
    .bind(now)
    .bind(id)
    .bind(before.unwrap_or(i64::MAX))
    .execute(&db.write)
    .await?;
    Ok(())
}

async fn close_if_stale(db: &Sandbox, id: &str, now: Timestamp) -> Result<(), sqlx::Error> {
    close(db, id, now, Some(now - SESSION_LIFETIME_SECS)).await
}

/// The sandbox: the provider interface for the panel, and the state of its
/// own pages. It keeps its tables in the panel's database file, reading
/// through the read pool and writing through the single writer.
#[derive(Clone, Debug)]
pub struct Sandbox {
    read: Pool,
    write: Pool,
    clock: Clock,
    /// The panel's public address: the card page is under it.
    base_url: String,
}

impl Sandbox {
    /// The sandbox on the panel's database pools; `public_url` is the
    /// panel's public address (a trailing slash is dropped).
    pub fn new(read: Pool, write: Pool, clock: Clock, public_url: &url::Url) -> Self {
        Self {
            read,
            write,
            clock,
            base_url: public_url.as_str().trim_end_matches('/').to_owned(),
        }
    }
}

fn fail(error: sqlx::Error) -> ProviderError {
    ProviderError(error.to_string())
}

/// A refund already recorded for a payment or an idempotency key.
#[derive(sqlx::FromRow)]
struct RefundRow {
    id: String,
    amount_cents: i64,
}

/// A session and its charge, as `setup_outcome` reads them.
#[derive(sqlx::FromRow)]
struct OutcomeRow {
    status: String,
    failure: Option<String>,
    card_token: Option<String>,
    brand: Option<String>,
    last4: Option<String>,
    exp_month: Option<i64>,
    exp_year: Option<i64>,
    payment_id: Option<String>,
    amount_cents: Option<i64>,
    currency: Option<String>,
}

/// A recorded charge (id, status, failure) as its outcome.
fn charge_outcome(
    (id, status, failure): (String, String, Option<String>),
) -> Result<ChargeOutcome, ProviderError> {
    match (status.as_str(), failure.as_deref().and_then(Decline::parse)) {
        ("succeeded", _) => Ok(ChargeOutcome::Paid { payment_id: id }),
        (_, Some(decline)) => Ok(ChargeOutcome::Declined(decline)),
        _ => Err(ProviderError(format!("charge {id} has no outcome"))),
    }
}

impl PaymentProvider for Sandbox {
    fn start_setup(
        &self,
        request: SetupRequest,
    ) -> BoxFuture<'_, Result<SetupSession, ProviderError>> {
        Box::pin(async move {
            let id = format!("cs_{}", new_public_id());
            sqlx::query(
                "INSERT INTO sandbox_sessions (id, idempotency_key, merchant, amount_cents, currency, return_url, status, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, 'open', $7)
                 ON CONFLICT (idempotency_key) DO NOTHING",
            )
            .bind(&id)
            .bind(&request.idempotency_key)
            .bind(format!("{}\n{}", request.merchant, request.description))
            .bind(request.amount.cents)
            .bind(request.amount.currency.code())
            .bind(&request.return_url)
            .bind(self.clock.now())
            .execute(&self.write)
            .await
            .map_err(fail)?;
            let id: String =
                sqlx::query_scalar("SELECT id FROM sandbox_sessions WHERE idempotency_key = $1")
                    .bind(&request.idempotency_key)
                    .fetch_one(&self.read)
                    .await
                    .map_err(fail)?;
            Ok(SetupSession {
                url: format!("{}{PREFIX}/setup/{id}", self.base_url),
                id,
            })
        })
    }

    fn close_setup<'a>(
        &'a self,
        session_id: &'a str,
    ) -> BoxFuture<'a, Result<SetupOutcome, ProviderError>> {
        Box::pin(async move {
            close(self, session_id, self.clock.now(), None)
                .await
                .map_err(fail)?;
            self.setup_outcome(session_id).await
        })
    }

    fn setup_outcome<'a>(
        &'a self,
        session_id: &'a str,
    ) -> BoxFuture<'a, Result<SetupOutcome, ProviderError>> {
        Box::pin(async move {
            close_if_stale(self, session_id, self.clock.now())
                .await
                .map_err(fail)?;
            let row: Option<OutcomeRow> = sqlx::query_as(
                "SELECT s.status, s.failure, s.card_token, s.brand, s.last4, s.exp_month, s.exp_year,
                        p.id AS payment_id, p.amount_cents, p.currency
                   FROM sandbox_sessions s LEFT JOIN sandbox_payments p ON p.session_id = s.id
                  WHERE s.id = $1",
            )
            .bind(session_id)
            .fetch_optional(&self.read)
            .await
            .map_err(fail)?;
            let Some(OutcomeRow {
                status,
                failure,
                card_token,
                brand,
                last4,
                exp_month,
                exp_year,
                payment_id: payment,
                amount_cents: cents,
                currency,
            }) = row
            else {
                return Err(ProviderError(format!("no session {session_id}")));
            };
            match status.as_str() {
                "open" | "identifying" => Ok(SetupOutcome::Open),
                "failed" => failure
                    .as_deref()
                    .and_then(Decline::parse)
                    .map(SetupOutcome::Failed)
                    .ok_or_else(|| {
                        ProviderError(format!("failed session without a reason: {session_id}"))
                    }),
                "succeeded" => {
                    let card = (|| {
                        Some(ProviderCard {
                            token: card_token?,
                            brand: brand?,
                            last4: last4?,
                            exp_month: u8::try_from(exp_month?).ok()?,
                            exp_year: u16::try_from(exp_year?).ok()?,
                        })
                    })();
                    let amount = cents.zip(currency.as_deref().and_then(Currency::parse));
                    match (card, payment, amount) {
                        (Some(card), Some(payment_id), Some((cents, currency))) => {
                            Ok(SetupOutcome::Succeeded {
                                card,
                                payment_id,
                                amount: Money { cents, currency },
                            })
                        }
                        _ => Err(ProviderError(format!("incomplete session {session_id}"))),
                    }
                }
                other => Err(ProviderError(format!("unknown session status {other}"))),
            }
        })
    }

    fn charge(
        &self,
        request: ChargeRequest,
    ) -> BoxFuture<'_, Result<ChargeOutcome, ProviderError>> {
        Box::pin(async move {
            let now = self.clock.now();
            let card: Option<(i64, i64, String)> = sqlx::query_as(
                "SELECT exp_month, exp_year, later_charges FROM sandbox_sessions
                  WHERE card_token = $1 AND status = 'succeeded'",
            )
            .bind(&request.card_token)
            .fetch_optional(&self.write)
            .await
            .map_err(fail)?;
            let (month, year, later) =
                card.ok_or_else(|| ProviderError("no such card".to_owned()))?;
            let expired = match (u8::try_from(month), u16::try_from(year)) {
                (Ok(month), Ok(year)) => crate::clock::card_expired(month, year, now),
                _ => true,
            };
            let failure = if expired {
                Some(Decline::ExpiredCard)
            } else if later == "declined" {
                Some(Decline::Declined)
            } else {
                None
            };
            // One statement: of two charges with the same key at once, the
            // first is recorded and both answer its outcome.
            sqlx::query(
                "INSERT INTO sandbox_charges (id, idempotency_key, card_token, amount_cents, currency, description, status, failure, created_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
                 ON CONFLICT (idempotency_key) DO NOTHING",
            )
            .bind(format!("ch_{}", new_public_id()))
            .bind(&request.idempotency_key)
            .bind(&request.card_token)
            .bind(request.amount.cents)
            .bind(request.amount.currency.code())
            .bind(&request.description)
            .bind(if failure.is_some() { "failed" } else { "succeeded" })
            .bind(failure.map(Decline::as_str))
            .bind(now)
            .execute(&self.write)
            .await
            .map_err(fail)?;
            let recorded: (String, String, Option<String>) = sqlx::query_as(
                "SELECT id, status, failure FROM sandbox_charges WHERE idempotency_key = $1",
            )
            .bind(&request.idempotency_key)
            .fetch_one(&self.write)
            .await
            .map_err(fail)?;
            charge_outcome(recorded)
        })
    }

    fn refund<'a>(
        &'a self,
        payment_id: &'a str,
        idempotency_key: &'a str,
    ) -> BoxFuture<'a, Result<Refund, ProviderError>> {
        Box::pin(async move {
            let mut tx = self.write.begin().await.map_err(fail)?;
            let existing: Option<RefundRow> = sqlx::query_as(
                "SELECT id, amount_cents FROM sandbox_refunds WHERE payment_id = $1 OR idempotency_key = $2",
            )
            .bind(payment_id)
            .bind(idempotency_key)
            .fetch_optional(&mut *tx)
            .await
            .map_err(fail)?;
            if let Some(RefundRow { id, amount_cents }) = existing {
                return Ok(Refund {
                    id,
                    amount: Money::eur(amount_cents),
                });
            }
            let cents: Option<i64> =
                sqlx::query_scalar("SELECT amount_cents FROM sandbox_payments WHERE id = $1")
                    .bind(payment_id)
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(fail)?;
            let cents = cents.ok_or_else(|| ProviderError(format!("no payment {payment_id}")))?;
            let id = format!("re_{}", new_public_id());
            sqlx::query(
                "INSERT INTO sandbox_refunds (id, payment_id, idempotency_key, amount_cents, created_at) VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(&id)
            .bind(payment_id)
            .bind(idempotency_key)
            .bind(cents)
            .bind(self.clock.now())
            .execute(&mut *tx)
            .await
            .map_err(fail)?;
            tx.commit().await.map_err(fail)?;
            Ok(Refund {
                id,
                amount: Money::eur(cents),
            })
        })
    }
}
