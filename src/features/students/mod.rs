//! Élèves: the family's students and each student's record.

pub mod routes;
pub mod store;
pub mod views;
