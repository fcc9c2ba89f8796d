//! Validated values, compiled for both the browser and the server.
//!
//! Parse, don't validate: a value of one of these types is known good
//! everywhere. The browser checks a field with exactly this code, and the
//! server runs it again before anything is stored.

mod company;

pub use company::{luhn_ok, BusinessId, BusinessIdKind, Country, Phone, PostalCode, VatNumber};
use serde::{Deserialize, Serialize};
use std::fmt;

/// Why a field was refused, in words for the person who typed it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: &str, message: impl Into<String>) -> Self {
        Self {
            field: field.to_owned(),
            message: message.into(),
        }
    }
}

/// Characters that no name should hide: control characters, including
/// tabs, newlines and the invisible Unicode formatting controls.
fn has_control(s: &str) -> bool {
    s.chars().any(char::is_control)
}

/// A name as people type it: trimmed, 1–`max` characters, nothing hidden.
fn printable_name(input: &str, max: usize, what: &str, when_empty: &str) -> Result<String, String> {
    let name = input.trim();
    if name.is_empty() {
        return Err(when_empty.to_owned());
    }
    if name.chars().count() > max {
        return Err(format!("{what} must be at most {max} characters."));
    }
    if has_control(name) {
        return Err(format!("{what} cannot contain control characters."));
    }
    Ok(name.to_owned())
}

/// A person's name as shown to collaborators: 1–100 characters after trimming.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonName(String);

impl PersonName {
    pub const MAX_CHARS: usize = 100;

    pub fn parse(input: &str) -> Result<Self, String> {
        printable_name(input, Self::MAX_CHARS, "Name", "Enter your name.").map(Self)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An organization's name: 1–100 characters after trimming, no control characters.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrganizationName(String);

impl OrganizationName {
    pub const MAX_CHARS: usize = 100;

    pub fn parse(input: &str) -> Result<Self, String> {
        printable_name(
            input,
            Self::MAX_CHARS,
            "Organization name",
            "Enter the organization's name.",
        )
        .map(Self)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A company's registered name: 1–100 characters after trimming.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CompanyName(String);

impl CompanyName {
    pub fn parse(input: &str) -> Result<Self, String> {
        printable_name(input, 100, "Company name", "Enter the company name.").map(Self)
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A street address line or a city: 1–200 characters after trimming.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AddressLine(String);

impl AddressLine {
    pub fn parse(input: &str, what: &str, when_empty: &str) -> Result<Self, String> {
        printable_name(input, 200, what, when_empty).map(Self)
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An email address by the WHATWG rule for `<input type="email">`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Email(String);

impl Email {
    pub const MAX_LEN: usize = 254;

    pub fn parse(input: &str) -> Result<Self, String> {
        let email = input.trim();
        if email.is_empty() {
            return Err("Enter your email address.".into());
        }
        if email.len() > Self::MAX_LEN || !is_whatwg_email(email) {
            return Err("Enter an email address like name@example.com.".into());
        }
        Ok(Self(email.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The form in which two addresses are compared: unique case-insensitively.
    pub fn key(&self) -> String {
        self.0.to_lowercase()
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// `local@label(.label)*` where local is from the WHATWG set and each label
/// is 1–63 letters, digits and inner hyphens (no regex engine in the WASM).
fn is_whatwg_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    let local_ok = !local.is_empty()
        && local
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b".!#$%&'*+/=?^_`{|}~-".contains(&b));
    let label_ok = |label: &str| {
        let bytes = label.as_bytes();
        !bytes.is_empty()
            && bytes.len() <= 63
            && bytes
                .iter()
                .all(|b| b.is_ascii_alphanumeric() || *b == b'-')
            && bytes[0] != b'-'
            && bytes[bytes.len() - 1] != b'-'
    };
    local_ok && domain.split('.').all(label_ok)
}

/// A password as chosen at sign-up. Never logged, never shown back.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(String);

impl Password {
    pub const MIN_CHARS: usize = 8;
    /// Long passphrases are welcome; the bound only keeps hashing cheap.
    pub const MAX_CHARS: usize = 1024;

    pub fn parse(input: &str) -> Result<Self, String> {
        let chars = input.chars().count();
        if chars == 0 {
            return Err("Enter a password.".into());
        }
        if chars < Self::MIN_CHARS {
            return Err(format!(
                "Password must be at least {} characters.",
                Self::MIN_CHARS
            ));
        }
        if chars > Self::MAX_CHARS {
            return Err(format!(
                "Password must be at most {} characters.",
                Self::MAX_CHARS
            ));
        }
        Ok(Self(input.to_owned()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(..)")
    }
}

/// A path inside the panel to return to after logging in. Anything that
/// could leave the site (`//host`, `\\host`, a scheme) is refused.
pub fn local_path(input: &str) -> Option<&str> {
    let ok = input.starts_with('/')
        && !input.starts_with("//")
        && !input.contains('\\')
        && !input.chars().any(char::is_control)
        && input.len() <= 2048;
    ok.then_some(input)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_by_the_whatwg_rule() {
        for good in [
            "anna@example.com",
            "anna.berg+billing@mail.example.se",
            "x@localhost",
            "  ANNA@Example.COM ",
            "o'brien@example.ie",
        ] {
            assert!(Email::parse(good).is_ok(), "{good} should be accepted");
        }
        for bad in [
            "",
            "anna",
            "anna@",
            "@example.com",
            "anna@@example.com",
            "anna@-example.com",
            "anna@example-.com",
            "anna@exa mple.com",
            "anna@example..com",
            "åsa@example.com",
            "anna@example.com.",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad:?} should be refused");
        }
    }

    #[test]
    fn email_key_ignores_case() {
        let a = Email::parse("Anna@Example.COM").unwrap();
        let b = Email::parse("anna@example.com").unwrap();
        assert_eq!(a.key(), b.key());
        assert_eq!(a.as_str(), "Anna@Example.COM");
    }

    #[test]
    fn passwords_need_eight_characters_and_allow_long_ones() {
        assert_eq!(
            Password::parse("1234567").unwrap_err(),
            "Password must be at least 8 characters."
        );
        assert!(Password::parse("12345678").is_ok());
        assert!(Password::parse(&"p".repeat(64)).is_ok());
        assert!(Password::parse(&"p".repeat(1024)).is_ok());
        assert!(Password::parse(&"p".repeat(1025)).is_err());
        // Counted in characters, not bytes.
        assert!(Password::parse("ååååååå").is_err());
        assert_eq!(
            format!("{:?}", Password::parse("secret-pass").unwrap()),
            "Password(..)"
        );
    }

    #[test]
    fn names_are_trimmed_and_bounded() {
        assert_eq!(
            PersonName::parse("  Anna Berg ").unwrap().as_str(),
            "Anna Berg"
        );
        assert!(PersonName::parse("   ").is_err());
        assert!(PersonName::parse(&"a".repeat(101)).is_err());
        assert!(PersonName::parse("Anna\u{0007}").is_err());
    }

    #[test]
    fn organization_names_are_trimmed_bounded_and_printable() {
        assert_eq!(
            OrganizationName::parse("  Example AB ").unwrap().as_str(),
            "Example AB"
        );
        assert_eq!(
            OrganizationName::parse("Åre Fjällstugor").unwrap().as_str(),
            "Åre Fjällstugor"
        );
        assert!(OrganizationName::parse(&"ö".repeat(100)).is_ok());
        assert!(OrganizationName::parse(&"ö".repeat(101)).is_err());
        assert_eq!(
            OrganizationName::parse(" \t ").unwrap_err(),
            "Enter the organization's name."
        );
        assert!(OrganizationName::parse("Example\nAB").is_err());
        assert!(
            OrganizationName::parse("Example\u{200B}AB").is_ok(),
            "format characters are not controls"
        );
        assert!(OrganizationName::parse("Example\u{0085}AB").is_err());
    }

    mod properties {
        use super::super::*;
        use proptest::prelude::*;

        proptest! {
            #[test]
            fn parsing_never_panics(input in "\\PC{0,80}") {
                let _ = Email::parse(&input);
                let _ = PersonName::parse(&input);
                let _ = OrganizationName::parse(&input);
                let _ = CompanyName::parse(&input);
                let _ = Password::parse(&input);
                let _ = local_path(&input);
            }

            #[test]
            fn emails_round_trip(input in "[a-zA-Z0-9.+_-]{1,20}@[a-z0-9-]{1,10}(\\.[a-z]{2,6}){0,2}") {
                if let Ok(email) = Email::parse(&input) {
                    prop_assert_eq!(Email::parse(email.as_str()), Ok(email));
                }
            }

            #[test]
            fn names_round_trip(input in "\\PC{0,120}") {
                if let Ok(name) = OrganizationName::parse(&input) {
                    prop_assert_eq!(OrganizationName::parse(name.as_str()), Ok(name));
                }
                if let Ok(name) = PersonName::parse(&input) {
                    prop_assert_eq!(PersonName::parse(name.as_str()), Ok(name));
                }
            }
        }
    }

    #[test]
    fn only_local_paths_are_followed_after_log_in() {
        assert_eq!(local_path("/organizations/abc"), Some("/organizations/abc"));
        assert_eq!(local_path("//evil.example"), None);
        assert_eq!(local_path("https://evil.example"), None);
        assert_eq!(local_path("/\\evil.example"), None);
        assert_eq!(local_path(""), None);
    }
}
