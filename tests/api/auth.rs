use reqwest::StatusCode;

use crate::helpers::*;

#[tokio::test]
async fn the_login_page_offers_the_schools_and_the_help_links() {
    let app = spawn_app().await;
    let resp = app.get("/connexion").await;
    assert_eq!(resp.status(), StatusCode::OK);
    let html = resp.text().await.unwrap();
    assert!(html.contains("<html lang=\"fr\""));
    assert!(html.contains("<select id=\"champ-site\" name=\"site\""));
    assert!(html.contains("École municipale de musique de Valognes"));
    assert!(html.contains("Conservatoire 1"));
    assert!(html.contains("name=\"identifiant\""));
    assert!(html.contains("name=\"mot_de_passe\""));
    assert!(html.contains(">Se connecter</button>"));
    assert!(html.contains("href=\"/mot-de-passe-perdu\""));
    assert!(html.contains("Aide – Accessibilité"));
    assert_eq!(title_of(&html), "Connexion – Portail famille");
}

#[tokio::test]
async fn a_family_logs_in_and_is_greeted_with_its_students() {
    let app = spawn_app().await;
    let resp = app.login("abarre1", PASSWORD).await;
    assert_redirect(&resp, "/accueil");
    let html = app.get_html(&app.client, "/accueil").await;
    assert!(
        html.contains("<h1>Bonjour Monsieur ABARRE Jérémie</h1>"),
        "{html}"
    );
    assert!(html.contains(">ABARRE Irina</a>"));
    assert!(html.contains(">ABARRE Hugo</a>"));
    assert_eq!(
        title_of(&html),
        "Accueil – Portail famille – École municipale de musique de Valognes"
    );
    // The menu in the manual's order, with the current page marked.
    let menu: Vec<usize> = [
        "Accueil",
        "Élèves",
        "Accessibilité",
        "Mot de passe",
        "Déconnexion",
    ]
    .iter()
    .map(|l| {
        html.find(&format!(">{l}<"))
            .unwrap_or_else(|| panic!("menu entry {l}"))
    })
    .collect();
    assert!(menu.windows(2).all(|w| w[0] < w[1]), "menu order {menu:?}");
    assert!(html.contains("href=\"/accueil\" accesskey=\"1\" aria-current=\"page\""));
}

#[tokio::test]
async fn identifiers_are_matched_without_regard_to_case_or_spaces() {
    let app = spawn_app().await;
    let resp = app.login("  ABARRE1 ", PASSWORD).await;
    assert_redirect(&resp, "/accueil");
}

#[tokio::test]
async fn a_wrong_password_and_an_unknown_identifier_get_the_same_answer() {
    let app = spawn_app().await;
    let wrong = app.login("abarre1", "Mauvais2026").await;
    assert_eq!(wrong.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let wrong = main_of(&wrong.text().await.unwrap());
    let unknown = app.login("personne9", "Mauvais2026").await;
    assert_eq!(unknown.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let unknown = main_of(&unknown.text().await.unwrap());
    assert!(wrong.contains("Identifiant ou mot de passe incorrect."));
    // Only the echoed identifier differs.
    assert_eq!(
        wrong.replace("value=\"abarre1\"", "value=\"X\""),
        unknown.replace("value=\"personne9\"", "value=\"X\"")
    );
    // Nothing about an account was revealed and nobody is logged in.
    assert_redirect(&app.get("/accueil").await, "/connexion");
}

#[tokio::test]
async fn empty_fields_are_each_named_and_what_was_typed_is_kept() {
    let app = spawn_app().await;
    let resp = app
        .post_form(
            &app.client,
            "/connexion",
            "/connexion",
            &[
                ("site", ""),
                ("identifiant", "abarre1"),
                ("mot_de_passe", ""),
            ],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = resp.text().await.unwrap();
    assert!(
        title_of(&html).starts_with("Erreur\u{a0}: Connexion"),
        "{}",
        title_of(&html)
    );
    assert!(html.contains("Le formulaire contient 2 erreurs"));
    assert!(html.contains("<a href=\"#champ-site\">Choisissez votre école dans la liste.</a>"));
    assert!(html.contains("<a href=\"#champ-mot_de_passe\">Saisissez votre mot de passe.</a>"));
    assert!(html.contains("aria-invalid=\"true\""));
    assert!(html.contains("aria-describedby=\"champ-mot_de_passe-erreur\""));
    // The identifier typed is shown back; the password never is.
    assert!(html.contains("value=\"abarre1\""));

    let resp = app
        .post_form(
            &app.client,
            "/connexion",
            "/connexion",
            &[
                ("site", "valognes"),
                ("identifiant", ""),
                ("mot_de_passe", "x"),
            ],
        )
        .await;
    let html = resp.text().await.unwrap();
    assert!(html.contains("Le formulaire contient une erreur"));
    assert!(html.contains("<a href=\"#champ-identifiant\">Saisissez votre identifiant.</a>"));
}

#[tokio::test]
async fn the_session_id_changes_at_login() {
    let app = spawn_app().await;
    assert_redirect(&app.login("abarre1", PASSWORD).await, "/accueil");
    let before: (String,) = sqlx::query_as("select token_hash from session")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    // Logging in again from the same browser replaces the session.
    let resp = app
        .post_form(
            &app.client,
            "/accueil",
            "/connexion",
            &[
                ("site", "valognes"),
                ("identifiant", "torre1"),
                ("mot_de_passe", PASSWORD),
            ],
        )
        .await;
    assert_redirect(&resp, "/accueil");
    let after: Vec<(String,)> = sqlx::query_as("select token_hash from session")
        .fetch_all(&app.pool)
        .await
        .unwrap();
    assert_eq!(after.len(), 1, "the old session was destroyed");
    assert_ne!(before.0, after[0].0);
    let html = app.get_html(&app.client, "/accueil").await;
    assert!(html.contains("Bonjour Madame TORRE Amélia"));
}

#[tokio::test]
async fn logout_destroys_the_session_on_the_server() {
    let app = spawn_app().await;
    let resp = app.login("abarre1", PASSWORD).await;
    let cookie = resp.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let resp = app
        .post_form(&app.client, "/accueil", "/deconnexion", &[])
        .await;
    assert_redirect(&resp, "/connexion?info=deconnexion");
    assert_eq!(
        app.count("select cast(count(*) as bigint) from session")
            .await,
        0
    );
    let html = app
        .get_html(&app.client, "/connexion?info=deconnexion")
        .await;
    assert!(html.contains("Vous êtes déconnecté."));
    // Replaying the old cookie from another client gets nothing.
    let stranger = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let resp = stranger
        .get(app.url("/accueil"))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap();
    assert_redirect(&resp, "/connexion");
}

#[tokio::test]
async fn a_session_idle_too_long_ends() {
    let app = spawn_app().await;
    app.login("abarre1", PASSWORD).await;
    // 29 minutes idle: still there (and the visit counts as use).
    sqlx::query("update session set last_seen_at = last_seen_at - 29 * 60")
        .execute(&app.pool)
        .await
        .unwrap();
    assert_eq!(app.get("/accueil").await.status(), StatusCode::OK);
    // 30 minutes and a second: over (OWASP ASVS 3.3.2).
    sqlx::query("update session set last_seen_at = last_seen_at - 30 * 60 - 1")
        .execute(&app.pool)
        .await
        .unwrap();
    assert_redirect(&app.get("/accueil").await, "/connexion");
    assert_eq!(
        app.count("select cast(count(*) as bigint) from session")
            .await,
        0
    );
}

#[tokio::test]
async fn pages_of_the_family_need_a_login() {
    let app = spawn_app().await;
    for path in ["/accueil", "/eleves", "/mot-de-passe", "/eleves/1005"] {
        assert_redirect(&app.get(path).await, "/connexion");
    }
    assert_redirect(&app.get("/").await, "/connexion");
}

#[tokio::test]
async fn the_second_school_has_its_own_accounts() {
    let app = spawn_app().await;
    let resp = app
        .post_form(
            &app.client,
            "/connexion",
            "/connexion",
            &[
                ("site", "conservatoire1"),
                ("identifiant", "abarre1"),
                ("mot_de_passe", PASSWORD),
            ],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let resp = app
        .post_form(
            &app.client,
            "/connexion",
            "/connexion",
            &[
                ("site", "ailleurs"),
                ("identifiant", "abarre1"),
                ("mot_de_passe", PASSWORD),
            ],
        )
        .await;
    assert!(
        resp.text()
            .await
            .unwrap()
            .contains("Choisissez une école de la liste.")
    );
}

#[tokio::test]
async fn the_sessions_page_lists_each_browser_and_ends_the_others() {
    let app = spawn_app().await;
    let browser = |agent: &'static str| {
        reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(agent)
            .build()
            .unwrap()
    };
    let phone = browser(
        "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 Chrome/131.0 Mobile Safari/537.36",
    );
    let laptop =
        browser("Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0");
    let tablet = browser("Mozilla/5.0 (iPad; CPU OS 18_1 like Mac OS X) Version/18.1 Safari/604.1");
    for c in [&phone, &laptop, &tablet] {
        app.login_with(c, "abarre1", PASSWORD).await;
    }
    let html = app.get_html(&laptop, "/sessions").await;
    assert!(html.contains("<h1>Sessions ouvertes</h1>"));
    assert!(html.contains("Firefox sur Windows (ce navigateur)"));
    assert!(html.contains("Chrome sur Android") && html.contains("Safari sur iPad"));
    // Another family's session cannot be ended from here.
    let torre = new_client();
    app.login_with(&torre, "torre1", PASSWORD).await;
    let (theirs,): (i64,) = sqlx::query_as(
        "select s.session_id from session s join account a on a.account_id = s.account_id where a.identifier = 'torre1'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    let resp = app
        .post_form(
            &laptop,
            "/sessions",
            &format!("/sessions/{theirs}/fin"),
            &[],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        app.get_with(&torre, "/accueil").await.status(),
        StatusCode::OK
    );
    // « Déconnecter » the phone.
    let (phone_id,): (i64,) =
        sqlx::query_as("select session_id from session where user_agent like '%Android%'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    let resp = app
        .post_form(
            &laptop,
            "/sessions",
            &format!("/sessions/{phone_id}/fin"),
            &[],
        )
        .await;
    assert_redirect(&resp, "/sessions?info=deconnectee");
    assert_redirect(&app.get_with(&phone, "/accueil").await, "/connexion");
    assert_eq!(
        app.get_with(&tablet, "/accueil").await.status(),
        StatusCode::OK
    );
    // All the others.
    let resp = app
        .post_form(&laptop, "/sessions", "/sessions/autres/fin", &[])
        .await;
    assert_redirect(&resp, "/sessions?info=autres-deconnectees");
    assert_redirect(&app.get_with(&tablet, "/accueil").await, "/connexion");
    assert_eq!(
        app.get_with(&laptop, "/accueil").await.status(),
        StatusCode::OK
    );
    assert_eq!(
        app.get_with(&torre, "/accueil").await.status(),
        StatusCode::OK
    );
    let html = app.get_html(&laptop, "/sessions").await;
    assert!(!html.contains("Déconnecter toutes les autres sessions"));
}
