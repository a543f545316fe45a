//! Calendrier (`/gestion/calendrier`, administrators): the school's years, its holiday
//! periods, and the French public holidays it computes (a school may keep its lessons on
//! any of them). The timetable and the iCalendar feed leave out every day without lessons.

pub mod routes;
pub mod store;
pub mod views;
