//! The "Company information" part of Settings: a form for those who may
//! edit it, the values read-only for the others.

use super::{check_field, fetch_company, CompanyField, CompanyForm, CompanySave, StoredCompany};
use crate::error::AppError;
use crate::forms::{field_error, form_message, use_refused, Refused, TextField};
use crate::organizations::{Action, Membership};
use crate::validate::FormField;
use crate::validate::{BusinessId, Country, VatNumber};
use leptos::prelude::*;

#[component]
pub fn CompanyInformationSection(org: String, saved: bool) -> impl IntoView {
    let refused = use_refused::<CompanySave>();
    view! {
        <Suspense>
            {Suspend::new(async move {
                match fetch_company(org).await {
                    Ok((access, stored)) => company_view(access, stored, refused, saved).into_any(),
                    Err(error) => crate::page::error_page(error),
                }
            })}
        </Suspense>
    }
}

fn company_view(
    access: Membership,
    stored: StoredCompany,
    refused: Option<Refused<CompanySave>>,
    saved: bool,
) -> impl IntoView {
    if !access.may(Action::EditCompanyInformation) {
        return view! { <CompanyReadOnly form=stored.form /> }.into_any();
    }
    let action = format!("/organizations/{}/settings", access.org.public_id);
    let (mut form, version, error) = match refused {
        Some(r) => (r.form.form.clone(), r.form.version(), Some(r.error)),
        None => (stored.form, stored.version, None),
    };
    if version == 0 && form.country.is_empty() && error.is_none() {
        // Most organizations here are Swedish; the list offers the others.
        "SE".clone_into(&mut form.country);
    }
    view! { <CompanyFormIsland action form version error saved /> }.into_any()
}

/// The company information form. In the browser each field is checked when
/// it loses focus and again as it is corrected, with `check_field`, the
/// code the server runs; without JavaScript the server says the same.
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
fn CompanyFormIsland(
    action: String,
    form: CompanyForm,
    version: i64,
    error: Option<AppError>,
    saved: bool,
) -> impl IntoView {
    use CompanyField as F;
    crate::page::with_islands(crate::page::Bundle::Organization);
    // Indexed by `field as usize`, in the order of `CompanyField::ALL`.
    let errors: [RwSignal<Option<String>>; 9] =
        CompanyField::ALL.map(|field| RwSignal::new(field_error(&error, field)));
    let inputs: [NodeRef<leptos::html::Input>; 9] = std::array::from_fn(|_| NodeRef::new());
    let country_ref = NodeRef::<leptos::html::Select>::new();
    let vat_suggestion = RwSignal::new(None::<String>);

    // What the form holds now, as the server would receive it.
    let current = move || {
        let value = |field: CompanyField| {
            inputs[field as usize]
                .get_untracked()
                .map(|el| el.value())
                .unwrap_or_default()
        };
        CompanyForm {
            company_name: value(F::CompanyName),
            business_id: value(F::BusinessId),
            vat_number: value(F::VatNumber),
            address: value(F::Address),
            postal_code: value(F::PostalCode),
            city: value(F::City),
            country: country_ref
                .get_untracked()
                .map(|el| el.value())
                .unwrap_or_default(),
            email: value(F::Email),
            phone: value(F::Phone),
        }
    };
    let check = move |field: CompanyField| {
        let form = current();
        if field == F::BusinessId {
            // The VAT number follows from a Swedish organisationsnummer: offer it.
            let suggestion = Country::parse(&form.country)
                .ok()
                .and_then(|c| BusinessId::parse(&form.business_id, c).ok())
                .and_then(|id| VatNumber::suggest(&id))
                .filter(|_| form.vat_number.trim().is_empty())
                .map(|vat| vat.to_string());
            vat_suggestion.set(suggestion);
        }
        check_field(&form, field)
    };
    let on_country = move |_| {
        errors[F::Country as usize].set(check(F::Country));
        for field in CompanyField::ALL.into_iter().filter(|f| f.by_country()) {
            let i = field as usize;
            let typed = inputs[i]
                .get_untracked()
                .is_some_and(|el| !el.value().is_empty());
            if typed || errors[i].get_untracked().is_some() {
                errors[i].set(check(field));
            }
        }
    };
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        let mut first_bad = None;
        for field in CompanyField::ALL {
            let problem = check(field);
            if problem.is_some() && first_bad.is_none() {
                first_bad = Some(field);
            }
            errors[field as usize].set(problem);
        }
        if let Some(field) = first_bad {
            ev.prevent_default();
            let _ = if field == F::Country {
                country_ref.get_untracked().map(|el| el.focus())
            } else {
                inputs[field as usize].get_untracked().map(|el| el.focus())
            };
        }
    };
    let use_suggestion = move |_| {
        if let (Some(vat), Some(input)) = (
            vat_suggestion.get_untracked(),
            inputs[F::VatNumber as usize].get_untracked(),
        ) {
            input.set_value(&vat);
            errors[F::VatNumber as usize].set(None);
            vat_suggestion.set(None);
        }
    };

    let selected = form.country.clone();
    let country_error = errors[F::Country as usize];
    let fields = CompanyField::ALL
        .into_iter()
        .map(|field| {
            let i = field as usize;
            if field == F::Country {
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
            let (input_type, autocomplete) = match field {
                F::CompanyName => ("text", "organization"),
                F::Address => ("text", "street-address"),
                F::PostalCode => ("text", "postal-code"),
                F::City => ("text", "address-level2"),
                F::Email => ("email", "email"),
                F::Phone => ("tel", "tel"),
                _ => ("text", "off"),
            };
            view! {
                <TextField label=field.label() name=field.name() input_type=input_type autocomplete=autocomplete
                    value=form.get(field).to_owned() error=errors[i]
                    check=Callback::new(move |_: String| check(field)) node_ref=inputs[i] />
                {(field == F::VatNumber).then(|| view! {
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
            {CompanyField::ALL
                .into_iter()
                .map(|field| {
                    let value = if field == CompanyField::Country { country.to_owned() } else { form.get(field).to_owned() };
                    view! { <dt>{field.label()}</dt><dd dir="auto">{if value.is_empty() { "—".to_owned() } else { value }}</dd> }
                })
                .collect_view()}
        </dl>
        <p class="muted">"Your role does not allow changing company information."</p>
    }
    .into_any()
}
