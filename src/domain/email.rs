//! E-mail addresses as typed by families.

use validator::ValidateEmail;

/// A syntactically valid address, trimmed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EmailAddress(String);

impl EmailAddress {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let trimmed = raw.trim();
        let count = trimmed.chars().count();
        if count > 254 {
            // Not echoed: a page of pasted text would bury the message.
            return Err(format!(
                "une adresse e-mail a 254 caractères au plus (vous en avez saisi {count})."
            ));
        }
        if trimmed.validate_email() {
            Ok(EmailAddress(trimmed.to_owned()))
        } else {
            Err(format!(
                "« {trimmed} » n'est pas une adresse e-mail valide (exemple : prenom.nom@exemple.fr)."
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Addresses compare without regard to case (what families type varies).
    pub fn matches(&self, stored: &str) -> bool {
        self.0.eq_ignore_ascii_case(stored.trim())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_an_ordinary_address_and_trims_it() {
        assert_eq!(
            EmailAddress::parse(" jeremie.abarre@example.org ")
                .unwrap()
                .as_str(),
            "jeremie.abarre@example.org"
        );
    }

    #[test]
    fn a_long_paste_is_refused_without_being_echoed() {
        let err = EmailAddress::parse(&"a".repeat(10_000)).unwrap_err();
        assert_eq!(
            err,
            "une adresse e-mail a 254 caractères au plus (vous en avez saisi 10000)."
        );
    }

    #[test]
    fn refuses_an_address_without_domain() {
        let err = EmailAddress::parse("jeremie.abarre").unwrap_err();
        assert!(err.contains("n'est pas une adresse e-mail valide"));
    }
}
