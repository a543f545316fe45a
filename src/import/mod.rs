//! `portee import --site SLUG DIR`: reads the CSV files exported from the school's
//! management software and upserts them by the software's own ids (kept in
//! `import_source`), so importing the same files again changes nothing.
//!
//! Every file is read and checked before anything is written; one error anywhere and
//! nothing is written, with a report naming the file, line, column and reason. The writes
//! then happen in one transaction (all files or none). `--dry-run` does the same work and
//! rolls the transaction back.
//!
//! The files, their columns and their formats are described once, in `spec.rs` (and in the
//! README); `parse.rs` reads and checks them; this file writes them. The SQL is built from those static table and column names only; every
//! value is bound.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use sqlx::AnyConnection;

use crate::db::{self, Pool};

mod parse;
mod spec;

use parse::{Row, Value, read_file};
pub use spec::columns_markdown;

/// The column of `file` (e.g. `personnes`) that imports `db_column`, as the school's
/// software names it (exports name fields the same way).
pub fn column_of(file: &str, db_column: &str) -> Option<&'static str> {
    SPECS
        .iter()
        .find(|s| s.file == file)?
        .cols
        .iter()
        .find(|c| c.db == db_column)
        .map(|c| c.csv)
}
use spec::{SPECS, Spec};

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

    // A span (a school year, a holiday period) ends on or after its first day.
    for (spec, rows) in &parsed {
        let at = |name: &str| spec.cols.iter().position(|c| c.csv == name);
        let (Some(first), Some(last)) = (at("debut"), at("fin")) else {
            continue;
        };
        for row in rows {
            if let (Value::Text(Some(a)), Value::Text(Some(b))) =
                (&row.values[first], &row.values[last])
                && b < a
            {
                report.problems.push(Problem {
                    file: format!("{}.csv", spec.file),
                    line: row.line,
                    column: "fin".to_owned(),
                    reason: "le dernier jour vient avant le premier (debut).".to_owned(),
                });
            }
        }
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

#[cfg(test)]
mod tests {
    use super::parse::*;
    use super::spec::*;

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
        let readme = include_str!("../../README.md");
        assert!(
            readme.contains(&columns_markdown()),
            "README's import table is out of date; paste:\n{}",
            columns_markdown()
        );
    }
}
