//! Absences, between families and the school: a family reports an absence ahead of time (one
//! lesson of the timetable, or every lesson between two days for an illness) and justifies an
//! absence the school recorded (a reason, and a document under the upload rules); the school
//! and the lesson's teacher are told by mail; staff see what is reported and accept or refuse
//! justifications, which the export carries back to the management software.
//!
//! `routes.rs` the family's pages (the student's Absences tab), `staff.rs` `/gestion/absences`,
//! `store.rs` the SQL, `views.rs` the family's views.

pub mod routes;
pub mod staff;
pub mod store;
pub mod views;

use time::{Date, Duration};

use crate::domain::date::{iso, paris_instant};
use crate::features::calendar::store::DayOff;
use crate::features::pedagogy::format::{time_fr, weekday};
use crate::features::pedagogy::store::Lesson;

/// The reasons a family gives, by code (stored) and text (shown).
pub const REASONS: &[(&str, &str)] = &[
    ("maladie", "Maladie"),
    ("medical", "Rendez-vous médical"),
    ("famille", "Raison familiale"),
    ("scolaire", "Examen ou sortie scolaire"),
    ("transport", "Problème de transport"),
    ("autre", "Autre raison"),
];

/// A reason's text (its code when unknown: never an empty cell).
pub fn reason_label(code: &str) -> &str {
    REASONS
        .iter()
        .find(|(c, _)| *c == code)
        .map_or(code, |(_, l)| *l)
}

/// How far ahead a family may report an absence.
pub const AHEAD_DAYS: i64 = 8 * 7;
/// The longest span reported at once (an illness).
pub const SPAN_DAYS: i64 = 62;

/// One lesson of a student's timetable, on a given day.
#[derive(Clone, Debug)]
pub struct Occurrence {
    pub course_record_id: i64,
    pub course: String,
    pub teacher: Option<String>,
    pub day: Date,
    /// Minutes after midnight, French time.
    pub start: i64,
    pub duration: i64,
}

impl Occurrence {
    /// When it starts (unix seconds).
    pub fn starts_at(&self) -> i64 {
        paris_instant(self.day, self.start)
    }

    /// The value of its option in the form: `record:day`.
    pub fn key(&self) -> String {
        format!("{}:{}", self.course_record_id, iso(self.day))
    }

    /// « Mardi 08/12/2026 à 18h00 – Piano 2C4 ».
    pub fn label(&self) -> String {
        format!(
            "{} {} à {} – {}",
            weekday(i64::from(self.day.weekday().number_from_monday())),
            crate::domain::french_date(&iso(self.day)),
            time_fr(&format!("{:02}:{:02}", self.start / 60, self.start % 60)),
            self.course
        )
    }
}

/// "HH:MM" → minutes after midnight.
pub fn minutes(hhmm: &str) -> Option<i64> {
    let (h, m) = hhmm.split_once(':')?;
    Some(h.parse::<i64>().ok()? * 60 + m.parse::<i64>().ok()?)
}

/// Is `day` a day without lessons?
pub fn is_off(day: Date, days_off: &[DayOff]) -> bool {
    days_off.iter().any(|d| d.first <= day && day <= d.last)
}

/// The lessons of `lessons` (one student's weekly courses) from `from` to `until`, within the
/// school year `year` and not on a day off, in time order.
pub fn occurrences(
    lessons: &[Lesson],
    days_off: &[DayOff],
    year: (Date, Date),
    from: Date,
    until: Date,
) -> Vec<Occurrence> {
    let (first, last) = (from.max(year.0), until.min(year.1));
    let mut out = Vec::new();
    let mut day = first;
    while day <= last {
        if !is_off(day, days_off) {
            let n = i64::from(day.weekday().number_from_monday());
            for l in lessons.iter().filter(|l| l.weekday == n) {
                if let Some(start) = minutes(&l.start_time) {
                    out.push(Occurrence {
                        course_record_id: l.course_record_id,
                        course: l.course.clone(),
                        teacher: l.teacher.clone(),
                        day,
                        start,
                        duration: l.duration_minutes,
                    });
                }
            }
        }
        day += Duration::days(1);
    }
    out.sort_by_key(|o| (o.day, o.start, o.course_record_id));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    fn lesson(id: i64, weekday: i64, start: &str) -> Lesson {
        Lesson {
            course_record_id: id,
            person_id: 1,
            student: "Irina ABARRE".into(),
            course: format!("Cours {id}"),
            teacher: None,
            room: None,
            weekday,
            start_time: start.into(),
            duration_minutes: 45,
        }
    }

    #[test]
    fn occurrences_follow_the_week_and_skip_the_days_off() {
        let lessons = [lesson(1, 2, "18:00"), lesson(2, 5, "17:30")];
        let off = [DayOff {
            label: "Armistice 1918".into(),
            first: date!(2026 - 11 - 11),
            last: date!(2026 - 11 - 11),
        }];
        let year = (date!(2026 - 09 - 01), date!(2027 - 07 - 04));
        // From Monday 9 to Sunday 22 November 2026.
        let all = occurrences(
            &lessons,
            &off,
            year,
            date!(2026 - 11 - 09),
            date!(2026 - 11 - 22),
        );
        let days: Vec<String> = all.iter().map(|o| o.key()).collect();
        assert_eq!(
            days,
            [
                "1:2026-11-10",
                "2:2026-11-13",
                "1:2026-11-17",
                "2:2026-11-20"
            ]
        );
        assert_eq!(all[0].label(), "Mardi 10/11/2026 à 18h00 – Cours 1");
        // A Wednesday lesson on the 11th would be skipped; outside the year, nothing.
        let wednesday = [lesson(3, 3, "10:00")];
        assert!(
            occurrences(
                &wednesday,
                &off,
                year,
                date!(2026 - 11 - 11),
                date!(2026 - 11 - 11)
            )
            .is_empty()
        );
        assert!(
            occurrences(
                &lessons,
                &[],
                year,
                date!(2027 - 07 - 05),
                date!(2027 - 07 - 31)
            )
            .is_empty()
        );
    }
}
