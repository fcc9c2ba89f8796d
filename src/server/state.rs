//! What every handler can reach.

use crate::payments::PaymentProvider;
use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use std::sync::Arc;

use super::{clock::Clock, config::Config, db::Db};

#[derive(Clone, Debug)]
pub struct AppState {
    pub db: Db,
    pub config: Config,
    pub clock: Clock,
    pub payments: Arc<dyn PaymentProvider>,
    /// Wakes the refund worker when a verification charge was recorded.
    pub refunds_due: Arc<tokio::sync::Notify>,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.config.leptos.clone()
    }
}
