//! Accessibilité: shortcuts and access keys (and turning them off), the help as a tagged
//! PDF, the accessibility statement, its report form and the staff's settings.

use reqwest::StatusCode;

use crate::helpers::*;

#[tokio::test]
async fn access_keys_follow_the_help_page_and_can_be_turned_off() {
    let app = spawn_app().await;
    app.login("abarre1", PASSWORD).await;
    let html = app.get_html(&app.client, "/accueil").await;
    assert!(html.contains("data-raccourcis=\"on\""));
    for (key, href) in [
        ("1", "/accueil"),
        ("4", "/famille"),
        ("5", "/eleves"),
        ("6", "/facturation"),
        ("0", "/accessibilite"),
        ("3", "/plan-du-site"),
    ] {
        assert!(
            html.contains(&format!("href=\"{href}\" accesskey=\"{key}\"")),
            "{key} {href}"
        );
    }
    assert!(html.contains("href=\"#contenu\" accesskey=\"2\""));
    assert!(!html.contains("<script>"), "no inline script");

    let help = app.get_html(&app.client, "/accessibilite").await;
    for text in [
        "<kbd>Ctrl</kbd> + <kbd>Maj</kbd> + <kbd>6</kbd>",
        "Facturation",
        "Ctrl + Alt correspond à AltGr",
        "NVDA (Windows)",
        "VoiceOver (macOS)",
        "Télécharger l'aide (PDF balisé, ",
        "Désactiver les raccourcis clavier",
    ] {
        assert!(help.contains(text), "{text}");
    }

    let resp = app
        .post_form(&app.client, "/accessibilite", "/raccourcis", &[])
        .await;
    assert_redirect(
        &resp,
        "/accessibilite?info=raccourcis-desactives#raccourcis",
    );
    let html = app.get_html(&app.client, "/accueil").await;
    assert!(html.contains("data-raccourcis=\"off\"") && !html.contains("accesskey="));
    let help = app
        .get_html(&app.client, "/accessibilite?info=raccourcis-desactives")
        .await;
    assert!(help.contains("Les raccourcis clavier sont désactivés sur ce navigateur."));
    app.post_form(&app.client, "/accessibilite", "/raccourcis", &[])
        .await;
    assert!(
        app.get_html(&app.client, "/accueil")
            .await
            .contains("accesskey=\"1\"")
    );

    // The static script handles Ctrl+Shift+digit by key position, never while typing.
    let js_url = {
        let end = html.find("/portee.js\"").unwrap() + "/portee.js".len();
        let start = html[..end].rfind("/static/").unwrap();
        html[start..end].to_owned()
    };
    let js = app.get(&js_url).await.text().await.unwrap();
    assert!(js.contains("Digit") && js.contains("data-raccourcis") && js.contains("TEXTAREA"));
}

#[tokio::test]
async fn the_help_downloads_as_a_tagged_pdf() {
    let app = spawn_app().await;
    let resp = app.get("/accessibilite/aide.pdf").await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(resp.headers()["content-type"], "application/pdf");
    let bytes = resp.bytes().await.unwrap();
    // The help page states the file's real size (RGAA 6.1), in kilobytes rounded up.
    let help = app.get_html(&app.client, "/accessibilite").await;
    let stated = format!(
        "Télécharger l'aide (PDF balisé, {}\u{a0}Ko)",
        bytes.len().div_ceil(1024)
    );
    assert!(help.contains(&stated), "{stated}");
    let doc = lopdf::Document::load_mem(&bytes).unwrap();
    let catalog = doc.catalog().unwrap();
    assert_eq!(catalog.get(b"Lang").unwrap().as_str().unwrap(), b"fr-FR");
    assert!(catalog.get(b"StructTreeRoot").is_ok());
    let pages: Vec<u32> = doc.get_pages().keys().copied().collect();
    let text = doc.extract_text(&pages).unwrap();
    for expected in ["Ctrl + Maj + 1", "NVDA", "mode accessible"] {
        assert!(text.contains(expected), "{expected}");
    }
    // Tagged as the page is built: its h3 are H3, its lists L › LI › Lbl + LBody; and it
    // points to no control that only the page has.
    let count = |tag: &[u8]| {
        doc.objects
            .values()
            .filter_map(|o| o.as_dict().ok())
            .filter(|d| d.get(b"S").and_then(|s| s.as_name()).ok() == Some(tag))
            .count()
    };
    assert_eq!(
        count(b"H3"),
        4,
        "« Comment ces raccourcis… » and three screen readers"
    );
    assert_eq!(count(b"L"), 6);
    assert!(count(b"LI") >= 17 && count(b"LI") == count(b"LBody") && count(b"LI") == count(b"Lbl"));
    assert!(!text.contains("ci-dessous"));
}

#[tokio::test]
async fn the_statement_follows_the_rgaa_model_and_reports_reach_the_school() {
    let app = spawn_app().await;
    // Anonymous (two schools are hosted, both without an audit): the footer gives the state
    // they share, and links to the statement.
    let html = app.get_html(&app.client, "/connexion").await;
    assert!(
        html.contains(
            "<a href=\"/accessibilite/declaration\">Accessibilité\u{a0}: non conforme</a>"
        )
    );
    let html = app
        .get_html(&app.client, "/accessibilite/declaration")
        .await;
    for text in [
        "<h1>Déclaration d'accessibilité</h1>",
        "État de conformité",
        "Contenus non accessibles",
        "Établissement de cette déclaration",
        "Technologies utilisées",
        "Environnement de test",
        "Outils pour évaluer l'accessibilité",
        "Pages du site ayant fait l'objet de la vérification",
        "dans un délai d'une semaine",
        "Défenseur des droits, Libre réponse 71120, 75342 Paris CEDEX 07",
    ] {
        assert!(html.contains(text), "{text}");
    }

    // Mistakes are named and what was typed stays.
    let resp = app
        .post_form(
            &app.client,
            "/accessibilite/declaration",
            "/accessibilite/signalement",
            &[
                ("ecole", ""),
                ("email", "pas-une-adresse"),
                ("page", "Facturation"),
                ("message", ""),
            ],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = resp.text().await.unwrap();
    for text in [
        "Choisissez votre école.",
        "Décrivez le problème rencontré.",
        "value=\"pas-une-adresse\"",
        "value=\"Facturation\"",
    ] {
        assert!(html.contains(text), "{text}");
    }
    let resp = app
        .post_form(
            &app.client,
            "/accessibilite/declaration",
            "/accessibilite/signalement",
            &[
                ("ecole", "valognes"),
                ("nom", "Léa Martin"),
                ("email", "lea.martin@example.org"),
                ("page", "Facturation"),
                (
                    "message",
                    "Le tableau des factures est lu sans ses en-têtes avec mon lecteur.",
                ),
            ],
        )
        .await;
    assert_redirect(
        &resp,
        "/accessibilite/declaration?info=signalement-envoye#signalement",
    );
    let html = app
        .get_html(
            &app.client,
            "/accessibilite/declaration?info=signalement-envoye",
        )
        .await;
    assert!(html.contains("Votre signalement est transmis à l'école"));
    let to_school = app.wait_for_mails("portail@example.org", 1).await;
    assert!(to_school.iter().any(
        |m| m.contains("Le tableau des factures est lu sans ses en-têtes")
            && m.contains("lea.martin@example.org")
    ));
}

#[tokio::test]
async fn the_report_form_mails_nothing_to_the_address_typed_in_it() {
    let app = spawn_app().await;
    // A spammer types a victim's address and an advertisement, again and again.
    for _ in 0..5 {
        let resp = app
            .post_form(
                &new_client(),
                "/accessibilite/declaration",
                "/accessibilite/signalement",
                &[
                    ("ecole", "valognes"),
                    ("email", "victime@example.net"),
                    ("message", "Gagnez 1000 euros : https://spam.example/"),
                ],
            )
            .await;
        assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    }
    app.wait_for_mails("portail@example.org", 5).await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let to_victim = app
        .mails()
        .into_iter()
        .filter(|m| m.contains("victime@example.net") && !m.contains("To: portail@example.org"))
        .count();
    assert_eq!(
        to_victim, 0,
        "only the school's address on record receives reports"
    );
    assert_eq!(
        app.count("select cast(count(*) as bigint) from mail_outbox where to_address <> 'portail@example.org'")
            .await,
        0
    );
}

#[tokio::test]
async fn staff_set_their_schools_status_and_every_footer_shows_it() {
    let app = spawn_app().await;
    let staff = new_client();
    staff_login(&app, &staff).await;
    let html = app.get_html(&staff, "/gestion").await;
    assert!(html.contains("Accessibilité\u{a0}: non conforme"));

    let resp = app
        .post_form(
            &staff,
            "/gestion/accessibilite",
            "/gestion/accessibilite",
            &[("statut", "partiellement conforme"), ("taux", "")],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = resp.text().await.unwrap();
    assert!(
        html.contains("suppose un audit : indiquez son taux.")
            && html.contains("indiquez sa date.")
    );

    let resp = app
        .post_form(
            &staff,
            "/gestion/accessibilite",
            "/gestion/accessibilite",
            &[
                ("statut", "partiellement conforme"),
                ("taux", "72"),
                ("date_audit", "15/11/2026"),
                ("auditeur", "Cabinet Exemple"),
                ("email_contact", "accessibilite@valognes.example.org"),
            ],
        )
        .await;
    assert_redirect(&resp, "/gestion/accessibilite?info=enregistre");
    // The schools now differ: a visitor is led to each school's own state.
    let visitor = new_client();
    let html = app.get_html(&visitor, "/connexion").await;
    assert!(html.contains("Accessibilité\u{a0}: voir l'état de chaque école</a>"));
    let html = app.get_html(&visitor, "/accessibilite/declaration").await;
    assert!(html.contains(
        "<a href=\"/accessibilite/declaration?ecole=valognes\">École municipale de musique de Valognes</a>\u{a0}: <strong>partiellement conforme</strong>"
    ), "{html}");
    assert!(html.contains("</a>\u{a0}: <strong>non conforme</strong>"));
    let html = app
        .get_html(&visitor, "/accessibilite/declaration?ecole=valognes")
        .await;
    assert!(html.contains("<strong>72\u{a0}%</strong>"));
    assert!(html.contains("<input type=\"hidden\" name=\"ecole\" value=\"valognes\">"));
    app.login("abarre1", PASSWORD).await;
    let html = app.get_html(&app.client, "/accueil").await;
    assert!(html.contains("Accessibilité\u{a0}: partiellement conforme"));
    let html = app
        .get_html(&app.client, "/accessibilite/declaration")
        .await;
    assert!(
        html.contains("<strong>72\u{a0}%</strong>")
            && html.contains("15/11/2026")
            && html.contains("Cabinet Exemple")
    );
    assert_eq!(
        app.get("/gestion/accessibilite").await.status(),
        StatusCode::FORBIDDEN
    );

    // Reports now go to the school's own address.
    app.post_form(
        &app.client,
        "/accessibilite/declaration",
        "/accessibilite/signalement",
        &[
            ("email", "jeremie.abarre@example.org"),
            ("message", "Le bouton Importer est trop petit."),
        ],
    )
    .await;
    let mails = app
        .wait_for_mails("accessibilite@valognes.example.org", 1)
        .await;
    assert!(mails[0].contains("Le bouton Importer est trop petit."));
}
