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
    (key: $key:literal, label: $label:literal, what: $what:literal, kind: $kind:expr,
     required: $req:literal, autocomplete: $auto:literal, hint: $hint:expr, contact: $contact:literal $(,)?) => {
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

pub const CIVILITY: FieldDef = field! {
    key: "civility",
    label: "Civilité",
    what: "La civilité",
    kind: Kind::Select(CIVILITIES),
    required: true,
    autocomplete: "honorific-prefix",
    hint: None,
    contact: false,
};
pub const LAST_NAME: FieldDef = field! {
    key: "last_name",
    label: "Nom",
    what: "Le nom",
    kind: Kind::Name(60),
    required: true,
    autocomplete: "family-name",
    hint: None,
    contact: false,
};
pub const FIRST_NAME: FieldDef = field! {
    key: "first_name",
    label: "Prénom",
    what: "Le prénom",
    kind: Kind::Name(60),
    required: true,
    autocomplete: "given-name",
    hint: None,
    contact: false,
};
pub const BIRTH_DATE: FieldDef = field! {
    key: "birth_date",
    label: "Date de naissance",
    what: "La date de naissance",
    kind: Kind::BirthDate,
    required: true,
    autocomplete: "bday",
    hint: Some("Au format jj/mm/aaaa, par exemple 19/11/2012."),
    contact: false,
};
pub const BIRTH_PLACE: FieldDef = field! {
    key: "birth_place",
    label: "Lieu de naissance",
    what: "Le lieu de naissance",
    kind: Kind::Name(60),
    required: false,
    autocomplete: "off",
    hint: None,
    contact: false,
};
pub const FAMILY_SITUATION: FieldDef = field! {
    key: "family_situation",
    label: "Situation familiale",
    what: "La situation familiale",
    kind: Kind::Select(FAMILY_SITUATIONS),
    required: false,
    autocomplete: "off",
    hint: None,
    contact: false,
};
pub const USE_GUARDIAN_CONTACT: FieldDef = field! {
    key: "use_guardian_contact",
    label: "Utiliser les coordonnées du responsable légal",
    what: "Ce choix",
    kind: Kind::Checkbox,
    required: false,
    autocomplete: "off",
    hint: Some("L'adresse et les téléphones de l'élève sont alors ceux du responsable légal."),
    contact: false,
};
pub const ADDRESS: FieldDef = field! {
    key: "address",
    label: "Adresse",
    what: "L'adresse",
    kind: Kind::Text(120),
    required: false,
    autocomplete: "address-line1",
    hint: None,
    contact: true,
};
pub const POSTAL_CODE: FieldDef = field! {
    key: "postal_code",
    label: "Code postal",
    what: "Le code postal",
    kind: Kind::Postal,
    required: false,
    autocomplete: "postal-code",
    hint: Some("5 chiffres en France."),
    contact: true,
};
pub const CITY: FieldDef = field! {
    key: "city",
    label: "Ville",
    what: "La ville",
    kind: Kind::Name(60),
    required: false,
    autocomplete: "address-level2",
    hint: None,
    contact: true,
};
pub const COUNTRY: FieldDef = field! {
    key: "country",
    label: "Pays",
    what: "Le pays",
    kind: Kind::Name(60),
    required: false,
    autocomplete: "country-name",
    hint: Some("Laissez vide pour la France."),
    contact: true,
};
pub const PHONE_HOME: FieldDef = field! {
    key: "phone_home",
    label: "Téléphone domicile",
    what: "Le téléphone domicile",
    kind: Kind::Phone,
    required: false,
    autocomplete: "home tel",
    hint: PHONE_HINT,
    contact: true,
};
pub const PHONE_MOBILE: FieldDef = field! {
    key: "phone_mobile",
    label: "Téléphone mobile",
    what: "Le téléphone mobile",
    kind: Kind::Phone,
    required: false,
    autocomplete: "mobile tel",
    hint: PHONE_HINT,
    contact: true,
};
pub const PHONE_WORK: FieldDef = field! {
    key: "phone_work",
    label: "Téléphone professionnel",
    what: "Le téléphone professionnel",
    kind: Kind::Phone,
    required: false,
    autocomplete: "work tel",
    hint: PHONE_HINT,
    contact: true,
};
pub const EMAIL_REQUIRED: FieldDef = field! {
    key: "email",
    label: "E-mail",
    what: "L'adresse e-mail",
    kind: Kind::Email,
    required: true,
    autocomplete: "email",
    hint: Some("Elle sert à vous envoyer les messages de l'école et les liens de mot de passe."),
    contact: false,
};
pub const EMAIL: FieldDef = field! {
    key: "email",
    label: "E-mail",
    what: "L'adresse e-mail",
    kind: Kind::Email,
    required: false,
    autocomplete: "email",
    hint: None,
    contact: false,
};
pub const SOCIO: FieldDef = field! {
    key: "socio_professional",
    label: "Catégorie socio-professionnelle",
    what: "La catégorie socio-professionnelle",
    kind: Kind::Select(SOCIO_PROFESSIONAL),
    required: false,
    autocomplete: "off",
    hint: None,
    contact: false,
};
pub const PROFESSION: FieldDef = field! {
    key: "profession",
    label: "Profession",
    what: "La profession",
    kind: Kind::Text(60),
    required: false,
    autocomplete: "organization-title",
    hint: None,
    contact: false,
};
pub const PHONE_EXTRA1: FieldDef = field! {
    key: "phone_extra1",
    label: "Téléphone supplémentaire 1",
    what: "Le téléphone supplémentaire 1",
    kind: Kind::Phone,
    required: false,
    autocomplete: "off",
    hint: None,
    contact: false,
};
pub const PHONE_EXTRA2: FieldDef = field! {
    key: "phone_extra2",
    label: "Téléphone supplémentaire 2",
    what: "Le téléphone supplémentaire 2",
    kind: Kind::Phone,
    required: false,
    autocomplete: "off",
    hint: None,
    contact: false,
};
pub const PHONE_EXTRA3: FieldDef = field! {
    key: "phone_extra3",
    label: "Téléphone supplémentaire 3",
    what: "Le téléphone supplémentaire 3",
    kind: Kind::Phone,
    required: false,
    autocomplete: "off",
    hint: None,
    contact: false,
};
pub const EMERGENCY_CONTACT: FieldDef = field! {
    key: "emergency_contact",
    label: "Personne à prévenir",
    what: "La personne à prévenir",
    kind: Kind::Name(80),
    required: false,
    autocomplete: "off",
    hint: Some("En cas d'urgence : nom et prénom."),
    contact: false,
};
pub const EMERGENCY_PHONE: FieldDef = field! {
    key: "emergency_phone",
    label: "Téléphone en cas d'urgence",
    what: "Le téléphone en cas d'urgence",
    kind: Kind::Phone,
    required: false,
    autocomplete: "off",
    hint: None,
    contact: false,
};
pub const IMAGE_RIGHTS: FieldDef = field! {
    key: "image_rights",
    label: "Droit à l'image",
    what: "Le droit à l'image",
    kind: Kind::YesNo,
    required: false,
    autocomplete: "off",
    hint: None,
    contact: false,
};
pub const EXIT_AUTHORISATION: FieldDef = field! {
    key: "exit_authorisation",
    label: "Autorisation de sortie",
    what: "L'autorisation de sortie",
    kind: Kind::YesNo,
    required: false,
    autocomplete: "off",
    hint: None,
    contact: false,
};

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

/// A value as typed in the form (not yet checked) as people read it: an option's text
/// rather than its code, « Oui »/« Non » rather than 1/0.
pub fn typed_display(def: &FieldDef, typed: &str) -> String {
    match def.kind {
        Kind::Select(options) => label_of(options, typed).unwrap_or(typed).to_owned(),
        Kind::YesNo | Kind::Checkbox => if typed == "1" { "Oui" } else { "Non" }.to_owned(),
        _ => typed.to_owned(),
    }
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
            // The field's label first: in the error summary, two phone fields' errors are
            // two different links, each naming its field.
            Err(message) => errors.add(
                def.key,
                format!("{}\u{a0}: {}", def.label, lower_article(&message)),
            ),
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
        // Each message starts with its field's label (two phone fields' errors differ).
        assert_eq!(
            p.errors.get("civility"),
            Some("Civilité\u{a0}: choisissez la civilité dans la liste.")
        );
        assert_eq!(
            p.errors.get("last_name"),
            Some("Nom\u{a0}: saisissez le nom.")
        );
        assert_eq!(
            p.errors.get("email"),
            Some("E-mail\u{a0}: saisissez l'adresse e-mail.")
        );
        assert_eq!(
            p.errors.get("family_situation"),
            Some("Situation familiale\u{a0}: choisissez la situation familiale dans la liste.")
        );
        let p = parse(
            GUARDIAN_FIELDS,
            &form(&[("phone_home", "12"), ("phone_work", "34")]),
            &HashMap::new(),
        );
        let home = p.errors.get("phone_home").unwrap();
        let work = p.errors.get("phone_work").unwrap();
        assert!(
            home.starts_with("Téléphone domicile\u{a0}: « 12 »"),
            "{home}"
        );
        assert!(
            work.starts_with("Téléphone professionnel\u{a0}: « 34 »"),
            "{work}"
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
