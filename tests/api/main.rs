//! Integration tests: each boots the real application on a random port with a fresh
//! SQLite database and the demo school, and speaks HTTP to it.

mod helpers;

mod accessibility;
mod accounts;
mod attacks;
mod auth;
mod authorization;
mod billing;
mod cli;
mod display;
mod faults;
mod fuzz;
mod import;
mod mail;
mod operations;
mod password;
mod payfip;
mod pedagogy;
mod query_plans;
mod records;
mod reenrolment;
mod security;
mod session_expiry;
mod staff;
mod students;
mod throttle;
mod timetable;
mod weight;
