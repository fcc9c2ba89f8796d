//! Settings: the page that puts an organization's company information
//! and its own name together, and deleting it. It sits above billing,
//! because an organization with money under way cannot be deleted yet.

#[cfg(feature = "ssr")]
pub mod handlers;
pub mod pages;
