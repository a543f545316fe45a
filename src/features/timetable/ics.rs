//! The family's timetable as an iCalendar feed (RFC 5545): weekly lessons for the school
//! year in Europe/Paris time, school holidays left out.

use time::{Date, Duration};

use crate::features::pedagogy::store::{Lesson, SchoolYear};

use crate::domain::date::from_iso as parse_date;

fn compact(d: Date) -> String {
    format!("{:04}{:02}{:02}", d.year(), u8::from(d.month()), d.day())
}

/// Escapes TEXT values (RFC 5545 §3.3.11).
fn text(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace(';', "\\;")
        .replace(',', "\\,")
        .replace('\n', "\\n")
}

/// Folds a content line at 75 octets, never inside a UTF-8 character (§3.1).
fn fold(line: &str, out: &mut String) {
    let mut width = 0;
    for c in line.chars() {
        let len = c.len_utf8();
        if width + len > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += len;
    }
    out.push_str("\r\n");
}

const VTIMEZONE: &[&str] = &[
    "BEGIN:VTIMEZONE",
    "TZID:Europe/Paris",
    "BEGIN:DAYLIGHT",
    "TZOFFSETFROM:+0100",
    "TZOFFSETTO:+0200",
    "TZNAME:CEST",
    "DTSTART:19700329T020000",
    "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU",
    "END:DAYLIGHT",
    "BEGIN:STANDARD",
    "TZOFFSETFROM:+0200",
    "TZOFFSETTO:+0100",
    "TZNAME:CET",
    "DTSTART:19701025T030000",
    "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU",
    "END:STANDARD",
    "END:VTIMEZONE",
];

/// The whole calendar. `stamp` is the DTSTAMP (UTC, `YYYYMMDDTHHMMSSZ`).
pub fn calendar(
    school: &str,
    year: &SchoolYear,
    lessons: &[Lesson],
    days_off: &[(Date, Date)],
    stamp: &str,
) -> String {
    let mut out = String::new();
    let mut line = |l: String| fold(&l, &mut out);
    for l in [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Portee//Portail famille//FR",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
    ] {
        line(l.to_owned());
    }
    line(format!(
        "X-WR-CALNAME:{}",
        text(&format!("Emploi du temps – {school}"))
    ));
    line("X-WR-TIMEZONE:Europe/Paris".to_owned());
    for l in VTIMEZONE {
        line((*l).to_owned());
    }
    let (Some(start), Some(end)) = (parse_date(&year.starts_on), parse_date(&year.ends_on)) else {
        line("END:VCALENDAR".to_owned());
        return out;
    };
    for lesson in lessons {
        let weekday = lesson.weekday as u8;
        let Some(first) = (0..7)
            .map(|i| start + Duration::days(i))
            .find(|d| d.weekday().number_from_monday() == weekday)
        else {
            continue;
        };
        let Some((h, m)) = lesson.start_time.split_once(':') else {
            continue;
        };
        let (Ok(h), Ok(m)) = (h.parse::<i64>(), m.parse::<i64>()) else {
            continue;
        };
        let begin = h * 60 + m;
        let finish = begin + lesson.duration_minutes;
        let at = |d: Date, minutes: i64| {
            format!("{}T{:02}{:02}00", compact(d), minutes / 60, minutes % 60)
        };
        let mut excluded = Vec::new();
        let mut d = first;
        while d <= end {
            if days_off.iter().any(|(a, b)| *a <= d && d <= *b) {
                excluded.push(at(d, begin));
            }
            d += Duration::weeks(1);
        }
        line("BEGIN:VEVENT".to_owned());
        line(format!("UID:lesson-{}@portee", lesson.course_record_id));
        line(format!("DTSTAMP:{stamp}"));
        line(format!("DTSTART;TZID=Europe/Paris:{}", at(first, begin)));
        line(format!("DTEND;TZID=Europe/Paris:{}", at(first, finish)));
        line(format!("RRULE:FREQ=WEEKLY;UNTIL={}T235959Z", compact(end)));
        if !excluded.is_empty() {
            line(format!("EXDATE;TZID=Europe/Paris:{}", excluded.join(",")));
        }
        line(format!(
            "SUMMARY:{}",
            text(&format!("{} – {}", lesson.course, lesson.student))
        ));
        if let Some(room) = &lesson.room {
            line(format!("LOCATION:{}", text(room)));
        }
        if let Some(teacher) = &lesson.teacher {
            line(format!(
                "DESCRIPTION:{}",
                text(&format!("Enseignant : {teacher}"))
            ));
        }
        line("END:VEVENT".to_owned());
    }
    line("END:VCALENDAR".to_owned());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lines_are_folded_without_splitting_characters() {
        let mut out = String::new();
        fold(&format!("SUMMARY:{}", "é".repeat(60)), &mut out);
        for physical in out.split("\r\n").filter(|l| !l.is_empty()) {
            assert!(physical.len() <= 75, "{physical}");
        }
        assert_eq!(
            out.replace("\r\n ", ""),
            format!("SUMMARY:{}\r\n", "é".repeat(60))
        );
    }

    #[test]
    fn text_values_are_escaped() {
        assert_eq!(text("a,b;c\\d\ne"), "a\\,b\\;c\\\\d\\ne");
    }
}
