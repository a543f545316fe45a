//! `portee import`: the sample set round-trips, a file with errors is refused whole, and
//! what was imported is what families see.

use std::path::{Path, PathBuf};

use reqwest::StatusCode;

use crate::helpers::*;

fn sample() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/import-sample")
}

/// Everything the sample import touches, as text, to compare two states of the database.
async fn snapshot(app: &TestApp) -> Vec<String> {
    let mut out = Vec::new();
    for sql in [
        "select cast(family_id as text) || '|' || cast(site_id as text) from family order by family_id",
        "select cast(person_id as text) || '|' || last_name || '|' || first_name || '|' || coalesce(birth_date, '') || '|' || coalesce(email, '') || '|' || coalesce(phone_mobile, '') || '|' || cast(updated_at as text) from person order by person_id",
        "select cast(course_id as text) || '|' || name || '|' || coalesce(start_time, '') from course order by course_id",
        "select cast(course_record_id as text) || '|' || cast(person_id as text) || '|' || cast(course_id as text) || '|' || coalesce(comment, '') from course_record order by course_record_id",
        "select cast(evaluation_id as text) || '|' || kind || '|' || cast(coalesce(mark_hundredths, -1) as text) from evaluation order by evaluation_id",
        "select cast(ledger_entry_id as text) || '|' || number || '|' || cast(debit_cents as text) || '|' || cast(coalesce(settles_entry_id, 0) as text) from ledger_entry order by ledger_entry_id",
        "select cast(invoice_line_id as text) || '|' || description || '|' || cast(amount_cents as text) from invoice_line order by invoice_line_id",
        "select kind || '|' || source_id || '|' || cast(local_id as text) from import_source order by kind, source_id",
    ] {
        let rows: Vec<(String,)> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .fetch_all(&app.pool)
            .await
            .unwrap();
        out.extend(rows.into_iter().map(|r| r.0));
    }
    out
}

#[tokio::test]
async fn the_sample_import_round_trips_and_a_second_import_changes_nothing() {
    let app = spawn_app().await;
    let before = snapshot(&app).await;
    let (known_years,): (i64,) = sqlx::query_as(
        "select cast(count(*) as bigint) from school_year y join site s on s.site_id = y.site_id \
         where s.slug = 'valognes' and y.label in ('2025/2026', '2026/2027')",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();

    // A dry run reports what would happen and writes nothing.
    let report = portee::import::run(&app.pool, "valognes", &sample(), true)
        .await
        .unwrap();
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    assert!(!report.written);
    let people = report
        .files
        .iter()
        .find(|f| f.file == "personnes.csv")
        .unwrap();
    assert_eq!((people.rows, people.created, people.updated), (6, 6, 0));
    assert_eq!(snapshot(&app).await, before);

    let report = portee::import::run(&app.pool, "valognes", &sample(), false)
        .await
        .unwrap();
    assert!(report.written && report.problems.is_empty());
    assert_eq!(report.files.len(), 13, "every file of the sample");
    // The demo already has a "2026/2027" year and a "Formation musicale" department:
    // the import adopts them instead of making twins.
    let years = report
        .files
        .iter()
        .find(|f| f.file == "annees.csv")
        .unwrap();
    assert_eq!(years.updated as i64, known_years);
    assert_eq!(years.created as i64, 2 - known_years);
    let holidays = report
        .files
        .iter()
        .find(|f| f.file == "vacances.csv")
        .unwrap();
    assert_eq!(
        holidays.created, 2,
        "the school's holidays, from vacances.csv"
    );
    let (noel,): (String,) = sqlx::query_as(
        "select ends_on from holiday where label = 'Vacances de Noël' and ends_on = '2027-01-03'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(noel, "2027-01-03");
    let after_first = snapshot(&app).await;
    assert_ne!(after_first, before);

    let report = portee::import::run(&app.pool, "valognes", &sample(), false)
        .await
        .unwrap();
    assert!(report.written);
    assert!(
        report.files.iter().all(|f| f.created == 0),
        "{:?}",
        report.files
    );
    assert_eq!(
        snapshot(&app).await,
        after_first,
        "a second import changes nothing"
    );

    // What was imported is what the family sees.
    let (receipt_settles, invoice): (Option<i64>, i64) = sqlx::query_as(
        "select r.settles_entry_id, i.ledger_entry_id from ledger_entry r, ledger_entry i \
         where r.number = '26RC00900' and i.number = '26FC00900'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(receipt_settles, Some(invoice));
    sqlx::query(
        "insert into account (account_id, site_id, person_id, family_id, identifier, password_hash, is_staff, created_at) \
         select 77, p.site_id, p.person_id, p.family_id, 'helene-import', a.password_hash, 0, 0 \
         from person p, account a where p.first_name = 'Hélène' and p.last_name = 'LEFÈVRE' and p.birth_date = '1981-02-14' and a.identifier = 'abarre1'",
    )
    .execute(&app.pool)
    .await
    .unwrap();
    app.login("helene-import", PASSWORD).await;
    let html = app.get_html(&app.client, "/eleves").await;
    assert!(html.contains("Noé") && html.contains("Inès"));
    let html = app.get_html(&app.client, "/facturation/cotisations").await;
    assert!(html.contains("26FC00900") && html.contains("Chèque 1234567"));
    assert!(html.contains("(120 euros)"), "264 - 24 - 120");
    let noe = app.person_id("Noé").await;
    let html = app
        .get_html(&app.client, &format!("/eleves/{noe}/historique"))
        .await;
    assert!(html.contains("FM 1C1"));
    assert_eq!(
        app.get(&format!("/eleves/{noe}/repertoire")).await.status(),
        StatusCode::OK
    );
}

fn broken_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(sample()).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "csv") {
            std::fs::copy(&path, dir.path().join(path.file_name().unwrap())).unwrap();
        }
    }
    let edit = |file: &str, from: &str, to: &str| {
        let p = dir.path().join(file);
        let text = std::fs::read_to_string(&p).unwrap();
        assert!(text.contains(from), "{from}");
        std::fs::write(&p, text.replacen(from, to, 1)).unwrap();
    };
    edit("personnes.csv", "21/05/2016", "31/02/2016");
    edit(
        "cours.csv",
        "C12,A2026,D3,E1,Chant adultes,,2,",
        "C12,A2026,D3,E1,Chant adultes,,9,",
    );
    edit("ecritures.csv", ",,L1", ",,L99");
    edit(
        "vacances.csv",
        "Vacances de Noël,19/12/2026,03/01/2027",
        "Vacances de Noël,19/12/2026,03/01/2026",
    );
    edit("absences.csv", "justifiee,motif", "justifiee,motif,humeur");
    edit("absences.csv", "Malade", "Malade,bonne");
    edit(
        "absences.csv",
        "18/11/2026,14:00,60,0,",
        "18/11/2026,14:00,60,0,,",
    );
    dir
}

#[tokio::test]
async fn a_file_with_errors_is_refused_whole_with_file_line_column_and_reason() {
    let app = spawn_app().await;
    let before = snapshot(&app).await;
    let dir = broken_copy();
    let report = portee::import::run(&app.pool, "valognes", dir.path(), false)
        .await
        .unwrap();
    assert!(!report.written);
    let lines: Vec<String> = report.problems.iter().map(|p| p.to_string()).collect();
    for expected in [
        "personnes.csv, ligne 4, colonne « date_naissance » : « 31/02/2016 » n'existe pas dans le calendrier.",
        "cours.csv, ligne 4, colonne « jour » : 9 n'est pas entre 1 et 7.",
        "ecritures.csv, ligne 3, colonne « facture_reglee » : « L99 » ne figure ni dans ecritures.csv ni dans un import précédent.",
        "absences.csv, ligne 1, colonne « humeur » : colonne inconnue",
        "vacances.csv, ligne 3, colonne « fin » : le dernier jour vient avant le premier (debut).",
    ] {
        assert!(
            lines.iter().any(|l| l.starts_with(expected)),
            "{expected}\nin {lines:#?}"
        );
    }
    assert_eq!(snapshot(&app).await, before, "nothing written");
}

#[test]
fn the_command_line_reports_problems_and_exits_with_an_error() {
    let dir = broken_copy();
    let db = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", db.path().join("p.db").display());
    let run = |args: &[&str]| {
        let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_portee"));
        for (k, _) in std::env::vars() {
            if k.starts_with("PORTEE_") {
                c.env_remove(k);
            }
        }
        c.env("PORTEE_DATABASE_URL", &url)
            .args(args)
            .output()
            .unwrap()
    };
    // An unknown school is named.
    let out = run(&[
        "import",
        "--site",
        "nulle-part",
        dir.path().to_str().unwrap(),
    ]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("nulle-part"));
    // With a school: the report lists each problem, nothing is written.
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let pool = portee::db::connect(&url).await.unwrap();
        portee::db::migrate(&pool).await.unwrap();
        sqlx::query(
            "insert into site (site_id, slug, name, created_at) values (1, 'ecole', 'École', 0)",
        )
        .execute(&pool)
        .await
        .unwrap();
    });
    let out = run(&["import", "--site", "ecole", dir.path().to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("nothing was written") && err.contains("cours.csv, ligne 4, colonne « jour »"),
        "{err}"
    );
    // The sample itself goes in, and a dry run of it again reports rows already imported.
    let out = run(&["import", "--site", "ecole", sample().to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = run(&[
        "import",
        "--site",
        "ecole",
        "--dry-run",
        sample().to_str().unwrap(),
    ]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("personnes.csv: 6 row(s), 0 new, 6 already imported"),
        "{text}"
    );
    assert!(text.contains("Dry run: nothing written"));
}
