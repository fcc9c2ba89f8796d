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
    Form,
}

/// `application/json` (any parameters, any case) is JSON; anything else,
/// or none, is read as a form.
pub fn body_kind(content_type: Option<&str>) -> BodyKind {
    let essence = content_type
        .and_then(|value| value.split(';').next())
        .map(|value| value.trim().to_ascii_lowercase());
    match essence.as_deref() {
        Some("application/json") => BodyKind::Json,
        _ => BodyKind::Form,
    }
}

/// The query string's and the body's arguments, merged (the body wins);
/// `format` is dropped. A body that cannot be read is `BadRequest`.
pub fn arguments(query: Option<&str>, body: &[u8], kind: BodyKind) -> Result<Args, AppError> {
    let mut args = Args::new();
    for (name, value) in url::form_urlencoded::parse(query.unwrap_or_default().as_bytes()) {
        args.insert(name.to_ascii_lowercase(), value.into_owned());
    }
    let body_is_empty = body.iter().all(u8::is_ascii_whitespace);
    match kind {
        _ if body_is_empty => {}
        BodyKind::Form => {
            for (name, value) in url::form_urlencoded::parse(body) {
                args.insert(name.to_ascii_lowercase(), value.into_owned());
            }
        }
        BodyKind::Json => {
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
                    serde_json::Value::Number(number) => number.to_string(),
                    serde_json::Value::Bool(yes) => if yes { "yes" } else { "no" }.to_owned(),
                    serde_json::Value::Array(_) | serde_json::Value::Object(_) => {
                        return Err(AppError::BadRequest(format!(
                            "The argument {name} must be a string or a number."
                        )))
                    }
                };
                args.insert(name.to_ascii_lowercase(), text);
            }
        }
    }
    args.remove("format");
    Ok(args)
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

/// Names whose values are secrets: echoed as `"***"`.
const SECRET_NAMES: [&str; 9] = [
    "password",
    "apikey",
    "key",
    "otp",
    "cardnumber",
    "number",
    "pan",
    "cvc",
    "securitycode",
];

/// Whether `value` could be a card number (PAN): 13 to 19 digits, spaces
/// or dashes between, passing the Luhn check (ISO/IEC 7812).
pub fn looks_like_pan(value: &str) -> bool {
    let digits: Vec<u8> = value
        .bytes()
        .filter(|b| !matches!(b, b' ' | b'-'))
        .collect();
    value
        .bytes()
        .all(|b| b.is_ascii_digit() || matches!(b, b' ' | b'-'))
        && (13..=19).contains(&digits.len())
        && digits.iter().all(u8::is_ascii_digit)
        && crate::validate::luhn_ok(&digits)
}

/// The arguments as `debug.input` echoes them: secrets and anything that
/// could be a card number as `"***"`.
pub fn echo(args: &Args) -> serde_json::Map<String, serde_json::Value> {
    args.iter()
        .map(|(name, value)| {
            let hidden = SECRET_NAMES.contains(&name.as_str()) || looks_like_pan(value);
            let shown = if hidden { "***" } else { value.as_str() };
            (name.clone(), serde_json::Value::String(shown.to_owned()))
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
        let args = arguments(Some("a=1&B=2&format=json"), b"b=3&c=x+y", BodyKind::Form).unwrap();
        assert_eq!(args.get("a").map(String::as_str), Some("1"));
        assert_eq!(args.get("b").map(String::as_str), Some("3"));
        assert_eq!(args.get("c").map(String::as_str), Some("x y"));
        assert!(!args.contains_key("format"));
        let args = arguments(
            None,
            br#"{"Zip": 11122, "n": null, "ok": true}"#,
            BodyKind::Json,
        )
        .unwrap();
        assert_eq!(args.get("zip").map(String::as_str), Some("11122"));
        assert_eq!(args.get("ok").map(String::as_str), Some("yes"));
        assert!(!args.contains_key("n"));
        assert!(arguments(None, b"{", BodyKind::Json).is_err());
        assert!(arguments(None, b"[1]", BodyKind::Json).is_err());
        assert!(arguments(None, br#"{"a": [1]}"#, BodyKind::Json).is_err());
        assert_eq!(
            body_kind(Some("Application/JSON; charset=utf-8")),
            BodyKind::Json
        );
        assert_eq!(body_kind(None), BodyKind::Form);
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
            ("phonenumber".to_owned(), "+46701234567".to_owned()),
        ]);
        let echoed = echo(&args);
        assert_eq!(echoed["password"], "***");
        assert_eq!(echoed["note"], "***");
        assert_eq!(echoed["phonenumber"], "+46701234567");
    }
}
