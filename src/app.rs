//! The document shell, the routes and the signed-in layout with its sidebar.

use crate::auth::current_account;
use crate::auth::pages::{LoginPage, SignupPage};
use leptos::prelude::*;
use leptos_meta::{provide_meta_context, MetaTags, Title};
use leptos_router::components::{Outlet, ParentRoute, Route, Router, Routes};
use leptos_router::path;

pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    crate::server::render::provide_csp_nonce();
    let stylesheet = stylesheet_href(&options);
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <link rel="stylesheet" href=stylesheet />
                <link rel="icon" href="/favicon.svg" type="image/svg+xml" />
                <HydrationScripts options islands=true />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

/// `/pkg/orgpanel.css`, or its hashed name in a release build.
fn stylesheet_href(options: &LeptosOptions) -> String {
    #[cfg(feature = "ssr")]
    if let Some(hash) = crate::server::assets::css_hash(options) {
        return format!(
            "/{}/{}.{hash}.css",
            options.site_pkg_dir, options.output_name
        );
    }
    format!("/{}/{}.css", options.site_pkg_dir, options.output_name)
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <Title formatter=|page: String| format!("{page} · Orgpanel") />
        <Router>
            <Routes fallback=NotFound>
                <Route path=path!("/login") view=LoginPage />
                <Route path=path!("/signup") view=SignupPage />
                <ParentRoute path=path!("") view=SignedInLayout>
                    <Route path=path!("") view=Home />
                    <Route path=path!("/organizations/new") view=CreateOrganizationPending />
                </ParentRoute>
            </Routes>
        </Router>
    }
}

/// The sidebar beside every signed-in page.
#[component]
fn SignedInLayout() -> impl IntoView {
    let account = current_account();
    let (name, email) = account.map(|a| (a.name, a.email)).unwrap_or_default();
    view! {
        <div class="app">
            <nav class="sidebar" aria-label="Main">
                <a class="brand" href="/">"Orgpanel"</a>
                <div class="orgs-head">
                    <h2>"Organizations"</h2>
                    <a class="add" href="/organizations/new" aria-label="Create organization" title="Create organization">"+"</a>
                </div>
                <ul class="orgs">
                    <li class="muted">"No organizations yet"</li>
                </ul>
                <div class="sidebar-bottom">
                    // A popover opens without JavaScript and closes on Escape or a click outside.
                    <button type="button" class="org-menu-button" popovertarget="org-menu" aria-label="Organization menu">
                        <span aria-hidden="true">"☰"</span>
                    </button>
                    <div id="org-menu" class="org-menu" popover="auto">
                        <p class="muted">"Create an organization first."</p>
                    </div>
                    <span class="current-org muted">"No organization"</span>
                </div>
                <div class="account">
                    <div class="who">
                        <span class="account-name">{name}</span>
                        <span class="account-email">{email}</span>
                    </div>
                    <form method="post" action="/logout">
                        <button type="submit" class="link">"Log out"</button>
                    </form>
                </div>
            </nav>
            <div class="content">
                <Outlet />
            </div>
        </div>
    }
}

#[component]
fn Home() -> impl IntoView {
    let name = current_account().map(|a| a.name).unwrap_or_default();
    view! {
        <Title text="Home" />
        <main>
            <h1>"Welcome, " {name}</h1>
            <p>"An organization holds your company information, billing, collaborators and services."</p>
            <p><a class="button primary" href="/organizations/new">"Create organization"</a></p>
        </main>
    }
}

#[component]
fn CreateOrganizationPending() -> impl IntoView {
    view! {
        <Title text="Create organization" />
        <main>
            <h1>"Create organization"</h1>
            <p>"Creating organizations is not available yet. It is the next part of the panel to be built."</p>
        </main>
    }
}

#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(axum::http::StatusCode::NOT_FOUND);
    }
    view! {
        <Title text="Page not found" />
        <main class="centered">
            <h1>"Page not found"</h1>
            <p>"There is nothing at this address, or it is not yours to see."</p>
            <p><a href="/">"Back to Orgpanel"</a></p>
        </main>
    }
}
