//! Réinscription: the tab, the choice, uploads (and every refusal), submission once,
//! the staff's decisions with their mails, and other families kept out.

use reqwest::multipart::{Form, Part};
use reqwest::{Client, StatusCode};

use crate::helpers::*;

const PROOF_OF_ADDRESS: i64 = 950_011;
pub const PHOTO: i64 = 950_013;

fn pdf_bytes() -> Vec<u8> {
    portee::domain::pdf_check::sample("", &[])
}

pub fn png_bytes() -> Vec<u8> {
    [
        b"\x89PNG\r\n\x1a\n".as_slice(),
        b"\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89",
        b"\0\0\0\0IEND\xaeB`\x82",
    ]
    .concat()
}

pub async fn irina(app: &TestApp) -> i64 {
    app.login("abarre1", PASSWORD).await;
    app.person_id("Irina").await
}

pub fn page_of(pid: i64) -> String {
    format!("/eleves/{pid}/reinscription")
}

pub async fn choose(
    app: &TestApp,
    client: &Client,
    pid: i64,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    app.post_form(
        client,
        &page_of(pid),
        &format!("{}/choix", page_of(pid)),
        fields,
    )
    .await
}

pub async fn upload(
    app: &TestApp,
    client: &Client,
    pid: i64,
    document: i64,
    name: &str,
    bytes: Vec<u8>,
) -> reqwest::Response {
    let html = app.get_html(client, &page_of(pid)).await;
    let token = csrf_of(&html);
    let form = Form::new()
        .text("document", document.to_string())
        .part("fichier", Part::bytes(bytes).file_name(name.to_owned()));
    client
        .post(app.url(&format!("{}/documents?csrf_token={token}", page_of(pid))))
        .multipart(form)
        .send()
        .await
        .unwrap()
}

async fn provided(app: &TestApp, document: i64) -> Vec<(i64, String, String, i64)> {
    sqlx::query_as(
        "select provided_document_id, file_name, content_type, size_bytes from provided_document \
         where campaign_document_id = $1 \
         and family_id = (select family_id from person where first_name = 'Irina') order by uploaded_at",
    )
    .bind(document)
    .fetch_all(&app.pool)
    .await
    .unwrap()
}

#[tokio::test]
async fn the_tab_exists_only_while_a_campaign_is_open() {
    let app = spawn_app().await;
    let pid = irina(&app).await;
    let html = app
        .get_html(&app.client, &format!("/eleves/{pid}/identite"))
        .await;
    assert!(html.contains(&format!("href=\"/eleves/{pid}/reinscription\"")));
    let html = app.get_html(&app.client, &page_of(pid)).await;
    assert!(html.contains("aria-current=\"page\">Réinscription</a>"));
    for text in [
        "Réinscription administrative",
        "FM 2C4",
        "Piano 2C4",
        "Justificatif de domicile",
        "Photo d'identité",
        "facture-electricite.pdf",
        "Fourni",
        "À fournir",
    ] {
        assert!(html.contains(text), "{text}");
    }

    sqlx::query("update reenrolment_campaign set closes_on = '2000-01-01'")
        .execute(&app.pool)
        .await
        .unwrap();
    // The tab follows the school's campaign on the next page.
    let html = app
        .get_html(&app.client, &format!("/eleves/{pid}/identite"))
        .await;
    assert!(!html.contains("/reinscription"));
    assert_eq!(app.get(&page_of(pid)).await.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_choice_comes_before_any_document() {
    let app = spawn_app().await;
    let pid = irina(&app).await;
    let html = app.get_html(&app.client, &page_of(pid)).await;
    assert!(html.contains("Cochez d'abord un choix de réinscription"));
    let resp = upload(&app, &app.client, pid, PHOTO, "photo.png", png_bytes()).await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = resp.text().await.unwrap();
    assert!(title_of(&html).starts_with("Erreur"));
    assert!(html.contains("un document ne peut être importé qu'après"));
    assert!(provided(&app, PHOTO).await.is_empty());

    // An empty choice is refused by name.
    let resp = choose(&app, &app.client, pid, &[]).await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        resp.text()
            .await
            .unwrap()
            .contains("Cochez la réinscription administrative ou au moins un cours.")
    );
}

#[tokio::test]
async fn each_bad_upload_is_refused_with_its_reason_and_nothing_is_stored() {
    let app = spawn_app().await;
    let pid = irina(&app).await;
    let course: (i64,) = sqlx::query_as(
        "select r.course_record_id from course_record r join course c on c.course_id = r.course_id \
         where r.person_id = $1 and c.name = 'Piano 2C4'",
    )
    .bind(pid)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    let resp = choose(&app, &app.client, pid, &[("cours", &course.0.to_string())]).await;
    assert_redirect(&resp, &format!("{}?info=choix-enregistre", page_of(pid)));

    let big = {
        let mut b = pdf_bytes();
        b.resize(2_500_000, b' ');
        b
    };
    let mut text_as_pdf = b"Ceci est un texte, pas un PDF.".to_vec();
    text_as_pdf.extend_from_slice(b"\n%%EOF");
    for (name, bytes, message) in [
        (
            "gros.pdf",
            big,
            "Le fichier fait 2,4 Mo ; la taille maximale est 2 Mo.",
        ),
        ("vide.pdf", Vec::new(), "Le fichier est vide."),
        (
            "faux.pdf",
            text_as_pdf,
            "Ce fichier n'est pas une image JPEG ou PNG ni un PDF.",
        ),
    ] {
        let resp = upload(&app, &app.client, pid, PHOTO, name, bytes).await;
        assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY, "{name}");
        let html = resp.text().await.unwrap();
        assert!(
            html.contains(message),
            "{name}: {message}\n{}",
            main_of(&html)
        );
        // The rest of the page is still there, the document picked is kept.
        assert!(
            html.contains(&format!("<option value=\"{PHOTO}\" selected>")),
            "{name}"
        );
        assert!(html.contains("Piano 2C4"));
    }
    assert!(provided(&app, PHOTO).await.is_empty());

    // A hostile name is reduced to its last part; the content decides the type.
    let resp = upload(
        &app,
        &app.client,
        pid,
        PHOTO,
        "../../etc/photo.png",
        png_bytes(),
    )
    .await;
    assert_redirect(&resp, &format!("{}?info=document-importe", page_of(pid)));
    let rows = provided(&app, PHOTO).await;
    assert_eq!(rows.len(), 1);
    assert_eq!(
        (rows[0].1.as_str(), rows[0].2.as_str()),
        ("photo.png", "image/png")
    );
}

#[tokio::test]
async fn a_document_can_be_consulted_replaced_and_removed() {
    let app = spawn_app().await;
    let pid = irina(&app).await;
    choose(&app, &app.client, pid, &[("administrative", "1")]).await;
    upload(&app, &app.client, pid, PHOTO, "photo.png", png_bytes()).await;
    let resp = upload(&app, &app.client, pid, PHOTO, "photo-2.pdf", pdf_bytes()).await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let rows = provided(&app, PHOTO).await;
    assert_eq!(rows.len(), 1, "replaced, not added");
    assert_eq!(rows[0].1, "photo-2.pdf");
    let id = rows[0].0;

    let html = app.get_html(&app.client, &page_of(pid)).await;
    assert!(html.contains("photo-2.pdf") && has_cells(&html, "documents-legende", &["0,00"]));
    let resp = app.get(&format!("{}/documents/{id}", page_of(pid))).await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(resp.headers()["content-type"], "application/pdf");
    assert!(
        resp.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment;")
    );
    assert_eq!(resp.headers()["x-content-type-options"], "nosniff");
    assert_eq!(
        resp.headers()["content-security-policy"],
        "sandbox; default-src 'none'"
    );
    assert_eq!(resp.bytes().await.unwrap().to_vec(), pdf_bytes());

    let resp = app
        .post_form(
            &app.client,
            &page_of(pid),
            &format!("{}/documents/{id}/supprimer", page_of(pid)),
            &[],
        )
        .await;
    assert_redirect(&resp, &format!("{}?info=document-supprime", page_of(pid)));
    assert!(provided(&app, PHOTO).await.is_empty());
}

#[tokio::test]
async fn a_request_is_submitted_once_and_mailed() {
    let app = spawn_app().await;
    let pid = irina(&app).await;
    choose(&app, &app.client, pid, &[("administrative", "1")]).await;

    // Required documents are named when missing; the comment typed stays.
    let resp = app
        .post_form(
            &app.client,
            &page_of(pid),
            &format!("{}/valider", page_of(pid)),
            &[("commentaire", "Horaire du mercredi SVP")],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = resp.text().await.unwrap();
    assert!(html.contains("Document obligatoire manquant : Photo d'identité."));
    assert!(html.contains("Horaire du mercredi SVP</textarea>"));

    upload(&app, &app.client, pid, PHOTO, "photo.png", png_bytes()).await;
    // A double click: two submits with the same page's token, at once.
    let html = app.get_html(&app.client, &page_of(pid)).await;
    let token = csrf_of(&html);
    let send = || {
        app.client
            .post(app.url(&format!("{}/valider", page_of(pid))))
            .form(&[
                ("csrf_token", token.as_str()),
                ("commentaire", "Horaire du mercredi SVP"),
            ])
            .send()
    };
    let (a, b) = tokio::join!(send(), send());
    let mut locations = vec![
        a.unwrap().headers()["location"]
            .to_str()
            .unwrap()
            .to_owned(),
        b.unwrap().headers()["location"]
            .to_str()
            .unwrap()
            .to_owned(),
    ];
    locations.sort();
    assert!(
        locations.iter().any(|l| l.ends_with("info=envoyee")),
        "{locations:?}"
    );
    assert_eq!(
        app.count(
            "select cast(count(*) as bigint) from reenrolment_request where status = 'submitted' and request_id <> 950031"
        )
        .await,
        1
    );
    let html = app
        .get_html(&app.client, &format!("{}?info=envoyee", page_of(pid)))
        .await;
    assert!(html.contains("Votre demande de réinscription est enregistrée."));
    assert!(html.contains("Réinscription en attente de validation"));
    let mails = app.wait_for_mails("jeremie.abarre@example.org", 1).await;
    assert!(
        mails
            .iter()
            .any(|m| m.contains("Votre demande de réinscription de ABARRE Irina"))
    );
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(
        app.mails()
            .iter()
            .filter(|m| m.contains("Votre demande de réinscription"))
            .count(),
        1,
        "one confirmation"
    );
    // Once sent, the choice cannot change.
    let resp = choose(&app, &app.client, pid, &[]).await;
    assert_redirect(&resp, &format!("{}?info=deja-envoyee", page_of(pid)));
}

/// Irina's administrative re-enrolment, with her photo, sent by the family (`app.client`,
/// logged in) with `comment`: her person id and the request's.
pub async fn submitted_administrative(app: &TestApp, comment: &str) -> (i64, i64) {
    let pid = irina(app).await;
    choose(app, &app.client, pid, &[("administrative", "1")]).await;
    upload(app, &app.client, pid, PHOTO, "photo.png", png_bytes()).await;
    app.post_form(
        &app.client,
        &page_of(pid),
        &format!("{}/valider", page_of(pid)),
        &[("commentaire", comment)],
    )
    .await;
    let (request,): (i64,) =
        sqlx::query_as("select request_id from reenrolment_request where person_id = $1")
            .bind(pid)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    (pid, request)
}

#[tokio::test]
async fn staff_decide_documents_and_requests_and_the_family_is_told() {
    let app = spawn_app().await;
    let (pid, request) = submitted_administrative(&app, "Merci").await;

    let staff = new_client();
    staff_login(&app, &staff).await;
    let html = app.get_html(&staff, "/gestion/reinscriptions").await;
    assert!(html.contains("ABARRE Irina") && html.contains("Réinscription administrative"));
    let detail = format!("/gestion/reinscriptions/{request}");
    let html = app.get_html(&staff, &detail).await;
    assert!(
        html.contains("Merci")
            && html.contains("photo.png")
            && html.contains("facture-electricite.pdf")
    );

    let photo = provided(&app, PHOTO).await[0].0;
    let resp = app
        .get_with(
            &staff,
            &format!("/gestion/reinscriptions/documents/{photo}"),
        )
        .await;
    assert_eq!(resp.headers()["content-type"], "image/png");

    let resp = app
        .post_form(
            &staff,
            &detail,
            &format!("{detail}/documents/{photo}"),
            &[("decision", "refuser"), ("motif", "Photo floue")],
        )
        .await;
    assert_redirect(&resp, &format!("{detail}?info=document-decide"));
    let mails = app.wait_for_mails("jeremie.abarre@example.org", 2).await;
    assert!(
        mails
            .iter()
            .any(|m| m.contains("Photo d'identité") && m.contains("Photo floue"))
    );
    let html = app.get_html(&app.client, &page_of(pid)).await;
    assert!(html.contains("Refusé\u{a0}: Photo floue"));

    // Refusing a request needs a reason; accepting it closes it and mails the family.
    let resp = app
        .post_form(
            &staff,
            &detail,
            &format!("{detail}/decision"),
            &[("decision", "refuser"), ("motif", "")],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        resp.text()
            .await
            .unwrap()
            .contains("Écrivez le motif du refus")
    );
    let resp = app
        .post_form(
            &staff,
            &detail,
            &format!("{detail}/decision"),
            &[("decision", "accepter")],
        )
        .await;
    assert_redirect(&resp, &format!("{detail}?info=demande-decidee"));
    let mails = app.wait_for_mails("jeremie.abarre@example.org", 3).await;
    assert!(mails.iter().any(
        |m| m.contains("La réinscription de ABARRE Irina pour l'année")
            && m.contains("est acceptée")
    ));
    let html = app.get_html(&app.client, &page_of(pid)).await;
    assert!(html.contains("Réinscription acceptée"));
    assert_eq!(
        app.count(
            "select cast(count(*) as bigint) from audit_log where action = 'reenrolment_accepted'"
        )
        .await,
        1
    );
    // Families never reach the staff pages.
    assert_eq!(app.get(&detail).await.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn another_familys_documents_are_not_found() {
    let app = spawn_app().await;
    let pid = irina(&app).await;
    let abarre_file = 950_021;
    assert_eq!(
        app.get(&format!("{}/documents/{abarre_file}", page_of(pid)))
            .await
            .status(),
        StatusCode::OK
    );
    let other = new_client();
    app.login_with(&other, "torre1", PASSWORD).await;
    let amelia = app.person_id("Amélia").await;
    for path in [
        format!("/eleves/{amelia}/reinscription/documents/{abarre_file}"),
        format!("{}/documents/{abarre_file}", page_of(pid)),
        page_of(pid),
    ] {
        assert_eq!(
            app.get_with(&other, &path).await.status(),
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
    let resp = app
        .post_form(
            &other,
            &page_of(amelia),
            &format!("/eleves/{amelia}/reinscription/documents/{abarre_file}/supprimer"),
            &[],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
    assert_eq!(provided(&app, PROOF_OF_ADDRESS).await.len(), 1);
    // An upload without the page's token is refused before its body is read.
    let resp = other
        .post(app.url(&format!("/eleves/{amelia}/reinscription/documents")))
        .multipart(Form::new().part("fichier", Part::bytes(pdf_bytes()).file_name("x.pdf")))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn hostile_pdfs_images_and_names_that_passed_before_are_refused_or_defused() {
    use portee::domain::pdf_check::{deflated_stream, sample};
    let app = spawn_app().await;
    let pid = irina(&app).await;
    choose(&app, &app.client, pid, &[("administrative", "1")]).await;
    let action = "JavaScript ou une action automatique";
    let bomb = portee::domain::pdf_check::bomb("/Type /ObjStm /N 1 /First 4", 300);
    let mut png_with_page = png_bytes();
    let iend = png_with_page.len() - 12;
    png_with_page.splice(
        iend..iend,
        std::iter::repeat_n(0x42u8, 6000).chain(b"<html><script>alert(1)</script>".iter().copied()),
    );
    for (what, bytes, message) in [
        (
            "/J#61vaScript",
            sample(
                "/OpenAction 4 0 R",
                &[b"<< /S /J#61vaScript /JS (app.alert(1)) >>".to_vec()],
            ),
            action,
        ),
        (
            "a hex-encoded /JS",
            sample("/Names 4 0 R", &[b"<< /#4A#53 (app.alert(1)) >>".to_vec()]),
            action,
        ),
        (
            "JavaScript in a compressed object stream",
            sample(
                "/OpenAction 5 0 R",
                &[deflated_stream(
                    "/Type /ObjStm /N 1 /First 4",
                    b"5 0 << /S /JavaScript /JS (app.alert(1)) >>",
                )],
            ),
            action,
        ),
        (
            "/Launch",
            sample(
                "/OpenAction 4 0 R",
                &[b"<< /S /Launch /F (cmd.exe) >>".to_vec()],
            ),
            action,
        ),
        (
            "an /OpenAction action",
            sample(
                "/OpenAction 4 0 R",
                &[b"<< /S /URI /URI (https://evil.example/) >>".to_vec()],
            ),
            action,
        ),
        (
            "a compression bomb",
            sample("", &[bomb]),
            "données compressées démesurées",
        ),
        (
            "HTML after the first 4 KB",
            png_with_page,
            "page web ou script",
        ),
    ] {
        let resp = upload(
            &app,
            &app.client,
            pid,
            PROOF_OF_ADDRESS,
            "justificatif.pdf",
            bytes,
        )
        .await;
        assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY, "{what}");
        let html = resp.text().await.unwrap();
        assert!(html.contains(message), "{what}: {}", main_of(&html));
    }
    // Names: the extension is the detected type's, and bidi overrides go.
    for (name, bytes, stored, kind) in [
        (
            "invoice.html",
            pdf_bytes(),
            "invoice.pdf",
            "application/pdf",
        ),
        (
            "facture\u{202E}gpj.exe",
            png_bytes(),
            "facturegpj.png",
            "image/png",
        ),
    ] {
        let resp = upload(&app, &app.client, pid, PHOTO, name, bytes).await;
        assert_eq!(resp.status(), StatusCode::SEE_OTHER, "{name}");
        let rows = provided(&app, PHOTO).await;
        assert_eq!(
            (rows[0].1.as_str(), rows[0].2.as_str()),
            (stored, kind),
            "{name}"
        );
    }
}

#[tokio::test]
async fn files_are_frozen_once_the_reenrolment_is_sent_except_those_staff_refuse() {
    let app = spawn_app().await;
    let pid = irina(&app).await;
    choose(&app, &app.client, pid, &[("administrative", "1")]).await;
    upload(&app, &app.client, pid, PHOTO, "photo.png", png_bytes()).await;
    // Every required document, then « Valider ».
    upload(
        &app,
        &app.client,
        pid,
        PROOF_OF_ADDRESS,
        "domicile.pdf",
        pdf_bytes(),
    )
    .await;
    let required: Vec<(i64,)> = sqlx::query_as(
        "select campaign_document_id from campaign_document where required = 1 and campaign_document_id not in ($1, $2)",
    )
    .bind(PHOTO)
    .bind(PROOF_OF_ADDRESS)
    .fetch_all(&app.pool)
    .await
    .unwrap();
    for (doc,) in required {
        upload(&app, &app.client, pid, doc, "piece.pdf", pdf_bytes()).await;
    }
    let resp = app
        .post_form(
            &app.client,
            &page_of(pid),
            &format!("{}/valider", page_of(pid)),
            &[("commentaire", "")],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let photo = provided(&app, PHOTO).await[0].0;
    // Replacing or removing a sent file: refused.
    let resp = upload(&app, &app.client, pid, PHOTO, "autre.png", png_bytes()).await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        resp.text()
            .await
            .unwrap()
            .contains("ne peut plus être changé")
    );
    let resp = app
        .post_form(
            &app.client,
            &page_of(pid),
            &format!("{}/documents/{photo}/supprimer", page_of(pid)),
            &[],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
    assert_eq!(provided(&app, PHOTO).await[0].1, "photo.png");
    let html = app.get_html(&app.client, &page_of(pid)).await;
    assert!(!html.contains("/supprimer\""), "no removal offered");
    // Staff refuse the photo: that one can be sent again.
    sqlx::query("update provided_document set status = 'refused', refusal_reason = 'Floue' where provided_document_id = $1")
        .bind(photo)
        .execute(&app.pool)
        .await
        .unwrap();
    let resp = upload(&app, &app.client, pid, PHOTO, "nette.png", png_bytes()).await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    assert_eq!(provided(&app, PHOTO).await[0].1, "nette.png");
}

#[tokio::test]
async fn staff_add_a_document_and_change_the_campaign_on_either_engine() {
    // On PostgreSQL this failed once the demo had seeded its campaign through the same
    // statement with other integer types (a prepared statement keeps its parameter types).
    let app = spawn_app().await;
    let staff = new_client();
    staff_login(&app, &staff).await;
    let resp = app
        .post_form(
            &staff,
            "/gestion/reinscriptions",
            "/gestion/reinscriptions/documents",
            &[
                ("nom", "Attestation d'assurance"),
                ("pour", "famille"),
                ("obligatoire", "1"),
            ],
        )
        .await;
    assert_redirect(&resp, "/gestion/reinscriptions?info=document-ajoute");
    let html = app.get_html(&staff, "/gestion/reinscriptions").await;
    assert!(
        html.contains("Attestation d&#39;assurance") || html.contains("Attestation d'assurance")
    );
    let resp = app
        .post_form(
            &staff,
            "/gestion/reinscriptions",
            "/gestion/reinscriptions/campagne",
            &[
                ("annee", "2027/2028"),
                ("ouverture", "01/12/2026"),
                ("fermeture", "31/12/2026"),
            ],
        )
        .await;
    assert!(!resp.status().is_server_error(), "{}", resp.status());
}
