//! Facturation: the two ledgers, the balance, the search, the duplicates (PDF and HTML),
//! the PayFiP round trip and the staff's desk payments.

use reqwest::StatusCode;

use crate::helpers::*;
use crate::payfip::start_payment;

const NBSP: &str = "\u{a0}";

/// This school year's two-digit prefix of the demo's numbers (the year starts in September).
pub fn yy() -> String {
    let today = time::OffsetDateTime::now_utc().date();
    let year = if u8::from(today.month()) >= 9 {
        today.year()
    } else {
        today.year() - 1
    };
    format!("{:02}", year % 100)
}

pub fn euros(s: &str) -> String {
    format!("{s}{NBSP}€")
}

pub async fn entry_id(app: &TestApp, number: &str) -> i64 {
    let (id,): (i64,) =
        sqlx::query_as("select ledger_entry_id from ledger_entry where number = $1")
            .bind(number)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    id
}

/// The current unpaid invoice of the ABARRE family (312,00 € due).
pub async fn current_invoice(app: &TestApp) -> (String, i64) {
    let number = format!("{}FC00412", yy());
    let id = entry_id(app, &number).await;
    (number, id)
}

pub async fn receipts_of(app: &TestApp, invoice: i64) -> i64 {
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
    assert!(has_cells(
        &html,
        "operations-legende",
        &["19/11/2012", "Chèque"]
    ));
    for text in [
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
        "Aucun règlement reçu pour cette facture.",
        &format!("/facturation/documents/{id}/duplicata.pdf"),
        "Payer ",
    ] {
        assert!(html.contains(text), "{text}");
    }
    // The foot: the discount and the total, each row headed by its name.
    assert!(has_row(&html, "lignes-legende", &["Remise"]));
    assert!(
        has_row(&html, "lignes-legende", &["Total", "", &euros("312,00")]),
        "{:?}",
        table_rows(&html, "lignes-legende")
    );
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
    assert!(html.contains("En attente du résultat de PayFiP"));
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
    assert!(has_cells(
        &html,
        "operations-legende",
        &["28/11/2026", "Chèque"]
    ));
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

#[tokio::test]
async fn a_duplicate_shows_the_schools_details_as_staff_last_set_them() {
    let app = spawn_app().await;
    let staff = new_client();
    staff_login(&app, &staff).await;
    let settings = [
        ("nom", "Conservatoire de Valognes"),
        ("adresse", "12 place du Château"),
        ("code_postal", "50700"),
        ("ville", "Valognes"),
        ("telephone", "0233950000"),
        ("email", "contact@valognes.example.org"),
        ("expediteur", "Conservatoire de Valognes"),
        ("numcli", "123456"),
        ("mode", "test"),
    ];
    assert_redirect(
        &app.post_form(&staff, "/gestion/ecole", "/gestion/ecole", &settings)
            .await,
        "/gestion/ecole?info=enregistre",
    );
    app.login("abarre1", PASSWORD).await;
    let (_, id) = current_invoice(&app).await;
    let expected = [
        "Conservatoire de Valognes",
        "12 place du Château",
        "50700 Valognes",
        "02 33 95 00 00",
    ];
    let html = app
        .get_html(&app.client, &format!("/facturation/documents/{id}"))
        .await;
    for text in expected {
        assert!(html.contains(text), "{text} on the HTML duplicate");
    }
    let bytes = app
        .get(&format!("/facturation/documents/{id}/duplicata.pdf"))
        .await
        .bytes()
        .await
        .unwrap();
    let doc = lopdf::Document::load_mem(&bytes).unwrap();
    let text = doc
        .extract_text(&[1])
        .unwrap()
        .replace(['\u{a0}', '\u{202f}'], " ");
    for t in expected {
        assert!(text.contains(t), "{t} in the PDF: {text}");
    }
}
