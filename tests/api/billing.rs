//! Facturation: the two ledgers, the balance, the search, the duplicates (PDF and HTML),
//! the PayFiP round trip and the staff's desk payments.

use reqwest::{Client, StatusCode};

use crate::helpers::*;

const NBSP: &str = "\u{a0}";

/// This school year's two-digit prefix of the demo's numbers (the year starts in September).
fn yy() -> String {
    let today = time::OffsetDateTime::now_utc().date();
    let year = if u8::from(today.month()) >= 9 {
        today.year()
    } else {
        today.year() - 1
    };
    format!("{:02}", year % 100)
}

fn euros(s: &str) -> String {
    format!("{s}{NBSP}€")
}

async fn entry_id(app: &TestApp, number: &str) -> i64 {
    let (id,): (i64,) =
        sqlx::query_as("select ledger_entry_id from ledger_entry where number = $1")
            .bind(number)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    id
}

/// The current unpaid invoice of the ABARRE family (312,00 € due).
async fn current_invoice(app: &TestApp) -> (String, i64) {
    let number = format!("{}FC00412", yy());
    let id = entry_id(app, &number).await;
    (number, id)
}

/// Starts an online payment and returns PayFiP's address with its query.
async fn start_payment(app: &TestApp, client: &Client, invoice: i64) -> String {
    let doc = format!("/facturation/documents/{invoice}");
    let resp = app
        .post_form(client, &doc, &format!("{doc}/payer"), &[])
        .await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    resp.headers()["location"].to_str().unwrap().to_owned()
}

fn query_of(url: &str) -> Vec<(String, String)> {
    let (_, q) = url.split_once('?').expect("a query");
    serde_urlencoded::from_str(q).unwrap()
}

fn field<'a>(q: &'a [(String, String)], k: &str) -> &'a str {
    q.iter()
        .find(|(f, _)| f == k)
        .map(|(_, v)| v.as_str())
        .unwrap_or_else(|| panic!("field {k}"))
}

/// PayFiP sends the family back with the result.
async fn payfip_returns(
    app: &TestApp,
    client: &Client,
    refdet: &str,
    montant: &str,
    resultrans: &str,
) -> reqwest::Response {
    let query = serde_urlencoded::to_string([
        ("numcli", "012345"),
        ("exer", "2026"),
        ("refdet", refdet),
        ("objet", "FACTURE"),
        ("montant", montant),
        ("mel", "jeremie.abarre@example.org"),
        ("saisie", "T"),
        ("resultrans", resultrans),
        ("numauto", "AUT123"),
        ("dattrans", "29112026"),
        ("heurtrans", "1012"),
    ])
    .unwrap();
    app.get_with(client, &format!("/facturation/paiement/retour?{query}"))
        .await
}

async fn attempt_status(app: &TestApp, refdet: &str) -> (String, Option<i64>) {
    sqlx::query_as("select status, receipt_entry_id from payment_attempt where refdet = $1")
        .bind(refdet)
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

async fn receipts_of(app: &TestApp, invoice: i64) -> i64 {
    let (n,): (i64,) = sqlx::query_as(
        "select cast(count(*) as bigint) from ledger_entry where settles_entry_id = $1",
    )
    .bind(invoice)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    n
}

#[tokio::test]
async fn both_tabs_list_operations_newest_first_under_the_balance() {
    let app = spawn_app().await;
    app.login("abarre1", PASSWORD).await;
    assert_redirect(&app.get("/facturation").await, "/facturation/cotisations");

    let html = app.get_html(&app.client, "/facturation/cotisations").await;
    assert!(title_of(&html).starts_with("Facturation cotisations"));
    assert!(html.contains(
        "<a href=\"/facturation/cotisations\" aria-current=\"page\">Facturation cotisations</a>"
    ));
    assert!(html.contains(&format!(
        "Reste à payer sur ce compte{NBSP}: <strong>{}</strong> (312 euros).",
        euros("312,00")
    )));
    let (current, _) = current_invoice(&app).await;
    let (a, b, c) = (
        html.find(&current).unwrap(),
        html.find("12RC01632").unwrap(),
        html.find("12FC01618").unwrap(),
    );
    assert!(a < b && b < c, "newest first");
    for text in [
        "<td>19/11/2012</td><td>Chèque</td>",
        "98135",
        "AVIS DES SOMMES A PAYER",
        &euros("84,00"),
        &euros("336,00"),
        &euros("24,00"),
        "Payer en ligne",
    ] {
        assert!(html.contains(text), "{text}");
    }

    let html = app.get_html(&app.client, "/facturation/locations").await;
    assert!(html.contains(&format!("<strong>{}</strong> (60 euros)", euros("60,00"))));
    assert!(html.contains(&format!("{}FL00037", yy())));
    assert!(html.contains("Espèces"));
    assert!(!html.contains("12FC01618"), "tuition stays in its tab");
    assert_eq!(
        app.get("/facturation/autre").await.status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn the_search_box_filters_operations() {
    let app = spawn_app().await;
    app.login("abarre1", PASSWORD).await;
    let html = app
        .get_html(&app.client, "/facturation/cotisations?q=98135")
        .await;
    assert!(html.contains("1 opération sur 3 pour « 98135 »."));
    assert!(html.contains("12RC01632") && !html.contains(">12FC01618<"));
    let html = app
        .get_html(&app.client, "/facturation/cotisations?q=11/10/2012")
        .await;
    assert!(html.contains("12FC01618") && !html.contains("12RC01632"));
    let html = app
        .get_html(&app.client, "/facturation/cotisations?q=84,00")
        .await;
    assert!(html.contains("2 opérations sur 3"));
    let html = app
        .get_html(&app.client, "/facturation/cotisations?q=guitare")
        .await;
    assert!(html.contains("Aucune opération ne correspond à cette recherche."));
    // The balance does not depend on the search.
    assert!(html.contains("(312 euros)"));
}

#[tokio::test]
async fn the_pdf_duplicate_is_tagged_in_french_with_embedded_fonts_and_readable_text() {
    let app = spawn_app().await;
    app.login("abarre1", PASSWORD).await;
    let (number, id) = current_invoice(&app).await;
    let resp = app
        .get(&format!("/facturation/documents/{id}/duplicata.pdf"))
        .await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(resp.headers()["content-type"], "application/pdf");
    assert!(
        resp.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains(&format!("{number}.pdf"))
    );
    let bytes = resp.bytes().await.unwrap();
    let doc = lopdf::Document::load_mem(&bytes).expect("a PDF another library can read");

    let catalog = doc.catalog().unwrap();
    assert_eq!(catalog.get(b"Lang").unwrap().as_str().unwrap(), b"fr-FR");
    let mark = doc
        .dereference(catalog.get(b"MarkInfo").unwrap())
        .unwrap()
        .1
        .as_dict()
        .unwrap();
    assert!(mark.get(b"Marked").unwrap().as_bool().unwrap());
    let prefs = doc
        .dereference(catalog.get(b"ViewerPreferences").unwrap())
        .unwrap()
        .1
        .as_dict()
        .unwrap();
    assert!(prefs.get(b"DisplayDocTitle").unwrap().as_bool().unwrap());
    assert!(catalog.get(b"StructTreeRoot").is_ok());

    // The title shown by viewers.
    let info = doc
        .trailer
        .get(b"Info")
        .and_then(|r| doc.dereference(r))
        .unwrap()
        .1
        .as_dict()
        .unwrap();
    let title = lopdf::decode_text_string(info.get(b"Title").unwrap()).unwrap();
    assert!(title.contains(&number), "{title}");

    // The structure: headings, a table with header cells that have a scope.
    let roles: Vec<Vec<u8>> = doc
        .objects
        .values()
        .filter_map(|o| o.as_dict().ok())
        .filter(|d| d.get(b"Type").and_then(|t| t.as_name()).ok() == Some(b"StructElem"))
        .map(|d| d.get(b"S").unwrap().as_name().unwrap().to_vec())
        .collect();
    for role in [&b"H1"[..], b"H2", b"P", b"Table", b"TR", b"TH", b"TD"] {
        assert!(
            roles.iter().any(|r| r == role),
            "a {} element",
            String::from_utf8_lossy(role)
        );
    }
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let compressed_structure = !text.contains("/Scope");
    assert!(!compressed_structure, "TH cells carry /Scope");

    // Every font is embedded, as a subset, with a ToUnicode map.
    let fonts: Vec<&lopdf::Dictionary> = doc
        .objects
        .values()
        .filter_map(|o| o.as_dict().ok())
        .filter(|d| d.get(b"Subtype").and_then(|t| t.as_name()).ok() == Some(b"Type0"))
        .collect();
    assert_eq!(fonts.len(), 2);
    for f in &fonts {
        assert!(f.get(b"ToUnicode").is_ok());
        assert!(f.get(b"BaseFont").unwrap().as_name().unwrap()[6] == b'+');
    }
    let descriptors = doc
        .objects
        .values()
        .filter_map(|o| o.as_dict().ok())
        .filter(|d| d.get(b"Type").and_then(|t| t.as_name()).ok() == Some(b"FontDescriptor"))
        .filter(|d| d.get(b"FontFile2").is_ok())
        .count();
    assert_eq!(descriptors, 2, "both fonts embedded");

    // The text can be extracted: the family's name and the amounts.
    let extracted = doc
        .extract_text(&[1])
        .unwrap()
        .replace(['\u{a0}', '\u{202f}'], " ");
    for expected in [
        "Monsieur ABARRE Jérémie",
        "312,00 €",
        "168,00 €",
        "Total",
        "Reste à payer",
        &number,
    ] {
        assert!(extracted.contains(expected), "{expected} in {extracted}");
    }
}

#[tokio::test]
async fn the_html_view_shows_the_same_document() {
    let app = spawn_app().await;
    app.login("abarre1", PASSWORD).await;
    let (number, id) = current_invoice(&app).await;
    let html = app
        .get_html(&app.client, &format!("/facturation/documents/{id}"))
        .await;
    assert!(html.contains(&format!("<h1>Facture n°{NBSP}{number}</h1>")));
    for text in [
        "Monsieur ABARRE Jérémie",
        "Piano 2C4 (30 min)",
        "<th scope=\"row\">Remise</th>",
        &format!(
            "<th scope=\"row\">Total</th><td></td><td class=\"num\">{}</td>",
            euros("312,00")
        ),
        "Aucun règlement reçu pour cette facture.",
        &format!("/facturation/documents/{id}/duplicata.pdf"),
        "Payer ",
    ] {
        assert!(html.contains(text), "{text}");
    }
    // The link states the duplicate's real size.
    let pdf = app
        .get(&format!("/facturation/documents/{id}/duplicata.pdf"))
        .await
        .bytes()
        .await
        .unwrap();
    let stated = format!("(PDF balisé, {}{NBSP}Ko)", pdf.len().div_ceil(1024));
    assert!(html.contains(&stated), "{stated}");
    // A receipt names the invoice it pays.
    let receipt = entry_id(&app, "12RC01632").await;
    let html = app
        .get_html(&app.client, &format!("/facturation/documents/{receipt}"))
        .await;
    assert!(html.contains(&format!("la facture n°{NBSP}12FC01618 du 11/10/2012")));
    assert!(html.contains("<dd>Chèque</dd>"));
    // The settled invoice lists its receipt and offers no payment.
    let old = entry_id(&app, "12FC01618").await;
    let html = app
        .get_html(&app.client, &format!("/facturation/documents/{old}"))
        .await;
    assert!(html.contains("Cette facture est réglée."));
    assert!(html.contains("12RC01632"));
    assert!(!html.contains("/payer"));
}

#[tokio::test]
async fn another_familys_documents_and_payments_are_not_found() {
    let app = spawn_app().await;
    let abarre = new_client();
    app.login_with(&abarre, "abarre1", PASSWORD).await;
    let (_, id) = current_invoice(&app).await;
    let url = start_payment(&app, &abarre, id).await;
    let refdet = field(&query_of(&url), "refdet").to_owned();

    app.login("torre1", PASSWORD).await;
    for path in [
        format!("/facturation/documents/{id}"),
        format!("/facturation/documents/{id}/duplicata.pdf"),
        "/facturation/documents/123".to_owned(),
        "/facturation/documents/abc".to_owned(),
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
    // Her return with the other family's reference changes nothing.
    let resp = payfip_returns(&app, &app.client, &refdet, "31200", "P").await;
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
    assert_eq!(attempt_status(&app, &refdet).await.0, "pending");
    let (attempt,): (i64,) =
        sqlx::query_as("select payment_attempt_id from payment_attempt where refdet = $1")
            .bind(&refdet)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(
        app.get(&format!("/facturation/paiements/{attempt}"))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn the_payfip_request_carries_every_field_in_its_format() {
    let app = spawn_app().await;
    app.login("abarre1", PASSWORD).await;
    let (number, id) = current_invoice(&app).await;
    let url = start_payment(&app, &app.client, id).await;
    assert!(
        url.starts_with(&format!("{BASE_URL}/payfip-demo/paiement.web?")),
        "{url}"
    );
    let q = query_of(&url);
    assert_eq!(field(&q, "numcli"), "012345");
    let exer = field(&q, "exer");
    assert!(exer.len() == 4 && exer.chars().all(|c| c.is_ascii_digit()));
    let refdet = field(&q, "refdet");
    assert!((6..=30).contains(&refdet.len()) && refdet.chars().all(|c| c.is_ascii_alphanumeric()));
    assert!(refdet.starts_with(&number));
    let objet = field(&q, "objet");
    assert!(objet.len() < 100 && objet.chars().all(|c| c.is_ascii_alphanumeric() || c == ' '));
    assert!(objet.contains(&number) && objet.contains("ABARRE"));
    assert_eq!(field(&q, "montant"), "31200");
    assert_eq!(field(&q, "mel"), "jeremie.abarre@example.org");
    assert_eq!(
        field(&q, "urlcl"),
        format!("{BASE_URL}/facturation/paiement/retour")
    );
    assert_eq!(field(&q, "saisie"), "T");
    assert_eq!(
        attempt_status(&app, refdet).await,
        ("pending".to_owned(), None)
    );

    // A second attempt gets its own reference.
    let again = start_payment(&app, &app.client, id).await;
    assert_ne!(field(&query_of(&again), "refdet"), refdet);

    // The demo's stand-in shows the request and accepts it.
    let path = url.strip_prefix(BASE_URL).unwrap();
    let html = app.get_html(&app.client, path).await;
    assert!(html.contains(&euros("312,00")) && html.contains("Payer par carte"));
    // A malformed request is refused as PayFiP would.
    let resp = app
        .get("/payfip-demo/paiement.web?numcli=12&montant=abc")
        .await;
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    assert!(
        resp.text()
            .await
            .unwrap()
            .contains("numcli doit compter 6 chiffres.")
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
        let url = start_payment(&app, &app.client, id).await;
        let refdet = field(&query_of(&url), "refdet").to_owned();
        let resp = payfip_returns(&app, &app.client, &refdet, "31200", code).await;
        assert_eq!(resp.status(), StatusCode::SEE_OTHER);
        let outcome = resp.headers()["location"].to_str().unwrap().to_owned();
        let html = app.get_html(&app.client, &outcome).await;
        assert!(html.contains(&format!("<h1>{heading}</h1>")), "{code}");
        assert_eq!(
            attempt_status(&app, &refdet).await,
            (status.to_owned(), None)
        );
    }
    assert_eq!(receipts_of(&app, id).await, 0);
    let html = app.get_html(&app.client, "/facturation/cotisations").await;
    assert!(html.contains("(312 euros)"));
}

#[tokio::test]
async fn a_paid_return_is_recorded_exactly_once_with_a_receipt_and_a_mail() {
    let app = spawn_app().await;
    app.login("abarre1", PASSWORD).await;
    let (number, id) = current_invoice(&app).await;
    let url = start_payment(&app, &app.client, id).await;
    let refdet = field(&query_of(&url), "refdet").to_owned();

    let resp = payfip_returns(&app, &app.client, &refdet, "31200", "V").await;
    let outcome = resp.headers()["location"].to_str().unwrap().to_owned();
    let html = app.get_html(&app.client, &outcome).await;
    assert!(html.contains("<h1>Paiement accepté</h1>"));
    assert!(html.contains("(autorisation AUT123)"));
    let (status, receipt) = attempt_status(&app, &refdet).await;
    assert_eq!(status, "paid");
    let receipt = receipt.expect("a receipt");
    let (mode, credit, date): (String, i64, String) = sqlx::query_as(
        "select payment_mode, credit_cents, entry_date from ledger_entry where ledger_entry_id = $1",
    )
    .bind(receipt)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(
        (mode.as_str(), credit, date.as_str()),
        ("prelevement-en-ligne", 31200, "2026-11-29")
    );

    // Replayed (same result, or another one): nothing changes.
    for code in ["V", "P", "R"] {
        let resp = payfip_returns(&app, &app.client, &refdet, "31200", code).await;
        assert_eq!(resp.headers()["location"].to_str().unwrap(), outcome);
    }
    assert_eq!(receipts_of(&app, id).await, 1);
    assert_eq!(attempt_status(&app, &refdet).await.0, "paid");

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
    assert_eq!(confirmations, 1, "one mail, whatever the replays");

    // The rental, paid by card.
    let rental = entry_id(&app, &format!("{}FL00037", yy())).await;
    let url = start_payment(&app, &app.client, rental).await;
    let q = query_of(&url);
    assert_eq!(field(&q, "montant"), "6000", "what is still due");
    let refdet = field(&q, "refdet").to_owned();
    payfip_returns(&app, &app.client, &refdet, "6000", "P").await;
    let html = app.get_html(&app.client, "/facturation/locations").await;
    assert!(html.contains("Carte en ligne") && html.contains("Ce compte est à jour"));
    // A settled invoice cannot be paid again.
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
async fn a_tampered_return_is_refused_and_records_nothing() {
    let app = spawn_app().await;
    app.login("abarre1", PASSWORD).await;
    let (_, id) = current_invoice(&app).await;
    let url = start_payment(&app, &app.client, id).await;
    let refdet = field(&query_of(&url), "refdet").to_owned();

    let resp = payfip_returns(&app, &app.client, &refdet, "100", "P").await;
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    let html = resp.text().await.unwrap();
    assert!(html.contains("ne correspond pas au paiement demandé"));
    assert!(html.contains("Rien n'a été enregistré."));
    let resp = payfip_returns(&app, &app.client, &refdet, "31200", "Z").await;
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
    let resp = payfip_returns(&app, &app.client, "ABCDEFGH12", "31200", "P").await;
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
    let resp = payfip_returns(&app, &app.client, "../../x", "31200", "P").await;
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        attempt_status(&app, &refdet).await,
        ("pending".to_owned(), None)
    );
    assert_eq!(receipts_of(&app, id).await, 0);
}

#[tokio::test]
async fn serve_has_no_payfip_stand_in_and_sends_families_to_payfip() {
    let app = spawn_app_with(Options {
        payfip_double: false,
        ..Options::default()
    })
    .await;
    app.login("abarre1", PASSWORD).await;
    let (_, id) = current_invoice(&app).await;
    let url = start_payment(&app, &app.client, id).await;
    assert!(url.starts_with("https://www.payfip.gouv.fr/tpa/paiement.web?numcli=012345&"));
    let path = format!(
        "/payfip-demo/paiement.web?{}",
        url.split_once('?').unwrap().1
    );
    assert_eq!(app.get(&path).await.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_school_without_payfip_offers_no_online_payment() {
    let app = spawn_app().await;
    sqlx::query("update site set payfip_numcli = null")
        .execute(&app.pool)
        .await
        .unwrap();
    app.login("abarre1", PASSWORD).await;
    let (_, id) = current_invoice(&app).await;
    let html = app.get_html(&app.client, "/facturation/cotisations").await;
    assert!(!html.contains("Payer en ligne"));
    let html = app
        .get_html(&app.client, &format!("/facturation/documents/{id}"))
        .await;
    assert!(!html.contains("/payer"));
    let resp = app
        .post_form(
            &app.client,
            "/facturation/cotisations",
            &format!("/facturation/documents/{id}/payer"),
            &[],
        )
        .await;
    assert_redirect(&resp, &format!("/facturation/documents/{id}"));
    assert_eq!(
        app.count("select cast(count(*) as bigint) from payment_attempt")
            .await,
        0
    );
}

#[tokio::test]
async fn staff_record_a_desk_payment_and_see_online_payments() {
    let app = spawn_app().await;
    let family = new_client();
    app.login_with(&family, "abarre1", PASSWORD).await;
    let (number, id) = current_invoice(&app).await;
    start_payment(&app, &family, id).await;

    let staff = new_client();
    staff_login(&app, &staff).await;
    let html = app.get_html(&staff, "/gestion/paiements").await;
    assert!(html.contains("En attente du retour de PayFiP"));
    assert!(html.contains(&euros("312,00")));

    // Mistakes are named, and what was typed stays.
    let resp = app
        .post_form(
            &staff,
            "/gestion/paiements",
            "/gestion/paiements",
            &[
                ("facture", "26FC99999"),
                ("montant", "douze"),
                ("mode", ""),
                ("date", "31/02/2026"),
                ("reference", "chèque 1234"),
            ],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = resp.text().await.unwrap();
    assert!(title_of(&html).starts_with("Erreur"));
    for text in [
        "Aucune facture n° 26FC99999 dans votre école",
        "« douze » n'est pas un montant.",
        "Choisissez le mode de règlement.",
        "« 31/02/2026 » n'existe pas dans le calendrier.",
        "value=\"douze\"",
        "value=\"chèque 1234\"",
    ] {
        assert!(html.contains(text), "{text}");
    }
    let resp = app
        .post_form(
            &staff,
            "/gestion/paiements",
            "/gestion/paiements",
            &[
                ("facture", &number),
                ("montant", "400"),
                ("mode", "cheque"),
                ("date", "28/11/2026"),
            ],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        resp.text()
            .await
            .unwrap()
            .contains("dépasse le reste à payer")
    );

    let resp = app
        .post_form(
            &staff,
            "/gestion/paiements",
            "/gestion/paiements",
            &[
                ("facture", &number.to_lowercase()),
                ("montant", "100,00"),
                ("mode", "cheque"),
                ("date", "28/11/2026"),
                ("reference", "1234567"),
            ],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let location = resp.headers()["location"].to_str().unwrap().to_owned();
    assert!(
        location.starts_with("/gestion/paiements?recu=26RC"),
        "{location}"
    );
    let html = app.get_html(&staff, &location).await;
    assert!(html.contains("Le règlement est enregistré sous le n° 26RC"));

    let html = app.get_html(&family, "/facturation/cotisations").await;
    assert!(html.contains("(212 euros)"));
    assert!(html.contains("<td>28/11/2026</td><td>Chèque</td>"));
    assert!(html.contains("1234567"));
    assert_eq!(
        app.count(
            "select cast(count(*) as bigint) from audit_log where action = 'payment_recorded'"
        )
        .await,
        1
    );

    // Families never reach the staff page.
    assert_eq!(
        app.get_with(&family, "/gestion/paiements").await.status(),
        StatusCode::FORBIDDEN
    );
}
