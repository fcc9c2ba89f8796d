//! The organization pages. They render on the server only; the name
//! fields are the one island, checking themselves as they are typed.

use super::{
    fetch_activity, fetch_collaborators, fetch_org_access, fetch_overview, Action, Checklist,
    Collaborator, OrgAccess,
};
use crate::error::AppError;
use crate::forms::{field_error, form_message, use_form_feedback, TextField};
use crate::validate::OrganizationName;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

/// The `{org}` of the current URL.
pub fn org_param() -> String {
    use_params_map().with_untracked(|params| params.get("org").unwrap_or_default())
}

pub fn query_flag(name: &str) -> bool {
    use_query_map().with_untracked(|query| query.get(name).is_some())
}

/// The page for an error, with its HTTP status.
pub fn error_page(error: AppError) -> AnyView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(error.status());
    }
    match error {
        AppError::NotFound => view! { <crate::app::NotFound /> }.into_any(),
        AppError::Forbidden(message) => view! {
            <Title text="Not allowed" />
            <main>
                <h1>"Not allowed"</h1>
                <p role="alert" class="alert">{message}</p>
            </main>
        }
        .into_any(),
        other => view! {
            <Title text="Something went wrong" />
            <main>
                <h1>"Something went wrong"</h1>
                <p role="alert" class="alert">{other.to_string()}</p>
            </main>
        }
        .into_any(),
    }
}

/// Loads `data`, then renders `page` with it, or the error's page.
pub fn load<T, F, V>(data: F, page: impl FnOnce(T) -> V + Send + 'static) -> impl IntoView
where
    T: Send + 'static,
    F: std::future::Future<Output = Result<T, AppError>> + Send + 'static,
    V: IntoView + 'static,
{
    view! {
        <Suspense>
            {Suspend::new(async move {
                match data.await {
                    Ok(data) => page(data).into_any(),
                    Err(error) => error_page(error),
                }
            })}
        </Suspense>
    }
}

fn check_organization_name(value: String) -> Option<String> {
    OrganizationName::parse(&value).err()
}

/// The "Organization name" field and its button, checked in the browser.
#[island]
fn OrganizationNameForm(
    action: String,
    intent: Option<String>,
    button: String,
    value: String,
    error: Option<AppError>,
) -> impl IntoView {
    let name_error = RwSignal::new(field_error(&error, "name"));
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
    let feedback = use_form_feedback();
    view! {
        <Title text="Create organization" />
        <main>
            <h1>"Create organization"</h1>
            <p>"An organization is what is billed: it has its own company information, payment method, collaborators and services."</p>
            <OrganizationNameForm action="/organizations/new".to_owned() intent=None button="Create".to_owned()
                value=feedback.values.value("name") error=feedback.error />
        </main>
    }
}

#[component]
fn CollaboratorTable(collaborators: Vec<Collaborator>) -> impl IntoView {
    view! {
        <div class="table-wrap">
            <table>
                <thead>
                    <tr><th scope="col">"Name"</th><th scope="col">"Email"</th><th scope="col">"Role"</th></tr>
                </thead>
                <tbody>
                    {collaborators
                        .into_iter()
                        .map(|c| view! { <tr><td dir="auto">{c.name}</td><td class="email">{c.email}</td><td class="nowrap">{c.role.to_string()}</td></tr> })
                        .collect_view()}
                </tbody>
            </table>
        </div>
    }
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
    load(fetch_overview(org), |data| {
        let name = data.access.org.name.clone();
        view! {
            <Title text=name.clone() />
            <main>
                <h1 dir="auto">{name}</h1>
                <section aria-labelledby="getting-started">
                    <h2 id="getting-started">"Getting started"</h2>
                    <GettingStarted org=data.access.org.public_id.clone() checklist=data.checklist />
                </section>
                <section aria-labelledby="collaborators">
                    <h2 id="collaborators">"Collaborators"</h2>
                    <CollaboratorTable collaborators=data.collaborators />
                </section>
            </main>
        }
    })
}

#[component]
pub fn SettingsPage() -> impl IntoView {
    let org = org_param();
    let created = query_flag("created");
    let renamed = query_flag("renamed");
    let saved = query_flag("saved");
    let feedback = use_form_feedback();
    load(
        fetch_org_access(org, Action::View),
        move |access: OrgAccess| {
            let base = format!("/organizations/{}/settings", access.org.public_id);
            let owner = access.may(Action::RenameOrDelete);
            let name = access.org.name.clone();
            let rename_value = feedback
                .values
                .get("name")
                .map(str::to_owned)
                .unwrap_or_else(|| name.clone());
            // A refused delete (wrong name, money still under way) is told beside its own form.
            let deleting = feedback.values.get("confirm").is_some();
            let delete_error = RwSignal::new(
                deleting
                    .then(|| {
                        field_error(&feedback.error, "confirm")
                            .or_else(|| form_message(&feedback.error))
                    })
                    .flatten(),
            );
            let rename_error = feedback.error.clone().filter(|_| !deleting);
            view! {
                <Title text=format!("Settings · {name}") />
                <main>
                    {created.then(|| view! {
                        <p class="status" role="status">"Organization created. Company information comes first: it is what invoices and contracts are made out to."</p>
                    })}
                    {renamed.then(|| view! { <p class="status" role="status">"Organization renamed."</p> })}
                // A refusal that no field of this page explains (a role without the right).
                {(!owner).then(|| form_message(&feedback.error)).flatten().map(|m| view! { <p class="alert" role="alert">{m}</p> })}
                    <h1>"Company information"</h1>
                    <crate::company::pages::CompanyInformationSection org=access.org.public_id.clone() saved=saved />
                    {owner.then(|| view! {
                        <section aria-labelledby="rename">
                            <h2 id="rename">"Rename organization"</h2>
                            <p class="muted">"The name in the sidebar and on this organization's pages."</p>
                            // The fragment brings a refusal's message into view.
                            <OrganizationNameForm action=format!("{base}#rename") intent=Some("rename".to_owned()) button="Rename".to_owned()
                                value=rename_value error=rename_error />
                        </section>
                        <section aria-labelledby="delete" class="danger-zone">
                            <h2 id="delete">"Delete organization"</h2>
                            <p>"Deleting " <strong dir="auto">{name.clone()}</strong> " removes it for every collaborator. Its payments, services and activity log are kept for bookkeeping. While a card verification refund is pending it cannot be deleted; a card page left open is closed. This cannot be undone."</p>
                            <form method="post" action=format!("{base}#delete") class="narrow">
                                <input type="hidden" name="intent" value="delete" />
                                <TextField label="Type the organization's name to confirm" name="confirm"
                                    value=feedback.values.value("confirm") error=delete_error
                                    check=|_: String| None node_ref=NodeRef::new() />
                                <div><button type="submit" class="danger">"Delete organization"</button></div>
                            </form>
                        </section>
                    })}
                </main>
            }
        },
    )
}

#[component]
pub fn CollaboratorsPage() -> impl IntoView {
    let org = org_param();
    load(fetch_collaborators(org), |(access, collaborators)| {
        view! {
            <Title text=format!("Collaborators · {}", access.org.name) />
            <main>
                <h1>"Collaborators"</h1>
                <CollaboratorTable collaborators=collaborators />
                <p class="muted">"Inviting collaborators is not available yet."</p>
            </main>
        }
    })
}

#[component]
pub fn ActivityPage() -> impl IntoView {
    let org = org_param();
    load(fetch_activity(org), |(access, entries)| {
        view! {
            <Title text=format!("Activity · {}", access.org.name) />
            <main>
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

/// A page of the organization that is not built yet, behind the same gate.
fn not_built_yet(title: &'static str, action: Action, sentence: &'static str) -> impl IntoView {
    let org = org_param();
    load(fetch_org_access(org, action), move |access| {
        view! {
            <Title text=format!("{title} · {}", access.org.name) />
            <main>
                <h1>{title}</h1>
                <p class="muted">{sentence}</p>
            </main>
        }
    })
}

#[component]
pub fn ApiKeysPage() -> impl IntoView {
    not_built_yet(
        "API keys",
        Action::ManageApiKeys,
        "API keys are not available yet.",
    )
}
