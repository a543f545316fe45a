//! Staff accounts and roles (`/gestion/personnel`) and the school's settings
//! (`/gestion/ecole`), on a school built for each test.

use reqwest::{Client, StatusCode};

use crate::helpers::*;
use crate::school::{TestSchool, spawn_empty_app};

async fn audit_lines(app: &TestApp, site_id: i64, action: &str) -> Vec<String> {
    sqlx::query_as::<_, (String,)>(
        "select detail from audit_log where site_id = $1 and action = $2 order by created_at, audit_id",
    )
    .bind(site_id)
    .bind(action)
    .fetch_all(&app.pool)
    .await
    .unwrap()
    .into_iter()
    .map(|(d,)| d)
    .collect()
}

async fn account_id(app: &TestApp, identifier: &str) -> i64 {
    let (id,): (i64,) = sqlx::query_as("select account_id from account where identifier = $1")
        .bind(identifier)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    id
}

async fn act(app: &TestApp, admin: &Client, id: i64, fields: &[(&str, &str)]) -> reqwest::Response {
    let page = format!("/gestion/personnel/{id}");
    app.post_form(admin, &page, &page, fields).await
}

#[tokio::test]
async fn the_secretariat_works_the_queues_and_only_administrators_reach_settings_and_staff() {
    let app = spawn_empty_app().await;
    let school = TestSchool::generate(&app).await;
    let secretary = school.add_staff(&app, "secretariat").await;
    let client = new_client();
    assert_redirect(
        &app.staff_login_as(&client, &school, &secretary).await,
        "/gestion",
    );
    let home = app.get_html(&client, "/gestion").await;
    assert!(home.contains("href=\"/gestion/comptes\""));
    assert!(!home.contains("href=\"/gestion/personnel\""));
    assert!(!home.contains("href=\"/gestion/ecole\""));
    for path in [
        "/gestion/personnel",
        "/gestion/ecole",
        "/gestion/accessibilite",
    ] {
        assert_eq!(
            app.get_with(&client, path).await.status(),
            StatusCode::FORBIDDEN,
            "{path}"
        );
    }
    for path in [
        "/gestion/comptes",
        "/gestion/reinscriptions",
        "/gestion/paiements",
        "/gestion/courriels",
    ] {
        assert_eq!(
            app.get_with(&client, path).await.status(),
            StatusCode::OK,
            "{path}"
        );
    }
    // A POST is refused the same way, and changes nothing.
    let resp = app
        .post_form(&client, "/gestion", "/gestion/ecole", &[("nom", "Piraté")])
        .await;
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    let (name,): (String,) = sqlx::query_as("select name from site where site_id = $1")
        .bind(school.site_id)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_ne!(name, "Piraté");

    let admin = new_client();
    app.school_staff_login(&admin, &school).await;
    let home = app.get_html(&admin, "/gestion").await;
    assert!(home.contains("href=\"/gestion/personnel\">Personnel</a>"));
    assert!(home.contains("href=\"/gestion/ecole\">École</a>"));
}

#[tokio::test]
async fn an_administrator_invites_staff_and_bad_input_is_named_and_kept() {
    let app = spawn_empty_app().await;
    let school = TestSchool::generate(&app).await;
    let admin = new_client();
    app.school_staff_login(&admin, &school).await;
    let html = app.get_html(&admin, "/gestion/personnel").await;
    assert!(html.contains("<h1>Personnel</h1>"));
    assert!(html.contains("1 compte de personnel, par nom"));

    let resp = app
        .post_form(
            &admin,
            "/gestion/personnel",
            "/gestion/personnel",
            &[
                ("nom", "Paul M4RTIN"),
                ("email", "paul.martin"),
                ("role", "chef"),
            ],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = resp.text().await.unwrap();
    assert!(title_of(&html).starts_with("Erreur"));
    assert!(html.contains("Le formulaire contient 3 erreurs"));
    assert!(html.contains("caractère refusé : « 4 »"));
    assert!(
        html.contains("L'adresse e-mail : « paul.martin » n'est pas une adresse e-mail valide")
    );
    assert!(html.contains("Choisissez un rôle"));
    assert!(
        html.contains("value=\"Paul M4RTIN\""),
        "what was typed is kept"
    );
    assert!(html.contains("value=\"paul.martin\""));
    assert_eq!(
        app.count("select cast(count(*) as bigint) from account where is_staff = 1")
            .await,
        1
    );

    let resp = app
        .post_form(
            &admin,
            "/gestion/personnel",
            "/gestion/personnel",
            &[
                ("nom", "Paul MARTIN"),
                ("email", "paul.martin@example.org"),
                ("role", "secretariat"),
            ],
        )
        .await;
    assert_redirect(&resp, "/gestion/personnel?info=invitation-envoyee");
    let mails = app.wait_for_mails("paul.martin@example.org", 1).await;
    assert!(mails[0].contains("Votre identifiant : paul.martin"));
    assert!(mails[0].contains("Secrétariat"));
    let html = app.get_html(&admin, "/gestion/personnel").await;
    assert!(html.contains(">Paul MARTIN</a>"));
    assert!(html.contains("Invitation en attente"));
    // The same address again is refused by name.
    let resp = app
        .post_form(
            &admin,
            "/gestion/personnel",
            "/gestion/personnel",
            &[
                ("nom", "Paul MARTIN"),
                ("email", "Paul.Martin@example.org"),
                ("role", "secretariat"),
            ],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        resp.text()
            .await
            .unwrap()
            .contains("est déjà celle du compte « paul.martin »")
    );
    // The invitation works: the secretary chooses a password and logs in.
    let path = TestApp::reset_path(&mails[0]);
    let client = new_client();
    let resp = app
        .post_form(
            &client,
            &path,
            &path,
            &[
                ("nouveau", "Secretariat2027"),
                ("confirmation", "Secretariat2027"),
            ],
        )
        .await;
    assert_redirect(&resp, "/gestion/connexion?info=mot-de-passe-choisi");
    assert_redirect(
        &app.login_at(
            &client,
            "/gestion/connexion",
            &school,
            "paul.martin",
            "Secretariat2027",
        )
        .await,
        "/gestion",
    );
    let lines = audit_lines(&app, school.site_id, "staff_invited").await;
    assert_eq!(lines, ["paul.martin (Paul MARTIN, secretariat)"]);
}

#[tokio::test]
async fn disabling_ends_sessions_at_once_and_the_last_administrator_stays() {
    let app = spawn_empty_app().await;
    let school = TestSchool::generate(&app).await;
    let secretary = school.add_staff(&app, "secretariat").await;
    let admin = new_client();
    app.school_staff_login(&admin, &school).await;
    let me = account_id(&app, &school.staff.identifier).await;
    let them = account_id(&app, &secretary.identifier).await;

    // Disabling one's own account is asked once more.
    let resp = act(&app, &admin, me, &[("action", "desactiver")]).await;
    assert_eq!(resp.status(), StatusCode::OK);
    let html = resp.text().await.unwrap();
    assert!(
        html.contains("<title>Désactiver votre compte ? – Personnel"),
        "{html}"
    );
    assert!(html.contains("Oui, désactiver mon compte"));
    // The only administrator can neither leave nor step down; the reason is told by the
    // button or the list it concerns.
    for (fields, near) in [
        (
            vec![("action", "desactiver"), ("confirmer", "oui")],
            "<p class=\"error-message\" id=\"champ-etat-erreur\">",
        ),
        (
            vec![("action", "role"), ("role", "secretariat")],
            "<p class=\"error-message\" id=\"champ-role-erreur\">",
        ),
    ] {
        let resp = act(&app, &admin, me, &fields).await;
        assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = resp.text().await.unwrap();
        assert!(html.contains("dernier administrateur actif de l'école"));
        assert!(html.contains(near), "{near}");
    }
    // What changes nothing is neither written nor audited; an active account gets no
    // invitation.
    for fields in [
        vec![("action", "reactiver")],
        vec![("action", "role"), ("role", "administrateur")],
    ] {
        assert_redirect(
            &act(&app, &admin, me, &fields).await,
            &format!("/gestion/personnel/{me}?info=inchange"),
        );
    }
    let resp = act(&app, &admin, me, &[("action", "renvoyer")]).await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        resp.text()
            .await
            .unwrap()
            .contains("Ce compte n'attend pas d'invitation")
    );
    let (role, disabled): (String, i64) =
        sqlx::query_as("select role, disabled from account where account_id = $1")
            .bind(me)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!((role.as_str(), disabled), ("administrateur", 0));

    // The secretary is working; disabling them ends their session at once.
    let desk = new_client();
    app.staff_login_as(&desk, &school, &secretary).await;
    assert_eq!(
        app.get_with(&desk, "/gestion").await.status(),
        StatusCode::OK
    );
    assert_redirect(
        &act(&app, &admin, them, &[("action", "desactiver")]).await,
        &format!("/gestion/personnel/{them}?info=compte-desactive"),
    );
    assert_redirect(&app.get_with(&desk, "/gestion").await, "/gestion/connexion");
    assert_eq!(
        app.staff_login_as(&new_client(), &school, &secretary)
            .await
            .status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let html = app
        .get_html(&admin, &format!("/gestion/personnel/{them}"))
        .await;
    assert!(html.contains("Désactivé"));
    assert!(html.contains("Réactiver le compte"));
    act(&app, &admin, them, &[("action", "reactiver")]).await;
    assert_redirect(
        &app.staff_login_as(&desk, &school, &secretary).await,
        "/gestion",
    );

    // Promoted, the secretary reaches the settings; then the first administrator may step down.
    assert_redirect(
        &act(
            &app,
            &admin,
            them,
            &[("action", "role"), ("role", "administrateur")],
        )
        .await,
        &format!("/gestion/personnel/{them}?info=role-change"),
    );
    assert_eq!(
        app.get_with(&desk, "/gestion/ecole").await.status(),
        StatusCode::OK
    );
    assert_redirect(
        &act(
            &app,
            &admin,
            me,
            &[("action", "role"), ("role", "secretariat")],
        )
        .await,
        &format!("/gestion/personnel/{me}?info=role-change"),
    );
    assert_eq!(
        app.get_with(&admin, "/gestion/personnel").await.status(),
        StatusCode::FORBIDDEN
    );
    let mut actions: Vec<String> = sqlx::query_as::<_, (String,)>(
        "select action from audit_log where site_id = $1 and action like 'staff_%'",
    )
    .bind(school.site_id)
    .fetch_all(&app.pool)
    .await
    .unwrap()
    .into_iter()
    .map(|(a,)| a)
    .collect();
    actions.sort();
    assert_eq!(
        actions,
        [
            "staff_disabled",
            "staff_enabled",
            "staff_role_changed",
            "staff_role_changed"
        ]
    );
}

#[tokio::test]
async fn another_schools_staff_are_out_of_reach() {
    let app = spawn_empty_app().await;
    let ours = TestSchool::generate(&app).await;
    let theirs = TestSchool::generate(&app).await;
    let admin = new_client();
    app.school_staff_login(&admin, &ours).await;
    let other = account_id(&app, &theirs.staff.identifier).await;
    assert_eq!(
        app.get_with(&admin, &format!("/gestion/personnel/{other}"))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    let resp = app
        .post_form(
            &admin,
            "/gestion/personnel",
            &format!("/gestion/personnel/{other}"),
            &[("action", "desactiver")],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
    assert_redirect(
        &app.school_staff_login(&new_client(), &theirs).await,
        "/gestion",
    );
    assert!(
        !app.get_html(&admin, "/gestion/personnel")
            .await
            .contains(&theirs.staff.identifier)
    );
}

#[tokio::test]
async fn the_school_settings_are_checked_audited_and_seen_by_families() {
    let app = spawn_empty_app().await;
    let school = TestSchool::generate(&app).await;
    let family = school.add_family(&app, "ROSSIGNOL").await;
    let admin = new_client();
    app.school_staff_login(&admin, &school).await;
    let html = app.get_html(&admin, "/gestion/ecole").await;
    assert!(html.contains("<h1>École</h1>"));
    assert!(html.contains("Réglage du portail (test)"));

    // Bad values: each named, what was typed kept, nothing stored.
    let bad = [
        ("nom", ""),
        ("code_postal", "5900"),
        ("telephone", "12"),
        ("email", "contact"),
        ("expediteur", "École <pirate>"),
        ("numcli", "12345"),
        ("mode", "reel"),
    ];
    let resp = app
        .post_form(&admin, "/gestion/ecole", "/gestion/ecole", &bad)
        .await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = resp.text().await.unwrap();
    assert!(html.contains("Le formulaire contient 7 erreurs"), "{html}");
    for expected in [
        "Le nom de l'école est obligatoire.",
        "Le code postal : « 5900 »",
        "Le téléphone : « 12 »",
        "L'adresse e-mail de contact : « contact »",
        "ne peut pas contenir « &lt; »",
        "« 12345 » doit compter 6 chiffres",
        "Choisissez un mode PayFiP",
    ] {
        assert!(html.contains(expected), "{expected}");
    }
    assert!(html.contains("value=\"5900\""));
    assert_eq!(
        audit_lines(&app, school.site_id, "school_setting_changed")
            .await
            .len(),
        0
    );

    let good = [
        ("nom", "Conservatoire du Nord"),
        ("adresse", "3 rue des Arts"),
        ("code_postal", "59000"),
        ("ville", "Lille"),
        ("telephone", "0320000000"),
        ("email", "contact@conservatoire-nord.example.org"),
        ("expediteur", "Conservatoire du Nord - Secretariat"),
        ("numcli", "123456"),
        ("mode", "activation"),
    ];
    assert_redirect(
        &app.post_form(&admin, "/gestion/ecole", "/gestion/ecole", &good)
            .await,
        "/gestion/ecole?info=enregistre",
    );
    let html = app.get_html(&admin, "/gestion/ecole?info=enregistre").await;
    assert!(html.contains("Les réglages de l'école sont enregistrés."));
    assert!(
        html.contains("value=\"03 20 00 00 00\""),
        "the phone as the school writes it"
    );
    assert!(html.contains("<option value=\"activation\" selected>"));
    let lines = audit_lines(&app, school.site_id, "school_setting_changed").await;
    assert_eq!(lines.len(), 9, "{lines:?}");
    assert!(lines.contains(&"payfip_mode: (vide) -> activation".to_owned()));
    assert!(lines.contains(&"city: (vide) -> Lille".to_owned()));
    // Saving the same values again changes nothing and audits nothing.
    assert_redirect(
        &app.post_form(&admin, "/gestion/ecole", "/gestion/ecole", &good)
            .await,
        "/gestion/ecole?info=inchange",
    );
    assert_eq!(
        audit_lines(&app, school.site_id, "school_setting_changed")
            .await
            .len(),
        9
    );

    // Families see it: the header and the mails, sent under the school's name.
    let parent = new_client();
    app.family_login(&parent, &school, &family.account).await;
    let home = app.get_html(&parent, "/accueil").await;
    assert!(home.contains("Conservatoire du Nord"), "the header");
    app.post_form(
        &parent,
        "/mot-de-passe",
        "/mot-de-passe",
        &[
            ("actuel", family.account.password.as_str()),
            ("nouveau", "Nouveau2027x"),
            ("confirmation", "Nouveau2027x"),
        ],
    )
    .await;
    let to = family.guardian.email.as_deref().unwrap();
    let mails = app.wait_for_mails(to, 1).await;
    let from = mails[0].lines().find(|l| l.starts_with("From: ")).unwrap();
    assert!(
        from.contains("Conservatoire du Nord - Secretariat")
            && from.contains("<portail@example.org>"),
        "{from}"
    );
    assert!(mails[0].contains("Conservatoire du Nord"));
}
