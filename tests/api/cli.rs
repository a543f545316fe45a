use std::process::Command;

fn portee() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_portee"));
    for (k, _) in std::env::vars() {
        if k.starts_with("PORTEE_") {
            c.env_remove(k);
        }
    }
    c
}

#[test]
fn help_lists_the_commands() {
    let out = portee().arg("--help").output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    for cmd in ["serve", "demo", "migrate"] {
        assert!(text.contains(cmd), "{text}");
    }
}

#[test]
fn an_invalid_setting_stops_the_program_and_names_the_variable() {
    let cases = [
        ("PORTEE_BIND", "pas-une-adresse"),
        ("PORTEE_DATABASE_URL", "mysql://x"),
        ("PORTEE_BASE_URL", "portail.example.org"),
        ("PORTEE_SECURE_COOKIES", "peut-être"),
        ("PORTEE_LOGIN_RATE_PER_MINUTE", "0"),
    ];
    for (var, value) in cases {
        let out = portee()
            .arg("serve")
            .env("PORTEE_MAIL_DIR", std::env::temp_dir())
            .env(var, value)
            .output()
            .unwrap();
        assert!(!out.status.success(), "{var}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(var), "{var}: {err}");
    }
}

#[test]
fn serve_refuses_to_start_without_a_mail_transport() {
    let out = portee().arg("serve").output().unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("PORTEE_SMTP_URL"));
}

#[test]
fn migrate_creates_the_schema() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("m.db").display());
    let out = portee()
        .arg("migrate")
        .env("PORTEE_DATABASE_URL", &url)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("Migrations applied."));
    assert!(dir.path().join("m.db").exists());
}

#[test]
fn backup_copies_a_live_sqlite_database() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}?mode=rwc", dir.path().join("live.db").display());
    assert!(
        portee()
            .arg("migrate")
            .env("PORTEE_DATABASE_URL", &url)
            .output()
            .unwrap()
            .status
            .success()
    );
    let copy = dir.path().join("copie.db");
    let out = portee()
        .arg("backup")
        .arg(&copy)
        .env("PORTEE_DATABASE_URL", &url)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("Backup written to"));
    // The copy is a database with the schema.
    let copy_url = format!("sqlite://{}", copy.display());
    let out = portee()
        .arg("migrate")
        .env("PORTEE_DATABASE_URL", &copy_url)
        .output()
        .unwrap();
    assert!(out.status.success());
    // Never over an existing file.
    let out = portee()
        .arg("backup")
        .arg(&copy)
        .env("PORTEE_DATABASE_URL", &url)
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("already exists"));
}

#[test]
fn the_readmes_url_table_names_every_route_of_src_routes_rs() {
    let routes = include_str!("../../src/routes.rs");
    let readme = include_str!("../../README.md");
    let mut missing = Vec::new();
    for part in routes.split(".at(").skip(1) {
        let path = part.split('"').nth(1).expect("a path");
        if !readme.contains(&format!("| `{path}` |")) {
            missing.push(path);
        }
    }
    assert!(missing.is_empty(), "not in the README's table: {missing:?}");
}
