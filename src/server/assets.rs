//! Static files: the hashed bundle under /pkg (cached for a year), the
//! rest of the site root, and the names in `hash.txt` of a release build.

use axum::http::{header, HeaderValue};
use leptos::config::LeptosOptions;
use std::sync::OnceLock;
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

/// The `css:` line of the hash file that the release build writes next to
/// the binary (where Leptos reads the `js:` and `wasm:` lines).
pub fn css_hash(options: &LeptosOptions) -> Option<&'static str> {
    static HASH: OnceLock<Option<String>> = OnceLock::new();
    HASH.get_or_init(|| {
        if !options.hash_files {
            return None;
        }
        let path = std::env::current_exe()
            .ok()?
            .parent()?
            .join(options.hash_file.as_ref());
        let text = std::fs::read_to_string(path).ok()?;
        text.lines()
            .filter_map(|line| line.split_once(':'))
            .find(|(kind, _)| kind.trim() == "css")
            .map(|(_, hash)| hash.trim().to_owned())
    })
    .as_deref()
}

/// `/pkg`: names change with content when hashed, so they may be cached for good.
pub fn pkg_service(options: &LeptosOptions) -> axum::Router {
    let dir = format!("{}/{}", options.site_root, options.site_pkg_dir);
    let cache = if options.hash_files {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    axum::Router::new()
        .fallback_service(ServeDir::new(dir).precompressed_br().precompressed_gzip())
        .layer(SetResponseHeaderLayer::overriding(
            header::CACHE_CONTROL,
            HeaderValue::from_static(cache),
        ))
}
