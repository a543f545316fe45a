//! A new school from an empty database, with the real binary as its IT person would run it
//! from the README: `portee schools add`, `portee staff invite` (printed link, then mailed),
//! `portee serve`, and the first staff member choosing a password and logging in.

use std::process::{Child, Command, Output};
use std::time::Duration;

use reqwest::StatusCode;

use crate::helpers::{TestApp, assert_redirect, csrf_of, decode_mail, new_client, page_text};

struct Install {
    dir: tempfile::TempDir,
    port: u16,
    server: Option<Child>,
}

impl Drop for Install {
    fn drop(&mut self) {
        if let Some(mut c) = self.server.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

impl Install {
    fn new() -> Install {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        Install {
            dir: tempfile::tempdir().unwrap(),
            port,
            server: None,
        }
    }

    fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    fn command(&self) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_portee"));
        for (k, _) in std::env::vars() {
            if k.starts_with("PORTEE_") {
                c.env_remove(k);
            }
        }
        c.current_dir(self.dir.path())
            .env(
                "PORTEE_DATABASE_URL",
                format!(
                    "sqlite://{}?mode=rwc",
                    self.dir.path().join("portee.db").display()
                ),
            )
            .env("PORTEE_BASE_URL", self.base_url())
            .env("PORTEE_MAIL_DIR", self.dir.path().join("mail"))
            .env("PORTEE_SECURE_COOKIES", "false")
            .env("RUST_LOG", "warn");
        c
    }

    fn run(&self, args: &[&str]) -> Output {
        self.command().args(args).output().unwrap()
    }

    async fn serve(&mut self) {
        let child = self
            .command()
            .args(["serve", "--bind", &format!("127.0.0.1:{}", self.port)])
            .spawn()
            .unwrap();
        self.server = Some(child);
        let client = new_client();
        for _ in 0..300 {
            if client
                .get(format!("{}/healthz", self.base_url()))
                .send()
                .await
                .is_ok()
            {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("portee serve did not start");
    }

    fn mails(&self) -> Vec<String> {
        let Ok(entries) = std::fs::read_dir(self.dir.path().join("mail")) else {
            return Vec::new();
        };
        entries
            .map(|e| decode_mail(&std::fs::read_to_string(e.unwrap().path()).unwrap()))
            .collect()
    }
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Chooses `password` through a link, as the invited person would, and returns where
/// the portal sends them.
async fn choose_password(link: &str, password: &str) -> String {
    let client = new_client();
    let page = page_text(&client, link.to_owned()).await;
    assert!(page.contains("Choisir"), "{page}");
    let resp = client
        .post(link)
        .form(&[
            ("csrf_token", csrf_of(&page).as_str()),
            ("nouveau", password),
            ("confirmation", password),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    resp.headers()["location"].to_str().unwrap().to_owned()
}

#[tokio::test]
async fn a_new_school_is_set_up_from_an_empty_database_with_the_commands_alone() {
    let mut install = Install::new();
    let out = install.run(&["schools", "list"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("No school yet"));

    // Bad input: every problem named by its option, status 1, nothing written.
    let out = install.run(&[
        "schools",
        "add",
        "--slug",
        "Conservatoire Nord",
        "--name",
        "Conservatoire du Nord",
        "--postal-code",
        "5900",
        "--email",
        "contact",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    for option in ["--slug", "--postal-code", "--email"] {
        assert!(err.contains(&format!("{option} : ")), "{option}: {err}");
    }
    assert!(err.contains("Nothing was written."));
    assert!(stdout(&install.run(&["schools", "list"])).contains("No school yet"));

    let out = install.run(&[
        "schools",
        "add",
        "--slug",
        "conservatoire-nord",
        "--name",
        "Conservatoire du Nord",
        "--address",
        "3 rue des Arts",
        "--postal-code",
        "59000",
        "--city",
        "Lille",
        "--phone",
        "03 20 00 00 00",
        "--email",
        "contact@conservatoire-nord.example.org",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    // A duplicate short name is refused by name.
    let out = install.run(&[
        "schools",
        "add",
        "--slug",
        "conservatoire-nord",
        "--name",
        "Un autre",
    ]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("« conservatoire-nord » est déjà celui d'une école"));
    let list = stdout(&install.run(&["schools", "list"]));
    assert!(
        list.contains(
            "conservatoire-nord\tConservatoire du Nord\tLille\t0 families\t0 staff accounts"
        ),
        "{list}"
    );

    // The first administrator, before mail is set up: the link is printed.
    let out = install.run(&[
        "staff",
        "invite",
        "--site",
        "conservatoire-nord",
        "--email",
        "anne.dupont@conservatoire-nord.example.org",
        "--name",
        "Anne DUPONT",
        "--print-link",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let printed = stdout(&out);
    assert!(printed.contains("Identifiant : anne.dupont"), "{printed}");
    let link = printed
        .lines()
        .find(|l| l.starts_with("http://"))
        .expect("the link")
        .to_owned();
    assert!(link.starts_with(&format!("{}/reinitialisation?jeton=", install.base_url())));
    assert!(install.mails().is_empty(), "nothing mailed");
    // The same address twice, an unknown school, an unknown role: refused, nothing written.
    for (args, expected) in [
        (
            vec![
                "--site",
                "conservatoire-nord",
                "--email",
                "Anne.Dupont@conservatoire-nord.example.org",
                "--name",
                "Anne DUPONT",
            ],
            "--email : ",
        ),
        (
            vec![
                "--site",
                "nord",
                "--email",
                "x@example.org",
                "--name",
                "Xavier LEROY",
            ],
            "--site : aucune école n'a le nom court « nord »",
        ),
        (
            vec![
                "--site",
                "conservatoire-nord",
                "--email",
                "x@example.org",
                "--name",
                "Xavier LEROY",
                "--role",
                "directeur",
            ],
            "--role : « directeur » n'est pas un rôle",
        ),
    ] {
        let mut all = vec!["staff", "invite", "--print-link"];
        all.extend(args);
        let out = install.run(&all);
        assert_eq!(out.status.code(), Some(1), "{expected}");
        assert!(
            stderr(&out).contains(expected),
            "{expected}: {}",
            stderr(&out)
        );
    }
    let paul = [
        "staff",
        "invite",
        "--site",
        "conservatoire-nord",
        "--email",
        "paul.martin@conservatoire-nord.example.org",
        "--name",
        "Paul MARTIN",
        "--role",
        "secrétariat",
    ];
    // Mail not set up and no --print-link: refused, with the way out.
    let out = install
        .command()
        .env_remove("PORTEE_MAIL_DIR")
        .args(paul)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("PORTEE_SMTP_URL : le courrier n'est pas configuré")
            && stderr(&out).contains("--print-link"),
        "{}",
        stderr(&out)
    );
    assert!(stdout(&install.run(&["schools", "list"])).contains("\t1 staff account"));

    // Mail set up (here the mail folder): the secretary's invitation is mailed (the role
    // typed with its accent).
    let out = install.run(&paul);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("Staff account paul.martin created (Secrétariat)"));
    let mails = install.mails();
    assert_eq!(mails.len(), 1);
    let mail = &mails[0];
    assert!(
        mail.contains("To: paul.martin@conservatoire-nord.example.org"),
        "{mail}"
    );
    assert!(mail.contains("Conservatoire du Nord"));
    assert!(mail.contains("Votre identifiant : paul.martin"));
    assert!(mail.contains("dans les 7 jours"));
    let mailed_link = format!("{}{}", install.base_url(), TestApp::reset_path(mail));

    // The portal runs; the administrator chooses a password and logs in as staff.
    install.serve().await;
    let to = choose_password(&link, "Conservatoire59").await;
    assert_eq!(to, "/gestion/connexion?info=mot-de-passe-choisi");
    // The link served once.
    let again = new_client().get(&link).send().await.unwrap();
    assert_eq!(again.status(), StatusCode::GONE);
    let staff = new_client();
    let login = format!("{}/gestion/connexion", install.base_url());
    let page = page_text(&staff, format!("{login}?info=mot-de-passe-choisi")).await;
    assert!(page.contains("Votre mot de passe est enregistré."));
    assert!(page.contains("Conservatoire du Nord"));
    let resp = staff
        .post(&login)
        .form(&[
            ("csrf_token", csrf_of(&page).as_str()),
            ("site", "conservatoire-nord"),
            ("identifiant", "anne.dupont"),
            ("mot_de_passe", "Conservatoire59"),
        ])
        .send()
        .await
        .unwrap();
    assert_redirect(&resp, "/gestion");
    let html = page_text(&staff, format!("{}/gestion", install.base_url())).await;
    assert!(html.contains("<h1>Demandes de modification</h1>"));
    // The mailed link works the same way for the secretary.
    assert_eq!(
        choose_password(&mailed_link, "Secretariat59").await,
        "/gestion/connexion?info=mot-de-passe-choisi"
    );
}

/// Logs `client` in at `form` of the school `conservatoire-nord`.
async fn log_in(install: &Install, client: &reqwest::Client, form: &str, id: &str, password: &str) {
    let url = format!("{}{form}", install.base_url());
    let page = page_text(client, url.clone()).await;
    let resp = client
        .post(&url)
        .form(&[
            ("csrf_token", csrf_of(&page).as_str()),
            ("site", "conservatoire-nord"),
            ("identifiant", id),
            ("mot_de_passe", password),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::SEE_OTHER, "{id} logs in");
}

fn copy_sample(to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    let sample = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/import-sample");
    for entry in std::fs::read_dir(sample).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "csv") {
            std::fs::copy(&path, to.join(path.file_name().unwrap())).unwrap();
        }
    }
}

/// The README's steps, with the real binary, from an empty database to a family's accepted
/// change in the export, and that export applied back to the software and imported again.
#[tokio::test]
async fn from_an_empty_database_to_a_familys_accepted_change_in_the_export() {
    let mut install = Install::new();
    let ok = |o: Output| {
        assert!(o.status.success(), "{}", stderr(&o));
        stdout(&o)
    };
    ok(install.run(&[
        "schools",
        "add",
        "--slug",
        "conservatoire-nord",
        "--name",
        "Conservatoire du Nord",
    ]));
    let printed = ok(install.run(&[
        "staff",
        "invite",
        "--site",
        "conservatoire-nord",
        "--email",
        "anne.dupont@example.org",
        "--name",
        "Anne DUPONT",
        "--print-link",
    ]));
    let link = printed
        .lines()
        .find(|l| l.starts_with("http://"))
        .unwrap()
        .to_owned();
    let sample = install.dir.path().join("logiciel");
    copy_sample(&sample);
    let out = ok(install.run(&[
        "import",
        "--site",
        "conservatoire-nord",
        sample.to_str().unwrap(),
    ]));
    assert!(out.contains("Import written"), "{out}");
    let out = ok(install.run(&[
        "accounts",
        "invite",
        "--site",
        "conservatoire-nord",
        "--email",
        "helene.lefevre@example.org",
    ]));
    assert!(
        out.contains("Account lefevre1 created; invitation sent."),
        "{out}"
    );
    install.serve().await;

    // The administrator and the family choose their passwords.
    choose_password(&link, "Conservatoire59").await;
    let invitation = install
        .mails()
        .into_iter()
        .find(|m| m.contains("To: helene.lefevre@example.org"))
        .expect("the family's invitation");
    let family_link = format!("{}{}", install.base_url(), TestApp::reset_path(&invitation));
    assert_eq!(
        choose_password(&family_link, "Famille2027").await,
        "/connexion?info=mot-de-passe-choisi"
    );

    // The family changes its mobile number; staff accept it.
    let family = new_client();
    log_in(&install, &family, "/connexion", "lefevre1", "Famille2027").await;
    let famille = format!("{}/famille", install.base_url());
    let html = page_text(&family, famille.clone()).await;
    let mut fields = crate::faults::record_form_fields(&html);
    for (k, v) in fields.iter_mut() {
        if k == "phone_mobile" {
            assert_eq!(v, "06 12 34 56 78");
            *v = "07 11 22 33 44".to_owned();
        }
    }
    let resp = family.post(&famille).form(&fields).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let staff = new_client();
    log_in(
        &install,
        &staff,
        "/gestion/connexion",
        "anne.dupont",
        "Conservatoire59",
    )
    .await;
    let queue = page_text(&staff, format!("{}/gestion", install.base_url())).await;
    let at = queue
        .find("href=\"/gestion/demandes/")
        .expect("the request")
        + 6;
    let request = &queue[at..at + queue[at..].find('"').unwrap()];
    let page = page_text(&staff, format!("{}{request}", install.base_url())).await;
    let resp = staff
        .post(format!("{}{request}/decision", install.base_url()))
        .form(&[
            ("csrf_token", csrf_of(&page).as_str()),
            ("accepter", "phone_mobile"),
            ("decision", "accepter"),
            ("motif", ""),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);

    // A folder that cannot take the files records no export: the line waits for the next.
    let blocked = install.dir.path().join("export-0");
    std::fs::create_dir_all(blocked.join(".modifications.csv.part")).unwrap();
    let out = install.run(&[
        "export",
        "--site",
        "conservatoire-nord",
        blocked.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(&format!("DIR : {}", blocked.display()))
            && err.contains("rien n'est enregistré"),
        "{err}"
    );
    assert!(!blocked.join("modifications.csv").exists());

    // The export holds that line, with the software's id of the person.
    let out_dir = install.dir.path().join("export-1");
    let out = ok(install.run(&[
        "export",
        "--site",
        "conservatoire-nord",
        out_dir.to_str().unwrap(),
    ]));
    assert!(out.contains("modifications.csv: 1 line(s)"), "{out}");
    let modifications = std::fs::read_to_string(out_dir.join("modifications.csv")).unwrap();
    assert!(modifications.starts_with(
        "\u{feff}personne;personne_portee;champ;avant;apres;demande_le;decide_le;decide_par\r\n"
    ));
    let line = modifications.lines().nth(1).unwrap();
    assert!(line.starts_with("P1000;"), "{line}");
    assert!(
        line.contains(";tel_portable;06 12 34 56 78;07 11 22 33 44;"),
        "{line}"
    );
    assert!(line.ends_with(";Anne DUPONT"), "{line}");
    for file in ["reinscriptions.csv", "paiements.csv"] {
        assert!(out_dir.join(file).exists(), "{file}");
    }
    // The page offers the same files.
    let list = page_text(&staff, format!("{}/gestion/exports", install.base_url())).await;
    assert!(list.contains("Ligne de commande"));
    let at = list.find("href=\"/gestion/exports/").unwrap() + 6;
    let href = &list[at..at + list[at..].find('"').unwrap()];
    assert!(href.ends_with("/modifications.csv"), "{href}");
    let downloaded = staff
        .get(format!("{}{href}", install.base_url()))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(downloaded, modifications);
    // Each change leaves once; a repeat since a day brings it again.
    let again = install.dir.path().join("export-2");
    let out = ok(install.run(&[
        "export",
        "--site",
        "conservatoire-nord",
        again.to_str().unwrap(),
    ]));
    assert!(out.contains("Nothing to export"), "{out}");
    assert!(
        !again.join("modifications.csv").exists(),
        "no file, no export n° 2"
    );
    let repeat = install.dir.path().join("export-3");
    let out = ok(install.run(&[
        "export",
        "--site",
        "conservatoire-nord",
        "--depuis",
        "2000-01-01",
        repeat.to_str().unwrap(),
    ]));
    assert!(out.contains("modifications.csv: 1 line(s)"), "{out}");

    // The school applies it in its software and exports again: importing changes nothing.
    let persons = sample.join("personnes.csv");
    let text = std::fs::read_to_string(&persons).unwrap();
    std::fs::write(
        &persons,
        text.replacen("06 12 34 56 78", "07 11 22 33 44", 1),
    )
    .unwrap();
    let before = page_text(&family, famille.clone()).await;
    ok(install.run(&[
        "import",
        "--site",
        "conservatoire-nord",
        sample.to_str().unwrap(),
    ]));
    let after = page_text(&family, famille).await;
    let values = |html: &str| {
        crate::faults::record_form_fields(html)
            .into_iter()
            .filter(|(k, _)| k != "csrf_token" && k != "cle_formulaire")
            .collect::<Vec<_>>()
    };
    assert_eq!(values(&before), values(&after));
    assert!(values(&after).contains(&("phone_mobile".to_owned(), "07 11 22 33 44".to_owned())));
    let out = ok(install.run(&[
        "export",
        "--site",
        "conservatoire-nord",
        again.to_str().unwrap(),
    ]));
    assert!(out.contains("Nothing to export"), "{out}");
}
