//! Reading an API request the way the provider's clients send it
//! (DESIGN.md, "The JSON API"): the function from the path, the arguments
//! merged from the query string and a form or JSON body, and HTTP Basic.

use crate::error::AppError;
use base64::Engine as _;
use std::collections::BTreeMap;

/// The most a request body may hold.
pub const BODY_LIMIT: usize = 64 * 1024;

/// The arguments of a call, by lower-case name; numbers as their text.
pub type Args = BTreeMap<String, String>;

/// `module/function` from the path after `/api`: lower case; a trailing
/// or doubled slash and a `/format/json` suffix are accepted. `None` when
/// the path names no function.
pub fn function_path(path: &str) -> Option<String> {
    let rest = path.strip_prefix("/api")?;
    let mut segments: Vec<String> = rest
        .split('/')
        .filter(|s| !s.is_empty())
        .map(str::to_ascii_lowercase)
        .collect();
    if segments.len() == 4 && segments[2] == "format" && segments[3] == "json" {
        segments.truncate(2);
    }
    (segments.len() == 2).then(|| segments.join("/"))
}

/// What the body is, by its `Content-Type`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BodyKind {
    Json,
    /// A form, another type or none: read as JSON when it is a JSON object,
    /// else as a form (clients send JSON with curl's default form type).
    Sniffed,
    /// A multipart body: refused.
    Multipart,
}

/// `application/json` (any parameters, any case) is JSON, multipart is
/// refused, anything else (a form, or none) is told by its content.
pub fn body_kind(content_type: Option<&str>) -> BodyKind {
    let essence = content_type
        .and_then(|value| value.split(';').next())
        .map(|value| value.trim().to_ascii_lowercase());
    match essence.as_deref() {
        Some("application/json") => BodyKind::Json,
        Some(multipart) if multipart.starts_with("multipart/") => BodyKind::Multipart,
        _ => BodyKind::Sniffed,
    }
}

/// The query string's and the body's arguments, merged (the body wins);
/// `format` is dropped. A body that cannot be read is `BadRequest`.
pub fn arguments(query: Option<&str>, body: &[u8], kind: BodyKind) -> Result<Args, AppError> {
    let mut args = Args::new();
    for (name, value) in url::form_urlencoded::parse(query.unwrap_or_default().as_bytes()) {
        args.insert(name.to_ascii_lowercase(), value.into_owned());
    }
    // A byte order mark is not part of the arguments.
    let body = body.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(body);
    let first = body.iter().find(|b| !b.is_ascii_whitespace());
    match (kind, first) {
        (_, None) => {}
        (BodyKind::Multipart, _) => {
            return Err(AppError::BadRequest(
                "Send the arguments as a query string, a form (application/x-www-form-urlencoded) or a JSON object (application/json)."
                    .into(),
            ))
        }
        (BodyKind::Json, _) | (BodyKind::Sniffed, Some(b'{')) => json_arguments(body, &mut args)?,
        (BodyKind::Sniffed, _) => {
            for (name, value) in url::form_urlencoded::parse(body) {
                args.insert(name.to_ascii_lowercase(), value.into_owned());
            }
        }
    }
    args.remove("format");
    Ok(args)
}

/// A JSON object's members as arguments: strings, and numbers as their text.
fn json_arguments(body: &[u8], args: &mut Args) -> Result<(), AppError> {
    let value: serde_json::Value = serde_json::from_slice(body)
        .map_err(|e| AppError::BadRequest(format!("The body is not valid JSON: {e}.")))?;
    let serde_json::Value::Object(object) = value else {
        return Err(AppError::BadRequest(
            "The body must be a JSON object of arguments.".into(),
        ));
    };
    for (name, value) in object {
        let text = match value {
            serde_json::Value::Null => continue,
            serde_json::Value::String(text) => text,
            // 4.2e15 is the integer 4200000000000000, as a client meant it.
            serde_json::Value::Number(number) => match number.as_f64() {
                Some(f) if number.is_f64() && f.fract() == 0.0 && f.abs() < 9.0e15 => {
                    format!("{f:.0}")
                }
                _ => number.to_string(),
            },
            _ => {
                return Err(AppError::BadRequest(format!(
                    "The argument {name} must be a string or a number."
                )))
            }
        };
        args.insert(name.to_ascii_lowercase(), text);
    }
    Ok(())
}

/// HTTP Basic credentials (RFC 7617): `None` when absent; an unreadable
/// header is `Unauthenticated`. No `Debug`: the password is a key.
pub struct Basic {
    pub username: String,
    pub password: String,
}

pub fn basic(header: Option<&str>) -> Result<Option<Basic>, AppError> {
    let Some(header) = header else {
        return Ok(None);
    };
    let (scheme, encoded) = header
        .trim()
        .split_once(' ')
        .ok_or(AppError::Unauthenticated)?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return Err(AppError::Unauthenticated);
    }
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .ok()
        .and_then(|bytes| String::from_utf8(bytes).ok())
        .ok_or(AppError::Unauthenticated)?;
    let (username, password) = decoded.split_once(':').ok_or(AppError::Unauthenticated)?;
    if username.is_empty() && password.is_empty() {
        return Ok(None);
    }
    Ok(Some(Basic {
        username: username.to_owned(),
        password: password.to_owned(),
    }))
}

/// Parts of argument names whose values are secrets.
const SECRET_PARTS: [&str; 9] = [
    "pass",
    "key",
    "token",
    "secret",
    "auth",
    "bearer",
    "session",
    "cookie",
    "credential",
];

/// Whether an argument named `name` is a card's details by its name.
pub fn names_card_details(name: &str) -> bool {
    ["card", "cvc", "cvv"]
        .iter()
        .any(|part| name.contains(part))
        || ["pan", "number", "securitycode", "expiry", "exp"].contains(&name)
}

pub use crate::validate::looks_like_pan;

/// Whether `value` could be a secret token: a long word of base64url.
fn looks_like_token(value: &str) -> bool {
    value.len() >= 32
        && value.bytes().all(|b| {
            b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'+' | b'/' | b'=')
        })
}

/// Whether the argument `name` = `value` is hidden in `debug.input`: a
/// secret by its name, an API key, or anything that could be a card number.
fn is_secret(name: &str, value: &str) -> bool {
    SECRET_PARTS.iter().any(|part| name.contains(part))
        || ["otp", "totp", "code", "twofactor", "mfa", "pw", "pin"].contains(&name)
        || names_card_details(name)
        || value.to_ascii_lowercase().contains(crate::api_keys::KEY_PREFIX)
        || looks_like_token(value)
        || looks_like_pan(value)
        // A name no client sends on purpose (a JSON body read as a form).
        || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// The arguments as `debug.input` echoes them: secrets, keys and anything
/// that could be a card number as `"***"`.
pub fn echo(args: &Args) -> serde_json::Map<String, serde_json::Value> {
    args.iter()
        .map(|(name, value)| {
            // Echoed to show what arrived, not to hand a whole body back.
            let shown = if is_secret(name, value) {
                "***".to_owned()
            } else if value.chars().count() > 200 {
                value
                    .chars()
                    .take(200)
                    .chain(std::iter::once('…'))
                    .collect()
            } else {
                value.clone()
            };
            let name = if name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
                name.clone()
            } else {
                "***".to_owned()
            };
            (name, serde_json::Value::String(shown))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_as_the_clients_write_them() {
        for path in [
            "/api/customer/settings",
            "/api/customer/settings/",
            "/api//customer//settings",
            "/api/Customer/Settings",
            "/api/customer/settings/format/json",
            "/api/customer/settings/format/json/",
        ] {
            assert_eq!(
                function_path(path).as_deref(),
                Some("customer/settings"),
                "{path}"
            );
        }
        for path in ["/api", "/api/", "/api/customer", "/api/a/b/c", "/apix/a/b"] {
            assert_eq!(function_path(path), None, "{path}");
        }
    }

    #[test]
    fn arguments_merge_query_form_and_json() {
        let args = arguments(Some("a=1&B=2&format=json"), b"b=3&c=x+y", BodyKind::Sniffed).unwrap();
        assert_eq!(args.get("a").map(String::as_str), Some("1"));
        assert_eq!(args.get("b").map(String::as_str), Some("3"));
        assert_eq!(args.get("c").map(String::as_str), Some("x y"));
        assert!(!args.contains_key("format"));
        let args = arguments(None, br#"{"Zip": 11122, "n": null}"#, BodyKind::Json).unwrap();
        assert_eq!(args.get("zip").map(String::as_str), Some("11122"));
        assert!(!args.contains_key("n"));
        // JSON sent as a form (curl's default type), with a byte order mark.
        let args = arguments(None, b"\xEF\xBB\xBF{\"city\": \"Lund\"}", BodyKind::Sniffed).unwrap();
        assert_eq!(args.get("city").map(String::as_str), Some("Lund"));
        assert!(arguments(None, br#"{"ok": true}"#, BodyKind::Json).is_err());
        let args = arguments(
            None,
            br#"{"a": 4.242424242424242e15, "b": 1.5}"#,
            BodyKind::Json,
        )
        .unwrap();
        assert_eq!(args.get("a").map(String::as_str), Some("4242424242424242"));
        assert_eq!(args.get("b").map(String::as_str), Some("1.5"));
        assert!(arguments(None, b"--x\r\n", BodyKind::Multipart).is_err());
        assert!(arguments(None, b"{", BodyKind::Json).is_err());
        assert!(arguments(None, b"[1]", BodyKind::Json).is_err());
        assert!(arguments(None, br#"{"a": [1]}"#, BodyKind::Json).is_err());
        assert_eq!(
            body_kind(Some("Application/JSON; charset=utf-8")),
            BodyKind::Json
        );
        assert_eq!(body_kind(None), BodyKind::Sniffed);
        assert_eq!(
            body_kind(Some("multipart/form-data; boundary=x")),
            BodyKind::Multipart
        );
    }

    #[test]
    fn basic_credentials_and_what_is_echoed() {
        let header = format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode("1234567:opk_x")
        );
        let creds = basic(Some(&header)).unwrap().unwrap();
        assert_eq!(
            (creds.username.as_str(), creds.password.as_str()),
            ("1234567", "opk_x")
        );
        let empty = format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(":")
        );
        assert!(basic(Some(&empty)).unwrap().is_none());
        assert!(basic(Some("Bearer x")).is_err());
        let args = Args::from([
            ("password".to_owned(), "hunter2".to_owned()),
            ("note".to_owned(), "4242 4242 4242 4242".to_owned()),
            ("memo".to_owned(), "card 4242.4242.4242.4242 ok".to_owned()),
            ("other".to_owned(), "x opk_abc".to_owned()),
            ("cvv".to_owned(), "123".to_owned()),
            ("phonenumber".to_owned(), "+46701234567".to_owned()),
            ("{\"password\":\"hunter2\"}".to_owned(), String::new()),
            ("pw".to_owned(), "hunter3".to_owned()),
            ("authorization".to_owned(), "Basic abc".to_owned()),
            (
                "foo".to_owned(),
                "CTYY4WZn6Mw_XG2evrkXYd_Z6GgaXnJQSYaboMpa1OI".to_owned(),
            ),
            ("long".to_owned(), "x ".repeat(500)),
        ]);
        let echoed = echo(&args);
        assert!(echoed["long"].as_str().unwrap().chars().count() <= 201);
        for hidden in [
            "password",
            "note",
            "memo",
            "other",
            "cvv",
            "pw",
            "authorization",
            "foo",
        ] {
            assert_eq!(echoed[hidden], "***", "{hidden}");
        }
        assert_eq!(echoed["phonenumber"], "+46701234567");
        assert!(!serde_json::Value::Object(echoed)
            .to_string()
            .contains("hunter2"));
        assert!(!looks_like_pan("556036-0793"));
        assert!(!looks_like_pan("+46701234567"));
        assert!(!looks_like_pan("Storgatan 1, 114 37 Stockholm"));
        for pan in [
            "Box 4242\u{a0}4242\u{a0}4242\u{a0}4242",
            "4242\u{202f}4242\u{202f}4242\u{202f}4242",
            "４２４２４２４２４２４２４２４２",
            "4242_4242_4242_4242",
            "4242\u{200b}4242\u{200b}4242\u{200b}4242",
        ] {
            assert!(looks_like_pan(pan), "{pan}");
        }
    }
}
