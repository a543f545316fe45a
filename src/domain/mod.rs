//! Parse-don't-validate types: a value of one of these types is known to be valid.

pub mod email;
pub mod password;

pub use email::EmailAddress;
pub use password::NewPassword;

/// `2012-11-19` → `19/11/2012`; anything else is returned unchanged.
pub fn french_date(iso: &str) -> String {
    let parts: Vec<&str> = iso.split('-').collect();
    match parts.as_slice() {
        [y, m, d] if y.len() == 4 && m.len() == 2 && d.len() == 2 => format!("{d}/{m}/{y}"),
        _ => iso.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn french_dates_are_day_month_year() {
        assert_eq!(super::french_date("2012-11-19"), "19/11/2012");
        assert_eq!(super::french_date("bientôt"), "bientôt");
    }
}
