//! Every failed request gets one of the panel's own pages, never a raw
//! message or a dropped connection: a handler that panics, an extractor that
//! rejects a body (malformed form, missing field, too large), or an
//! [`AppError`] answered outside a page render.

use super::state::AppState;
use crate::error::{AppError, RequestFailure};
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// Answers a panic with 500 and a reference; the panic's message is logged
/// under that reference, never shown.
pub fn panic_response(panic: Box<dyn std::any::Any + Send + 'static>) -> Response {
    let cause = panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("a panic without a message");
    AppError::internal(format!("panic: {cause}")).into_response()
}

/// What a status means to the person who sent the request, when nothing
/// more specific was said.
fn plain_sentence(status: StatusCode) -> &'static str {
    match status {
        StatusCode::PAYLOAD_TOO_LARGE => {
            "What you sent is too long: a form takes at most 64 KB. Shorten the longest field and try again."
        }
        StatusCode::METHOD_NOT_ALLOWED => {
            "This address does not take that kind of request: open the page from the panel's menu."
        }
        StatusCode::INTERNAL_SERVER_ERROR => {
            "Something went wrong on our side. Please try again."
        }
        _ => {
            "This request could not be read: it may come from an old or changed page. Go back, reload the page and try again."
        }
    }
}

/// Replaces a failure that carries no page of its own (a plain-text or
/// empty body with an error status) by the panel's error page with the same
/// status. Server functions (`/rpc/…`, JSON) and pages keep their answers.
pub async fn error_pages(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let path = request.uri().path();
    if path.starts_with("/rpc/") || path.starts_with("/api/") {
        return next.run(request).await;
    }
    let uri = request.uri().clone();
    // A refused form posts to its own page: that is the way back.
    let back = (request.method() == axum::http::Method::POST && uri.path() != "/logout")
        .then(|| uri.path().to_owned());
    let nonce = request
        .extensions()
        .get::<super::security::CspNonce>()
        .cloned();
    let response = next.run(request).await;
    let status = response.status();
    let mut failure = if let Some(failure) = response.extensions().get::<RequestFailure>() {
        failure.clone()
    } else {
        let is_page = response
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("text/html") || v.starts_with("application/json"));
        let refused =
            status.is_client_error() && status != StatusCode::NOT_FOUND || status.is_server_error();
        if is_page || !refused {
            return response;
        }
        tracing::info!(%status, path = %super::loggable_path(uri.path()), "request refused before it reached a page");
        RequestFailure {
            status: status.as_u16(),
            message: plain_sentence(status).to_owned(),
            back: None,
        }
    };
    if failure.status < 500 {
        failure.back = back;
    }
    let kept = [header::RETRY_AFTER, header::LOCATION]
        .into_iter()
        .filter_map(|name| response.headers().get(&name).map(|v| (name, v.clone())))
        .collect::<Vec<_>>();
    let mut page_request = Request::builder()
        .uri(uri)
        .body(Body::empty())
        .unwrap_or_default();
    if let Some(nonce) = nonce {
        page_request.extensions_mut().insert(nonce);
    }
    let (parts, _) = page_request.into_parts();
    let mut page = super::render::render_with_context(&state, parts, failure, status).await;
    for (name, value) in kept {
        page.headers_mut().insert(name, value);
    }
    page
}
