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

impl BirthDate {
    /// `today` is passed in so the rule is testable.
    pub fn parse(raw: &str, today: Date) -> Result<Self, String> {
        let t = raw.trim();
        let (y, m, d) = parse_parts(t).ok_or_else(|| {
            format!("« {t} » n'est pas une date : saisissez-la sous la forme jj/mm/aaaa, par exemple 19/11/2012.")
        })?;
        let month = Month::try_from(m).map_err(|_| {
            format!("« {t} » n'est pas une date : le mois doit être compris entre 01 et 12.")
        })?;
        let date = Date::from_calendar_date(y, month, d)
            .map_err(|_| format!("« {t} » n'existe pas dans le calendrier."))?;
        if date > today {
            return Err(format!("« {t} » est dans le futur : vérifiez l'année."));
        }
        if y < 1900 {
            return Err(format!("« {t} » est trop ancienne : vérifiez l'année."));
        }
        Ok(BirthDate(date))
    }

    /// ISO 8601, as stored.
    pub fn iso(&self) -> String {
        format!(
            "{:04}-{:02}-{:02}",
            self.0.year(),
            u8::from(self.0.month()),
            self.0.day()
        )
    }
}

/// A date of the past typed by staff (a payment received): same rules as a birth date.
pub type PastDate = BirthDate;

/// Today's date (UTC).
pub fn today() -> Date {
    time::OffsetDateTime::now_utc().date()
}

/// Today as stored and compared in the database, `YYYY-MM-DD`.
pub fn today_iso() -> String {
    let t = today();
    format!("{:04}-{:02}-{:02}", t.year(), u8::from(t.month()), t.day())
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    const TODAY: Date = date!(2026 - 11 - 29);

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
