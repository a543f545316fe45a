//! The record machinery shared by Famille and Élèves › Identité: field definitions,
//! validation, change requests (families) and their review (staff).

pub mod fields;
pub mod flow;
pub mod reprise;
pub mod store;
pub mod views;
