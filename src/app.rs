//! The document shell, the routes of every page and the signed-in layout
//! with its sidebar.

use crate::account::pages::AccountPage;
use crate::api_keys::pages::ApiKeysPage;
use crate::auth::current_account;
use crate::auth::pages::{
    ForgotPasswordPage, LoginCodePage, LoginPage, ResetPasswordPage, SignupPage, VerifyEmailPage,
};
use crate::billing::pages::{BillingPage, CardResultPage, CardSetupDonePage};
use crate::collaborators::pages::{CollaboratorsPage, InvitationPage};
use crate::error::RequestFailure;
use crate::invoices::pages::InvoicesSection;
use crate::organizations::pages::{ActivityPage, CreateOrganizationPage};
use crate::organizations::{fetch_my_organizations, fetch_sidebar, Action, Membership, Sidebar};
use crate::overview::OverviewPage;
use crate::page::{page_number, Pager};
use crate::services::pages::ServicesPage;
use crate::settings::pages::SettingsPage;
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Title};
use leptos_router::components::{Outlet, ParentRoute, Route, Router, Routes};
use leptos_router::hooks::{use_location, use_query_map};
use leptos_router::{path, SsrMode};

/// A form is sent once: a second click while the next page loads (a slow
/// connection) would send it again and make a second organization, or
/// report a conflict with the first. Marked only once every handler has
/// run, so a form an island refused (a field to fix) stays sendable.
const SUBMIT_ONCE: &str = r#"addEventListener("submit", function (e) {
  var form = e.target;
  if (form.dataset.sent) { e.preventDefault(); return; }
  setTimeout(function () {
    if (e.defaultPrevented) return;
    form.dataset.sent = "1";
    setTimeout(function () { delete form.dataset.sent; }, 10000);
  }, 0);
});
addEventListener("pageshow", function () {
  document.querySelectorAll("form[data-sent]").forEach(function (f) { delete f.dataset.sent; });
});"#;

/// The navigation drawer of narrow screens (a popover, which works without
/// this) opens with the current organization in view however long the
/// list; the list scrolls on desktop too. (Focus stays in the open drawer
/// by CSS: the page behind it is hidden.)
const NAVIGATION: &str = r##"function showCurrentOrganization() {
  var list = document.querySelector("#navigation ul.orgs");
  var here = list && list.querySelector("[aria-current]");
  if (!here || list.scrollHeight <= list.clientHeight) return;
  var top = here.getBoundingClientRect().top - list.getBoundingClientRect().top + list.scrollTop;
  if (top < list.scrollTop || top + here.offsetHeight > list.scrollTop + list.clientHeight) {
    list.scrollTop = top - (list.clientHeight - here.offsetHeight) / 2;
  }
}
addEventListener("DOMContentLoaded", showCurrentOrganization);
document.addEventListener("toggle", function (e) {
  if (e.target.id === "navigation" && e.newState === "open") showCurrentOrganization();
}, true);"##;

/// The document around every page.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    crate::server::render::provide_csp_nonce();
    #[cfg(feature = "ssr")]
    let stylesheet = {
        let names = crate::server::assets::bundle_names(&options);
        provide_context(crate::page::IslandBundle::new(&names.bundles));
        names.css.as_str()
    };
    #[cfg(not(feature = "ssr"))]
    let stylesheet = {
        let _ = options;
        ""
    };
    // Islands mode: only islands hydrate, so the rest of the page is
    // written without hydration markers (as `HydrationScripts` would set).
    if let Some(context) = Owner::current_shared_context() {
        context.set_is_hydrating(false);
    }
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <link rel="stylesheet" href=stylesheet />
                <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
                // The browser's own bars in the page's colours (style/main.css's --panel).
                <meta name="theme-color" content="#ffffff" media="(prefers-color-scheme: light)" />
                <meta name="theme-color" content="#161c25" media="(prefers-color-scheme: dark)" />
                <script nonce=leptos::nonce::use_nonce() inner_html=SUBMIT_ONCE></script>
                <script nonce=leptos::nonce::use_nonce() inner_html=NAVIGATION></script>
                <MetaTags />
            </head>
            <body>
                // First on every page: past the navigation in one keystroke.
                <a class="skip-link" href="#main">"Skip to main content"</a>
                <App />
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    // A request that failed before reaching a page (see `server::failures`).
    if let Some(failure) = use_context::<RequestFailure>() {
        return view! { <FailurePage failure /> }.into_any();
    }
    view! {
        <Title formatter=|page: String| format!("{page} · Orgpanel") />
        <Router>
            <Routes fallback=crate::page::NotFound>
                <Route path=path!("/login") view=LoginPage />
                <Route path=path!("/login/code") view=LoginCodePage ssr=SsrMode::Async />
                <Route path=path!("/signup") view=SignupPage />
                <Route path=path!("/forgot-password") view=ForgotPasswordPage />
                <Route path=path!("/reset-password/:token") view=ResetPasswordPage ssr=SsrMode::Async />
                <Route path=path!("/verify-email/:token") view=VerifyEmailPage ssr=SsrMode::Async />
                <Route path=path!("/invitations/:token") view=InvitationPage ssr=SsrMode::Async />
                <Route path=path!("/card-setups/:setup") view=CardSetupDonePage ssr=SsrMode::Async />
                // Async: pages arrive whole, so they read the same with JavaScript off.
                <ParentRoute path=path!("") view=SignedInLayout ssr=SsrMode::Async>
                    <Route path=path!("") view=Home ssr=SsrMode::Async />
                    <Route path=path!("/account") view=AccountPage ssr=SsrMode::Async />
                    <Route path=path!("/organizations/new") view=CreateOrganizationPage ssr=SsrMode::Async />
                    <Route path=path!("/organizations/:org") view=OverviewPage ssr=SsrMode::Async />
                    <Route path=path!("/organizations/:org/services") view=ServicesPage ssr=SsrMode::Async />
                    <Route path=path!("/organizations/:org/collaborators") view=CollaboratorsPage ssr=SsrMode::Async />
                    <Route path=path!("/organizations/:org/settings") view=SettingsPage ssr=SsrMode::Async />
                    <Route path=path!("/organizations/:org/billing")
                        view=|| view! { <BillingPage><InvoicesSection /></BillingPage> } ssr=SsrMode::Async />
                    <Route path=path!("/organizations/:org/billing/card") view=CardResultPage ssr=SsrMode::Async />
                    <Route path=path!("/organizations/:org/api-keys") view=ApiKeysPage ssr=SsrMode::Async />
                    <Route path=path!("/organizations/:org/activity") view=ActivityPage ssr=SsrMode::Async />
                </ParentRoute>
            </Routes>
        </Router>
    }
    .into_any()
}

/// The page for a request that could not be served: its status in words,
/// one plain sentence, and the way on.
#[component]
fn FailurePage(failure: RequestFailure) -> impl IntoView {
    let title = match failure.status {
        401 => "Please log in",
        403 => "Not allowed",
        409 => "Changed meanwhile",
        405 => "Not available here",
        413 => "Too much at once",
        429 => "Too many attempts",
        500..=599 => "Something went wrong",
        _ => "This request could not be read",
    };
    let way_on = match (failure.status, failure.back) {
        (401, _) => view! { <p><a href="/login">"Log in"</a></p> }.into_any(),
        (_, Some(back)) => view! {
            <p>"Your browser's Back button returns to the form with what you typed, or "
                <a href=back>"open the page again"</a> "."</p>
        }
        .into_any(),
        _ => view! { <p><a href="/">"Back to Orgpanel"</a></p> }.into_any(),
    };
    view! {
        <Title text=title />
        <main id="main" class="centered">
            <h1>{title}</h1>
            <p role="alert">{failure.message}</p>
            {way_on}
        </main>
    }
}

/// The organization in the current URL, if any.
fn current_org_id() -> Option<String> {
    let path = use_location().pathname.get_untracked();
    let id = path.strip_prefix("/organizations/")?.split('/').next()?;
    (!id.is_empty() && id != "new").then(|| id.to_owned())
}

/// The sidebar beside every signed-in page. On a phone it folds into a
/// popover opened from a top bar that names the current organization, so a
/// page's own content comes first; the popover works without JavaScript
/// and closes on Escape, a tap outside or its close button.
#[component]
fn SignedInLayout() -> impl IntoView {
    let account = current_account();
    let unconfirmed = account
        .as_ref()
        .filter(|a| !a.email_verified)
        .map(|a| a.email.clone());
    let (name, email) = account.map(|a| (a.name, a.email)).unwrap_or_default();
    let current_id = current_org_id();
    let on_account = use_location().pathname.get_untracked() == "/account";
    view! {
        <div class="app">
            <Suspense>
                {Suspend::new(async move {
                    let sidebar = fetch_sidebar(current_id).await.unwrap_or_default();
                    let current = sidebar.current.clone();
                    let here = current
                        .as_ref()
                        .map_or_else(|| "Orgpanel".to_owned(), |m| m.org.name.clone());
                    view! {
                        <header class="topbar">
                            <button type="button" class="nav-open" popovertarget="navigation" aria-label="Open navigation">
                                <span aria-hidden="true">"☰"</span>
                            </button>
                            <span class="topbar-title" dir="auto">{here}</span>
                        </header>
                        <nav id="navigation" class="sidebar" aria-label="Main" popover="auto">
                            <div class="brand-row">
                                <a class="brand" href="/">"Orgpanel"</a>
                                <button type="button" class="nav-close" popovertarget="navigation" popovertargetaction="hide" aria-label="Close navigation">
                                    <span aria-hidden="true">"×"</span>
                                </button>
                            </div>
                            <div class="orgs-head">
                                <h2>"Organizations"</h2>
                                <a class="add" href="/organizations/new" aria-label="Create organization" title="Create organization">"+"</a>
                            </div>
                            <OrganizationList sidebar=sidebar />
                            <OrganizationMenu current=current />
                            <div class="account">
                                <a class="who" href="/account" aria-current=on_account.then_some("page") title="Account">
                                    <span class="account-name" dir="auto">{name}</span>
                                    <span class="account-email">{email}</span>
                                </a>
                                <form method="post" action="/logout">
                                    <button type="submit" class="link">"Log out"</button>
                                </form>
                            </div>
                        </nav>
                    }
                })}
            </Suspense>
            <div class="content">
                {unconfirmed.map(|email| view! { <UnconfirmedEmail email /> })}
                <Outlet />
            </div>
        </div>
    }
}

/// Above every signed-in page until the account's email is confirmed.
#[component]
fn UnconfirmedEmail(email: String) -> impl IntoView {
    view! {
        // Named apart from every field label (tests find fields by label).
        <aside class="banner" aria-label="Confirmation reminder">
            <p>
                "Confirm your email address: follow the link we sent"
                <span class="banner-to">" to " <strong>{email}</strong></span> "."
            </p>
            <form method="post" action="/account">
                <input type="hidden" name="intent" value="resend-verification" />
                <button type="submit" class="small">"Resend"</button>
            </form>
        </aside>
    }
}

#[component]
fn OrganizationList(sidebar: Sidebar) -> impl IntoView {
    let Sidebar {
        orgs,
        current,
        total,
    } = sidebar;
    let current_id = current.as_ref().map(|o| o.org.public_id.clone());
    let path = use_location().pathname.get_untracked();
    // The rest are a click away: a sidebar of a thousand links helps no one
    // and costs every page. The link stays in view below the list, which
    // scrolls.
    let listed = i64::try_from(orgs.len()).unwrap_or(i64::MAX);
    let all = (total > listed).then(|| {
        view! { <p class="all-orgs"><a href="/">{format!("All organizations ({total})")}</a></p> }
    });
    view! {
        <ul class="orgs">
            {orgs.is_empty().then(|| view! { <li class="muted">"No organizations yet"</li> })}
            {orgs
                .into_iter()
                .map(|Membership { org, .. }| {
                    let here = current_id.as_deref() == Some(org.public_id.as_str());
                    view! {
                        <li>
                            <a href=format!("/organizations/{}", org.public_id) aria-current=here.then_some("page") dir="auto">{org.name}</a>
                        </li>
                    }
                })
                .collect_view()}
        </ul>
        {all}
        {current.map(|Membership { org, .. }| {
            let overview = format!("/organizations/{}", org.public_id);
            let services = format!("{overview}/services");
            let on_services = path == services;
            let on_overview = path == overview;
            view! {
                <ul class="org-nav" aria-label="Current organization">
                    <li><a href=overview aria-current=on_overview.then_some("page")>"Overview"</a></li>
                    <li><a href=services aria-current=on_services.then_some("page")>"Services"</a></li>
                </ul>
            }
        })}
    }
}

/// The organization menu at the bottom of the sidebar: what the role may
/// open. A popover opens without JavaScript and closes on Escape or a
/// click outside.
#[component]
fn OrganizationMenu(current: Option<Membership>) -> impl IntoView {
    let (items, name) = match &current {
        Some(Membership { org, role }) => {
            let base = format!("/organizations/{}", org.public_id);
            let links = [
                ("Collaborators", "collaborators", Action::View),
                ("Settings", "settings", Action::View),
                ("Billing", "billing", Action::View),
                ("API keys", "api-keys", Action::ManageApiKeys),
                ("Activity", "activity", Action::SeeActivity),
            ]
            .into_iter()
            .filter(|(_, _, action)| crate::organizations::permissions::may(*role, *action))
            .map(|(label, page, _)| view! { <a href=format!("{base}/{page}")>{label}</a> })
            .collect_view();
            let menu = view! { <nav aria-label="Organization menu">{links}</nav> }.into_any();
            (menu, org.name.clone())
        }
        None => (
            view! { <p class="muted">"Open an organization above to see its menu."</p> }.into_any(),
            "No organization open".to_owned(),
        ),
    };
    view! {
        <div class="sidebar-bottom">
            <button type="button" class="org-menu-button" popovertarget="org-menu" aria-label="Organization menu">
                <span aria-hidden="true">"☰"</span>
            </button>
            <div id="org-menu" class="org-menu" popover="auto">{items}</div>
            <span class="current-org" class:muted=current.is_none() dir="auto">{name}</span>
        </div>
    }
}

#[component]
fn Home() -> impl IntoView {
    let name = current_account().map(|a| a.name).unwrap_or_default();
    let note = use_query_map().with_untracked(|q| {
        if q.get("deleted").is_some() {
            Some("Organization deleted.")
        } else if q.get("left").is_some() {
            Some("You left the organization.")
        } else if q.get("password").is_some() {
            Some("Your password has been changed, and every other session has been logged out.")
        } else {
            None
        }
    });
    view! {
        <Title text="Home" />
        <main id="main">
            {note.map(|note| view! { <p class="status" role="status">{note}</p> })}
            <h1>"Welcome, " <bdi>{name}</bdi></h1>
            <Suspense>
                {Suspend::new(async move {
                    let (orgs, total, window) = match fetch_my_organizations(page_number("page")).await {
                        Ok(found) => found,
                        Err(error) => return crate::page::error_page(error),
                    };
                    if total == 0 {
                        view! {
                            <p>"An organization holds your company information, billing, collaborators and services."</p>
                        }
                        .into_any()
                    } else {
                        let shown = orgs.len();
                        view! {
                            <p>"Your organizations:"</p>
                            <ul class="org-links">
                                {orgs
                                    .into_iter()
                                    .map(|o| view! { <li><a href=format!("/organizations/{}", o.org.public_id) dir="auto">{o.org.name}</a></li> })
                                    .collect_view()}
                            </ul>
                            <Pager path="/".to_owned() param="page" label="Pages of organizations" window shown total />
                        }
                        .into_any()
                    }
                })}
            </Suspense>
            <p><a class="button primary" href="/organizations/new">"Create organization"</a></p>
        </main>
    }
}
