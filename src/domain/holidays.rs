//! French public holidays (jours fériés), computed: the fixed days and those that follow
//! Easter, found by the computus (the anonymous Gregorian algorithm, valid for every year
//! of the Gregorian calendar).

use time::{Date, Duration, Month};

/// Easter Sunday of `year`.
pub fn easter(year: i32) -> Date {
    let a = year % 19;
    let b = year / 100;
    let c = year % 100;
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    Date::from_calendar_date(
        year,
        Month::try_from(month as u8).expect("March or April"),
        day as u8,
    )
    .expect("a day of March or April")
}

/// The eleven public holidays of `year`, in calendar order, with their French names.
pub fn public_holidays(year: i32) -> Vec<(Date, &'static str)> {
    let day = |m: Month, d: u8| Date::from_calendar_date(year, m, d).expect("a fixed holiday");
    let easter = easter(year);
    let mut days = vec![
        (day(Month::January, 1), "Jour de l'an"),
        (easter + Duration::days(1), "Lundi de Pâques"),
        (day(Month::May, 1), "Fête du Travail"),
        (day(Month::May, 8), "Victoire 1945"),
        (easter + Duration::days(39), "Ascension"),
        (easter + Duration::days(50), "Lundi de Pentecôte"),
        (day(Month::July, 14), "Fête nationale"),
        (day(Month::August, 15), "Assomption"),
        (day(Month::November, 1), "Toussaint"),
        (day(Month::November, 11), "Armistice 1918"),
        (day(Month::December, 25), "Noël"),
    ];
    days.sort_by_key(|(d, _)| *d);
    days
}

/// The public holidays from `first` to `last` (a school year spans two calendar years).
pub fn public_holidays_between(first: Date, last: Date) -> Vec<(Date, &'static str)> {
    (first.year()..=last.year())
        .flat_map(public_holidays)
        .filter(|(d, _)| first <= *d && *d <= last)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn easter_by_the_computus() {
        // Dates from the published tables.
        for (year, expected) in [
            (2024, date!(2024 - 03 - 31)),
            (2025, date!(2025 - 04 - 20)),
            (2026, date!(2026 - 04 - 05)),
            (2027, date!(2027 - 03 - 28)),
            (2038, date!(2038 - 04 - 25)),
            (2285, date!(2285 - 03 - 22)),
        ] {
            assert_eq!(easter(year), expected, "{year}");
        }
    }

    #[test]
    fn the_eleven_french_public_holidays() {
        let days = public_holidays(2027);
        assert_eq!(days.len(), 11);
        assert!(days.contains(&(date!(2027 - 03 - 29), "Lundi de Pâques")));
        assert!(days.contains(&(date!(2027 - 05 - 06), "Ascension")));
        assert!(days.contains(&(date!(2027 - 05 - 17), "Lundi de Pentecôte")));
        assert!(days.contains(&(date!(2027 - 11 - 11), "Armistice 1918")));
        let year = public_holidays_between(date!(2026 - 09 - 01), date!(2027 - 07 - 04));
        let first = year.first().unwrap();
        assert_eq!(*first, (date!(2026 - 11 - 01), "Toussaint"));
        assert!(!year.iter().any(|(d, _)| *d == date!(2027 - 07 - 14)));
    }
}
