//! Postal codes: five digits in France; other countries' codes when a country is given.

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PostalCode(String);

/// Is this country France (or not given, which means France)?
pub fn is_france(country: &str) -> bool {
    let c = country.trim().to_lowercase();
    c.is_empty() || c == "france"
}

impl PostalCode {
    pub fn parse(raw: &str, country: &str) -> Result<Self, String> {
        let trimmed = raw.trim();
        if is_france(country) {
            let compact: String = trimmed.chars().filter(|c| !c.is_whitespace()).collect();
            if compact.len() == 5 && compact.chars().all(|c| c.is_ascii_digit()) {
                return Ok(PostalCode(compact));
            }
            return Err(format!(
                "« {trimmed} » n'est pas un code postal français : saisissez 5 chiffres (par exemple 45000). \
                 Pour une adresse à l'étranger, indiquez d'abord le pays."
            ));
        }
        let ok = (2..=10).contains(&trimmed.chars().count())
            && trimmed
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == ' ' || c == '-');
        if ok {
            Ok(PostalCode(trimmed.to_uppercase()))
        } else {
            Err(format!(
                "« {trimmed} » n'est pas un code postal valide : de 2 à 10 lettres, chiffres, espaces ou tirets."
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn french_codes_have_five_digits() {
        assert_eq!(PostalCode::parse(" 45000 ", "").unwrap().as_str(), "45000");
        assert_eq!(
            PostalCode::parse("45 000", "France").unwrap().as_str(),
            "45000"
        );
        assert!(
            PostalCode::parse("4500", "")
                .unwrap_err()
                .contains("5 chiffres")
        );
        assert!(PostalCode::parse("SW1A 1AA", "france").is_err());
    }

    #[test]
    fn other_countries_need_the_country() {
        assert_eq!(
            PostalCode::parse("sw1a 1aa", "Royaume-Uni")
                .unwrap()
                .as_str(),
            "SW1A 1AA"
        );
        assert!(
            PostalCode::parse("<script>", "Belgique")
                .unwrap_err()
                .contains("n'est pas un code postal valide")
        );
    }
}
