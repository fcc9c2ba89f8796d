//! The organization pages. They render on the server only; the name
//! fields are the one island, checking themselves as they are typed.

use super::{fetch_activity, Collaborator, NameField, NameForm};
use crate::error::AppError;
use crate::forms::{field_error, form_message, use_refused, TextField};
use crate::page::{load, org_param};
use crate::validate::OrganizationName;
use leptos::prelude::*;
use leptos_meta::Title;

fn check_organization_name(value: String) -> Option<String> {
    OrganizationName::parse(&value).err()
}

/// The "Organization name" field and its button, checked in the browser:
/// creating an organization, and renaming it in Settings.
#[cfg_attr(
    any(
        feature = "ssr",
        not(feature = "bundle"),
        feature = "bundle-organization"
    ),
    island
)]
#[cfg_attr(
    not(any(
        feature = "ssr",
        not(feature = "bundle"),
        feature = "bundle-organization"
    )),
    component
)]
pub fn OrganizationNameForm(
    action: String,
    intent: Option<String>,
    button: String,
    value: String,
    error: Option<AppError>,
) -> impl IntoView {
    crate::page::with_islands(crate::page::Bundle::Organization);
    let name_error = RwSignal::new(field_error(&error, NameField::Name));
    let name_ref = NodeRef::<leptos::html::Input>::new();
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        if let Some(input) = name_ref.get_untracked() {
            let problem = check_organization_name(input.value());
            if problem.is_some() {
                ev.prevent_default();
                let _ = input.focus();
            }
            name_error.set(problem);
        }
    };
    view! {
        <form method="post" action=action novalidate on:submit=on_submit class="narrow">
            {form_message(&error).map(|m| view! { <p class="alert" role="alert">{m}</p> })}
            {intent.map(|intent| view! { <input type="hidden" name="intent" value=intent /> })}
            <TextField label="Organization name" name="name" value=value error=name_error
                check=check_organization_name node_ref=name_ref />
            <div><button type="submit" class="primary">{button}</button></div>
        </form>
    }
}

#[component]
pub fn CreateOrganizationPage() -> impl IntoView {
    let refused = use_refused::<NameForm>();
    let (value, error) = refused.map_or_else(Default::default, |r| (r.form.name, Some(r.error)));
    view! {
        <Title text="Create organization" />
        <main id="main">
            <h1>"Create organization"</h1>
            <p>"An organization is what is billed: it has its own company information, payment method, collaborators and services."</p>
            <OrganizationNameForm action="/organizations/new".to_owned() intent=None button="Create".to_owned()
                value=value error=error />
        </main>
    }
}

/// The members of an organization: name, email, role.
#[component]
pub fn CollaboratorTable(collaborators: Vec<Collaborator>) -> impl IntoView {
    view! {
        <div class="table-wrap">
            <table class="cards">
                <thead>
                    <tr><th scope="col">"Name"</th><th scope="col">"Email"</th><th scope="col">"Role"</th></tr>
                </thead>
                <tbody>
                    {collaborators
                        .into_iter()
                        .map(|c| view! {
                            <tr>
                                <td dir="auto" data-label="Name">{c.name}</td>
                                <td class="email" data-label="Email">{c.email}</td>
                                <td class="nowrap" data-label="Role">{c.role.to_string()}</td>
                            </tr>
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
    }
}

#[component]
pub fn ActivityPage() -> impl IntoView {
    let org = org_param();
    load(fetch_activity(org), |(access, entries)| {
        view! {
            <Title text=format!("Activity · {}", access.org.name) />
            <main id="main">
                <h1>"Activity"</h1>
                <div class="table-wrap">
                    <table>
                        <thead><tr><th scope="col">"When"</th><th scope="col">"Who"</th><th scope="col">"What"</th></tr></thead>
                        <tbody>
                            {entries
                                .into_iter()
                                .map(|e| view! { <tr><td class="nowrap">{e.at}</td><td dir="auto">{e.who}</td><td dir="auto">{e.what}</td></tr> })
                                .collect_view()}
                        </tbody>
                    </table>
                </div>
            </main>
        }
    })
}
