//! Every statement a page runs uses an index. The real binary runs the demo with statement
//! logging on; a family and a staff member then follow every link of the portal (and a few
//! searches); each statement the server ran is explained with `EXPLAIN QUERY PLAN` on the same
//! SQLite database, and a full scan of a table that grows with the schools and families fails
//! the test. Statements no page runs (those of forms, staff actions, the mail worker) are
//! taken from the string literals of `src/` and explained the same way. The plans are printed
//! (`cargo test --test api query_plans -- --nocapture`).

use std::collections::{BTreeMap, BTreeSet};

use crate::faults::Demo;
use crate::helpers::{crawl, links, new_client, page_text, source_files};

/// Tables that hold a handful of rows per deployment, whatever the number of families:
/// scanning them costs nothing that grows.
const SMALL_TABLES: &[&str] = &["site", "app_secret", "_sqlx_migrations"];

/// The statements the server logged (target `sqlx::query`), whitespace collapsed.
fn logged_statements(log: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for line in log.lines() {
        let Ok(v) = serde_json::from_str::<serde_json::Value>(line) else {
            continue;
        };
        if v["target"] != "sqlx::query" {
            continue;
        }
        let fields = &v["fields"];
        let full = fields["db.statement"].as_str().unwrap_or("").trim();
        let sql = if full.is_empty() {
            fields["summary"].as_str().unwrap_or("")
        } else {
            full
        };
        let sql = sql.split_whitespace().collect::<Vec<_>>().join(" ");
        let lower = sql.to_lowercase();
        if ["select", "with", "update", "delete", "insert"]
            .iter()
            .any(|k| lower.starts_with(k))
        {
            out.insert(sql);
        }
    }
    out
}

/// The highest `$n` placeholder of a statement.
fn placeholders(sql: &str) -> usize {
    sql.split('$')
        .skip(1)
        .filter_map(|rest| {
            let digits: String = rest.chars().take_while(|c| c.is_ascii_digit()).collect();
            digits.parse().ok()
        })
        .max()
        .unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_statement_of_every_page_uses_an_index() {
    let mut demo = Demo::new();
    demo.env = vec![
        ("RUST_LOG".into(), "warn,sqlx::query=debug".into()),
        ("PORTEE_LOG_FORMAT".into(), "json".into()),
    ];
    demo.start().await;
    // What the demo's seeding ran is not a page's: the log is read from here on.
    let log_path = demo.dir.path().join("portee.log");
    let seeded = std::fs::metadata(&log_path).map(|m| m.len()).unwrap_or(0) as usize;

    let family = new_client();
    demo.log_in(&family, "/connexion", "abarre1").await;
    let mut pages = crawl(
        &demo.url(""),
        &family,
        &[
            "/accueil",
            "/facturation/cotisations?libelle=avis&montant=84",
        ],
    )
    .await
    .len();
    // The searches of the history (every student's page is in the crawl; search one).
    let students = page_text(&family, demo.url("/eleves")).await;
    let history: Vec<String> = links(&students)
        .into_iter()
        .filter(|l| l.ends_with("/identite"))
        .map(|l| l.replace("/identite", "/historique?q=piano"))
        .collect();
    let starts: Vec<&str> = history.iter().map(String::as_str).collect();
    pages += crawl(&demo.url(""), &family, &starts).await.len();

    let staff = new_client();
    demo.log_in(&staff, "/gestion/connexion", "admin").await;
    pages += crawl(
        &demo.url(""),
        &staff,
        &["/gestion", "/gestion/comptes?q=abarre"],
    )
    .await
    .len();
    assert!(pages > 60, "the crawl reached only {pages} pages");

    let pool = demo.pool().await;
    demo.kill_9();
    let log = std::fs::read_to_string(&log_path).unwrap();
    let logged = logged_statements(&log[seeded.min(log.len())..]);
    assert!(
        logged.len() > 40,
        "only {} statements were logged",
        logged.len()
    );
    let mut statements = logged.clone();
    let mut fragments = 0;
    for sql in source_statements() {
        // A piece of a statement assembled with `concat!` (those run by a page were logged
        // whole above) or a PostgreSQL-only form.
        let explain = format!("explain query plan {sql}");
        let mut q = sqlx::query(sqlx::AssertSqlSafe(explain));
        for _ in 0..placeholders(&sql) {
            q = q.bind(0_i64);
        }
        if q.fetch_all(&pool).await.is_ok() {
            statements.insert(sql);
        } else {
            fragments += 1;
        }
    }

    let mut scans: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for sql in &statements {
        let explain = format!("explain query plan {sql}");
        let mut q = sqlx::query_as::<_, (i64, i64, i64, String)>(sqlx::AssertSqlSafe(explain));
        for _ in 0..placeholders(sql) {
            q = q.bind(0_i64);
        }
        let plan = q.fetch_all(&pool).await.unwrap_or_else(|e| {
            panic!("cannot explain {sql}: {e}");
        });
        println!("{sql}");
        for (_, _, _, detail) in &plan {
            println!("    {detail}");
            let Some(rest) = detail.strip_prefix("SCAN ") else {
                continue;
            };
            let table = rest.split_whitespace().next().unwrap_or("");
            // An alias (`SCAN p`) is resolved from the statement's `from`/`join` clauses.
            let table = resolve_alias(sql, table);
            if !SMALL_TABLES.contains(&table.as_str()) {
                scans.entry(sql.clone()).or_default().push(detail.clone());
            }
        }
    }
    println!(
        "{pages} pages visited, {} statements explained ({} logged by the pages, the rest from \
         the source; {fragments} pieces of statements left to the log)",
        statements.len(),
        logged.len()
    );
    assert!(
        scans.is_empty(),
        "statements that scan a growing table:\n{}",
        scans
            .iter()
            .map(|(sql, d)| format!("{sql}\n    {}", d.join("\n    ")))
            .collect::<Vec<_>>()
            .join("\n")
    );
}

/// The table behind an alias used in a plan (`from person p` makes `p` mean `person`).
fn resolve_alias(sql: &str, name: &str) -> String {
    let words: Vec<String> = sql
        .split(|c: char| c.is_whitespace() || c == ',' || c == '(' || c == ')')
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    for i in 1..words.len() {
        if words[i] != name {
            continue;
        }
        let before = if words[i - 1] == "as" && i >= 2 {
            &words[i - 2]
        } else {
            &words[i - 1]
        };
        if before != "from" && before != "join" && before != "as" {
            return before.clone();
        }
    }
    name.to_owned()
}

/// The SQL statements written as whole string literals in `src/` (whitespace collapsed).
fn source_statements() -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for (path, text) in source_files() {
        // The demo's seeding runs once, before `portee demo` serves.
        if path.components().any(|c| c.as_os_str() == "demo") {
            continue;
        }
        for literal in string_literals(&text) {
            let sql = literal.split_whitespace().collect::<Vec<_>>().join(" ");
            let lower = sql.to_lowercase();
            let is_sql = ["select ", "with ", "update ", "delete ", "insert "]
                .iter()
                .any(|k| lower.starts_with(k));
            // `{…}`: a template filled by `format!` (the importer's, over its tables).
            if is_sql && !sql.contains('{') {
                out.insert(sql);
            }
        }
    }
    out
}

/// The contents of the ordinary string literals of Rust source (escapes resolved, a
/// backslash at the end of a line joining it to the next without its indentation).
fn string_literals(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '/' if chars.get(i + 1) == Some(&'/') => {
                while i < chars.len() && chars[i] != '\n' {
                    i += 1;
                }
            }
            // A character literal ('"', '\'') or a lifetime.
            '\'' => {
                if chars.get(i + 1) == Some(&'\\') && chars.get(i + 3) == Some(&'\'') {
                    i += 4;
                } else if chars.get(i + 2) == Some(&'\'') {
                    i += 3;
                } else {
                    i += 1;
                }
            }
            '"' => {
                let mut s = String::new();
                i += 1;
                while i < chars.len() && chars[i] != '"' {
                    if chars[i] == '\\' {
                        match chars.get(i + 1) {
                            Some('\n') => {
                                i += 2;
                                while i < chars.len() && chars[i].is_whitespace() {
                                    i += 1;
                                }
                                continue;
                            }
                            Some('n') => s.push('\n'),
                            Some('t') => s.push('\t'),
                            Some(c) => s.push(*c),
                            None => {}
                        }
                        i += 2;
                        continue;
                    }
                    s.push(chars[i]);
                    i += 1;
                }
                i += 1;
                out.push(s);
            }
            _ => i += 1,
        }
    }
    out
}
