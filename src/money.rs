//! Money: integer cents with a currency, never floating point.

use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Currency {
    Eur,
}

impl Currency {
    /// ISO 4217, as stored and shown.
    pub fn code(self) -> &'static str {
        match self {
            Currency::Eur => "EUR",
        }
    }

    pub fn parse(code: &str) -> Option<Self> {
        (code == "EUR").then_some(Currency::Eur)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Money {
    pub cents: i64,
    pub currency: Currency,
}

impl Money {
    pub const fn eur(cents: i64) -> Self {
        Self {
            cents,
            currency: Currency::Eur,
        }
    }
}

#[cfg(feature = "ssr")]
impl Money {
    /// Money as a row stores it: cents and an ISO 4217 code.
    pub fn stored(cents: i64, currency: &str) -> crate::error::AppResult<Self> {
        let currency = Currency::parse(currency).ok_or_else(|| {
            crate::error::AppError::internal(format!("unknown currency {currency:?}"))
        })?;
        Ok(Self { cents, currency })
    }
}

/// "9.00 EUR", "-1.00 EUR".
impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.cents < 0 { "-" } else { "" };
        let abs = self.cents.unsigned_abs();
        write!(
            f,
            "{sign}{}.{:02} {}",
            abs / 100,
            abs % 100,
            self.currency.code()
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_show_whole_cents_and_the_currency() {
        assert_eq!(Money::eur(100).to_string(), "1.00 EUR");
        assert_eq!(Money::eur(905).to_string(), "9.05 EUR");
        assert_eq!(Money::eur(0).to_string(), "0.00 EUR");
        assert_eq!(Money::eur(-100).to_string(), "-1.00 EUR");
        assert_eq!(
            Money::eur(i64::MIN).to_string(),
            "-92233720368547758.08 EUR"
        );
        assert_eq!(Currency::parse("EUR"), Some(Currency::Eur));
        assert_eq!(Currency::parse("eur"), None);
    }
}
