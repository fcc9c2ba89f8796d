//! The Services page: the list, "Create service" once billing is ready,
//! and delete with a confirmation.

use super::{
    fetch_services, DeleteService, Service, ServiceField, ServiceForm, ServiceName, ServicesView,
    DATA_CENTERS, PLANS,
};
use crate::billing::pages::NotReadyNotice;
use crate::error::AppError;
use crate::forms::{field_error, form_message, use_refused, Refused, TextField};
use crate::organizations::Action;
use crate::page::{load, org_param};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

#[component]
pub fn ServicesPage() -> impl IntoView {
    let org = org_param();
    let status = use_query_map().with_untracked(|q| {
        // Only a real service name is echoed back.
        let named = |key: &str| q.get(key).filter(|n| ServiceName::parse(n).is_ok());
        named("created")
            .map(|n| format!("Service {n} created"))
            .or_else(|| named("deleted").map(|n| format!("Service {n} deleted")))
    });
    let create = use_refused::<ServiceForm>();
    let delete = use_refused::<DeleteService>();
    load(fetch_services(org), move |view| {
        services_page(view, status, create, delete)
    })
}

fn services_page(
    view: ServicesView,
    status: Option<String>,
    create: Option<Refused<ServiceForm>>,
    delete: Option<Refused<DeleteService>>,
) -> impl IntoView {
    let org = view.access.org.public_id.clone();
    let action = format!("/organizations/{org}/services");
    let manage = view.access.may(Action::ManageServices);
    let ready = view.missing.is_empty();
    let create_error = create.as_ref().map(|r| r.error.clone());
    let refused_not_ready = matches!(create_error, Some(AppError::BillingNotReady));
    // The notice says "not ready"; other refusals of the create form sit in
    // the form, if the role sees it; the rest at the top.
    let (page_error, form_error) = match create_error {
        Some(AppError::BillingNotReady) => (None, None),
        Some(error) if manage => (None, Some(error)),
        error => (form_message(&error), None),
    };
    let page_error = page_error.or_else(|| form_message(&delete.as_ref().map(|r| r.error.clone())));
    let values = create.map(|r| r.form).unwrap_or_default();
    let name = view.access.org.name.clone();
    view! {
        <Title text=format!("Services · {name}") />
        <main id="main">
            <h1>"Services"</h1>
            {status.map(|m| view! { <p class="status" role="status">{m}</p> })}
            {page_error.map(|m| view! { <p class="alert" role="alert">{m}</p> })}
            <NotReadyNotice org=org.clone() missing=view.missing.clone() refused=refused_not_ready />
            <ServiceTable services=view.services action=action.clone() manage=manage />
            {if manage {
                view! {
                    <section aria-labelledby="create-heading" class="panel">
                        <h2 id="create-heading">"Create service"</h2>
                        <CreateServiceForm action=action values=values error=form_error ready=ready />
                    </section>
                }
                .into_any()
            } else {
                view! { <p class="muted">"Your role does not allow creating or deleting services."</p> }.into_any()
            }}
        </main>
    }
}

#[component]
fn ServiceTable(services: Vec<Service>, action: String, manage: bool) -> impl IntoView {
    if services.is_empty() {
        return view! { <p class="muted">"No services yet."</p> }.into_any();
    }
    view! {
        <div class="table-wrap">
            <table class="cards">
                <thead>
                    <tr>
                        <th scope="col">"Name"</th>
                        <th scope="col">"Plan"</th>
                        <th scope="col">"Data center"</th>
                        <th scope="col">"Per month"</th>
                        <th scope="col">"Created"</th>
                        {manage.then(|| view! { <th scope="col"><span class="visually-hidden">"Actions"</span></th> })}
                    </tr>
                </thead>
                <tbody>
                    {services
                        .into_iter()
                        .map(|s| view! {
                            <tr>
                                <td class="nowrap" data-label="Name"><strong>{s.name.clone()}</strong></td>
                                <td data-label="Plan">{s.plan}</td>
                                <td data-label="Data center">{s.data_center}</td>
                                <td class="nowrap" data-label="Per month">{s.monthly.to_string()}</td>
                                <td class="nowrap" data-label="Created">{s.created_at}</td>
                                {manage.then(|| view! { <td><DeleteService action=action.clone() id=s.public_id name=s.name /></td> })}
                            </tr>
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}

/// "Delete" opens a confirmation (a popover: no JavaScript needed).
#[component]
fn DeleteService(action: String, id: String, name: String) -> impl IntoView {
    let dialog = format!("delete-{id}");
    let heading = format!("{dialog}-heading");
    let (opener, closer, labelled_by) = (dialog.clone(), dialog.clone(), heading.clone());
    view! {
        <button type="button" class="small" popovertarget=opener aria-label=format!("Delete {name}")>"Delete"</button>
        <div id=dialog popover="auto" role="dialog" aria-labelledby=labelled_by class="confirm">
            <h2 id=heading>{format!("Delete {name}?")}</h2>
            <p>"The server stops and its disks are erased. This cannot be undone."</p>
            <form method="post" action=action class="buttons">
                <input type="hidden" name="intent" value="delete" />
                <input type="hidden" name="service" value=id />
                <button type="submit" class="danger">"Delete service"</button>
                <button type="button" popovertarget=closer popovertargetaction="hide">"Cancel"</button>
            </form>
        </div>
    }
}

/// "Name", "Plan", "Data center". The name is checked as it is typed, with
/// the server's rule; while billing is not ready the form is disabled (and
/// the server refuses it anyway).
#[cfg_attr(
    any(feature = "ssr", not(feature = "bundle"), feature = "bundle-services"),
    island
)]
#[cfg_attr(
    not(any(feature = "ssr", not(feature = "bundle"), feature = "bundle-services")),
    component
)]
fn CreateServiceForm(
    action: String,
    values: ServiceForm,
    error: Option<AppError>,
    ready: bool,
) -> impl IntoView {
    // A disabled form has nothing to check: no bundle to download for it.
    if ready {
        crate::page::with_islands(crate::page::Bundle::Services);
    }
    let name_error = RwSignal::new(field_error(&error, ServiceField::Name));
    let plan_error = field_error(&error, ServiceField::Plan);
    let data_center_error = field_error(&error, ServiceField::DataCenter);
    let whole_error = form_message(&error);
    let name_ref = NodeRef::<leptos::html::Input>::new();
    let check_name = |value: String| ServiceName::parse(&value).err();
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        if let Some(input) = name_ref.get_untracked() {
            let problem = check_name(input.value());
            if problem.is_some() {
                ev.prevent_default();
                let _ = input.focus();
            }
            name_error.set(problem);
        }
    };
    let plan = if values.plan.is_empty() {
        PLANS[0].id.to_owned()
    } else {
        values.plan.clone()
    };
    let data_center = if values.data_center.is_empty() {
        DATA_CENTERS[0].id.to_owned()
    } else {
        values.data_center.clone()
    };
    let select_error = |id: &'static str, message: Option<String>| {
        message.map(|m| view! { <p class="field-error" id=id>{m}</p> })
    };
    view! {
        <form method="post" action=action novalidate on:submit=on_submit>
            {whole_error.map(|m| view! { <p class="alert" role="alert">{m}</p> })}
            <input type="hidden" name="intent" value="create" />
            <fieldset disabled=!ready class="plain">
                <TextField label="Name" name="name" value=values.name error=name_error
                    check=check_name node_ref=name_ref />
                <p class="hint">"Lower-case letters, digits and hyphens, like web-1."</p>
                // Radio buttons, not a list: a phone's closed list cuts the
                // price off, and each plan's whole line matters.
                <fieldset class="plans" aria-describedby=plan_error.as_ref().map(|_| "field-plan-error")>
                    <legend>"Plan"</legend>
                    {PLANS
                        .iter()
                        .map(|p| {
                            let id = format!("plan-{}", p.id);
                            // The whole box is the label: a tap on the
                            // resources line chooses the plan too.
                            view! {
                                <div class="option">
                                    <input type="radio" name="plan" id=id.clone() value=p.id checked=plan == p.id />
                                    <label for=id>
                                        {format!("{}, {} a month", p.name, p.monthly)}
                                        <span class="hint">{p.resources}</span>
                                    </label>
                                </div>
                            }
                        })
                        .collect_view()}
                    {select_error("field-plan-error", plan_error.clone())}
                </fieldset>
                <div class="field">
                    <label for="field-data_center">"Data center"</label>
                    <select id="field-data_center" name="data_center"
                        aria-invalid=data_center_error.as_ref().map(|_| "true")
                        aria-describedby=data_center_error.as_ref().map(|_| "field-data_center-error")>
                        {DATA_CENTERS
                            .iter()
                            .map(|d| view! { <option value=d.id selected=data_center == d.id>{d.description()}</option> })
                            .collect_view()}
                    </select>
                    {select_error("field-data_center-error", data_center_error.clone())}
                </div>
                <div><button type="submit" class="primary">"Create service"</button></div>
            </fieldset>
        </form>
    }
}
