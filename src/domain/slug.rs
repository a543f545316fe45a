//! A school's short name (`valognes`, `conservatoire-1`): what families pick on the login
//! page, what the commands take as `--site`. Lower-case ASCII letters, digits and hyphens.

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Slug(String);

impl Slug {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let t = raw.trim();
        if t.is_empty() {
            return Err(
                "le nom court est vide : par exemple « valognes » ou « conservatoire-1 ».".into(),
            );
        }
        if t.len() > 40 {
            return Err(format!("« {t} » est trop long : 40 caractères au plus."));
        }
        if let Some(c) = t
            .chars()
            .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-'))
        {
            return Err(format!(
                "« {t} » contient « {c} » : un nom court ne prend que des lettres minuscules sans accent, des chiffres et des tirets."
            ));
        }
        if t.starts_with('-') || t.ends_with('-') || t.contains("--") {
            return Err(format!(
                "« {t} » : un tiret sépare deux mots, il ne commence ni ne finit le nom court."
            ));
        }
        Ok(Slug(t.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::Slug;

    #[test]
    fn lower_case_letters_digits_and_single_hyphens() {
        assert_eq!(
            Slug::parse(" conservatoire-1 ").unwrap().as_str(),
            "conservatoire-1"
        );
        for bad in ["", "Valognes", "école", "a b", "-x", "x-", "a--b", "a_b"] {
            assert!(Slug::parse(bad).is_err(), "{bad}");
        }
        assert!(Slug::parse("Valognes").unwrap_err().contains("« V »"));
    }
}
