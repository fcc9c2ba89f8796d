//! Static files: the hashed bundle under /pkg (cached for a year), the
//! rest of the site root, and the names in `hash.txt` of a release build.

use axum::http::{header, HeaderValue};
use axum::response::Response;
use leptos::config::LeptosOptions;
use std::sync::OnceLock;
use tower_http::services::ServeDir;

/// The `css:` line of the hash file that the release build writes next to
/// the binary (where Leptos reads the `js:` and `wasm:` lines). Kept once
/// found; until then read again, so a file put in place after the start
/// is still found.
pub fn css_hash(options: &LeptosOptions) -> Option<&'static str> {
    static HASH: OnceLock<String> = OnceLock::new();
    if !options.hash_files {
        return None;
    }
    if let Some(hash) = HASH.get() {
        return Some(hash);
    }
    let path = std::env::current_exe()
        .ok()?
        .parent()?
        .join(options.hash_file.as_ref());
    let text = std::fs::read_to_string(path).ok()?;
    let hash = text
        .lines()
        .filter_map(|line| line.split_once(':'))
        .find(|(kind, _)| kind.trim() == "css")
        .map(|(_, hash)| hash.trim().to_owned())?;
    Some(HASH.get_or_init(|| hash))
}

/// `/pkg`: names change with content when hashed, so a file found may be
/// cached for good; a miss is never cached (it may be there after a deploy).
pub fn pkg_service(options: &LeptosOptions) -> axum::Router {
    let dir = format!("{}/{}", options.site_root, options.site_pkg_dir);
    let cache = if options.hash_files {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    axum::Router::new()
        .fallback_service(ServeDir::new(dir).precompressed_br().precompressed_gzip())
        .layer(axum::middleware::map_response(
            move |mut response: Response| async move {
                let found = response.status().is_success() || response.status().is_redirection();
                let value = if found { cache } else { "no-store" };
                response
                    .headers_mut()
                    .insert(header::CACHE_CONTROL, HeaderValue::from_static(value));
                response
            },
        ))
}
