use reqwest::StatusCode;

use crate::helpers::*;

/// Monsieur ABARRE's record as the demo stores it, as the form shows it.
pub const JEREMIE: &[(&str, &str)] = &[
    ("civility", "M"),
    ("last_name", "ABARRE"),
    ("first_name", "Jérémie"),
    ("address", "19 rue de Paris"),
    ("postal_code", "45000"),
    ("city", "ORLÉANS"),
    ("country", ""),
    ("phone_home", "02 38 55 02 38"),
    ("phone_mobile", ""),
    ("phone_work", "06 01 02 03 04"),
    ("email", "jeremie.abarre@example.org"),
    ("family_situation", "marie"),
    ("socio_professional", "agriculteur"),
    ("profession", "Apiculteur"),
    ("phone_extra1", ""),
    ("phone_extra2", ""),
    ("phone_extra3", ""),
];

/// `base` with some fields replaced.
pub fn with<'a>(
    base: &[(&'a str, &'a str)],
    changes: &[(&'a str, &'a str)],
) -> Vec<(&'a str, &'a str)> {
    base.iter()
        .map(|(k, v)| {
            (
                *k,
                changes
                    .iter()
                    .find(|(ck, _)| ck == k)
                    .map(|(_, cv)| *cv)
                    .unwrap_or(*v),
            )
        })
        .collect()
}

async fn stored_mobile(app: &TestApp) -> Option<String> {
    let (v,): (Option<String>,) =
        sqlx::query_as("select phone_mobile from person where first_name = 'Jérémie'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    v
}

#[tokio::test]
async fn the_family_record_shows_every_field_of_the_manual() {
    let app = spawn_app().await;
    app.login("abarre1", PASSWORD).await;
    let html = app.get_html(&app.client, "/famille").await;
    for label in [
        "Civilité",
        "Nom",
        "Prénom",
        "Adresse",
        "Code postal",
        "Ville",
        "Téléphone domicile",
        "Téléphone mobile",
        "Téléphone professionnel",
        "E-mail",
        "Situation familiale",
        "Catégorie socio-professionnelle",
        "Profession",
        "Téléphone supplémentaire 1",
        "Téléphone supplémentaire 2",
        "Téléphone supplémentaire 3",
    ] {
        assert!(html.contains(&format!(">{label}")), "{label}");
    }
    assert!(html.contains("value=\"02 38 55 02 38\""));
    assert!(html.contains("<option value=\"marie\" selected>Marié(e)</option>"));
    assert!(
        html.contains("<option value=\"agriculteur\" selected>Agriculteur exploitant</option>")
    );
    assert!(html.contains(">Modifier</button>"));
    assert!(html.contains("href=\"/famille\" accesskey=\"4\" aria-current=\"page\">Famille</a>"));
}

#[tokio::test]
async fn a_corrected_phone_waits_for_staff_and_is_acknowledged_by_mail() {
    let app = spawn_app().await;
    app.login("abarre1", PASSWORD).await;
    let resp = app
        .post_record(
            &app.client,
            "/famille",
            &with(JEREMIE, &[("phone_mobile", "06.11.22.33.44")]),
        )
        .await;
    assert_redirect(&resp, "/famille?info=demande-enregistree");
    let html = app
        .get_html(&app.client, "/famille?info=demande-enregistree")
        .await;
    assert!(html.contains("Votre demande de modification est enregistrée"));
    assert!(html.contains("Modification en attente de validation"));
    assert!(html.contains("Valeur enregistrée\u{a0}: « (non renseigné) »"));
    assert!(
        html.contains("value=\"06 11 22 33 44\""),
        "the pending value is shown in the field"
    );
    assert!(html.contains("aria-describedby=\"champ-phone_mobile-aide champ-phone_mobile-note\""));
    assert!(html.contains(
        "Cette fiche est en attente de validation par le personnel administratif (1 modification)."
    ));
    // The record itself has not changed.
    assert_eq!(stored_mobile(&app).await, None);
    let mail = app
        .wait_for_mails("jeremie.abarre@example.org", 1)
        .await
        .remove(0);
    assert!(
        mail.contains("- Téléphone mobile : (non renseigné) → 06 11 22 33 44"),
        "{mail}"
    );
    assert!(mail.contains("après validation par le personnel administratif"));
}

#[tokio::test]
async fn a_newer_value_replaces_a_pending_one_and_the_history_keeps_both() {
    let app = spawn_app().await;
    app.login("abarre1", PASSWORD).await;
    app.post_record(
        &app.client,
        "/famille",
        &with(JEREMIE, &[("phone_mobile", "0611223344")]),
    )
    .await;
    app.post_record(
        &app.client,
        "/famille",
        &with(JEREMIE, &[("phone_mobile", "0622334455")]),
    )
    .await;
    let items: Vec<(String, String)> = sqlx::query_as("select new_value, status from change_item where new_value in ('+33611223344', '+33622334455') order by status desc")
        .fetch_all(&app.pool)
        .await
        .unwrap();
    assert_eq!(
        items,
        vec![
            ("+33611223344".into(), "superseded".into()),
            ("+33622334455".into(), "pending".into())
        ]
    );
    assert_eq!(app.count("select cast(count(*) as bigint) from change_request where status = 'pending' and requested_by in (select account_id from account where identifier = 'abarre1')").await, 1);
    // Typing the value on record again withdraws the change.
    app.post_record(&app.client, "/famille", JEREMIE).await;
    let html = app.get_html(&app.client, "/famille").await;
    assert!(!html.contains("Modification en attente de validation"));
    assert_eq!(
        app.count("select cast(count(*) as bigint) from change_item where status = 'withdrawn'")
            .await,
        1
    );
}

#[tokio::test]
async fn nothing_is_saved_when_nothing_changed() {
    let app = spawn_app().await;
    app.login("abarre1", PASSWORD).await;
    let before = app
        .count("select cast(count(*) as bigint) from change_request")
        .await;
    let resp = app.post_record(&app.client, "/famille", JEREMIE).await;
    assert_eq!(resp.status(), StatusCode::OK);
    let html = resp.text().await.unwrap();
    assert!(html.contains("Aucune modification n'a été enregistrée"));
    assert_eq!(
        app.count("select cast(count(*) as bigint) from change_request")
            .await,
        before
    );
    // Spelling a number differently is no change either.
    let resp = app
        .post_record(
            &app.client,
            "/famille",
            &with(JEREMIE, &[("phone_home", "+33 2 38 55 02 38")]),
        )
        .await;
    assert!(
        resp.text()
            .await
            .unwrap()
            .contains("Aucune modification n'a été enregistrée")
    );
}

#[tokio::test]
async fn a_double_click_makes_one_request() {
    let app = spawn_app().await;
    app.login("abarre1", PASSWORD).await;
    let html = app.get_html(&app.client, "/famille").await;
    let (token, key) = (csrf_of(&html), form_key_of(&html));
    let fields = with(JEREMIE, &[("profession", "Apicultrice")]);
    let first = app
        .post_record_with_key(&app.client, "/famille", &fields, &token, &key)
        .await;
    let second = app
        .post_record_with_key(&app.client, "/famille", &fields, &token, &key)
        .await;
    assert_redirect(&first, "/famille?info=demande-enregistree");
    assert_redirect(&second, "/famille?info=demande-enregistree");
    assert_eq!(
        app.count("select cast(count(*) as bigint) from change_item where field = 'profession'")
            .await,
        1
    );
    app.wait_for_mails("jeremie.abarre@example.org", 1).await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(app.mails().len(), 1);
}

#[tokio::test]
async fn each_rule_has_its_own_message_and_what_was_typed_stays() {
    let app = spawn_app().await;
    app.login("abarre1", PASSWORD).await;
    let bad = with(
        JEREMIE,
        &[
            ("phone_home", "02 38 55"),
            ("postal_code", "4500"),
            ("email", "jeremie@"),
            ("last_name", "R2D2"),
            ("city", "Orléans<"),
            ("family_situation", "autre"),
            ("first_name", ""),
            ("phone_extra1", "+33 1"),
        ],
    );
    let resp = app.post_record(&app.client, "/famille", &bad).await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = resp.text().await.unwrap();
    assert!(title_of(&html).starts_with("Erreur\u{a0}: Famille"));
    assert!(html.contains("Le formulaire contient 8 erreurs"));
    // Each message starts with its field's label: in the summary, each link names its field.
    for message in [
        "Téléphone domicile\u{a0}: « 02 38 55 » n'est pas un numéro de téléphone valide",
        "Code postal\u{a0}: « 4500 » n'est pas un code postal français : saisissez 5 chiffres",
        "E-mail\u{a0}: « jeremie@ » n'est pas une adresse e-mail valide",
        "Nom\u{a0}: le nom ne peut contenir que des lettres, des espaces, des tirets et des apostrophes (caractère refusé : « 2 »)",
        "Ville\u{a0}: ",
        "caractère refusé : « &lt; »",
        "Situation familiale\u{a0}: choisissez la situation familiale dans la liste.",
        "Prénom\u{a0}: saisissez le prénom.",
        "Téléphone supplémentaire 1\u{a0}: « +33 1 » n'est pas un numéro de téléphone valide",
    ] {
        assert!(html.contains(message), "{message}");
    }
    let summary = html
        .split_once("class=\"error-summary\"")
        .and_then(|(_, rest)| rest.split_once("</ul>"))
        .map(|(s, _)| s)
        .unwrap();
    assert!(
        summary.contains("<a href=\"#champ-phone_home\">Téléphone domicile\u{a0}: « 02 38 55 »")
    );
    assert!(
        summary.contains(
            "<a href=\"#champ-phone_extra1\">Téléphone supplémentaire 1\u{a0}: « +33 1 »"
        )
    );
    for typed in [
        "value=\"02 38 55\"",
        "value=\"4500\"",
        "value=\"jeremie@\"",
        "value=\"R2D2\"",
        "value=\"Orléans&lt;\"",
    ] {
        assert!(html.contains(typed), "{typed} is shown back");
    }
    assert!(html.contains("<a href=\"#champ-postal_code\">"));
    assert_eq!(
        app.count("select cast(count(*) as bigint) from change_item where field <> 'phone_mobile'")
            .await,
        0
    );
}

#[tokio::test]
async fn an_address_abroad_needs_its_country() {
    let app = spawn_app().await;
    app.login("abarre1", PASSWORD).await;
    let abroad = with(JEREMIE, &[("postal_code", "1000"), ("city", "Bruxelles")]);
    let html = app
        .post_record(&app.client, "/famille", &abroad)
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("Pour une adresse à l'étranger, indiquez d'abord le pays."));
    let abroad = with(
        JEREMIE,
        &[
            ("postal_code", "1000"),
            ("city", "Bruxelles"),
            ("country", "Belgique"),
        ],
    );
    assert_redirect(
        &app.post_record(&app.client, "/famille", &abroad).await,
        "/famille?info=demande-enregistree",
    );
}

fn irina(changes: &[(&'static str, &'static str)]) -> Vec<(&'static str, &'static str)> {
    let base: &[(&str, &str)] = &[
        ("civility", "MME"),
        ("last_name", "ABARRE"),
        ("first_name", "Irina"),
        ("birth_date", "12/03/2000"),
        ("birth_place", "Orléans"),
        ("family_situation", ""),
        ("use_guardian_contact", "1"),
        ("email", ""),
        ("emergency_contact", ""),
        ("emergency_phone", ""),
        ("image_rights", "1"),
        ("exit_authorisation", "1"),
    ];
    with(base, changes)
}

#[tokio::test]
async fn a_students_identity_is_corrected_the_same_way() {
    let app = spawn_app().await;
    let id = app.person_id("Irina").await;
    let path = format!("/eleves/{id}/identite");
    app.login("abarre1", PASSWORD).await;
    let html = app.get_html(&app.client, &path).await;
    for label in [
        "Date de naissance",
        "Lieu de naissance",
        "Personne à prévenir",
        "Téléphone en cas d'urgence",
    ] {
        assert!(html.contains(label), "{label}");
    }
    // Radio groups in a fieldset with a legend.
    assert!(html.contains("<legend>Droit à l'image</legend>"));
    assert!(html.contains("<legend>Autorisation de sortie</legend>"));
    // Contact details are the guardian's: shown, not asked.
    assert!(html.contains("name=\"use_guardian_contact\" value=\"1\" checked"));
    assert!(html.contains("Coordonnées du responsable légal (ABARRE Jérémie)"));
    assert!(!html.contains("name=\"address\""));

    // Nothing changed (the browser's date format is the same date).
    let resp = app
        .post_record(&app.client, &path, &irina(&[("birth_date", "2000-03-12")]))
        .await;
    assert!(
        resp.text()
            .await
            .unwrap()
            .contains("Aucune modification n'a été enregistrée")
    );

    let resp = app
        .post_record(&app.client, &path, &irina(&[("birth_date", "31/02/2009")]))
        .await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        resp.text()
            .await
            .unwrap()
            .contains("« 31/02/2009 » n'existe pas dans le calendrier.")
    );

    let resp = app
        .post_record(
            &app.client,
            &path,
            &irina(&[
                ("exit_authorisation", "0"),
                ("emergency_contact", "Marie-Hélène D'Arcy"),
                ("emergency_phone", "06 12 34 56 78"),
            ]),
        )
        .await;
    assert_redirect(&resp, &format!("{path}?info=demande-enregistree"));
    let html = app.get_html(&app.client, &path).await;
    assert_eq!(
        html.matches("Modification en attente de validation")
            .count(),
        3
    );
    assert!(html.contains("Valeur enregistrée\u{a0}: « Oui »"));
    let (exit,): (Option<String>,) =
        sqlx::query_as("select exit_authorisation from person where person_id = $1")
            .bind(id)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(exit.as_deref(), Some("1"), "unchanged until staff accept");
    let mail = app
        .wait_for_mails("jeremie.abarre@example.org", 1)
        .await
        .remove(0);
    assert!(mail.contains("la fiche de ABARRE Irina"));
    assert!(mail.contains("- Autorisation de sortie : Oui → Non"));
}

#[tokio::test]
async fn unticking_the_guardians_contact_asks_the_students_own() {
    let app = spawn_app().await;
    let id = app.person_id("Hugo").await;
    let path = format!("/eleves/{id}/identite");
    app.login("abarre1", PASSWORD).await;
    let fields = [
        ("civility", "M"),
        ("last_name", "ABARRE"),
        ("first_name", "Hugo"),
        ("birth_date", "05/09/2013"),
        ("birth_place", "Orléans"),
        ("image_rights", "1"),
        ("exit_authorisation", "0"),
    ];
    assert_redirect(
        &app.post_record(&app.client, &path, &fields).await,
        &format!("{path}?info=demande-enregistree"),
    );
    let html = app.get_html(&app.client, &path).await;
    assert!(
        html.contains("name=\"address\""),
        "the student's own address is now asked"
    );
    assert!(html.contains("Valeur enregistrée\u{a0}: « Oui »"));
}

#[tokio::test]
async fn an_adult_student_is_not_offered_her_own_guardians_contact() {
    let app = spawn_app().await;
    let id = app.person_id("Amélia").await;
    app.login("torre1", PASSWORD).await;
    let html = app
        .get_html(&app.client, &format!("/eleves/{id}/identite"))
        .await;
    assert!(!html.contains("use_guardian_contact"));
    assert!(html.contains("value=\"06 06 06 06 06\""));
    assert!(html.contains("value=\"14/06/2006\""));
    // The first radio carries the field's id: the error summary's link leads to it.
    assert!(html.contains("id=\"champ-image_rights\" name=\"image_rights\" value=\"1\" checked"));
    assert!(html.contains(
        "id=\"champ-exit_authorisation-0\" name=\"exit_authorisation\" value=\"0\" checked"
    ));
}
