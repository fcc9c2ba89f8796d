//! Rendering pages outside Leptos's own route handlers: the re-render of
//! a refused form, with what was typed and why it was refused.

use super::security::CspNonce;
use super::state::AppState;
use crate::error::AppError;
use crate::forms::{FormFeedback, FormValues};
use axum::body::Body;
use axum::http::request::Parts;
use axum::http::{header, HeaderValue, Method, Request, StatusCode};
use axum::response::{IntoResponse, Response};
use leptos::prelude::*;

/// Hands the request's CSP nonce to Leptos, so its inline scripts carry it.
pub fn provide_csp_nonce() {
    let nonce =
        use_context::<Parts>().and_then(|parts| parts.extensions.get::<CspNonce>().cloned());
    if let Some(CspNonce(nonce)) = nonce {
        provide_context(leptos::nonce::Nonce::from_value(nonce));
    }
}

/// Renders the page at the request's path again with `feedback` in context,
/// with the status that the error calls for.
pub async fn render_with_feedback(
    state: &AppState,
    parts: Parts,
    feedback: FormFeedback,
) -> Response {
    let status = feedback.error.as_ref().map(|e| e.status());
    let error = feedback.error.clone();
    let mut response = render(state, parts, feedback, status).await;
    if let Some(error) = error {
        error.add_headers(&mut response);
    }
    response
}

/// The same for a form whose feedback is a type of its own (company information).
pub async fn render_with_context<C: Clone + Send + Sync + 'static>(
    state: &AppState,
    parts: Parts,
    context: C,
    status: StatusCode,
) -> Response {
    render(state, parts, context, Some(status)).await
}

async fn render<C: Clone + Send + Sync + 'static>(
    state: &AppState,
    mut parts: Parts,
    context: C,
    status: Option<StatusCode>,
) -> Response {
    let options = state.config.leptos.clone();
    let shell = state.shell;
    let app_state = state.clone();
    let handler = leptos_axum::render_app_async_with_context(
        move || {
            provide_context(app_state.clone());
            provide_context(context.clone());
        },
        move || shell(options.clone()),
    );
    parts.method = Method::GET;
    let mut response = handler(Request::from_parts(parts, Body::empty())).await;
    if let Some(status) = status {
        *response.status_mut() = status;
    }
    response
}

/// A refused form: field errors, 403, 409 and our own faults re-render the
/// page with what was typed and why; without a session, 401.
pub async fn refused(
    state: &AppState,
    parts: Parts,
    error: AppError,
    values: Vec<(String, String)>,
) -> Response {
    match error {
        AppError::Unauthenticated => error.into_response(),
        error => {
            render_with_feedback(
                state,
                parts,
                FormFeedback {
                    values: FormValues(values),
                    error: Some(error),
                },
            )
            .await
        }
    }
}

/// 303 See Other: where a successful form post sends the browser.
pub fn see_other(location: &str) -> Response {
    let location = HeaderValue::from_str(location).unwrap_or(HeaderValue::from_static("/"));
    (StatusCode::SEE_OTHER, [(header::LOCATION, location)]).into_response()
}
