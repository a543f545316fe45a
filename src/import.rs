//! `portee import --site SLUG DIR`: reads the CSV files exported from the school's
//! management software and upserts them by the software's own ids (kept in
//! `import_source`), so importing the same files again changes nothing.
//!
//! Every file is read and checked before anything is written; one error anywhere and
//! nothing is written, with a report naming the file, line, column and reason. The writes
//! then happen in one transaction (all files or none). `--dry-run` does the same work and
//! rolls the transaction back.
//!
//! The files, their columns and their formats are described once, in `SPECS` below (and in
//! the README). The SQL is built from those static table and column names only; every
//! value is bound.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use sqlx::AnyConnection;

use crate::db::{self, Pool};
use crate::domain::{EmailAddress, PhoneNumber};

/// How a column's text is read.
#[derive(Clone, Copy)]
enum Kind {
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

struct Col {
    csv: &'static str,
    db: &'static str,
    kind: Kind,
    required: bool,
}

const fn col(csv: &'static str, db: &'static str, kind: Kind, required: bool) -> Col {
    Col {
        csv,
        db,
        kind,
        required,
    }
}

struct Spec {
    /// The file's stem: `personnes` for `personnes.csv`; also the kind in `import_source`.
    file: &'static str,
    table: &'static str,
    id: &'static str,
    /// The table has a `site_id` column.
    site: bool,
    /// Columns set to the import's time when a row is created (never updated).
    stamps: &'static [&'static str],
    /// A column naming a row uniquely in a school: a row already there with the same value
    /// (and no import id yet) is adopted instead of duplicated.
    natural: Option<&'static str>,
    cols: &'static [Col],
}

const LEDGERS: &[(&str, &str)] = &[("cotisations", "cotisations"), ("locations", "locations")];
const ENTRY_KINDS: &[(&str, &str)] = &[("facture", "invoice"), ("reglement", "receipt")];
const MODES: &[(&str, &str)] = &[
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
const SPECS: &[Spec] = &[
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

/// One problem in one cell (or row, or file) of the import.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub file: String,
    /// 1-based line of the file (1 is the header); 0 for the file as a whole.
    pub line: u64,
    /// The column's name, or empty for the row or file as a whole.
    pub column: String,
    pub reason: String,
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.file)?;
        if self.line > 0 {
            write!(f, ", ligne {}", self.line)?;
        }
        if !self.column.is_empty() {
            write!(f, ", colonne « {} »", self.column)?;
        }
        write!(f, " : {}", self.reason)
    }
}

/// What one file did (or would do).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FileSummary {
    pub file: String,
    pub rows: usize,
    /// Rows new to the portal.
    pub created: usize,
    /// Rows imported before (or adopted), updated in place.
    pub updated: usize,
}

#[derive(Debug, Default)]
pub struct Report {
    pub problems: Vec<Problem>,
    pub files: Vec<FileSummary>,
    /// True when the changes were written (no problem, not a dry run).
    pub written: bool,
}

/// A cell's value, ready to bind.
#[derive(Clone, Debug)]
enum Value {
    Text(Option<String>),
    Int(Option<i64>),
    /// A reference to a row of a file, by its source id (resolved at write time).
    Ref(&'static str, Option<String>),
}

struct Row {
    line: u64,
    source_id: String,
    values: Vec<Value>,
}

fn parse_date(raw: &str) -> Result<String, String> {
    let bad =
        || format!("« {raw} » n'est pas une date : écrivez-la jj/mm/aaaa, par exemple 19/11/2012.");
    let (y, m, d) = if let Some((d, rest)) = raw.split_once('/') {
        let (m, y) = rest.split_once('/').ok_or_else(bad)?;
        (y, m, d)
    } else {
        let mut it = raw.split('-');
        let (y, m, d) = (
            it.next().ok_or_else(bad)?,
            it.next().ok_or_else(bad)?,
            it.next().ok_or_else(bad)?,
        );
        (y, m, d)
    };
    if y.len() != 4 {
        return Err(bad());
    }
    let (y, m, d): (i32, u8, u8) = (
        y.parse().map_err(|_| bad())?,
        m.parse().map_err(|_| bad())?,
        d.parse().map_err(|_| bad())?,
    );
    let month = time::Month::try_from(m).map_err(|_| bad())?;
    let date = time::Date::from_calendar_date(y, month, d)
        .map_err(|_| format!("« {raw} » n'existe pas dans le calendrier."))?;
    if !(1900..=2100).contains(&y) {
        return Err(format!("« {raw} » : l'année doit être entre 1900 et 2100."));
    }
    Ok(date.to_string())
}

fn parse_time(raw: &str) -> Result<String, String> {
    let bad = || format!("« {raw} » n'est pas une heure : écrivez-la HH:MM, par exemple 17:30.");
    let (h, m) = raw.split_once([':', 'h']).ok_or_else(bad)?;
    let (h, m): (u8, u8) = (h.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
    if h > 23 || m > 59 {
        return Err(bad());
    }
    Ok(format!("{h:02}:{m:02}"))
}

/// "12,5" → 1250 (hundredths); negative numbers are allowed (a refund).
fn parse_decimal(raw: &str) -> Result<i64, String> {
    let bad = || format!("« {raw} » n'est pas un nombre : écrivez par exemple 84,00 ou 12,5.");
    let cleaned: String = raw
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{a0}' && *c != '\u{202f}' && *c != '€')
        .collect::<String>()
        .replace(',', ".");
    let (neg, body) = match cleaned.strip_prefix('-') {
        Some(b) => (true, b),
        None => (false, cleaned.as_str()),
    };
    let (whole, frac) = body.split_once('.').unwrap_or((body, ""));
    let digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
    if whole.is_empty() || !digits(whole) || !digits(frac) || frac.len() > 2 || whole.len() > 12 {
        return Err(bad());
    }
    let mut v = whole.parse::<i64>().map_err(|_| bad())? * 100;
    v += match frac.len() {
        0 => 0,
        1 => frac.parse::<i64>().map_err(|_| bad())? * 10,
        _ => frac.parse::<i64>().map_err(|_| bad())?,
    };
    Ok(if neg { -v } else { v })
}

fn parse_cell(kind: Kind, raw: &str) -> Result<Value, String> {
    let empty = raw.is_empty();
    Ok(match kind {
        Kind::Text(max) => {
            if raw.chars().any(|c| c.is_control() && c != '\n') {
                return Err("le texte contient un caractère de contrôle.".into());
            }
            let n = raw.chars().count();
            if n > max {
                return Err(format!("{n} caractères ; {max} au plus."));
            }
            Value::Text((!empty).then(|| raw.to_owned()))
        }
        Kind::Date => Value::Text(if empty { None } else { Some(parse_date(raw)?) }),
        Kind::Time => Value::Text(if empty { None } else { Some(parse_time(raw)?) }),
        Kind::Int(lo, hi) => Value::Int(if empty {
            None
        } else {
            let v: i64 = raw
                .parse()
                .map_err(|_| format!("« {raw} » n'est pas un nombre entier."))?;
            if v < lo || v > hi {
                return Err(format!("{v} n'est pas entre {lo} et {hi}."));
            }
            Some(v)
        }),
        Kind::Decimal => Value::Int(if empty {
            None
        } else {
            Some(parse_decimal(raw)?)
        }),
        Kind::Amount => Value::Int(Some(if empty { 0 } else { parse_decimal(raw)? })),
        Kind::Bool => Value::Int(Some(match raw.to_lowercase().as_str() {
            "" | "0" | "non" | "n" | "false" => 0,
            "1" | "oui" | "o" | "true" => 1,
            _ => return Err(format!("« {raw} » : écrivez 1 (oui) ou 0 (non).")),
        })),
        Kind::Enum(values) => {
            let found = values
                .iter()
                .find(|(csv, _)| csv.eq_ignore_ascii_case(raw))
                .map(|(_, db)| *db)
                .ok_or_else(|| {
                    let list: Vec<&str> = values
                        .iter()
                        .map(|(c, _)| *c)
                        .filter(|c| !c.is_empty())
                        .collect();
                    format!(
                        "« {raw} » n'est pas l'une des valeurs permises : {}.",
                        list.join(", ")
                    )
                })?;
            Value::Text((!found.is_empty()).then(|| found.to_owned()))
        }
        Kind::Ref(file) => Value::Ref(file, (!empty).then(|| raw.to_owned())),
        Kind::Civility => Value::Text(Some(
            match raw.to_lowercase().trim_end_matches('.') {
                "" => "",
                "m" | "monsieur" => "M",
                "mme" | "madame" => "MME",
                _ => return Err(format!("« {raw} » : écrivez M, MME ou rien.")),
            }
            .to_owned(),
        )),
        Kind::Email => Value::Text(if empty {
            None
        } else {
            Some(EmailAddress::parse(raw)?.as_str().to_owned())
        }),
        Kind::Phone => Value::Text(if empty {
            None
        } else {
            Some(PhoneNumber::parse(raw)?.as_str().to_owned())
        }),
    })
}

/// Reads and checks one file. Problems are added to `problems`.
fn read_file(path: &Path, spec: &Spec, problems: &mut Vec<Problem>) -> Vec<Row> {
    let file = format!("{}.csv", spec.file);
    let mut problem = |line: u64, column: &str, reason: String| {
        problems.push(Problem {
            file: file.clone(),
            line,
            column: column.to_owned(),
            reason,
        })
    };
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) => {
            problem(0, "", format!("lecture impossible : {e}"));
            return Vec::new();
        }
    };
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(&bytes); // a BOM
    let delimiter = {
        let first_line = bytes.split(|b| *b == b'\n').next().unwrap_or(&[]);
        if first_line.contains(&b';') && !first_line.contains(&b',') {
            b';'
        } else {
            b','
        }
    };
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .from_reader(bytes);
    let header: Vec<String> = match reader.headers() {
        Ok(h) => h.iter().map(|s| s.trim().to_lowercase()).collect(),
        Err(e) => {
            problem(1, "", format!("en-tête illisible : {e}"));
            return Vec::new();
        }
    };
    // The header: an `id` column, every required column, no unknown or repeated one.
    let mut positions: Vec<Option<usize>> = Vec::new();
    let id_pos = header.iter().position(|h| h == "id");
    if id_pos.is_none() {
        problem(
            1,
            "id",
            "colonne manquante : chaque ligne doit porter son identifiant.".into(),
        );
    }
    for c in spec.cols {
        let pos = header.iter().position(|h| h == c.csv);
        if pos.is_none() && c.required {
            problem(1, c.csv, "colonne obligatoire manquante.".into());
        }
        positions.push(pos);
    }
    let mut seen_headers = HashSet::new();
    for h in &header {
        if h != "id" && !spec.cols.iter().any(|c| c.csv == h) {
            let known: Vec<&str> = std::iter::once("id")
                .chain(spec.cols.iter().map(|c| c.csv))
                .collect();
            problem(
                1,
                h,
                format!(
                    "colonne inconnue (colonnes possibles : {}).",
                    known.join(", ")
                ),
            );
        }
        if !seen_headers.insert(h.clone()) {
            problem(1, h, "colonne en double.".into());
        }
    }
    let Some(id_pos) = id_pos else {
        return Vec::new();
    };
    let mut rows = Vec::new();
    let mut ids = HashSet::new();
    for record in reader.records() {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map(|p| p.line()).unwrap_or(0);
                problem(line, "", format!("ligne illisible : {e}"));
                continue;
            }
        };
        let line = record.position().map(|p| p.line()).unwrap_or(0);
        if record.iter().all(|f| f.trim().is_empty()) {
            continue; // a blank line
        }
        if record.len() != header.len() {
            problem(
                line,
                "",
                format!(
                    "{} champs au lieu de {} (un séparateur ou un guillemet manque-t-il ?).",
                    record.len(),
                    header.len()
                ),
            );
            continue;
        }
        let id = record.get(id_pos).unwrap_or("").trim().to_owned();
        if id.is_empty() {
            problem(line, "id", "l'identifiant est vide.".into());
            continue;
        }
        if id.chars().count() > 64 {
            problem(line, "id", "l'identifiant dépasse 64 caractères.".into());
            continue;
        }
        if !ids.insert(id.clone()) {
            problem(
                line,
                "id",
                format!("l'identifiant « {id} » figure deux fois dans le fichier."),
            );
            continue;
        }
        let mut values = Vec::with_capacity(spec.cols.len());
        let mut ok = true;
        for (c, pos) in spec.cols.iter().zip(&positions) {
            let raw = pos.and_then(|p| record.get(p)).unwrap_or("").trim();
            if raw.is_empty() && c.required {
                problem(line, c.csv, "valeur obligatoire manquante.".into());
                ok = false;
                continue;
            }
            match parse_cell(c.kind, raw) {
                Ok(v) => values.push(v),
                Err(reason) => {
                    problem(line, c.csv, reason);
                    ok = false;
                }
            }
        }
        if ok {
            rows.push(Row {
                line,
                source_id: id,
                values,
            });
        }
    }
    rows
}

/// Imports `dir` into the school `slug`. Nothing is written when a problem is found or
/// when `dry_run` is set.
pub async fn run(pool: &Pool, slug: &str, dir: &Path, dry_run: bool) -> anyhow::Result<Report> {
    let Some(site_id) = crate::site::by_slug(pool, slug).await? else {
        anyhow::bail!("no school with the short name {slug:?}");
    };
    if !dir.is_dir() {
        anyhow::bail!("{} is not a folder", dir.display());
    }
    let mut report = Report::default();

    // 1. Read and check every file present.
    let mut parsed: Vec<(&Spec, Vec<Row>)> = Vec::new();
    for spec in SPECS {
        let path = dir.join(format!("{}.csv", spec.file));
        if path.exists() {
            let rows = read_file(&path, spec, &mut report.problems);
            parsed.push((spec, rows));
        }
    }
    let known_files: HashSet<String> = SPECS.iter().map(|s| format!("{}.csv", s.file)).collect();
    for entry in std::fs::read_dir(dir)? {
        let name = entry?.file_name().to_string_lossy().into_owned();
        if name.ends_with(".csv") && !known_files.contains(&name) {
            report.problems.push(Problem {
                file: name,
                line: 0,
                column: String::new(),
                reason: format!(
                    "fichier inconnu (fichiers possibles : {}).",
                    SPECS
                        .iter()
                        .map(|s| format!("{}.csv", s.file))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            });
        }
    }
    if parsed.is_empty() && report.problems.is_empty() {
        anyhow::bail!("no CSV file to import in {}", dir.display());
    }

    // 2. Every reference names a row of this import or one imported before.
    let mut mapping: HashMap<(String, String), i64> = HashMap::new();
    let rows: Vec<(String, String, i64)> =
        sqlx::query_as("select kind, source_id, local_id from import_source where site_id = $1")
            .bind(site_id)
            .fetch_all(pool)
            .await?;
    for (kind, source, local) in rows {
        mapping.insert((kind, source), local);
    }
    let incoming: HashSet<(String, String)> = parsed
        .iter()
        .flat_map(|(spec, rows)| {
            rows.iter()
                .map(|r| (spec.file.to_owned(), r.source_id.clone()))
        })
        .collect();
    for (spec, rows) in &parsed {
        for row in rows {
            for (c, v) in spec.cols.iter().zip(&row.values) {
                if let Value::Ref(file, Some(id)) = v {
                    let key = ((*file).to_owned(), id.clone());
                    if !incoming.contains(&key) && !mapping.contains_key(&key) {
                        report.problems.push(Problem {
                            file: format!("{}.csv", spec.file),
                            line: row.line,
                            column: c.csv.to_owned(),
                            reason: format!(
                                "« {id} » ne figure ni dans {file}.csv ni dans un import précédent."
                            ),
                        });
                    }
                }
            }
        }
    }
    if !report.problems.is_empty() {
        report
            .problems
            .sort_by(|a, b| (&a.file, a.line).cmp(&(&b.file, b.line)));
        return Ok(report);
    }

    // 3. Write everything in one transaction (rolled back for a dry run).
    let mut tx = crate::db::begin(pool).await?;
    let now = db::now();
    for (spec, rows) in &mut parsed {
        // Rows referring to another row of the same file come after the rows they name.
        let self_ref = |r: &Row| {
            r.values
                .iter()
                .any(|v| matches!(v, Value::Ref(f, Some(_)) if *f == spec.file))
        };
        rows.sort_by_key(|r| self_ref(r));
        let mut summary = FileSummary {
            file: format!("{}.csv", spec.file),
            rows: rows.len(),
            ..FileSummary::default()
        };
        for row in rows.iter() {
            match write_row(&mut tx, spec, site_id, now, row, &mut mapping).await {
                Ok(true) => summary.created += 1,
                Ok(false) => summary.updated += 1,
                Err(e) => {
                    report.problems.push(Problem {
                        file: summary.file.clone(),
                        line: row.line,
                        column: String::new(),
                        reason: format!("la base de données refuse cette ligne ({e})."),
                    });
                    tx.rollback().await?;
                    return Ok(report);
                }
            }
        }
        report.files.push(summary);
    }
    if dry_run {
        tx.rollback().await?;
    } else {
        tx.commit().await?;
        report.written = true;
    }
    Ok(report)
}

/// Inserts or updates one row; returns whether it was created.
async fn write_row(
    conn: &mut AnyConnection,
    spec: &Spec,
    site_id: i64,
    now: i64,
    row: &Row,
    mapping: &mut HashMap<(String, String), i64>,
) -> anyhow::Result<bool> {
    let key = (spec.file.to_owned(), row.source_id.clone());
    let mut existing = mapping.get(&key).copied();
    let mapped = existing.is_some();
    if existing.is_none()
        && let (Some(natural), true) = (spec.natural, spec.site)
    {
        // Adopt a row the school already has under the same name or number.
        let pos = spec.cols.iter().position(|c| c.db == natural);
        if let Some(Value::Text(Some(v))) = pos.map(|p| &row.values[p]) {
            let sql = format!(
                "select {id} from {table} where site_id = $1 and {natural} = $2",
                id = spec.id,
                table = spec.table
            );
            let found: Option<(i64,)> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
                .bind(site_id)
                .bind(v.as_str())
                .fetch_optional(&mut *conn)
                .await?;
            existing = found.map(|f| f.0);
        }
    }
    let created = existing.is_none();
    let local = existing.unwrap_or_else(db::new_id);
    let columns: Vec<&str> = spec.cols.iter().map(|c| c.db).collect();
    let sql = if created {
        let mut names = vec![spec.id];
        if spec.site {
            names.push("site_id");
        }
        names.extend(columns.iter().copied());
        names.extend(spec.stamps.iter().copied());
        let marks: Vec<String> = (1..=names.len()).map(|i| format!("${i}")).collect();
        format!(
            "insert into {} ({}) values ({})",
            spec.table,
            names.join(", "),
            marks.join(", ")
        )
    } else {
        if columns.is_empty() {
            return Ok(false);
        }
        let sets: Vec<String> = columns
            .iter()
            .enumerate()
            .map(|(i, c)| format!("{c} = ${}", i + 2))
            .collect();
        format!(
            "update {} set {} where {} = $1",
            spec.table,
            sets.join(", "),
            spec.id
        )
    };
    let mut q = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(local);
    if created && spec.site {
        q = q.bind(site_id);
    }
    for v in &row.values {
        q = match v {
            Value::Text(t) => q.bind(t.clone()),
            Value::Int(i) => q.bind(*i),
            Value::Ref(file, id) => q.bind(
                id.as_ref()
                    .map(|id| {
                        mapping
                            .get(&((*file).to_owned(), id.clone()))
                            .copied()
                            .ok_or_else(|| {
                                anyhow::anyhow!("« {id} » of {file}.csv is not imported yet")
                            })
                    })
                    .transpose()?,
            ),
        };
    }
    if created {
        for _ in spec.stamps {
            q = q.bind(now);
        }
    }
    if created || !columns.is_empty() {
        q.execute(&mut *conn).await?;
    }
    if !mapped {
        sqlx::query(
            "insert into import_source (site_id, kind, source_id, local_id) values ($1, $2, $3, $4)",
        )
        .bind(site_id)
        .bind(spec.file)
        .bind(&row.source_id)
        .bind(local)
        .execute(&mut *conn)
        .await?;
        mapping.insert(key, local);
    }
    Ok(created)
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_are_read_strictly_with_a_reason() {
        assert_eq!(parse_date("19/11/2012").unwrap(), "2012-11-19");
        assert_eq!(parse_date("2012-11-19").unwrap(), "2012-11-19");
        assert!(
            parse_date("31/02/2012")
                .unwrap_err()
                .contains("n'existe pas")
        );
        assert!(parse_date("19.11.2012").is_err());
        assert_eq!(parse_time("9:05").unwrap(), "09:05");
        assert!(parse_time("25:00").is_err());
        assert_eq!(parse_decimal("84,00").unwrap(), 8400);
        assert_eq!(parse_decimal("12.5").unwrap(), 1250);
        assert_eq!(parse_decimal("-3").unwrap(), -300);
        assert!(parse_decimal("1,234").is_err());
        assert!(matches!(
            parse_cell(Kind::Bool, "oui"),
            Ok(Value::Int(Some(1)))
        ));
        assert!(
            parse_cell(Kind::Enum(ENTRY_KINDS), "avoir")
                .unwrap_err()
                .contains("facture, reglement")
        );
        assert!(
            parse_cell(Kind::Text(3), "abcd")
                .unwrap_err()
                .contains("4 caractères")
        );
    }

    #[test]
    fn the_readme_documents_every_column() {
        let readme = include_str!("../README.md");
        assert!(
            readme.contains(&columns_markdown()),
            "README's import table is out of date; paste:\n{}",
            columns_markdown()
        );
    }
}
