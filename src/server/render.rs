//! Rendering pages outside Leptos's own route handlers: the re-render of
//! a refused form, with what was typed and why it was refused.

use super::security::CspNonce;
use super::state::AppState;
use crate::error::AppError;
use crate::forms::Refused;
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

/// Renders the page at the request's path with `context` provided (the
/// error page of a failed request, a refused form), with `status`.
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

/// A refused form: the page it came from, rendered again with what was
/// typed (`form`, the form's posted type) and why it was refused, with the
/// error's status; without a session, 401.
pub async fn refused<F: Clone + Send + Sync + 'static>(
    state: &AppState,
    mut parts: Parts,
    error: AppError,
    form: F,
) -> Response {
    if error == AppError::Unauthenticated {
        return error.into_response();
    }
    // The page's own notes of success (`?saved=1`) must not stand beside a
    // refusal: the page is rendered at its bare path.
    if let Ok(path) = parts.uri.path().parse() {
        parts.uri = path;
    }
    let status = error.status();
    let mut response = render(
        state,
        parts,
        Refused {
            form,
            error: error.clone(),
        },
        Some(status),
    )
    .await;
    error.add_headers(&mut response);
    response
}

/// 303 See Other: where a successful form post sends the browser.
pub fn see_other(location: &str) -> Response {
    let location = HeaderValue::from_str(location).unwrap_or(HeaderValue::from_static("/"));
    (StatusCode::SEE_OTHER, [(header::LOCATION, location)]).into_response()
}
