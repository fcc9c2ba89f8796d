//! Validated values, compiled for both the browser and the server.
//!
//! Parse, don't validate: a value of one of these types is known good
//! everywhere. The browser checks a field with exactly this code, and the
//! server runs it again before anything is stored.

mod company;

pub use company::{luhn_ok, BusinessId, BusinessIdKind, Country, Phone, PostalCode, VatNumber};
use serde::{Deserialize, Serialize};
use std::fmt;

/// One field of one form, as an enum per form (`CompanyField::Phone`):
/// field errors are keyed by it, so a misspelt field does not compile.
pub trait FormField: Copy {
    /// The field's `name` in the HTML form (and in the API's arguments).
    fn name(self) -> &'static str;
}

/// Why a field was refused, in words for the person who typed it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FieldError {
    /// The field's name ([`FormField::name`]).
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl FormField, message: impl Into<String>) -> Self {
        Self {
            field: field.name().to_owned(),
            message: message.into(),
        }
    }

    pub fn is_for(&self, field: impl FormField) -> bool {
        self.field == field.name()
    }
}

/// Unicode format characters (General Category Cf, Unicode 16): direction
/// overrides and isolates, zero-width characters, the BOM, the soft hyphen,
/// invisible operators, tags. A name that holds one can hide or reorder what
/// people read. Kept as a short range table for the WASM; a unit test checks
/// it against the `unicode-properties` crate.
const FORMAT_CHARACTERS: &[(char, char)] = &[
    ('\u{00AD}', '\u{00AD}'),
    ('\u{0600}', '\u{0605}'),
    ('\u{061C}', '\u{061C}'),
    ('\u{06DD}', '\u{06DD}'),
    ('\u{070F}', '\u{070F}'),
    ('\u{0890}', '\u{0891}'),
    ('\u{08E2}', '\u{08E2}'),
    ('\u{180E}', '\u{180E}'),
    ('\u{200B}', '\u{200F}'),
    ('\u{202A}', '\u{202E}'),
    ('\u{2060}', '\u{2064}'),
    ('\u{2066}', '\u{206F}'),
    ('\u{FEFF}', '\u{FEFF}'),
    ('\u{FFF9}', '\u{FFFB}'),
    ('\u{110BD}', '\u{110BD}'),
    ('\u{110CD}', '\u{110CD}'),
    ('\u{13430}', '\u{1343F}'),
    ('\u{1BCA0}', '\u{1BCA3}'),
    ('\u{1D173}', '\u{1D17A}'),
    ('\u{E0001}', '\u{E0001}'),
    ('\u{E0020}', '\u{E007F}'),
];

/// Whether `c` is a Unicode format character (General Category Cf).
pub fn is_format_character(c: char) -> bool {
    FORMAT_CHARACTERS
        .iter()
        .any(|&(first, last)| (first..=last).contains(&c))
}

/// Whether `text` holds a character that changes or hides what people read
/// without being seen: a format character (Cf) or another default-ignorable
/// code point (UAX #44 `Default_Ignorable_Code_Point`), except where a
/// script or emoji needs it:
/// - zero-width non-joiner (U+200C) after a letter of a script that joins
///   (Arabic, Persian, Syriac, the Indic scripts, Myanmar, Khmer);
/// - zero-width joiner (U+200D) inside an emoji sequence or after an Indic letter;
/// - variation selectors after a symbol, emoji or digit (❤️, 1️⃣), ideographic
///   ones after a CJK ideograph, Mongolian ones after a Mongolian letter;
///
/// and the joiners never at the start or end, or beside white space.
fn hides_something(text: &str) -> bool {
    let chars: Vec<char> = text.chars().collect();
    chars.iter().enumerate().any(|(i, &c)| {
        let before = i.checked_sub(1).map(|j| chars[j]);
        let after = chars.get(i + 1).copied();
        let inside =
            before.is_some_and(|b| !b.is_whitespace()) && after.is_some_and(|a| !a.is_whitespace());
        let after_any = |allowed: fn(char) -> bool| before.is_some_and(allowed);
        match c {
            '\u{200C}' => !(inside && after_any(joins)),
            '\u{200D}' => !(inside && after_any(|b| emoji(b) || indic(b) || b == '\u{FE0F}')),
            '\u{FE00}'..='\u{FE0F}' => {
                !after_any(|b| emoji(b) || b.is_ascii_digit() || matches!(b, '#' | '*'))
            }
            '\u{E0100}'..='\u{E01EF}' => !after_any(cjk_ideograph),
            '\u{180B}'..='\u{180D}' | '\u{180F}' => {
                !after_any(|b| ('\u{1820}'..='\u{18AF}').contains(&b))
            }
            // Emoji tag sequences (the flags of England, Scotland, Wales).
            '\u{E0020}'..='\u{E007F}' => {
                !after_any(|b| b == '\u{1F3F4}' || ('\u{E0020}'..='\u{E007F}').contains(&b))
            }
            '\u{034F}'
            | '\u{115F}'
            | '\u{1160}'
            | '\u{17B4}'
            | '\u{17B5}'
            | '\u{3164}'
            | '\u{FFA0}'
            | '\u{FFF0}'..='\u{FFF8}'
            | '\u{E0000}'..='\u{E0FFF}' => true,
            c => is_format_character(c),
        }
    })
}

/// Scripts whose letters a zero-width non-joiner keeps apart on purpose.
fn joins(c: char) -> bool {
    matches!(c, '\u{0600}'..='\u{08FF}' | '\u{FB50}'..='\u{FDFF}' | '\u{FE70}'..='\u{FEFF}')
        || indic(c)
        || matches!(c, '\u{1000}'..='\u{109F}' | '\u{1780}'..='\u{17FF}')
}

fn indic(c: char) -> bool {
    ('\u{0900}'..='\u{0DFF}').contains(&c)
}

/// Emoji and the symbols that take an emoji presentation, with skin tones.
fn emoji(c: char) -> bool {
    matches!(c, '\u{2000}'..='\u{2BFF}' | '\u{3030}' | '\u{303D}' | '\u{3297}' | '\u{3299}'
        | '\u{1F000}'..='\u{1FAFF}' | '\u{00A9}' | '\u{00AE}')
}

fn cjk_ideograph(c: char) -> bool {
    matches!(c, '\u{3400}'..='\u{4DBF}' | '\u{4E00}'..='\u{9FFF}' | '\u{F900}'..='\u{FAFF}' | '\u{20000}'..='\u{3FFFF}')
}

/// Letters that draw nothing (Hangul fillers, the braille blank) and marks
/// that only modify a neighbour: a name made of these alone looks empty.
fn draws_nothing(c: char) -> bool {
    matches!(
        c,
        '\u{115F}' | '\u{1160}' | '\u{3164}' | '\u{FFA0}' | '\u{2800}'
    ) || is_combining_mark(c)
}

// The Unicode tables of NFC and of combining marks would double the WASM, so
// the server (which stores the name) uses them, and the browser checks with
// the common mark blocks and leaves normalization to the server.
#[cfg(feature = "ssr")]
fn is_combining_mark(c: char) -> bool {
    unicode_normalization::char::is_combining_mark(c)
}

#[cfg(not(feature = "ssr"))]
fn is_combining_mark(c: char) -> bool {
    matches!(c,
        '\u{0300}'..='\u{036F}' | '\u{1AB0}'..='\u{1AFF}' | '\u{1DC0}'..='\u{1DFF}'
        | '\u{20D0}'..='\u{20FF}' | '\u{FE00}'..='\u{FE0F}' | '\u{FE20}'..='\u{FE2F}'
        | '\u{E0100}'..='\u{E01EF}')
}

#[cfg(feature = "ssr")]
fn nfc(input: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    input.nfc().collect()
}

#[cfg(not(feature = "ssr"))]
fn nfc(input: &str) -> String {
    input.to_owned()
}

/// NFKC (full-width digits, Unicode spaces as plain ones) on the server;
/// the browser, without the tables, checks the text as typed.
#[cfg(feature = "ssr")]
fn nfkc(input: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    input.nfkc().collect()
}

#[cfg(not(feature = "ssr"))]
fn nfkc(input: &str) -> String {
    input.to_owned()
}

/// Whether `value` holds what could be a card number (PAN): after NFKC, a
/// run of 13 to 19 digits that passes the Luhn check, anything but letters
/// between them (`4242 4242 4242 4242`, `4242.4242…`, no-break spaces).
/// Cards are entered only on the payment provider's page, so no field of
/// ours takes one.
///
/// Source: ISO/IEC 7812-1 (PAN length, Luhn check digit).
pub fn looks_like_pan(value: &str) -> bool {
    let mut digits: Vec<u8> = Vec::new();
    let mut runs = Vec::new();
    for c in nfkc(value).chars() {
        if c.is_ascii_digit() {
            digits.push(c as u8);
        } else if c.is_alphanumeric() {
            runs.push(std::mem::take(&mut digits));
        }
    }
    runs.push(digits);
    runs.iter()
        .any(|run| (13..=19).contains(&run.len()) && luhn_ok(run))
}

/// A name as people type it (DESIGN.md, "Names, numbers and addresses people
/// really type"): control and format characters refused; then NFC, runs of
/// white space (no-break space included) collapsed to one space, trimmed;
/// empty or invisible-only refused as empty; at most `max` characters.
///
/// Source: Unicode Standard Annex #15 (NFC), UAX #44 (General Categories).
pub fn normalize_name(
    input: &str,
    max: usize,
    what: &str,
    when_empty: &str,
) -> Result<String, String> {
    // Tabs and line breaks are white space, collapsed below; other controls are refused.
    if input.chars().any(|c| c.is_control() && !c.is_whitespace()) {
        return Err(format!("{what} cannot contain control characters."));
    }
    if input.contains('\u{FFFD}') {
        return Err(format!(
            "{what} contains a character that could not be read (\u{FFFD}): type it again."
        ));
    }
    if hides_something(input) {
        return Err(format!(
            "{what} cannot contain invisible formatting characters (such as zero-width spaces or direction marks)."
        ));
    }
    let mut name = String::with_capacity(input.len());
    for word in nfc(input).split_whitespace() {
        if !name.is_empty() {
            name.push(' ');
        }
        name.push_str(word);
    }
    if name.chars().all(|c| c == ' ' || draws_nothing(c)) {
        return Err(when_empty.to_owned());
    }
    if name.chars().count() > max {
        return Err(format!("{what} must be at most {max} characters."));
    }
    if looks_like_pan(&name) {
        return Err(format!(
            "{what} looks like a card number. Cards are entered only on the payment provider's page."
        ));
    }
    Ok(name)
}

/// A person's name as shown to collaborators: 1–100 characters after trimming.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonName(String);

impl PersonName {
    pub const MAX_CHARS: usize = 100;

    pub fn parse(input: &str) -> Result<Self, String> {
        normalize_name(input, Self::MAX_CHARS, "Name", "Enter your name.").map(Self)
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
        normalize_name(
            input,
            Self::MAX_CHARS,
            "Organization name",
            "Enter the organization's name.",
        )
        .map(Self)
    }

    /// Whether `typed` names the organization called `stored`, both taken as
    /// names are stored (NFC, white space collapsed): what a page shows can be
    /// typed back. A stored name from before normalization is compared trimmed.
    pub fn same(stored: &str, typed: &str) -> bool {
        match (Self::parse(stored), Self::parse(typed)) {
            (Ok(stored), Ok(typed)) => stored == typed,
            _ => stored.trim() == typed.trim(),
        }
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
        normalize_name(input, 100, "Company name", "Enter the company name.").map(Self)
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
        normalize_name(input, 200, what, when_empty).map(Self)
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An email address: the WHATWG rule for `<input type="email">`, with an
/// international domain accepted in Unicode (`info@bücher.example`) or in
/// punycode (`info@xn--bcher-kva.example`, what browsers send) and stored in
/// one form: the local part as typed, the domain lower-case in Unicode.
///
/// Source: WHATWG HTML "valid e-mail address"; UTS #46 (IDNA) for domains.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Email(String);

impl Email {
    pub const MAX_LEN: usize = 254;

    pub fn parse(input: &str) -> Result<Self, String> {
        let email = input.trim();
        if email.is_empty() {
            return Err("Enter your email address.".into());
        }
        let bad = || "Enter an email address like name@example.com.".to_owned();
        let (local, domain) = email.split_once('@').ok_or_else(bad)?;
        // RFC 5321/5322's dot-atom: at most 64 characters, no dot at
        // either end nor two in a row; mail servers refuse anything else.
        let local_ok = !local.is_empty()
            && local.len() <= 64
            && !local.starts_with('.')
            && !local.ends_with('.')
            && !local.contains("..")
            && local
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b".!#$%&'*+/=?^_`{|}~-".contains(&b));
        // IDNA would silently drop hidden characters: refuse them, as the browser does.
        let hidden = domain
            .chars()
            .any(|c| c.is_control() || is_format_character(c));
        if !local_ok || hidden || email.len() > Self::MAX_LEN {
            return Err(bad());
        }
        let domain = canonical_domain(domain).ok_or_else(bad)?;
        Ok(Self(format!("{local}@{domain}")))
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

/// Each label 1–63 letters, digits and inner hyphens.
fn labels_ok(domain: &str, letter: impl Fn(char) -> bool) -> bool {
    domain.split('.').all(|label| {
        !label.is_empty()
            && label.chars().count() <= 63
            && label.chars().all(|c| letter(c) || c == '-')
            && !label.starts_with('-')
            && !label.ends_with('-')
    })
}

/// The server maps the domain by UTS #46 (which also checks it) and keeps
/// its Unicode form, so both spellings of one address are one address.
#[cfg(feature = "ssr")]
fn canonical_domain(domain: &str) -> Option<String> {
    let ascii = idna::domain_to_ascii(domain).ok()?;
    if ascii.len() > 253 || !labels_ok(&ascii, |c| c.is_ascii_alphanumeric()) {
        return None;
    }
    let (unicode, result) = idna::domain_to_unicode(&ascii);
    result.ok().map(|()| unicode)
}

/// The browser, without IDNA (or letter) tables, checks the shape: ASCII
/// letters and digits, or any other script's characters; the server decides.
#[cfg(not(feature = "ssr"))]
fn canonical_domain(domain: &str) -> Option<String> {
    let letter = |c: char| c.is_ascii_alphanumeric() || (!c.is_ascii() && !c.is_whitespace());
    labels_ok(domain, letter).then(|| domain.to_ascii_lowercase())
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

/// Text of any Unicode characters, mixed with the ones parsers trip on
/// (multi-byte, separators, format characters), for property tests.
#[cfg(test)]
pub(crate) fn any_text(max: usize) -> impl proptest::strategy::Strategy<Value = String> {
    use proptest::prelude::*;
    let c = prop_oneof![
        any::<char>(),
        proptest::char::range(' ', '~'),
        proptest::sample::select(vec![
            'é', '&', '"', '😀', '\u{200B}', '\u{202E}', '\u{A0}', '\u{301}', '0', '1', '/', '-',
            '@',
        ]),
    ];
    proptest::collection::vec(c, 0..=max).prop_map(String::from_iter)
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
            "anna@exa_mple.com",
            "anna@example.com\u{200B}",
            // What mail servers refuse (RFC 5321 and 5322's dot-atom).
            ".lead@example.com",
            "trail.@example.com",
            "a..b@example.com",
        ] {
            assert!(Email::parse(bad).is_err(), "{bad:?} should be refused");
        }
        assert!(Email::parse(&format!("{}@example.com", "a".repeat(64))).is_ok());
        assert!(Email::parse(&format!("{}@example.com", "a".repeat(65))).is_err());
    }

    #[test]
    fn email_key_ignores_case() {
        let a = Email::parse("Anna@Example.COM").unwrap();
        let b = Email::parse("anna@example.com").unwrap();
        assert_eq!(a.key(), b.key());
        assert_eq!(
            a.as_str(),
            "Anna@example.com",
            "the domain is stored lower-case"
        );
    }

    #[test]
    fn an_international_domain_is_one_address_in_unicode_or_punycode() {
        let unicode = Email::parse("info@bücher.example").unwrap();
        let punycode = Email::parse("info@xn--bcher-kva.example").unwrap();
        let upper = Email::parse("Info@BÜCHER.example").unwrap();
        assert_eq!(unicode, punycode);
        assert_eq!(unicode.as_str(), "info@bücher.example");
        assert_eq!(upper.key(), unicode.key());
        assert!(Email::parse("info@xn--zz.example").is_err(), "bad punycode");
        assert!(Email::parse("info@bü cher.example").is_err());
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
        assert_eq!(
            OrganizationName::parse("Example\n\tAB").unwrap().as_str(),
            "Example AB"
        );
        assert!(OrganizationName::parse("Example\u{0007}AB").is_err());
    }

    #[test]
    fn names_refuse_format_characters_and_invisible_values() {
        let invisible = "Organization name cannot contain invisible formatting characters (such as zero-width spaces or direction marks).";
        for hidden in [
            "\u{200B}",
            "Example\u{200B}AB",
            "Acme \u{202E}BA gnitsoH",
            "Acme\u{2066}AB\u{2069}",
            "\u{FEFF}Acme",
            "Ac\u{00AD}me",
            "Acme\u{E0041}",
        ] {
            assert_eq!(
                OrganizationName::parse(hidden).unwrap_err(),
                invisible,
                "{hidden:?}"
            );
        }
        for blank in [" \u{2800} ", "\u{0301}", "\u{00A0}\u{3000}"] {
            assert_eq!(
                OrganizationName::parse(blank).unwrap_err(),
                "Enter the organization's name.",
                "{blank:?}"
            );
        }
        for refused in [
            CompanyName::parse("\u{200B}\u{200B}").map(|_| ()),
            AddressLine::parse("\u{200C}", "Address", "Enter the address.").map(|_| ()),
            PersonName::parse("An\u{200D}na").map(|_| ()),
        ] {
            assert!(refused
                .unwrap_err()
                .contains("invisible formatting characters"));
        }
        // Other invisible characters: variation selectors after letters, the
        // combining grapheme joiner, Hangul fillers, Khmer inherent vowels.
        for hidden in [
            "Acme\u{FE0F}",
            "Ac\u{034F}me",
            "Acme\u{E0100}",
            "Acme\u{115F}",
            "\u{3164}",
            " \u{115F}\u{1160} ",
            "Ac\u{17B4}me",
            "Acme\u{200D}Corp",
            "Acme\u{200C}Corp",
            "\u{200C}شرکت",
            "شرکت\u{200C}",
        ] {
            assert_eq!(
                OrganizationName::parse(hidden).unwrap_err(),
                invisible,
                "{hidden:?}"
            );
        }
        // …but the joiners and selectors that scripts and emoji need are kept.
        for name in [
            "شرکت می\u{200C}خواهم",
            "🚀 Rocket 👨\u{200D}👩\u{200D}👧",
            "👩\u{200D}💻 Dev AB",
            "❤\u{FE0F} Love AB",
            "1\u{FE0F}\u{20E3} First",
            "क्\u{200D}ष Ltd",
            "葛\u{E0100}飾区",
            "🏴\u{E0067}\u{E0062}\u{E0065}\u{E006E}\u{E0067}\u{E007F} England",
        ] {
            assert_eq!(
                OrganizationName::parse(name).unwrap().as_str(),
                name,
                "{name:?}"
            );
        }
        // A form field whose bytes were not UTF-8 arrives with U+FFFD.
        assert!(OrganizationName::parse("Acme\u{FFFD}")
            .unwrap_err()
            .contains("could not be read"));
        // Right-to-left scripts are welcome.
        assert_eq!(
            OrganizationName::parse("شركة الأمل").unwrap().as_str(),
            "شركة الأمل"
        );
        assert_eq!(
            OrganizationName::parse("עברית בע״מ").unwrap().as_str(),
            "עברית בע״מ"
        );
    }

    #[test]
    fn names_are_stored_in_one_form_and_compared_in_it() {
        assert_eq!(
            OrganizationName::parse("Acme  AB").unwrap().as_str(),
            "Acme AB"
        );
        assert_eq!(
            OrganizationName::parse("Acme\u{00A0}\u{00A0}AB ")
                .unwrap()
                .as_str(),
            "Acme AB"
        );
        // "Å" typed as A + combining ring is stored composed (NFC).
        assert_eq!(
            OrganizationName::parse("A\u{030A}re").unwrap().as_str(),
            "\u{00C5}re"
        );
        assert!(OrganizationName::same("Acme  AB", "Acme AB"));
        assert!(OrganizationName::same("Acme AB", " Acme\u{00A0}AB"));
        assert!(OrganizationName::same("\u{00C5}re", "A\u{030A}re"));
        assert!(!OrganizationName::same("Acme AB", "Acme"));
        assert!(!OrganizationName::same("Acme AB", "acme ab"));
    }

    /// The hand-kept table of format characters is the Unicode one.
    #[test]
    fn format_characters_are_general_category_cf() {
        use unicode_properties::{GeneralCategory, UnicodeGeneralCategory};
        for c in (0..=0x0010_FFFF).filter_map(char::from_u32) {
            assert_eq!(
                is_format_character(c),
                c.general_category() == GeneralCategory::Format,
                "U+{:04X}",
                c as u32
            );
        }
    }

    mod properties {
        use super::super::*;
        use proptest::prelude::*;

        proptest! {
            #[test]
            fn parsing_never_panics(input in any_text(80)) {
                let _ = Email::parse(&input);
                let _ = PersonName::parse(&input);
                let _ = OrganizationName::parse(&input);
                let _ = CompanyName::parse(&input);
                let _ = Password::parse(&input);
                let _ = local_path(&input);
            }

            /// Every address of this shape is valid (labels never start or
            /// end with a hyphen), so each case reaches the round trip.
            #[test]
            fn emails_round_trip(
                local in "[a-zA-Z0-9+_-]{1,10}(\\.[a-zA-Z0-9+_-]{1,9})?",
                labels in proptest::collection::vec("[a-zA-Zåäöü0-9]([a-zA-Zåäöü0-9-]{0,8}[a-zA-Zåäöü0-9])?", 1..4),
            ) {
                let input = format!("{local}@{}", labels.join("."));
                let email = Email::parse(&input);
                prop_assert!(email.is_ok(), "{} was refused", input);
                let email = email.unwrap();
                prop_assert_eq!(email.key(), input.to_lowercase());
                prop_assert_eq!(Email::parse(email.as_str()), Ok(email));
            }

            #[test]
            fn names_round_trip(input in "\\PC{1,60}") {
                // Without control or format characters, anything with a letter is a name.
                if input.chars().any(|c| c.is_alphanumeric() && !draws_nothing(c))
                    && !hides_something(&input)
                    && !input.contains('\u{FFFD}')
                {
                    prop_assert!(OrganizationName::parse(&input).is_ok(), "{:?} refused", input);
                }
                if let Ok(name) = OrganizationName::parse(&input) {
                    prop_assert!(!name.as_str().contains("  "));
                    prop_assert_eq!(name.as_str().trim(), name.as_str());
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
