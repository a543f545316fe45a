//! Facturation: the family's two ledgers (cotisations, locations), duplicates of each
//! invoice and receipt as a tagged PDF and as an HTML page, online payment through PayFiP,
//! and the staff's desk payments.

pub mod document;
pub mod payfip;
pub mod routes;
pub mod staff;
pub mod store;
pub mod views;
