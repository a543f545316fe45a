//! Amounts of money: whole cents (`i64`), written the French way ("1 234,50 €").

/// No-break space before the euro sign; narrow no-break space between thousands.
const NBSP: char = '\u{a0}';
const NNBSP: char = '\u{202f}';

/// 8400 → "84,00 €" (the space before € does not break); -1250 → "-12,50 €".
pub fn euros(cents: i64) -> String {
    format!("{}{NBSP}€", number(cents))
}

/// 123456 → "1234,56": no sign, no grouping, as the import reads amounts (exports).
pub fn euros_plain(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let abs = cents.unsigned_abs();
    format!("{sign}{},{:02}", abs / 100, abs % 100)
}

/// 123456 → "1 234,56" (no currency sign).
pub fn number(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let abs = cents.unsigned_abs();
    let whole = (abs / 100).to_string();
    let mut grouped = String::new();
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i).is_multiple_of(3) {
            grouped.push(NNBSP);
        }
        grouped.push(c);
    }
    format!("{sign}{grouped},{:02}", abs % 100)
}

/// The amount in words a screen reader reads well: "84 euros", "84 euros et 50 centimes",
/// "1 euro". Used where the figure alone could be misread (the balance).
pub fn spoken(cents: i64) -> String {
    let abs = cents.unsigned_abs();
    let (e, c) = (abs / 100, abs % 100);
    let euros = if e < 2 {
        format!("{e} euro")
    } else {
        format!("{e} euros")
    };
    match c {
        0 => euros,
        1 => format!("{euros} et 1 centime"),
        _ => format!("{euros} et {c} centimes"),
    }
}

/// A positive amount typed by staff: "84", "84,00", "84.5", "1 234,56 €".
pub fn parse_positive(raw: &str) -> Result<i64, String> {
    let cleaned: String = raw
        .trim()
        .trim_end_matches('€')
        .chars()
        .filter(|c| !c.is_whitespace() && *c != NNBSP && *c != NBSP)
        .collect();
    let example = "Saisissez un montant en euros, par exemple 84,00.";
    if cleaned.is_empty() {
        return Err(format!("Le montant est obligatoire. {example}"));
    }
    let normalised = cleaned.replace(',', ".");
    let (whole, frac) = match normalised.split_once('.') {
        Some((w, f)) => (w, f),
        None => (normalised.as_str(), ""),
    };
    let digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
    if whole.is_empty() || !digits(whole) || !digits(frac) || frac.len() > 2 || whole.len() > 9 {
        return Err(format!(
            "« {} » n'est pas un montant. {example}",
            raw.trim()
        ));
    }
    let cents = whole.parse::<i64>().unwrap_or(0) * 100
        + match frac.len() {
            0 => 0,
            1 => frac.parse::<i64>().unwrap_or(0) * 10,
            _ => frac.parse::<i64>().unwrap_or(0),
        };
    if cents == 0 {
        return Err("Le montant doit être supérieur à 0,00 €.".to_owned());
    }
    Ok(cents)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts_are_written_the_french_way() {
        assert_eq!(euros(8400), "84,00\u{a0}€");
        assert_eq!(euros(5), "0,05\u{a0}€");
        assert_eq!(euros(12_345_678), "123\u{202f}456,78\u{a0}€");
        assert_eq!(euros(-1250), "-12,50\u{a0}€");
        assert_eq!(number(100_000), "1\u{202f}000,00");
    }

    #[test]
    fn amounts_are_spoken_in_words() {
        assert_eq!(spoken(8400), "84 euros");
        assert_eq!(spoken(100), "1 euro");
        assert_eq!(spoken(8450), "84 euros et 50 centimes");
    }

    #[test]
    fn typed_amounts_parse_or_say_why_not() {
        assert_eq!(parse_positive("84"), Ok(8400));
        assert_eq!(parse_positive("84,5"), Ok(8450));
        assert_eq!(parse_positive(" 1 234,56 € "), Ok(123_456));
        assert_eq!(parse_positive("84.05"), Ok(8405));
        assert!(parse_positive("").unwrap_err().contains("obligatoire"));
        assert!(
            parse_positive("abc")
                .unwrap_err()
                .contains("« abc » n'est pas un montant")
        );
        assert!(parse_positive("1,234").is_err());
        assert!(parse_positive("0").unwrap_err().contains("supérieur"));
        assert!(parse_positive("-5").is_err());
    }
}
