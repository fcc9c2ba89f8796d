//! When a card on file stops counting, and when Billing starts warning.

use crate::clock::{card_expires_at, Timestamp};

pub use crate::clock::card_expired as expired;

const DAY: i64 = 86_400;

/// Within 30 days of expiring (and not yet expired): Billing warns.
pub fn expires_soon(month: u8, year: u16, now: Timestamp) -> bool {
    !expired(month, year, now) && card_expires_at(month, year) - now <= 30 * DAY
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_card_is_good_through_the_last_day_of_its_month() {
        let dec_2030 = card_expires_at(12, 2030);
        assert_eq!(dec_2030, 1_924_992_000, "2031-01-01 00:00 UTC");
        assert!(!expired(12, 2030, dec_2030 - 1));
        assert!(expired(12, 2030, dec_2030));
        assert_eq!(
            card_expires_at(2, 2028) - card_expires_at(1, 2028),
            29 * DAY,
            "a leap February"
        );
        assert!(expires_soon(12, 2030, dec_2030 - 30 * DAY));
        assert!(!expires_soon(12, 2030, dec_2030 - 30 * DAY - 1));
        assert!(!expires_soon(12, 2030, dec_2030), "expired is not 'soon'");
    }
}
