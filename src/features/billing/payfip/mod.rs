//! PayFiP (the French public treasury's online payment, formerly TIPI), through its
//! secure web service ("PayFiP WS"), the protocol public integrations use:
//!
//! 1. the portal calls `creerPaiementSecurise` (SOAP, `soap.rs`) with `exer, mel, montant,
//!    numcli, objet, refdet, saisie, urlnotif, urlredirect` and gets an operation id, `idOp`;
//! 2. the family's browser goes to PayFiP's `paiementws.web?idop=…` and pays there;
//! 3. PayFiP calls `urlnotif` server to server with the `idOp`; the portal then asks
//!    `recupererDetailPaiementSecurise(idOp)` and only that answer (`resultrans, montant,
//!    numauto, dattrans, heurtrans`) may write a receipt;
//! 4. PayFiP sends the browser back to `urlredirect`, which only shows where the attempt
//!    stands (and asks PayFiP itself when the notification is late): nothing a browser
//!    carries is believed.
//!
//! Formats: `numcli` 6 digits, `exer` the year, `refdet` 6 to 30 letters or digits, `objet`
//! capitals, digits and spaces under 100 characters, `montant` in cents (1,00 € to
//! 99 999,99 €), `saisie` T (test), X (activation) or W (production); `resultrans` P/V
//! (paid by card / by debit), R (refused), A (abandoned); `dattrans` DDMMYYYY and
//! `heurtrans` HHMM. `client.rs` speaks to the service; `double.rs` plays PayFiP in the demo.

pub mod client;
pub mod double;
pub mod soap;

use rand::Rng;

use crate::domain::text::fold_ascii;

/// The smallest and largest amounts PayFiP takes, in cents.
pub const MIN_CENTS: i64 = 100;
pub const MAX_CENTS: i64 = 9_999_999;

/// What the portal asks PayFiP to create (`creerPaiementSecurise`'s `arg0`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CreateRequest {
    pub exer: String,
    pub mel: String,
    pub montant: i64,
    pub numcli: String,
    pub objet: String,
    pub refdet: String,
    pub saisie: char,
    pub urlnotif: String,
    pub urlredirect: String,
}

impl CreateRequest {
    /// The fields in the order of PayFiP's schema.
    pub fn fields(&self) -> Vec<(&'static str, String)> {
        vec![
            ("exer", self.exer.clone()),
            ("mel", self.mel.clone()),
            ("montant", self.montant.to_string()),
            ("numcli", self.numcli.clone()),
            ("objet", self.objet.clone()),
            ("refdet", self.refdet.clone()),
            ("saisie", self.saisie.to_string()),
            ("urlnotif", self.urlnotif.clone()),
            ("urlredirect", self.urlredirect.clone()),
        ]
    }
}

/// PayFiP's answer to `recupererDetailPaiementSecurise`: the only source of a result.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Details {
    pub idop: String,
    pub numcli: String,
    pub exer: String,
    pub refdet: String,
    pub objet: String,
    pub montant: String,
    pub mel: String,
    pub saisie: String,
    pub resultrans: String,
    pub numauto: String,
    pub dattrans: String,
    pub heurtrans: String,
}

impl Details {
    /// The fields in the order of PayFiP's schema.
    pub fn fields(&self) -> Vec<(&'static str, &str)> {
        vec![
            ("dattrans", &self.dattrans),
            ("exer", &self.exer),
            ("heurtrans", &self.heurtrans),
            ("idOp", &self.idop),
            ("mel", &self.mel),
            ("montant", &self.montant),
            ("numauto", &self.numauto),
            ("numcli", &self.numcli),
            ("objet", &self.objet),
            ("refdet", &self.refdet),
            ("resultrans", &self.resultrans),
            ("saisie", &self.saisie),
        ]
    }

    /// The amount PayFiP says was paid, in cents.
    pub fn amount_cents(&self) -> Option<i64> {
        let m = self.montant.trim();
        (!m.is_empty() && m.bytes().all(|b| b.is_ascii_digit()))
            .then(|| m.parse().ok())
            .flatten()
    }

    /// `numauto` as stored: letters and digits, 30 at most.
    pub fn authorisation(&self) -> Option<String> {
        let n: String = self
            .numauto
            .chars()
            .filter(char::is_ascii_alphanumeric)
            .take(30)
            .collect();
        (!n.is_empty()).then_some(n)
    }
}

pub use crate::config::PayfipMode as Mode;

/// Is this an operation id as PayFiP makes them (letters, digits and hyphens, 64 at most)?
/// Anything else is refused before it reaches a query or the service.
pub fn valid_idop(s: &str) -> bool {
    (1..=64).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
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
pub enum Resultrans {
    PaidByCard,
    PaidByDebit,
    Refused,
    Abandoned,
}

impl Resultrans {
    pub fn parse(code: &str) -> Option<Self> {
        match code {
            "P" => Some(Resultrans::PaidByCard),
            "V" => Some(Resultrans::PaidByDebit),
            "R" => Some(Resultrans::Refused),
            "A" => Some(Resultrans::Abandoned),
            _ => None,
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Resultrans::PaidByCard => "P",
            Resultrans::PaidByDebit => "V",
            Resultrans::Refused => "R",
            Resultrans::Abandoned => "A",
        }
    }

    pub fn is_paid(self) -> bool {
        matches!(self, Resultrans::PaidByCard | Resultrans::PaidByDebit)
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
    fn modes_map_to_saisie_and_idops_are_checked() {
        assert_eq!(Mode::parse("test").map(Mode::saisie), Some('T'));
        assert_eq!(Mode::parse("activation").map(Mode::saisie), Some('X'));
        assert_eq!(Mode::parse("production").map(Mode::saisie), Some('W'));
        assert_eq!(Mode::parse("prod"), None);
        assert!(valid_idop("3f0a9c2e-77b1-4d3c-9a51-0b6f2f1c8e1d"));
        assert!(!valid_idop(""));
        assert!(!valid_idop("abc'; drop"));
        assert!(!valid_idop(&"a".repeat(65)));
    }

    #[test]
    fn details_amount_and_authorisation_are_read_strictly() {
        let d = Details {
            montant: "31200".into(),
            numauto: "AUT-123 <x>".into(),
            ..Details::default()
        };
        assert_eq!(d.amount_cents(), Some(31200));
        assert_eq!(d.authorisation().as_deref(), Some("AUT123x"));
        for bad in ["", "-5", "31200.00", "3e4", " "] {
            let d = Details {
                montant: bad.into(),
                ..Details::default()
            };
            assert_eq!(d.amount_cents(), None, "{bad:?}");
        }
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
