//! Organizations: the sidebar, creating one, the overview with its
//! collaborators, settings (rename, delete), the activity log, and the one
//! place that decides who may do what.

#[cfg(feature = "ssr")]
pub mod handlers;
pub mod pages;
pub mod permissions;
#[cfg(feature = "ssr")]
pub mod store;

use crate::error::AppError;
use leptos::prelude::*;
pub use permissions::{Action, Role};
use serde::{Deserialize, Serialize};

/// An organization as the sidebar and page headings show it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgSummary {
    pub public_id: String,
    pub name: String,
}

/// The signed-in account's standing in one organization.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgAccess {
    /// The database id: never leaves the server in a URL.
    pub id: i64,
    pub org: OrgSummary,
    pub role: Role,
}

impl OrgAccess {
    pub fn may(&self, action: Action) -> bool {
        permissions::may(self.role, action)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Collaborator {
    pub name: String,
    pub email: String,
    pub role: Role,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Overview {
    pub access: OrgAccess,
    pub collaborators: Vec<Collaborator>,
    pub checklist: Checklist,
}

/// "Getting started": each item from the real state of the organization.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checklist {
    pub company_information: bool,
    pub payment_method: bool,
    pub service_created: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActivityEntry {
    /// UTC, "2026-11-28 12:00".
    pub at: String,
    pub who: String,
    pub what: String,
}

/// Every organization the signed-in account belongs to, by name.
#[server]
pub async fn fetch_my_organizations() -> Result<Vec<OrgSummary>, AppError> {
    crate::server::render::status_on_error(
        async {
            let (state, account) = store::context()?;
            store::organizations_of(&state.db, account.id).await
        }
        .await,
    )
}

/// The signed-in account's access to `org` for `action`: 404 for a
/// non-member, 403 for a member whose role does not allow it.
#[server]
pub async fn fetch_org_access(org: String, action: Action) -> Result<OrgAccess, AppError> {
    crate::server::render::status_on_error(async { Ok(store::access(&org, action).await?.2) }.await)
}

#[server]
pub async fn fetch_overview(org: String) -> Result<Overview, AppError> {
    crate::server::render::status_on_error(
        async {
            let (state, _, access) = store::access(&org, Action::View).await?;
            let collaborators = store::collaborators(&state.db, access.id).await?;
            let missing =
                crate::billing::store::missing(&state.db, access.id, state.clock.now()).await?;
            let company_missing = missing.contains(&crate::billing::Missing::CompanyInformation);
            let checklist = Checklist {
                company_information: !company_missing,
                // Everything but the company information is the payment method's part.
                payment_method: missing.len() == usize::from(company_missing),
                service_created: crate::services::store::any(&state.db, access.id).await?,
            };
            Ok(Overview {
                access,
                collaborators,
                checklist,
            })
        }
        .await,
    )
}

#[server]
pub async fn fetch_collaborators(org: String) -> Result<(OrgAccess, Vec<Collaborator>), AppError> {
    crate::server::render::status_on_error(
        async {
            let (state, _, access) = store::access(&org, Action::View).await?;
            let collaborators = store::collaborators(&state.db, access.id).await?;
            Ok((access, collaborators))
        }
        .await,
    )
}

#[server]
pub async fn fetch_activity(org: String) -> Result<(OrgAccess, Vec<ActivityEntry>), AppError> {
    crate::server::render::status_on_error(
        async {
            let (state, _, access) = store::access(&org, Action::SeeActivity).await?;
            let entries = store::activity(&state.db, access.id).await?;
            Ok((access, entries))
        }
        .await,
    )
}
