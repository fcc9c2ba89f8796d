//! The POST side of Billing: the method of payment and invoice delivery.

use super::{
    card, parse_invoice_email, store, BillingField, CardState, DeliveryChoice, InvoiceDelivery,
    MethodChoice, PaymentMethod,
};
use crate::auth::Account;
use crate::error::{AppError, AppResult};
use crate::organizations::{gate::authorize, Action};
use crate::server::render::{refused, see_other};
use crate::server::AppState;
use axum::extract::{Path, State};
use axum::http::request::Parts;
use axum::response::Response;
use axum::{Extension, Form};
use serde::Deserialize;

/// Billing's two forms, told apart by their `intent`.
#[derive(Deserialize)]
#[serde(tag = "intent", rename_all = "lowercase")]
pub enum BillingForm {
    Method(MethodChoice),
    Delivery(DeliveryChoice),
}

pub async fn billing(
    State(state): State<AppState>,
    Extension(account): Extension<Account>,
    Path(org): Path<String>,
    parts: Parts,
    Form(form): Form<BillingForm>,
) -> Response {
    let page = format!("/organizations/{org}/billing");
    match form {
        BillingForm::Method(form) => match set_method(&state, &account, &org, &form.method).await {
            Ok(location) => see_other(&location),
            Err(error) => refused(&state, parts, error, form).await,
        },
        BillingForm::Delivery(form) => {
            match set_delivery(&state, &account, &org, &form.delivery, &form.invoice_email).await {
                Ok(()) => see_other(&format!("{page}?saved=delivery")),
                Err(error) => refused(&state, parts, error, form).await,
            }
        }
    }
}

/// Returns where the browser goes next: Billing, or the provider's card page.
async fn set_method(
    state: &AppState,
    account: &Account,
    org: &str,
    method: &str,
) -> AppResult<String> {
    let access = authorize(&state.db, account.id, org, Action::ManageBilling).await?;
    let method = PaymentMethod::parse(method)
        .ok_or_else(|| AppError::field(BillingField::Method, "Choose a method of payment."))?;
    let saved = format!("/organizations/{org}/billing?saved=method");
    let now = state.clock.now();
    if method == PaymentMethod::Card {
        // Back to a valid card kept on file needs no new verification; from
        // a card to a card means a new card.
        let facts = store::facts(&state.db, access.id, now).await?;
        if facts.method == Some(PaymentMethod::Card) || facts.card != CardState::Valid {
            return card::start(state, &access, account.id).await;
        }
    }
    store::set_method(&state.db, &access, account.id, method, now).await?;
    Ok(saved)
}

async fn set_delivery(
    state: &AppState,
    account: &Account,
    org: &str,
    delivery: &str,
    invoice_email: &str,
) -> AppResult<()> {
    let access = authorize(&state.db, account.id, org, Action::ManageBilling).await?;
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
    store::set_delivery(
        &state.db,
        &access,
        account.id,
        delivery,
        email.as_ref(),
        state.clock.now(),
    )
    .await
}
