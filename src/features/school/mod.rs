//! École (`/gestion/ecole`, administrators only): the school's name, address, phone, the
//! contact e-mail where families' questions go, the name its mails are sent under, and its
//! PayFiP client number and mode. Families see them wherever they appear: the header,
//! documents and their PDF duplicates, mails. The SQL is `src/site.rs`.

pub mod routes;
pub mod views;
