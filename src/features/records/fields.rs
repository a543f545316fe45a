//! The fields of the Famille and Identité records: how each is asked, checked, stored
//! (a canonical string, '' when empty) and shown.

use std::collections::HashMap;

use crate::domain::date::BirthDate;
use crate::domain::phone::display_phone;
use crate::domain::text::{Name, line};
use crate::domain::{EmailAddress, PhoneNumber, PostalCode, french_date};
use crate::web::components::Errors;

pub type Options = &'static [(&'static str, &'static str)];

pub const CIVILITIES: Options = &[("M", "Monsieur"), ("MME", "Madame")];

pub const FAMILY_SITUATIONS: Options = &[
    ("celibataire", "Célibataire"),
    ("marie", "Marié(e)"),
    ("pacse", "Pacsé(e)"),
    ("union_libre", "Vie maritale"),
    ("separe", "Séparé(e)"),
    ("divorce", "Divorcé(e)"),
    ("veuf", "Veuf, veuve"),
];

/// The INSEE socio-professional groups (PCS 2020, level 1) plus the two inactive ones.
pub const SOCIO_PROFESSIONAL: Options = &[
    ("agriculteur", "Agriculteur exploitant"),
    ("artisan", "Artisan, commerçant, chef d'entreprise"),
    ("cadre", "Cadre, profession intellectuelle supérieure"),
    ("intermediaire", "Profession intermédiaire"),
    ("employe", "Employé"),
    ("ouvrier", "Ouvrier"),
    ("retraite", "Retraité"),
    ("sans_activite", "Sans activité professionnelle"),
];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Name(usize),
    Text(usize),
    Select(Options),
    Phone,
    Postal,
    Email,
    BirthDate,
    YesNo,
    Checkbox,
}

pub struct FieldDef {
    /// Form name and column of `person`.
    pub key: &'static str,
    pub label: &'static str,
    /// The field named in messages: "Le nom", "La ville"…
    pub what: &'static str,
    pub kind: Kind,
    pub required: bool,
    pub autocomplete: &'static str,
    pub hint: Option<&'static str>,
    /// Applies an accepted value (static SQL: `$1` value, `$2` time, `$3` person).
    pub update_sql: &'static str,
    /// Part of the address and phones that "Utiliser les coordonnées du responsable légal" replaces.
    pub contact: bool,
}

macro_rules! field {
    ($key:literal, $label:literal, $what:literal, $kind:expr, $req:literal, $auto:literal, $hint:expr, $contact:literal) => {
        FieldDef {
            key: $key,
            label: $label,
            what: $what,
            kind: $kind,
            required: $req,
            autocomplete: $auto,
            hint: $hint,
            update_sql: concat!(
                "update person set ",
                $key,
                " = $1, updated_at = $2 where person_id = $3"
            ),
            contact: $contact,
        }
    };
}

const PHONE_HINT: Option<&str> =
    Some("Par exemple 02 38 55 02 38, ou +44 20 7946 0958 hors de France.");

pub const CIVILITY: FieldDef = field!(
    "civility",
    "Civilité",
    "La civilité",
    Kind::Select(CIVILITIES),
    true,
    "honorific-prefix",
    None,
    false
);
pub const LAST_NAME: FieldDef = field!(
    "last_name",
    "Nom",
    "Le nom",
    Kind::Name(60),
    true,
    "family-name",
    None,
    false
);
pub const FIRST_NAME: FieldDef = field!(
    "first_name",
    "Prénom",
    "Le prénom",
    Kind::Name(60),
    true,
    "given-name",
    None,
    false
);
pub const BIRTH_DATE: FieldDef = field!(
    "birth_date",
    "Date de naissance",
    "La date de naissance",
    Kind::BirthDate,
    true,
    "bday",
    Some("Au format jj/mm/aaaa, par exemple 19/11/2012."),
    false
);
pub const BIRTH_PLACE: FieldDef = field!(
    "birth_place",
    "Lieu de naissance",
    "Le lieu de naissance",
    Kind::Name(60),
    false,
    "off",
    None,
    false
);
pub const FAMILY_SITUATION: FieldDef = field!(
    "family_situation",
    "Situation familiale",
    "La situation familiale",
    Kind::Select(FAMILY_SITUATIONS),
    false,
    "off",
    None,
    false
);
pub const USE_GUARDIAN_CONTACT: FieldDef = field!(
    "use_guardian_contact",
    "Utiliser les coordonnées du responsable légal",
    "Ce choix",
    Kind::Checkbox,
    false,
    "off",
    Some("L'adresse et les téléphones de l'élève sont alors ceux du responsable légal."),
    false
);
pub const ADDRESS: FieldDef = field!(
    "address",
    "Adresse",
    "L'adresse",
    Kind::Text(120),
    false,
    "address-line1",
    None,
    true
);
pub const POSTAL_CODE: FieldDef = field!(
    "postal_code",
    "Code postal",
    "Le code postal",
    Kind::Postal,
    false,
    "postal-code",
    Some("5 chiffres en France."),
    true
);
pub const CITY: FieldDef = field!(
    "city",
    "Ville",
    "La ville",
    Kind::Name(60),
    false,
    "address-level2",
    None,
    true
);
pub const COUNTRY: FieldDef = field!(
    "country",
    "Pays",
    "Le pays",
    Kind::Name(60),
    false,
    "country-name",
    Some("Laissez vide pour la France."),
    true
);
pub const PHONE_HOME: FieldDef = field!(
    "phone_home",
    "Téléphone domicile",
    "Le téléphone domicile",
    Kind::Phone,
    false,
    "tel",
    PHONE_HINT,
    true
);
pub const PHONE_MOBILE: FieldDef = field!(
    "phone_mobile",
    "Téléphone mobile",
    "Le téléphone mobile",
    Kind::Phone,
    false,
    "tel",
    PHONE_HINT,
    true
);
pub const PHONE_WORK: FieldDef = field!(
    "phone_work",
    "Téléphone professionnel",
    "Le téléphone professionnel",
    Kind::Phone,
    false,
    "tel",
    PHONE_HINT,
    true
);
pub const EMAIL_REQUIRED: FieldDef = field!(
    "email",
    "E-mail",
    "L'adresse e-mail",
    Kind::Email,
    true,
    "email",
    Some("Elle sert à vous envoyer les messages de l'école et les liens de mot de passe."),
    false
);
pub const EMAIL: FieldDef = field!(
    "email",
    "E-mail",
    "L'adresse e-mail",
    Kind::Email,
    false,
    "email",
    None,
    false
);
pub const SOCIO: FieldDef = field!(
    "socio_professional",
    "Catégorie socio-professionnelle",
    "La catégorie socio-professionnelle",
    Kind::Select(SOCIO_PROFESSIONAL),
    false,
    "off",
    None,
    false
);
pub const PROFESSION: FieldDef = field!(
    "profession",
    "Profession",
    "La profession",
    Kind::Text(60),
    false,
    "organization-title",
    None,
    false
);
pub const PHONE_EXTRA1: FieldDef = field!(
    "phone_extra1",
    "Téléphone supplémentaire 1",
    "Le téléphone supplémentaire 1",
    Kind::Phone,
    false,
    "tel",
    None,
    false
);
pub const PHONE_EXTRA2: FieldDef = field!(
    "phone_extra2",
    "Téléphone supplémentaire 2",
    "Le téléphone supplémentaire 2",
    Kind::Phone,
    false,
    "tel",
    None,
    false
);
pub const PHONE_EXTRA3: FieldDef = field!(
    "phone_extra3",
    "Téléphone supplémentaire 3",
    "Le téléphone supplémentaire 3",
    Kind::Phone,
    false,
    "tel",
    None,
    false
);
pub const EMERGENCY_CONTACT: FieldDef = field!(
    "emergency_contact",
    "Personne à prévenir",
    "La personne à prévenir",
    Kind::Name(80),
    false,
    "off",
    Some("En cas d'urgence : nom et prénom."),
    false
);
pub const EMERGENCY_PHONE: FieldDef = field!(
    "emergency_phone",
    "Téléphone en cas d'urgence",
    "Le téléphone en cas d'urgence",
    Kind::Phone,
    false,
    "off",
    None,
    false
);
pub const IMAGE_RIGHTS: FieldDef = field!(
    "image_rights",
    "Droit à l'image",
    "Le droit à l'image",
    Kind::YesNo,
    false,
    "off",
    None,
    false
);
pub const EXIT_AUTHORISATION: FieldDef = field!(
    "exit_authorisation",
    "Autorisation de sortie",
    "L'autorisation de sortie",
    Kind::YesNo,
    false,
    "off",
    None,
    false
);

/// Famille: the account holder's record, in the manual's order.
pub const GUARDIAN_FIELDS: &[&FieldDef] = &[
    &CIVILITY,
    &LAST_NAME,
    &FIRST_NAME,
    &ADDRESS,
    &POSTAL_CODE,
    &CITY,
    &COUNTRY,
    &PHONE_HOME,
    &PHONE_MOBILE,
    &PHONE_WORK,
    &EMAIL_REQUIRED,
    &FAMILY_SITUATION,
    &SOCIO,
    &PROFESSION,
    &PHONE_EXTRA1,
    &PHONE_EXTRA2,
    &PHONE_EXTRA3,
];

/// Élèves › Identité.
pub const STUDENT_FIELDS: &[&FieldDef] = &[
    &CIVILITY,
    &LAST_NAME,
    &FIRST_NAME,
    &BIRTH_DATE,
    &BIRTH_PLACE,
    &FAMILY_SITUATION,
    &USE_GUARDIAN_CONTACT,
    &ADDRESS,
    &POSTAL_CODE,
    &CITY,
    &COUNTRY,
    &PHONE_HOME,
    &PHONE_MOBILE,
    &PHONE_WORK,
    &EMAIL,
    &EMERGENCY_CONTACT,
    &EMERGENCY_PHONE,
    &IMAGE_RIGHTS,
    &EXIT_AUTHORISATION,
];

/// Every field that may be changed, for looking a stored key up.
pub fn by_key(key: &str) -> Option<&'static FieldDef> {
    GUARDIAN_FIELDS
        .iter()
        .chain(STUDENT_FIELDS.iter())
        .find(|f| f.key == key)
        .copied()
}

fn label_of(options: Options, code: &str) -> Option<&'static str> {
    options.iter().find(|(c, _)| *c == code).map(|(_, l)| *l)
}

/// A stored value as people read it.
pub fn display(def: &FieldDef, canonical: &str) -> String {
    if canonical.is_empty() {
        return "(non renseigné)".to_owned();
    }
    match def.kind {
        Kind::Phone => display_phone(canonical),
        Kind::BirthDate => french_date(canonical),
        Kind::Select(options) => label_of(options, canonical).unwrap_or(canonical).to_owned(),
        Kind::YesNo | Kind::Checkbox => if canonical == "1" { "Oui" } else { "Non" }.to_owned(),
        _ => canonical.to_owned(),
    }
}

/// A stored value as it is put back in its form control.
pub fn control_value(def: &FieldDef, canonical: &str) -> String {
    match def.kind {
        Kind::Phone if !canonical.is_empty() => display_phone(canonical),
        Kind::BirthDate if !canonical.is_empty() => french_date(canonical),
        _ => canonical.to_owned(),
    }
}

/// Checks one submitted value; returns its canonical form.
fn check(def: &FieldDef, raw: &str, country: &str) -> Result<String, String> {
    let trimmed = raw.trim();
    let empty = trimmed.is_empty();
    if empty && !matches!(def.kind, Kind::Checkbox) {
        return if def.required {
            Err(match def.kind {
                Kind::Select(_) | Kind::YesNo => format!("Choisissez {}.", lower_article(def.what)),
                _ => format!("Saisissez {}.", lower_article(def.what)),
            })
        } else {
            Ok(String::new())
        };
    }
    match def.kind {
        Kind::Name(max) => Name::parse(trimmed, def.what, max).map(|n| n.as_str().to_owned()),
        Kind::Text(max) => line(trimmed, def.what, max),
        Kind::Select(options) => label_of(options, trimmed)
            .map(|_| trimmed.to_owned())
            .ok_or_else(|| format!("Choisissez {} dans la liste.", lower_article(def.what))),
        Kind::Phone => PhoneNumber::parse(trimmed).map(|p| p.as_str().to_owned()),
        Kind::Postal => PostalCode::parse(trimmed, country).map(|p| p.as_str().to_owned()),
        Kind::Email => EmailAddress::parse(trimmed).map(|e| e.as_str().to_owned()),
        Kind::BirthDate => BirthDate::parse(trimmed, crate::domain::date::today()).map(|d| d.iso()),
        Kind::YesNo => match trimmed {
            "1" | "0" => Ok(trimmed.to_owned()),
            _ => Err(format!(
                "Choisissez Oui ou Non pour {}.",
                lower_article(def.what)
            )),
        },
        Kind::Checkbox => Ok(if trimmed == "1" { "1" } else { "0" }.to_owned()),
    }
}

/// "Le nom" → "le nom", "L'adresse" → "l'adresse".
fn lower_article(what: &str) -> String {
    let mut c = what.chars();
    match c.next() {
        Some(first) => first.to_lowercase().chain(c).collect(),
        None => String::new(),
    }
}

/// The result of reading a submitted record form.
pub struct Parsed {
    /// Canonical value per field key (fields not asked keep their current value).
    pub values: HashMap<&'static str, String>,
    pub errors: Errors,
}

/// Reads and checks every field of `defs`. Contact fields are not asked (and keep
/// `current`) when the student uses the guardian's contact details.
pub fn parse(
    defs: &[&FieldDef],
    submitted: &HashMap<String, String>,
    current: &HashMap<&'static str, String>,
) -> Parsed {
    let get = |k: &str| submitted.get(k).map(String::as_str).unwrap_or("");
    let country = get("country");
    let uses_guardian = defs.iter().any(|d| d.key == USE_GUARDIAN_CONTACT.key)
        && get(USE_GUARDIAN_CONTACT.key) == "1";
    let mut values = HashMap::new();
    let mut errors = Errors::new();
    for def in defs {
        if def.contact && uses_guardian {
            values.insert(def.key, current.get(def.key).cloned().unwrap_or_default());
            continue;
        }
        match check(def, get(def.key), country) {
            Ok(v) => {
                values.insert(def.key, v);
            }
            Err(message) => errors.add(def.key, message),
        }
    }
    Parsed { values, errors }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn a_complete_guardian_form_becomes_canonical_values() {
        let f = form(&[
            ("civility", "M"),
            ("last_name", "ABARRE"),
            ("first_name", "Jérémie"),
            ("address", "19 rue de Paris"),
            ("postal_code", "45000"),
            ("city", "ORLÉANS"),
            ("phone_home", "02 38 55 02 38"),
            ("email", "jeremie.abarre@example.org"),
            ("family_situation", "marie"),
            ("socio_professional", "agriculteur"),
        ]);
        let p = parse(GUARDIAN_FIELDS, &f, &HashMap::new());
        assert!(p.errors.is_empty(), "{:?}", p.errors);
        assert_eq!(p.values["phone_home"], "+33238550238");
        assert_eq!(p.values["phone_mobile"], "");
    }

    #[test]
    fn required_fields_and_lists_have_their_own_messages() {
        let p = parse(
            GUARDIAN_FIELDS,
            &form(&[("civility", "X"), ("family_situation", "autre")]),
            &HashMap::new(),
        );
        assert_eq!(
            p.errors.get("civility"),
            Some("Choisissez la civilité dans la liste.")
        );
        assert_eq!(p.errors.get("last_name"), Some("Saisissez le nom."));
        assert_eq!(p.errors.get("email"), Some("Saisissez l'adresse e-mail."));
        assert_eq!(
            p.errors.get("family_situation"),
            Some("Choisissez la situation familiale dans la liste.")
        );
    }

    #[test]
    fn the_postal_code_follows_the_country() {
        let base = [
            ("civility", "M"),
            ("last_name", "A"),
            ("first_name", "B"),
            ("email", "a@b.fr"),
        ];
        let mut f = form(&base);
        f.insert("postal_code".into(), "SW1A 1AA".into());
        assert!(
            parse(GUARDIAN_FIELDS, &f, &HashMap::new())
                .errors
                .get("postal_code")
                .is_some()
        );
        f.insert("country".into(), "Royaume-Uni".into());
        assert!(
            parse(GUARDIAN_FIELDS, &f, &HashMap::new())
                .errors
                .is_empty()
        );
    }

    #[test]
    fn contact_fields_are_not_asked_when_the_guardians_are_used() {
        let current: HashMap<&'static str, String> =
            [("address", "ancienne adresse".to_owned())].into();
        let f = form(&[
            ("civility", "MME"),
            ("last_name", "ABARRE"),
            ("first_name", "Irina"),
            ("birth_date", "12/03/2000"),
            ("use_guardian_contact", "1"),
            ("phone_home", "pas un numéro"),
        ]);
        let p = parse(STUDENT_FIELDS, &f, &current);
        assert!(p.errors.is_empty(), "{:?}", p.errors);
        assert_eq!(p.values["address"], "ancienne adresse");
        assert_eq!(p.values["birth_date"], "2000-03-12");
        assert_eq!(p.values["use_guardian_contact"], "1");
    }

    #[test]
    fn values_are_shown_the_french_way() {
        assert_eq!(display(&PHONE_HOME, "+33238550238"), "02 38 55 02 38");
        assert_eq!(display(&BIRTH_DATE, "2012-11-19"), "19/11/2012");
        assert_eq!(display(&FAMILY_SITUATION, "marie"), "Marié(e)");
        assert_eq!(display(&IMAGE_RIGHTS, "0"), "Non");
        assert_eq!(display(&CITY, ""), "(non renseigné)");
    }
}
