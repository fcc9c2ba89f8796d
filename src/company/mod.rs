//! Company information (Settings): what a new organization fills in first.
//! The same parse runs in the browser and on the server.

#[cfg(feature = "ssr")]
pub mod handlers;
pub mod pages;
#[cfg(feature = "ssr")]
mod store;

/// What other features may ask of the company information.
#[cfg(feature = "ssr")]
pub use store::{is_complete_in, load_in};

use crate::error::AppError;
use crate::organizations::Membership;
use crate::validate::{
    AddressLine, BusinessId, CompanyName, Country, Email, FieldError, Phone, PostalCode, VatNumber,
};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// The fields as typed (or as stored, formatted), by form name.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompanyForm {
    #[serde(default)]
    pub company_name: String,
    #[serde(default)]
    pub business_id: String,
    #[serde(default)]
    pub vat_number: String,
    #[serde(default)]
    pub address: String,
    #[serde(default)]
    pub postal_code: String,
    #[serde(default)]
    pub city: String,
    #[serde(default)]
    pub country: String,
    #[serde(default)]
    pub email: String,
    #[serde(default)]
    pub phone: String,
}

/// Form name and label of each field, in the order of the form.
pub const FIELDS: [(&str, &str); 9] = [
    ("company_name", "Company name"),
    ("business_id", "Business identification number"),
    ("vat_number", "VAT number"),
    ("address", "Address"),
    ("postal_code", "Postal code"),
    ("city", "City"),
    ("country", "Country"),
    ("email", "Email"),
    ("phone", "Phone"),
];

impl CompanyForm {
    pub fn get(&self, field: &str) -> &str {
        match field {
            "company_name" => &self.company_name,
            "business_id" => &self.business_id,
            "vat_number" => &self.vat_number,
            "address" => &self.address,
            "postal_code" => &self.postal_code,
            "city" => &self.city,
            "country" => &self.country,
            "email" => &self.email,
            "phone" => &self.phone,
            _ => "",
        }
    }
}

/// Company information with every field valid.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompanyInformation {
    pub company_name: CompanyName,
    pub business_id: BusinessId,
    pub vat_number: Option<VatNumber>,
    pub address: AddressLine,
    pub postal_code: PostalCode,
    pub city: AddressLine,
    pub country: Country,
    pub email: Email,
    pub phone: Phone,
}

/// Checks one field; the fields that depend on the country read it from `form`.
pub fn check_field(form: &CompanyForm, field: &str) -> Option<String> {
    let value = form.get(field);
    let country = Country::parse(&form.country);
    let needs_country = || Some("Choose the country first.".to_owned());
    match field {
        "company_name" => CompanyName::parse(value).err(),
        "business_id" => match country {
            Ok(c) => BusinessId::parse(value, c).err(),
            Err(_) => needs_country(),
        },
        "vat_number" => match country {
            Ok(c) => VatNumber::parse(value, c).err(),
            Err(_) if value.trim().is_empty() => None,
            Err(_) => needs_country(),
        },
        "address" => AddressLine::parse(value, "Address", "Enter the street address.").err(),
        "postal_code" => match country {
            Ok(c) => PostalCode::parse(value, c).err(),
            Err(_) => needs_country(),
        },
        "city" => AddressLine::parse(value, "City", "Enter the city.").err(),
        "country" => country.err(),
        "email" => Email::parse(value).err(),
        "phone" => match country {
            Ok(c) => Phone::parse(value, c).err(),
            Err(_) => needs_country(),
        },
        _ => None,
    }
}

impl CompanyForm {
    /// All fields valid, or every field that is not, with why.
    pub fn parse(&self) -> Result<CompanyInformation, Vec<FieldError>> {
        let errors: Vec<FieldError> = FIELDS
            .iter()
            .filter_map(|(field, _)| check_field(self, field).map(|m| FieldError::new(field, m)))
            .collect();
        if !errors.is_empty() {
            return Err(errors);
        }
        let country =
            Country::parse(&self.country).map_err(|m| vec![FieldError::new("country", m)])?;
        fn one<T>(field: &str, r: Result<T, String>) -> Result<T, Vec<FieldError>> {
            r.map_err(|m| vec![FieldError::new(field, m)])
        }
        Ok(CompanyInformation {
            company_name: one("company_name", CompanyName::parse(&self.company_name))?,
            business_id: one("business_id", BusinessId::parse(&self.business_id, country))?,
            vat_number: one("vat_number", VatNumber::parse(&self.vat_number, country))?,
            address: one(
                "address",
                AddressLine::parse(&self.address, "Address", "Enter the street address."),
            )?,
            postal_code: one("postal_code", PostalCode::parse(&self.postal_code, country))?,
            city: one(
                "city",
                AddressLine::parse(&self.city, "City", "Enter the city."),
            )?,
            country,
            email: one("email", Email::parse(&self.email))?,
            phone: one("phone", Phone::parse(&self.phone, country))?,
        })
    }
}

impl From<&CompanyInformation> for CompanyForm {
    /// The stored values as the form shows them: formatted.
    fn from(info: &CompanyInformation) -> Self {
        Self {
            company_name: info.company_name.as_str().to_owned(),
            business_id: info.business_id.to_string(),
            vat_number: info
                .vat_number
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default(),
            address: info.address.as_str().to_owned(),
            postal_code: info.postal_code.to_string(),
            city: info.city.as_str().to_owned(),
            country: info.country.code().to_owned(),
            email: info.email.as_str().to_owned(),
            phone: info.phone.as_str().to_owned(),
        }
    }
}

/// What the Settings page shows: the values and the version they are at.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredCompany {
    pub form: CompanyForm,
    /// 0 before the first save.
    pub version: i64,
}

#[server]
pub async fn fetch_company(org: String) -> Result<(Membership, StoredCompany), AppError> {
    let (state, _, access) =
        crate::organizations::gate::access(&org, crate::organizations::Action::View).await?;
    let stored = store::load(&state.db, access.id).await?;
    Ok((access.membership(), stored))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::validate::any_text;
    use proptest::prelude::*;

    proptest! {
        /// The whole form, every field any text, the country sometimes real.
        #[test]
        fn the_company_form_takes_any_text(
            fields in proptest::collection::vec(any_text(30), 9),
            country in prop_oneof![any_text(4), Just("SE".to_owned()), Just("US".to_owned()), Just("GB".to_owned())],
        ) {
            let form = CompanyForm {
                company_name: fields[0].clone(),
                business_id: fields[1].clone(),
                vat_number: fields[2].clone(),
                address: fields[3].clone(),
                postal_code: fields[4].clone(),
                city: fields[5].clone(),
                country,
                email: fields[7].clone(),
                phone: fields[8].clone(),
            };
            let _ = form.parse();
        }
    }
}
