//! The overview: the page an organization opens on. It composes several
//! features (collaborators, company information, billing, services), so it
//! sits above them all.

use crate::error::AppError;
use crate::organizations::pages::CollaboratorTable;
use crate::organizations::{Collaborator, Membership};
use crate::page::{load, org_param, query_flag};
use leptos::prelude::*;
use leptos_meta::Title;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Overview {
    pub access: Membership,
    /// The first [`OVERVIEW_COLLABORATORS`], of `collaborators_total`.
    pub collaborators: Vec<Collaborator>,
    pub collaborators_total: i64,
    pub checklist: Checklist,
}

/// How many collaborators the overview lists; the rest are on Collaborators.
pub const OVERVIEW_COLLABORATORS: i64 = 10;

/// "Getting started": each item from the real state of the organization.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checklist {
    pub company_information: bool,
    pub payment_method: bool,
    pub service_created: bool,
}

/// The overview of `org`: its members and how far it has got.
#[server(prefix = "/rpc")]
pub async fn fetch_overview(org: String) -> Result<Overview, AppError> {
    use crate::organizations::{collaborators, gate, Action};
    let (state, _, access) = gate::access(&org, Action::View).await?;
    let window = crate::page::Window::page(1, OVERVIEW_COLLABORATORS);
    let (collaborators, collaborators_total) = collaborators(&state.db, access.id, window).await?;
    let missing = crate::billing::missing_for(&state.db, access.id, state.clock.now()).await?;
    let company_missing = missing.contains(&crate::billing::Missing::CompanyInformation);
    let checklist = Checklist {
        company_information: !company_missing,
        // Everything but the company information is the payment method's part.
        payment_method: missing.len() == usize::from(company_missing),
        service_created: crate::services::any_created(&state.db, access.id).await?,
    };
    Ok(Overview {
        access: access.membership(),
        collaborators,
        collaborators_total,
        checklist,
    })
}

#[component]
fn GettingStarted(org: String, checklist: Checklist) -> impl IntoView {
    let items = [
        (
            "Company information",
            "settings",
            checklist.company_information,
        ),
        ("Payment method", "billing", checklist.payment_method),
        ("Create a service", "services", checklist.service_created),
    ];
    view! {
        <ol class="checklist">
            {items
                .into_iter()
                .map(|(label, page, done)| {
                    view! {
                        <li class:done=done>
                            <span class="check" aria-hidden="true">{if done { "✓" } else { "" }}</span>
                            <a href=format!("/organizations/{org}/{page}")>{label}</a>
                            <span class="state">{if done { "Done" } else { "Not done" }}</span>
                        </li>
                    }
                })
                .collect_view()}
        </ol>
    }
}

#[component]
pub fn OverviewPage() -> impl IntoView {
    let org = org_param();
    let joined = query_flag("joined");
    load(fetch_overview(org), move |data| {
        let name = data.access.org.name.clone();
        let welcome = format!("You joined {name} as {}.", data.access.role);
        let listed = i64::try_from(data.collaborators.len()).unwrap_or(i64::MAX);
        let all = (data.collaborators_total > listed).then(|| {
            let href = format!("/organizations/{}/collaborators", data.access.org.public_id);
            view! { <p><a href=href>{format!("All {} collaborators", data.collaborators_total)}</a></p> }
        });
        view! {
            <Title text=name.clone() />
            <main>
                {joined.then(|| view! { <p class="status" role="status" dir="auto">{welcome}</p> })}
                <h1 dir="auto">{name}</h1>
                <p class="muted">"Customer number " <strong class="customer-number">{data.access.org.customer_number.clone()}</strong></p>
                <section aria-labelledby="getting-started">
                    <h2 id="getting-started">"Getting started"</h2>
                    <GettingStarted org=data.access.org.public_id.clone() checklist=data.checklist />
                </section>
                <section aria-labelledby="collaborators">
                    <h2 id="collaborators">"Collaborators"</h2>
                    <CollaboratorTable collaborators=data.collaborators />
                    {all}
                </section>
            </main>
        }
    })
}
