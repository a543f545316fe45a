//! The files, their columns and their formats, described once (the README's table is made
//! from here, and a test keeps them in step).

/// How a column's text is read.
#[derive(Clone, Copy)]
pub(super) enum Kind {
    /// Free text of at most this many characters.
    Text(usize),
    /// `jj/mm/aaaa` or `aaaa-mm-jj`.
    Date,
    /// `HH:MM`.
    Time,
    /// A whole number within the bounds.
    Int(i64, i64),
    /// A decimal number with at most 2 decimals (`12,5`), stored in hundredths (cents).
    Decimal,
    /// An amount of money (a decimal in cents); empty is 0.
    Amount,
    /// `0`/`1` (also `non`/`oui`); empty is 0.
    Bool,
    /// One of the listed values (CSV value, stored value); compared case-insensitively.
    Enum(&'static [(&'static str, &'static str)]),
    /// The id of a row of another file (or of this one).
    Ref(&'static str),
    Email,
    Phone,
    /// `M` (or Monsieur), `MME` (or Mme, Madame), or empty (stored as '').
    Civility,
}

pub(super) struct Col {
    pub(super) csv: &'static str,
    pub(super) db: &'static str,
    pub(super) kind: Kind,
    pub(super) required: bool,
}

pub(super) const fn col(csv: &'static str, db: &'static str, kind: Kind, required: bool) -> Col {
    Col {
        csv,
        db,
        kind,
        required,
    }
}

pub(super) struct Spec {
    /// The file's stem: `personnes` for `personnes.csv`; also the kind in `import_source`.
    pub(super) file: &'static str,
    pub(super) table: &'static str,
    pub(super) id: &'static str,
    /// The table has a `site_id` column.
    pub(super) site: bool,
    /// Columns set to the import's time when a row is created (never updated).
    pub(super) stamps: &'static [&'static str],
    /// A column naming a row uniquely in a school: a row already there with the same value
    /// (and no import id yet) is adopted instead of duplicated.
    pub(super) natural: Option<&'static str>,
    pub(super) cols: &'static [Col],
}

pub(super) const LEDGERS: &[(&str, &str)] =
    &[("cotisations", "cotisations"), ("locations", "locations")];
pub(super) const ENTRY_KINDS: &[(&str, &str)] = &[("facture", "invoice"), ("reglement", "receipt")];
pub(super) const MODES: &[(&str, &str)] = &[
    ("", ""),
    ("cheque", "cheque"),
    ("especes", "especes"),
    ("prelevement", "prelevement"),
    ("carte", "carte"),
    ("carte-en-ligne", "carte-en-ligne"),
    ("prelevement-en-ligne", "prelevement-en-ligne"),
    ("virement", "virement"),
    ("cheque-vacances", "cheque-vacances"),
];

/// The files, in the order they are read and written (a file only refers to earlier ones,
/// or to itself).
pub(super) const SPECS: &[Spec] = &[
    Spec {
        file: "familles",
        table: "family",
        id: "family_id",
        site: true,
        stamps: &["created_at"],
        natural: None,
        cols: &[],
    },
    Spec {
        file: "personnes",
        table: "person",
        id: "person_id",
        site: true,
        stamps: &["created_at", "updated_at"],
        natural: None,
        cols: &[
            col("famille", "family_id", Kind::Ref("familles"), true),
            col("civilite", "civility", Kind::Civility, false),
            col("nom", "last_name", Kind::Text(80), true),
            col("prenom", "first_name", Kind::Text(80), true),
            col("date_naissance", "birth_date", Kind::Date, false),
            col("email", "email", Kind::Email, false),
            col("adresse", "address", Kind::Text(200), false),
            col("code_postal", "postal_code", Kind::Text(10), false),
            col("ville", "city", Kind::Text(80), false),
            col("tel_domicile", "phone_home", Kind::Phone, false),
            col("tel_portable", "phone_mobile", Kind::Phone, false),
            col("tel_travail", "phone_work", Kind::Phone, false),
            col("profession", "profession", Kind::Text(80), false),
            col("responsable", "is_guardian", Kind::Bool, false),
            col("eleve", "is_student", Kind::Bool, false),
        ],
    },
    Spec {
        file: "annees",
        table: "school_year",
        id: "school_year_id",
        site: true,
        stamps: &[],
        natural: Some("label"),
        cols: &[
            col("libelle", "label", Kind::Text(20), true),
            col("debut", "starts_on", Kind::Date, true),
            col("fin", "ends_on", Kind::Date, true),
        ],
    },
    Spec {
        file: "vacances",
        table: "holiday",
        id: "holiday_id",
        site: true,
        stamps: &[],
        natural: None,
        cols: &[
            col("libelle", "label", Kind::Text(60), true),
            col("debut", "starts_on", Kind::Date, true),
            col("fin", "ends_on", Kind::Date, true),
        ],
    },
    Spec {
        file: "departements",
        table: "department",
        id: "department_id",
        site: true,
        stamps: &[],
        natural: Some("name"),
        cols: &[col("nom", "name", Kind::Text(80), true)],
    },
    Spec {
        file: "enseignants",
        table: "teacher",
        id: "teacher_id",
        site: true,
        stamps: &[],
        natural: None,
        cols: &[
            col("nom", "last_name", Kind::Text(80), true),
            col("prenom", "first_name", Kind::Text(80), true),
            // Optional: where the absences families report for the teacher's lessons go.
            col("email", "email", Kind::Email, false),
        ],
    },
    Spec {
        file: "cours",
        table: "course",
        id: "course_id",
        site: true,
        stamps: &[],
        natural: None,
        cols: &[
            col("annee", "school_year_id", Kind::Ref("annees"), true),
            col(
                "departement",
                "department_id",
                Kind::Ref("departements"),
                true,
            ),
            col("enseignant", "teacher_id", Kind::Ref("enseignants"), false),
            col("nom", "name", Kind::Text(80), true),
            col("cycle", "cycle", Kind::Text(20), false),
            col("jour", "weekday", Kind::Int(1, 7), false),
            col("heure", "start_time", Kind::Time, false),
            col(
                "duree_minutes",
                "duration_minutes",
                Kind::Int(1, 600),
                false,
            ),
            col("horaires_amenages", "horaires_amenages", Kind::Bool, false),
        ],
    },
    Spec {
        file: "inscriptions",
        table: "course_record",
        id: "course_record_id",
        site: true,
        stamps: &[],
        natural: None,
        cols: &[
            col("eleve", "person_id", Kind::Ref("personnes"), true),
            col("cours", "course_id", Kind::Ref("cours"), true),
            col("heure_passage", "exam_time", Kind::Time, false),
            col("duree_prevue", "planned_minutes", Kind::Int(0, 6000), false),
            col(
                "duree_effective",
                "effective_minutes",
                Kind::Int(0, 6000),
                false,
            ),
            col("statut", "activity_status", Kind::Text(40), false),
            col("motif", "activity_reason", Kind::Text(200), false),
            col(
                "premier_instrument",
                "first_instrument",
                Kind::Text(80),
                false,
            ),
            col("moyenne", "average_hundredths", Kind::Decimal, false),
            col(
                "moyenne_sur",
                "average_out_of_hundredths",
                Kind::Decimal,
                false,
            ),
            col("moyenne_lettre", "letter_average", Kind::Text(10), false),
            col("mention", "mention", Kind::Text(80), false),
            col("resultat_classe", "class_result", Kind::Text(80), false),
            col("resultat_cycle", "cycle_result", Kind::Text(80), false),
            col("admission_classe", "class_admission", Kind::Text(80), false),
            col("admission_cycle", "cycle_admission", Kind::Text(80), false),
            col("commentaire", "comment", Kind::Text(2000), false),
        ],
    },
    Spec {
        file: "evaluations",
        table: "evaluation",
        id: "evaluation_id",
        site: false,
        stamps: &[],
        natural: None,
        cols: &[
            col(
                "inscription",
                "course_record_id",
                Kind::Ref("inscriptions"),
                true,
            ),
            col("type", "kind", Kind::Text(80), true),
            col("date", "evaluated_on", Kind::Date, true),
            col("critere", "criterion", Kind::Text(200), false),
            col("note", "mark_hundredths", Kind::Decimal, false),
            col("sur", "denominator_hundredths", Kind::Decimal, false),
            col(
                "coefficient",
                "coefficient_hundredths",
                Kind::Decimal,
                false,
            ),
            col("lettre", "letter", Kind::Text(10), false),
            col("mention", "mention", Kind::Text(80), false),
            col("appreciation", "appreciation", Kind::Text(2000), false),
            col("choix", "choice", Kind::Text(80), false),
            col("absent", "absent", Kind::Bool, false),
        ],
    },
    Spec {
        file: "absences",
        table: "absence",
        id: "absence_id",
        site: false,
        stamps: &[],
        natural: None,
        cols: &[
            col(
                "inscription",
                "course_record_id",
                Kind::Ref("inscriptions"),
                true,
            ),
            col("date", "absent_on", Kind::Date, true),
            col("heure", "at_time", Kind::Time, false),
            col(
                "duree_minutes",
                "duration_minutes",
                Kind::Int(0, 600),
                false,
            ),
            col("justifiee", "justified", Kind::Bool, false),
            col("motif", "reason", Kind::Text(200), false),
        ],
    },
    Spec {
        file: "repertoire",
        table: "repertoire_piece",
        id: "repertoire_piece_id",
        site: false,
        stamps: &[],
        natural: None,
        cols: &[
            col("eleve", "person_id", Kind::Ref("personnes"), true),
            col(
                "inscription",
                "course_record_id",
                Kind::Ref("inscriptions"),
                false,
            ),
            col("compositeur", "composer", Kind::Text(120), true),
            col("titre", "title", Kind::Text(200), true),
            col("periode", "period", Kind::Text(40), false),
            col("interpretation", "performed", Kind::Text(80), false),
        ],
    },
    Spec {
        file: "ecritures",
        table: "ledger_entry",
        id: "ledger_entry_id",
        site: true,
        stamps: &["created_at"],
        natural: Some("number"),
        cols: &[
            col("famille", "family_id", Kind::Ref("familles"), true),
            col("compte", "ledger", Kind::Enum(LEDGERS), true),
            col("type", "kind", Kind::Enum(ENTRY_KINDS), true),
            col("date", "entry_date", Kind::Date, true),
            col("numero", "number", Kind::Text(30), true),
            col("libelle", "label", Kind::Text(200), true),
            col("mode", "payment_mode", Kind::Enum(MODES), false),
            col("debit", "debit_cents", Kind::Amount, false),
            col("credit", "credit_cents", Kind::Amount, false),
            col("remise", "discount_cents", Kind::Amount, false),
            col(
                "facture_reglee",
                "settles_entry_id",
                Kind::Ref("ecritures"),
                false,
            ),
        ],
    },
    Spec {
        file: "lignes_facture",
        table: "invoice_line",
        id: "invoice_line_id",
        site: false,
        stamps: &[],
        natural: None,
        cols: &[
            col("ecriture", "ledger_entry_id", Kind::Ref("ecritures"), true),
            col("position", "position", Kind::Int(0, 10_000), true),
            col("beneficiaire", "beneficiary", Kind::Text(120), true),
            col("designation", "description", Kind::Text(200), true),
            col("montant", "amount_cents", Kind::Amount, true),
        ],
    },
];

/// The README's table of files and columns, generated from `SPECS` (kept in step by a test).
pub fn columns_markdown() -> String {
    let mut out = String::from("| file | columns (* required) |\n| --- | --- |\n");
    for s in SPECS {
        let cols: Vec<String> = std::iter::once("`id`*".to_owned())
            .chain(
                s.cols
                    .iter()
                    .map(|c| format!("`{}`{}", c.csv, if c.required { "*" } else { "" })),
            )
            .collect();
        out.push_str(&format!("| `{}.csv` | {} |\n", s.file, cols.join(", ")));
    }
    out
}
