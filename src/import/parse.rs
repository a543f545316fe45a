//! Reading a file: each cell checked and turned into a value ready to bind, each problem
//! named with its file, line and column.

use std::collections::HashSet;
use std::path::Path;

use super::Problem;
use super::spec::{Kind, Spec};
use crate::domain::{EmailAddress, PhoneNumber};

/// A cell's value, ready to bind.
#[derive(Clone, Debug)]
pub(super) enum Value {
    Text(Option<String>),
    Int(Option<i64>),
    /// A reference to a row of a file, by its source id (resolved at write time).
    Ref(&'static str, Option<String>),
}

pub(super) struct Row {
    pub(super) line: u64,
    pub(super) source_id: String,
    pub(super) values: Vec<Value>,
}

pub(super) fn parse_date(raw: &str) -> Result<String, String> {
    crate::domain::date::parse_day(raw, 1900..=2100).map(crate::domain::date::iso)
}

pub(super) fn parse_time(raw: &str) -> Result<String, String> {
    let bad = || format!("« {raw} » n'est pas une heure : écrivez-la HH:MM, par exemple 17:30.");
    let (h, m) = raw.split_once([':', 'h']).ok_or_else(bad)?;
    let (h, m): (u8, u8) = (h.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
    if h > 23 || m > 59 {
        return Err(bad());
    }
    Ok(format!("{h:02}:{m:02}"))
}

/// "12,5" → 1250 (hundredths); negative numbers are allowed (a refund).
pub(super) fn parse_decimal(raw: &str) -> Result<i64, String> {
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

pub(super) fn parse_cell(kind: Kind, raw: &str) -> Result<Value, String> {
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
pub(super) fn read_file(path: &Path, spec: &Spec, problems: &mut Vec<Problem>) -> Vec<Row> {
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
