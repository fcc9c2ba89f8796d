//! What every handler can reach.

use axum::extract::FromRef;
use leptos::config::LeptosOptions;

use super::{clock::Clock, config::Config, db::Db};

#[derive(Clone, Debug)]
pub struct AppState {
    pub db: Db,
    pub config: Config,
    pub clock: Clock,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.config.leptos.clone()
    }
}
