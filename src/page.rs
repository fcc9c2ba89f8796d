//! Page plumbing every feature uses: the organization in the URL, query
//! flags, loading a page's data with its error page, and "Page not found".

use crate::error::AppError;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};
#[cfg(feature = "ssr")]
use std::sync::{Arc, OnceLock};

/// The browser bundles, one per group of pages, each holding only the
/// islands of its pages (Cargo features `bundle-auth`, … select them in
/// `scripts/build-site`), so no page downloads the code of another's forms.
/// Every island names its bundle in [`with_islands`]; islands that share a
/// page share a bundle.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bundle {
    /// Log in and sign up.
    Auth,
    /// A new organization and Settings (its name and company information).
    Organization,
    Billing,
    Services,
}

impl Bundle {
    pub const ALL: [Bundle; 4] = [
        Bundle::Auth,
        Bundle::Organization,
        Bundle::Billing,
        Bundle::Services,
    ];

    /// The name in file names and in `hash.txt`: `auth`, `organization`, ….
    pub fn name(self) -> &'static str {
        match self {
            Bundle::Auth => "auth",
            Bundle::Organization => "organization",
            Bundle::Billing => "billing",
            Bundle::Services => "services",
        }
    }
}

/// The bundles' files under `/pkg` for this request: the shell provides it;
/// a page only links a bundle when an island of it renders
/// ([`with_islands`]), so a page with nothing interactive downloads no WASM.
/// A bundle's files under `/pkg`: its wasm-bindgen glue and its WASM.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BundleFiles {
    pub js: String,
    pub wasm: String,
}

#[cfg(feature = "ssr")]
#[derive(Clone, Debug)]
pub struct IslandBundle {
    /// Each bundle's files, in the order of [`Bundle::ALL`].
    files: &'static [BundleFiles],
    /// The bundle the head links, once the first island has rendered.
    linked: Arc<OnceLock<Bundle>>,
}

#[cfg(feature = "ssr")]
impl IslandBundle {
    pub fn new(files: &'static [BundleFiles]) -> Self {
        Self {
            files,
            linked: Arc::default(),
        }
    }
}

/// Called first by every island with its bundle (unless it has nothing to
/// do in the browser, such as a disabled form): puts into the page's head,
/// once, the module script that imports the bundle's wasm-bindgen glue,
/// fetches its WASM, starts it and hydrates each `<leptos-island>` (what
/// Leptos's `HydrationScripts` does for every page, which is why it is not
/// used). Two islands of one page must name the same bundle (checked in
/// debug builds, so the tests catch it). In the browser it does nothing.
pub fn with_islands(bundle: Bundle) {
    #[cfg(feature = "ssr")]
    if let Some(context) = use_context::<IslandBundle>() {
        use leptos_meta::Script;
        if context.linked.set(bundle).is_err() {
            debug_assert_eq!(
                context.linked.get(),
                Some(&bundle),
                "the islands of one page are in different bundles"
            );
            return;
        }
        let BundleFiles { js, wasm } = &context.files[bundle as usize];
        let start = format!(
            r#"import init, * as bundle from "{js}";
const wasm = fetch("{wasm}");
const wake = async () => {{
  await init({{ module_or_path: wasm }});
  bundle.hydrate();
  for (const island of document.querySelectorAll("leptos-island")) {{
    const hydrate = bundle[island.dataset.component];
    if (hydrate) await hydrate(island);
    else console.error("No WASM function for the island " + island.dataset.component);
  }}
}};
if ("requestIdleCallback" in window) requestIdleCallback(wake); else wake();"#
        );
        // Rendering leptos_meta's tag registers it for the head (as
        // leptos_integration_utils does with its preloads); the body gets nothing.
        // The glue and the WASM are fetched by the script, not preloaded by
        // links: a browser with JavaScript off would download preloads it
        // never runs. The script's import starts as soon as the head is read.
        let _ = view! { <Script type_="module">{start}</Script> }.to_html();
    }
    #[cfg(not(feature = "ssr"))]
    let _ = bundle;
}

/// The `{org}` of the current URL.
pub fn org_param() -> String {
    use_params_map().with_untracked(|params| params.get("org").unwrap_or_default())
}

pub fn query_flag(name: &str) -> bool {
    use_query_map().with_untracked(|query| query.get(name).is_some())
}

/// The page for an error, with its HTTP status.
pub fn error_page(error: AppError) -> AnyView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(error.status());
    }
    match error {
        AppError::NotFound => view! { <NotFound /> }.into_any(),
        AppError::TwoFactorRequired { organization } => {
            // Not wanting to: one may still leave (the gate lets that through).
            let leave = format!("/organizations/{}/collaborators", org_param());
            view! {
                <Title text="Two-factor log-in required" />
                <main id="main">
                    <h1>"Two-factor log-in required"</h1>
                    <p role="alert" class="alert">{format!("{organization} asks every collaborator to log in with a code from an authenticator app as well as the password.")}</p>
                    <p>"Turn it on for your account to open this organization's pages. It takes a minute: scan a QR code with an app such as your phone's password manager, Google Authenticator or Microsoft Authenticator."</p>
                    <p><a class="button primary" href="/account#two-factor-heading">"Set up two-factor log-in"</a></p>
                    <form method="post" action=leave class="inline">
                        <input type="hidden" name="intent" value="leave" />
                        <button type="submit">{format!("Leave {organization}")}</button>
                    </form>
                </main>
            }
            .into_any()
        }
        AppError::Forbidden(message) => view! {
            <Title text="Not allowed" />
            <main id="main">
                <h1>"Not allowed"</h1>
                <p role="alert" class="alert">{message}</p>
            </main>
        }
        .into_any(),
        other => view! {
            <Title text="Something went wrong" />
            <main id="main">
                <h1>"Something went wrong"</h1>
                <p role="alert" class="alert">{other.to_string()}</p>
            </main>
        }
        .into_any(),
    }
}

/// Loads `data`, then renders `page` with it, or the error's page.
pub fn load<T, F, V>(data: F, page: impl FnOnce(T) -> V + Send + 'static) -> impl IntoView
where
    T: Send + 'static,
    F: std::future::Future<Output = Result<T, AppError>> + Send + 'static,
    V: IntoView + 'static,
{
    view! {
        <Suspense>
            {Suspend::new(async move {
                match data.await {
                    Ok(data) => page(data).into_any(),
                    Err(error) => error_page(error),
                }
            })}
        </Suspense>
    }
}

/// The 404 page: also what a non-member sees of an organization.
#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(axum::http::StatusCode::NOT_FOUND);
    }
    view! {
        <Title text="Page not found" />
        <main id="main" class="centered">
            <h1>"Page not found"</h1>
            <p>"There is nothing at this address, or it is not yours to see."</p>
            <p><a href="/">"Back to Orgpanel"</a></p>
        </main>
    }
}

/// A slice of a long list: `limit` items from `offset` (SQL's `LIMIT` and
/// `OFFSET`), so a page costs what it shows, not what the organization has.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Window {
    pub offset: i64,
    pub limit: i64,
}

impl Window {
    /// The whole list (the API's answers, which have no pages).
    pub const ALL: Self = Self {
        offset: 0,
        limit: i64::MAX,
    };

    /// Page `number` (from 1; anything below is the first) of `per_page` items.
    pub fn page(number: i64, per_page: i64) -> Self {
        Self {
            offset: (number.max(1) - 1).saturating_mul(per_page),
            limit: per_page,
        }
    }

    /// This window's page number, from 1.
    pub fn number(self) -> i64 {
        self.offset / self.limit.max(1) + 1
    }
}

/// The highest page number a URL may ask for: past the end of any list,
/// and small enough that its offset never overflows.
pub const LAST_PAGE: i64 = 1_000_000_000;

/// The page number in the current URL's query parameter `param` (`page`
/// for most lists): its digits as a number from 1 to [`LAST_PAGE`] (a
/// longer number is past the end, not the first page); anything else is
/// the first page.
pub fn page_number(param: &str) -> i64 {
    use_query_map().with_untracked(|query| {
        query
            .get(param)
            .filter(|page| !page.is_empty() && page.bytes().all(|b| b.is_ascii_digit()))
            .map_or(1, |digits| {
                digits
                    .parse::<i64>()
                    .unwrap_or(LAST_PAGE)
                    .clamp(1, LAST_PAGE)
            })
    })
}

/// Under a long list: "51–100 of 500" and links to the previous and next
/// pages at `path` with `param=N` added to its query (`path` keeps what
/// another list on the page needs); nothing when everything is on one page.
#[component]
pub fn Pager(
    path: String,
    param: &'static str,
    /// The navigation's accessible name ("Pages of collaborators").
    label: &'static str,
    window: Window,
    shown: usize,
    total: i64,
) -> impl IntoView {
    let number = window.number();
    let first = window.offset + 1;
    let last = window.offset + i64::try_from(shown).unwrap_or(i64::MAX);
    let link = move |page: i64| {
        if page == 1 {
            path.clone()
        } else {
            let separator = if path.contains('?') { '&' } else { '?' };
            format!("{path}{separator}{param}={page}")
        }
    };
    let previous = (number > 1).then(|| {
        // Past the end, "Previous" goes to the last page there is.
        let last_page = (total + window.limit - 1) / window.limit.max(1);
        link((number - 1).min(last_page.max(1)))
    });
    let next = (last < total && shown > 0).then(|| link(number + 1));
    let summary = if shown == 0 {
        format!("Nothing on page {number}; there are {total} in all.")
    } else {
        format!("{first}–{last} of {total}")
    };
    (previous.is_some() || next.is_some()).then(|| {
        view! {
            <nav class="pager" aria-label=label>
                {previous.map(|href| view! { <a href=href rel="prev">"Previous"</a> })}
                <span>{summary}</span>
                {next.map(|href| view! { <a href=href rel="next">"Next"</a> })}
            </nav>
        }
    })
}
