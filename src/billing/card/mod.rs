//! Credit cards: the card on file and the payments made with it. Adding
//! one is [`setup`] (the provider's card page, recorded exactly once);
//! [`expiry`] says when it stops counting; [`jobs`] refund the 1.00 EUR
//! verification charge and record setups whose browser never came back.

mod expiry;
pub mod jobs;
pub mod setup;

use super::{CardView, PaymentRow};
use crate::clock::{format_utc, Timestamp};
use crate::error::AppResult;
use crate::money::Money;
use crate::server::db::Db;

pub use expiry::{expired, expires_soon};
pub use jobs::{reconcile, refund_due, spawn_refunds};
pub use setup::{complete, complete_by_id, result, settle_before_delete, start, Back, Unsettled};

/// What verifying a card costs (and is refunded).
pub const VERIFICATION: Money = Money::eur(100);

/// The card in force, as stored.
#[derive(sqlx::FromRow)]
struct CardRow {
    /// The organization's nth card (1 for its first).
    number: i64,
    brand: String,
    last4: String,
    exp_month: i64,
    exp_year: i64,
    /// The method the card did not replace (`invoice`, chosen while it was
    /// being added), if any.
    kept_method: Option<String>,
}

async fn card_in(
    conn: &mut crate::server::db::Connection,
    organization_id: i64,
) -> AppResult<Option<CardRow>> {
    Ok(sqlx::query_as(
        "SELECT (SELECT count(*) FROM cards o WHERE o.organization_id = c.organization_id AND o.id <= c.id)
                AS number, brand, last4, exp_month, exp_year, kept_method
           FROM cards c WHERE organization_id = $1 AND replaced_at IS NULL",
    )
    .bind(organization_id)
    .fetch_optional(conn)
    .await?)
}

fn view(row: &CardRow, now: Timestamp) -> CardView {
    // Out of range (never stored by the provider) reads as long expired.
    let month = u8::try_from(row.exp_month).unwrap_or(0);
    let year = u16::try_from(row.exp_year).unwrap_or(0);
    CardView {
        number: row.number,
        brand: row.brand.clone(),
        last4: Some(row.last4.clone()),
        expires: format!("{month:02}/{:02}", year % 100),
        expired: expired(month, year, now),
        expires_soon: expires_soon(month, year, now),
        kept_invoice: row.kept_method.as_deref() == Some("invoice"),
    }
}

/// The card on file, as Billing shows it, read inside the caller's transaction.
pub async fn card_view_in(
    conn: &mut crate::server::db::Connection,
    organization_id: i64,
    now: Timestamp,
) -> AppResult<Option<CardView>> {
    Ok(card_in(conn, organization_id)
        .await?
        .map(|row| view(&row, now)))
}

/// A payment as stored: a verification charge or its refund.
#[derive(sqlx::FromRow)]
struct PaymentRecord {
    created_at: Timestamp,
    kind: String,
    amount_cents: i64,
    currency: String,
    status: String,
}

/// The "Payments" table, newest first (at most 200).
pub async fn payments(db: &Db, organization_id: i64) -> AppResult<Vec<PaymentRow>> {
    let rows: Vec<PaymentRecord> = sqlx::query_as(
        "SELECT created_at, kind, amount_cents, currency, status FROM payments
          WHERE organization_id = $1 ORDER BY id DESC LIMIT 200",
    )
    .bind(organization_id)
    .fetch_all(&db.read)
    .await?;
    rows.into_iter()
        .map(|row| {
            Ok(PaymentRow {
                date: format_utc(row.created_at),
                at: row.created_at,
                description: match row.kind.as_str() {
                    "verification" => "Card verification",
                    _ => "Refund",
                }
                .to_owned(),
                amount: Money::stored(row.amount_cents, &row.currency)?,
                status: match row.status.as_str() {
                    "refund_pending" => "Refund pending",
                    "refunded" => "Refunded",
                    _ => "Completed",
                }
                .to_owned(),
            })
        })
        .collect()
}
