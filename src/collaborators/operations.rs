//! What can be done to an organization's collaborators and invitations,
//! by a person on Collaborators or through the API alike.

use super::store::{self, Sent};
use super::{CollaboratorsView, InviteField};
use crate::error::{AppError, AppResult};
use crate::organizations::{gate, Action, Principal, Role};
use crate::page::Window;
use crate::server::AppState;
use crate::validate::{Email, FieldError};

/// The members in `window`, and for a role that manages collaborators the
/// pending invitations in `invitations`, each with its total.
pub async fn list(
    state: &AppState,
    by: &Principal,
    org: &str,
    window: Window,
    invitations: Window,
) -> AppResult<CollaboratorsView> {
    let access = gate::authorize(&state.db, by, org, Action::View).await?;
    let (members, total) =
        crate::organizations::collaborators(&state.db, access.id, window).await?;
    let (pending, pending_total) = if access.may(Action::ManageCollaborators) {
        let (pending, total) =
            store::pending(&state.db, access.id, state.clock.now(), invitations).await?;
        (Some(pending), total)
    } else {
        (None, 0)
    };
    Ok(CollaboratorsView {
        access: access.membership(),
        members,
        total,
        window,
        pending,
        pending_total,
        pending_window: invitations,
    })
}

/// Owners invite any role; Admins any but Owner (the store's rule).
pub async fn invite(
    state: &AppState,
    by: &Principal,
    org: &str,
    email: &str,
    role: &str,
) -> AppResult<Sent> {
    let access = gate::authorize(&state.db, by, org, Action::ManageCollaborators).await?;
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
        &email,
        role,
        state.config.base_url(),
        now,
    )
    .await?;
    state.mail_due.notify_one();
    Ok(sent)
}

/// The pending invitation of `email` again, with a new link.
pub async fn resend(state: &AppState, by: &Principal, org: &str, email: &str) -> AppResult<()> {
    let access = gate::authorize(&state.db, by, org, Action::ManageCollaborators).await?;
    let email = Email::parse(email).map_err(|m| AppError::field(InviteField::Email, m))?;
    let now = state.clock.now();
    store::resend(&state.db, &access, &email, state.config.base_url(), now).await?;
    state.mail_due.notify_one();
    Ok(())
}

pub async fn revoke(state: &AppState, by: &Principal, org: &str, email: &str) -> AppResult<()> {
    let access = gate::authorize(&state.db, by, org, Action::ManageCollaborators).await?;
    let email = Email::parse(email).map_err(|m| AppError::field(InviteField::Email, m))?;
    store::revoke(&state.db, &access, &email, state.clock.now()).await
}

/// Owners change anyone's role; Admins those of Admins, Billing and
/// Members, and never to Owner. The last Owner keeps the role.
pub async fn change_role(
    state: &AppState,
    by: &Principal,
    org: &str,
    email: &str,
    role: &str,
) -> AppResult<()> {
    let access = gate::authorize(&state.db, by, org, Action::ManageCollaborators).await?;
    let email = Email::parse(email).map_err(|m| AppError::field(InviteField::Email, m))?;
    let role =
        Role::parse(role).ok_or_else(|| AppError::field(InviteField::Role, "Choose a role."))?;
    store::change_role(&state.db, &access, &email, role, state.clock.now()).await
}

/// Removes a member (anyone may remove themselves: that is leaving);
/// returns whether the acting person left.
pub async fn remove(state: &AppState, by: &Principal, org: &str, email: &str) -> AppResult<bool> {
    let email = Email::parse(email).map_err(|m| AppError::field(InviteField::Email, m))?;
    let own = match by {
        Principal::Person(account) => {
            Email::parse(&account.email).is_ok_and(|own| own.key() == email.key())
        }
        Principal::Key(_) => false,
    };
    let action = if own {
        Action::Leave
    } else {
        Action::ManageCollaborators
    };
    let access = gate::authorize(&state.db, by, org, action).await?;
    store::remove(&state.db, &access, &email, state.clock.now()).await?;
    Ok(own)
}
