use reqwest::StatusCode;

use crate::helpers::*;

async fn staff(app: &TestApp) -> reqwest::Client {
    let client = new_client();
    staff_login(app, &client).await;
    client
}

/// A second guardian in the ABARRE family, without an account yet.
async fn add_guardian(app: &TestApp, email: Option<&str>) -> i64 {
    let id = portee::db::new_id();
    sqlx::query(
        "insert into person (person_id, site_id, family_id, civility, last_name, first_name, email, is_guardian, is_student, created_at, updated_at) \
         select $1, site_id, family_id, 'MME', 'ABARRE', 'Marie', $2, 1, 0, 0, 0 from person where first_name = 'Jérémie'",
    )
    .bind(id)
    .bind(email)
    .execute(&app.pool)
    .await
    .unwrap();
    id
}

/// Presses one of the accounts table's buttons (`inviter:ID`, `desactiver:ID`…).
async fn press(app: &TestApp, client: &reqwest::Client, action: &str) -> reqwest::Response {
    app.post_form(
        client,
        "/gestion/comptes",
        "/gestion/comptes",
        &[("action", action)],
    )
    .await
}

#[tokio::test]
async fn staff_invite_a_guardian_who_then_chooses_a_password() {
    let app = spawn_app().await;
    let marie = add_guardian(&app, Some("marie.abarre@example.org")).await;
    let staff = staff(&app).await;
    let html = app.get_html(&staff, "/gestion/comptes").await;
    assert!(has_row(
        &html,
        "comptes-legende",
        &["ABARRE Marie", "—", "Pas de compte", "Jamais"]
    ));
    assert!(has_row(
        &html,
        "comptes-legende",
        &["ABARRE Jérémie", "abarre1", "Actif"]
    ));
    let resp = press(&app, &staff, &format!("inviter:{marie}")).await;
    assert_redirect(&resp, "/gestion/comptes?info=invitation-envoyee");
    let html = app
        .get_html(&staff, "/gestion/comptes?info=invitation-envoyee")
        .await;
    assert!(has_row(
        &html,
        "comptes-legende",
        &["ABARRE Marie", "abarre2", "Invitation en attente"]
    ));

    let mail = app
        .wait_for_mails("marie.abarre@example.org", 1)
        .await
        .remove(0);
    assert!(mail.contains("Votre identifiant : abarre2"));
    let path = TestApp::reset_path(&mail);
    let family = new_client();
    let form = app.get_html(&family, &path).await;
    let token = csrf_of(&form);
    let resp = family
        .post(app.url(&path))
        .form(&[
            ("csrf_token", token.as_str()),
            ("nouveau", "Premiere2026"),
            ("confirmation", "Premiere2026"),
        ])
        .send()
        .await
        .unwrap();
    assert_redirect(&resp, "/connexion?info=mot-de-passe-choisi");
    assert_redirect(
        &app.login_with(&family, "abarre2", "Premiere2026").await,
        "/accueil",
    );
    assert!(
        app.get_html(&family, "/accueil")
            .await
            .contains("Bonjour Madame ABARRE Marie")
    );
    // Inviting twice is refused.
    let resp = press(&app, &staff, &format!("inviter:{marie}")).await;
    assert_redirect(&resp, "/gestion/comptes?info=deja-un-compte");
}

#[tokio::test]
async fn a_guardian_without_an_email_cannot_be_invited() {
    let app = spawn_app().await;
    let marie = add_guardian(&app, None).await;
    let staff = staff(&app).await;
    let resp = press(&app, &staff, &format!("inviter:{marie}")).await;
    assert_redirect(&resp, "/gestion/comptes?info=sans-email");
    assert!(
        app.get_html(&staff, "/gestion/comptes?info=sans-email")
            .await
            .contains("n'a pas d'adresse e-mail")
    );
    assert_eq!(
        app.count("select cast(count(*) as bigint) from account where identifier = 'abarre2'")
            .await,
        0
    );
}

#[tokio::test]
async fn a_disabled_account_is_logged_out_at_once_and_can_be_enabled_again() {
    let app = spawn_app().await;
    assert_redirect(&app.login("torre1", PASSWORD).await, "/accueil");
    let staff = staff(&app).await;
    let html = app.get_html(&staff, "/gestion/comptes").await;
    assert!(has_row(
        &html,
        "comptes-legende",
        &["TORRE Amélia", "torre1", "Actif"]
    ));
    assert!(
        !has_row(
            &html,
            "comptes-legende",
            &["TORRE Amélia", "torre1", "Actif", "Jamais"]
        ),
        "the last login is shown"
    );
    let (torre,): (i64,) =
        sqlx::query_as("select account_id from account where identifier = 'torre1'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert!(html.contains(&format!(
        "value=\"desactiver:{torre}\">Désactiver<span class=\"visually-hidden\"> – TORRE Amélia</span>"
    )));
    assert_redirect(
        &press(&app, &staff, &format!("desactiver:{torre}")).await,
        "/gestion/comptes?info=compte-desactive",
    );
    assert_redirect(&app.get("/accueil").await, "/connexion");
    assert_eq!(
        app.login_with(&new_client(), "torre1", PASSWORD)
            .await
            .status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let html = app.get_html(&staff, "/gestion/comptes").await;
    assert!(has_cells(
        &html,
        "comptes-legende",
        &["torre1", "Désactivé"]
    ));
    assert_redirect(
        &press(&app, &staff, &format!("reactiver:{torre}")).await,
        "/gestion/comptes?info=compte-reactive",
    );
    assert_redirect(
        &app.login_with(&new_client(), "torre1", PASSWORD).await,
        "/accueil",
    );
    let (actions,): (i64,) = sqlx::query_as("select cast(count(*) as bigint) from audit_log where action in ('account_disabled', 'account_enabled')")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(actions, 2);
}

#[tokio::test]
async fn families_never_manage_accounts() {
    let app = spawn_app().await;
    app.login("abarre1", PASSWORD).await;
    assert_eq!(
        app.get("/gestion/comptes").await.status(),
        StatusCode::FORBIDDEN
    );
    let (torre,): (i64,) =
        sqlx::query_as("select account_id from account where identifier = 'torre1'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    let resp = app
        .post_form(
            &app.client,
            "/accueil",
            "/gestion/comptes",
            &[("action", &format!("desactiver:{torre}"))],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        app.count("select cast(count(*) as bigint) from account where disabled = 1")
            .await,
        0
    );
}

#[tokio::test]
async fn the_cli_invites_a_guardian_by_email() {
    let app = spawn_app().await;
    add_guardian(&app, Some("marie.abarre@example.org")).await;
    let db = app.settings.database_url.0.clone();
    let mail_dir = app.mail_dir.clone();
    let out = tokio::task::spawn_blocking(move || {
        std::process::Command::new(env!("CARGO_BIN_EXE_portee"))
            .args([
                "accounts",
                "invite",
                "--site",
                "valognes",
                "--email",
                "Marie.Abarre@example.org",
            ])
            .env("PORTEE_DATABASE_URL", db)
            .env("PORTEE_MAIL_DIR", mail_dir)
            .env("PORTEE_BASE_URL", BASE_URL)
            .env_remove("PORTEE_SMTP_URL")
            .output()
            .unwrap()
    })
    .await
    .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        String::from_utf8_lossy(&out.stdout).contains("Account abarre2 created; invitation sent.")
    );
    let mail = app
        .wait_for_mails("marie.abarre@example.org", 1)
        .await
        .remove(0);
    assert!(mail.contains("Votre identifiant : abarre2"));
    assert!(TestApp::reset_path(&mail).starts_with("/reinitialisation?jeton="));
}

#[tokio::test]
async fn staff_find_a_guardian_by_name_identifier_or_email() {
    let app = spawn_app().await;
    let staff = staff(&app).await;
    let html = app.get_html(&staff, "/gestion/comptes").await;
    assert!(
        html.contains("46 responsables."),
        "{}",
        &html[html.find("result-count").unwrap()..][..80]
    );
    let html = app.get_html(&staff, "/gestion/comptes?q=Torre").await;
    assert!(html.contains("1 sur 46 pour « Torre »."));
    assert!(has_row(&html, "comptes-legende", &["TORRE Amélia"]));
    assert!(!html.contains("ABARRE Jérémie"));
    let html = app
        .get_html(&staff, "/gestion/comptes?q=jeremie.abarre%40example.org")
        .await;
    assert!(has_row(&html, "comptes-legende", &["ABARRE Jérémie"]));
    let html = app.get_html(&staff, "/gestion/comptes?q=personne").await;
    assert!(html.contains("Aucun responsable ne correspond à cette recherche."));
}
