use reqwest::{Client, StatusCode};

use crate::helpers::*;
use crate::records::{JEREMIE, with};
use crate::school::TestSchool;

/// The pending request of Monsieur ABARRE.
async fn abarre_request(app: &TestApp) -> i64 {
    let (id,): (i64,) = sqlx::query_as(
        "select r.change_request_id from change_request r join person p on p.person_id = r.person_id \
         where p.first_name = 'Jérémie' and r.status = 'pending'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    id
}

async fn decide(
    app: &TestApp,
    staff: &Client,
    id: i64,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    app.post_form(
        staff,
        &format!("/gestion/demandes/{id}"),
        &format!("/gestion/demandes/{id}/decision"),
        fields,
    )
    .await
}

async fn jeremie(app: &TestApp) -> (Option<String>, Option<String>) {
    sqlx::query_as("select phone_mobile, profession from person where first_name = 'Jérémie'")
        .fetch_one(&app.pool)
        .await
        .unwrap()
}

#[tokio::test]
async fn staff_have_their_own_login_and_families_never_reach_gestion() {
    let app = spawn_app().await;
    assert_redirect(&app.get("/gestion").await, "/gestion/connexion");
    // The family login refuses a staff account, and the other way round, with the usual message.
    let resp = app.login("admin", PASSWORD).await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        resp.text()
            .await
            .unwrap()
            .contains("Identifiant ou mot de passe incorrect.")
    );
    let resp = app
        .post_form(
            &app.client,
            "/gestion/connexion",
            "/gestion/connexion",
            &[
                ("site", "valognes"),
                ("identifiant", "abarre1"),
                ("mot_de_passe", PASSWORD),
            ],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);

    app.login("abarre1", PASSWORD).await;
    let id = abarre_request_or_demo(&app).await;
    for path in ["/gestion".to_owned(), format!("/gestion/demandes/{id}")] {
        let resp = app.get(&path).await;
        assert_eq!(resp.status(), StatusCode::FORBIDDEN, "{path}");
        assert!(resp.text().await.unwrap().contains("Accès refusé"));
    }
    let resp = decide(&app, &app.client, id, &[("accepter", "phone_mobile")]).await;
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);

    let staff = new_client();
    staff_login(&app, &staff).await;
    let html = app.get_html(&staff, "/gestion").await;
    assert!(html.contains("<h1>Demandes de modification</h1>"));
    assert!(
        html.contains("1 demande en attente"),
        "the demo's pending change"
    );
    // Staff pages are not the family's.
    assert_redirect(&app.get_with(&staff, "/accueil").await, "/gestion");
}

/// The demo's own pending request (a generated family's new mobile number).
async fn abarre_request_or_demo(app: &TestApp) -> i64 {
    let (id,): (i64,) = sqlx::query_as("select change_request_id from change_request where status = 'pending' order by created_at limit 1")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    id
}

#[tokio::test]
async fn staff_accept_a_change_and_the_family_is_told() {
    let app = spawn_app().await;
    app.login("abarre1", PASSWORD).await;
    app.post_record(
        &app.client,
        "/famille",
        &with(JEREMIE, &[("phone_mobile", "0611223344")]),
    )
    .await;
    let staff = new_client();
    staff_login(&app, &staff).await;
    let id = abarre_request(&app).await;
    let queue = app.get_html(&staff, "/gestion").await;
    assert!(queue.contains("2 demandes en attente, la plus ancienne en premier"));
    let demo_first = queue.find("/gestion/demandes/").unwrap();
    assert!(
        queue[demo_first..].contains(&format!("/gestion/demandes/{id}\">ABARRE Jérémie</a>")),
        "oldest first"
    );
    let html = app
        .get_html(&staff, &format!("/gestion/demandes/{id}"))
        .await;
    assert!(html.contains("id=\"accepter-phone_mobile-champ\""));
    assert!(has_cells(
        &html,
        "champs-legende",
        &["Téléphone mobile", "(non renseigné)", "06 11 22 33 44"]
    ));
    assert!(html.contains("<strong>06 11 22 33 44</strong>"));
    assert!(html.contains("Demandée par <strong>abarre1</strong>"));

    let resp = decide(
        &app,
        &staff,
        id,
        &[
            ("accepter", "phone_mobile"),
            ("motif", ""),
            ("decision", "accepter"),
        ],
    )
    .await;
    assert_redirect(&resp, "/gestion?info=decision-enregistree");
    assert_eq!(jeremie(&app).await.0.as_deref(), Some("+33611223344"));
    let html = app.get_html(&app.client, "/famille").await;
    assert!(!html.contains("Modification en attente"));
    assert!(html.contains("value=\"06 11 22 33 44\""));
    let mails = app.wait_for_mails("jeremie.abarre@example.org", 2).await;
    let outcome = mails
        .iter()
        .find(|m| m.contains("a été examinée"))
        .expect("the outcome mail");
    assert!(
        outcome.contains(
            "Modifications acceptées et enregistrées :\n- Téléphone mobile : 06 11 22 33 44"
        ),
        "{outcome}"
    );
    let (detail,): (String,) =
        sqlx::query_as("select detail from audit_log where action = 'change_decided'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert!(detail.contains("accepted") && detail.contains("phone_mobile"));
    // Decided requests leave the queue and cannot be decided twice.
    assert_eq!(
        app.get_with(&staff, &format!("/gestion/demandes/{id}"))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn staff_accept_some_fields_and_give_a_reason_for_the_others() {
    let app = spawn_app().await;
    app.login("abarre1", PASSWORD).await;
    app.post_record(
        &app.client,
        "/famille",
        &with(
            JEREMIE,
            &[
                ("phone_mobile", "0611223344"),
                ("profession", "Apicultrice"),
            ],
        ),
    )
    .await;
    let staff = new_client();
    staff_login(&app, &staff).await;
    let id = abarre_request(&app).await;
    // Refusing a field needs a reason.
    let resp = decide(
        &app,
        &staff,
        id,
        &[
            ("accepter", "phone_mobile"),
            ("motif", ""),
            ("decision", "accepter"),
        ],
    )
    .await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = resp.text().await.unwrap();
    assert!(html.contains("Indiquez le motif du refus des champs non cochés"));
    assert!(html.contains("name=\"accepter\" value=\"phone_mobile\" checked"));
    assert!(
        !html.contains("name=\"accepter\" value=\"profession\" checked"),
        "the unticked box stays unticked"
    );
    assert_eq!(jeremie(&app).await, (None, Some("Apiculteur".into())));

    let resp = decide(
        &app,
        &staff,
        id,
        &[
            ("accepter", "phone_mobile"),
            ("motif", "Profession inchangée selon notre dossier."),
            ("decision", "accepter"),
        ],
    )
    .await;
    assert_redirect(&resp, "/gestion?info=decision-enregistree");
    assert_eq!(
        jeremie(&app).await,
        (Some("+33611223344".into()), Some("Apiculteur".into()))
    );
    let mails = app.wait_for_mails("jeremie.abarre@example.org", 2).await;
    let outcome = mails
        .iter()
        .find(|m| m.contains("a été examinée"))
        .expect("the outcome mail");
    assert!(
        outcome.contains("Modifications refusées :\n- Profession : Apicultrice"),
        "{outcome}"
    );
    assert!(
        outcome.contains("Motif indiqué par l'école : Profession inchangée selon notre dossier.")
    );
    let (status,): (String,) =
        sqlx::query_as("select status from change_request where change_request_id = $1")
            .bind(id)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(status, "partly_accepted");
}

#[tokio::test]
async fn staff_refuse_a_request_with_a_reason_and_nothing_is_applied() {
    let app = spawn_app().await;
    app.login("abarre1", PASSWORD).await;
    app.post_record(
        &app.client,
        "/famille",
        &with(JEREMIE, &[("phone_mobile", "0611223344")]),
    )
    .await;
    let staff = new_client();
    staff_login(&app, &staff).await;
    let id = abarre_request(&app).await;
    let resp = decide(
        &app,
        &staff,
        id,
        &[
            ("accepter", "phone_mobile"),
            ("motif", ""),
            ("decision", "refuser"),
        ],
    )
    .await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        resp.text()
            .await
            .unwrap()
            .contains("Indiquez le motif du refus : il est envoyé à la famille.")
    );
    let resp = decide(
        &app,
        &staff,
        id,
        &[
            ("accepter", "phone_mobile"),
            ("motif", "Numéro à confirmer au secrétariat."),
            ("decision", "refuser"),
        ],
    )
    .await;
    assert_redirect(&resp, "/gestion?info=decision-enregistree");
    assert_eq!(jeremie(&app).await.0, None);
    let mails = app.wait_for_mails("jeremie.abarre@example.org", 2).await;
    let outcome = mails
        .iter()
        .find(|m| m.contains("a été examinée"))
        .expect("the outcome mail");
    assert!(outcome.contains("Modifications refusées :\n- Téléphone mobile : 06 11 22 33 44"));
    assert!(outcome.contains("Numéro à confirmer au secrétariat."));
    // The family sees the field free again.
    assert!(
        !app.get_html(&app.client, "/famille")
            .await
            .contains("Modification en attente")
    );
}

#[tokio::test]
async fn staff_see_only_their_own_schools_requests() {
    let app = crate::school::spawn_empty_app().await;
    let ours = TestSchool::generate(&app).await;
    let theirs = TestSchool::generate(&app).await;
    let family = theirs.add_family(&app, "ROSSIGNOL").await;
    let browser = new_client();
    assert_redirect(
        &app.family_login(&browser, &theirs, &family.account).await,
        "/accueil",
    );
    let html = app.get_html(&browser, "/famille").await;
    for (name, value) in [
        ("address", "12 rue des Tilleuls"),
        ("postal_code", "45000"),
        ("city", "ORLÉANS"),
    ] {
        assert!(
            html.contains(&format!("name=\"{name}\" type=\"text\" value=\"{value}\"")),
            "{name}"
        );
    }
    let guardian = &family.guardian;
    let fields = [
        ("civility", "MME"),
        ("last_name", guardian.last_name.as_str()),
        ("first_name", guardian.first_name.as_str()),
        ("address", "12 rue des Tilleuls"),
        ("postal_code", "45000"),
        ("city", "ORLÉANS"),
        ("email", guardian.email.as_deref().unwrap()),
        ("profession", "Luthier"),
    ];
    assert_redirect(
        &app.post_record(&browser, "/famille", &fields).await,
        "/famille?info=demande-enregistree",
    );
    let (other,): (i64,) =
        sqlx::query_as("select change_request_id from change_request where site_id = $1")
            .bind(theirs.site_id)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    // Their own staff see it: the request is there to be seen.
    let their_staff = new_client();
    assert_redirect(
        &app.school_staff_login(&their_staff, &theirs).await,
        "/gestion",
    );
    assert!(
        app.get_html(&their_staff, "/gestion")
            .await
            .contains(&format!("/gestion/demandes/{other}"))
    );
    // Another school's staff never reach it, by list, page or decision.
    let staff = new_client();
    assert_redirect(&app.school_staff_login(&staff, &ours).await, "/gestion");
    assert!(
        !app.get_html(&staff, "/gestion")
            .await
            .contains(&other.to_string())
    );
    assert_eq!(
        app.get_with(&staff, &format!("/gestion/demandes/{other}"))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    let resp = decide(&app, &staff, other, &[("accepter", "profession")]).await;
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
    let (status,): (String,) =
        sqlx::query_as("select status from change_request where change_request_id = $1")
            .bind(other)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(status, "pending");
}
