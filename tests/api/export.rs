//! Exports on the demo school: re-enrolments and payments decided in Portée, cells a
//! spreadsheet would run as formulas, each row exported once, the secretariat's page.

use reqwest::{Client, StatusCode};

use crate::billing::current_invoice;
use crate::helpers::*;
use crate::reenrolment::submitted_administrative;

/// Makes an export from the page and returns its files, by name.
async fn export(app: &TestApp, staff: &Client) -> Vec<(String, String)> {
    let resp = app
        .post_form(staff, "/gestion/exports", "/gestion/exports", &[])
        .await;
    assert_redirect(&resp, "/gestion/exports?info=export-fait");
    let html = app
        .get_html(staff, "/gestion/exports?info=export-fait")
        .await;
    let at = html.find("href=\"/gestion/exports/").expect("a file") + 6;
    let first = &html[at..at + html[at..].find('"').unwrap()];
    let base = first.rsplit_once('/').unwrap().0.to_owned();
    let mut files = Vec::new();
    for name in ["modifications.csv", "reinscriptions.csv", "paiements.csv"] {
        let resp = app.get_with(staff, &format!("{base}/{name}")).await;
        assert_eq!(resp.status(), StatusCode::OK);
        assert_eq!(resp.headers()["content-type"], "text/csv; charset=utf-8");
        files.push((name.to_owned(), resp.text().await.unwrap()));
    }
    files
}

fn lines<'a>(files: &'a [(String, String)], name: &str) -> Vec<&'a str> {
    let file = &files.iter().find(|(n, _)| n == name).unwrap().1;
    assert!(file.starts_with('\u{feff}'), "{name}: UTF-8 with a BOM");
    file.lines().skip(1).collect()
}

#[tokio::test]
async fn decided_reenrolments_and_payments_leave_once_with_formulas_defused() {
    let app = spawn_app().await;
    // A re-enrolment, sent and accepted.
    let (pid, request) = submitted_administrative(&app, "").await;
    let staff = new_client();
    staff_login(&app, &staff).await;
    let detail = format!("/gestion/reinscriptions/{request}");
    assert_redirect(
        &app.post_form(
            &staff,
            &detail,
            &format!("{detail}/decision"),
            &[("decision", "accepter")],
        )
        .await,
        &format!("{detail}?info=demande-decidee"),
    );
    // A desk payment whose reference a spreadsheet would run as a formula.
    let (number, _) = current_invoice(&app).await;
    let resp = app
        .post_form(
            &staff,
            "/gestion/paiements",
            "/gestion/paiements",
            &[
                ("facture", &number),
                ("montant", "100,00"),
                ("mode", "cheque"),
                ("date", "28/11/2026"),
                ("reference", "=HYPERLINK(\"http://x.example\")"),
            ],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);

    let files = export(&app, &staff).await;
    let reenrolments = lines(&files, "reinscriptions.csv");
    assert_eq!(reenrolments.len(), 1, "{reenrolments:?}");
    let r = reenrolments[0];
    assert!(r.contains(&format!(";{pid};ABARRE;Irina;")), "{r}");
    assert!(r.contains(";administrative;acceptee;"), "{r}");
    assert!(r.contains("Photo d'identité (fourni)"), "{r}");
    let payments = lines(&files, "paiements.csv");
    assert_eq!(
        payments.len(),
        1,
        "only the payment received in Portée: {payments:?}"
    );
    let p = payments[0];
    assert!(
        p.contains(&format!(";{number};100,00;cheque;28/11/2026;")),
        "{p}"
    );
    assert!(
        p.contains(";\"'=HYPERLINK(\"\"http://x.example\"\")\";"),
        "defused: {p}"
    );
    assert!(lines(&files, "modifications.csv").is_empty());
    // The next export holds none of them: nothing to export, no export numbered.
    let resp = app
        .post_form(&staff, "/gestion/exports", "/gestion/exports", &[])
        .await;
    assert_redirect(&resp, "/gestion/exports?info=rien-de-nouveau");
    let html = app
        .get_html(&staff, "/gestion/exports?info=rien-de-nouveau")
        .await;
    assert!(html.contains(
        "Rien à exporter : aucune modification, réinscription ni paiement depuis le dernier export."
    ));
    assert_eq!(html.matches("/modifications.csv\"").count(), 1);
    // Visitors are sent to the staff login; families never reach exports.
    assert_redirect(
        &app.get_with(&new_client(), "/gestion/exports").await,
        "/gestion/connexion",
    );
    assert_eq!(
        app.get("/gestion/exports").await.status(),
        StatusCode::FORBIDDEN
    );
}
