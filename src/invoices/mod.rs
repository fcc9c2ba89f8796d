//! Invoices (issue 18): what an organization owes for a calendar month.
//! So far the rules an invoice is made by ([`rules`]: the month, a
//! service's billable hours in it, the pro-rated amount of each line, the
//! VAT of a Swedish seller of electronically supplied services) and the
//! monthly run that issues them, numbered gap-free ([`run`]), and the
//! Billing page's "Invoices" with an estimate of the next one ([`pages`]).
//! Each invoice is a PDF ([`pdf`], rendered from its frozen rows when asked
//! for) delivered by email or the print list ([`delivery`]), or charged to
//! the card in force ([`charges`]).

#[cfg(feature = "ssr")]
pub mod charges;
#[cfg(feature = "ssr")]
pub mod corrections;
#[cfg(feature = "ssr")]
pub mod delivery;
#[cfg(feature = "ssr")]
pub mod handlers;
#[cfg(feature = "ssr")]
pub mod operations;
pub mod pages;
#[cfg(feature = "ssr")]
pub mod pdf;
#[cfg(feature = "ssr")]
pub mod rules;
#[cfg(feature = "ssr")]
pub mod run;

use crate::error::AppError;
use serde::{Deserialize, Serialize};

/// An invoice (or credit note) number as typed in a URL, an API argument
/// or an operator's command: digits only, no sign, no leading zero, so each
/// number has one spelling ("+10" and "010" are typos, not invoice 10).
pub fn parse_number(text: &str) -> Option<i64> {
    Some(text)
        .filter(|n| n.bytes().all(|b| b.is_ascii_digit()) && !n.starts_with('0'))
        .and_then(|n| n.parse::<i64>().ok())
}

/// An issued invoice as Billing lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvoiceSummary {
    pub number: i64,
    /// The month billed, "November 2026".
    pub period: String,
    /// The invoice date and due date, "2026-12-01".
    pub date: String,
    pub due: String,
    /// "9.40 EUR".
    pub total: String,
    /// "Issued", "Sent", "Posted", "Paid", "Unpaid", "Credit note".
    pub status: String,
    /// The PDF, "/organizations/{org}/invoices/12.pdf".
    pub pdf: String,
    /// Unpaid: why the card charge failed ("the bank declined it").
    pub unpaid_because: Option<String>,
}

/// One line of a bill: a service's hours in the month and their amount.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineView {
    pub service: String,
    pub plan: String,
    pub hours: i64,
    pub month_hours: i64,
    /// Net, "0.75 EUR".
    pub amount: String,
}

/// What the current month will cost if the services run to its end.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Estimate {
    /// "2026-12".
    pub period: String,
    /// "December 2026".
    pub month: String,
    pub lines: Vec<LineView>,
    pub net: String,
    /// "VAT 25 %: 1.25 EUR"-ready parts: the rate as shown ("25", "25.5")
    /// and the amount.
    pub vat_rate: String,
    pub vat: String,
    pub total: String,
    pub vat_note: Option<String>,
}

/// Billing's "Invoices": the issued ones, newest first, and the estimate.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvoicesView {
    pub invoices: Vec<InvoiceSummary>,
    pub estimate: Estimate,
}

/// The organization's invoices and the estimate of the next one: Owners
/// and Billing collaborators only (the roles table's "see payments").
#[leptos::server(prefix = "/rpc")]
pub async fn fetch_invoices(org: String) -> Result<InvoicesView, AppError> {
    let (state, account) = crate::organizations::gate::context()?;
    let by = crate::organizations::Principal::Person(account);
    operations::view(&state, &by, &org).await
}
