//! The sandbox's card checks: the published test cards and what each makes
//! happen, and the card page's number, expiry and security code checks.

use super::Decline;
use crate::clock::{card_expired, Timestamp};
use crate::validate::luhn_ok;

/// The published test numbers and what each makes happen; any other valid
/// number is accepted. The same numbers as Stripe's test cards.
const TEST_CARDS: &[(&str, Behaviour)] = &[
    ("4000002760003184", Behaviour::Identify),
    ("4000000000000002", Behaviour::Fail(Decline::Declined)),
    (
        "4000000000009995",
        Behaviour::Fail(Decline::InsufficientFunds),
    ),
    ("4000000000000069", Behaviour::Fail(Decline::ExpiredCard)),
    ("4000000000000127", Behaviour::Fail(Decline::IncorrectCvc)),
    ("4000000000000341", Behaviour::DeclineLater),
];

/// A card that passed the checks: only what may be kept of it, never its
/// number or security code.
#[derive(Clone, PartialEq, Eq)]
pub struct CheckedCard {
    /// "Visa", "Mastercard", …
    pub brand: &'static str,
    /// The number's last four digits.
    pub last4: String,
    /// 1–12.
    pub exp_month: u8,
    /// Four digits: 2030.
    pub exp_year: u16,
    /// What the test card makes happen.
    pub behaviour: Behaviour,
}

/// What a card does once accepted on the card page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Behaviour {
    /// Charged at once.
    Accept,
    /// The bank asks for identification (3-D Secure) first.
    Identify,
    /// Refused by the bank for this reason.
    Fail(Decline),
    /// Accepted and charged on the card page, but every later charge of
    /// the stored card is declined (Stripe's 4000 0000 0000 0341).
    DeclineLater,
}

/// Each field's problem, if any: the sentence shown under the field.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CardErrors {
    pub number: Option<&'static str>,
    pub expiry: Option<&'static str>,
    pub cvc: Option<&'static str>,
}

/// The card brand by its issuer identification number (the leading digits of
/// the PAN) and the lengths it issues. Source: the brands' published IIN
/// ranges (ISO/IEC 7812), as payment providers document them.
fn brand(number: &str) -> Option<(&'static str, &'static [usize])> {
    const LONG: &[usize] = &[16, 17, 18, 19];
    let prefix = |n: usize| number.get(..n).and_then(|p| p.parse::<u32>().ok());
    if number.starts_with('4') {
        Some(("Visa", &[13, 16, 19]))
    } else if matches!(prefix(2), Some(51..=55)) || matches!(prefix(4), Some(2221..=2720)) {
        Some(("Mastercard", &[16]))
    } else if matches!(prefix(2), Some(34 | 37)) {
        Some(("American Express", &[15]))
    } else if matches!(prefix(4), Some(6011))
        || matches!(prefix(3), Some(644..=649))
        || matches!(prefix(2), Some(65))
        || matches!(prefix(6), Some(622_126..=622_925))
    {
        Some(("Discover", LONG))
    } else if matches!(prefix(4), Some(3528..=3589)) {
        Some(("JCB", LONG))
    } else if matches!(prefix(3), Some(300..=305))
        || matches!(prefix(4), Some(3095))
        || matches!(prefix(2), Some(36 | 38 | 39))
    {
        Some(("Diners Club", &[14, 15, 16, 17, 18, 19]))
    } else if matches!(prefix(2), Some(62 | 81)) {
        Some(("UnionPay", LONG))
    } else {
        None
    }
}

/// Checks the card page's fields: the number (digits, brand, length, Luhn;
/// spaces and dashes ignored), an expiry (`MM/YY`, `MMYY` or `MM/YYYY`)
/// that is not past at `now`, a 3–4 digit security code. On refusal, every
/// field's problem at once.
pub fn check_card(
    number: &str,
    expiry: &str,
    cvc: &str,
    now: Timestamp,
) -> Result<CheckedCard, CardErrors> {
    let mut errors = CardErrors::default();
    let number: String = number.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
    let mut checked_number = None;
    if number.is_empty() {
        errors.number = Some("Enter the card number.");
    } else if !number.bytes().all(|b| b.is_ascii_digit()) {
        errors.number = Some("Enter the card number using digits only.");
    } else {
        match brand(&number) {
            None => {
                errors.number = Some(
                    "This type of card is not accepted: use Visa, Mastercard, American Express, Discover, JCB, Diners Club or UnionPay.",
                );
            }
            Some((brand, lengths)) => {
                if !lengths.contains(&number.len()) || !luhn_ok(number.as_bytes()) {
                    errors.number = Some("This card number is not valid. Check it and try again.");
                } else {
                    checked_number = Some((brand, number.clone()));
                }
            }
        }
    }
    let expiry_parsed = parse_expiry(expiry);
    let mut checked_expiry = None;
    match expiry_parsed {
        None => errors.expiry = Some("Enter the expiry date as MM/YY, like 12/30."),
        Some((month, year)) => {
            if card_expired(month, year, now) {
                errors.expiry = Some("This card has expired: the expiry date is in the past.");
            } else {
                checked_expiry = Some((month, year));
            }
        }
    }
    let cvc = cvc.trim();
    if !(3..=4).contains(&cvc.len()) || !cvc.bytes().all(|b| b.is_ascii_digit()) {
        errors.cvc = Some("Enter the 3 or 4 digit security code (CVC) from the card.");
    }
    match (checked_number, checked_expiry, errors.cvc) {
        (Some((brand, number)), Some((exp_month, exp_year)), None) => Ok(CheckedCard {
            brand,
            last4: number[number.len() - 4..].to_owned(),
            exp_month,
            exp_year,
            behaviour: TEST_CARDS
                .iter()
                .find(|(test, _)| *test == number)
                .map_or(Behaviour::Accept, |&(_, behaviour)| behaviour),
        }),
        _ => Err(errors),
    }
}

/// "12/30", "12 / 30", "1230", "12/2030" → (12, 2030). Anything but ASCII
/// digits and one slash is refused before the string is split.
fn parse_expiry(input: &str) -> Option<(u8, u16)> {
    let compact: String = input.chars().filter(|c| !c.is_whitespace()).collect();
    if !compact.chars().all(|c| c.is_ascii_digit() || c == '/') {
        return None;
    }
    let (month, year) = match compact.split_once('/') {
        Some(parts) => parts,
        None if compact.len() == 4 => compact.split_at(2),
        None => return None,
    };
    if month.is_empty() || !year.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let month: u8 = month.parse().ok().filter(|m| (1..=12).contains(m))?;
    let year: u16 = match year.len() {
        2 => 2000 + year.parse::<u16>().ok()?,
        4 => year.parse().ok().filter(|y| (2000..=2099).contains(y))?,
        _ => return None,
    };
    Some((month, year))
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: Timestamp = 1_795_867_200; // 2026-11-28 12:00 UTC

    fn ok(number: &str) -> CheckedCard {
        check_card(number, "12/30", "123", NOW).unwrap_or_else(|e| panic!("{number}: {e:?}"))
    }

    #[test]
    fn each_test_card_has_its_outcome() {
        assert_eq!(ok("4242 4242 4242 4242").behaviour, Behaviour::Accept);
        assert_eq!(ok("4000 0027 6000 3184").behaviour, Behaviour::Identify);
        assert_eq!(
            ok("4000 0000 0000 0002").behaviour,
            Behaviour::Fail(Decline::Declined)
        );
        assert_eq!(
            ok("4000 0000 0000 9995").behaviour,
            Behaviour::Fail(Decline::InsufficientFunds)
        );
        assert_eq!(
            ok("4000 0000 0000 0069").behaviour,
            Behaviour::Fail(Decline::ExpiredCard)
        );
        assert_eq!(
            ok("4000 0000 0000 0127").behaviour,
            Behaviour::Fail(Decline::IncorrectCvc)
        );
        // Any other number that passes Luhn is accepted.
        let other = ok("5555-5555-5555-4444");
        assert_eq!(
            (other.brand, other.last4.as_str(), other.behaviour),
            ("Mastercard", "4444", Behaviour::Accept)
        );
        assert_eq!(ok("378282246310005").brand, "American Express");
        // The other brands' published test numbers.
        for (number, brand) in [
            ("6011 1111 1111 1117", "Discover"),
            ("6011 0009 9013 9424", "Discover"),
            ("3530 1113 3330 0000", "JCB"),
            ("3566 0020 2036 0505", "JCB"),
            ("3056 9300 0902 0004", "Diners Club"),
            ("3622 720627 1667", "Diners Club"),
            ("6200 0000 0000 0005", "UnionPay"),
        ] {
            let card = ok(number);
            assert_eq!(
                (card.brand, card.behaviour),
                (brand, Behaviour::Accept),
                "{number}"
            );
        }
        let visa = ok("4242424242424242");
        assert_eq!(
            (
                visa.brand,
                visa.last4.as_str(),
                visa.exp_month,
                visa.exp_year
            ),
            ("Visa", "4242", 12, 2030)
        );
    }

    #[test]
    fn bad_numbers_expiries_and_codes_are_refused_with_the_reason() {
        let errors = |n: &str, e: &str, c: &str| check_card(n, e, c, NOW).err().unwrap_or_default();
        assert_eq!(
            errors("4242 4242 4242 4241", "12/30", "123").number,
            Some("This card number is not valid. Check it and try again.")
        );
        assert_eq!(
            errors("4242 4242 4242", "12/30", "123").number,
            Some("This card number is not valid. Check it and try again.")
        );
        assert_eq!(
            errors("", "12/30", "123").number,
            Some("Enter the card number.")
        );
        assert_eq!(
            errors("4242x", "12/30", "123").number,
            Some("Enter the card number using digits only.")
        );
        assert!(errors("9999 9999 9999 9995", "12/30", "123")
            .number
            .unwrap()
            .contains("not accepted"));
        assert_eq!(
            errors("4242424242424242", "10/26", "123").expiry,
            Some("This card has expired: the expiry date is in the past.")
        );
        assert_eq!(
            errors("4242424242424242", "13/30", "123").expiry,
            Some("Enter the expiry date as MM/YY, like 12/30.")
        );
        assert_eq!(
            errors("4242424242424242", "", "123").expiry,
            Some("Enter the expiry date as MM/YY, like 12/30.")
        );
        for cvc in ["", "12", "12345", "12a"] {
            assert!(
                errors("4242424242424242", "12/30", cvc).cvc.is_some(),
                "{cvc:?}"
            );
        }
        assert!(check_card("4242424242424242", "12/30", "1234", NOW).is_ok());
        // The month in progress is not past.
        assert!(check_card("4242424242424242", "11/26", "123", NOW).is_ok());
        assert!(check_card("4242424242424242", "1126", "123", NOW).is_ok());
        assert!(check_card("4242424242424242", "11 / 2026", "123", NOW).is_ok());
    }

    #[test]
    fn expiry_dates_of_any_characters_are_refused_not_panicked_on() {
        let expiry = |e: &str| {
            check_card("4242424242424242", e, "123", NOW)
                .err()
                .unwrap_or_default()
                .expiry
        };
        for typed in [
            "&é\"",
            "😀",
            "é/30",
            "12/é0",
            "1é/3",
            "/",
            "12/",
            "/30",
            "１２/３０",
        ] {
            assert_eq!(
                expiry(typed),
                Some("Enter the expiry date as MM/YY, like 12/30."),
                "{typed:?}"
            );
        }
    }

    proptest::proptest! {
        #[test]
        fn the_card_page_checks_never_panic(
            number in crate::validate::any_text(24),
            expiry in crate::validate::any_text(8),
            cvc in crate::validate::any_text(6),
        ) {
            let _ = check_card(&number, &expiry, &cvc, NOW);
        }
    }
}
