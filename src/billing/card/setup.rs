//! Adding a card: a setup opened at the provider's card page (one per
//! organization and account at a time, rate limited), and how it ended,
//! recorded exactly once whoever asks first: the browser coming back, the
//! reconcile job, or the organization's deletion.

use super::{card_in, view, VERIFICATION};
use crate::billing::{CardFailure, CardSetupResult};
use crate::clock::Timestamp;
use crate::error::{AppError, AppResult};
use crate::ids::new_public_id;
use crate::organizations::activity;
use crate::organizations::{Actor, OrgAccess};
use crate::payments::{Decline, SetupOutcome, SetupRequest};
use crate::server::rate_limit::RateLimit;
use crate::server::AppState;

const HOUR: i64 = 3600;
/// How long an unfinished setup is offered again instead of a new one.
pub(super) const OPEN_SETUP_SECS: i64 = 30 * 60;
/// A setup whose browser has not come back is first asked about after this.
const FIRST_CHECK_SECS: i64 = 15 * 60;

/// Card setups an organization may start per hour (against card testing).
pub const SETUPS_PER_ORGANIZATION: RateLimit = RateLimit {
    limit: 5,
    window_secs: HOUR,
    refusal: "Too many attempts to add a card.",
};
/// The same per account, across its organizations.
pub const SETUPS_PER_ACCOUNT: RateLimit = RateLimit {
    limit: 10,
    ..SETUPS_PER_ORGANIZATION
};

/// Refuses a setup when the organization or the account started too many
/// within the hour; says when to try again.
async fn check_rate(
    conn: &mut crate::server::db::Connection,
    organization_id: i64,
    account_id: Option<i64>,
    now: Timestamp,
) -> AppResult<()> {
    const BY_ORGANIZATION: &str = "SELECT created_at FROM card_setups
          WHERE organization_id = $1 AND created_at > $2 ORDER BY created_at DESC LIMIT 1 OFFSET $3";
    const BY_ACCOUNT: &str = "SELECT created_at FROM card_setups
          WHERE account_id = $1 AND created_at > $2 ORDER BY created_at DESC LIMIT 1 OFFSET $3";
    // An API key's setups count against its organization.
    let by_account = account_id.map(|id| (BY_ACCOUNT, id, SETUPS_PER_ACCOUNT));
    for (sql, id, limit) in
        std::iter::once((BY_ORGANIZATION, organization_id, SETUPS_PER_ORGANIZATION))
            .chain(by_account)
    {
        let counted: Option<Timestamp> = sqlx::query_scalar(sql)
            .bind(id)
            .bind(limit.window_start(now))
            .bind(limit.offset())
            .fetch_optional(&mut *conn)
            .await?;
        limit.check(counted, now)?;
    }
    Ok(())
}

/// Where the provider sends the browser back after the card page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Back {
    /// To Billing's result page: a person started it there, signed in.
    Billing,
    /// To the setup's own page, which needs no session: the card page came
    /// from the API and may be opened in any browser.
    OwnPage,
}

/// An unfinished setup of the same organization and account.
#[derive(sqlx::FromRow)]
struct OpenSetup {
    public_id: String,
    idempotency_key: String,
    provider_url: Option<String>,
}

/// Opens a card setup at the provider; returns the card page to send the
/// browser to.
///
/// A second tab, a retry or 16 clicks at once continue the setup already
/// open: choosing (or making) the setup row is one transaction on the single
/// writer, and every click asks the provider with that row's idempotency
/// key, which always names the same session. So one card page, one charge.
pub async fn start(state: &AppState, access: &OrgAccess, back: Back) -> AppResult<String> {
    let now = state.clock.now();
    let (account_id, api_key_id) = (access.account_id(), access.by.api_key_id());
    let mut tx = state.db.write.begin().await?;
    let open: Option<OpenSetup> = sqlx::query_as(
        "SELECT public_id, idempotency_key, provider_url FROM card_setups
          WHERE organization_id = $1 AND account_id IS NOT DISTINCT FROM $2 AND api_key_id IS NOT DISTINCT FROM $3 AND status = 'started'
            AND created_at > $4
          ORDER BY id DESC LIMIT 1",
    )
    .bind(access.id)
    .bind(account_id)
    .bind(api_key_id)
    .bind(now - OPEN_SETUP_SECS)
    .fetch_optional(&mut *tx)
    .await?;
    let (public_id, idempotency_key) = match open {
        Some(OpenSetup {
            provider_url: Some(url),
            ..
        }) => return Ok(url),
        Some(setup) => (setup.public_id, setup.idempotency_key),
        None => {
            check_rate(&mut tx, access.id, account_id, now).await?;
            let public_id = new_public_id();
            let key = format!("setup_{}", new_public_id());
            sqlx::query(
                "INSERT INTO card_setups (public_id, organization_id, account_id, api_key_id, idempotency_key,
                                          status, created_at, next_check_at, method_at_start, billing_updated_at_start)
                 SELECT $1, $2, $3, $4, $5, 'started', $6, $7, b.method, b.updated_at
                   FROM (SELECT 1) AS one LEFT JOIN billing b ON b.organization_id = $8",
            )
            .bind(&public_id)
            .bind(access.id)
            .bind(account_id)
            .bind(api_key_id)
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
    let public_url = state.config.base_url();
    let session = state
        .payments
        .start_setup(SetupRequest {
            merchant: "Orgpanel".into(),
            description: format!("Card verification for {}", access.org.name),
            amount: VERIFICATION,
            idempotency_key,
            return_url: match back {
                Back::Billing => format!(
                    "{public_url}/organizations/{}/billing/card?setup={public_id}",
                    access.org.public_id
                ),
                Back::OwnPage => format!("{public_url}/card-setups/{public_id}"),
            },
        })
        .await
        .map_err(AppError::internal)?;
    sqlx::query(
        "UPDATE card_setups SET provider_session = $1, provider_url = $2
          WHERE public_id = $3 AND provider_session IS NULL",
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
pub async fn complete(state: &AppState, access: &OrgAccess, setup: &str) -> AppResult<()> {
    /// The setup as the return page finds it.
    #[derive(sqlx::FromRow)]
    struct Row {
        id: i64,
        status: String,
        provider_session: Option<String>,
    }
    let row: Option<Row> = sqlx::query_as(
        "SELECT id, status, provider_session FROM card_setups WHERE public_id = $1 AND organization_id = $2",
    )
    .bind(setup)
    .bind(access.id)
    .fetch_optional(&state.db.read)
    .await?;
    let row = row.ok_or(AppError::NotFound)?;
    let Some(session) = row.provider_session.filter(|_| row.status == "started") else {
        return Ok(());
    };
    let setup_id = row.id;
    let outcome = state
        .payments
        .setup_outcome(&session)
        .await
        .map_err(AppError::internal)?;
    record_outcome(state, access.id, setup_id, Some(access.actor()), outcome).await
}

/// Records how a setup ended, once: card, payment, refund job and method
/// together, or the failure.
pub(super) async fn record_outcome(
    state: &AppState,
    organization_id: i64,
    setup_id: i64,
    by: Option<Actor>,
    outcome: SetupOutcome,
) -> AppResult<()> {
    let (status, failure) = match &outcome {
        SetupOutcome::Open => return Ok(()),
        SetupOutcome::Succeeded { .. } => ("succeeded", None),
        SetupOutcome::Failed(decline) => ("failed", Some(CardFailure::from(*decline).as_str())),
    };
    let now = state.clock.now();
    let mut tx = state.db.write.begin().await?;
    let moved = sqlx::query(
        "UPDATE card_setups SET status = $1, failure = $2, finished_at = $3 WHERE id = $4 AND status = 'started'",
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
        SetupOutcome::Failed(decline) => {
            log(
                &mut tx,
                organization_id,
                by,
                "Card setup failed",
                CardFailure::from(decline).message(),
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
            let kept_invoice = 1 == sqlx::query_scalar::<_, i64>(
                "SELECT CASE WHEN EXISTS (SELECT 1 FROM billing b JOIN card_setups s ON s.id = $1
                                 WHERE b.organization_id = $2 AND b.method = 'invoice'
                                   AND (s.method_at_start IS DISTINCT FROM 'invoice'
                                        OR b.updated_at > s.billing_updated_at_start)) THEN 1 ELSE 0 END",
            )
            .bind(setup_id)
            .bind(organization_id)
            .fetch_one(&mut *tx)
            .await?;
            sqlx::query("UPDATE cards SET replaced_at = $1 WHERE organization_id = $2 AND replaced_at IS NULL")
                .bind(now)
                .bind(organization_id)
                .execute(&mut *tx)
                .await?;
            let card_id: i64 = sqlx::query_scalar(
                "INSERT INTO cards (organization_id, setup_id, provider_token, brand, last4, exp_month, exp_year, added_at, kept_method)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
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
                 VALUES ($1, $2, 'verification', $3, $4, $5, 'refund_pending', $6) RETURNING id",
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
            sqlx::query("INSERT INTO refund_jobs (payment_id, due_at) VALUES ($1, $2)")
                .bind(payment)
                .bind(now.saturating_add(delay))
                .execute(&mut *tx)
                .await?;
            if !kept_invoice {
                sqlx::query(
                    "INSERT INTO billing (organization_id, method, updated_by, updated_at) VALUES ($1, 'card', $2, $3)
                     ON CONFLICT (organization_id) DO UPDATE SET
                        method = 'card', updated_by = excluded.updated_by, updated_at = excluded.updated_at",
                )
                .bind(organization_id)
                .bind(by.and_then(Actor::account_id))
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
                        by,
                        "Credit card added",
                        &added,
                        now,
                    )
                    .await?;
                }
                Some(old) => {
                    let detail = format!("{added}, replaces the card ending in {}", old.last4);
                    log(
                        &mut tx,
                        organization_id,
                        by,
                        "Credit card replaced",
                        &detail,
                        now,
                    )
                    .await?;
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
/// that account (or key) is gone.
async fn log(
    tx: &mut crate::server::db::Connection,
    organization_id: i64,
    by: Option<Actor>,
    action: &str,
    detail: &str,
    now: Timestamp,
) -> AppResult<()> {
    match by {
        Some(by) => activity::record(tx, organization_id, by, action, detail, now).await,
        None => activity::record_system(tx, organization_id, action, detail, now).await,
    }
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
    let open: Vec<StartedSetup> = sqlx::query_as(
        "SELECT id, organization_id, account_id, api_key_id, provider_session, checks FROM card_setups
          WHERE organization_id = $1 AND status = 'started'",
    )
    .bind(organization_id)
    .fetch_all(&state.db.read)
    .await?;
    let mut page_open = false;
    for setup in open {
        let outcome = match &setup.provider_session {
            Some(session) => state.payments.close_setup(session).await,
            None => Ok(SetupOutcome::Failed(Decline::Closed)),
        };
        match outcome {
            Ok(SetupOutcome::Open) | Err(_) => page_open = true,
            Ok(outcome) => {
                record_outcome(
                    state,
                    organization_id,
                    setup.id,
                    Actor::from_columns(setup.account_id, setup.api_key_id),
                    outcome,
                )
                .await?;
            }
        }
    }
    let refund_due: Option<i64> = sqlx::query_scalar(
        "SELECT max(j.due_at) FROM refund_jobs j JOIN payments p ON p.id = j.payment_id
          WHERE p.organization_id = $1 AND j.done_at IS NULL",
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

/// For the page an API key's setup comes back to, where the browser may
/// have no session: asks the provider how the setup `setup` (its random
/// public id is the only credential, as in the provider's own page) ended,
/// records it once under whoever started it, and answers the organization's
/// name and the result.
pub async fn complete_by_id(state: &AppState, setup: &str) -> AppResult<(String, CardSetupResult)> {
    /// The setup as its own page finds it.
    #[derive(sqlx::FromRow)]
    struct Row {
        id: i64,
        organization_id: i64,
        name: String,
        status: String,
        provider_session: Option<String>,
        account_id: Option<i64>,
        api_key_id: Option<i64>,
    }
    let row: Option<Row> = sqlx::query_as(
        "SELECT s.id, s.organization_id, o.name, s.status, s.provider_session, s.account_id, s.api_key_id
           FROM card_setups s JOIN organizations o ON o.id = s.organization_id
          WHERE s.public_id = $1 AND o.deleted_at IS NULL",
    )
    .bind(setup)
    .fetch_optional(&state.db.read)
    .await?;
    let row = row.ok_or(AppError::NotFound)?;
    if let Some(session) = row.provider_session.filter(|_| row.status == "started") {
        let outcome = state
            .payments
            .setup_outcome(&session)
            .await
            .map_err(AppError::internal)?;
        let by = Actor::from_columns(row.account_id, row.api_key_id);
        record_outcome(state, row.organization_id, row.id, by, outcome).await?;
    }
    let result = result_in(state, row.organization_id, setup).await?;
    Ok((row.name, result))
}

/// How the setup `setup` of the organization ended, for the return page.
pub async fn result(
    state: &AppState,
    access: &OrgAccess,
    setup: &str,
) -> AppResult<CardSetupResult> {
    result_in(state, access.id, setup).await
}

async fn result_in(
    state: &AppState,
    organization_id: i64,
    setup: &str,
) -> AppResult<CardSetupResult> {
    /// A setup and the card it added, if any.
    #[derive(sqlx::FromRow)]
    struct Row {
        status: String,
        failure: Option<String>,
        provider_url: Option<String>,
        card_id: Option<i64>,
    }
    let row: Option<Row> = sqlx::query_as(
        "SELECT s.status, s.failure, s.provider_url, c.id AS card_id
           FROM card_setups s LEFT JOIN cards c ON c.setup_id = s.id
          WHERE s.public_id = $1 AND s.organization_id = $2",
    )
    .bind(setup)
    .bind(organization_id)
    .fetch_optional(&state.db.read)
    .await?;
    let Row {
        status,
        failure,
        provider_url,
        card_id,
    } = row.ok_or(AppError::NotFound)?;
    match (status.as_str(), card_id) {
        ("succeeded", Some(card_id)) => {
            let card: super::CardRow = sqlx::query_as(
                "SELECT (SELECT count(*) FROM cards o WHERE o.organization_id = c.organization_id AND o.id <= c.id)
                        AS number, brand, last4, exp_month, exp_year, kept_method
                   FROM cards c WHERE id = $1",
            )
            .bind(card_id)
            .fetch_one(&state.db.read)
            .await?;
            let replaced = 1 == sqlx::query_scalar::<_, i64>(
                "SELECT CASE WHEN EXISTS (SELECT 1 FROM cards e JOIN cards c ON c.id = $1
                                 WHERE e.organization_id = c.organization_id AND e.id < c.id) THEN 1 ELSE 0 END",
            )
            .bind(card_id)
            .fetch_one(&state.db.read)
            .await?;
            Ok(CardSetupResult::Added {
                card: view(&card, state.clock.now()),
                replaced,
            })
        }
        ("failed", _) => failure
            .as_deref()
            .and_then(CardFailure::parse)
            .map(CardSetupResult::Failed)
            .ok_or_else(|| AppError::internal(format!("failed setup without a reason: {setup}"))),
        _ => Ok(CardSetupResult::Unfinished {
            card_page: provider_url.unwrap_or_default(),
        }),
    }
}

/// A setup still waiting for its outcome.
#[derive(sqlx::FromRow)]
pub(super) struct StartedSetup {
    pub id: i64,
    pub organization_id: i64,
    pub account_id: Option<i64>,
    pub api_key_id: Option<i64>,
    pub provider_session: Option<String>,
    /// How often the provider has been asked about it so far.
    pub checks: i64,
}
