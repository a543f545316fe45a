//! Élèves › Cours, Historique, Répertoire: the pedagogical follow-up.

pub mod format;
pub mod routes;
pub mod store;
pub mod views;
