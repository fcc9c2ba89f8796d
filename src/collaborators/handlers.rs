//! The POST side of Collaborators (invite, resend, revoke) and of
//! `/invitations/{token}` (accept).

use super::operations::{change_role, invite, remove, resend, revoke};
use super::store::{self, Sent};
use super::{InviteForm, PendingForm, RoleForm};
use crate::auth::Account;
use crate::error::AppError;
use crate::organizations::Principal;
use crate::server::render::{refused, see_other};
use crate::server::AppState;
use axum::extract::{Path, State};
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Form};
use serde::Deserialize;

/// The Collaborators page's forms, told apart by their `intent`.
#[derive(Deserialize)]
#[serde(tag = "intent", rename_all = "lowercase")]
pub enum CollaboratorsForm {
    Invite(InviteForm),
    Resend(PendingForm),
    Revoke(PendingForm),
    Role(RoleForm),
    Remove(PendingForm),
    /// The signed-in account leaves; no fields.
    Leave {},
}

pub async fn collaborators(
    State(state): State<AppState>,
    Extension(account): Extension<Account>,
    Path(org): Path<String>,
    parts: Parts,
    Form(form): Form<CollaboratorsForm>,
) -> Response {
    let page = format!("/organizations/{org}/collaborators");
    let own_email = account.email.clone();
    let by = Principal::Person(account);
    match form {
        CollaboratorsForm::Invite(form) => {
            match invite(&state, &by, &org, &form.email, &form.role).await {
                Ok(Sent::New) => see_other(&format!("{page}?sent=1")),
                Ok(Sent::Again) => see_other(&format!("{page}?resent=1")),
                Err(error) => refused(&state, parts, error, form).await,
            }
        }
        CollaboratorsForm::Resend(form) => match resend(&state, &by, &org, &form.email).await {
            Ok(()) => see_other(&format!("{page}?resent=1")),
            Err(error) => refused(&state, parts, error, form).await,
        },
        CollaboratorsForm::Revoke(form) => match revoke(&state, &by, &org, &form.email).await {
            Ok(()) => see_other(&format!("{page}?revoked=1")),
            Err(error) => refused(&state, parts, error, form).await,
        },
        CollaboratorsForm::Role(form) => {
            match change_role(&state, &by, &org, &form.email, &form.role).await {
                Ok(()) => see_other(&format!("{page}?role=1")),
                Err(error) => refused(&state, parts, error, form).await,
            }
        }
        CollaboratorsForm::Remove(form) => match remove(&state, &by, &org, &form.email).await {
            Ok(true) => see_other("/?left=1"),
            Ok(false) => see_other(&format!("{page}?removed=1")),
            Err(error) => refused(&state, parts, error, form).await,
        },
        CollaboratorsForm::Leave {} => match remove(&state, &by, &org, &own_email).await {
            Ok(_) => see_other("/?left=1"),
            Err(error) => refused(&state, parts, error, PendingForm::default()).await,
        },
    }
}

/// `POST /invitations/{token}`: "Accept invitation". Without a session the
/// visitor is sent to log in and back.
pub async fn accept(
    State(state): State<AppState>,
    account: Option<Extension<Account>>,
    Path(token): Path<String>,
) -> Response {
    let Some(Extension(account)) = account else {
        return see_other(&format!("/login?next=/invitations/{token}"));
    };
    match store::accept(&state.db, &token, &account, state.clock.now()).await {
        Ok(org) => see_other(&format!("/organizations/{org}?joined=1")),
        // The invitation's page says why: no longer valid, or for someone else.
        Err(AppError::NotFound | AppError::Forbidden(_)) => {
            see_other(&format!("/invitations/{token}"))
        }
        Err(error) => error.into_response(),
    }
}
