//! Who is behind a request, as far as the server can tell: the client
//! address and the browser's User-Agent. Used for throttles, for the
//! sessions the Account page lists and for security events.

use super::AppState;
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::{header, request::Parts, Extensions, HeaderMap};
use std::convert::Infallible;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};

/// The longest User-Agent kept, in characters: enough to tell browsers
/// apart, not a place to store a megabyte.
const USER_AGENT_CHARS: usize = 200;

/// The client of a request: `address` per [`super::Config::client_address`]
/// (a trusted proxy's `X-Forwarded-For` read from the right), `user_agent`
/// as the browser sent it, cut to 200 characters, empty when absent.
#[derive(Clone, Debug, Default)]
pub struct Client {
    pub address: String,
    pub user_agent: String,
}

impl FromRequestParts<AppState> for Client {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Infallible> {
        let address = address_of(state, &parts.extensions, &parts.headers);
        let user_agent = parts
            .headers
            .get(header::USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(|v| v.chars().take(USER_AGENT_CHARS).collect())
            .unwrap_or_default();
        Ok(Self {
            address,
            user_agent,
        })
    }
}

/// The client address of a request (its extensions and headers), as
/// [`Client::address`], for middleware that holds the whole request.
pub fn address_of(state: &AppState, extensions: &Extensions, headers: &HeaderMap) -> String {
    // Always present behind `into_make_service_with_connect_info`.
    let peer = extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED), |c| c.0.ip());
    state.config.client_address(peer, headers).to_string()
}
