//! Phone numbers: French numbers in any common spelling, foreign numbers with `+`.
//! Stored in E.164 (`+33238550238`), French ones shown as `02 38 55 02 38`.

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PhoneNumber(String);

impl PhoneNumber {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let trimmed = raw.trim();
        let compact: String = trimmed
            .chars()
            .filter(|c| !matches!(c, ' ' | '.' | '-' | '(' | ')' | '/' | '\u{a0}' | '\u{202f}'))
            .collect();
        let invalid = || {
            format!(
                "« {trimmed} » n'est pas un numéro de téléphone valide : 10 chiffres, \
                 ou + et l'indicatif du pays."
            )
        };
        let (plus, digits) = if let Some(rest) = compact.strip_prefix('+') {
            (true, rest.to_owned())
        } else if let Some(rest) = compact.strip_prefix("00") {
            (true, rest.to_owned())
        } else {
            (false, compact.clone())
        };
        if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) {
            return Err(invalid());
        }
        if !plus {
            // A French national number: 0 then 9 digits, the first of them 1 to 9.
            let b = digits.as_bytes();
            if b.len() == 10 && b[0] == b'0' && b[1] != b'0' {
                return Ok(PhoneNumber(format!("+33{}", &digits[1..])));
            }
            return Err(invalid());
        }
        if let Some(national) = digits.strip_prefix("33") {
            // +33 6 …, also the common mistake +33 0 6 …
            let national = national.strip_prefix('0').unwrap_or(national);
            if national.len() == 9 && !national.starts_with('0') {
                return Ok(PhoneNumber(format!("+33{national}")));
            }
            return Err(invalid());
        }
        if (6..=15).contains(&digits.len()) && !digits.starts_with('0') {
            return Ok(PhoneNumber(format!("+{digits}")));
        }
        Err(invalid())
    }

    /// The canonical stored form.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// How a stored number is shown: French numbers in pairs, others as stored.
pub fn display_phone(stored: &str) -> String {
    if let Some(national) = stored.strip_prefix("+33")
        && national.len() == 9
    {
        let digits = format!("0{national}");
        return digits
            .as_bytes()
            .chunks(2)
            .map(|c| String::from_utf8_lossy(c).into_owned())
            .collect::<Vec<_>>()
            .join(" ");
    }
    stored.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn french_spellings_have_one_canonical_form() {
        for raw in [
            "0238550238",
            "02 38 55 02 38",
            "02.38.55.02.38",
            "+33 2 38 55 02 38",
            "0033238550238",
            "+33 (0)2 38 55 02 38",
        ] {
            assert_eq!(
                PhoneNumber::parse(raw).unwrap().as_str(),
                "+33238550238",
                "{raw}"
            );
        }
    }

    #[test]
    fn french_numbers_are_shown_in_pairs() {
        assert_eq!(display_phone("+33238550238"), "02 38 55 02 38");
        assert_eq!(display_phone("+442079460958"), "+442079460958");
    }

    #[test]
    fn foreign_numbers_with_plus_are_accepted() {
        assert_eq!(
            PhoneNumber::parse("+44 20 7946 0958").unwrap().as_str(),
            "+442079460958"
        );
        assert_eq!(
            PhoneNumber::parse("+1 (555) 010-0199").unwrap().as_str(),
            "+15550100199"
        );
    }

    #[test]
    fn wrong_numbers_are_refused_with_the_value_typed() {
        for raw in [
            "023855023",
            "02385502381",
            "1238550238",
            "abc",
            "+",
            "00",
            "+33 12 34",
            "06 O6 06 06 06",
        ] {
            let err = PhoneNumber::parse(raw).unwrap_err();
            assert!(
                err.contains("n'est pas un numéro de téléphone valide"),
                "{raw}: {err}"
            );
        }
    }
}
