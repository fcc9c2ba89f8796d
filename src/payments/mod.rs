//! The payment provider, as the panel sees it: start a card setup on the
//! provider's hosted page, ask how it ended (server to server), refund a
//! payment. The embedded [`sandbox`] implements it; an adapter for a real
//! provider (hosted checkout in setup mode, signed callbacks, idempotency
//! keys) fits beside it.

pub mod sandbox;

use crate::billing::CardFailure;
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
    Failed(CardFailure),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refund {
    pub id: String,
    pub amount: Money,
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

    /// Refunds the whole payment. The same `idempotency_key` never refunds twice.
    fn refund<'a>(
        &'a self,
        payment_id: &'a str,
        idempotency_key: &'a str,
    ) -> BoxFuture<'a, Result<Refund, ProviderError>>;
}
