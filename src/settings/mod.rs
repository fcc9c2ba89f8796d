//! Settings: the page that puts an organization's company information
//! and its own name together, and deleting it. It sits above billing,
//! because an organization with money under way cannot be deleted yet.

#[cfg(feature = "ssr")]
pub mod handlers;
#[cfg(feature = "ssr")]
pub mod operations;
pub mod pages;

use crate::validate::FormField;
use serde::{Deserialize, Serialize};

/// The field of "Delete organization".
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeleteField {
    /// The organization's name, typed to confirm.
    Confirm,
}

impl FormField for DeleteField {
    fn name(self) -> &'static str {
        "confirm"
    }
}

/// "Require two-factor log-in" as posted: `required` is `yes` or `no`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TwoFactorRequiredForm {
    #[serde(default)]
    pub required: String,
}

/// "Delete organization" as posted.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeleteForm {
    #[serde(default)]
    pub confirm: String,
}
