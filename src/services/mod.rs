//! Services: the billable things an organization runs (cloud servers).
//! Creating one needs billing to be ready; the server checks it in the
//! same transaction as the insert.

#[cfg(feature = "ssr")]
pub mod handlers;
#[cfg(feature = "ssr")]
pub mod operations;
pub mod pages;
#[cfg(feature = "ssr")]
mod store;

/// What other features may ask of services.
#[cfg(feature = "ssr")]
pub use store::running as running_for;

use crate::billing::Missing;
use crate::error::AppError;
use crate::money::Money;
use crate::organizations::Membership;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use std::fmt;

/// A service name: 1–63 lower-case letters, digits and hyphens, neither
/// starting nor ending with a hyphen, so that it can be a host name.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ServiceName(String);

impl ServiceName {
    pub const MAX_CHARS: usize = 63;

    pub fn parse(input: &str) -> Result<Self, String> {
        let name = input.trim();
        if name.is_empty() {
            return Err("Enter a name for the service.".into());
        }
        if name.chars().count() > Self::MAX_CHARS {
            return Err(format!(
                "The name must be at most {} characters.",
                Self::MAX_CHARS
            ));
        }
        if !name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        {
            return Err("Use only lower-case letters a–z, digits and hyphens.".into());
        }
        if name.starts_with('-') || name.ends_with('-') {
            return Err("The name cannot start or end with a hyphen.".into());
        }
        Ok(Self(name.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ServiceName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A plan of the price list: what the server has and what it costs a month.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Plan {
    pub id: &'static str,
    pub name: &'static str,
    pub resources: &'static str,
    pub monthly: Money,
}

pub const PLANS: [Plan; 4] = [
    Plan {
        id: "small",
        name: "Small",
        resources: "1 vCPU, 2 GB memory, 50 GB disk",
        monthly: Money::eur(900),
    },
    Plan {
        id: "medium",
        name: "Medium",
        resources: "2 vCPU, 4 GB memory, 100 GB disk",
        monthly: Money::eur(1800),
    },
    Plan {
        id: "large",
        name: "Large",
        resources: "4 vCPU, 8 GB memory, 200 GB disk",
        monthly: Money::eur(3600),
    },
    Plan {
        id: "xlarge",
        name: "Extra large",
        resources: "8 vCPU, 16 GB memory, 400 GB disk",
        monthly: Money::eur(7200),
    },
];

impl Plan {
    pub fn parse(id: &str) -> Result<Self, String> {
        PLANS
            .into_iter()
            .find(|p| p.id == id)
            .ok_or_else(|| "Choose a plan.".to_owned())
    }

    /// The name of the plan stored as `id` ("small" is "Small"), or `id`
    /// itself for a plan no longer on the price list.
    pub fn name_of(id: &str) -> String {
        Self::parse(id).map_or_else(|_| id.to_owned(), |plan| plan.name.to_owned())
    }

    /// "Small (1 vCPU, 2 GB memory, 50 GB disk)", as the list shows it.
    pub fn summary(&self) -> String {
        format!("{} ({})", self.name, self.resources)
    }

    /// "Small: 1 vCPU, 2 GB memory, 50 GB disk, 9.00 EUR a month"
    pub fn description(&self) -> String {
        format!(
            "{}: {}, {} a month",
            self.name, self.resources, self.monthly
        )
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DataCenter {
    pub id: &'static str,
    pub city: &'static str,
    pub country: &'static str,
}

pub const DATA_CENTERS: [DataCenter; 4] = [
    DataCenter {
        id: "sto1",
        city: "Stockholm",
        country: "Sweden",
    },
    DataCenter {
        id: "osl1",
        city: "Oslo",
        country: "Norway",
    },
    DataCenter {
        id: "hel1",
        city: "Helsinki",
        country: "Finland",
    },
    DataCenter {
        id: "fra1",
        city: "Frankfurt",
        country: "Germany",
    },
];

impl DataCenter {
    pub fn parse(id: &str) -> Result<Self, String> {
        DATA_CENTERS
            .into_iter()
            .find(|d| d.id == id)
            .ok_or_else(|| "Choose a data center.".to_owned())
    }

    /// "Stockholm, Sweden (sto1)"
    pub fn description(&self) -> String {
        format!("{}, {} ({})", self.city, self.country, self.id)
    }
}

/// The fields of "Create service".
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ServiceField {
    Name,
    Plan,
    DataCenter,
}

impl crate::validate::FormField for ServiceField {
    fn name(self) -> &'static str {
        match self {
            ServiceField::Name => "name",
            ServiceField::Plan => "plan",
            ServiceField::DataCenter => "data_center",
        }
    }
}

/// "Delete service" as posted: the service's public id.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeleteService {
    #[serde(default)]
    pub service: String,
}

/// The create form as posted.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceForm {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub plan: String,
    #[serde(default)]
    pub data_center: String,
}

/// A service to create, every field valid.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewService {
    pub name: ServiceName,
    pub plan: Plan,
    pub data_center: DataCenter,
}

impl ServiceForm {
    pub fn parse(&self) -> Result<NewService, Vec<crate::validate::FieldError>> {
        use crate::validate::FieldError;
        let name =
            ServiceName::parse(&self.name).map_err(|m| FieldError::new(ServiceField::Name, m));
        let plan = Plan::parse(&self.plan).map_err(|m| FieldError::new(ServiceField::Plan, m));
        let data_center = DataCenter::parse(&self.data_center)
            .map_err(|m| FieldError::new(ServiceField::DataCenter, m));
        match (name, plan, data_center) {
            (Ok(name), Ok(plan), Ok(data_center)) => Ok(NewService {
                name,
                plan,
                data_center,
            }),
            (name, plan, data_center) => Err([name.err(), plan.err(), data_center.err()]
                .into_iter()
                .flatten()
                .collect()),
        }
    }
}

/// A service as the list shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Service {
    pub public_id: String,
    pub name: String,
    /// The plan's id, as `Plan::id` ("small").
    pub plan_id: String,
    /// The plan's name and resources.
    pub plan: String,
    /// The data center's id, as `DataCenter::id`.
    pub data_center_id: String,
    pub data_center: String,
    pub monthly: Money,
    /// UTC, "2026-11-28 12:00 UTC".
    pub created_at: String,
    /// The same, in Unix seconds.
    pub created: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServicesView {
    pub access: Membership,
    pub services: Vec<Service>,
    /// What keeps billing from being ready; empty when services can be created.
    pub missing: Vec<Missing>,
}

#[server(prefix = "/rpc")]
pub async fn fetch_services(org: String) -> Result<ServicesView, AppError> {
    let (state, _, access) =
        crate::organizations::gate::access(&org, crate::organizations::Action::View).await?;
    let now = state.clock.now();
    let services = store::list(&state.db, access.id).await?;
    let missing = crate::billing::missing_for(&state.db, access.id, now).await?;
    Ok(ServicesView {
        access: access.membership(),
        services,
        missing,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_names_are_host_name_labels() {
        for good in ["web", "web-1", "a", "0", "db-primary-2", &"a".repeat(63)] {
            assert_eq!(
                ServiceName::parse(good).map(|n| n.to_string()),
                Ok(good.to_owned())
            );
        }
        assert_eq!(ServiceName::parse("  web  ").unwrap().as_str(), "web");
        for (bad, why) in [
            ("", "Enter"),
            ("   ", "Enter"),
            ("Web", "lower-case"),
            ("web_1", "lower-case"),
            ("web 1", "lower-case"),
            ("wéb", "lower-case"),
            ("web.example", "lower-case"),
            ("-web", "hyphen"),
            ("web-", "hyphen"),
            (&"a".repeat(64), "at most 63"),
        ] {
            let error = ServiceName::parse(bad).unwrap_err();
            assert!(error.contains(why), "{bad:?}: {error}");
        }
    }

    #[test]
    fn plans_and_data_centers_come_from_fixed_lists() {
        assert_eq!(Plan::parse("small").unwrap().monthly, Money::eur(900));
        assert_eq!(
            Plan::parse("medium").unwrap().description(),
            "Medium: 2 vCPU, 4 GB memory, 100 GB disk, 18.00 EUR a month"
        );
        assert!(Plan::parse("free").is_err());
        assert!(Plan::parse("").is_err());
        assert_eq!(
            DataCenter::parse("sto1").unwrap().description(),
            "Stockholm, Sweden (sto1)"
        );
        assert!(DataCenter::parse("mars1").is_err());
        // Ids are unique, so a stored id names one plan.
        for (i, plan) in PLANS.iter().enumerate() {
            assert!(PLANS[i + 1..].iter().all(|p| p.id != plan.id));
            assert!(plan.monthly.cents > 0);
        }
    }

    #[test]
    fn a_form_reports_every_bad_field_at_once() {
        let errors = ServiceForm::default().parse().unwrap_err();
        let fields: Vec<&str> = errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["name", "plan", "data_center"]);
        let good = ServiceForm {
            name: "web-1".into(),
            plan: "large".into(),
            data_center: "hel1".into(),
        };
        let service = good.parse().unwrap();
        assert_eq!(service.name.as_str(), "web-1");
        assert_eq!(service.plan.id, "large");
        assert_eq!(service.data_center.city, "Helsinki");
    }

    mod properties {
        use super::super::{ServiceForm, ServiceName};
        use proptest::prelude::*;

        proptest! {
            #[test]
            fn parsing_never_panics(
                name in crate::validate::any_text(80),
                plan in crate::validate::any_text(20),
                data_center in crate::validate::any_text(20),
            ) {
                let _ = ServiceName::parse(&name);
                let _ = ServiceForm { name, plan, data_center }.parse();
            }

            /// Names drawn mostly from the alphabet, so both answers are
            /// reached: accepted exactly when the host-name label rule says so.
            #[test]
            fn accepted_exactly_when_a_host_name_label(input in "[a-z0-9-]{0,70}|[a-zA-Z0-9_. -]{1,20}") {
                let label = (1..=63).contains(&input.len())
                    && input.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
                    && !input.starts_with('-')
                    && !input.ends_with('-');
                let parsed = ServiceName::parse(&input);
                if input.trim() == input {
                    prop_assert_eq!(parsed.is_ok(), label, "{:?}", input);
                }
                if let Ok(name) = parsed {
                    prop_assert_eq!(ServiceName::parse(name.as_str()), Ok(name));
                }
            }
        }
    }
}
