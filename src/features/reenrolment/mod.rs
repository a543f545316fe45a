//! Réinscription: a school's re-enrolment campaign, the family's tab per student (choices,
//! documents, submission) and the staff's review.

pub mod routes;
pub mod staff;
pub mod store;
pub mod views;
