//! The time as the panel sees it: UTC seconds, a clock that tests start at
//! a fixed date and move forward (to reach session timeouts and card expiry
//! without waiting), how a time is shown, and when a card's month ends.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

/// Seconds since the Unix epoch, UTC.
pub type Timestamp = i64;

#[derive(Clone, Debug, Default)]
pub struct Clock {
    /// Added to the system time; only tests change it.
    offset_secs: Arc<AtomicI64>,
}

fn system_now() -> Timestamp {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or_default()
}

impl Clock {
    /// A clock that reads `start` now and then runs at the system's pace,
    /// so a test never depends on the day it runs.
    pub fn starting_at(start: Timestamp) -> Self {
        let clock = Self::default();
        clock.advance(start - system_now());
        clock
    }

    pub fn now(&self) -> Timestamp {
        system_now() + self.offset_secs.load(Ordering::Relaxed)
    }

    pub fn advance(&self, secs: i64) {
        self.offset_secs.fetch_add(secs, Ordering::Relaxed);
    }

    /// Moves the clock to `at` (tests only; time can go back for them).
    pub fn set(&self, at: Timestamp) {
        self.advance(at - self.now());
    }
}

/// RFC 3339 with an offset (UTC: `+00:00`), as API clients parse times:
/// `2026-11-28T12:00:00+00:00`.
pub fn format_rfc3339(at: Timestamp) -> String {
    let format =
        time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]+00:00");
    time::OffsetDateTime::from_unix_timestamp(at)
        .ok()
        .and_then(|t| t.format(&format).ok())
        .unwrap_or_default()
}

/// `at` as "2026-11-28 12:00 UTC" (the activity log, the payments list).
pub fn format_utc(at: Timestamp) -> String {
    let format = time::macros::format_description!("[year]-[month]-[day] [hour]:[minute] UTC");
    time::OffsetDateTime::from_unix_timestamp(at)
        .ok()
        .and_then(|t| t.format(&format).ok())
        .unwrap_or_default()
}

/// The UTC day of `at` as "2026-12-01" (ISO 8601): an invoice's date and due date.
pub fn format_date(at: Timestamp) -> String {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    time::OffsetDateTime::from_unix_timestamp(at)
        .ok()
        .and_then(|t| t.format(&format).ok())
        .unwrap_or_default()
}

/// The first second after a card's expiry month (UTC): a card printed
/// `MM/YY` is good through the last day of that month (ISO/IEC 7813).
/// `month` is 1–12; anything else gives 0 (long expired).
pub fn card_expires_at(month: u8, year: u16) -> Timestamp {
    let (year, month) = if month >= 12 {
        (i32::from(year) + 1, 1)
    } else {
        (i32::from(year), month + 1)
    };
    time::Month::try_from(month)
        .ok()
        .and_then(|m| time::Date::from_calendar_date(year, m, 1).ok())
        .map_or(0, |d| d.midnight().assume_utc().unix_timestamp())
}

/// Whether a card printed `month`/`year` has expired at `now`.
pub fn card_expired(month: u8, year: u16, now: Timestamp) -> bool {
    now >= card_expires_at(month, year)
}
