//! The black-box tests, one binary: each module starts the real app on
//! 127.0.0.1:0 with a fresh SQLite file and acts as a browser would.

mod account;
mod api;
mod auth;
mod billing;
mod cards;
mod collaborators;
mod common;
mod company;
mod failures;
mod invoices;
mod mail;
mod matrix;
mod organizations;
mod replicas;
mod reset;
mod scale;
mod security;
mod services;
mod two_factor;
mod typed;
