//! Company information: country, postal code, business identification
//! number, VAT number and phone. Small hand-written rules (no regex engine,
//! no large tables) so the browser runs exactly what the server runs.

use serde::{Deserialize, Serialize};
use std::fmt;

/// How a country writes its postal codes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum PostalRule {
    /// `n` digits, shown with `sep` after the first `at` digits (if any).
    Digits {
        n: usize,
        split: Option<(usize, char)>,
    },
    /// Netherlands: four digits and two letters, "1234 AB".
    Dutch,
    /// United Kingdom: outward code, space, inward code ("SW1A 1AA").
    British,
    /// United States: five digits, or ZIP+4 "12345-6789".
    Zip,
    /// 2–10 letters, digits, spaces and hyphens.
    Other,
}

/// A trunk prefix "0" before national numbers: dropped after the country
/// code (most of Europe), kept (Italy), or not used (Nordic 8-digit plans).
/// In the North American Numbering Plan the trunk prefix is "1" and the
/// national number has 10 digits (ITU-T E.164 country code 1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Trunk {
    Drop,
    Keep,
    None,
    Nanp,
}

struct CountryInfo {
    code: &'static str,
    name: &'static str,
    calling: &'static str,
    /// The prefix of EU VAT numbers; `None` outside the EU VAT area.
    vat: Option<&'static str>,
    postal: PostalRule,
    trunk: Trunk,
}

const fn d(n: usize) -> PostalRule {
    PostalRule::Digits { n, split: None }
}
const fn ds(n: usize, at: usize, sep: char) -> PostalRule {
    PostalRule::Digits {
        n,
        split: Some((at, sep)),
    }
}

macro_rules! countries {
    ($(($code:literal, $name:literal, $calling:literal, $vat:expr, $postal:expr, $trunk:ident)),* $(,)?) => {
        &[$(CountryInfo { code: $code, name: $name, calling: $calling, vat: $vat, postal: $postal, trunk: Trunk::$trunk }),*]
    };
}

/// The countries the panel bills in, sorted by name.
static COUNTRIES: &[CountryInfo] = countries![
    ("AT", "Austria", "43", Some("AT"), d(4), Drop),
    ("BE", "Belgium", "32", Some("BE"), d(4), Drop),
    ("BG", "Bulgaria", "359", Some("BG"), d(4), Drop),
    ("HR", "Croatia", "385", Some("HR"), d(5), Drop),
    ("CY", "Cyprus", "357", Some("CY"), d(4), None),
    ("CZ", "Czechia", "420", Some("CZ"), ds(5, 3, ' '), None),
    ("DK", "Denmark", "45", Some("DK"), d(4), None),
    ("EE", "Estonia", "372", Some("EE"), d(5), None),
    ("FI", "Finland", "358", Some("FI"), d(5), Drop),
    ("FR", "France", "33", Some("FR"), d(5), Drop),
    ("DE", "Germany", "49", Some("DE"), d(5), Drop),
    ("GR", "Greece", "30", Some("EL"), ds(5, 3, ' '), None),
    ("HU", "Hungary", "36", Some("HU"), d(4), Drop),
    ("IS", "Iceland", "354", Option::None, d(3), None),
    ("IE", "Ireland", "353", Some("IE"), PostalRule::Other, Drop),
    ("IT", "Italy", "39", Some("IT"), d(5), Keep),
    ("LV", "Latvia", "371", Some("LV"), d(4), None),
    ("LI", "Liechtenstein", "423", Option::None, d(4), None),
    ("LT", "Lithuania", "370", Some("LT"), d(5), Drop),
    ("LU", "Luxembourg", "352", Some("LU"), d(4), None),
    ("MT", "Malta", "356", Some("MT"), PostalRule::Other, None),
    (
        "NL",
        "Netherlands",
        "31",
        Some("NL"),
        PostalRule::Dutch,
        Drop
    ),
    ("NO", "Norway", "47", Option::None, d(4), None),
    ("PL", "Poland", "48", Some("PL"), ds(5, 2, '-'), None),
    ("PT", "Portugal", "351", Some("PT"), ds(7, 4, '-'), None),
    ("RO", "Romania", "40", Some("RO"), d(6), Drop),
    ("SK", "Slovakia", "421", Some("SK"), ds(5, 3, ' '), Drop),
    ("SI", "Slovenia", "386", Some("SI"), d(4), Drop),
    ("ES", "Spain", "34", Some("ES"), d(5), None),
    ("SE", "Sweden", "46", Some("SE"), ds(5, 3, ' '), Drop),
    ("CH", "Switzerland", "41", Option::None, d(4), Drop),
    (
        "GB",
        "United Kingdom",
        "44",
        Option::None,
        PostalRule::British,
        Drop
    ),
    (
        "US",
        "United States",
        "1",
        Option::None,
        PostalRule::Zip,
        Nanp
    ),
];

/// A country by ISO 3166-1 alpha-2 code, one of those the panel bills in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Country(&'static str);

impl Serialize for Country {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.0)
    }
}

impl<'de> Deserialize<'de> for Country {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let code = String::deserialize(deserializer)?;
        Self::parse(&code).map_err(serde::de::Error::custom)
    }
}

impl Country {
    pub fn parse(input: &str) -> Result<Self, String> {
        let code = input.trim().to_ascii_uppercase();
        if code.is_empty() {
            return Err("Choose a country.".into());
        }
        COUNTRIES
            .iter()
            .find(|c| c.code == code)
            .map(|c| Self(c.code))
            .ok_or_else(|| "Choose a country from the list.".into())
    }

    /// Every country, sorted by name, as (code, name) for a list to choose from.
    pub fn all() -> impl Iterator<Item = (&'static str, &'static str)> {
        COUNTRIES.iter().map(|c| (c.code, c.name))
    }

    pub fn code(self) -> &'static str {
        self.0
    }

    pub fn name(self) -> &'static str {
        self.info().name
    }

    fn info(self) -> &'static CountryInfo {
        COUNTRIES
            .iter()
            .find(|c| c.code == self.0)
            .expect("a Country is always in the table")
    }
}

/// Characters people put between digits, to be ignored.
fn is_separator(c: char) -> bool {
    matches!(c, ' ' | '-' | '.' | '/' | '(' | ')' | '\u{a0}')
}

/// A postal code in its country's form, stored without separators.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PostalCode {
    country: Country,
    /// Upper case, no separators ("11437", "1234AB", "SW1A1AA").
    normalized: String,
}

impl PostalCode {
    pub fn parse(input: &str, country: Country) -> Result<Self, String> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err("Enter the postal code.".into());
        }
        // "SE-114 37", "LV-1010", and the old "S-114 37", "D-10115": the
        // country's ISO code or its international vehicle code may come first.
        let upper = trimmed.to_ascii_uppercase();
        let iso = upper
            .strip_prefix(country.code())
            .map(|rest| rest.trim_start_matches(['-', ' ', '\u{a0}']));
        // The old prefixes always stood apart: "M-1234" is not "M1234".
        let vehicle = upper
            .strip_prefix(vehicle_code(country))
            .and_then(|rest| rest.strip_prefix(['-', ' ', '\u{a0}']))
            .map(|rest| rest.trim_start_matches(['-', ' ', '\u{a0}']));
        let without_prefix = [iso, vehicle]
            .into_iter()
            .flatten()
            .find(|rest| rest.starts_with(|c: char| c.is_ascii_digit()))
            .unwrap_or(&upper);
        let compact: String = without_prefix
            .chars()
            .filter(|c| !is_separator(*c))
            .collect();
        let ok = match country.info().postal {
            PostalRule::Digits { n, .. } => {
                compact.len() == n && compact.bytes().all(|b| b.is_ascii_digit())
            }
            PostalRule::Dutch => {
                let b = compact.as_bytes();
                b.len() == 6
                    && b[0] != b'0'
                    && b[..4].iter().all(u8::is_ascii_digit)
                    && b[4..].iter().all(u8::is_ascii_uppercase)
                    && !matches!(&compact[4..], "SA" | "SD" | "SS")
            }
            PostalRule::British => is_british_postcode(&compact),
            PostalRule::Zip => {
                (compact.len() == 5 || compact.len() == 9)
                    && compact.bytes().all(|b| b.is_ascii_digit())
            }
            PostalRule::Other => {
                (2..=10).contains(&compact.len())
                    && compact.chars().all(|c| c.is_ascii_alphanumeric())
            }
        };
        if !ok {
            return Err(format!(
                "Enter a postal code like {}.",
                postal_example(country)
            ));
        }
        Ok(Self {
            country,
            normalized: compact,
        })
    }

    pub fn normalized(&self) -> &str {
        &self.normalized
    }
}

/// The international vehicle registration code (UN Convention on Road
/// Traffic, 1949), once written before postal codes: "S-114 37", "CH-8001".
fn vehicle_code(country: Country) -> &'static str {
    match country.code() {
        "AT" => "A",
        "BE" => "B",
        "DE" => "D",
        "DK" => "DK",
        "EE" => "EST",
        "ES" => "E",
        "FI" => "FIN",
        "FR" => "F",
        "HU" => "H",
        "IE" => "IRL",
        "IT" => "I",
        "LI" => "FL",
        "LU" => "L",
        "MT" => "M",
        "NO" => "N",
        "PT" => "P",
        "SE" => "S",
        "SI" => "SLO",
        "US" => "USA",
        other => other,
    }
}

fn postal_example(country: Country) -> &'static str {
    match country.code() {
        "SE" => "114 37",
        "NL" => "1012 AB",
        "GB" => "SW1A 1AA",
        "US" => "94105",
        "PL" => "00-950",
        "PT" => "1100-148",
        "CZ" | "SK" | "GR" => "110 00",
        _ => match country.info().postal {
            PostalRule::Digits { n: 4, .. } => "1010",
            PostalRule::Digits { n: 3, .. } => "101",
            PostalRule::Digits { n: 6, .. } => "010011",
            PostalRule::Digits { .. } => "10115",
            _ => "D02 X285",
        },
    }
}

/// Outward code (A9, A99, AA9, AA99, A9A, AA9A) then inward code (9AA).
fn is_british_postcode(compact: &str) -> bool {
    let b = compact.as_bytes();
    if !(5..=7).contains(&b.len()) {
        return false;
    }
    let (outward, inward) = b.split_at(b.len() - 3);
    let inward_ok = inward[0].is_ascii_digit() && inward[1..].iter().all(u8::is_ascii_uppercase);
    let shape: String = outward
        .iter()
        .map(|c| {
            if c.is_ascii_digit() {
                '9'
            } else if c.is_ascii_uppercase() {
                'A'
            } else {
                '?'
            }
        })
        .collect();
    inward_ok
        && matches!(
            shape.as_str(),
            "A9" | "A99" | "AA9" | "AA99" | "A9A" | "AA9A"
        )
}

impl fmt::Display for PostalCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = &self.normalized;
        match self.country.info().postal {
            PostalRule::Digits {
                split: Some((at, sep)),
                ..
            } => write!(f, "{}{sep}{}", &s[..at], &s[at..]),
            PostalRule::Dutch => write!(f, "{} {}", &s[..4], &s[4..]),
            PostalRule::British => write!(f, "{} {}", &s[..s.len() - 3], &s[s.len() - 3..]),
            PostalRule::Zip if s.len() == 9 => write!(f, "{}-{}", &s[..5], &s[5..]),
            _ => f.write_str(s),
        }
    }
}

/// Luhn over a string of ASCII digits.
/// The Luhn check over ASCII digits (organisationsnummer, card numbers).
pub fn luhn_ok(digits: &[u8]) -> bool {
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, d)| {
            let d = u32::from(d - b'0');
            if i % 2 == 1 {
                let doubled = d * 2;
                if doubled > 9 {
                    doubled - 9
                } else {
                    doubled
                }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

/// Weighted mod-11 check: the weighted sum of `digits` with the check digit is ≡ 0.
fn mod11_check_digit(digits: &[u8], weights: &[u32]) -> Option<u8> {
    let sum: u32 = digits
        .iter()
        .zip(weights)
        .map(|(d, w)| u32::from(d - b'0') * w)
        .sum();
    match 11 - sum % 11 {
        11 => Some(0),
        10 => None,
        check => u8::try_from(check).ok(),
    }
}

/// What kind of number a business identification number is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum BusinessIdKind {
    /// Swedish organisationsnummer.
    SwedishOrganisation,
    /// Swedish personnummer (or samordningsnummer) of a sole trader.
    SwedishPersonal,
    NorwegianOrganisation,
    DanishCvr,
    FinnishBusinessId,
    /// Swiss UID (Unternehmens-Identifikationsnummer): CHE and 9 digits.
    SwissUid,
    Other,
}

/// A business identification number in its country's form, stored
/// normalized (digits, or upper-case letters and digits) and shown formatted.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BusinessId {
    kind: BusinessIdKind,
    normalized: String,
}

impl BusinessId {
    pub fn parse(input: &str, country: Country) -> Result<Self, String> {
        let compact: String = input
            .trim()
            .chars()
            .filter(|c| !is_separator(*c))
            .collect::<String>()
            .to_ascii_uppercase();
        if compact.is_empty() {
            return Err("Enter the business identification number.".into());
        }
        let digits = compact.as_bytes();
        let all_digits = digits.iter().all(u8::is_ascii_digit);
        // All zeros passes every check digit, but no register issues it.
        if compact.bytes().all(|b| b == b'0') {
            return Err("This number cannot exist: check for a typing mistake.".into());
        }
        let id = |kind| {
            Ok(Self {
                kind,
                normalized: compact.clone(),
            })
        };
        match country.code() {
            "SE" => parse_swedish(&compact),
            "NO" => {
                let ok = all_digits
                    && digits.len() == 9
                    && mod11_check_digit(&digits[..8], &[3, 2, 7, 6, 5, 4, 3, 2])
                        == Some(digits[8] - b'0');
                if ok {
                    id(BusinessIdKind::NorwegianOrganisation)
                } else {
                    Err("Enter the 9-digit organisasjonsnummer, like 923 609 016.".into())
                }
            }
            "DK" => {
                let ok = all_digits && digits.len() == 8 && {
                    let sum: u32 = digits
                        .iter()
                        .zip([2, 7, 6, 5, 4, 3, 2, 1])
                        .map(|(d, w)| u32::from(d - b'0') * w)
                        .sum();
                    sum.is_multiple_of(11)
                };
                if ok {
                    id(BusinessIdKind::DanishCvr)
                } else {
                    Err("Enter the 8-digit CVR number, like 24 25 67 90.".into())
                }
            }
            "FI" => {
                let ok = all_digits && digits.len() == 8 && {
                    let sum: u32 = digits[..7]
                        .iter()
                        .zip([7, 9, 10, 5, 8, 4, 2])
                        .map(|(d, w)| u32::from(d - b'0') * w)
                        .sum();
                    match sum % 11 {
                        0 => digits[7] == b'0',
                        1 => false,
                        r => u32::from(digits[7] - b'0') == 11 - r,
                    }
                };
                if ok {
                    id(BusinessIdKind::FinnishBusinessId)
                } else {
                    Err("Enter the Business ID (Y-tunnus), like 0112038-9.".into())
                }
            }
            "CH" if compact
                .strip_prefix("CHE")
                .is_some_and(|r| r.len() == 9 && r.bytes().all(|b| b.is_ascii_digit())) =>
            {
                id(BusinessIdKind::SwissUid)
            }
            _ => {
                let ok = (2..=30).contains(&compact.len())
                    && compact.chars().all(|c| c.is_ascii_alphanumeric());
                if ok {
                    id(BusinessIdKind::Other)
                } else {
                    Err("Enter 2 to 30 letters and digits.".into())
                }
            }
        }
    }

    pub fn kind(&self) -> BusinessIdKind {
        self.kind
    }

    pub fn normalized(&self) -> &str {
        &self.normalized
    }
}

/// Organisationsnummer (third digit 2 or more) or personnummer (a real
/// date, the day plus 60 for a samordningsnummer), both with a Luhn digit.
fn parse_swedish(compact: &str) -> Result<BusinessId, String> {
    let b = compact.as_bytes();
    if !b.iter().all(u8::is_ascii_digit) || !(b.len() == 10 || b.len() == 12) {
        return Err("Enter the organisationsnummer as 10 digits, like 556036-0793.".into());
    }
    // 12 digits: "16" before an organisationsnummer, or the century of a personnummer.
    let ten = &compact[compact.len() - 10..];
    let t = ten.as_bytes();
    if !luhn_ok(t) {
        return Err("This number's check digit is wrong: check for a typing mistake.".into());
    }
    if t[2] >= b'2' {
        if b.len() == 12 && &compact[..2] != "16" {
            return Err("Enter the organisationsnummer as 10 digits, like 556036-0793.".into());
        }
        return Ok(BusinessId {
            kind: BusinessIdKind::SwedishOrganisation,
            normalized: ten.to_owned(),
        });
    }
    let num = |s: &str| s.parse::<u32>().unwrap_or(0);
    let (month, mut day) = (num(&ten[2..4]), num(&ten[4..6]));
    if day > 60 {
        day -= 60;
    }
    let year = if b.len() == 12 {
        num(&compact[..4])
    } else {
        2000 + num(&ten[..2])
    };
    if b.len() == 12 && !(1900..=2099).contains(&year) {
        return Err("Enter a personnummer like 811218-9876.".into());
    }
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days_in_month = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        // Two-digit years cannot tell 1900 from 2000: allow the 29th.
        2 if leap || b.len() == 10 => 29,
        2 => 28,
        _ => 0,
    };
    if day == 0 || day > days_in_month {
        return Err("A personnummer starts with a date of birth: check the date.".into());
    }
    Ok(BusinessId {
        kind: BusinessIdKind::SwedishPersonal,
        normalized: ten.to_owned(),
    })
}

impl fmt::Display for BusinessId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = &self.normalized;
        match self.kind {
            BusinessIdKind::SwedishOrganisation | BusinessIdKind::SwedishPersonal => {
                write!(f, "{}-{}", &s[..6], &s[6..])
            }
            BusinessIdKind::NorwegianOrganisation => {
                write!(f, "{} {} {}", &s[..3], &s[3..6], &s[6..])
            }
            BusinessIdKind::DanishCvr => {
                write!(f, "{} {} {} {}", &s[..2], &s[2..4], &s[4..6], &s[6..])
            }
            BusinessIdKind::FinnishBusinessId => write!(f, "{}-{}", &s[..7], &s[7..]),
            BusinessIdKind::SwissUid => write!(f, "CHE-{}.{}.{}", &s[3..6], &s[6..9], &s[9..]),
            BusinessIdKind::Other => f.write_str(s),
        }
    }
}

/// A VAT identification number in the form of the company's country: the
/// EU forms (VIES; Greece `EL`), and the national forms of the United Kingdom
/// (`GB`/`XI`), Switzerland (`CHE` with `MWST`/`TVA`/`IVA`) and Norway (`MVA`).
/// Stored upper-case without separators.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VatNumber(String);

impl VatNumber {
    /// `Ok(None)` when left empty: the VAT number is optional.
    pub fn parse(input: &str, country: Country) -> Result<Option<Self>, String> {
        let compact: String = input
            .trim()
            .chars()
            .filter(|c| !is_separator(*c))
            .collect::<String>()
            .to_ascii_uppercase();
        if compact.is_empty() {
            return Ok(None);
        }
        let digits = |r: &str, n: usize| r.len() == n && r.bytes().all(|b| b.is_ascii_digit());
        // National forms outside the EU VAT area (DESIGN.md).
        let national = match country.code() {
            // United Kingdom: GB + 9 or 12 digits, government departments GBGD
            // + 3, health authorities GBHA + 3; Northern Ireland the same with XI.
            "GB" => Some((
                ["GB", "XI"].iter().any(|p| {
                    compact.strip_prefix(p).is_some_and(|r| {
                        digits(r, 9)
                            || digits(r, 12)
                            || r.strip_prefix("GD").is_some_and(|r| digits(r, 3))
                            || r.strip_prefix("HA").is_some_and(|r| digits(r, 3))
                    })
                }),
                "GB123456789",
            )),
            // Switzerland: the UID (CHE + 9 digits) with MWST, TVA or IVA.
            "CH" => Some((
                compact.strip_prefix("CHE").is_some_and(|r| {
                    ["MWST", "TVA", "IVA", ""]
                        .iter()
                        .any(|suffix| r.strip_suffix(suffix).is_some_and(|r| digits(r, 9)))
                }),
                "CHE-123.456.789 MWST",
            )),
            // Norway: NO + the organisasjonsnummer + MVA.
            "NO" => Some((
                compact
                    .strip_prefix("NO")
                    .and_then(|r| r.strip_suffix("MVA").or(Some(r)))
                    .is_some_and(|r| digits(r, 9)),
                "NO 923 609 016 MVA",
            )),
            _ => None,
        };
        if let Some((ok, example)) = national {
            return if ok {
                // Norway's form ends in MVA: stored with it, however typed.
                let compact = if country.code() == "NO" && !compact.ends_with("MVA") {
                    format!("{compact}MVA")
                } else {
                    compact
                };
                Ok(Some(Self(compact)))
            } else {
                Err(format!("Enter a VAT number like {example}."))
            };
        }
        let Some(prefix) = country.info().vat else {
            return Err(format!(
                "{} has no VAT number we can check: leave this empty.",
                country.name()
            ));
        };
        let example = vat_example(prefix);
        let Some(rest) = compact.strip_prefix(prefix) else {
            return Err(format!(
                "A VAT number in {} starts with {prefix}, like {example}.",
                country.name()
            ));
        };
        let r = rest.as_bytes();
        let ok = match prefix {
            // The organisationsnummer (or personnummer) and "01".
            "SE" => digits(rest, 12) && rest.ends_with("01") && luhn_ok(&r[..10]),
            "DE" => digits(rest, 9),
            "FI" | "DK" => digits(rest, 8),
            "NL" => {
                r.len() == 12
                    && r[..9].iter().all(u8::is_ascii_digit)
                    && r[9] == b'B'
                    && r[10..].iter().all(u8::is_ascii_digit)
            }
            "FR" => {
                r.len() == 11
                    && r[..2].iter().all(u8::is_ascii_alphanumeric)
                    && r[2..].iter().all(u8::is_ascii_digit)
            }
            "AT" => r.len() == 9 && r[0] == b'U' && r[1..].iter().all(u8::is_ascii_digit),
            _ => (2..=13).contains(&r.len()) && r.iter().all(u8::is_ascii_alphanumeric),
        };
        if !ok {
            return Err(format!("Enter a VAT number like {example}."));
        }
        Ok(Some(Self(compact)))
    }

    /// The VAT number that goes with a business id, where it follows from it (Sweden).
    pub fn suggest(business_id: &BusinessId) -> Option<Self> {
        matches!(
            business_id.kind,
            BusinessIdKind::SwedishOrganisation | BusinessIdKind::SwedishPersonal
        )
        .then(|| Self(format!("SE{}01", business_id.normalized)))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn vat_example(prefix: &str) -> &'static str {
    match prefix {
        "SE" => "SE556036079301",
        "DE" => "DE136695976",
        "FI" => "FI01120389",
        "DK" => "DK24256790",
        "NL" => "NL004495445B01",
        "FR" => "FR40303265045",
        "AT" => "ATU12345678",
        _ => "the one on your VAT registration",
    }
}

/// As the registers write them: "CHE-123.456.789 MWST", "NO 923 609 016 MVA";
/// the EU and British forms as stored ("SE556036079301").
impl fmt::Display for VatNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = &self.0;
        let digits = |r: &str| r.len() >= 9 && r.as_bytes()[..9].iter().all(u8::is_ascii_digit);
        match (s.strip_prefix("CHE"), s.strip_prefix("NO")) {
            (Some(r), _) if digits(r) => {
                let suffix = if r.len() > 9 { " " } else { "" };
                write!(
                    f,
                    "CHE-{}.{}.{}{suffix}{}",
                    &r[..3],
                    &r[3..6],
                    &r[6..9],
                    &r[9..]
                )
            }
            (_, Some(r)) if digits(r) => {
                let suffix = if r.len() > 9 { " " } else { "" };
                write!(
                    f,
                    "NO {} {} {}{suffix}{}",
                    &r[..3],
                    &r[3..6],
                    &r[6..9],
                    &r[9..]
                )
            }
            _ => f.write_str(s),
        }
    }
}

/// A phone number in E.164 ("+46701234567"), from what people type.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Phone(String);

impl Phone {
    /// `country` says what a national number ("070-123 45 67") means.
    pub fn parse(input: &str, country: Country) -> Result<Self, String> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err("Enter a phone number.".into());
        }
        let bad = || format!("Enter a phone number like {}.", phone_example(country));
        let compact: String = trimmed.chars().filter(|c| !is_separator(*c)).collect();
        let (international, digits) = if let Some(rest) = compact.strip_prefix('+') {
            (true, rest.to_owned())
        } else if let Some(rest) = compact.strip_prefix("00") {
            (true, rest.to_owned())
        } else {
            (false, compact.clone())
        };
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        let e164 = if international {
            digits
        } else {
            let info = country.info();
            let national = match info.trunk {
                Trunk::Drop => digits.strip_prefix('0').ok_or_else(bad)?.to_owned(),
                Trunk::Nanp if digits.len() == 11 => {
                    digits.strip_prefix('1').ok_or_else(bad)?.to_owned()
                }
                Trunk::Keep | Trunk::None | Trunk::Nanp => digits,
            };
            format!("{}{national}", info.calling)
        };
        // "+46 (0)70…": a trunk zero written after the country code.
        let e164 = match COUNTRIES.iter().find(|c| {
            c.trunk == Trunk::Drop
                && e164.starts_with(c.calling)
                && e164[c.calling.len()..].starts_with('0')
        }) {
            Some(c) => format!("{}{}", c.calling, &e164[c.calling.len() + 1..]),
            None => e164,
        };
        if e164.starts_with('0') || !(8..=15).contains(&e164.len()) {
            return Err(bad());
        }
        // Sweden: the national significant number has 7 to 9 digits.
        if let Some(national) = e164.strip_prefix("46") {
            if !(7..=9).contains(&national.len()) {
                return Err(bad());
            }
        }
        // North America: 10 digits after the 1, area code not starting with 0 or 1.
        if let Some(national) = e164.strip_prefix('1') {
            if national.len() != 10 || national.starts_with(['0', '1']) {
                return Err(bad());
            }
        }
        Ok(Self(format!("+{e164}")))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn phone_example(country: Country) -> &'static str {
    match country.code() {
        "SE" => "070-123 45 67",
        "NO" => "412 34 567",
        "DK" => "32 12 34 56",
        "FI" => "040 123 4567",
        "DE" => "030 1234567",
        "GB" => "020 7946 0000",
        "US" => "+1 415 555 0100",
        _ => "+46 70 123 45 67",
    }
}

impl fmt::Display for Phone {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn se() -> Country {
        Country::parse("SE").unwrap()
    }

    #[test]
    fn countries_come_from_the_list() {
        assert_eq!(Country::parse(" se ").unwrap().name(), "Sweden");
        assert_eq!(Country::parse("").unwrap_err(), "Choose a country.");
        assert!(Country::parse("XX").is_err());
        assert!(Country::parse("Sweden").is_err());
        let names: Vec<_> = Country::all().map(|(_, name)| name).collect();
        let mut sorted = names.clone();
        sorted.sort_unstable();
        assert_eq!(names, sorted, "the list is sorted by name");
    }

    #[test]
    fn swedish_organisationsnummer() {
        // Real published numbers: Volvo Car AB, IKEA AB, Spotify AB.
        for good in [
            "556036-0793",
            "5560360793",
            "556074-7569",
            "556703-7485",
            "16556036-0793",
        ] {
            let id = BusinessId::parse(good, se()).unwrap_or_else(|e| panic!("{good}: {e}"));
            assert_eq!(id.kind(), BusinessIdKind::SwedishOrganisation);
        }
        assert_eq!(
            BusinessId::parse("5560360793", se()).unwrap().to_string(),
            "556036-0793"
        );
        assert_eq!(
            BusinessId::parse("556036-0794", se()).unwrap_err(),
            "This number's check digit is wrong: check for a typing mistake."
        );
        for bad in [
            "556036-079",
            "55603607930",
            "ABCDEF-0793",
            "17556036-0793",
            "",
        ] {
            assert!(BusinessId::parse(bad, se()).is_err(), "{bad}");
        }
    }

    #[test]
    fn swedish_personnummer_of_a_sole_trader() {
        // The Swedish Tax Agency's test numbers.
        for good in ["811218-9876", "19811218-9876", "8112189876", "811278-9873"] {
            let id = BusinessId::parse(good, se()).unwrap_or_else(|e| panic!("{good}: {e}"));
            assert_eq!(id.kind(), BusinessIdKind::SwedishPersonal, "{good}");
        }
        assert_eq!(
            BusinessId::parse("19811218-9876", se())
                .unwrap()
                .to_string(),
            "811218-9876"
        );
        // 31 November does not exist (check digit made valid).
        assert!(BusinessId::parse("811131-9870", se())
            .unwrap_err()
            .contains("date"));
        assert!(BusinessId::parse("811218-9877", se()).is_err());
    }

    #[test]
    fn nordic_business_ids() {
        let no = Country::parse("NO").unwrap();
        assert_eq!(
            BusinessId::parse("923 609 016", no).unwrap().to_string(),
            "923 609 016"
        );
        assert!(BusinessId::parse("923609017", no).is_err());
        let dk = Country::parse("DK").unwrap();
        assert_eq!(
            BusinessId::parse("24256790", dk).unwrap().to_string(),
            "24 25 67 90"
        );
        assert!(BusinessId::parse("24256791", dk).is_err());
        let fi = Country::parse("FI").unwrap();
        assert_eq!(
            BusinessId::parse("0112038-9", fi).unwrap().to_string(),
            "0112038-9"
        );
        assert!(BusinessId::parse("0112038-8", fi).is_err());
        let de = Country::parse("DE").unwrap();
        assert_eq!(
            BusinessId::parse("HRB 12345", de).unwrap().normalized(),
            "HRB12345"
        );
        assert!(BusinessId::parse("X", de).is_err());
        assert!(BusinessId::parse("HRB_12345", de).is_err());
    }

    #[test]
    fn vat_numbers() {
        assert_eq!(VatNumber::parse("", se()), Ok(None));
        assert_eq!(
            VatNumber::parse("se 556036079301", se())
                .unwrap()
                .unwrap()
                .as_str(),
            "SE556036079301"
        );
        assert!(
            VatNumber::parse("SE556036079401", se()).is_err(),
            "check digit"
        );
        assert!(
            VatNumber::parse("SE556036079302", se()).is_err(),
            "must end in 01"
        );
        assert!(VatNumber::parse("DE136695976", se())
            .unwrap_err()
            .contains("starts with SE"));
        let id = BusinessId::parse("556036-0793", se()).unwrap();
        assert_eq!(VatNumber::suggest(&id).unwrap().as_str(), "SE556036079301");
        let de = Country::parse("DE").unwrap();
        assert!(VatNumber::parse("DE136695976", de).unwrap().is_some());
        assert!(VatNumber::parse("DE13669597", de).is_err());
        let nl = Country::parse("NL").unwrap();
        assert!(VatNumber::parse("NL004495445B01", nl).unwrap().is_some());
        let vat = |input: &str, country: &str| {
            VatNumber::parse(input, Country::parse(country).unwrap()).map(|v| v.unwrap().0)
        };
        assert_eq!(vat("EL 094259216", "GR").unwrap(), "EL094259216");
        // National forms outside the EU.
        assert_eq!(vat("GB123456789", "GB").unwrap(), "GB123456789");
        assert_eq!(vat("GB 123 4567 89 012", "GB").unwrap(), "GB123456789012");
        assert_eq!(vat("GBGD001", "GB").unwrap(), "GBGD001");
        assert_eq!(vat("gbha599", "GB").unwrap(), "GBHA599");
        assert_eq!(vat("XI 123 4567 89", "GB").unwrap(), "XI123456789");
        assert!(vat("GB12345678", "GB").is_err());
        assert_eq!(
            vat("CHE-123.456.789 MWST", "CH").unwrap(),
            "CHE123456789MWST"
        );
        assert_eq!(vat("CHE-123.456.789 TVA", "CH").unwrap(), "CHE123456789TVA");
        assert_eq!(vat("CHE-123.456.789 IVA", "CH").unwrap(), "CHE123456789IVA");
        assert!(vat("CHE-123.456.78 MWST", "CH").is_err());
        assert!(vat("CHE-123.456.789 VAT", "CH").is_err());
        assert_eq!(vat("NO 923 609 016 MVA", "NO").unwrap(), "NO923609016MVA");
        let shown = |input: &str, country: &str| {
            VatNumber::parse(input, Country::parse(country).unwrap())
                .unwrap()
                .unwrap()
                .to_string()
        };
        assert_eq!(shown("che123456789mwst", "CH"), "CHE-123.456.789 MWST");
        assert_eq!(shown("CHE-123.456.789", "CH"), "CHE-123.456.789");
        assert_eq!(shown("NO923609016MVA", "NO"), "NO 923 609 016 MVA");
        assert_eq!(shown("SE 5560360793 01", "SE"), "SE556036079301");
        assert_eq!(vat("NO923609016", "NO").unwrap(), "NO923609016MVA");
        assert!(vat("NO 923 609 01 MVA", "NO").is_err());
        assert!(vat("US123456789", "US")
            .unwrap_err()
            .contains("leave this empty"));
    }

    #[test]
    fn swiss_uids_are_shown_as_the_register_writes_them() {
        let ch = Country::parse("CH").unwrap();
        let uid = BusinessId::parse("che116281710", ch).unwrap();
        assert_eq!(uid.kind(), BusinessIdKind::SwissUid);
        assert_eq!(uid.to_string(), "CHE-116.281.710");
        assert_eq!(BusinessId::parse(&uid.to_string(), ch), Ok(uid));
        assert_eq!(
            BusinessId::parse("CH-020.3.020.656-9", ch).unwrap().kind(),
            BusinessIdKind::Other
        );
    }

    #[test]
    fn numbers_of_all_zeros_cannot_exist() {
        for (typed, country) in [
            ("000 000 000", "NO"),
            ("000000-0000", "SE"),
            ("00 00 00 00", "DK"),
            ("0000000-0", "FI"),
            ("0000", "DE"),
        ] {
            assert_eq!(
                BusinessId::parse(typed, Country::parse(country).unwrap()).unwrap_err(),
                "This number cannot exist: check for a typing mistake.",
                "{typed} in {country}"
            );
        }
    }

    #[test]
    fn phones_become_e164() {
        for (typed, e164) in [
            ("070-123 45 67", "+46701234567"),
            ("+46 70 123 45 67", "+46701234567"),
            ("0046701234567", "+46701234567"),
            ("+46 (0)70 123 45 67", "+46701234567"),
            ("08-123 456", "+468123456"),
        ] {
            assert_eq!(Phone::parse(typed, se()).unwrap().as_str(), e164, "{typed}");
        }
        assert_eq!(
            Phone::parse("412 34 567", Country::parse("NO").unwrap())
                .unwrap()
                .as_str(),
            "+4741234567"
        );
        assert_eq!(
            Phone::parse("06 1234 5678", Country::parse("IT").unwrap())
                .unwrap()
                .as_str(),
            "+390612345678"
        );
        let us = Country::parse("US").unwrap();
        for typed in [
            "1 (415) 555-0100",
            "(415) 555-0100",
            "+1 415 555 0100",
            "001 415 555 0100",
            "415.555.0100",
        ] {
            assert_eq!(
                Phone::parse(typed, us).unwrap().as_str(),
                "+14155550100",
                "{typed}"
            );
        }
        for bad in ["555-0100", "1 (015) 555-0100", "+1 415 555 01000"] {
            assert!(Phone::parse(bad, us).is_err(), "{bad:?}");
        }
        for bad in [
            "",
            "070",
            "070-123 45 67 89 00",
            "phone",
            "+0701234567",
            "70-123 45 67",
        ] {
            assert!(Phone::parse(bad, se()).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn postal_codes_by_country() {
        let code = PostalCode::parse("11437", se()).unwrap();
        assert_eq!(code.to_string(), "114 37");
        assert_eq!(
            PostalCode::parse("SE-114 37", se()).unwrap().normalized(),
            "11437"
        );
        for old in ["S-114 37", "S 114 37", "s-11437", "SE 114 37", "SE11437"] {
            assert_eq!(
                PostalCode::parse(old, se()).unwrap().normalized(),
                "11437",
                "{old}"
            );
        }
        for (typed, country, normalized) in [
            ("D-10115", "DE", "10115"),
            ("A-1010", "AT", "1010"),
            ("CH-8001", "CH", "8001"),
            ("F-75001", "FR", "75001"),
            ("FIN-00100", "FI", "00100"),
            ("N-0150", "NO", "0150"),
            ("DK-1050", "DK", "1050"),
        ] {
            let country = Country::parse(country).unwrap();
            assert_eq!(
                PostalCode::parse(typed, country).unwrap().normalized(),
                normalized
            );
        }
        assert!(
            PostalCode::parse("D-114 37", se()).is_err(),
            "another country's prefix"
        );
        assert!(PostalCode::parse("1143", se()).is_err());
        assert!(PostalCode::parse("114 37 1", se()).is_err());
        let nl = Country::parse("NL").unwrap();
        assert_eq!(
            PostalCode::parse("1012ab", nl).unwrap().to_string(),
            "1012 AB"
        );
        assert!(PostalCode::parse("1012 SS", nl).is_err());
        let gb = Country::parse("GB").unwrap();
        assert_eq!(
            PostalCode::parse("sw1a1aa", gb).unwrap().to_string(),
            "SW1A 1AA"
        );
        assert_eq!(
            PostalCode::parse("M1 1AE", gb).unwrap().to_string(),
            "M1 1AE"
        );
        assert!(PostalCode::parse("SW1A 1A", gb).is_err());
        let us = Country::parse("US").unwrap();
        assert_eq!(
            PostalCode::parse("94105-1234", us).unwrap().to_string(),
            "94105-1234"
        );
        let pl = Country::parse("PL").unwrap();
        assert_eq!(
            PostalCode::parse("00950", pl).unwrap().to_string(),
            "00-950"
        );
    }

    mod properties {
        use super::super::*;
        use crate::validate::any_text;
        use proptest::prelude::*;

        fn country() -> impl Strategy<Value = Country> {
            prop::sample::select(Country::all().map(|(code, _)| code).collect::<Vec<_>>())
                .prop_map(|code| Country::parse(code).unwrap())
        }

        proptest! {
            #[test]
            fn parsing_never_panics(input in any_text(40), country in country()) {
                let _ = BusinessId::parse(&input, country);
                let _ = VatNumber::parse(&input, country);
                let _ = Phone::parse(&input, country);
                let _ = PostalCode::parse(&input, country);
                let _ = Country::parse(&input);
            }

            #[test]
            fn digit_strings_never_panic(input in "[0-9 +()-]{0,20}", country in country()) {
                let _ = BusinessId::parse(&input, country);
                let _ = Phone::parse(&input, country);
                let _ = PostalCode::parse(&input, country);
            }

            #[test]
            fn business_ids_round_trip(input in "[0-9]{8,12}|[A-Z0-9]{2,30}", country in country()) {
                if let Ok(id) = BusinessId::parse(&input, country) {
                    prop_assert_eq!(BusinessId::parse(&id.to_string(), country), Ok(id));
                }
            }

            #[test]
            fn every_organisationsnummer_with_its_luhn_digit_is_accepted_and_round_trips(
                head in "[0-9]{2}[2-9][0-9]{6}",
                separator in prop::sample::select(vec!["", "-", " "]),
            ) {
                let check = (0..10u8)
                    .find(|c| luhn_ok(format!("{head}{c}").as_bytes()))
                    .unwrap();
                let typed = format!("{}{separator}{}{check}", &head[..6], &head[6..]);
                let id = BusinessId::parse(&typed, Country::parse("SE").unwrap()).unwrap();
                prop_assert_eq!(id.kind(), BusinessIdKind::SwedishOrganisation);
                prop_assert_eq!(id.to_string(), format!("{}-{}{check}", &head[..6], &head[6..]));
                let wrong = format!("{head}{}", (check + 1) % 10);
                prop_assert!(BusinessId::parse(&wrong, Country::parse("SE").unwrap()).is_err());
            }

            #[test]
            fn postal_codes_round_trip(input in "[0-9A-Z -]{2,10}", country in country()) {
                if let Ok(code) = PostalCode::parse(&input, country) {
                    prop_assert_eq!(PostalCode::parse(&code.to_string(), country), Ok(code));
                }
            }

            #[test]
            fn phones_round_trip(input in "[+0]?[0-9 -]{6,16}", country in country()) {
                if let Ok(phone) = Phone::parse(&input, country) {
                    prop_assert_eq!(Phone::parse(phone.as_str(), country), Ok(phone));
                }
            }

            #[test]
            fn countries_round_trip(index in 0..COUNTRIES.len()) {
                let country = Country::parse(COUNTRIES[index].code).unwrap();
                prop_assert_eq!(Country::parse(country.code()), Ok(country));
                let json = serde_json::to_string(&country).unwrap();
                prop_assert_eq!(serde_json::from_str::<Country>(&json).unwrap(), country);
            }

            #[test]
            fn vat_numbers_round_trip(digits in "[0-9]{8,12}", country in country()) {
                let input = format!("{}{digits}", country.info().vat.unwrap_or("XX"));
                if let Ok(Some(vat)) = VatNumber::parse(&input, country) {
                    prop_assert_eq!(VatNumber::parse(&vat.to_string(), country), Ok(Some(vat)));
                }
            }
        }
    }
}
