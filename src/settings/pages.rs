//! The Settings page: company information first (what a new organization
//! fills in), then, for Owners, renaming and deleting the organization.

use super::{DeleteField, DeleteForm, TwoFactorRequiredForm};
use crate::company::pages::CompanyInformationSection;
use crate::company::CompanySave;
use crate::forms::{field_error, form_message, use_refused, TextField};
use crate::organizations::pages::OrganizationNameForm;
use crate::organizations::{
    fetch_org_access, fetch_two_factor_required, Action, Membership, NameForm,
};
use crate::page::{load, org_param, query_flag};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn SettingsPage() -> impl IntoView {
    let org = org_param();
    let created = query_flag("created");
    let renamed = query_flag("renamed");
    let saved = query_flag("saved");
    let rename = use_refused::<NameForm>();
    let delete = use_refused::<DeleteForm>();
    let two_factor_refusal = use_refused::<TwoFactorRequiredForm>().map(|r| r.error);
    let security_saved = query_flag("security");
    // A refusal whose form the role does not see is told at the top.
    let unshown = [
        rename.as_ref().map(|r| r.error.clone()),
        two_factor_refusal.clone(),
        delete.as_ref().map(|r| r.error.clone()),
    ]
    .into_iter()
    .flatten()
    .next();
    let company_refusal = use_refused::<CompanySave>().map(|r| r.error);
    load(
        fetch_org_access(org, Action::View),
        move |access: Membership| {
            let base = format!("/organizations/{}/settings", access.org.public_id);
            let owner = access.may(Action::RenameOrDelete);
            let name = access.org.name.clone();
            let rename_value = rename
                .as_ref()
                .map_or_else(|| name.clone(), |r| r.form.name.clone());
            let rename_error = rename.as_ref().map(|r| r.error.clone());
            // A refused delete (wrong name, money still under way) is told beside its own form.
            let delete_refusal = delete.as_ref().map(|r| r.error.clone());
            let delete_error = RwSignal::new(
                field_error(&delete_refusal, DeleteField::Confirm)
                    .or_else(|| form_message(&delete_refusal)),
            );
            let delete_value = delete
                .as_ref()
                .map(|r| r.form.confirm.clone())
                .unwrap_or_default();
            let page_error = if owner {
                None
            } else if access.may(Action::EditCompanyInformation) {
                form_message(&unshown)
            } else {
                form_message(&unshown).or_else(|| form_message(&company_refusal))
            };
            view! {
                <Title text=format!("Settings · {name}") />
                <main id="main">
                    {created.then(|| view! {
                        <p class="status" role="status">"Organization created. Company information comes first: it is what invoices and contracts are made out to."</p>
                    })}
                    {renamed.then(|| view! { <p class="status" role="status">"Organization renamed."</p> })}
                // A refusal that no field of this page explains (a role without the right).
                    {page_error.map(|m| view! { <p class="alert" role="alert">{m}</p> })}
                    <h1>"Company information"</h1>
                    <p class="muted">"Customer number " <strong class="customer-number">{access.org.customer_number.clone()}</strong></p>
                    <CompanyInformationSection org=access.org.public_id.clone() saved=saved />
                    {owner.then(|| view! {
                        <section aria-labelledby="rename">
                            <h2 id="rename">"Rename organization"</h2>
                            <p class="muted">"The name in the sidebar and on this organization's pages."</p>
                            // The fragment brings a refusal's message into view.
                            <OrganizationNameForm action=format!("{base}#rename") intent=Some("rename".to_owned()) button="Rename".to_owned()
                                value=rename_value error=rename_error />
                        </section>
                        <TwoFactorRequirement org=access.org.public_id.clone()
                            saved=security_saved refusal=two_factor_refusal.clone() />
                        <section aria-labelledby="delete" class="danger-zone">
                            <h2 id="delete">"Delete organization"</h2>
                            <p>"Deleting " <strong dir="auto">{name.clone()}</strong> " removes it for every collaborator. Its payments, services and activity log are kept for bookkeeping. While a card verification refund is pending it cannot be deleted; a card page left open is closed. This cannot be undone."</p>
                            <form method="post" action=format!("{base}#delete") class="narrow">
                                <input type="hidden" name="intent" value="delete" />
                                <TextField label="Type the organization's name to confirm" name="confirm"
                                    value=delete_value error=delete_error
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

/// An Owner's "Two-factor log-in" setting: require it of every
/// collaborator, or stop requiring it.
#[component]
fn TwoFactorRequirement(
    org: String,
    saved: bool,
    refusal: Option<crate::error::AppError>,
) -> impl IntoView {
    let action = format!("/organizations/{org}/settings#two-factor");
    load(fetch_two_factor_required(org), move |required: bool| {
        let (state, value, button, class) = if required {
            (
                "Required: collaborators without it see only a page that leads them to set it up.",
                "no",
                "Stop requiring it",
                "",
            )
        } else {
            (
                "Not required: a password alone opens this organization.",
                "yes",
                "Require two-factor log-in",
                "primary",
            )
        };
        view! {
            <section aria-labelledby="two-factor">
                <h2 id="two-factor">"Two-factor log-in"</h2>
                {saved.then(|| view! { <p class="status" role="status">"Saved."</p> })}
                {form_message(&refusal).map(|m| view! { <p class="alert" role="alert">{m}</p> })}
                <p>"Require every collaborator to log in with a code from an authenticator app as well as the password. API keys are not affected."</p>
                <p class="current">{state}</p>
                <form method="post" action=action.clone() class="inline">
                    <input type="hidden" name="intent" value="two-factor" />
                    <input type="hidden" name="required" value=value />
                    <button type="submit" class=class>{button}</button>
                </form>
            </section>
        }
    })
}
