//! Accounts: invitations (identifier derived from the name, a link to choose the first
//! password), resending them, disabling and re-enabling. Used by staff (`/gestion/comptes`)
//! and by the CLI (`portee accounts invite`).

pub mod routes;
pub mod store;
