//! The Account page (issue 17): a person's own name and password, the
//! sessions signed in as them (each can be logged out) and their security
//! events. Reached from the account name at the bottom of the sidebar.

#[cfg(feature = "ssr")]
pub mod handlers;
#[cfg(feature = "ssr")]
pub mod operations;
pub mod pages;

use crate::error::AppError;
use crate::validate::FormField;
use serde::{Deserialize, Serialize};

/// The fields of the Account page's forms.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AccountField {
    Name,
    CurrentPassword,
    NewPassword,
    NewEmail,
    /// The current password, in the email and two-factor forms.
    Password,
    /// A two-factor code (set-up, turning it off).
    Code,
}

impl FormField for AccountField {
    fn name(self) -> &'static str {
        match self {
            AccountField::Name => "name",
            AccountField::CurrentPassword => "current_password",
            AccountField::NewPassword => "new_password",
            AccountField::NewEmail => "new_email",
            AccountField::Password => "password",
            AccountField::Code => "code",
        }
    }
}

/// "Name": the person's name as shown to collaborators.
#[derive(Clone, Debug, Default, Deserialize)]
pub struct NameForm {
    #[serde(default)]
    pub name: String,
}

/// "Change password". No `Debug`: it holds two passwords; a refused one
/// goes back to the page empty.
#[derive(Clone, Default, Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    pub current_password: String,
    #[serde(default)]
    pub new_password: String,
}

/// "Change email": the new address and the current password. No `Debug`:
/// it holds a password; a refused one goes back with the address only.
#[derive(Clone, Default, Deserialize)]
pub struct EmailForm {
    #[serde(default)]
    pub new_email: String,
    #[serde(default)]
    pub password: String,
}

/// What finishes the set-up of two-factor log-in: the password, the
/// set-up's fingerprint and the app's code. No `Debug`.
#[derive(Clone, Default, Deserialize)]
pub struct TwoFactorCodeForm {
    #[serde(default)]
    pub password: String,
    #[serde(default)]
    pub setup: String,
    #[serde(default)]
    pub code: String,
}

/// "Turn off two-factor log-in": the password and a code. No `Debug`; a
/// refused one goes back to the page empty.
#[derive(Clone, Default, Deserialize)]
pub struct TwoFactorOffForm {
    #[serde(default)]
    pub password: String,
    #[serde(default)]
    pub code: String,
}

/// The ten recovery codes, shown once: on the page that answers the
/// set-up's confirmation, never stored in plain text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShownRecoveryCodes(pub Vec<String>);

/// Two-factor log-in as the Account page shows it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TwoFactorView {
    /// On since this time (UTC, "2026-11-30 04:12"), or off.
    pub on_since: Option<String>,
    pub recovery_codes_left: i64,
    /// An unfinished set-up: what to scan or type.
    pub setup: Option<SetupView>,
    /// The account's organizations that require it, by name: turning it
    /// off closes their pages to the account.
    pub required_by: Vec<String>,
}

/// An unfinished set-up of two-factor log-in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SetupView {
    /// The base32 secret in groups of four.
    pub secret: String,
    /// The QR code of the `otpauth://` URL, an `<svg>` made by the server.
    pub qr_svg: String,
    /// Sent back by the confirming form (see `auth::two_factor::Setup`).
    pub fingerprint: String,
}

/// "Resend" of the email confirmation link.
#[derive(Clone, Copy, Debug, Default, Deserialize)]
pub struct ResendForm;

/// "Log out" of one session: its public id (never its token).
#[derive(Clone, Debug, Default, Deserialize)]
pub struct SessionForm {
    #[serde(default)]
    pub session: String,
}

/// A live session of the account, as listed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionView {
    pub public_id: String,
    /// "Firefox on Linux", "API (user/login): Go-http-client/1.1".
    pub client: String,
    /// The User-Agent as sent, for those who want the details.
    pub user_agent: String,
    pub address: String,
    /// UTC, "2026-11-30 04:12".
    pub started: String,
    pub last_used: String,
    /// The session this page was asked for with.
    pub current: bool,
}

/// A security event, as listed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventView {
    pub at: String,
    pub what: String,
    pub address: String,
}

/// Everything the Account page shows.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountView {
    pub name: String,
    pub email: String,
    /// The email was confirmed through a link.
    pub email_verified: bool,
    pub two_factor: TwoFactorView,
    pub sessions: Vec<SessionView>,
    pub events: Vec<EventView>,
}

/// The signed-in account's page.
#[leptos::server(prefix = "/rpc")]
pub async fn fetch_account() -> Result<AccountView, AppError> {
    let state = leptos::prelude::use_context::<crate::server::AppState>()
        .ok_or_else(|| AppError::internal("AppState missing from context"))?;
    let account = crate::auth::current_account().ok_or(AppError::Unauthenticated)?;
    operations::view(&state, &account).await
}

/// A short name for the program behind a session: "Firefox on Linux" for
/// a browser, the User-Agent itself for anything else (an API client).
/// A hint for recognizing one's own devices, not a fact: User-Agents are
/// whatever the client sends. Order matters (Edge and Opera also say
/// Chrome; Chrome also says Safari).
#[must_use]
pub fn describe_user_agent(user_agent: &str) -> String {
    const BROWSERS: [(&str, &str); 7] = [
        ("Edg/", "Edge"),
        ("OPR/", "Opera"),
        ("Firefox/", "Firefox"),
        ("Chromium/", "Chromium"),
        ("HeadlessChrome/", "Chrome"),
        ("Chrome/", "Chrome"),
        ("Safari/", "Safari"),
    ];
    const SYSTEMS: [(&str, &str); 7] = [
        ("Android", "Android"),
        ("iPhone", "iPhone"),
        ("iPad", "iPad"),
        ("CrOS", "ChromeOS"),
        ("Windows", "Windows"),
        ("Mac OS X", "macOS"),
        ("Linux", "Linux"),
    ];
    let find = |table: &[(&str, &'static str)]| {
        table
            .iter()
            .find(|(mark, _)| user_agent.contains(mark))
            .map(|(_, name)| *name)
    };
    match (find(&BROWSERS), find(&SYSTEMS)) {
        (Some(browser), Some(system)) => format!("{browser} on {system}"),
        (Some(browser), None) => browser.to_owned(),
        _ if user_agent.trim().is_empty() => "Unknown program".to_owned(),
        _ => user_agent.chars().take(60).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::describe_user_agent;

    #[test]
    fn browsers_get_a_short_name_and_programs_keep_theirs() {
        for (agent, name) in [
            ("Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0", "Firefox on Linux"),
            ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0", "Edge on Windows"),
            ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1", "Safari on iPhone"),
            ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36", "Chrome on Android"),
            ("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15", "Safari on macOS"),
            ("Go-http-client/1.1", "Go-http-client/1.1"),
            ("", "Unknown program"),
        ] {
            assert_eq!(describe_user_agent(agent), name, "{agent}");
        }
    }
}
