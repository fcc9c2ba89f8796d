//! The one error type of the panel.
//!
//! - `Invalid`: the person typed something wrong; each field says why.
//! - `BadRequest`: a request no page of ours would send (malformed arguments).
//! - `Unauthenticated`: no session; pages send the visitor to log in.
//! - `BadCredentials`: a log-in that failed, without saying which part.
//! - `Forbidden`: signed in, but the role does not allow it.
//! - `NotFound`: does not exist, or is not the caller's to know about.
//! - `Conflict`: someone else saved meanwhile; nothing was overwritten.
//! - `SecondFactor`: the password was right, but the two-factor code is
//!   missing or wrong; the message says which.
//! - `TwoFactorRequired`: the organization requires two-factor log-in and
//!   the person has not turned it on; pages lead them to set it up.
//! - `BillingNotReady`: creating a service before billing is ready; lists what is missing.
//! - `TooManyRequests`: throttled; the message says when to try again.
//! - `Internal`: our fault. Built with [`AppError::internal`], which logs the
//!   cause under a reference id; only the reference reaches the person.

use crate::validate::{FieldError, FormField};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
pub enum AppError {
    #[error("{}", summary(.0))]
    Invalid(Vec<FieldError>),
    #[error("{0}")]
    BadRequest(String),
    #[error("Please log in.")]
    Unauthenticated,
    /// Said the same whether or not the email exists.
    #[error("Email or password is incorrect.")]
    BadCredentials,
    #[error("{0}")]
    Forbidden(String),
    #[error("Not found.")]
    NotFound,
    /// Someone else changed it meanwhile; nothing was overwritten.
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    SecondFactor(String),
    #[error("{organization} requires two-factor log-in of every collaborator. Turn it on for your account to open its pages.")]
    TwoFactorRequired { organization: String },
    #[error("{}", NOT_READY)]
    BillingNotReady,
    #[error("{message}")]
    TooManyRequests {
        message: String,
        retry_after_secs: u64,
    },
    #[error("Something went wrong on our side. If it happens again, quote reference {reference}.")]
    Internal { reference: String },
}

/// DESIGN.md's sentence, said wherever creating a service is refused
/// because billing is not ready.
pub const NOT_READY: &str = "You cannot create services until you have selected a payment method and provided all the necessary information.";

/// A request that failed before (or instead of) reaching a page: what the
/// panel's error page shows, with the response's status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestFailure {
    /// The HTTP status, 400–599.
    pub status: u16,
    /// One plain sentence for the person who sent the request.
    pub message: String,
    /// The page a refused form came from (its own path), to go back to.
    #[serde(default)]
    pub back: Option<String>,
}

fn summary(errors: &[FieldError]) -> String {
    errors
        .iter()
        .map(|e| e.message.as_str())
        .collect::<Vec<_>>()
        .join(" ")
}

pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    pub fn field(field: impl FormField, message: impl Into<String>) -> Self {
        Self::Invalid(vec![FieldError::new(field, message)])
    }

    /// The message for one field, if this error names it.
    pub fn field_message(&self, field: impl FormField) -> Option<&str> {
        match self {
            Self::Invalid(errors) => errors
                .iter()
                .find(|e| e.is_for(field))
                .map(|e| e.message.as_str()),
            _ => None,
        }
    }
}

/// Lets server functions return `Result<T, AppError>`.
impl leptos::server_fn::error::FromServerFnError for AppError {
    type Encoder = leptos::server_fn::codec::JsonEncoding;

    /// Serializing the error is the moment a server function answers with
    /// it, so its HTTP status is set here, once for all of them (`leptos_axum`
    /// would answer 500 for any error).
    fn ser(&self) -> leptos::server_fn::Bytes {
        use leptos::server_fn::Encodes as _;
        #[cfg(feature = "ssr")]
        if let Some(response) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
            response.set_status(self.status());
        }
        Self::Encoder::encode(self).unwrap_or_else(|_| {
            leptos::server_fn::Bytes::from_static(br#"{"Internal":{"reference":"encoding"}}"#)
        })
    }

    fn from_server_fn_error(value: leptos::server_fn::error::ServerFnErrorErr) -> Self {
        use leptos::server_fn::error::ServerFnErrorErr as E;
        match value {
            E::Args(m)
            | E::MissingArg(m)
            | E::Deserialization(m)
            | E::UnsupportedRequestMethod(m) => Self::BadRequest(m),
            #[cfg(feature = "ssr")]
            other => Self::internal(other),
            // In the browser: the request failed on its way (network, decoding).
            #[cfg(not(feature = "ssr"))]
            _ => Self::Internal {
                reference: "network".into(),
            },
        }
    }
}

#[cfg(feature = "ssr")]
mod ssr {
    use super::AppError;
    use axum::http::{header, HeaderValue, StatusCode};
    use axum::response::{IntoResponse, Response};
    use rand::Rng;

    impl AppError {
        /// Logs `cause` (never shown to the person) under a fresh reference id.
        #[track_caller]
        pub fn internal(cause: impl std::fmt::Display) -> Self {
            let reference = format!("{:08x}", rand::thread_rng().gen::<u32>());
            let location = std::panic::Location::caller();
            tracing::error!(%reference, %location, %cause, "internal error");
            Self::Internal { reference }
        }

        pub fn status(&self) -> StatusCode {
            match self {
                Self::Invalid(_) => StatusCode::UNPROCESSABLE_ENTITY,
                Self::BadRequest(_) => StatusCode::BAD_REQUEST,
                Self::Unauthenticated | Self::BadCredentials | Self::SecondFactor(_) => {
                    StatusCode::UNAUTHORIZED
                }
                Self::Forbidden(_) | Self::TwoFactorRequired { .. } => StatusCode::FORBIDDEN,
                Self::NotFound => StatusCode::NOT_FOUND,
                Self::Conflict(_) | Self::BillingNotReady => StatusCode::CONFLICT,
                Self::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
                Self::Internal { .. } => StatusCode::INTERNAL_SERVER_ERROR,
            }
        }
    }

    impl From<sqlx::Error> for AppError {
        #[track_caller]
        fn from(err: sqlx::Error) -> Self {
            Self::internal(err)
        }
    }

    impl From<tokio::task::JoinError> for AppError {
        #[track_caller]
        fn from(err: tokio::task::JoinError) -> Self {
            Self::internal(err)
        }
    }

    impl AppError {
        /// Adds what the error tells the client besides its status: when to
        /// try again after a 429.
        pub fn add_headers(&self, response: &mut Response) {
            if let Self::TooManyRequests {
                retry_after_secs, ..
            } = self
            {
                if let Ok(value) = HeaderValue::from_str(&retry_after_secs.to_string()) {
                    response.headers_mut().insert(header::RETRY_AFTER, value);
                }
            }
        }
    }

    /// A plain-text answer that carries the failure, so that outside
    /// `/api/` the panel's error page replaces it (`server::failures`).
    impl IntoResponse for AppError {
        fn into_response(self) -> Response {
            let mut response = (self.status(), self.to_string()).into_response();
            self.add_headers(&mut response);
            response.extensions_mut().insert(super::RequestFailure {
                status: self.status().as_u16(),
                message: self.to_string(),
                back: None,
            });
            response
        }
    }
}
