//! Dates typed `dd/mm/yyyy` (or `yyyy-mm-dd` from a browser's date input), plausible ones only.

use time::{Date, Month};

/// A birth date: a real calendar day, not in the future, not before 1900.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BirthDate(Date);

fn parse_parts(raw: &str) -> Option<(i32, u8, u8)> {
    let t = raw.trim();
    if let Some((d, rest)) = t.split_once('/') {
        let (m, y) = rest.split_once('/')?;
        if y.len() != 4 {
            return None;
        }
        return Some((y.parse().ok()?, m.parse().ok()?, d.parse().ok()?));
    }
    let mut it = t.split('-');
    let (y, m, d) = (it.next()?, it.next()?, it.next()?);
    if it.next().is_some() || y.len() != 4 {
        return None;
    }
    Some((y.parse().ok()?, m.parse().ok()?, d.parse().ok()?))
}

/// A real calendar day typed `jj/mm/aaaa` (or `aaaa-mm-jj`) with a year in `years`: the one
/// date parser (birth dates, payments, campaigns, imported files build on it).
pub fn parse_day(raw: &str, years: std::ops::RangeInclusive<i32>) -> Result<Date, String> {
    let t = raw.trim();
    let bad = || {
        format!(
            "« {t} » n'est pas une date : saisissez-la sous la forme jj/mm/aaaa, par exemple 19/11/2012."
        )
    };
    let (y, m, d) = parse_parts(t).ok_or_else(bad)?;
    let month = Month::try_from(m).map_err(|_| {
        format!("« {t} » n'est pas une date : le mois doit être compris entre 01 et 12.")
    })?;
    let date = Date::from_calendar_date(y, month, d)
        .map_err(|_| format!("« {t} » n'existe pas dans le calendrier."))?;
    if !years.contains(&y) {
        return Err(format!(
            "« {t} » : l'année doit être comprise entre {} et {}.",
            years.start(),
            years.end()
        ));
    }
    Ok(date)
}

/// A stored day, `YYYY-MM-DD`, back to a date (`None` if the text is not one).
pub fn from_iso(stored: &str) -> Option<Date> {
    if stored.contains('/') {
        return None;
    }
    let (y, m, d) = parse_parts(stored)?;
    Date::from_calendar_date(y, Month::try_from(m).ok()?, d).ok()
}

/// A day as stored, `YYYY-MM-DD`.
pub fn iso(date: Date) -> String {
    format!(
        "{:04}-{:02}-{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    )
}

impl BirthDate {
    /// `today` is passed in so the rule is testable.
    pub fn parse(raw: &str, today: Date) -> Result<Self, String> {
        let t = raw.trim();
        let date = parse_day(t, i32::MIN..=i32::MAX)?;
        if date > today {
            return Err(format!("« {t} » est dans le futur : vérifiez l'année."));
        }
        if date.year() < 1900 {
            return Err(format!("« {t} » est trop ancienne : vérifiez l'année."));
        }
        Ok(BirthDate(date))
    }

    /// ISO 8601, as stored.
    pub fn iso(&self) -> String {
        iso(self.0)
    }
}

/// A date of the past typed by staff (a payment received): same rules as a birth date.
pub type PastDate = BirthDate;

/// Is summer time (CEST) in force at this instant? From the last Sunday of March to the
/// last Sunday of October, 01:00 UTC.
fn summer(utc: time::OffsetDateTime) -> bool {
    let last_sunday = |month: time::Month| {
        let mut d = Date::from_calendar_date(utc.year(), month, 31).expect("31 March/October");
        while d.weekday() != time::Weekday::Sunday {
            d = d.previous_day().expect("a day before");
        }
        d.with_hms(1, 0, 0).expect("01:00").assume_utc()
    };
    utc >= last_sunday(time::Month::March) && utc < last_sunday(time::Month::October)
}

/// An instant in metropolitan French time (CET/CEST).
pub fn paris(utc: time::OffsetDateTime) -> time::OffsetDateTime {
    let hours = if summer(utc) { 2 } else { 1 };
    utc.to_offset(time::UtcOffset::from_hms(hours, 0, 0).expect("offset"))
}

/// Unix seconds of `minutes` after midnight of `day` in French time (a lesson's start).
pub fn paris_instant(day: Date, minutes: i64) -> i64 {
    let naive = day.midnight().assume_utc().unix_timestamp() + minutes * 60;
    // The offset of that wall time: try winter, then check it was summer.
    let winter = naive - 3600;
    let at = time::OffsetDateTime::from_unix_timestamp(winter)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    if summer(at) { naive - 7200 } else { winter }
}

/// Today's date (UTC).
pub fn today() -> Date {
    time::OffsetDateTime::now_utc().date()
}

/// Today as stored and compared in the database, `YYYY-MM-DD`.
pub fn today_iso() -> String {
    iso(today())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    const TODAY: Date = date!(2026 - 11 - 29);

    #[test]
    fn a_lesson_starts_at_its_french_wall_time_winter_and_summer() {
        // 17:30 in Paris: 16:30 UTC in December, 15:30 UTC in June.
        assert_eq!(
            paris_instant(date!(2026 - 12 - 08), 17 * 60 + 30),
            date!(2026 - 12 - 08)
                .with_hms(16, 30, 0)
                .unwrap()
                .assume_utc()
                .unix_timestamp()
        );
        assert_eq!(
            paris_instant(date!(2027 - 06 - 08), 17 * 60 + 30),
            date!(2027 - 06 - 08)
                .with_hms(15, 30, 0)
                .unwrap()
                .assume_utc()
                .unix_timestamp()
        );
        let t =
            time::OffsetDateTime::from_unix_timestamp(paris_instant(date!(2027 - 06 - 08), 600))
                .unwrap();
        assert_eq!((paris(t).hour(), paris(t).minute()), (10, 0));
    }

    #[test]
    fn french_and_browser_forms_are_accepted() {
        assert_eq!(
            BirthDate::parse("19/11/2012", TODAY).unwrap().iso(),
            "2012-11-19"
        );
        assert_eq!(
            BirthDate::parse("2012-11-19", TODAY).unwrap().iso(),
            "2012-11-19"
        );
        assert_eq!(
            BirthDate::parse("1/2/2010", TODAY).unwrap().iso(),
            "2010-02-01"
        );
    }

    #[test]
    fn one_parser_serves_every_range_and_the_stored_form() {
        assert_eq!(
            iso(parse_day("15/06/2027", 2000..=2100).unwrap()),
            "2027-06-15"
        );
        assert!(
            parse_day("15/06/2127", 2000..=2100)
                .unwrap_err()
                .contains("entre 2000 et 2100")
        );
        assert_eq!(from_iso("2026-11-11"), Some(date!(2026 - 11 - 11)));
        assert_eq!(from_iso("11/11/2026"), None);
        assert_eq!(from_iso("2026-02-30"), None);
    }

    #[test]
    fn impossible_or_implausible_dates_are_refused() {
        assert!(
            BirthDate::parse("31/02/2012", TODAY)
                .unwrap_err()
                .contains("n'existe pas")
        );
        assert!(
            BirthDate::parse("12/13/2012", TODAY)
                .unwrap_err()
                .contains("mois")
        );
        assert!(
            BirthDate::parse("01/01/2030", TODAY)
                .unwrap_err()
                .contains("futur")
        );
        assert!(
            BirthDate::parse("01/01/1850", TODAY)
                .unwrap_err()
                .contains("trop ancienne")
        );
        assert!(
            BirthDate::parse("19/11/12", TODAY)
                .unwrap_err()
                .contains("jj/mm/aaaa")
        );
        assert!(
            BirthDate::parse("demain", TODAY)
                .unwrap_err()
                .contains("jj/mm/aaaa")
        );
    }
}
