//! The POST side of Billing: the method of payment, invoice delivery and
//! "Pay now".

use super::operations::{choose_method, pay_with_new_card, set_delivery, MethodChosen};
use super::{DeliveryChoice, MethodChoice};
use crate::auth::Account;
use crate::organizations::Principal;
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
    /// "Pay now" on an unpaid invoice.
    Pay,
}

pub async fn billing(
    State(state): State<AppState>,
    Extension(account): Extension<Account>,
    Path(org): Path<String>,
    parts: Parts,
    Form(form): Form<BillingForm>,
) -> Response {
    let page = format!("/organizations/{org}/billing");
    let by = Principal::Person(account);
    match form {
        BillingForm::Method(form) => match choose_method(&state, &by, &org, &form.method).await {
            Ok(MethodChosen::Saved) => see_other(&format!("{page}?saved=method")),
            Ok(MethodChosen::CardPage(url)) => see_other(&url),
            Err(error) => refused(&state, parts, error, form).await,
        },
        BillingForm::Pay => match pay_with_new_card(&state, &by, &org).await {
            Ok(url) => see_other(&url),
            Err(error) => refused(&state, parts, error, MethodChoice::default()).await,
        },
        BillingForm::Delivery(form) => {
            match set_delivery(&state, &by, &org, &form.delivery, &form.invoice_email).await {
                Ok(()) => see_other(&format!("{page}?saved=delivery")),
                Err(error) => refused(&state, parts, error, form).await,
            }
        }
    }
}
