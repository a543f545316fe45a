//! Accueil: the greeting and the family's students. The SQL is the students feature's.

pub mod routes;
pub mod store;
pub mod views;
