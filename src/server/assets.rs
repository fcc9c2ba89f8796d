//! Static files: the hashed bundle under /pkg (cached for a year), the
//! rest of the site root, and the names in `hash.txt` of a release build.

use axum::http::{header, HeaderValue};
use axum::response::Response;
use leptos::config::LeptosOptions;
use std::sync::OnceLock;
use tower_http::services::ServeDir;

/// The bundle's file names under `/pkg`: `orgpanel.<hash>.css`, `.js` and
/// `.wasm` from the `css:`, `js:` and `wasm:` lines of the hash file that
/// the release build writes next to the binary; without hashing,
/// wasm-bindgen's own names (`orgpanel.js`, `orgpanel_bg.wasm`). Read once
/// found (Leptos's own `HydrationScripts` read it on every request); until
/// then read again, so a file put in place after the start is still found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BundleNames {
    pub css: String,
    pub js: String,
    pub wasm: String,
}

pub fn bundle_names(options: &LeptosOptions) -> &'static BundleNames {
    static NAMES: OnceLock<BundleNames> = OnceLock::new();
    static MISSING: OnceLock<BundleNames> = OnceLock::new();
    if let Some(names) = NAMES.get() {
        return names;
    }
    let pkg = format!("/{}/{}", options.site_pkg_dir, options.output_name);
    if !options.hash_files {
        return NAMES.get_or_init(|| BundleNames {
            css: format!("{pkg}.css"),
            js: format!("{pkg}.js"),
            wasm: format!("{pkg}_bg.wasm"),
        });
    }
    let hashes = std::env::current_exe()
        .ok()
        .and_then(|exe| Some(exe.parent()?.join(options.hash_file.as_ref())))
        .and_then(|path| std::fs::read_to_string(path).ok())
        .unwrap_or_default();
    let hash = |kind: &str| {
        hashes
            .lines()
            .filter_map(|line| line.split_once(':'))
            .find(|(k, _)| k.trim() == kind)
            .map(|(_, hash)| format!("{pkg}.{}.{kind}", hash.trim()))
    };
    if let (Some(css), Some(js), Some(wasm)) = (hash("css"), hash("js"), hash("wasm")) {
        return NAMES.get_or_init(|| BundleNames { css, js, wasm });
    }
    tracing::error!("file hashing is on but the hash file is missing or incomplete");
    MISSING.get_or_init(|| BundleNames {
        css: format!("{pkg}.css"),
        js: format!("{pkg}.js"),
        wasm: format!("{pkg}.wasm"),
    })
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
