//! Online payment through PayFiP's secure web service, end to end over real HTTP: the
//! portal calls the demo's stand-in (SOAP), the browser pays on its page, the stand-in
//! notifies the portal, the portal asks the result back. And the attacks: a family forging
//! a result in its browser, forged or repeated notifications, two attempts paid.

use reqwest::{Client, StatusCode};

use crate::billing::{current_invoice, entry_id, euros, receipts_of, yy};
use crate::helpers::*;

/// An attempt started by « Payer »: PayFiP's page, its `idOp`, and the portal's records.
pub struct Started {
    pub page: String,
    pub idop: String,
    pub attempt: i64,
    pub refdet: String,
}

/// Clicks « Payer … en ligne » on an invoice and follows the portal to PayFiP.
pub async fn start_payment(app: &TestApp, client: &Client, invoice: i64) -> Started {
    let doc = format!("/facturation/documents/{invoice}");
    let resp = app
        .post_form(client, &doc, &format!("{doc}/payer"), &[])
        .await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let page = resp.headers()["location"].to_str().unwrap().to_owned();
    let prefix = format!("{}/payfip-demo/paiementws.web?idop=", app.address);
    let idop = page
        .strip_prefix(&prefix)
        .unwrap_or_else(|| panic!("sent to PayFiP's page, not {page}"))
        .to_owned();
    let (attempt, refdet): (i64, String) =
        sqlx::query_as("select payment_attempt_id, refdet from payment_attempt where idop = $1")
            .bind(&idop)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    Started {
        page,
        idop,
        attempt,
        refdet,
    }
}

/// On PayFiP's page: chooses an outcome and how PayFiP notifies the portal. Returns where
/// PayFiP sends the browser back.
async fn pay(
    client: &Client,
    app: &TestApp,
    s: &Started,
    resultat: &str,
    notification: &str,
) -> String {
    let html = client
        .get(&s.page)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains(&s.refdet), "PayFiP's page shows the payment");
    let resp = client
        .post(app.url("/payfip-demo/paiementws.web"))
        .form(&[
            ("csrf_token", csrf_of(&html).as_str()),
            ("idop", &s.idop),
            ("resultat", resultat),
            ("notification", notification),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    resp.headers()["location"].to_str().unwrap().to_owned()
}

/// The browser comes back to the portal: returns the page it finally shows.
async fn come_back(client: &Client, app: &TestApp, url: &str) -> String {
    let resp = client.get(url).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let outcome = resp.headers()["location"].to_str().unwrap().to_owned();
    assert!(outcome.starts_with("/facturation/paiements/"), "{outcome}");
    app.get_html(client, &outcome).await
}

async fn status_of(app: &TestApp, attempt: i64) -> (String, Option<i64>) {
    sqlx::query_as(
        "select status, receipt_entry_id from payment_attempt where payment_attempt_id = $1",
    )
    .bind(attempt)
    .fetch_one(&app.pool)
    .await
    .unwrap()
}

/// PayFiP's server-to-server call, as anyone could send it.
async fn notify(app: &TestApp, fields: &[(&str, &str)]) -> reqwest::Response {
    new_client()
        .post(app.url("/payfip/notification"))
        .form(fields)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_result_typed_in_the_browser_pays_nothing() {
    let app = spawn_app().await;
    app.login("abarre1", PASSWORD).await;
    let (number, id) = current_invoice(&app).await;
    // Two « Payer » clicks: two attempts, the first superseded by the second.
    let first = start_payment(&app, &app.client, id).await;
    let second = start_payment(&app, &app.client, id).await;
    assert_eq!(status_of(&app, first.attempt).await.0, "superseded");
    assert_eq!(status_of(&app, second.attempt).await.0, "pending");

    for s in [&first, &second] {
        // The old return address, with a result the family typed.
        let forged = serde_urlencoded::to_string([
            ("numcli", "012345"),
            ("refdet", s.refdet.as_str()),
            ("montant", "31200"),
            ("resultrans", "P"),
            ("numauto", "ANY"),
            ("dattrans", "29112026"),
            ("heurtrans", "1012"),
        ])
        .unwrap();
        let resp = app
            .get(&format!("/facturation/paiement/retour?{forged}"))
            .await;
        assert_eq!(resp.status(), StatusCode::NOT_FOUND);
        // The new return address, with the same query: it only shows where PayFiP stands.
        let html = come_back(
            &app.client,
            &app,
            &app.url(&format!(
                "/facturation/paiements/{}/retour?{forged}",
                s.attempt
            )),
        )
        .await;
        assert!(
            html.contains("<h1>Paiement en cours de traitement</h1>"),
            "{html}"
        );
        // A notification carrying a result: only its idOp is read, and PayFiP says "not paid".
        let resp = notify(
            &app,
            &[("idop", &s.idop), ("resultrans", "P"), ("montant", "31200")],
        )
        .await;
        assert_eq!(resp.status(), StatusCode::OK);
    }
    assert_eq!(receipts_of(&app, id).await, 0);
    for s in [&first, &second] {
        assert_eq!(status_of(&app, s.attempt).await.1, None);
    }
    let html = app.get_html(&app.client, "/facturation/cotisations").await;
    assert!(html.contains("(312 euros)"), "still due");
    assert!(!html.contains("Ce compte est à jour"));
    let html = app
        .get_html(&app.client, &format!("/facturation/documents/{id}"))
        .await;
    assert!(html.contains(&format!("Payer {} en ligne", euros("312,00"))));
    assert!(html.contains(&number));
}

#[tokio::test]
async fn a_payment_confirmed_by_payfip_writes_one_receipt_and_one_mail() {
    let app = spawn_app().await;
    app.login("abarre1", PASSWORD).await;
    let (number, id) = current_invoice(&app).await;
    let s = start_payment(&app, &app.client, id).await;
    let back = pay(&app.client, &app, &s, "V", "immediate").await;
    assert_eq!(
        back,
        app.url(&format!("/facturation/paiements/{}/retour", s.attempt))
    );
    // The notification came before the browser: the receipt is already written.
    let (status, receipt) = status_of(&app, s.attempt).await;
    assert_eq!(status, "paid");
    let receipt = receipt.expect("a receipt");
    let (mode, credit, label): (String, i64, String) = sqlx::query_as(
        "select payment_mode, credit_cents, label from ledger_entry where ledger_entry_id = $1",
    )
    .bind(receipt)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!((mode.as_str(), credit), ("prelevement-en-ligne", 31200));
    assert!(label.starts_with("PAIEMENT EN LIGNE DEMO"), "{label}");

    let html = come_back(&app.client, &app, &back).await;
    assert!(html.contains("<h1>Paiement accepté</h1>"));
    assert!(html.contains("(autorisation DEMO"));
    // The notification again, and the return again: nothing more.
    assert_eq!(
        notify(&app, &[("idop", &s.idop)]).await.status(),
        StatusCode::OK
    );
    come_back(&app.client, &app, &back).await;
    assert_eq!(receipts_of(&app, id).await, 1);
    let html = app.get_html(&app.client, "/facturation/cotisations").await;
    assert!(html.contains("Ce compte est à jour"));
    assert!(html.contains("Prélèvement en ligne"));
    let mails = app.wait_for_mails("jeremie.abarre@example.org", 1).await;
    let mail = mails
        .iter()
        .find(|m| m.contains("Votre paiement en ligne"))
        .expect("a confirmation");
    assert!(mail.contains(&number) && mail.contains("312,00") && !mail.contains("{receipt}"));
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let confirmations = app
        .mails()
        .into_iter()
        .filter(|m| m.contains("Votre paiement en ligne"))
        .count();
    assert_eq!(confirmations, 1);
    assert_eq!(
        app.count(
            "select cast(count(*) as bigint) from audit_log where action = 'payment_resolved'"
        )
        .await,
        1
    );

    // The rental, paid by card; a settled invoice is not offered again.
    let rental = entry_id(&app, &format!("{}FL00037", yy())).await;
    let s = start_payment(&app, &app.client, rental).await;
    let html = app
        .client
        .get(&s.page)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains(&euros("60,00")), "what is still due");
    let back = pay(&app.client, &app, &s, "P", "immediate").await;
    come_back(&app.client, &app, &back).await;
    let html = app.get_html(&app.client, "/facturation/locations").await;
    assert!(html.contains("Carte en ligne") && html.contains("Ce compte est à jour"));
    let resp = app
        .post_form(
            &app.client,
            "/facturation/locations",
            &format!("/facturation/documents/{rental}/payer"),
            &[],
        )
        .await;
    assert_redirect(&resp, "/facturation/locations?info=deja-reglee");
}

#[tokio::test]
async fn a_lost_notification_is_made_up_for_by_asking_payfip_at_the_return() {
    let app = spawn_app().await;
    app.login("abarre1", PASSWORD).await;
    let (_, id) = current_invoice(&app).await;
    let s = start_payment(&app, &app.client, id).await;
    let back = pay(&app.client, &app, &s, "P", "aucune").await;
    assert_eq!(
        status_of(&app, s.attempt).await.0,
        "pending",
        "no notification"
    );
    let html = come_back(&app.client, &app, &back).await;
    assert!(html.contains("<h1>Paiement accepté</h1>"));
    assert_eq!(status_of(&app, s.attempt).await.0, "paid");
    assert_eq!(receipts_of(&app, id).await, 1);
}

#[tokio::test]
async fn notifications_twice_or_after_the_return_write_one_receipt() {
    let app = spawn_app().await;
    app.login("abarre1", PASSWORD).await;
    let (_, id) = current_invoice(&app).await;
    let s = start_payment(&app, &app.client, id).await;
    pay(&app.client, &app, &s, "P", "double").await;
    assert_eq!(receipts_of(&app, id).await, 1);

    let rental = entry_id(&app, &format!("{}FL00037", yy())).await;
    let before = receipts_of(&app, rental).await;
    let s = start_payment(&app, &app.client, rental).await;
    let back = pay(&app.client, &app, &s, "V", "tardive").await;
    // The browser is back first: the portal asks PayFiP, then the late notification lands.
    let html = come_back(&app.client, &app, &back).await;
    assert!(html.contains("<h1>Paiement accepté</h1>"));
    tokio::time::sleep(std::time::Duration::from_millis(2500)).await;
    assert_eq!(receipts_of(&app, rental).await, before + 1);
    assert_eq!(
        app.count(
            "select cast(count(*) as bigint) from audit_log where action = 'payment_resolved'"
        )
        .await,
        2
    );
}

#[tokio::test]
async fn a_notification_naming_an_operation_that_is_not_ours_changes_nothing() {
    let app = spawn_app().await;
    app.login("abarre1", PASSWORD).await;
    let (_, id) = current_invoice(&app).await;
    let s = start_payment(&app, &app.client, id).await;
    for idop in ["0f8fad5b-d9cb-469f-a165-70867728950e", "ABCDEF123456"] {
        let resp = notify(&app, &[("idop", idop), ("resultrans", "P")]).await;
        assert_eq!(resp.status(), StatusCode::OK);
    }
    for bad in ["", "x' or '1'='1", &"a".repeat(200)] {
        let resp = notify(&app, &[("idop", bad)]).await;
        assert_eq!(resp.status(), StatusCode::BAD_REQUEST, "{bad:?}");
    }
    // The real one, still unpaid at PayFiP.
    assert_eq!(
        notify(&app, &[("idOp", &s.idop)]).await.status(),
        StatusCode::OK
    );
    assert_eq!(
        status_of(&app, s.attempt).await,
        ("pending".to_owned(), None)
    );
    assert_eq!(
        app.count("select cast(count(*) as bigint) from ledger_entry where kind = 'receipt' and payment_mode like '%en-ligne'")
            .await,
        0
    );
}

#[tokio::test]
async fn refused_and_abandoned_payments_leave_the_invoice_due() {
    let app = spawn_app().await;
    app.login("abarre1", PASSWORD).await;
    let (_, id) = current_invoice(&app).await;
    for (code, status, heading) in [
        ("R", "refused", "Paiement refusé"),
        ("A", "cancelled", "Paiement abandonné"),
    ] {
        let s = start_payment(&app, &app.client, id).await;
        let back = pay(&app.client, &app, &s, code, "immediate").await;
        let html = come_back(&app.client, &app, &back).await;
        assert!(html.contains(&format!("<h1>{heading}</h1>")), "{code}");
        assert_eq!(status_of(&app, s.attempt).await, (status.to_owned(), None));
    }
    assert_eq!(receipts_of(&app, id).await, 0);
    let html = app.get_html(&app.client, "/facturation/cotisations").await;
    assert!(html.contains("(312 euros)"));
}

#[tokio::test]
async fn money_that_settles_nothing_goes_to_staff_and_never_becomes_a_credit() {
    let app = spawn_app().await;
    app.login("abarre1", PASSWORD).await;
    let (number, id) = current_invoice(&app).await;
    // The first attempt's page stays open in another tab while a second one pays.
    let first = start_payment(&app, &app.client, id).await;
    let second = start_payment(&app, &app.client, id).await;
    let back = pay(&app.client, &app, &second, "P", "immediate").await;
    come_back(&app.client, &app, &back).await;
    assert_eq!(status_of(&app, second.attempt).await.0, "paid");
    // Then the first is paid too.
    let back = pay(&app.client, &app, &first, "P", "immediate").await;
    let html = come_back(&app.client, &app, &back).await;
    assert!(
        html.contains("<h1>Paiement reçu, à régulariser</h1>"),
        "{html}"
    );
    assert_eq!(
        status_of(&app, first.attempt).await,
        ("review".to_owned(), None)
    );
    assert_eq!(receipts_of(&app, id).await, 1, "one receipt, no credit");
    let html = app.get_html(&app.client, "/facturation/cotisations").await;
    assert!(html.contains("Ce compte est à jour"));
    assert!(!html.contains("avoir"));
    // Staff are told by mail and on their page.
    let mails = app.wait_for_mails("portail@example.org", 1).await;
    assert!(
        mails
            .iter()
            .any(|m| m.contains("Aucun reçu n'a été écrit") && m.contains(&first.refdet))
    );
    let staff = new_client();
    staff_login(&app, &staff).await;
    let html = app.get_html(&staff, "/gestion/paiements").await;
    assert!(html.contains("Paiements en ligne à régulariser"));
    assert!(html.contains(&first.refdet) && html.contains(&number));

    // PayFiP's amount differs from the attempt's (here the attempt is altered): no receipt.
    let rental = entry_id(&app, &format!("{}FL00037", yy())).await;
    let before = receipts_of(&app, rental).await;
    let s = start_payment(&app, &app.client, rental).await;
    sqlx::query("update payment_attempt set amount_cents = 100 where payment_attempt_id = $1")
        .bind(s.attempt)
        .execute(&app.pool)
        .await
        .unwrap();
    pay(&app.client, &app, &s, "P", "immediate").await;
    assert_eq!(
        status_of(&app, s.attempt).await,
        ("review".to_owned(), None)
    );
    assert_eq!(receipts_of(&app, rental).await, before);
}

#[tokio::test]
async fn the_portal_asks_payfip_with_every_field_in_its_format() {
    let app = spawn_app().await;
    app.login("abarre1", PASSWORD).await;
    let (number, id) = current_invoice(&app).await;
    let s = start_payment(&app, &app.client, id).await;
    assert!(
        (6..=30).contains(&s.refdet.len()) && s.refdet.chars().all(|c| c.is_ascii_alphanumeric())
    );
    assert!(s.refdet.starts_with(&number));
    // What the stand-in received, as its page shows it.
    let html = app
        .client
        .get(&s.page)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for shown in [
        "<dd>012345</dd>",
        &format!("<dd>{}</dd>", s.refdet),
        &format!("<dd>FACTURE {number} ABARRE</dd>"),
        &format!("<dd>{}</dd>", euros("312,00")),
        "<dd>jeremie.abarre@example.org</dd>",
        "<dd>test</dd>",
    ] {
        assert!(html.contains(shown), "{shown}");
    }
    // PayFiP's stand-in checks the origins of the return addresses whole, not as prefixes.
    let soap = |urlnotif: &str| {
        format!(
            "<?xml version=\"1.0\"?><soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\">\
             <soapenv:Body><pai:creerPaiementSecurise xmlns:pai=\"urn:x\"><arg0><exer>2026</exer>\
             <mel>a@example.org</mel><montant>1000</montant><numcli>012345</numcli><objet>TEST</objet>\
             <refdet>TESTREF{}</refdet><saisie>T</saisie><urlnotif>{urlnotif}</urlnotif>\
             <urlredirect>{}/facturation/paiements/1/retour</urlredirect></arg0></pai:creerPaiementSecurise>\
             </soapenv:Body></soapenv:Envelope>",
            urlnotif.len(),
            app.address
        )
    };
    for (urlnotif, accepted) in [
        (format!("{}/payfip/notification", app.address), true),
        (
            format!("{}.evil.example/payfip/notification", app.address),
            false,
        ),
        (
            format!("{}@evil.example/payfip/notification", app.address),
            false,
        ),
        ("https://evil.example/payfip/notification".to_owned(), false),
    ] {
        let resp = new_client()
            .post(app.url("/payfip-demo/services/securite"))
            .header("content-type", "text/xml")
            .body(soap(&urlnotif))
            .send()
            .await
            .unwrap();
        let body = resp.text().await.unwrap();
        assert_eq!(body.contains("<idOp>"), accepted, "{urlnotif}: {body}");
    }
}

#[tokio::test]
async fn without_the_stand_in_an_unreachable_payfip_starts_nothing() {
    // A closed port plays an unreachable PayFiP.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!(
        "http://{}/tpa/services/securite",
        closed.local_addr().unwrap()
    );
    drop(closed);
    let app = spawn_app_with(Options {
        payfip_double: false,
        payfip_service_url: Some(url),
        ..Options::default()
    })
    .await;
    app.login("abarre1", PASSWORD).await;
    let (_, id) = current_invoice(&app).await;
    let doc = format!("/facturation/documents/{id}");
    let resp = app
        .post_form(&app.client, &doc, &format!("{doc}/payer"), &[])
        .await;
    assert_eq!(resp.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(
        resp.text()
            .await
            .unwrap()
            .contains("<h1>Paiement en ligne indisponible</h1>")
    );
    assert_eq!(
        app.count("select cast(count(*) as bigint) from payment_attempt where status = 'failed'")
            .await,
        1
    );
    for path in [
        "/payfip-demo/paiementws.web?idop=x".to_owned(),
        "/payfip-demo/services/securite".to_owned(),
    ] {
        assert_eq!(
            app.get(&path).await.status(),
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
    let resp = new_client()
        .post(app.url("/payfip-demo/services/securite"))
        .header("content-type", "text/xml")
        .body("<x/>")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn another_familys_payments_are_not_found() {
    let app = spawn_app().await;
    let abarre = new_client();
    app.login_with(&abarre, "abarre1", PASSWORD).await;
    let (_, id) = current_invoice(&app).await;
    let s = start_payment(&app, &abarre, id).await;

    app.login("torre1", PASSWORD).await;
    for path in [
        format!("/facturation/documents/{id}"),
        format!("/facturation/documents/{id}/duplicata.pdf"),
        "/facturation/documents/123".to_owned(),
        "/facturation/documents/abc".to_owned(),
        format!("/facturation/paiements/{}", s.attempt),
    ] {
        assert_eq!(
            app.get(&path).await.status(),
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
    let resp = app
        .post_form(
            &app.client,
            "/facturation/cotisations",
            &format!("/facturation/documents/{id}/payer"),
            &[],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
    // Paying the other family's operation at PayFiP and coming back shows her nothing.
    let back = pay(&app.client, &app, &s, "P", "aucune").await;
    let resp = app.client.get(&back).send().await.unwrap();
    let outcome = resp.headers()["location"].to_str().unwrap().to_owned();
    assert_eq!(app.get(&outcome).await.status(), StatusCode::NOT_FOUND);
    assert_eq!(status_of(&app, s.attempt).await.0, "pending");
}
