//! The "Company information" part of Settings: a form for those who may
//! edit it, the values read-only for the others.

use super::{check_field, fetch_company, CompanyForm, StoredCompany, FIELDS};
use crate::error::AppError;
use crate::forms::{field_error, form_message, TextField};
use crate::organizations::{Action, Membership};
use crate::validate::{BusinessId, Country, VatNumber};
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
                    Err(error) => crate::page::error_page(error),
                }
            })}
        </Suspense>
    }
}

fn company_view(
    access: Membership,
    stored: StoredCompany,
    feedback: Option<CompanyFeedback>,
    saved: bool,
) -> impl IntoView {
    if !access.may(Action::EditCompanyInformation) {
        return view! { <CompanyReadOnly form=stored.form /> }.into_any();
    }
    let action = format!("/organizations/{}/settings", access.org.public_id);
    let (mut form, version, error) = match feedback {
        Some(f) => (f.form, f.version, Some(f.error)),
        None => (stored.form, stored.version, None),
    };
    if version == 0 && form.country.is_empty() && error.is_none() {
        // Most organizations here are Swedish; the list offers the others.
        form.country = "SE".to_owned();
    }
    view! { <CompanyFormIsland action form version error saved /> }.into_any()
}

/// The fields whose rule depends on the country.
const BY_COUNTRY: [usize; 4] = [1, 2, 4, 8];
const COUNTRY: usize = 6;
const VAT: usize = 2;

/// The company information form. In the browser each field is checked when
/// it loses focus and again as it is corrected, with `check_field`, the
/// code the server runs; without JavaScript the server says the same.
#[island]
fn CompanyFormIsland(
    action: String,
    form: CompanyForm,
    version: i64,
    error: Option<AppError>,
    saved: bool,
) -> impl IntoView {
    let errors: [RwSignal<Option<String>>; 9] =
        std::array::from_fn(|i| RwSignal::new(field_error(&error, FIELDS[i].0)));
    let inputs: [NodeRef<leptos::html::Input>; 9] = std::array::from_fn(|_| NodeRef::new());
    let country_ref = NodeRef::<leptos::html::Select>::new();
    let vat_suggestion = RwSignal::new(None::<String>);

    // What the form holds now, as the server would receive it.
    let current = move || {
        let value = |i: usize| {
            inputs[i]
                .get_untracked()
                .map(|el| el.value())
                .unwrap_or_default()
        };
        CompanyForm {
            company_name: value(0),
            business_id: value(1),
            vat_number: value(2),
            address: value(3),
            postal_code: value(4),
            city: value(5),
            country: country_ref
                .get_untracked()
                .map(|el| el.value())
                .unwrap_or_default(),
            email: value(7),
            phone: value(8),
        }
    };
    let check = move |i: usize| {
        let form = current();
        if i == 1 {
            // The VAT number follows from a Swedish organisationsnummer: offer it.
            let suggestion = Country::parse(&form.country)
                .ok()
                .and_then(|c| BusinessId::parse(&form.business_id, c).ok())
                .and_then(|id| VatNumber::suggest(&id))
                .filter(|_| form.vat_number.trim().is_empty())
                .map(|vat| vat.to_string());
            vat_suggestion.set(suggestion);
        }
        check_field(&form, FIELDS[i].0)
    };
    let on_country = move |_| {
        errors[COUNTRY].set(check(COUNTRY));
        for i in BY_COUNTRY {
            let typed = inputs[i]
                .get_untracked()
                .is_some_and(|el| !el.value().is_empty());
            if typed || errors[i].get_untracked().is_some() {
                errors[i].set(check(i));
            }
        }
    };
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        let mut first_bad = None;
        for (i, error) in errors.iter().enumerate() {
            let problem = check(i);
            if problem.is_some() && first_bad.is_none() {
                first_bad = Some(i);
            }
            error.set(problem);
        }
        if let Some(i) = first_bad {
            ev.prevent_default();
            let _ = if i == COUNTRY {
                country_ref.get_untracked().map(|el| el.focus())
            } else {
                inputs[i].get_untracked().map(|el| el.focus())
            };
        }
    };
    let use_suggestion = move |_| {
        if let (Some(vat), Some(input)) =
            (vat_suggestion.get_untracked(), inputs[VAT].get_untracked())
        {
            input.set_value(&vat);
            errors[VAT].set(None);
            vat_suggestion.set(None);
        }
    };

    let selected = form.country.clone();
    let country_error = errors[COUNTRY];
    let fields = FIELDS
        .iter()
        .enumerate()
        .map(|(i, (field, label))| {
            if i == COUNTRY {
                return view! {
                    <div class="field">
                        <label for="field-country">"Country"</label>
                        <select id="field-country" name="country" autocomplete="country" node_ref=country_ref
                            on:change=on_country
                            aria-invalid=move || country_error.get().map(|_| "true")
                            aria-describedby=move || country_error.get().map(|_| "field-country-error")>
                            <option value="" selected=selected.is_empty()>"Choose a country"</option>
                            {Country::all()
                                .map(|(code, name)| view! { <option value=code selected=selected == code>{name}</option> })
                                .collect_view()}
                        </select>
                        {move || country_error.get().map(|m| view! { <p class="field-error" id="field-country-error">{m}</p> })}
                    </div>
                }
                .into_any();
            }
            let (input_type, autocomplete) = match *field {
                "company_name" => ("text", "organization"),
                "address" => ("text", "street-address"),
                "postal_code" => ("text", "postal-code"),
                "city" => ("text", "address-level2"),
                "email" => ("email", "email"),
                "phone" => ("tel", "tel"),
                _ => ("text", "off"),
            };
            let label = if i == VAT { "VAT number" } else { *label };
            view! {
                <TextField label=label name=field input_type=input_type autocomplete=autocomplete
                    value=form.get(field).to_owned() error=errors[i]
                    check=Callback::new(move |_: String| check(i)) node_ref=inputs[i] />
                {(i == VAT).then(|| view! {
                    <p class="hint">"Optional. "
                        {move || vat_suggestion.get().map(|vat| view! {
                            <button type="button" class="link" on:click=use_suggestion>{format!("Use {vat}")}</button>
                        })}
                    </p>
                })}
            }
            .into_any()
        })
        .collect_view();
    let latest = action.clone();
    view! {
        <form method="post" action=action novalidate class="narrow company" on:submit=on_submit>
            {saved.then(|| view! { <p class="status" role="status">"Company information saved"</p> })}
            {form_message(&error).map(|m| {
                // A reload would post the stale form again: a link opens the latest version.
                let stale = matches!(error, Some(AppError::Conflict(_)));
                view! {
                    <p class="alert" role="alert">{m}
                        {stale.then(|| view! { " " <a href=latest.clone()>"Load the latest version"</a> ", then make your changes again." })}
                    </p>
                }
            })}
            <input type="hidden" name="intent" value="company" />
            <input type="hidden" name="version" value=version.to_string() />
            {fields}
            <div><button type="submit" class="primary">"Save"</button></div>
        </form>
    }
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
                    view! { <dt>{*label}</dt><dd dir="auto">{if value.is_empty() { "—".to_owned() } else { value }}</dd> }
                })
                .collect_view()}
        </dl>
        <p class="muted">"Your role does not allow changing company information."</p>
    }
    .into_any()
}
