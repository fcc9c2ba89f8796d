//! The POST side of creating an organization (renaming and deleting are
//! Settings' forms: `crate::settings::handlers`).

use super::{operations, NameForm};
use crate::auth::Account;
use crate::server::render::{refused, see_other};
use crate::server::AppState;
use axum::extract::State;
use axum::http::request::Parts;
use axum::response::Response;
use axum::{Extension, Form};

pub async fn create(
    State(state): State<AppState>,
    Extension(account): Extension<Account>,
    parts: Parts,
    Form(form): Form<NameForm>,
) -> Response {
    match operations::create(&state, &account, &form.name).await {
        // Company information comes first: the new organization opens on Settings.
        Ok(org) => see_other(&format!(
            "/organizations/{}/settings?created=1",
            org.public_id
        )),
        Err(error) => refused(&state, parts, error, form).await,
    }
}
