//! Invoices (issue 18): what an organization owes for a calendar month.
//! So far the rules an invoice is made by ([`rules`]: the month, a
//! service's billable hours in it, the pro-rated amount of each line, the
//! VAT of a Swedish seller of electronically supplied services) and the
//! monthly run that issues them, numbered gap-free ([`run`]). The PDF,
//! delivery, card charges and the Billing page's list build on them.

#[cfg(feature = "ssr")]
pub mod rules;
#[cfg(feature = "ssr")]
pub mod run;
