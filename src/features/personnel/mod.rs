//! Personnel (`/gestion/personnel`, administrators only): the school's staff accounts, each
//! with a name, an e-mail and a role (administrateur, secrétariat); invitations (the reset
//! flow's single-use link, valid 7 days), resending, disabling, re-enabling, roles. A school
//! always keeps one active administrator. `portee staff invite` creates accounts too.

pub mod routes;
pub mod store;
pub mod views;
