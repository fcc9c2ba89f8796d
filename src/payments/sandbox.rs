//! The sandbox payment provider: runs inside the binary under
//! `/sandbox-pay/`, with tables of its own, and behaves like a real hosted
//! card page in test mode (DESIGN.md, "The card flow", test cards).
//!
//! It receives a card number and security code when the person submits its
//! card page, and keeps neither: only a token, the brand, the last four
//! digits, the expiry and the outcome. Nothing of the form is logged.

use super::Decline;
use super::{
    BoxFuture, PaymentProvider, ProviderCard, ProviderError, Refund, SetupOutcome, SetupRequest,
    SetupSession,
};
use crate::clock::{card_expired, Clock, Timestamp};
use crate::ids::new_public_id;
use crate::money::{Currency, Money};
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Form, Router};
use serde::Deserialize;
use sqlx::SqlitePool;

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
        "UPDATE sandbox_sessions SET status = 'failed', failure = ?, finished_at = ?
          WHERE id = ? AND status IN ('open', 'identifying') AND created_at <= ?",
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
    read: SqlitePool,
    write: SqlitePool,
    clock: Clock,
    /// The panel's public address: the card page is under it.
    base_url: String,
}

impl Sandbox {
    pub fn new(read: SqlitePool, write: SqlitePool, clock: Clock, public_url: &url::Url) -> Self {
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

impl PaymentProvider for Sandbox {
    fn start_setup(
        &self,
        request: SetupRequest,
    ) -> BoxFuture<'_, Result<SetupSession, ProviderError>> {
        Box::pin(async move {
            let id = format!("cs_{}", new_public_id());
            sqlx::query(
                "INSERT INTO sandbox_sessions (id, idempotency_key, merchant, amount_cents, currency, return_url, status, created_at)
                 VALUES (?, ?, ?, ?, ?, ?, 'open', ?)
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
                sqlx::query_scalar("SELECT id FROM sandbox_sessions WHERE idempotency_key = ?")
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
                  WHERE s.id = ?",
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

    fn refund<'a>(
        &'a self,
        payment_id: &'a str,
        idempotency_key: &'a str,
    ) -> BoxFuture<'a, Result<Refund, ProviderError>> {
        Box::pin(async move {
            let mut tx = self.write.begin().await.map_err(fail)?;
            let existing: Option<(String, i64)> = sqlx::query_as(
                "SELECT id, amount_cents FROM sandbox_refunds WHERE payment_id = ? OR idempotency_key = ?",
            )
            .bind(payment_id)
            .bind(idempotency_key)
            .fetch_optional(&mut *tx)
            .await
            .map_err(fail)?;
            if let Some((id, cents)) = existing {
                return Ok(Refund {
                    id,
                    amount: Money::eur(cents),
                });
            }
            let cents: Option<i64> =
                sqlx::query_scalar("SELECT amount_cents FROM sandbox_payments WHERE id = ?")
                    .bind(payment_id)
                    .fetch_optional(&mut *tx)
                    .await
                    .map_err(fail)?;
            let cents = cents.ok_or_else(|| ProviderError(format!("no payment {payment_id}")))?;
            let id = format!("re_{}", new_public_id());
            sqlx::query(
                "INSERT INTO sandbox_refunds (id, payment_id, idempotency_key, amount_cents, created_at) VALUES (?, ?, ?, ?, ?)",
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

// ---- The card page -------------------------------------------------------

/// A card number that passed the checks: only what may be kept of it.
#[derive(Clone, PartialEq, Eq)]
pub struct CheckedCard {
    pub brand: &'static str,
    pub last4: String,
    pub exp_month: u8,
    pub exp_year: u16,
    /// What the test card makes happen.
    pub behaviour: Behaviour,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Behaviour {
    Accept,
    Identify,
    Fail(Decline),
}

/// Each field's problem, if any.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CardErrors {
    pub number: Option<&'static str>,
    pub expiry: Option<&'static str>,
    pub cvc: Option<&'static str>,
}

/// The card brand by its issuer identification number (the leading digits of
/// the PAN) and the lengths it issues. Source: the brands' published IIN
/// ranges (ISO/IEC 7812), as payment providers document them.
fn brand(number: &str) -> Option<(&'static str, &'static [usize])> {
    let prefix = |n: usize| number.get(..n).and_then(|p| p.parse::<u32>().ok());
    const LONG: &[usize] = &[16, 17, 18, 19];
    if number.starts_with('4') {
        Some(("Visa", &[13, 16, 19]))
    } else if matches!(prefix(2), Some(51..=55)) || matches!(prefix(4), Some(2221..=2720)) {
        Some(("Mastercard", &[16]))
    } else if matches!(prefix(2), Some(34 | 37)) {
        Some(("American Express", &[15]))
    } else if matches!(prefix(4), Some(6011))
        || matches!(prefix(3), Some(644..=649))
        || matches!(prefix(2), Some(65))
        || matches!(prefix(6), Some(622126..=622925))
    {
        Some(("Discover", LONG))
    } else if matches!(prefix(4), Some(3528..=3589)) {
        Some(("JCB", LONG))
    } else if matches!(prefix(3), Some(300..=305))
        || matches!(prefix(4), Some(3095))
        || matches!(prefix(2), Some(36 | 38 | 39))
    {
        Some(("Diners Club", &[14, 15, 16, 17, 18, 19]))
    } else if matches!(prefix(2), Some(62 | 81)) {
        Some(("UnionPay", LONG))
    } else {
        None
    }
}

/// Checks the card page's fields: the number (digits, brand, length, Luhn),
/// an expiry that is not past at `now`, a 3–4 digit security code.
pub fn check_card(
    number: &str,
    expiry: &str,
    cvc: &str,
    now: Timestamp,
) -> Result<CheckedCard, CardErrors> {
    let mut errors = CardErrors::default();
    let number: String = number.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
    let mut checked_number = None;
    if number.is_empty() {
        errors.number = Some("Enter the card number.");
    } else if !number.bytes().all(|b| b.is_ascii_digit()) {
        errors.number = Some("Enter the card number using digits only.");
    } else {
        match brand(&number) {
            None => {
                errors.number = Some(
                    "This type of card is not accepted: use Visa, Mastercard, American Express, Discover, JCB, Diners Club or UnionPay.",
                )
            }
            Some((brand, lengths)) => {
                if !lengths.contains(&number.len()) || !crate::validate::luhn_ok(number.as_bytes())
                {
                    errors.number = Some("This card number is not valid. Check it and try again.");
                } else {
                    checked_number = Some((brand, number.clone()));
                }
            }
        }
    }
    let expiry_parsed = parse_expiry(expiry);
    let mut checked_expiry = None;
    match expiry_parsed {
        None => errors.expiry = Some("Enter the expiry date as MM/YY, like 12/30."),
        Some((month, year)) => {
            if card_expired(month, year, now) {
                errors.expiry = Some("This card has expired: the expiry date is in the past.");
            } else {
                checked_expiry = Some((month, year));
            }
        }
    }
    let cvc = cvc.trim();
    if !(3..=4).contains(&cvc.len()) || !cvc.bytes().all(|b| b.is_ascii_digit()) {
        errors.cvc = Some("Enter the 3 or 4 digit security code (CVC) from the card.");
    }
    match (checked_number, checked_expiry, errors.cvc) {
        (Some((brand, number)), Some((exp_month, exp_year)), None) => Ok(CheckedCard {
            brand,
            last4: number[number.len() - 4..].to_owned(),
            exp_month,
            exp_year,
            behaviour: match number.as_str() {
                "4000002760003184" => Behaviour::Identify,
                "4000000000000002" => Behaviour::Fail(Decline::Declined),
                "4000000000009995" => Behaviour::Fail(Decline::InsufficientFunds),
                "4000000000000069" => Behaviour::Fail(Decline::ExpiredCard),
                "4000000000000127" => Behaviour::Fail(Decline::IncorrectCvc),
                _ => Behaviour::Accept,
            },
        }),
        _ => Err(errors),
    }
}

/// "12/30", "12 / 30", "1230", "12/2030" → (12, 2030). Anything but ASCII
/// digits and one slash is refused before the string is split.
fn parse_expiry(input: &str) -> Option<(u8, u16)> {
    let compact: String = input.chars().filter(|c| !c.is_whitespace()).collect();
    if !compact.chars().all(|c| c.is_ascii_digit() || c == '/') {
        return None;
    }
    let (month, year) = match compact.split_once('/') {
        Some(parts) => parts,
        None if compact.len() == 4 => compact.split_at(2),
        None => return None,
    };
    if month.is_empty() || !year.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let month: u8 = month.parse().ok().filter(|m| (1..=12).contains(m))?;
    let year: u16 = match year.len() {
        2 => 2000 + year.parse::<u16>().ok()?,
        4 => year.parse().ok().filter(|y| (2000..=2099).contains(y))?,
        _ => return None,
    };
    Some((month, year))
}

// ---- HTTP ------------------------------------------------------------------

impl Sandbox {
    /// The card and identification pages under [`PREFIX`], with the
    /// sandbox as their state; merges into any router.
    pub fn router<S: Clone + Send + Sync + 'static>(&self) -> Router<S> {
        Router::new()
            .route(&format!("{PREFIX}/sandbox.css"), get(stylesheet))
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

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn page(title: &str, body: &str) -> String {
    format!(
        r#"<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>{title} · Sandbox Pay</title><link rel="stylesheet" href="{PREFIX}/sandbox.css"></head><body><main class="pay"><p class="test-mode">Test mode</p>{body}</main></body></html>"#,
        title = escape(title),
    )
}

struct Session {
    merchant: String,
    amount: Money,
    return_url: String,
    status: String,
}

async fn session(db: &Sandbox, id: &str, now: Timestamp) -> Result<Option<Session>, sqlx::Error> {
    close_if_stale(db, id, now).await?;
    let row: Option<(String, i64, String, String)> = sqlx::query_as(
        "SELECT merchant, amount_cents, return_url, status FROM sandbox_sessions WHERE id = ?",
    )
    .bind(id)
    .fetch_optional(&db.read)
    .await?;
    Ok(row.map(|(merchant, cents, return_url, status)| Session {
        merchant,
        amount: Money::eur(cents),
        return_url,
        status,
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
    (
        StatusCode::NOT_FOUND,
        Html(page(
            "Not found",
            "<h1>Payment session not found</h1><p>This payment link is not valid.</p>",
        )),
    )
        .into_response()
}

fn provider_fault(error: sqlx::Error) -> Response {
    tracing::error!(%error, "sandbox provider");
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        Html(page(
            "Error",
            "<h1>Something went wrong</h1><p>Nothing was charged. Go back and try again.</p>",
        )),
    )
        .into_response()
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

fn card_form(session: &Session, expiry: &str, errors: &CardErrors) -> String {
    let (merchant, description) = session
        .merchant
        .split_once('\n')
        .unwrap_or((session.merchant.as_str(), ""));
    let field = |name: &str,
                 label: &str,
                 hint: &str,
                 value: &str,
                 autocomplete: &str,
                 error: Option<&str>| {
        let mut described = Vec::new();
        if !hint.is_empty() {
            described.push(format!("{name}-hint"));
        }
        if error.is_some() {
            described.push(format!("{name}-error"));
        }
        format!(
            r#"<div class="field"><label for="{name}">{label}</label>{hint_html}<input id="{name}" name="{name}" value="{value}" inputmode="numeric" autocomplete="{autocomplete}"{invalid}{described}>{error_html}</div>"#,
            hint_html = if hint.is_empty() {
                String::new()
            } else {
                format!(r#"<p class="hint" id="{name}-hint">{hint}</p>"#)
            },
            value = escape(value),
            invalid = if error.is_some() {
                r#" aria-invalid="true""#
            } else {
                ""
            },
            described = if described.is_empty() {
                String::new()
            } else {
                format!(r#" aria-describedby="{}""#, described.join(" "))
            },
            error_html = error
                .map(|e| format!(r#"<p class="error" id="{name}-error">{e}</p>"#))
                .unwrap_or_default(),
        )
    };
    let body = format!(
        r#"<p class="merchant">{merchant}</p><h1>Card details</h1><p class="amount">{amount}</p><p class="desc">{description}. The verification charge is refunded.</p>
<form method="post" novalidate>{number}{expiry}{cvc}<button type="submit">Accept 1 EUR</button></form>
<p class="cards">Test mode: no real money moves. Use 4242 4242 4242 4242 with any future expiry date and any 3 digits.</p>
<p><a href="{back}">Cancel and return to {merchant}</a></p>"#,
        merchant = escape(merchant),
        amount = session.amount,
        description = escape(description),
        number = field("number", "Card number", "", "", "cc-number", errors.number),
        expiry = field(
            "expiry",
            "Expiry date",
            "MM/YY",
            expiry,
            "cc-exp",
            errors.expiry
        ),
        cvc = field("cvc", "Security code (CVC)", "", "", "cc-csc", errors.cvc),
        back = escape(&session.return_url),
    );
    page("Card details", &body)
}

async fn card_page(State(state): State<Sandbox>, Path(id): Path<String>) -> Response {
    match find(&state, &id, state.clock.now()).await {
        Err(page) => page,
        Ok(session) => moved_on(&id, &session).unwrap_or_else(|| {
            Html(card_form(&session, "", &CardErrors::default())).into_response()
        }),
    }
}

/// The card page's fields. No `Debug`: a card number must never reach a log.
#[derive(Deserialize)]
pub struct CardFields {
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
            let html = card_form(&session, &fields.expiry, &errors);
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
    sqlx::query_scalar("SELECT status FROM sandbox_sessions WHERE id = ?")
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
        Behaviour::Accept => ("succeeded", None),
        Behaviour::Identify => ("identifying", None),
        Behaviour::Fail(reason) => ("failed", Some(reason.as_str())),
    };
    let token = format!("tok_{}", new_public_id());
    let moved = sqlx::query(
        "UPDATE sandbox_sessions
            SET status = ?, failure = ?, card_token = ?, brand = ?, last4 = ?, exp_month = ?, exp_year = ?,
                finished_at = CASE WHEN ? = 'identifying' THEN NULL ELSE ? END
          WHERE id = ? AND status = 'open'",
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
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if moved == 1 && status == "succeeded" {
        charge(&mut tx, id, session.amount, now).await?;
    }
    tx.commit().await
}

async fn charge(
    tx: &mut sqlx::SqliteConnection,
    session_id: &str,
    amount: Money,
    now: Timestamp,
) -> Result<(), sqlx::Error> {
    sqlx::query("INSERT INTO sandbox_payments (id, session_id, amount_cents, currency, created_at) VALUES (?, ?, ?, ?, ?)")
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
    let merchant = session.merchant.split('\n').next().unwrap_or_default();
    let body = format!(
        r#"<p class="merchant">{merchant}</p><h1>Identify yourself</h1><p>Your bank asks you to confirm the payment of <strong>{amount}</strong> to {merchant}.</p><p class="cards">Test mode: this stands in for the bank's electronic identification.</p>
<form method="post" class="buttons"><button type="submit" name="answer" value="approve">Approve</button><button type="submit" name="answer" value="cancel" class="secondary">Cancel</button></form>"#,
        merchant = escape(merchant),
        amount = session.amount,
    );
    Html(page("Identify yourself", &body)).into_response()
}

#[derive(Deserialize)]
pub struct Answer {
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
    let now = state.clock.now();
    let result = async {
        let mut tx = state.write.begin().await?;
        let moved = sqlx::query(
            "UPDATE sandbox_sessions
                SET status = ?, failure = ?, finished_at = ?,
                    card_token = CASE WHEN ? THEN card_token ELSE NULL END
              WHERE id = ? AND status = 'identifying'",
        )
        .bind(if approve { "succeeded" } else { "failed" })
        .bind((!approve).then_some(Decline::IdentificationCancelled.as_str()))
        .bind(now)
        .bind(approve)
        .bind(&id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if moved == 1 && approve {
            charge(&mut tx, &id, session.amount, now).await?;
        }
        tx.commit().await
    }
    .await;
    match result {
        Ok(()) => Redirect::to(&session.return_url).into_response(),
        Err(error) => provider_fault(error),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: Timestamp = 1_795_867_200; // 2026-11-28 12:00 UTC

    fn ok(number: &str) -> CheckedCard {
        check_card(number, "12/30", "123", NOW).unwrap_or_else(|e| panic!("{number}: {e:?}"))
    }

    #[test]
    fn each_test_card_has_its_outcome() {
        assert_eq!(ok("4242 4242 4242 4242").behaviour, Behaviour::Accept);
        assert_eq!(ok("4000 0027 6000 3184").behaviour, Behaviour::Identify);
        assert_eq!(
            ok("4000 0000 0000 0002").behaviour,
            Behaviour::Fail(Decline::Declined)
        );
        assert_eq!(
            ok("4000 0000 0000 9995").behaviour,
            Behaviour::Fail(Decline::InsufficientFunds)
        );
        assert_eq!(
            ok("4000 0000 0000 0069").behaviour,
            Behaviour::Fail(Decline::ExpiredCard)
        );
        assert_eq!(
            ok("4000 0000 0000 0127").behaviour,
            Behaviour::Fail(Decline::IncorrectCvc)
        );
        // Any other number that passes Luhn is accepted.
        let other = ok("5555-5555-5555-4444");
        assert_eq!(
            (other.brand, other.last4.as_str(), other.behaviour),
            ("Mastercard", "4444", Behaviour::Accept)
        );
        assert_eq!(ok("378282246310005").brand, "American Express");
        // The other brands' published test numbers.
        for (number, brand) in [
            ("6011 1111 1111 1117", "Discover"),
            ("6011 0009 9013 9424", "Discover"),
            ("3530 1113 3330 0000", "JCB"),
            ("3566 0020 2036 0505", "JCB"),
            ("3056 9300 0902 0004", "Diners Club"),
            ("3622 720627 1667", "Diners Club"),
            ("6200 0000 0000 0005", "UnionPay"),
        ] {
            let card = ok(number);
            assert_eq!(
                (card.brand, card.behaviour),
                (brand, Behaviour::Accept),
                "{number}"
            );
        }
        let visa = ok("4242424242424242");
        assert_eq!(
            (
                visa.brand,
                visa.last4.as_str(),
                visa.exp_month,
                visa.exp_year
            ),
            ("Visa", "4242", 12, 2030)
        );
    }

    #[test]
    fn bad_numbers_expiries_and_codes_are_refused_with_the_reason() {
        let errors = |n: &str, e: &str, c: &str| check_card(n, e, c, NOW).err().unwrap_or_default();
        assert_eq!(
            errors("4242 4242 4242 4241", "12/30", "123").number,
            Some("This card number is not valid. Check it and try again.")
        );
        assert_eq!(
            errors("4242 4242 4242", "12/30", "123").number,
            Some("This card number is not valid. Check it and try again.")
        );
        assert_eq!(
            errors("", "12/30", "123").number,
            Some("Enter the card number.")
        );
        assert_eq!(
            errors("4242x", "12/30", "123").number,
            Some("Enter the card number using digits only.")
        );
        assert!(errors("9999 9999 9999 9995", "12/30", "123")
            .number
            .unwrap()
            .contains("not accepted"));
        assert_eq!(
            errors("4242424242424242", "10/26", "123").expiry,
            Some("This card has expired: the expiry date is in the past.")
        );
        assert_eq!(
            errors("4242424242424242", "13/30", "123").expiry,
            Some("Enter the expiry date as MM/YY, like 12/30.")
        );
        assert_eq!(
            errors("4242424242424242", "", "123").expiry,
            Some("Enter the expiry date as MM/YY, like 12/30.")
        );
        for cvc in ["", "12", "12345", "12a"] {
            assert!(
                errors("4242424242424242", "12/30", cvc).cvc.is_some(),
                "{cvc:?}"
            );
        }
        assert!(check_card("4242424242424242", "12/30", "1234", NOW).is_ok());
        // The month in progress is not past.
        assert!(check_card("4242424242424242", "11/26", "123", NOW).is_ok());
        assert!(check_card("4242424242424242", "1126", "123", NOW).is_ok());
        assert!(check_card("4242424242424242", "11 / 2026", "123", NOW).is_ok());
    }

    #[test]
    fn expiry_dates_of_any_characters_are_refused_not_panicked_on() {
        let expiry = |e: &str| {
            check_card("4242424242424242", e, "123", NOW)
                .err()
                .unwrap_or_default()
                .expiry
        };
        for typed in [
            "&é\"",
            "😀",
            "é/30",
            "12/é0",
            "1é/3",
            "/",
            "12/",
            "/30",
            "１２/３０",
        ] {
            assert_eq!(
                expiry(typed),
                Some("Enter the expiry date as MM/YY, like 12/30."),
                "{typed:?}"
            );
        }
    }

    proptest::proptest! {
        #[test]
        fn the_card_page_checks_never_panic(
            number in crate::validate::any_text(24),
            expiry in crate::validate::any_text(8),
            cvc in crate::validate::any_text(6),
        ) {
            let _ = check_card(&number, &expiry, &cvc, NOW);
        }
    }

    #[test]
    fn text_is_escaped() {
        assert_eq!(
            escape(r#"<a href="x">&'"#),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
    }
}
