//! The password policy: the manual's composition rule (a capital, a lower-case letter and
//! a digit), 8 to 128 characters so that passphrases fit (OWASP ASVS 2.1.1–2.1.2), and
//! none of the 10 000 most common passwords, nor one of them with a number or a symbol
//! added at the end (ASVS 2.1.7; the list is `data/common-passwords.txt`).

use std::collections::HashSet;
use std::sync::LazyLock;

/// The shortest and longest passwords accepted, in characters.
pub const MIN_CHARS: usize = 8;
pub const MAX_CHARS: usize = 128;

/// The rule as stated to users next to every new-password field.
pub const POLICY_TEXT: &str = "Entre 8 et 128 caractères, avec au moins une lettre majuscule, \
une lettre minuscule et un chiffre ; une phrase de plusieurs mots convient très bien. \
Les mots de passe les plus courants sont refusés.";

static COMMON: LazyLock<HashSet<&'static str>> = LazyLock::new(|| {
    include_str!("../../data/common-passwords.txt")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect()
});

/// Is this one of the common passwords, or one of them followed by digits or symbols
/// ("Soleil2026", "Azerty123!"), whatever the case?
pub fn is_common(raw: &str) -> bool {
    let lower = raw.to_lowercase();
    let base = lower.trim_end_matches(|c: char| !c.is_alphabetic());
    COMMON.contains(lower.as_str()) || (base.chars().count() >= 4 && COMMON.contains(base))
}

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
        if !(MIN_CHARS..=MAX_CHARS).contains(&count) {
            problems.push(format!(
                "il doit compter entre {MIN_CHARS} et {MAX_CHARS} caractères (il en compte {count})"
            ));
        }
        if !missing.is_empty() {
            problems.push(format!("il doit contenir au moins {}", join_fr(&missing)));
        }
        if raw.chars().any(char::is_control) {
            problems.push("il ne doit pas contenir de caractère de contrôle".to_owned());
        }
        if count <= MAX_CHARS && is_common(raw) {
            problems.push(
                "il fait partie des mots de passe les plus courants, que les attaquants essaient en premier ; choisissez-en un autre, par exemple une phrase de plusieurs mots"
                    .to_owned(),
            );
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
            err.contains("entre 8 et 128 caractères (il en compte 3)"),
            "{err}"
        );
        let err = NewPassword::parse(&format!("Ab1{}", "x".repeat(126))).unwrap_err();
        assert!(err.contains("(il en compte 129)"), "{err}");
    }

    #[test]
    fn passphrases_fit_and_common_passwords_do_not() {
        assert!(
            NewPassword::parse("Quatre chevaux mangent 12 pommes vertes au bord du lac").is_ok()
        );
        assert!(NewPassword::parse(&format!("Ab1{}", "x".repeat(125))).is_ok());
        for common in [
            "Password1",
            "Azerty123",
            "Soleil2026!",
            "Marseille13",
            "Qwerty123",
        ] {
            let err = NewPassword::parse(common).unwrap_err();
            assert!(err.contains("les plus courants"), "{common}: {err}");
        }
        assert!(NewPassword::parse("Valognes2026").is_ok());
        assert_eq!(COMMON.len(), 10_000);
    }

    #[test]
    fn counts_characters_not_bytes() {
        // 8 characters, 11 bytes.
        assert!(NewPassword::parse("Éàçdefg1").is_ok());
    }
}
