//! The JSON API (DESIGN.md, "The JSON API"): `/api/<module>/<function>`,
//! GET or POST, HTTP Basic, one envelope for every answer, shaped like the
//! provider's existing API so that its customers' clients work unchanged.
//!
//! Each function calls the same operation as the page that does the same
//! thing (`<feature>::operations`); nothing here decides a business rule
//! or a permission. Every answer under `/api/` is the envelope, errors
//! included: never plain text or HTML.

mod functions;
mod openapi;
pub mod request;
pub mod types;

pub use functions::FUNCTIONS;

use crate::auth::Account;
use crate::error::AppError;
use crate::organizations::Principal;
use crate::server::{AppState, Client};

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use axum::Router;
use request::{Args, Basic};
use serde_json::{json, Map, Value};

/// The routes under `/api`, every one answered by [`call`].
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/api", any(call))
        .route("/api/", any(call))
        .route("/api/openapi.json", any(openapi::document))
        .route("/api/{*function}", any(call))
}

/// A payload: the keys that stand beside `status` and `debug`.
pub type Payload = Map<String, Value>;

/// One call as a function sees it.
pub struct Call<'a> {
    pub state: &'a AppState,
    pub args: &'a Args,
    /// Who authenticated, if anyone.
    pub principal: Option<Principal>,
    /// The Basic username: an email or a customer number.
    pub username: Option<String>,
    /// The temporary key (a session token) the call came with, if any.
    pub login_key: Option<String>,
    /// The client (address and User-Agent), for throttling log-ins and
    /// for the sessions the Account page lists.
    pub client: Client,
}

/// Answers any request under `/api`.
async fn call(State(state): State<AppState>, client: Client, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let now = state.clock.now();
    let query = parts.uri.query().map(str::to_owned);
    let body = axum::body::to_bytes(body, request::BODY_LIMIT).await;
    let kind = request::body_kind(
        parts
            .headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok()),
    );
    let args = match body {
        Err(_) => Err(Failure::too_large()),
        Ok(body) => request::arguments(query.as_deref(), &body, kind).map_err(Failure::from),
    };
    let echo = args.as_ref().map(request::echo).unwrap_or_default();
    let answer = async {
        if !matches!(parts.method, Method::GET | Method::POST) {
            return Err(Failure::method_not_allowed(
                "GET, POST",
                "Call API functions with GET or POST.",
            ));
        }
        // A browser keeps Basic credentials once typed: a page of another
        // site must not call the API with them (GET changes things too).
        if crate::server::security::is_cross_site(&parts.headers, &state.config.public_origin()) {
            return Err(AppError::Forbidden("Cross-site requests are not allowed.".into()).into());
        }
        let args = args?;
        let path = request::function_path(parts.uri.path()).ok_or_else(Failure::no_function)?;
        let function = FUNCTIONS
            .iter()
            .find(|f| f.path == path)
            .ok_or_else(Failure::no_function)?;
        check_arguments(function, &args)?;
        // A password belongs in a body: a URL ends up in logs and histories.
        if function.path == "user/login" {
            if parts.method != Method::POST {
                return Err(Failure::method_not_allowed(
                    "POST",
                    "Log in with POST, the password in the body.",
                ));
            }
            let in_query =
                url::form_urlencoded::parse(query.as_deref().unwrap_or_default().as_bytes())
                    .any(|(name, _)| name.eq_ignore_ascii_case("password"));
            if in_query {
                return Err(AppError::BadRequest(
                    "Send the password in the body, never in the URL.".into(),
                )
                .into());
            }
        }
        let basic = request::basic(
            parts
                .headers
                .get(header::AUTHORIZATION)
                .and_then(|v| v.to_str().ok()),
        )?;
        let call = authenticate(&state, &args, basic, client, now).await?;
        (function.run)(call).await.map_err(Failure::from)
    }
    .await;
    envelope(answer, echo, now)
}

/// Refuses card details (a card only ever goes through the provider's
/// page) and arguments the function does not take (a misspelled field
/// would otherwise change nothing and answer OK).
fn check_arguments(function: &functions::Function, args: &Args) -> Result<(), AppError> {
    let card = args.iter().any(|(name, value)| {
        request::names_card_details(name)
            // A long phone number can pass the Luhn check; it is checked as a phone.
            || (name != "phonenumber" && request::looks_like_pan(value))
    });
    if card {
        return Err(AppError::BadRequest(
            "Card details never pass through the API: call paymentcard/add and open paymentcard.url in a browser to enter the card there."
                .into(),
        ));
    }
    let takes = |name: &str| {
        name == "organizationnumber"
            || function
                .arguments
                .iter()
                .any(|argument| argument.trim_matches(['[', ']']) == name)
    };
    if let Some(unknown) = args.keys().find(|name| !takes(name)) {
        let known: Vec<&str> = function
            .arguments
            .iter()
            .map(|a| a.trim_matches(['[', ']']))
            .collect();
        let shown = if unknown
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_')
        {
            unknown.as_str()
        } else {
            "(a name that is not a word: was a JSON body sent as something else?)"
        };
        return Err(AppError::BadRequest(if known.is_empty() {
            format!("Unknown argument {shown}: {} takes none.", function.path)
        } else {
            format!(
                "Unknown argument {shown}: {} takes {}.",
                function.path,
                known.join(", ")
            )
        }));
    }
    Ok(())
}

/// Who the Basic credentials are: an API key (username = its
/// organization's customer number) or a temporary key from `user/login`
/// (username = the email, or a customer number). Wrong credentials are
/// `Unauthenticated`; none at all leave the call anonymous (functions that
/// need someone refuse it).
async fn authenticate<'a>(
    state: &'a AppState,
    args: &'a Args,
    basic: Option<Basic>,
    client: Client,
    now: crate::clock::Timestamp,
) -> Result<Call<'a>, Failure> {
    let mut call = Call {
        state,
        args,
        principal: None,
        username: None,
        login_key: None,
        client,
    };
    let Some(Basic { username, password }) = basic else {
        return Ok(call);
    };
    if password.starts_with(crate::api_keys::KEY_PREFIX) {
        let key = crate::api_keys::authenticate(&state.db, &username, &password, now)
            .await?
            .ok_or(AppError::Unauthenticated)?;
        call.principal = Some(Principal::Key(key));
    } else {
        let api = crate::auth::session::Kind::Api;
        let account: Account =
            crate::auth::session::account(&state.db, &password, api, &call.client.address, now)
                .await?
                .ok_or(AppError::Unauthenticated)?;
        // Per person, not per key: logging in again gives no fresh quota.
        crate::api_keys::count_call(&state.db, &person_caller(account.id), now).await?;
        // An email as the username must be the key's own.
        if username.contains('@') && !username.trim().eq_ignore_ascii_case(&account.email) {
            return Err(AppError::Unauthenticated.into());
        }
        call.principal = Some(Principal::Person(account));
        call.login_key = Some(password);
    }
    call.username = Some(username);
    Ok(call)
}

/// Why a call failed: an [`AppError`], or a request no function could be
/// found for (404), in a method the API does not take (405), or too big
/// (413).
#[derive(Debug)]
pub struct Failure {
    status: StatusCode,
    text: String,
    retry_after: Option<u64>,
    /// With 405: the methods that are allowed.
    allow: Option<&'static str>,
}

/// What a person's calls with temporary keys are counted under.
pub(crate) fn person_caller(account_id: i64) -> String {
    format!("person:{account_id}")
}

impl Failure {
    fn no_function() -> Self {
        Self {
            status: StatusCode::NOT_FOUND,
            text: "No such function: call /api/<module>/<function>; api/listfunctions lists them."
                .into(),
            retry_after: None,
            allow: None,
        }
    }

    pub(super) fn method_not_allowed(allow: &'static str, text: &str) -> Self {
        Self {
            status: StatusCode::METHOD_NOT_ALLOWED,
            text: text.into(),
            retry_after: None,
            allow: Some(allow),
        }
    }

    fn too_large() -> Self {
        Self {
            status: StatusCode::PAYLOAD_TOO_LARGE,
            text: format!(
                "The request body is over {} KiB.",
                request::BODY_LIMIT / 1024
            ),
            retry_after: None,
            allow: None,
        }
    }
}

impl From<AppError> for Failure {
    fn from(error: AppError) -> Self {
        let text = match &error {
            // The field named as the API names it, and why.
            AppError::Invalid(errors) => errors
                .iter()
                .map(|e| format!("{}: {}", functions::api_name(&e.field), e.message))
                .collect::<Vec<_>>()
                .join(" "),
            AppError::Unauthenticated => "Authentication required: HTTP Basic with the customer number and an API key, or with the key from user/login.".into(),
            other => other.to_string(),
        };
        let retry_after = match error {
            AppError::TooManyRequests {
                retry_after_secs, ..
            } => Some(retry_after_secs),
            _ => None,
        };
        Self {
            status: error.status(),
            text,
            retry_after,
            allow: None,
        }
    }
}

/// `{"response":{"status":{…},<payload>,"debug":{"input":{…}}}}`, with
/// the status code in the HTTP status line too.
pub(crate) fn envelope(
    answer: Result<Payload, Failure>,
    input: Map<String, Value>,
    now: crate::clock::Timestamp,
) -> Response {
    let (status, text, retry_after, allow, payload) = match answer {
        Ok(payload) => (StatusCode::OK, "OK".to_owned(), None, None, payload),
        Err(failure) => (
            failure.status,
            failure.text,
            failure.retry_after,
            failure.allow,
            Payload::new(),
        ),
    };
    let mut status_object = json!({
        "code": status.as_u16(),
        "timestamp": crate::clock::format_rfc3339(now),
        "text": text,
    });
    if let (Some(secs), Some(object)) = (retry_after, status_object.as_object_mut()) {
        object.insert("retryafter".into(), json!(secs));
    }
    let mut response_object = Map::new();
    response_object.insert("status".into(), status_object);
    response_object.extend(payload);
    response_object.insert("debug".into(), json!({ "input": input }));
    let body = json!({ "response": response_object }).to_string();
    let mut response = (status, body).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Some(value) = retry_after.and_then(|s| HeaderValue::from_str(&s.to_string()).ok()) {
        headers.insert(header::RETRY_AFTER, value);
    }
    if let Some(allow) = allow {
        headers.insert(header::ALLOW, HeaderValue::from_static(allow));
    }
    if status == StatusCode::UNAUTHORIZED {
        headers.insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Basic realm=\"Orgpanel API\", charset=\"UTF-8\""),
        );
    }
    response
}
