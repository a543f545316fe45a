//! PayFiP (the French public treasury's online payment, formerly TIPI): the request the
//! portal sends and the result it accepts back. Formats follow the PayFiP "TIPI Régie"
//! interface: `numcli` 6 digits, `exer` the year, `refdet` 6 to 30 characters, `objet` without
//! accents or punctuation (under 100 characters), `montant` in cents, `saisie` T (test) or X
//! (production), and on return `resultrans` P/V (paid by card / by debit), R (refused),
//! A (abandoned), with `numauto`, `dattrans` DDMMYYYY and `heurtrans` HHMM.

use rand::Rng;

use crate::domain::text::fold_ascii;

/// What the portal sends to PayFiP.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Request {
    pub numcli: String,
    pub exer: String,
    pub refdet: String,
    pub objet: String,
    pub montant: i64,
    pub mel: String,
    pub urlcl: String,
    pub saisie: char,
}

impl Request {
    /// The address to send the family's browser to.
    pub fn url(&self, base: &str) -> String {
        let query = serde_urlencoded::to_string([
            ("numcli", self.numcli.as_str()),
            ("exer", self.exer.as_str()),
            ("refdet", self.refdet.as_str()),
            ("objet", self.objet.as_str()),
            ("montant", &self.montant.to_string()),
            ("mel", self.mel.as_str()),
            ("urlcl", self.urlcl.as_str()),
            ("saisie", &self.saisie.to_string()),
        ])
        .expect("strings encode");
        let sep = if base.contains('?') { '&' } else { '?' };
        format!("{base}{sep}{query}")
    }
}

/// Is this a PayFiP client number (exactly 6 digits)?
pub fn valid_numcli(s: &str) -> bool {
    s.len() == 6 && s.bytes().all(|b| b.is_ascii_digit())
}

/// A payment's description as PayFiP accepts it: capitals, digits and spaces only, no
/// accents, under 100 characters (cut at a word).
pub fn objet(text: &str) -> String {
    let folded = fold_ascii(text);
    let cleaned: String = folded
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                ' '
            }
        })
        .collect();
    let mut out = String::new();
    for word in cleaned.split_whitespace() {
        if out.len() + word.len() + 1 > 99 {
            break;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// A fresh reference for one attempt: the invoice number and 8 random characters
/// (capitals and digits), so each attempt is unique and cannot be guessed.
pub fn new_refdet(invoice_number: &str) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut rng = rand::thread_rng();
    let suffix: String = (0..8)
        .map(|_| char::from(ALPHABET[rng.gen_range(0..ALPHABET.len())]))
        .collect();
    let number: String = invoice_number
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .take(20)
        .collect();
    format!("{number}{suffix}")
}

/// Is this a refdet PayFiP accepts (6 to 30 letters or digits)?
pub fn valid_refdet(s: &str) -> bool {
    (6..=30).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric())
}

/// What PayFiP's `resultrans` means.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Result {
    PaidByCard,
    PaidByDebit,
    Refused,
    Abandoned,
}

impl Result {
    pub fn parse(code: &str) -> Option<Self> {
        match code {
            "P" => Some(Result::PaidByCard),
            "V" => Some(Result::PaidByDebit),
            "R" => Some(Result::Refused),
            "A" => Some(Result::Abandoned),
            _ => None,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Result::PaidByCard => "P",
            Result::PaidByDebit => "V",
            Result::Refused => "R",
            Result::Abandoned => "A",
        }
    }

    /// The attempt's status once resolved.
    pub fn status(self) -> &'static str {
        match self {
            Result::PaidByCard | Result::PaidByDebit => "paid",
            Result::Refused => "refused",
            Result::Abandoned => "cancelled",
        }
    }
}

/// `dattrans` (DDMMYYYY) and `heurtrans` (HHMM) → 'YYYY-MM-DD HH:MM', if both are valid.
pub fn paid_on(dattrans: &str, heurtrans: &str) -> Option<String> {
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(dattrans, 8) || !digits(heurtrans, 4) {
        return None;
    }
    let (d, m, y) = (&dattrans[0..2], &dattrans[2..4], &dattrans[4..8]);
    let date = time::Date::from_calendar_date(
        y.parse().ok()?,
        time::Month::try_from(m.parse::<u8>().ok()?).ok()?,
        d.parse().ok()?,
    )
    .ok()?;
    let (h, min) = (
        heurtrans[0..2].parse::<u8>().ok()?,
        heurtrans[2..4].parse::<u8>().ok()?,
    );
    if h > 23 || min > 59 {
        return None;
    }
    Some(format!("{date} {h:02}:{min:02}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn objet_has_no_accents_no_punctuation_and_stays_short() {
        assert_eq!(
            objet("Facture 26FC00412 – famille ABARRE (Élodie, Irène)"),
            "FACTURE 26FC00412 FAMILLE ABARRE ELODIE IRENE"
        );
        let long = objet(&"musique ".repeat(30));
        assert!(long.len() < 100 && long.ends_with("MUSIQUE"));
    }

    #[test]
    fn refdet_is_unique_and_well_formed() {
        let a = new_refdet("26FC00412");
        let b = new_refdet("26FC00412");
        assert_ne!(a, b);
        assert!(valid_refdet(&a) && a.starts_with("26FC00412"), "{a}");
        assert!(!valid_refdet("ab-12"));
    }

    #[test]
    fn the_url_carries_every_field() {
        let r = Request {
            numcli: "012345".into(),
            exer: "2026".into(),
            refdet: "26FC00412ABCDEFGH".into(),
            objet: "FACTURE 26FC00412".into(),
            montant: 31200,
            mel: "a@example.org".into(),
            urlcl: "https://portail.example.org/facturation/paiement/retour".into(),
            saisie: 'T',
        };
        let url = r.url("https://www.payfip.gouv.fr/tpa/paiement.web");
        assert!(
            url.starts_with("https://www.payfip.gouv.fr/tpa/paiement.web?numcli=012345&exer=2026")
        );
        assert!(url.contains("&montant=31200&"));
        assert!(url.contains("&objet=FACTURE+26FC00412&"));
        assert!(url.ends_with("&saisie=T"));
    }

    #[test]
    fn transaction_date_and_time_are_checked() {
        assert_eq!(
            paid_on("29112026", "0945").as_deref(),
            Some("2026-11-29 09:45")
        );
        assert_eq!(paid_on("31022026", "0945"), None);
        assert_eq!(paid_on("29112026", "2460"), None);
        assert_eq!(paid_on("2911202", "0945"), None);
    }
}
