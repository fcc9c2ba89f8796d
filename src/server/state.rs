//! What every handler can reach.

use super::{config::Config, db::Db};
use crate::clock::Clock;
use crate::payments::PaymentProvider;
use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use leptos::prelude::AnyView;
use std::sync::Arc;

/// The document around every page (`crate::app::shell`), handed down by
/// the composition so that rendering needs no knowledge of the pages.
pub type Shell = fn(LeptosOptions) -> AnyView;

#[derive(Clone, Debug)]
pub struct AppState {
    pub db: Db,
    /// Shared, not copied: every middleware clones the state per request.
    pub config: Arc<Config>,
    pub clock: Clock,
    pub payments: Arc<dyn PaymentProvider>,
    /// Wakes the refund worker when a verification charge was recorded.
    pub refunds_due: Arc<tokio::sync::Notify>,
    /// Wakes the outbox worker when a message was written.
    pub mail_due: Arc<tokio::sync::Notify>,
    pub shell: Shell,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.config.leptos.clone()
    }
}
