//! `GET /organizations/{org}/invoices/{number}.pdf`: an invoice's PDF.

use crate::auth::Account;
use crate::error::AppError;
use crate::organizations::Principal;
use crate::server::AppState;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Extension;

/// The PDF as a download named `invoice-12.pdf`, never cached by a shared
/// cache (it holds the customer's details).
pub async fn pdf(
    State(state): State<AppState>,
    Extension(account): Extension<Account>,
    Path((org, file)): Path<(String, String)>,
) -> Response {
    let Some(number) = file.strip_suffix(".pdf").and_then(super::parse_number) else {
        return AppError::NotFound.into_response();
    };
    match super::operations::pdf(&state, &Principal::Person(account), &org, number).await {
        Ok((name, bytes)) => (
            [
                (header::CONTENT_TYPE, "application/pdf".to_owned()),
                (
                    header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{name}\""),
                ),
                (header::CACHE_CONTROL, "private, no-store".to_owned()),
            ],
            bytes,
        )
            .into_response(),
        Err(error) => error.into_response(),
    }
}
