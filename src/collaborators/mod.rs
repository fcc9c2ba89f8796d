//! Collaborators: the members of an organization and the invitations that
//! bring new ones (DESIGN.md, "Collaborators and invitations"). An
//! invitation is a link emailed through the outbox; its token works once,
//! for 7 days, and the database keeps only its hash.

#[cfg(feature = "ssr")]
pub mod handlers;
#[cfg(feature = "ssr")]
pub mod operations;
pub mod pages;
#[cfg(feature = "ssr")]
mod store;

#[cfg(feature = "ssr")]
pub use store::{pending as pending_for, Sent};

/// What is said of an invitation that cannot be used, whatever the reason
/// (used, revoked, replaced, expired, or never made).
pub const NO_LONGER_VALID: &str = "This invitation is no longer valid";

use crate::error::AppError;
use crate::organizations::{Collaborator, Membership, Role};
use crate::validate::FormField;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// How long an invitation link works.
pub const INVITATION_DAYS: i64 = 7;

/// The fields of "Invite collaborator".
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum InviteField {
    Email,
    Role,
}

impl FormField for InviteField {
    fn name(self) -> &'static str {
        match self {
            InviteField::Email => "email",
            InviteField::Role => "role",
        }
    }
}

/// "Invite collaborator" as posted.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InviteForm {
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub role: String,
}

/// "Resend" or "Revoke" of a pending invitation, named by its address.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingForm {
    #[serde(default)]
    pub email: String,
}

/// "Change role" of a member, named by their address.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoleForm {
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub role: String,
}

/// An invitation not yet accepted, as "Pending invitations" lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PendingInvitation {
    pub email: String,
    pub role: Role,
    /// UTC, "2026-12-05 12:00 UTC".
    pub expires: String,
    /// The same, in Unix seconds.
    pub expires_at: i64,
}

/// The Collaborators page: the members, and for those who manage them the
/// pending invitations.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CollaboratorsView {
    pub access: Membership,
    /// The members in `window`, of `total`.
    pub members: Vec<Collaborator>,
    pub total: i64,
    pub window: crate::page::Window,
    /// `None` for a role that does not manage collaborators.
    pub pending: Option<Vec<PendingInvitation>>,
    /// The pending invitations in `pending_window`, of `pending_total`.
    pub pending_total: i64,
    pub pending_window: crate::page::Window,
}

/// How many members the Collaborators page shows on each of its pages.
pub const COLLABORATORS_PER_PAGE: i64 = 50;

/// Who is looking at an invitation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Viewer {
    /// No session: sign up or log in first.
    Visitor,
    /// Signed in with the invited address.
    Invitee,
    /// Signed in with another address (shown, to say why not).
    Other { email: String },
}

/// A valid invitation, as `/invitations/{token}` shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvitationView {
    pub organization: String,
    pub role: Role,
    pub email: String,
    pub viewer: Viewer,
}

pub use crate::organizations::permissions::roles_to_give;

/// What each role may, in one line (DESIGN.md, "Roles").
pub const ROLES_IN_SHORT: &str = "A Member sees everything and creates services; Billing keeps the company information and billing; an Admin does everything but billing, renaming and deleting; an Owner does everything.";

#[server(prefix = "/rpc")]
pub async fn fetch_collaborators(
    org: String,
    page: i64,
    invitations_page: i64,
) -> Result<CollaboratorsView, AppError> {
    use crate::page::Window;
    let (state, account) = crate::organizations::gate::context()?;
    let by = crate::organizations::Principal::Person(account);
    let members = Window::page(page, COLLABORATORS_PER_PAGE);
    let invitations = Window::page(invitations_page, COLLABORATORS_PER_PAGE);
    operations::list(&state, &by, &org, members, invitations).await
}

/// The invitation behind `token`; `NotFound` when it is used, revoked,
/// replaced, expired or never existed (the same answer for each).
#[server(prefix = "/rpc")]
pub async fn fetch_invitation(token: String) -> Result<InvitationView, AppError> {
    let state = use_context::<crate::server::AppState>()
        .ok_or_else(|| AppError::internal("AppState missing from context"))?;
    let account = crate::auth::current_account();
    store::invitation(&state.db, &token, account.as_ref(), state.clock.now()).await
}
