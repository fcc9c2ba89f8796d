//! The "Company information" part of Settings: a form for those who may
//! edit it, the values read-only for the others.

use super::{fetch_company, CompanyForm, StoredCompany, FIELDS};
use crate::error::AppError;
use crate::forms::{form_message, TextField};
use crate::organizations::{Action, OrgAccess};
use crate::validate::Country;
use leptos::prelude::*;

/// After a refused save: what was typed and why it was refused.
#[derive(Clone, Debug)]
pub struct CompanyFeedback {
    pub form: CompanyForm,
    pub version: i64,
    pub error: AppError,
}

#[component]
pub fn CompanyInformationSection(org: String, saved: bool) -> impl IntoView {
    let feedback = use_context::<CompanyFeedback>();
    view! {
        <Suspense>
            {Suspend::new(async move {
                match fetch_company(org).await {
                    Ok((access, stored)) => company_view(access, stored, feedback, saved).into_any(),
                    Err(error) => crate::organizations::pages::error_page(error),
                }
            })}
        </Suspense>
    }
}

fn company_view(
    access: OrgAccess,
    stored: StoredCompany,
    feedback: Option<CompanyFeedback>,
    saved: bool,
) -> impl IntoView {
    if !access.may(Action::EditCompanyInformation) {
        return view! { <CompanyReadOnly form=stored.form /> }.into_any();
    }
    let action = format!("/organizations/{}/settings", access.org.public_id);
    let (form, version, error) = match feedback {
        Some(f) => (f.form, f.version, Some(f.error)),
        None => (stored.form, stored.version, None),
    };
    let field_error = |field: &str| {
        RwSignal::new(
            error
                .as_ref()
                .and_then(|e| e.field_message(field))
                .map(str::to_owned),
        )
    };
    let country_error = field_error("country");
    let fields = FIELDS
        .iter()
        .filter(|(field, _)| *field != "country")
        .map(|(field, label)| {
            let input_type = match *field {
                "email" => "email",
                "phone" => "tel",
                _ => "text",
            };
            let autocomplete = match *field {
                "company_name" => "organization",
                "address" => "street-address",
                "postal_code" => "postal-code",
                "city" => "address-level2",
                "email" => "email",
                "phone" => "tel",
                _ => "off",
            };
            view! {
                <TextField label=label name=field input_type=input_type autocomplete=autocomplete
                    value=form.get(field).to_owned() error=field_error(field) check=|_| None node_ref=NodeRef::new() />
            }
        })
        .collect_view();
    let selected = form.country.clone();
    view! {
        <form method="post" action=action novalidate class="narrow company">
            {saved.then(|| view! { <p class="status" role="status">"Company information saved"</p> })}
            {form_message(&error).map(|m| view! { <p class="alert" role="alert">{m}</p> })}
            <input type="hidden" name="intent" value="company" />
            <input type="hidden" name="version" value=version.to_string() />
            <div class="field">
                <label for="field-country">"Country"</label>
                <select id="field-country" name="country" autocomplete="country"
                    aria-invalid=move || country_error.get().map(|_| "true")
                    aria-describedby=move || country_error.get().map(|_| "field-country-error")>
                    <option value="" selected=selected.is_empty()>"Choose a country"</option>
                    {Country::all()
                        .map(|(code, name)| view! { <option value=code selected=selected == code>{name}</option> })
                        .collect_view()}
                </select>
                {move || country_error.get().map(|m| view! { <p class="field-error" id="field-country-error">{m}</p> })}
            </div>
            {fields}
            <div><button type="submit" class="primary">"Save"</button></div>
        </form>
    }
    .into_any()
}

#[component]
fn CompanyReadOnly(form: CompanyForm) -> impl IntoView {
    if form.company_name.is_empty() {
        return view! { <p class="muted">"No company information yet. An Owner, Admin or Billing collaborator fills it in."</p> }.into_any();
    }
    let country = Country::parse(&form.country)
        .map(Country::name)
        .unwrap_or_default();
    view! {
        <dl class="facts">
            {FIELDS
                .iter()
                .map(|(field, label)| {
                    let value = if *field == "country" { country.to_owned() } else { form.get(field).to_owned() };
                    view! { <dt>{*label}</dt><dd>{if value.is_empty() { "—".to_owned() } else { value }}</dd> }
                })
                .collect_view()}
        </dl>
        <p class="muted">"Your role does not allow changing company information."</p>
    }
    .into_any()
}
