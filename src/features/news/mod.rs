//! The school's news: staff publish notices (plain text made safe HTML, an optional PDF) to
//! the whole school, a department or a course, between two days, and may mail each once to
//! its families through the outbox; families read them on `/actualites`, on their home page
//! and in a private Atom feed.

pub mod atom;
pub mod routes;
pub mod staff;
pub mod store;
