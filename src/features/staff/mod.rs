//! Gestion: the school's staff review the changes families asked for, and the mails the
//! portal could not deliver yet. A staff member sees only their own site's requests;
//! families never reach these pages.

pub mod routes;
pub mod store;
pub mod views;
