//! Company information (Settings): what a new organization fills in first.
//! The same parse runs in the browser and on the server.

#[cfg(feature = "ssr")]
pub mod operations;
pub mod pages;
#[cfg(feature = "ssr")]
mod store;

/// What other features may ask of the company information.
#[cfg(feature = "ssr")]
pub use store::{is_complete_in, load_in};

use crate::error::AppError;
use crate::organizations::Membership;
use crate::validate::{
    AddressLine, BusinessId, CompanyName, Country, Email, FieldError, FormField, Phone, PostalCode,
    VatNumber,
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

/// The fields of the company information form, in its order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CompanyField {
    CompanyName,
    BusinessId,
    VatNumber,
    Address,
    PostalCode,
    City,
    Country,
    Email,
    Phone,
}

impl CompanyField {
    pub const ALL: [CompanyField; 9] = [
        CompanyField::CompanyName,
        CompanyField::BusinessId,
        CompanyField::VatNumber,
        CompanyField::Address,
        CompanyField::PostalCode,
        CompanyField::City,
        CompanyField::Country,
        CompanyField::Email,
        CompanyField::Phone,
    ];

    /// The label on the form (DESIGN.md's words).
    pub fn label(self) -> &'static str {
        match self {
            CompanyField::CompanyName => "Company name",
            CompanyField::BusinessId => "Business identification number",
            CompanyField::VatNumber => "VAT number",
            CompanyField::Address => "Address",
            CompanyField::PostalCode => "Postal code",
            CompanyField::City => "City",
            CompanyField::Country => "Country",
            CompanyField::Email => "Email",
            CompanyField::Phone => "Phone",
        }
    }

    /// Whether its rule depends on the country.
    pub fn by_country(self) -> bool {
        matches!(
            self,
            CompanyField::BusinessId
                | CompanyField::VatNumber
                | CompanyField::PostalCode
                | CompanyField::Phone
        )
    }
}

impl FormField for CompanyField {
    fn name(self) -> &'static str {
        match self {
            CompanyField::CompanyName => "company_name",
            CompanyField::BusinessId => "business_id",
            CompanyField::VatNumber => "vat_number",
            CompanyField::Address => "address",
            CompanyField::PostalCode => "postal_code",
            CompanyField::City => "city",
            CompanyField::Country => "country",
            CompanyField::Email => "email",
            CompanyField::Phone => "phone",
        }
    }
}

impl CompanyForm {
    /// The field's value, to change it.
    pub fn get_mut(&mut self, field: CompanyField) -> &mut String {
        match field {
            CompanyField::CompanyName => &mut self.company_name,
            CompanyField::BusinessId => &mut self.business_id,
            CompanyField::VatNumber => &mut self.vat_number,
            CompanyField::Address => &mut self.address,
            CompanyField::PostalCode => &mut self.postal_code,
            CompanyField::City => &mut self.city,
            CompanyField::Country => &mut self.country,
            CompanyField::Email => &mut self.email,
            CompanyField::Phone => &mut self.phone,
        }
    }

    pub fn get(&self, field: CompanyField) -> &str {
        match field {
            CompanyField::CompanyName => &self.company_name,
            CompanyField::BusinessId => &self.business_id,
            CompanyField::VatNumber => &self.vat_number,
            CompanyField::Address => &self.address,
            CompanyField::PostalCode => &self.postal_code,
            CompanyField::City => &self.city,
            CompanyField::Country => &self.country,
            CompanyField::Email => &self.email,
            CompanyField::Phone => &self.phone,
        }
    }
}

/// The company information form as posted: the fields and the version
/// they were loaded at (a save from an older version is refused).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompanySave {
    #[serde(flatten)]
    pub form: CompanyForm,
    #[serde(default)]
    pub version: String,
}

impl CompanySave {
    /// The version as a number; anything else matches no stored version.
    pub fn version(&self) -> i64 {
        self.version.parse().unwrap_or(-1)
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
pub fn check_field(form: &CompanyForm, field: CompanyField) -> Option<String> {
    let value = form.get(field);
    let country = Country::parse(&form.country);
    let needs_country = || Some("Choose the country first.".to_owned());
    match field {
        CompanyField::CompanyName => CompanyName::parse(value).err(),
        CompanyField::BusinessId => match country {
            Ok(c) => BusinessId::parse(value, c).err(),
            Err(_) => needs_country(),
        },
        CompanyField::VatNumber => match country {
            Ok(c) => VatNumber::parse(value, c).err(),
            Err(_) if value.trim().is_empty() => None,
            Err(_) => needs_country(),
        },
        CompanyField::Address => {
            AddressLine::parse(value, "Address", "Enter the street address.").err()
        }
        CompanyField::PostalCode => match country {
            Ok(c) => PostalCode::parse(value, c).err(),
            Err(_) => needs_country(),
        },
        CompanyField::City => AddressLine::parse(value, "City", "Enter the city.").err(),
        CompanyField::Country => country.err(),
        CompanyField::Email => Email::parse(value).err(),
        CompanyField::Phone => match country {
            Ok(c) => Phone::parse(value, c).err(),
            Err(_) => needs_country(),
        },
    }
}

impl CompanyForm {
    /// All fields valid, or every field that is not, with why.
    pub fn parse(&self) -> Result<CompanyInformation, Vec<FieldError>> {
        use CompanyField as F;
        fn one<T>(field: CompanyField, r: Result<T, String>) -> Result<T, Vec<FieldError>> {
            r.map_err(|m| vec![FieldError::new(field, m)])
        }
        let errors: Vec<FieldError> = CompanyField::ALL
            .into_iter()
            .filter_map(|field| check_field(self, field).map(|m| FieldError::new(field, m)))
            .collect();
        if !errors.is_empty() {
            return Err(errors);
        }
        let country =
            Country::parse(&self.country).map_err(|m| vec![FieldError::new(F::Country, m)])?;
        Ok(CompanyInformation {
            company_name: one(F::CompanyName, CompanyName::parse(&self.company_name))?,
            business_id: one(F::BusinessId, BusinessId::parse(&self.business_id, country))?,
            vat_number: one(F::VatNumber, VatNumber::parse(&self.vat_number, country))?,
            address: one(
                F::Address,
                AddressLine::parse(&self.address, "Address", "Enter the street address."),
            )?,
            postal_code: one(F::PostalCode, PostalCode::parse(&self.postal_code, country))?,
            city: one(
                F::City,
                AddressLine::parse(&self.city, "City", "Enter the city."),
            )?,
            country,
            email: one(F::Email, Email::parse(&self.email))?,
            phone: one(F::Phone, Phone::parse(&self.phone, country))?,
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

#[server(prefix = "/rpc")]
pub async fn fetch_company(org: String) -> Result<(Membership, StoredCompany), AppError> {
    let (state, account) = crate::organizations::gate::context()?;
    let by = crate::organizations::Principal::Person(account);
    operations::load(&state, &by, &org).await
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
