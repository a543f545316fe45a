//! French formatting of the follow-up's numbers, durations and days.

/// 1575 → "15,75".
pub fn hundredths(v: i64) -> String {
    let sign = if v < 0 { "-" } else { "" };
    let v = v.abs();
    format!("{sign}{},{:02}", v / 100, v % 100)
}

/// 90 → "1 h 30", 3240 → "54 h": every duration and hour count of the portal, the same
/// way on every page (what a screen reader reads well; the manual's "01:30" is read as a
/// time of day).
pub fn duration_words(minutes: i64) -> String {
    match (minutes / 60, minutes % 60) {
        (0, m) => format!("{m}\u{a0}min"),
        (h, 0) => format!("{h}\u{a0}h"),
        (h, m) => format!("{h}\u{a0}h\u{a0}{m:02}"),
    }
}

pub const WEEKDAYS: [&str; 7] = [
    "Lundi", "Mardi", "Mercredi", "Jeudi", "Vendredi", "Samedi", "Dimanche",
];

/// 1 → "Lundi" … 7 → "Dimanche".
pub fn weekday(n: i64) -> &'static str {
    usize::try_from(n - 1)
        .ok()
        .and_then(|i| WEEKDAYS.get(i))
        .copied()
        .unwrap_or("")
}

/// "17:30" → "17h30".
pub fn time_fr(hhmm: &str) -> String {
    hhmm.replacen(':', "h", 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_french() {
        assert_eq!(hundredths(1575), "15,75");
        assert_eq!(hundredths(2000), "20,00");
        assert_eq!(hundredths(5), "0,05");
        assert_eq!(duration_words(3240), "54\u{a0}h");
        assert_eq!(duration_words(90), "1\u{a0}h\u{a0}30");
        assert_eq!(duration_words(45), "45\u{a0}min");
        assert_eq!(weekday(5), "Vendredi");
        assert_eq!(weekday(9), "");
        assert_eq!(time_fr("17:30"), "17h30");
    }
}
