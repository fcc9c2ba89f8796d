//! Organizations: the sidebar, creating one, its collaborators, renaming
//! and deleting it, the activity log, and the one place that decides who
//! may do what ([`permissions`] says, [`gate`] asks).

#[cfg(feature = "ssr")]
pub mod activity;
#[cfg(feature = "ssr")]
pub mod gate;
#[cfg(feature = "ssr")]
pub mod handlers;
#[cfg(feature = "ssr")]
pub mod operations;
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

/// Who makes a request: a person, or an organization's API key. Every
/// operation takes one and asks the [`gate`] what it may do.
#[cfg(feature = "ssr")]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Principal {
    /// Signed in with a session cookie, or through a temporary key from
    /// the API's `user/login`: acts with the person's role.
    Person(crate::auth::Account),
    /// An API key: belongs to one organization, acts with its own role.
    Key(ApiKeyPrincipal),
}

/// An API key that authenticated a request (its maker still holds a role
/// that may give the key's).
#[cfg(feature = "ssr")]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiKeyPrincipal {
    /// `api_keys.id`.
    pub id: i64,
    pub organization_id: i64,
    pub role: Role,
    pub description: String,
}

/// Who did something, as the activity log and `*_by` columns keep it.
#[cfg(feature = "ssr")]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Actor {
    /// `accounts.id`.
    Person(i64),
    /// `api_keys.id`.
    Key(i64),
}

#[cfg(feature = "ssr")]
impl Actor {
    /// From the two columns a row keeps; `None` when neither is set.
    pub fn from_columns(account_id: Option<i64>, api_key_id: Option<i64>) -> Option<Self> {
        account_id.map(Actor::Person).or(api_key_id.map(Actor::Key))
    }

    pub fn account_id(self) -> Option<i64> {
        match self {
            Actor::Person(id) => Some(id),
            Actor::Key(_) => None,
        }
    }

    pub fn api_key_id(self) -> Option<i64> {
        match self {
            Actor::Person(_) => None,
            Actor::Key(id) => Some(id),
        }
    }
}

#[cfg(feature = "ssr")]
impl Principal {
    pub fn actor(&self) -> Actor {
        match self {
            Principal::Person(account) => Actor::Person(account.id),
            Principal::Key(key) => Actor::Key(key.id),
        }
    }

    /// The person's account id; `None` for an API key.
    pub fn account_id(&self) -> Option<i64> {
        match self {
            Principal::Person(account) => Some(account.id),
            Principal::Key(_) => None,
        }
    }

    /// The API key's id; `None` for a person.
    pub fn api_key_id(&self) -> Option<i64> {
        match self {
            Principal::Person(_) => None,
            Principal::Key(key) => Some(key.id),
        }
    }
}

/// What the [`gate`] answers on the server: who acts, with which role, in
/// which organization (with its database id, which never leaves the server).
#[cfg(feature = "ssr")]
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OrgAccess {
    pub id: i64,
    pub org: OrgSummary,
    pub role: Role,
    pub by: Principal,
}

#[cfg(feature = "ssr")]
impl OrgAccess {
    pub fn may(&self, action: Action) -> bool {
        permissions::may(self.role, action)
    }

    /// The acting person's account id (`updated_by` columns); `None` for a key.
    pub fn account_id(&self) -> Option<i64> {
        self.by.account_id()
    }

    pub fn actor(&self) -> Actor {
        self.by.actor()
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

/// How many organizations the sidebar lists before "All organizations".
pub const SIDEBAR_ORGANIZATIONS: i64 = 15;
/// How many organizations the home page lists on each of its pages.
pub const ORGANIZATIONS_PER_PAGE: i64 = 50;

/// What the sidebar lists: the account's first organizations by name (the
/// current one, from the URL, before them when it sorts later), and how
/// many the account has in all.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sidebar {
    pub orgs: Vec<Membership>,
    pub current: Option<Membership>,
    pub total: i64,
}

/// The signed-in account's sidebar, with `current` the organization in the URL.
#[server(prefix = "/rpc")]
pub async fn fetch_sidebar(current: Option<String>) -> Result<Sidebar, AppError> {
    let (state, account) = gate::context()?;
    let window = crate::page::Window::page(1, SIDEBAR_ORGANIZATIONS);
    let (mut orgs, total) = store::organizations_of(&state.db, account.id, window).await?;
    let listed = current
        .as_deref()
        .and_then(|id| orgs.iter().find(|m| m.org.public_id == id).cloned());
    let current = match (listed, current) {
        (Some(found), _) => Some(found),
        (None, Some(id)) => {
            // First, where it is seen without scrolling the list.
            let found = store::membership_in(&state.db, account.id, &id).await?;
            if let Some(open) = &found {
                orgs.insert(0, open.clone());
            }
            found
        }
        (None, None) => None,
    };
    Ok(Sidebar {
        orgs,
        current,
        total,
    })
}

/// The signed-in account's organizations on page `page` (from 1) of the
/// home page, by name, and how many it has in all.
#[server(prefix = "/rpc")]
pub async fn fetch_my_organizations(
    page: i64,
) -> Result<(Vec<Membership>, i64, crate::page::Window), AppError> {
    let (state, account) = gate::context()?;
    let window = crate::page::Window::page(page, ORGANIZATIONS_PER_PAGE);
    let (orgs, total) = store::organizations_of(&state.db, account.id, window).await?;
    Ok((orgs, total, window))
}

/// The signed-in account's access to `org` for `action`: 404 for a
/// non-member, 403 for a member whose role does not allow it.
#[server(prefix = "/rpc")]
pub async fn fetch_org_access(org: String, action: Action) -> Result<Membership, AppError> {
    Ok(gate::access(&org, action).await?.2.membership())
}

/// Whether the organization requires two-factor log-in of every
/// collaborator (Settings shows it to its Owners).
#[server(prefix = "/rpc")]
pub async fn fetch_two_factor_required(org: String) -> Result<bool, AppError> {
    let (state, _, access) = gate::access(&org, Action::View).await?;
    operations::two_factor_required(&state, &access).await
}

#[server(prefix = "/rpc")]
pub async fn fetch_activity(org: String) -> Result<(Membership, Vec<ActivityEntry>), AppError> {
    let (state, _, access) = gate::access(&org, Action::SeeActivity).await?;
    let entries = activity::list(&state.db, access.id).await?;
    Ok((access.membership(), entries))
}
