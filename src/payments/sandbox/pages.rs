//! The sandbox's HTTP side: the card page, its submit, the bank's
//! identification page, and what each moves the session to.

use super::cards::{check_card, Behaviour, CardErrors, CheckedCard};
use super::{close_if_stale, views, Decline, Sandbox, PREFIX};
use crate::clock::Timestamp;
use crate::ids::new_public_id;
use crate::money::Money;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Form, Router};
use serde::Deserialize;

impl Sandbox {
    /// The card and identification pages under [`PREFIX`], with the
    /// sandbox as their state; merges into any router.
    pub fn router<S: Clone + Send + Sync + 'static>(&self) -> Router<S> {
        Router::new()
            .route(&format!("{PREFIX}/sandbox.css"), get(stylesheet))
            .route(&format!("{PREFIX}/favicon.svg"), get(favicon))
            .route(
                &format!("{PREFIX}/setup/{{session}}"),
                get(card_page).post(accept),
            )
            .route(
                &format!("{PREFIX}/setup/{{session}}/identify"),
                get(identify_page).post(identify),
            )
            .with_state(self.clone())
    }
}

async fn stylesheet() -> Response {
    (
        [(header::CONTENT_TYPE, "text/css; charset=utf-8")],
        include_str!("sandbox.css"),
    )
        .into_response()
}

/// The provider's own icon (a browser asks every page for one).
async fn favicon() -> Response {
    (
        [
            (header::CONTENT_TYPE, "image/svg+xml"),
            (header::CACHE_CONTROL, "public, max-age=86400"),
        ],
        r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="16" fill="#635bff"/><path d="M10 13h12M10 19h7" stroke="#fff" stroke-width="3" stroke-linecap="round"/></svg>"##,
    )
        .into_response()
}

/// A session as its pages show it.
pub(super) struct Session {
    pub(super) merchant: String,
    /// What the card verification is for, under the merchant's name.
    pub(super) description: String,
    pub(super) amount: Money,
    pub(super) return_url: String,
    /// `open`, `identifying`, `succeeded` or `failed`.
    pub(super) status: String,
}

#[derive(sqlx::FromRow)]
struct SessionRow {
    /// The merchant's name and the description, one per line.
    merchant: String,
    amount_cents: i64,
    return_url: String,
    status: String,
}

async fn session(db: &Sandbox, id: &str, now: Timestamp) -> Result<Option<Session>, sqlx::Error> {
    close_if_stale(db, id, now).await?;
    let row: Option<SessionRow> = sqlx::query_as(
        "SELECT merchant, amount_cents, return_url, status FROM sandbox_sessions WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(&db.read)
    .await?;
    Ok(row.map(|row| {
        let (merchant, description) = row.merchant.split_once('\n').unwrap_or((&row.merchant, ""));
        Session {
            merchant: merchant.to_owned(),
            description: description.to_owned(),
            amount: Money::eur(row.amount_cents),
            return_url: row.return_url,
            status: row.status,
        }
    }))
}

/// The session `id`, or the page that says why there is none.
async fn find(db: &Sandbox, id: &str, now: Timestamp) -> Result<Session, Response> {
    match session(db, id, now).await {
        Err(error) => Err(provider_fault(error)),
        Ok(None) => Err(not_found()),
        Ok(Some(session)) => Ok(session),
    }
}

fn not_found() -> Response {
    (StatusCode::NOT_FOUND, Html(views::not_found())).into_response()
}

fn provider_fault(error: sqlx::Error) -> Response {
    tracing::error!(%error, "sandbox provider");
    (StatusCode::INTERNAL_SERVER_ERROR, Html(views::fault())).into_response()
}

/// Where a session that is past its card page sends the browser.
fn moved_on(id: &str, session: &Session) -> Option<Response> {
    match session.status.as_str() {
        "open" => None,
        "identifying" => {
            Some(Redirect::to(&format!("{PREFIX}/setup/{id}/identify")).into_response())
        }
        _ => Some(Redirect::to(&session.return_url).into_response()),
    }
}

async fn card_page(State(state): State<Sandbox>, Path(id): Path<String>) -> Response {
    match find(&state, &id, state.clock.now()).await {
        Err(page) => page,
        Ok(session) => moved_on(&id, &session).unwrap_or_else(|| {
            Html(views::card_form(&session, "", &CardErrors::default())).into_response()
        }),
    }
}

/// The card page's fields. No `Debug`: a card number must never reach a log.
#[derive(Deserialize)]
struct CardFields {
    #[serde(default)]
    number: String,
    #[serde(default)]
    expiry: String,
    #[serde(default)]
    cvc: String,
}

async fn accept(
    State(state): State<Sandbox>,
    Path(id): Path<String>,
    Form(fields): Form<CardFields>,
) -> Response {
    let session = match find(&state, &id, state.clock.now()).await {
        Ok(session) => session,
        Err(page) => return page,
    };
    // A second click, a reload or another tab: the first one decided.
    if let Some(response) = moved_on(&id, &session) {
        return response;
    }
    let card = match check_card(
        &fields.number,
        &fields.expiry,
        &fields.cvc,
        state.clock.now(),
    ) {
        Ok(card) => card,
        Err(errors) => {
            // Refused on the page: nothing charged, and neither the number nor
            // the code is sent back.
            let html = views::card_form(&session, &fields.expiry, &errors);
            return (StatusCode::UNPROCESSABLE_ENTITY, Html(html)).into_response();
        }
    };
    drop(fields);
    match decide(&state, &id, &session, &card).await {
        Ok(()) => {}
        Err(error) => return provider_fault(error),
    }
    match session_status(&state, &id).await {
        Ok(Some(status)) => moved_on(&id, &Session { status, ..session })
            .unwrap_or_else(|| Redirect::to(&format!("{PREFIX}/setup/{id}")).into_response()),
        Ok(None) => not_found(),
        Err(error) => provider_fault(error),
    }
}

async fn session_status(db: &Sandbox, id: &str) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT status FROM sandbox_sessions WHERE id = $1")
        .bind(id)
        .fetch_optional(&db.read)
        .await
}

/// Moves an open session on, once: to identification, a charge, or a failure.
async fn decide(
    state: &Sandbox,
    id: &str,
    session: &Session,
    card: &CheckedCard,
) -> Result<(), sqlx::Error> {
    let now = state.clock.now();
    let mut tx = state.write.begin().await?;
    let (status, failure) = match card.behaviour {
        Behaviour::Accept | Behaviour::DeclineLater => ("succeeded", None),
        Behaviour::Identify => ("identifying", None),
        Behaviour::Fail(reason) => ("failed", Some(reason.as_str())),
    };
    let token = format!("tok_{}", new_public_id());
    let moved = sqlx::query(
        "UPDATE sandbox_sessions
            SET status = $1, failure = $2, card_token = $3, brand = $4, last4 = $5, exp_month = $6, exp_year = $7,
                finished_at = CASE WHEN $8 = 'identifying' THEN NULL ELSE $9 END,
                later_charges = $11
          WHERE id = $10 AND status = 'open'",
    )
    .bind(status)
    .bind(failure)
    .bind((failure.is_none()).then_some(&token))
    .bind(card.brand)
    .bind(&card.last4)
    .bind(i64::from(card.exp_month))
    .bind(i64::from(card.exp_year))
    .bind(status)
    .bind(now)
    .bind(id)
    .bind(if card.behaviour == Behaviour::DeclineLater {
        "declined"
    } else {
        "succeed"
    })
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if moved == 1 && status == "succeeded" {
        charge(&mut tx, id, session.amount, now).await?;
    }
    tx.commit().await
}

async fn charge(
    tx: &mut sqlx::AnyConnection,
    session_id: &str,
    amount: Money,
    now: Timestamp,
) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO sandbox_payments (id, session_id, amount_cents, currency, created_at) VALUES ($1, $2, $3, $4, $5)")
        .bind(format!("py_{}", new_public_id()))
        .bind(session_id)
        .bind(amount.cents)
        .bind(amount.currency.code())
        .bind(now)
        .execute(tx)
        .await?;
    Ok(())
}

async fn identify_page(State(state): State<Sandbox>, Path(id): Path<String>) -> Response {
    let session = match find(&state, &id, state.clock.now()).await {
        Ok(session) => session,
        Err(page) => return page,
    };
    if session.status != "identifying" {
        return moved_on(&id, &session)
            .unwrap_or_else(|| Redirect::to(&format!("{PREFIX}/setup/{id}")).into_response());
    }
    Html(views::identify(&session)).into_response()
}

/// The identification page's button: `approve` or `cancel`.
#[derive(Deserialize)]
struct Answer {
    #[serde(default)]
    answer: String,
}

async fn identify(
    State(state): State<Sandbox>,
    Path(id): Path<String>,
    Form(answer): Form<Answer>,
) -> Response {
    let session = match find(&state, &id, state.clock.now()).await {
        Ok(session) => session,
        Err(page) => return page,
    };
    let approve = match answer.answer.as_str() {
        "approve" => true,
        "cancel" => false,
        _ => return Redirect::to(&format!("{PREFIX}/setup/{id}/identify")).into_response(),
    };
    match identified(&state, &id, &session, approve).await {
        Ok(()) => Redirect::to(&session.return_url).into_response(),
        Err(error) => provider_fault(error),
    }
}

/// Moves a session out of identification, once: charged if approved,
/// failed (and its card token dropped) if cancelled.
async fn identified(
    state: &Sandbox,
    id: &str,
    session: &Session,
    approve: bool,
) -> Result<(), sqlx::Error> {
    let now = state.clock.now();
    let mut tx = state.write.begin().await?;
    let moved = sqlx::query(
        "UPDATE sandbox_sessions
            SET status = $1, failure = $2, finished_at = $3,
                card_token = CASE WHEN $4 THEN card_token ELSE NULL END
          WHERE id = $5 AND status = 'identifying'",
    )
    .bind(if approve { "succeeded" } else { "failed" })
    .bind((!approve).then_some(Decline::IdentificationCancelled.as_str()))
    .bind(now)
    .bind(approve)
    .bind(id)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if moved == 1 && approve {
        charge(&mut tx, id, session.amount, now).await?;
    }
    tx.commit().await
}
