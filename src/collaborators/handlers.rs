//! The POST side of Collaborators (invite, resend, revoke) and of
//! `/invitations/{token}` (accept).

use super::store::{self, Sent};
use super::{InviteField, InviteForm, PendingForm, RoleForm};
use crate::auth::Account;
use crate::error::{AppError, AppResult};
use crate::organizations::{gate, Action, Role};
use crate::server::render::{refused, see_other};
use crate::server::AppState;
use crate::validate::{Email, FieldError};
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
    match form {
        CollaboratorsForm::Invite(form) => {
            match invite(&state, &account, &org, &form.email, &form.role).await {
                Ok(Sent::New) => see_other(&format!("{page}?sent=1")),
                Ok(Sent::Again) => see_other(&format!("{page}?resent=1")),
                Err(error) => refused(&state, parts, error, form).await,
            }
        }
        CollaboratorsForm::Resend(form) => {
            match resend(&state, &account, &org, &form.email).await {
                Ok(()) => see_other(&format!("{page}?resent=1")),
                Err(error) => refused(&state, parts, error, form).await,
            }
        }
        CollaboratorsForm::Revoke(form) => {
            match revoke(&state, &account, &org, &form.email).await {
                Ok(()) => see_other(&format!("{page}?revoked=1")),
                Err(error) => refused(&state, parts, error, form).await,
            }
        }
        CollaboratorsForm::Role(form) => {
            match change_role(&state, &account, &org, &form.email, &form.role).await {
                Ok(()) => see_other(&format!("{page}?role=1")),
                Err(error) => refused(&state, parts, error, form).await,
            }
        }
        CollaboratorsForm::Remove(form) => {
            match remove(&state, &account, &org, &form.email).await {
                Ok(true) => see_other("/?left=1"),
                Ok(false) => see_other(&format!("{page}?removed=1")),
                Err(error) => refused(&state, parts, error, form).await,
            }
        }
        CollaboratorsForm::Leave {} => match remove(&state, &account, &org, &account.email).await {
            Ok(_) => see_other("/?left=1"),
            Err(error) => refused(&state, parts, error, PendingForm::default()).await,
        },
    }
}

/// The panel's address, for the links in emails.
fn public_url(state: &AppState) -> &str {
    state.config.public_url.as_str().trim_end_matches('/')
}

/// Owners invite any role; Admins any but Owner (the store's rule).
async fn invite(
    state: &AppState,
    account: &Account,
    org: &str,
    email: &str,
    role: &str,
) -> AppResult<Sent> {
    let access = gate::authorize(&state.db, account.id, org, Action::ManageCollaborators).await?;
    // Someone else's address: "your" in the parser's words would mislead.
    let email = if email.trim().is_empty() {
        Err("Enter the email address to invite.".to_owned())
    } else {
        Email::parse(email)
    };
    let role = Role::parse(role).ok_or("Choose a role.".to_owned());
    let (email, role) = match (email, role) {
        (Ok(email), Ok(role)) => (email, role),
        (email, role) => {
            let errors = [
                email.err().map(|m| FieldError::new(InviteField::Email, m)),
                role.err().map(|m| FieldError::new(InviteField::Role, m)),
            ];
            return Err(AppError::Invalid(errors.into_iter().flatten().collect()));
        }
    };
    let now = state.clock.now();
    let sent = store::invite(
        &state.db,
        &access,
        account,
        &email,
        role,
        public_url(state),
        now,
    )
    .await?;
    state.mail_due.notify_one();
    Ok(sent)
}

/// The pending invitation of `email` again, with a new link.
async fn resend(state: &AppState, account: &Account, org: &str, email: &str) -> AppResult<()> {
    let access = gate::authorize(&state.db, account.id, org, Action::ManageCollaborators).await?;
    let email = Email::parse(email).map_err(|m| AppError::field(InviteField::Email, m))?;
    let now = state.clock.now();
    store::resend(&state.db, &access, account, &email, public_url(state), now).await?;
    state.mail_due.notify_one();
    Ok(())
}

async fn revoke(state: &AppState, account: &Account, org: &str, email: &str) -> AppResult<()> {
    let access = gate::authorize(&state.db, account.id, org, Action::ManageCollaborators).await?;
    let email = Email::parse(email).map_err(|m| AppError::field(InviteField::Email, m))?;
    store::revoke(&state.db, &access, account.id, &email, state.clock.now()).await
}

/// Owners change anyone's role; Admins those of Admins, Billing and
/// Members, and never to Owner. The last Owner keeps the role.
async fn change_role(
    state: &AppState,
    account: &Account,
    org: &str,
    email: &str,
    role: &str,
) -> AppResult<()> {
    let access = gate::authorize(&state.db, account.id, org, Action::ManageCollaborators).await?;
    let email = Email::parse(email).map_err(|m| AppError::field(InviteField::Email, m))?;
    let role =
        Role::parse(role).ok_or_else(|| AppError::field(InviteField::Role, "Choose a role."))?;
    store::change_role(
        &state.db,
        &access,
        account.id,
        &email,
        role,
        state.clock.now(),
    )
    .await
}

/// Removes a member (anyone may remove themselves: that is leaving);
/// returns whether the signed-in account left.
async fn remove(state: &AppState, account: &Account, org: &str, email: &str) -> AppResult<bool> {
    let email = Email::parse(email).map_err(|m| AppError::field(InviteField::Email, m))?;
    let own = Email::parse(&account.email).is_ok_and(|own| own.key() == email.key());
    let action = if own {
        Action::View
    } else {
        Action::ManageCollaborators
    };
    let access = gate::authorize(&state.db, account.id, org, action).await?;
    store::remove(&state.db, &access, account.id, &email, state.clock.now()).await?;
    Ok(own)
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
