//! Organizations: the sidebar, creating one, its collaborators, renaming
//! and deleting it, the activity log, and the one place that decides who
//! may do what ([`permissions`] says, [`gate`] asks).

#[cfg(feature = "ssr")]
pub mod activity;
#[cfg(feature = "ssr")]
pub mod gate;
#[cfg(feature = "ssr")]
pub mod handlers;
pub mod pages;
pub mod permissions;
#[cfg(feature = "ssr")]
mod store;

/// What other features may ask of organizations, besides the [`gate`].
#[cfg(feature = "ssr")]
pub use store::collaborators;

use crate::error::AppError;
use crate::validate::FormField;
use leptos::prelude::*;
pub use permissions::{Action, Role};
use serde::{Deserialize, Serialize};

/// The field of the "Create organization" and "Rename organization" forms.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NameField {
    Name,
}

impl FormField for NameField {
    fn name(self) -> &'static str {
        "name"
    }
}

/// "Create organization" and "Rename organization" as posted.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NameForm {
    #[serde(default)]
    pub name: String,
}

/// An organization as the sidebar and page headings show it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct OrgSummary {
    pub public_id: String,
    /// 7 digits: what the customer quotes, and the API's username.
    pub customer_number: String,
    pub name: String,
}

/// The signed-in account's standing in one organization, as pages see it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Membership {
    pub org: OrgSummary,
    pub role: Role,
}

impl Membership {
    pub fn may(&self, action: Action) -> bool {
        permissions::may(self.role, action)
    }
}

/// What the [`gate`] answers on the server: the membership and the
/// organization's database id, which never leaves the server.
#[cfg(feature = "ssr")]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrgAccess {
    pub id: i64,
    pub org: OrgSummary,
    pub role: Role,
}

#[cfg(feature = "ssr")]
impl OrgAccess {
    pub fn may(&self, action: Action) -> bool {
        permissions::may(self.role, action)
    }

    /// What of it a page may see.
    pub fn membership(&self) -> Membership {
        Membership {
            org: self.org.clone(),
            role: self.role,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Collaborator {
    pub name: String,
    pub email: String,
    pub role: Role,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivityEntry {
    /// UTC, "2026-11-28 12:00".
    pub at: String,
    pub who: String,
    pub what: String,
}

/// Every organization the signed-in account belongs to, by name, with its role.
#[server]
pub async fn fetch_my_organizations() -> Result<Vec<Membership>, AppError> {
    let (state, account) = gate::context()?;
    store::organizations_of(&state.db, account.id).await
}

/// The signed-in account's access to `org` for `action`: 404 for a
/// non-member, 403 for a member whose role does not allow it.
#[server]
pub async fn fetch_org_access(org: String, action: Action) -> Result<Membership, AppError> {
    Ok(gate::access(&org, action).await?.2.membership())
}

#[server]
pub async fn fetch_activity(org: String) -> Result<(Membership, Vec<ActivityEntry>), AppError> {
    let (state, _, access) = gate::access(&org, Action::SeeActivity).await?;
    let entries = activity::list(&state.db, access.id).await?;
    Ok((access.membership(), entries))
}
