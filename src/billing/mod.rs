//! Billing: the method of payment, how invoices are delivered, and the one
//! function that decides whether billing is ready (DESIGN.md, "Billing is
//! ready when"). The overview, the Services page and the server all ask
//! [`missing`].

#[cfg(feature = "ssr")]
pub mod card;
#[cfg(feature = "ssr")]
pub mod handlers;
#[cfg(feature = "ssr")]
pub mod operations;
pub mod pages;
#[cfg(feature = "ssr")]
mod store;

/// What other features may ask of billing: is it ready, what is missing,
/// and (for the overview, after its own gate) the whole view.
#[cfg(feature = "ssr")]
pub use store::{facts_in, missing as missing_for, summary as summary_for};

use crate::error::AppError;
use crate::organizations::Membership;
use crate::validate::FormField;
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

/// The fields of Billing's two forms.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BillingField {
    Method,
    Delivery,
    InvoiceEmail,
}

impl FormField for BillingField {
    fn name(self) -> &'static str {
        match self {
            BillingField::Method => "method",
            BillingField::Delivery => "delivery",
            BillingField::InvoiceEmail => "invoice_email",
        }
    }
}

/// "Method of payment" as posted.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MethodChoice {
    #[serde(default)]
    pub method: String,
}

/// "Invoice delivery" as posted.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryChoice {
    #[serde(default)]
    pub delivery: String,
    #[serde(default)]
    pub invoice_email: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum PaymentMethod {
    Card,
    Invoice,
}

impl PaymentMethod {
    pub const ALL: [PaymentMethod; 2] = [PaymentMethod::Card, PaymentMethod::Invoice];

    /// As stored and posted by the form.
    pub fn as_str(self) -> &'static str {
        match self {
            PaymentMethod::Card => "card",
            PaymentMethod::Invoice => "invoice",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.as_str() == value)
    }

    pub fn label(self) -> &'static str {
        match self {
            PaymentMethod::Card => "Credit card",
            PaymentMethod::Invoice => "Invoice",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum InvoiceDelivery {
    Email,
    SnailMail,
}

impl InvoiceDelivery {
    pub const ALL: [InvoiceDelivery; 2] = [InvoiceDelivery::Email, InvoiceDelivery::SnailMail];

    pub fn as_str(self) -> &'static str {
        match self {
            InvoiceDelivery::Email => "email",
            InvoiceDelivery::SnailMail => "mail",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|d| d.as_str() == value)
    }

    pub fn label(self) -> &'static str {
        match self {
            InvoiceDelivery::Email => "Email",
            InvoiceDelivery::SnailMail => "Snail mail",
        }
    }
}

/// The address invoices are emailed to (in the browser and on the server).
pub fn parse_invoice_email(input: &str) -> Result<crate::validate::Email, String> {
    if input.trim().is_empty() {
        return Err("Enter the email address invoices are sent to.".into());
    }
    crate::validate::Email::parse(input)
}

/// The organization's credit card, as far as readiness cares.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum CardState {
    /// No verified card on file.
    None,
    Valid,
    Expired,
}

/// What readiness is decided from, read in one go from the database.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BillingFacts {
    /// Company information is saved (it is only ever saved whole and valid,
    /// so this also means the full postal address is known).
    pub company_information: bool,
    pub method: Option<PaymentMethod>,
    pub delivery: Option<InvoiceDelivery>,
    /// A valid invoice email address is stored.
    pub invoice_email: bool,
    pub card: CardState,
}

/// One thing that keeps billing from being ready, and where it is fixed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Missing {
    CompanyInformation,
    PaymentMethod,
    VerifiedCard,
    CardExpired,
    InvoiceDelivery,
    InvoiceEmail,
}

impl Missing {
    /// What to do, as a link text.
    pub fn label(self) -> &'static str {
        match self {
            Missing::CompanyInformation => "Fill in the company information",
            Missing::PaymentMethod => "Choose a method of payment",
            Missing::VerifiedCard => "Add a credit card",
            Missing::CardExpired => "Replace the expired credit card",
            Missing::InvoiceDelivery => "Choose how invoices are delivered",
            Missing::InvoiceEmail => "Enter the email address invoices are sent to",
        }
    }

    /// The page of the organization where it is fixed.
    pub fn page(self) -> &'static str {
        match self {
            Missing::CompanyInformation => "settings",
            _ => "billing",
        }
    }

    pub fn href(self, org: &str) -> String {
        format!("/organizations/{org}/{}", self.page())
    }
}

/// Everything that keeps billing from being ready, in the order to fix it;
/// empty when billing is ready.
pub fn missing(facts: &BillingFacts) -> Vec<Missing> {
    let mut missing = Vec::new();
    if !facts.company_information {
        missing.push(Missing::CompanyInformation);
    }
    match facts.method {
        None => missing.push(Missing::PaymentMethod),
        Some(PaymentMethod::Card) => match facts.card {
            CardState::None => missing.push(Missing::VerifiedCard),
            CardState::Expired => missing.push(Missing::CardExpired),
            CardState::Valid => {}
        },
        Some(PaymentMethod::Invoice) => match facts.delivery {
            None => missing.push(Missing::InvoiceDelivery),
            Some(InvoiceDelivery::Email) if !facts.invoice_email => {
                missing.push(Missing::InvoiceEmail);
            }
            // Snail mail goes to the company address, which is part of the
            // company information above.
            Some(_) => {}
        },
    }
    missing
}

/// Why a card setup did not add a card, as the provider reports it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum CardFailure {
    Declined,
    InsufficientFunds,
    ExpiredCard,
    IncorrectCvc,
    IdentificationCancelled,
    /// The card page was closed before a card was accepted: left open for
    /// 24 hours, or closed because the organization was deleted.
    Closed,
}

#[cfg(feature = "ssr")]
impl From<crate::payments::Decline> for CardFailure {
    fn from(decline: crate::payments::Decline) -> Self {
        use crate::payments::Decline;
        match decline {
            Decline::Declined => CardFailure::Declined,
            Decline::InsufficientFunds => CardFailure::InsufficientFunds,
            Decline::ExpiredCard => CardFailure::ExpiredCard,
            Decline::IncorrectCvc => CardFailure::IncorrectCvc,
            Decline::IdentificationCancelled => CardFailure::IdentificationCancelled,
            Decline::Closed => CardFailure::Closed,
        }
    }
}

impl CardFailure {
    pub const ALL: [CardFailure; 6] = [
        CardFailure::Declined,
        CardFailure::InsufficientFunds,
        CardFailure::ExpiredCard,
        CardFailure::IncorrectCvc,
        CardFailure::IdentificationCancelled,
        CardFailure::Closed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            CardFailure::Declined => "declined",
            CardFailure::InsufficientFunds => "insufficient_funds",
            CardFailure::ExpiredCard => "expired_card",
            CardFailure::IncorrectCvc => "incorrect_cvc",
            CardFailure::IdentificationCancelled => "identification_cancelled",
            CardFailure::Closed => "closed",
        }
    }

    pub fn parse(value: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.as_str() == value)
    }

    /// In plain words, for the person who tried the card.
    pub fn message(self) -> &'static str {
        match self {
            CardFailure::Declined => "The card was declined by its bank. Try another card, or ask the bank why.",
            CardFailure::InsufficientFunds => "The card was declined: there is not enough money on the account for the 1.00 EUR verification.",
            CardFailure::ExpiredCard => "The card was declined because it has expired. Try a card that is still valid.",
            CardFailure::IncorrectCvc => "The card was declined because the security code (CVC) was wrong.",
            CardFailure::IdentificationCancelled => "The identification was cancelled, so the card was not added.",
            CardFailure::Closed => "The card page was closed before a card was accepted, so no card was added. Start again with Continue.",
        }
    }
}

/// The card on file, as Billing shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CardView {
    /// The organization's nth card (1 for its first): the API's `paymentcard`,
    /// which says nothing of other organizations' cards.
    pub number: i64,
    pub brand: String,
    /// `None` for a role that may not see payments (Admin, Member): the
    /// card's state is theirs to know, its digits are not.
    pub last4: Option<String>,
    /// "12/30"
    pub expires: String,
    pub expired: bool,
    /// Expires within 30 days.
    pub expires_soon: bool,
    /// Added after Invoice was chosen meanwhile: Invoice stayed the method.
    pub kept_invoice: bool,
}

/// A row of the "Payments" table.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentRow {
    /// UTC, "2026-11-28 12:00 UTC".
    pub date: String,
    /// The same, in Unix seconds.
    pub at: i64,
    pub description: String,
    pub amount: crate::money::Money,
    pub status: String,
}

/// The Billing page's data.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BillingView {
    pub access: Membership,
    pub method: Option<PaymentMethod>,
    pub delivery: Option<InvoiceDelivery>,
    /// The stored invoice email, else the company email to start from;
    /// empty for a role that may not see payments.
    pub invoice_email: String,
    /// Where invoices by snail mail go: the company's name and address lines.
    pub postal_address: Option<Vec<String>>,
    /// The company's name and business identification number, when its
    /// information is complete and valid (the overview's line).
    pub company: Option<(String, String)>,
    pub card: Option<CardView>,
    /// Only for those who may see payments (Owner, Billing).
    pub payments: Option<Vec<PaymentRow>>,
    pub missing: Vec<Missing>,
}

/// How a card setup ended, for the page the provider sends the browser back to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum CardSetupResult {
    Added {
        card: CardView,
        replaced: bool,
    },
    Failed(CardFailure),
    /// Not finished at the provider yet: the card page is still open.
    Unfinished {
        card_page: String,
    },
}

#[server(prefix = "/rpc")]
pub async fn fetch_card_setup(
    org: String,
    setup: String,
) -> Result<(Membership, CardSetupResult), AppError> {
    let (state, _, access) =
        crate::organizations::gate::access(&org, crate::organizations::Action::ManageBilling)
            .await?;
    // The provider sends the browser back here: ask it, server to
    // server, how the setup ended (a reload asks again, records once).
    card::complete(&state, &access, &setup).await?;
    let result = card::result(&state, &access, &setup).await?;
    Ok((access.membership(), result))
}

/// The page an API key's card setup comes back to: no session needed, the
/// setup's random id names it. The organization's name and the result.
#[server(prefix = "/rpc")]
pub async fn fetch_card_setup_by_id(setup: String) -> Result<(String, CardSetupResult), AppError> {
    let state = use_context::<crate::server::AppState>()
        .ok_or_else(|| AppError::internal("AppState missing from context"))?;
    card::complete_by_id(&state, &setup).await
}

#[server(prefix = "/rpc")]
pub async fn fetch_billing(org: String) -> Result<BillingView, AppError> {
    let (state, account) = crate::organizations::gate::context()?;
    let by = crate::organizations::Principal::Person(account);
    operations::view(&state, &by, &org).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all_facts() -> Vec<BillingFacts> {
        let mut all = Vec::new();
        for company_information in [false, true] {
            for method in [
                None,
                Some(PaymentMethod::Card),
                Some(PaymentMethod::Invoice),
            ] {
                for delivery in [
                    None,
                    Some(InvoiceDelivery::Email),
                    Some(InvoiceDelivery::SnailMail),
                ] {
                    for invoice_email in [false, true] {
                        for card in [CardState::None, CardState::Valid, CardState::Expired] {
                            all.push(BillingFacts {
                                company_information,
                                method,
                                delivery,
                                invoice_email,
                                card,
                            });
                        }
                    }
                }
            }
        }
        all
    }

    /// DESIGN.md's rule, written out independently of `missing`.
    fn ready_by_the_rule(f: BillingFacts) -> bool {
        let card_ready = f.method == Some(PaymentMethod::Card) && f.card == CardState::Valid;
        let invoice_ready = f.method == Some(PaymentMethod::Invoice)
            && match f.delivery {
                Some(InvoiceDelivery::Email) => f.invoice_email,
                Some(InvoiceDelivery::SnailMail) => f.company_information,
                None => false,
            };
        f.company_information && (card_ready || invoice_ready)
    }

    #[test]
    fn ready_exactly_when_the_design_says_over_every_combination() {
        let all = all_facts();
        assert_eq!(all.len(), 108);
        let mut ready = 0;
        for facts in &all {
            let missing = missing(facts);
            assert_eq!(missing.is_empty(), ready_by_the_rule(*facts), "{facts:?}");
            ready += usize::from(missing.is_empty());
            // Never the same thing twice, and always something that can be fixed.
            let mut unique = missing.clone();
            unique.dedup();
            assert_eq!(unique, missing, "{facts:?}");
            assert_eq!(
                missing.contains(&Missing::CompanyInformation),
                !facts.company_information
            );
            assert_eq!(
                missing.contains(&Missing::PaymentMethod),
                facts.method.is_none()
            );
        }
        // Card: any delivery x any invoice email (6); invoice by email: any card (3);
        // by snail mail: any invoice email x any card (6).
        assert_eq!(ready, 2 * 3 + 3 + 2 * 3);
    }

    #[test]
    fn each_method_names_what_it_lacks() {
        let base = BillingFacts {
            company_information: true,
            method: Some(PaymentMethod::Card),
            delivery: Some(InvoiceDelivery::Email),
            invoice_email: true,
            card: CardState::None,
        };
        assert_eq!(missing(&base), [Missing::VerifiedCard]);
        let expired = BillingFacts {
            card: CardState::Expired,
            ..base
        };
        assert_eq!(missing(&expired), [Missing::CardExpired]);
        // Switching from a card to invoice keeps readiness only if invoice is complete.
        let invoice = BillingFacts {
            method: Some(PaymentMethod::Invoice),
            delivery: None,
            card: CardState::Valid,
            ..base
        };
        assert_eq!(missing(&invoice), [Missing::InvoiceDelivery]);
        let no_email = BillingFacts {
            delivery: Some(InvoiceDelivery::Email),
            invoice_email: false,
            ..invoice
        };
        assert_eq!(missing(&no_email), [Missing::InvoiceEmail]);
        let nothing = BillingFacts {
            company_information: false,
            method: None,
            delivery: None,
            invoice_email: false,
            card: CardState::None,
        };
        assert_eq!(
            missing(&nothing),
            [Missing::CompanyInformation, Missing::PaymentMethod]
        );
        assert_eq!(
            Missing::CompanyInformation.href("abc"),
            "/organizations/abc/settings"
        );
        assert_eq!(
            Missing::InvoiceEmail.href("abc"),
            "/organizations/abc/billing"
        );
    }

    #[test]
    fn stored_names_round_trip() {
        for m in PaymentMethod::ALL {
            assert_eq!(PaymentMethod::parse(m.as_str()), Some(m));
        }
        for d in InvoiceDelivery::ALL {
            assert_eq!(InvoiceDelivery::parse(d.as_str()), Some(d));
        }
        assert_eq!(PaymentMethod::parse("Card"), None);
        assert_eq!(InvoiceDelivery::parse(""), None);
    }

    proptest::proptest! {
        #[test]
        fn every_parser_of_billing_input_takes_any_text(input in crate::validate::any_text(60)) {
            let _ = PaymentMethod::parse(&input);
            let _ = InvoiceDelivery::parse(&input);
            let _ = CardFailure::parse(&input);
            let _ = parse_invoice_email(&input);
        }
    }
}
