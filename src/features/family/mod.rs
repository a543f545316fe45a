//! Famille: the account holder's own record, corrected by the family, validated by staff.
//! The SQL is the records feature's (`records::store`), shared with the students' Identité.

pub mod routes;
pub mod views;
