//! The billing rules of an invoice, pure functions of their inputs:
//!
//! - **Period**: a calendar month in UTC, `[start, end)`.
//! - **Pro rata by the hour**: a service is billed for each hour of the
//!   month it existed in, an hour begun counting whole, at its plan's
//!   monthly price divided by the month's hours (a full month costs exactly
//!   the monthly price, February's 672 hours as December's 744).
//! - **Rounding**: integer cents, each line (and each line's VAT) rounded
//!   half away from zero; the totals are sums of rounded lines, so the
//!   invoice adds up as printed.
//! - **VAT** of a seller established in Sweden supplying electronic services
//!   (Council Directive 2006/112/EC, articles 44, 58 and 196; Mervärdes-
//!   skattelag 2023:200): a customer in Sweden pays Swedish VAT (25 %); a
//!   business in another EU country with a VAT number accounts for the VAT
//!   itself (reverse charge, 0 % here); any other customer in the EU pays
//!   its country's standard rate ([`EU_STANDARD_RATES`]); a customer outside
//!   the EU pays none (outside the scope of EU VAT).

use crate::clock::Timestamp;

const HOUR: i64 = 60 * 60;

/// A calendar month in UTC: from `start` (the 1st, 00:00) up to `end` (the
/// next month's 1st), Unix seconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Period {
    pub year: i32,
    /// 1–12.
    pub month: u8,
    pub start: Timestamp,
    pub end: Timestamp,
}

impl Period {
    /// The month `month` (1–12) of `year`; `None` for a month that is not one.
    pub fn month(year: i32, month: u8) -> Option<Self> {
        let first = |year: i32, month: u8| {
            let month = time::Month::try_from(month).ok()?;
            let date = time::Date::from_calendar_date(year, month, 1).ok()?;
            Some(date.midnight().assume_utc().unix_timestamp())
        };
        let (next_year, next_month) = if month == 12 {
            (year + 1, 1)
        } else {
            (year, month + 1)
        };
        Some(Self {
            year,
            month,
            start: first(year, month)?,
            end: first(next_year, next_month)?,
        })
    }

    /// The month `at` falls in.
    pub fn containing(at: Timestamp) -> Option<Self> {
        let date = time::OffsetDateTime::from_unix_timestamp(at).ok()?;
        Self::month(date.year(), u8::from(date.month()))
    }

    /// The month before the one `at` falls in: what the run on the 1st bills.
    pub fn before(at: Timestamp) -> Option<Self> {
        let this = Self::containing(at)?;
        Self::containing(this.start - 1)
    }

    /// The month after this one.
    pub fn next(&self) -> Option<Self> {
        Self::containing(self.end)
    }

    /// The month a [`Period::label`] names ("2026-11").
    pub fn parse(label: &str) -> Option<Self> {
        let (year, month) = label.split_once('-')?;
        Self::month(year.parse().ok()?, month.parse().ok()?)
    }

    /// How many hours the month has: 672 to 744.
    pub fn hours(&self) -> i64 {
        (self.end - self.start) / HOUR
    }

    /// "November 2026", as a person reads it.
    pub fn name(&self) -> String {
        let month =
            time::Month::try_from(self.month).map_or_else(|_| String::new(), |m| m.to_string());
        format!("{month} {}", self.year)
    }

    /// "2026-11", as invoices and the API name a period.
    pub fn label(&self) -> String {
        format!("{:04}-{:02}", self.year, self.month)
    }
}

/// The hours of `period` a service created at `created_at` and deleted at
/// `deleted_at` (if it was) is billed for: each hour it existed in, an hour
/// begun counting whole, never more than the month has.
pub fn billable_hours(
    created_at: Timestamp,
    deleted_at: Option<Timestamp>,
    period: &Period,
) -> i64 {
    let from = created_at.max(period.start);
    let to = deleted_at.unwrap_or(period.end).min(period.end);
    if to <= from {
        return 0;
    }
    // Hours begun since `from`, counted on the clock's hours.
    let first_hour = from - from.rem_euclid(HOUR);
    ((to - first_hour + HOUR - 1) / HOUR).min(period.hours())
}

/// `numerator / denominator` rounded half away from zero; `denominator` > 0.
pub fn divide_rounded(numerator: i128, denominator: i128) -> i64 {
    let half = denominator / 2;
    let rounded = if numerator >= 0 {
        (numerator + half) / denominator
    } else {
        (numerator - half) / denominator
    };
    i64::try_from(rounded).unwrap_or(if rounded > 0 { i64::MAX } else { i64::MIN })
}

/// A line's amount in cents: `monthly_cents` for `hours` of a month of
/// `month_hours`, rounded half away from zero.
pub fn prorated(monthly_cents: i64, hours: i64, month_hours: i64) -> i64 {
    if month_hours <= 0 {
        return 0;
    }
    divide_rounded(
        i128::from(monthly_cents) * i128::from(hours),
        i128::from(month_hours),
    )
}

/// The standard VAT rates of the EU's member states, in basis points
/// (2550 is 25.5 %), by ISO 3166-1 country code (Greece is `GR` here, `EL`
/// in VAT numbers). Source: European Commission, "VAT rates applied in the
/// Member States of the European Union" and the Taxes in Europe Database,
/// as in force on 1 November 2025 (Finland 25.5 % from 1 September 2024,
/// Slovakia 23 % from 1 January 2025, Estonia 24 % from 1 July 2025,
/// Romania 21 % from 1 August 2025). Rates change: this table is the one
/// place to update.
pub const EU_STANDARD_RATES: [(&str, u32); 27] = [
    ("AT", 2000),
    ("BE", 2100),
    ("BG", 2000),
    ("CY", 1900),
    ("CZ", 2100),
    ("DE", 1900),
    ("DK", 2500),
    ("EE", 2400),
    ("ES", 2100),
    ("FI", 2550),
    ("FR", 2000),
    ("GR", 2400),
    ("HR", 2500),
    ("HU", 2700),
    ("IE", 2300),
    ("IT", 2200),
    ("LT", 2100),
    ("LU", 1700),
    ("LV", 2100),
    ("MT", 1800),
    ("NL", 2100),
    ("PL", 2300),
    ("PT", 2300),
    ("RO", 2100),
    ("SE", 2500),
    ("SI", 2200),
    ("SK", 2300),
];

/// The seller's country.
pub const SELLER_COUNTRY: &str = "SE";

/// How VAT applies to a customer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VatCase {
    /// A customer in Sweden: Swedish VAT.
    Domestic,
    /// A business in another EU country with a VAT number: the customer
    /// accounts for the VAT (article 196).
    ReverseCharge,
    /// Anyone else in the EU: their country's standard rate (article 58).
    EuConsumer,
    /// Outside the EU: no EU VAT.
    OutsideEu,
}

/// The VAT an invoice applies: its case, rate and the note it carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Vat {
    pub case: VatCase,
    /// Basis points: 2500 is 25 %.
    pub rate_basis_points: u32,
    /// Printed on the invoice when the rate needs explaining.
    pub note: Option<&'static str>,
}

/// The VAT for a customer in `country` (ISO 3166-1 alpha-2, as company
/// information stores it) with or without a VAT number.
pub fn vat_for(country: &str, has_vat_number: bool) -> Vat {
    let rate = EU_STANDARD_RATES
        .iter()
        .find(|(code, _)| *code == country)
        .map(|(_, rate)| *rate);
    match rate {
        Some(rate) if country == SELLER_COUNTRY => Vat {
            case: VatCase::Domestic,
            rate_basis_points: rate,
            note: None,
        },
        Some(_) if has_vat_number => Vat {
            case: VatCase::ReverseCharge,
            rate_basis_points: 0,
            note: Some("Reverse charge: the customer accounts for the VAT (Council Directive 2006/112/EC, article 196)."),
        },
        Some(rate) => Vat {
            case: VatCase::EuConsumer,
            rate_basis_points: rate,
            note: None,
        },
        None => Vat {
            case: VatCase::OutsideEu,
            rate_basis_points: 0,
            note: Some("Outside the scope of EU VAT: services supplied to a customer outside the EU."),
        },
    }
}

/// The VAT of one line of `net_cents`, rounded half away from zero.
pub fn line_vat(net_cents: i64, vat: &Vat) -> i64 {
    divide_rounded(
        i128::from(net_cents) * i128::from(vat.rate_basis_points),
        10_000,
    )
}

/// An invoice's totals in cents: the net a sum of rounded lines, the VAT
/// the rate of that net, rounded once.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Totals {
    pub net: i64,
    pub vat: i64,
    pub total: i64,
}

/// The totals of lines of `net_cents` each under `vat`. The VAT is the
/// rate of the net total, rounded once (half away from zero), not a sum of
/// each line's rounded VAT: with many small lines those would add up to
/// more than the rate of the total, and the invoice would overcharge (the
/// VAT is due on the taxable amount, Directive 2006/112/EC articles 73 and
/// 226(8)–(10)).
pub fn totals(lines: &[i64], vat: &Vat) -> Totals {
    let net = lines.iter().sum();
    let vat = line_vat(net, vat);
    Totals {
        net,
        vat,
        total: net + vat,
    }
}

/// A VAT rate in basis points as printed, in percent: 2500 is "25", 2550
/// is "25.5", 0 is "0".
pub fn rate_shown(basis_points: i64) -> String {
    if basis_points % 100 == 0 {
        (basis_points / 100).to_string()
    } else if basis_points % 10 == 0 {
        format!("{}.{}", basis_points / 100, (basis_points % 100) / 10)
    } else {
        format!("{}.{:02}", basis_points / 100, basis_points % 100)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(year: i32, month: u8, day: u8, hour: u8, minute: u8) -> Timestamp {
        let date = time::Date::from_calendar_date(year, time::Month::try_from(month).unwrap(), day)
            .unwrap();
        date.with_hms(hour, minute, 0)
            .unwrap()
            .assume_utc()
            .unix_timestamp()
    }

    #[test]
    fn months_are_calendar_months_in_utc() {
        let feb = Period::month(2026, 2).unwrap();
        assert_eq!(feb.hours(), 28 * 24);
        assert_eq!(Period::month(2028, 2).unwrap().hours(), 29 * 24);
        assert_eq!(Period::month(2026, 12).unwrap().end, at(2027, 1, 1, 0, 0));
        assert_eq!(
            Period::before(at(2027, 1, 1, 0, 0)).unwrap().label(),
            "2026-12"
        );
        assert_eq!(
            Period::before(at(2026, 12, 31, 23, 59)).unwrap().label(),
            "2026-11"
        );
        assert_eq!(Period::month(2026, 13), None);
        assert_eq!(feb.name(), "February 2026");
        assert_eq!(
            Period::parse("2026-12").unwrap().next().unwrap().label(),
            "2027-01"
        );
        assert_eq!(Period::parse("2026-13"), None);
    }

    #[test]
    fn a_service_is_billed_for_each_hour_begun_within_the_month() {
        let jan = Period::month(2026, 1).unwrap();
        let feb = Period::month(2026, 2).unwrap();
        // Created half an hour before the month ends: one hour in January.
        let created = at(2026, 1, 31, 23, 30);
        assert_eq!(billable_hours(created, None, &jan), 1);
        assert_eq!(billable_hours(created, None, &feb), 672);
        // Created and deleted within one hour: one hour.
        assert_eq!(
            billable_hours(at(2026, 2, 3, 10, 5), Some(at(2026, 2, 3, 10, 50)), &feb),
            1
        );
        // 10:05 to 11:05 touches two clock hours.
        assert_eq!(
            billable_hours(at(2026, 2, 3, 10, 5), Some(at(2026, 2, 3, 11, 5)), &feb),
            2
        );
        // Deleted before the month, or created after it: nothing.
        assert_eq!(
            billable_hours(at(2025, 12, 1, 0, 0), Some(at(2026, 1, 1, 0, 0)), &jan),
            0
        );
        assert_eq!(billable_hours(feb.end, None, &feb), 0);
        // A whole month, and more, is the month's hours.
        assert_eq!(billable_hours(at(2025, 6, 1, 0, 0), None, &jan), 744);
    }

    #[test]
    fn a_full_month_costs_the_monthly_price_whatever_its_length() {
        for (year, month) in [(2026, 2), (2026, 4), (2026, 12)] {
            let period = Period::month(year, month).unwrap();
            assert_eq!(prorated(900, period.hours(), period.hours()), 900);
        }
        // Half of February: 336 of 672 hours.
        assert_eq!(prorated(900, 336, 672), 450);
        // 900 × 1 / 720 = 1.25 → 1; 900 × 2 / 720 = 2.5 → 3 (half away from zero).
        assert_eq!(prorated(900, 1, 720), 1);
        assert_eq!(prorated(900, 2, 720), 3);
        assert_eq!(divide_rounded(-5, 2), -3);
        assert_eq!(divide_rounded(5, 2), 3);
    }

    #[test]
    fn vat_follows_where_the_customer_is_and_whether_it_has_a_vat_number() {
        let sweden = vat_for("SE", true);
        assert_eq!(
            (sweden.case, sweden.rate_basis_points),
            (VatCase::Domestic, 2500)
        );
        assert_eq!(vat_for("SE", false).rate_basis_points, 2500);
        let german_business = vat_for("DE", true);
        assert_eq!(german_business.case, VatCase::ReverseCharge);
        assert_eq!(german_business.rate_basis_points, 0);
        assert!(german_business.note.unwrap().starts_with("Reverse charge"));
        assert_eq!(vat_for("DE", false).rate_basis_points, 1900);
        assert_eq!(vat_for("FI", false).rate_basis_points, 2550);
        assert_eq!(vat_for("GR", false).rate_basis_points, 2400);
        for outside in ["NO", "CH", "GB", "US"] {
            let vat = vat_for(outside, true);
            assert_eq!(vat.case, VatCase::OutsideEu, "{outside}");
            assert_eq!(vat.rate_basis_points, 0);
            assert!(vat.note.unwrap().contains("Outside the scope of EU VAT"));
        }
    }

    #[test]
    fn the_vat_is_the_rate_of_the_net_total_rounded_once() {
        let vat = vat_for("FI", false);
        let few = totals(&[3, 1, 900], &vat);
        assert_eq!(few.net, 904);
        // 25.5 % of 9.04 EUR is 230.52 cents → 231 (each line rounded
        // alone would also give 1 + 0 + 230 = 231 here).
        assert_eq!(few.vat, 231);
        assert_eq!(few.total, 904 + 231);
        // 45 lines of 39 cents: 17.55 EUR, 25 % is 438.75 → 439, where
        // 45 × round(9.75) = 450 would overcharge by 11 cents.
        let many = totals(&[39; 45], &vat_for("SE", false));
        assert_eq!((many.net, many.vat, many.total), (1755, 439, 2194));
    }
}
