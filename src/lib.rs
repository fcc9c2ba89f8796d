//! Orgpanel: the customer control panel of a cloud provider.
//!
//! Pages render on the server; only islands (`#[island]`) hydrate in the
//! browser. Server-only code sits behind the `ssr` feature. Modules are in
//! layers, each using only those listed before it (`scripts/layers` checks
//! this; the README's "Architecture" draws it).

#![recursion_limit = "256"]

// Shared by the browser and the server: validated types, the one error,
// money, form and page plumbing.
#[cfg(feature = "ssr")]
pub mod clock;
pub mod error;
pub mod forms;
#[cfg(feature = "ssr")]
pub mod ids;
pub mod money;
pub mod page;
pub mod validate;

// Server infrastructure, knowing no feature.
#[cfg(feature = "ssr")]
pub mod mail;
#[cfg(feature = "ssr")]
pub mod payments;
#[cfg(feature = "ssr")]
pub mod server;

// Features, each above those it uses.
pub mod account;
pub mod api_keys;
pub mod auth;
pub mod billing;
pub mod collaborators;
pub mod company;
pub mod invoices;
pub mod organizations;
pub mod services;

// What composes the features.
#[cfg(feature = "ssr")]
pub mod api;
pub mod app;
pub mod overview;
pub mod settings;
#[cfg(feature = "ssr")]
pub mod startup;

#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    // A panic's message in the console instead of only "unreachable"
    // (console_error_panic_hook adds a stack trace for 0.9 KB more brotli).
    std::panic::set_hook(Box::new(|info| {
        web_sys::console::error_1(&info.to_string().into());
    }));
    leptos::mount::hydrate_islands();
}
