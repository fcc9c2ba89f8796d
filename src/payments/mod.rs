//! The payment provider, as the panel sees it: start a card setup on the
//! provider's hosted page, ask how it ended (server to server), charge a
//! stored card, refund a payment. The embedded [`sandbox`] implements it; an adapter for a real
//! provider (hosted checkout in setup mode, signed callbacks, idempotency
//! keys) fits beside it.

pub mod sandbox;

use crate::money::Money;
use std::future::Future;
use std::pin::Pin;

pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// A card setup to start: charge `amount` to verify the card, then send
/// the browser to `return_url`. The same `idempotency_key` always means the
/// same session, so a retried start never opens a second one.
#[derive(Clone, Debug)]
pub struct SetupRequest {
    pub merchant: String,
    pub description: String,
    pub amount: Money,
    pub idempotency_key: String,
    pub return_url: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SetupSession {
    pub id: String,
    /// The hosted card page to send the browser to.
    pub url: String,
}

/// What the provider hands back for a card: never its number or code.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProviderCard {
    pub token: String,
    pub brand: String,
    pub last4: String,
    pub exp_month: u8,
    pub exp_year: u16,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SetupOutcome {
    /// The person has not finished on the card page.
    Open,
    Succeeded {
        card: ProviderCard,
        payment_id: String,
        amount: Money,
    },
    Failed(Decline),
}

/// Why the provider did not add a card. The codes are the ones card
/// networks and providers use (Stripe's `decline_code`s, for example).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Decline {
    /// The bank said no without a reason (`card_declined`).
    Declined,
    InsufficientFunds,
    ExpiredCard,
    /// The security code was wrong (`incorrect_cvc`).
    IncorrectCvc,
    /// The card holder cancelled the bank's identification (3-D Secure).
    IdentificationCancelled,
    /// The card page was closed before a card was accepted: left open past
    /// the session's lifetime, or closed by the merchant.
    Closed,
}

impl Decline {
    pub const ALL: [Decline; 6] = [
        Decline::Declined,
        Decline::InsufficientFunds,
        Decline::ExpiredCard,
        Decline::IncorrectCvc,
        Decline::IdentificationCancelled,
        Decline::Closed,
    ];

    /// The code as stored and sent: `declined`, `insufficient_funds` …
    pub fn as_str(self) -> &'static str {
        match self {
            Decline::Declined => "declined",
            Decline::InsufficientFunds => "insufficient_funds",
            Decline::ExpiredCard => "expired_card",
            Decline::IncorrectCvc => "incorrect_cvc",
            Decline::IdentificationCancelled => "identification_cancelled",
            Decline::Closed => "closed",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|d| d.as_str() == code)
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refund {
    pub id: String,
    pub amount: Money,
}

/// A charge of a stored card with no one at the card page ("off-session"),
/// such as a monthly invoice. The same `idempotency_key` is charged once:
/// asked again, the provider answers the first outcome.
#[derive(Clone, Debug)]
pub struct ChargeRequest {
    /// The card as the provider handed it back ([`ProviderCard::token`]).
    pub card_token: String,
    pub amount: Money,
    pub description: String,
    pub idempotency_key: String,
}

/// How an off-session charge ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ChargeOutcome {
    Paid { payment_id: String },
    Declined(Decline),
}

/// A provider call that did not work (network, provider down): retried later.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("payment provider: {0}")]
pub struct ProviderError(pub String);

pub trait PaymentProvider: Send + Sync + std::fmt::Debug {
    fn start_setup(
        &self,
        request: SetupRequest,
    ) -> BoxFuture<'_, Result<SetupSession, ProviderError>>;

    fn setup_outcome<'a>(
        &'a self,
        session_id: &'a str,
    ) -> BoxFuture<'a, Result<SetupOutcome, ProviderError>>;

    /// Closes the session's card page if it is still open (the organization
    /// is going away), then answers as [`Self::setup_outcome`] does: a card
    /// accepted just before is `Succeeded`, and charged.
    fn close_setup<'a>(
        &'a self,
        session_id: &'a str,
    ) -> BoxFuture<'a, Result<SetupOutcome, ProviderError>>;

    /// Charges a stored card; a provider error is worth trying again with
    /// the same `idempotency_key`.
    fn charge(&self, request: ChargeRequest)
        -> BoxFuture<'_, Result<ChargeOutcome, ProviderError>>;

    /// Refunds the whole payment. The same `idempotency_key` never refunds twice.
    fn refund<'a>(
        &'a self,
        payment_id: &'a str,
        idempotency_key: &'a str,
    ) -> BoxFuture<'a, Result<Refund, ProviderError>>;
}
