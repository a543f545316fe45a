//! The password policy of the manual: 8 to 20 characters with at least one capital,
//! one lower-case letter and one digit.

/// The rule as stated to users next to every new-password field.
pub const POLICY_TEXT: &str = "Entre 8 et 20 caractères, avec au moins une lettre majuscule, \
une lettre minuscule et un chiffre.";

/// A password that satisfies the policy. Its content never appears in `Debug` output.
pub struct NewPassword(String);

impl std::fmt::Debug for NewPassword {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("NewPassword([secret])")
    }
}

impl NewPassword {
    /// Checks the policy; the error is a French sentence naming every unmet rule.
    pub fn parse(raw: &str) -> Result<Self, String> {
        let count = raw.chars().count();
        let mut missing = Vec::new();
        if !raw.chars().any(char::is_uppercase) {
            missing.push("une lettre majuscule");
        }
        if !raw.chars().any(char::is_lowercase) {
            missing.push("une lettre minuscule");
        }
        if !raw.chars().any(|c| c.is_ascii_digit()) {
            missing.push("un chiffre");
        }
        let mut problems = Vec::new();
        if !(8..=20).contains(&count) {
            problems.push(format!(
                "il doit compter entre 8 et 20 caractères (il en compte {count})"
            ));
        }
        if !missing.is_empty() {
            problems.push(format!("il doit contenir au moins {}", join_fr(&missing)));
        }
        if raw.chars().any(char::is_control) {
            problems.push("il ne doit pas contenir de caractère de contrôle".to_owned());
        }
        if problems.is_empty() {
            Ok(NewPassword(raw.to_owned()))
        } else {
            let mut text = String::from("Mot de passe refusé : ");
            text.push_str(&problems.join(" ; "));
            text.push('.');
            Err(text)
        }
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

/// "a", "a et b", "a, b et c".
pub fn join_fr(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [init @ .., last] => format!("{} et {last}", init.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_a_password_that_meets_every_rule() {
        assert!(NewPassword::parse("Valognes2026").is_ok());
        assert!(NewPassword::parse("Éléphant9").is_ok());
    }

    #[test]
    fn names_each_missing_kind_of_character() {
        let err = NewPassword::parse("valognes").unwrap_err();
        assert!(err.contains("une lettre majuscule et un chiffre"), "{err}");
        let err = NewPassword::parse("VALOGNES2026").unwrap_err();
        assert!(err.contains("une lettre minuscule"), "{err}");
        assert!(!err.contains("majuscule"), "{err}");
    }

    #[test]
    fn states_the_length_it_counted() {
        let err = NewPassword::parse("Ab1").unwrap_err();
        assert!(
            err.contains("entre 8 et 20 caractères (il en compte 3)"),
            "{err}"
        );
        let err = NewPassword::parse("Abcdefghij1234567890x").unwrap_err();
        assert!(err.contains("(il en compte 21)"), "{err}");
    }

    #[test]
    fn counts_characters_not_bytes() {
        // 8 characters, 11 bytes.
        assert!(NewPassword::parse("Éàçdefg1").is_ok());
    }
}
