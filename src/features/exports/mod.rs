//! Exports (`/gestion/exports`, staff): what staff accepted from families, back to the
//! management software. The SQL and the files are `src/export/`.

pub mod routes;
