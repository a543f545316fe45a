//! Names and other free text: sensible lengths, letters with accents, hyphens, apostrophes.

/// A person's or a place's name: letters (any accent), spaces, hyphens, apostrophes, dots.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Name(String);

impl Name {
    /// `what` names the field in the message ("Le nom", "La ville"…).
    pub fn parse(raw: &str, what: &str, max: usize) -> Result<Self, String> {
        let collapsed = raw.split_whitespace().collect::<Vec<_>>().join(" ");
        let count = collapsed.chars().count();
        if count == 0 {
            return Err(format!("{what} est obligatoire."));
        }
        if count > max {
            return Err(format!(
                "{what} dépasse {max} caractères (vous en avez saisi {count})."
            ));
        }
        let allowed = |c: char| c.is_alphabetic() || matches!(c, ' ' | '-' | '\'' | '’' | '.');
        if let Some(bad) = collapsed.chars().find(|c| !allowed(*c)) {
            return Err(format!(
                "{what} ne peut contenir que des lettres, des espaces, des tirets et des apostrophes (caractère refusé : « {bad} »)."
            ));
        }
        if !collapsed.chars().any(char::is_alphabetic) {
            return Err(format!("{what} doit contenir au moins une lettre."));
        }
        Ok(Name(collapsed))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The invisible marks that reorder the text around them (embeddings, overrides, isolates):
/// a sender name « Mairie\u{202e}lif.exe » would read backwards in a mail client.
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Free text on one line (address, profession…): no control characters, bounded length.
pub fn line(raw: &str, what: &str, max: usize) -> Result<String, String> {
    let collapsed = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    let count = collapsed.chars().count();
    if count > max {
        return Err(format!(
            "{what} dépasse {max} caractères (vous en avez saisi {count})."
        ));
    }
    if collapsed
        .chars()
        .any(|c| c.is_control() || is_bidi_control(c))
    {
        return Err(format!(
            "{what} contient un caractère invisible non autorisé."
        ));
    }
    Ok(collapsed)
}

/// Free text on several lines (a message, a comment, a reason): trimmed, bounded, and no
/// control character but line breaks and tabs (PostgreSQL refuses NUL in text; the others
/// are invisible). The error names the field.
pub fn paragraph(raw: &str, what: &str, max: usize) -> Result<String, String> {
    let text = raw.trim();
    let count = text.chars().count();
    if count > max {
        return Err(format!(
            "{what} dépasse {max} caractères (vous en avez saisi {count})."
        ));
    }
    if text
        .chars()
        .any(|c| (c.is_control() && !matches!(c, '\n' | '\r' | '\t')) || is_bidi_control(c))
    {
        return Err(format!(
            "{what} contient un caractère invisible non autorisé."
        ));
    }
    Ok(text.to_owned())
}

/// Lower-case ASCII form of a name, for identifiers ("LEFÈVRE" → "lefevre", "N'Diaye" → "ndiaye").
pub fn ascii_lower(name: &str) -> String {
    fold_ascii(name)
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// Letters without their accents ("Élodie, Irène, Muñoz" → "Elodie, Irene, Munoz"), by
/// Unicode decomposition; the ligatures spelt out (Œ → OE, ß → ss); other non-ASCII
/// characters become spaces.
pub fn fold_ascii(text: &str) -> String {
    use unicode_normalization::{UnicodeNormalization, char::is_combining_mark};
    let mut out = String::with_capacity(text.len());
    for c in text.nfd() {
        match c {
            c if c.is_ascii() => out.push(c),
            c if is_combining_mark(c) => {}
            'Œ' => out.push_str("OE"),
            'œ' => out.push_str("oe"),
            'Æ' => out.push_str("AE"),
            'æ' => out.push_str("ae"),
            'ß' => out.push_str("ss"),
            'Ø' => out.push('O'),
            'ø' => out.push('o'),
            'Ł' => out.push('L'),
            'ł' => out.push('l'),
            _ => out.push(' '),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn identifiers_are_plain_ascii() {
        assert_eq!(super::ascii_lower("LEFÈVRE"), "lefevre");
        assert_eq!(super::ascii_lower("N'Diaye-Çelik"), "ndiayecelik");
        assert_eq!(super::ascii_lower("Núñez Łukasz Øster"), "nunezlukaszoster");
        assert_eq!(super::fold_ascii("Cœur, Straße"), "Coeur, Strasse");
    }

    use super::*;

    #[test]
    fn accents_hyphens_and_apostrophes_are_names() {
        for ok in [
            "Jérémie",
            "Marie-Hélène",
            "N'Diaye",
            "D’Artagnan",
            "LEFÈVRE",
            "St. Martin",
            "Ørsted",
            "Çelik",
        ] {
            assert!(Name::parse(ok, "Le prénom", 60).is_ok(), "{ok}");
        }
        assert_eq!(
            Name::parse("  Jean   Paul ", "Le prénom", 60)
                .unwrap()
                .as_str(),
            "Jean Paul"
        );
    }

    #[test]
    fn digits_symbols_and_length_are_refused_with_a_reason() {
        assert!(
            Name::parse("R2D2", "Le prénom", 60)
                .unwrap_err()
                .contains("« 2 »")
        );
        assert!(
            Name::parse("<b>", "Le nom", 60)
                .unwrap_err()
                .contains("« < »")
        );
        assert!(
            Name::parse("", "Le nom", 60)
                .unwrap_err()
                .contains("Le nom est obligatoire.")
        );
        assert!(
            Name::parse("---", "Le nom", 60)
                .unwrap_err()
                .contains("au moins une lettre")
        );
        let long = "a".repeat(61);
        assert!(
            Name::parse(&long, "Le nom", 60)
                .unwrap_err()
                .contains("(vous en avez saisi 61)")
        );
    }

    #[test]
    fn lines_are_bounded_and_collapsed() {
        assert_eq!(
            line(" 19  rue de Paris ", "L'adresse", 120).unwrap(),
            "19 rue de Paris"
        );
        assert_eq!(
            line(&"x".repeat(121), "L'adresse", 120).unwrap_err(),
            "L'adresse dépasse 120 caractères (vous en avez saisi 121)."
        );
        for bidi in ["Mairie\u{202e}fdp.exe", "École\u{2067}x"] {
            assert!(line(bidi, "Le nom d'expéditeur", 60).is_err(), "{bidi:?}");
        }
    }
}

#[cfg(test)]
mod paragraph_tests {
    #[test]
    fn line_breaks_pass_and_invisible_characters_are_named() {
        assert_eq!(
            super::paragraph(" a\nb\t c ", "Le message", 10).as_deref(),
            Ok("a\nb\t c")
        );
        assert!(
            super::paragraph("a\0b", "Le message", 10)
                .unwrap_err()
                .contains("Le message contient")
        );
        assert!(
            super::paragraph("abcdef", "Le motif", 5)
                .unwrap_err()
                .contains("dépasse 5 caractères")
        );
    }
}
