//! No input makes a record form fail: random text in every field is answered with a page
//! (saved, refused with messages, or "nothing changed"), never a server error.

use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, TestRunner};

use crate::helpers::*;
use crate::records::JEREMIE;

#[tokio::test]
async fn random_input_never_makes_the_family_form_fail() {
    let app = spawn_app().await;
    app.login("abarre1", PASSWORD).await;
    let html = app.get_html(&app.client, "/famille").await;
    let token = csrf_of(&html);
    let any_text = prop_oneof![
        ".{0,40}",
        "[0-9 +().-]{0,20}",
        "\\PC{0,300}",
        Just(String::new()),
        Just("\u{0}\u{7f}\u{202e}".to_owned()),
    ];
    let cases = proptest::collection::vec(any_text, JEREMIE.len());
    let mut runner = TestRunner::new(Config {
        cases: 48,
        failure_persistence: None,
        ..Config::default()
    });
    let inputs: Vec<Vec<String>> = (0..48)
        .map(|_| cases.new_tree(&mut runner).unwrap().current())
        .collect();
    for values in inputs {
        let key = format!("fuzz-{}", inputs_key(&values));
        let fields: Vec<(&str, &str)> = JEREMIE
            .iter()
            .zip(&values)
            .map(|((k, _), v)| (*k, v.as_str()))
            .collect();
        let resp = app
            .post_record_with_key(&app.client, "/famille", &fields, &token, &key)
            .await;
        let status = resp.status().as_u16();
        assert!(
            [200, 303, 422].contains(&status),
            "status {status} for {values:?}"
        );
    }
}

fn inputs_key(values: &[String]) -> String {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    values.hash(&mut h);
    format!("{:x}", h.finish())
}

/// Field names the portal's forms use (and a few it does not), for the random forms below.
const FIELD_NAMES: &[&str] = &[
    "site",
    "identifiant",
    "mot_de_passe",
    "email",
    "retour",
    "actuel",
    "nouveau",
    "confirmation",
    "jeton",
    "cle_formulaire",
    "profession",
    "phone_mobile",
    "birth_date",
    "civility",
    "postal_code",
    "country",
    "decision",
    "motif",
    "raison",
    "accepter",
    "action",
    "facture",
    "montant",
    "mode",
    "date",
    "reference",
    "annee",
    "ouverture",
    "fermeture",
    "nom",
    "pour",
    "obligatoire",
    "document",
    "administrative",
    "cours",
    "commentaire",
    "ecole",
    "page",
    "message",
    "statut",
    "taux",
    "date_audit",
    "auditeur",
    "non_accessible",
    "email_contact",
    "q",
    "info",
    "inconnu",
];

fn random_strings(n: usize) -> Vec<String> {
    let any_text = prop_oneof![
        ".{0,40}",
        "[0-9,./ -]{0,12}",
        "\\PC{0,300}",
        Just(String::new()),
        Just("\u{0}\u{7f}\u{202e}../../etc/passwd".to_owned()),
        Just("-1".to_owned()),
        Just("99999999999999999999".to_owned()),
        Just("accepter".to_owned()),
    ];
    let mut runner = TestRunner::new(Config {
        failure_persistence: None,
        ..Config::default()
    });
    let strategy = proptest::collection::vec(any_text, n);
    strategy.new_tree(&mut runner).unwrap().current()
}

/// What a failing request was, in one line: the status, the request, its id in the server's
/// log and the page's title, so that the test's last lines (all a CI summary may show) say what to reproduce.
async fn failure(what: String, resp: reqwest::Response) -> String {
    let status = resp.status();
    // The server's log line of the failure carries this id.
    let id = resp
        .headers()
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("?")
        .to_owned();
    let body = resp.text().await.unwrap_or_default();
    let title = body
        .split_once("<title>")
        .and_then(|(_, t)| t.split_once("</title>"))
        .map_or("", |(t, _)| t);
    format!("{status} for {what} (request {id}): « {title} »")
}

/// Every POST route (read from the source), as a family and as staff, with a valid token and
/// random fields, and every GET page with random query strings: a page, never a 5xx. Every
/// failure is listed at the end (the test returns them) rather than the first one panicking
/// in the middle of the server's log.
#[tokio::test]
async fn random_input_to_every_route_never_makes_the_portal_fail() -> Result<(), String> {
    let mut failures: Vec<String> = Vec::new();
    let app = spawn_app().await;
    app.login("abarre1", PASSWORD).await;
    let staff = new_client();
    staff_login(&app, &staff).await;
    let irina = app.person_id("Irina").await.to_string();
    let (invoice,): (i64,) =
        sqlx::query_as("select ledger_entry_id from ledger_entry where number = '12FC01618'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    let concrete = |route: &str| -> String {
        route
            .split('/')
            .enumerate()
            .map(|(i, seg)| match seg {
                ":id" if route.starts_with("/eleves") => irina.clone(),
                ":id" if route.starts_with("/facturation") => invoice.to_string(),
                ":id" if route.starts_with("/gestion/reinscriptions") => "950031".to_owned(),
                s if s.starts_with(':') => format!("{}", 1000 + i),
                s => s.to_owned(),
            })
            .collect::<Vec<_>>()
            .join("/")
    };
    let routes = crate::authorization::post_routes();
    let mut tried = 0;
    for route in &routes {
        // Sessions end there; the login forms have their own tests and a rate limit.
        if matches!(
            route.as_str(),
            "/deconnexion"
                | "/connexion"
                | "/gestion/connexion"
                | "/mot-de-passe"
                | "/reinitialisation"
                // PayFiP's own SOAP service, as played by the demo: it answers faults with
                // HTTP 500, as SOAP 1.1 services do.
                | "/payfip-demo/services/securite"
        ) {
            continue;
        }
        let path = concrete(route);
        for client in [&app.client, &staff] {
            let token = csrf_of(&app.get_html(client, "/accessibilite").await);
            for _ in 0..4 {
                let values = random_strings(6);
                let names = random_strings(6);
                let mut form: Vec<(String, String)> = vec![("csrf_token".into(), token.clone())];
                for (i, v) in values.into_iter().enumerate() {
                    let name = FIELD_NAMES[(names[i].len() * 7 + i * 13) % FIELD_NAMES.len()];
                    form.push((name.to_owned(), v));
                }
                let resp = client
                    .post(app.url(&path))
                    .form(&form)
                    .send()
                    .await
                    .unwrap();
                if resp.status().is_server_error() {
                    failures.push(failure(format!("POST {path} {form:?}"), resp).await);
                }
                tried += 1;
            }
        }
    }
    assert!(tried > 150, "{tried} random posts");
    // Query strings of the GET pages that read one.
    for path in [
        "/facturation/cotisations".to_owned(),
        format!("/eleves/{irina}/historique"),
        format!("/eleves/{irina}/reinscription"),
        "/accessibilite".to_owned(),
        "/connexion".to_owned(),
        "/facturation/paiements/1/retour".to_owned(),
        "/payfip-demo/paiementws.web".to_owned(),
    ] {
        for _ in 0..6 {
            let values = random_strings(3);
            let query = serde_urlencoded::to_string([
                ("q", values[0].as_str()),
                ("info", values[1].as_str()),
                ("refdet", values[2].as_str()),
                ("montant", values[0].as_str()),
                ("resultrans", "P"),
                ("etat", values[1].as_str()),
            ])
            .unwrap();
            let resp = app.get(&format!("{path}?{query}")).await;
            if resp.status().is_server_error() {
                failures.push(failure(format!("GET {path}?{query}"), resp).await);
            }
        }
    }
    for _ in 0..6 {
        let values = random_strings(2);
        let query = serde_urlencoded::to_string([
            ("etat", values[0].as_str()),
            ("info", values[1].as_str()),
        ])
        .unwrap();
        let path = format!("/gestion/reinscriptions?{query}");
        let resp = app.get_with(&staff, &path).await;
        if resp.status().is_server_error() {
            failures.push(failure(format!("GET {path} (staff)"), resp).await);
        }
    }
    if failures.is_empty() {
        Ok(())
    } else {
        Err(failures.join("\n"))
    }
}
