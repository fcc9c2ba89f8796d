//! Invoices (issue 18): what an organization owes for a calendar month.
//! So far the rules an invoice is made by ([`rules`]): the month, a
//! service's billable hours in it, the pro-rated amount of each line, and
//! the VAT of a Swedish seller of electronically supplied services. The
//! monthly run, numbering, the PDF, delivery and card charges build on them.

#[cfg(feature = "ssr")]
pub mod rules;
