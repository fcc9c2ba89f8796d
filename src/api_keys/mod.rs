//! API keys (DESIGN.md, "The JSON API"): an organization's credentials for
//! the JSON API. Made on the "API keys" page by an Owner or Admin, each
//! acts with a role chosen when it is made, never above its maker's. A key
//! is 256 random bits behind the prefix [`KEY_PREFIX`], shown once and
//! stored only as its SHA-256; a revoked key fails at once.

#[cfg(feature = "ssr")]
pub mod handlers;
#[cfg(feature = "ssr")]
pub mod operations;
pub mod pages;
#[cfg(feature = "ssr")]
mod store;

#[cfg(feature = "ssr")]
pub use store::{authenticate, count_call, revoke_made_by_in, API_CALLS};

use crate::error::AppError;
use crate::organizations::{Membership, Role};
use crate::validate::FormField;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// What every key starts with, so that a key found in a log, a repository
/// or a chat is recognized as an Orgpanel API key (as secret scanners do).
pub const KEY_PREFIX: &str = "opk_";

/// The fields of "Create API key".
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ApiKeyField {
    Description,
    Role,
}

impl FormField for ApiKeyField {
    fn name(self) -> &'static str {
        match self {
            ApiKeyField::Description => "description",
            ApiKeyField::Role => "role",
        }
    }
}

/// "Create API key" as posted.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiKeyForm {
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub role: String,
    /// The form's own random id: the same form sent twice makes one key.
    #[serde(default)]
    pub request: String,
}

/// "Revoke" as posted: the key's public id.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RevokeForm {
    #[serde(default)]
    pub key: String,
}

/// What a key is for, in its maker's words, as names are kept
/// ([`crate::validate::normalize_name`]: NFC, white space collapsed, no
/// control or invisible formatting characters): 1 to 100 characters, so the
/// list and the activity log can name it.
pub fn parse_description(input: &str) -> Result<String, String> {
    crate::validate::normalize_name(
        input,
        100,
        "The description",
        "Describe what the key is for, such as \"Deploy script\".",
    )
}

/// A key as the list shows it (never the key itself).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiKeyRow {
    pub public_id: String,
    pub description: String,
    pub role: Role,
    /// The first characters of the key, as `opk_AbCd…`.
    pub key_start: String,
    /// The maker's name; `None` once that account is deleted.
    pub made_by: Option<String>,
    /// UTC, "2026-11-28 12:00 UTC".
    pub created: String,
    /// UTC; `None` until first used.
    pub last_used: Option<String>,
}

/// A key just made: the only time the key itself is shown.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreatedKey {
    pub description: String,
    pub role: Role,
    /// The HTTP Basic username: the organization's customer number.
    pub customer_number: String,
    /// The HTTP Basic password.
    pub key: String,
    /// A ready command that reads the organization's settings with it.
    pub curl: String,
}

/// The "API keys" page: the keys that work, and who may make which.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiKeysView {
    pub access: Membership,
    pub keys: Vec<ApiKeyRow>,
    /// A fresh id for the "Create API key" form ([`ApiKeyForm::request`]).
    pub request: String,
    /// Where the API answers, for the `curl` example.
    pub api_url: String,
}

#[server(prefix = "/rpc")]
pub async fn fetch_api_keys(org: String) -> Result<ApiKeysView, AppError> {
    use crate::organizations::{gate, Action};
    let (state, _, access) = gate::access(&org, Action::ManageApiKeys).await?;
    let keys = store::list(&state.db, access.id).await?;
    Ok(ApiKeysView {
        access: access.membership(),
        keys,
        request: crate::ids::new_public_id(),
        api_url: api_url(&state),
    })
}

/// The API's address under the panel's public address.
#[cfg(feature = "ssr")]
pub fn api_url(state: &crate::server::AppState) -> String {
    format!("{}/api", state.config.base_url())
}

#[cfg(test)]
mod tests {
    use super::parse_description;

    #[test]
    fn a_description_is_a_name_of_at_most_100_characters() {
        assert_eq!(
            parse_description("  Deploy\n script "),
            Ok("Deploy script".into())
        );
        assert!(parse_description("   ").is_err());
        assert!(parse_description("\u{200B}\u{200B}").is_err(), "invisible");
        assert!(
            parse_description("\u{202E}evil.exe").is_err(),
            "direction override"
        );
        assert!(parse_description(&"é".repeat(100)).is_ok());
        // Decomposed é is one character once normalized.
        assert!(parse_description(&"e\u{301}".repeat(100)).is_ok());
        assert!(parse_description(&"é".repeat(101)).is_err());
    }
}
