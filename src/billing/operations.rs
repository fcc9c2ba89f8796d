//! What can be done to billing, by a person on Billing or through the API
//! alike: the method of payment and how invoices are delivered.

use super::{
    card, parse_invoice_email, store, BillingField, BillingView, CardState, InvoiceDelivery,
    PaymentMethod,
};
use crate::error::{AppError, AppResult};
use crate::organizations::{gate, Action, OrgAccess, Principal};
use crate::server::AppState;
use crate::validate::Email;

/// Billing as its page shows it (payments only to those who manage billing).
pub async fn view(state: &AppState, by: &Principal, org: &str) -> AppResult<BillingView> {
    let access = gate::authorize(&state.db, by, org, Action::View).await?;
    store::view(&state.db, access, state.clock.now()).await
}

/// What choosing a method of payment did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum MethodChosen {
    /// It is the method of payment now.
    Saved,
    /// A card must be added first, on the payment provider's card page at
    /// this address (the method changes once the card is verified).
    CardPage(String),
}

/// The method as posted, checked.
pub fn parse_method(method: &str) -> AppResult<PaymentMethod> {
    PaymentMethod::parse(method)
        .ok_or_else(|| AppError::field(BillingField::Method, "Choose a method of payment."))
}

/// Invoice delivery as posted, checked: the email is needed (and checked)
/// only for delivery by email.
pub fn parse_delivery(
    delivery: &str,
    invoice_email: &str,
) -> AppResult<(InvoiceDelivery, Option<Email>)> {
    let delivery = InvoiceDelivery::parse(delivery).ok_or_else(|| {
        AppError::field(BillingField::Delivery, "Choose how invoices are delivered.")
    })?;
    let email = match delivery {
        InvoiceDelivery::Email => Some(
            parse_invoice_email(invoice_email)
                .map_err(|m| AppError::field(BillingField::InvoiceEmail, m))?,
        ),
        InvoiceDelivery::SnailMail => None,
    };
    Ok((delivery, email))
}

/// Chooses the method of payment. A card goes through the provider's card
/// page unless a valid card is on file and the method is not a card
/// already (from a card to a card means a new card).
pub async fn choose_method(
    state: &AppState,
    by: &Principal,
    org: &str,
    method: &str,
) -> AppResult<MethodChosen> {
    let access = gate::authorize(&state.db, by, org, Action::ManageBilling).await?;
    let method = parse_method(method)?;
    let mut tx = state.db.write.begin().await?;
    let chosen = choose_method_in(&mut tx, &access, method, state.clock.now()).await?;
    tx.commit().await?;
    finish(state, &access, chosen, card::Back::Billing).await
}

/// What [`choose_method_in`] leaves to do after its transaction.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[must_use]
pub enum Chosen {
    Saved,
    /// Open the card page (a call to the provider: outside the transaction).
    NeedsCard,
}

/// [`choose_method`] inside the caller's write transaction; the card page,
/// if needed, is opened by [`finish`] once it is committed.
pub async fn choose_method_in(
    tx: &mut crate::server::db::Connection,
    access: &OrgAccess,
    method: PaymentMethod,
    now: crate::clock::Timestamp,
) -> AppResult<Chosen> {
    if method == PaymentMethod::Card {
        let facts = store::facts_in(tx, access.id, now).await?;
        if facts.method == Some(PaymentMethod::Card) || facts.card != CardState::Valid {
            return Ok(Chosen::NeedsCard);
        }
    }
    store::set_method_in(tx, access, method, now).await?;
    Ok(Chosen::Saved)
}

/// Opens the card page when [`choose_method_in`] asked for one; the
/// browser comes `back` there afterwards.
pub async fn finish(
    state: &AppState,
    access: &OrgAccess,
    chosen: Chosen,
    back: card::Back,
) -> AppResult<MethodChosen> {
    match chosen {
        Chosen::Saved => Ok(MethodChosen::Saved),
        Chosen::NeedsCard => card::start(state, access, back)
            .await
            .map(MethodChosen::CardPage),
    }
}

/// "Pay now" on an unpaid invoice: the provider's card page, whatever the
/// method of payment, for a card that then becomes the card in force (and
/// is charged what is unpaid at once: `invoices::charges`). Owner and
/// Billing only. Returns the card page's address.
pub async fn pay_with_new_card(state: &AppState, by: &Principal, org: &str) -> AppResult<String> {
    let access = gate::authorize(&state.db, by, org, Action::ManageBilling).await?;
    card::start(state, &access, card::Back::Billing).await
}

/// Sets how invoices are delivered (Invoice must be the method of payment).
pub async fn set_delivery(
    state: &AppState,
    by: &Principal,
    org: &str,
    delivery: &str,
    invoice_email: &str,
) -> AppResult<()> {
    let access = gate::authorize(&state.db, by, org, Action::ManageBilling).await?;
    let (delivery, email) = parse_delivery(delivery, invoice_email)?;
    let mut tx = state.db.write.begin().await?;
    store::set_delivery_in(
        &mut tx,
        &access,
        delivery,
        email.as_ref(),
        state.clock.now(),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// [`set_delivery`] inside the caller's write transaction.
pub use super::store::{set_delivery_in, settlement_in};
