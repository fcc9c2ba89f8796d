//! Static files: the hashed bundle under /pkg (cached for a year), the
//! rest of the site root, and the names in `hash.txt` of a release build.

use crate::page::{Bundle, BundleFiles};
use axum::http::{header, HeaderValue};
use axum::response::Response;
use leptos::config::LeptosOptions;
use std::sync::OnceLock;
use tower_http::services::ServeDir;

/// The site's file names under `/pkg`: the stylesheet `orgpanel.<hash>.css`
/// and each [`Bundle`]'s glue and WASM, `orgpanel-<bundle>.<hash>.js` and
/// `.wasm`, from the `css:`, `js-<bundle>:` and `wasm-<bundle>:` lines of
/// the hash file that the release build writes next to the binary. Without
/// hashing (a development build), wasm-bindgen's own names of the one bundle
/// with every island (`orgpanel.js`, `orgpanel_bg.wasm`). Read once found
/// (Leptos's own `HydrationScripts` read it on every request); until then
/// read again, so a file put in place after the start is still found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BundleNames {
    pub css: String,
    /// The glue and the WASM of each bundle, in the order of [`Bundle::ALL`].
    pub bundles: Vec<BundleFiles>,
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
            bundles: Bundle::ALL
                .map(|_| BundleFiles {
                    js: format!("{pkg}.js"),
                    wasm: format!("{pkg}_bg.wasm"),
                })
                .to_vec(),
        });
    }
    let hashes = std::env::current_exe()
        .ok()
        .and_then(|exe| Some(exe.parent()?.join(options.hash_file.as_ref())))
        .and_then(|path| std::fs::read_to_string(path).ok())
        .unwrap_or_default();
    let hash = |key: &str| {
        hashes
            .lines()
            .filter_map(|line| line.split_once(':'))
            .find(|(k, _)| k.trim() == key)
            .map(|(_, hash)| hash.trim().to_owned())
    };
    let bundles: Option<Vec<_>> = Bundle::ALL
        .iter()
        .map(|bundle| {
            let name = bundle.name();
            let js = hash(&format!("js-{name}"))?;
            let wasm = hash(&format!("wasm-{name}"))?;
            Some(BundleFiles {
                js: format!("{pkg}-{name}.{js}.js"),
                wasm: format!("{pkg}-{name}.{wasm}.wasm"),
            })
        })
        .collect();
    if let (Some(css), Some(bundles)) = (hash("css"), bundles) {
        let css = format!("{pkg}.{css}.css");
        return NAMES.get_or_init(|| BundleNames { css, bundles });
    }
    tracing::error!("file hashing is on but the hash file is missing or incomplete");
    MISSING.get_or_init(|| BundleNames {
        css: format!("{pkg}.css"),
        bundles: Bundle::ALL
            .map(|_| BundleFiles {
                js: format!("{pkg}.js"),
                wasm: format!("{pkg}.wasm"),
            })
            .to_vec(),
    })
}

/// `/pkg`: names change with content when hashed, so a file found may be
/// cached for good; a miss is never cached (it may be there after a deploy).
/// Every file found varies by `Accept-Encoding`: `ServeDir` leaves `Vary`
/// off its precompressed answers (tower-http issue, fixed upstream in PR
/// 692), and a shared cache must not hand brotli to a client without it.
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
                let headers = response.headers_mut();
                headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(value));
                if found {
                    headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
                }
                response
            },
        ))
}
