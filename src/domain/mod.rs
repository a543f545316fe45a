//! Parse-don't-validate types: a value of one of these types is known to be valid.

pub mod date;
pub mod email;
pub mod holidays;
pub mod money;
pub mod password;
pub mod pdf_check;
pub mod phone;
pub mod postal;
pub mod slug;
pub mod status;
pub mod text;
pub mod upload;

pub use email::EmailAddress;
pub use password::NewPassword;
pub use phone::PhoneNumber;
pub use postal::PostalCode;

/// A file size as a download link states it: "35\u{a0}Ko" (rounded up).
pub fn kilobytes(bytes: usize) -> String {
    let ko = bytes.div_ceil(1024);
    format!("{ko}\u{a0}Ko")
}

/// `2012-11-19` → `19/11/2012`; anything else is returned unchanged.
pub fn french_date(iso: &str) -> String {
    let parts: Vec<&str> = iso.split('-').collect();
    match parts.as_slice() {
        [y, m, d] if y.len() == 4 && m.len() == 2 && d.len() == 2 => format!("{d}/{m}/{y}"),
        _ => iso.to_owned(),
    }
}

/// Unix seconds → "29/11/2026 à 08h45", in metropolitan French time (CET/CEST).
pub fn french_datetime(unix: i64) -> String {
    let local = date::paris(
        time::OffsetDateTime::from_unix_timestamp(unix).unwrap_or(time::OffsetDateTime::UNIX_EPOCH),
    );
    format!(
        "{:02}/{:02}/{} à {:02}h{:02}",
        local.day(),
        u8::from(local.month()),
        local.year(),
        local.hour(),
        local.minute()
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn french_times_follow_summer_time() {
        // 2026-11-29 07:45 UTC is 08:45 in Paris (winter); 2026-07-14 10:00 UTC is 12:00.
        assert_eq!(super::french_datetime(1_795_938_300), "29/11/2026 à 08h45");
        assert_eq!(super::french_datetime(1_784_023_200), "14/07/2026 à 12h00");
    }

    #[test]
    fn french_dates_are_day_month_year() {
        assert_eq!(super::french_date("2012-11-19"), "19/11/2012");
        assert_eq!(super::french_date("bientôt"), "bientôt");
    }
}
