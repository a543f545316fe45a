//! Portée: the family extranet of a music school.

/// Builds the poem application and binds the listener.
pub mod app;
/// The audit log.
pub mod audit;
/// Sessions and family pages kept in memory, invalidated by the database's own changes.
pub mod cache;
/// The command line (serve, demo, migrate).
pub mod cli;
/// Typed settings from `PORTEE_*` environment variables.
pub mod config;
/// Pool, migrations, ids and time.
pub mod db;
/// The deterministic demo school.
pub mod demo;
/// Parse-don't-validate domain types.
pub mod domain;
/// `portee export` and `/gestion/exports`: accepted changes back to the management software.
pub mod export;
/// One module per menu of the manual.
pub mod features;
/// `portee import`: CSV files from the school's management software.
pub mod import;
/// Outbox and mail transports.
pub mod mail;
/// The addresses pages link to.
pub mod paths;
/// Tagged PDF documents (invoices, receipts, help).
pub mod pdf;
/// Every URL with its handler.
pub mod routes;
/// The schools hosted (`site`).
pub mod site;
/// What every request shares (`AppState`).
pub mod state;
/// Random tokens and their hashes.
pub mod tokens;
/// Cross-cutting HTTP: context, shell, components, headers, limits.
pub mod web;
