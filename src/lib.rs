//! Orgpanel: the customer control panel of a cloud provider.
//!
//! Pages render on the server; only islands (`#[island]`) hydrate in the
//! browser. Server-only code sits behind the `ssr` feature.

#![recursion_limit = "256"]
pub mod app;
pub mod auth;
pub mod billing;
pub mod company;
pub mod error;
pub mod forms;
pub mod money;
pub mod organizations;
#[cfg(feature = "ssr")]
pub mod payments;
#[cfg(feature = "ssr")]
pub mod server;
pub mod services;
pub mod validate;

#[cfg(feature = "hydrate")]
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
}
