//! Integration tests: each boots the real application on a random port with a fresh
//! database (SQLite, or PostgreSQL when `PORTEE_TEST_DATABASE_URL` is set) and speaks HTTP
//! to it. The database holds either the demo school or, for tests that must not depend on
//! the demo's data, only a school the test builds itself (`school.rs`).

mod helpers;
mod school;

mod absences;
mod accessibility;
mod accounts;
mod attacks;
mod auth;
mod authorization;
mod billing;
mod cache;
mod calendar;
mod cli;
mod display;
mod export;
mod faults;
mod fragments;
mod fuzz;
mod import;
mod mail;
mod messages;
mod news;
mod operations;
mod password;
mod payfip;
mod pedagogy;
mod personnel;
mod preenrolment;
mod query_plans;
mod records;
mod reenrolment;
mod security;
mod session_expiry;
mod setup;
mod staff;
mod students;
mod throttle;
mod timetable;
mod weight;
