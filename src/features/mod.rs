//! One folder per menu of the manual, each with its router, views and store.

pub mod absences;
pub mod accessibility;
pub mod accounts;
pub mod auth;
pub mod billing;
pub mod calendar;
pub mod exports;
pub mod family;
pub mod home;
pub mod messages;
pub mod news;
pub mod pedagogy;
pub mod personnel;
pub mod preenrolment;
pub mod records;
pub mod reenrolment;
pub mod school;
pub mod staff;
pub mod students;
pub mod timetable;
