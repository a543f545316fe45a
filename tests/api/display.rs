use crate::helpers::*;

async fn toggle(app: &TestApp, client: &reqwest::Client, from: &str) -> reqwest::Response {
    app.post_form(client, from, "/affichage", &[("retour", from)])
        .await
}

#[tokio::test]
async fn the_accessible_mode_is_chosen_on_the_login_page_and_kept_on_the_account() {
    let app = spawn_app().await;
    let html = app.get_html(&app.client, "/connexion").await;
    assert!(html.contains(">Activer le mode accessible</button>"));
    assert!(html.contains("htmx.min.js"));

    assert_redirect(&toggle(&app, &app.client, "/connexion").await, "/connexion");
    let html = app.get_html(&app.client, "/connexion").await;
    assert!(html.contains("<html lang=\"fr\" class=\"mode-accessible\" data-raccourcis=\"on\">"));
    assert!(html.contains(">Désactiver le mode accessible</button>"));
    assert!(
        !html.contains("htmx.min.js"),
        "no partial swaps in accessible mode"
    );

    app.login("abarre1", PASSWORD).await;
    let (mode,): (i64,) =
        sqlx::query_as("select accessible_mode from account where identifier = 'abarre1'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(mode, 1, "stored on the account at login");

    // Another browser, no cookie: the account brings the mode back after login.
    let other = new_client();
    assert!(
        !app.get_html(&other, "/connexion")
            .await
            .contains("mode-accessible")
    );
    app.login_with(&other, "abarre1", PASSWORD).await;
    assert!(
        app.get_html(&other, "/accueil")
            .await
            .contains("class=\"mode-accessible\"")
    );

    // Switching it off while logged in updates the account.
    assert_redirect(&toggle(&app, &other, "/accueil").await, "/accueil");
    assert!(
        !app.get_html(&other, "/accueil")
            .await
            .contains("mode-accessible")
    );
    let (mode,): (i64,) =
        sqlx::query_as("select accessible_mode from account where identifier = 'abarre1'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(mode, 0);
}

#[tokio::test]
async fn the_display_switch_never_redirects_off_site() {
    let app = spawn_app().await;
    for evil in [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example",
    ] {
        let resp = toggle(&app, &app.client, "/connexion").await;
        assert_redirect(&resp, "/connexion");
        let token = csrf_of(&app.get_html(&app.client, "/connexion").await);
        let resp = app
            .client
            .post(app.url("/affichage"))
            .form(&[("csrf_token", token.as_str()), ("retour", evil)])
            .send()
            .await
            .unwrap();
        assert_redirect(&resp, "/");
    }
}

#[tokio::test]
async fn every_page_has_the_shell() {
    let app = spawn_app().await;
    let anonymous = [
        "/connexion",
        "/mot-de-passe-perdu",
        "/mot-de-passe-perdu/envoye",
        "/accessibilite",
    ];
    for path in anonymous {
        let html = app.get_html(&app.client, path).await;
        check_shell(&html, path);
    }
    app.login("abarre1", PASSWORD).await;
    let irina = format!("/eleves/{}/identite", app.person_id("Irina").await);
    for path in [
        "/accueil",
        "/famille",
        "/eleves",
        &irina,
        "/mot-de-passe",
        "/accessibilite",
    ] {
        let html = app.get_html(&app.client, path).await;
        check_shell(&html, path);
        assert!(
            html.contains("Connecté\u{a0}: Monsieur ABARRE Jérémie"),
            "{path}"
        );
        assert!(
            title_of(&html)
                .ends_with(" – Portail famille – École municipale de musique de Valognes"),
            "{path}"
        );
    }
}

fn check_shell(html: &str, path: &str) {
    assert!(
        html.starts_with("<!DOCTYPE html><html lang=\"fr\""),
        "{path}"
    );
    assert!(
        html.contains(
            "<a class=\"skip-link\" href=\"#contenu\" accesskey=\"2\">Aller au contenu</a>"
        ),
        "{path}"
    );
    assert!(
        html.contains("<nav aria-label=\"Menu principal\""),
        "{path}"
    );
    assert_eq!(html.matches("<main").count(), 1, "{path}");
    assert_eq!(html.matches("<h1").count(), 1, "{path}");
    assert!(html.contains("<footer"), "{path}");
    assert!(html.len() < 14 * 1024, "{path} is {} bytes", html.len());
}

#[tokio::test]
async fn the_site_map_lists_every_page_this_visitor_can_open() {
    let app = spawn_app().await;
    let html = app.get_html(&app.client, "/plan-du-site").await;
    assert!(html.contains("<h1>Plan du site</h1>"));
    assert!(html.contains("<a href=\"/mot-de-passe-perdu\">"));
    assert!(!html.contains("/famille"));
    app.login("abarre1", PASSWORD).await;
    let irina = app.person_id("Irina").await;
    let html = app.get_html(&app.client, "/plan-du-site").await;
    for path in [
        "/accueil",
        "/famille",
        "/eleves",
        "/emploi-du-temps",
        "/mot-de-passe",
        "/accessibilite",
    ] {
        assert!(html.contains(&format!("<a href=\"{path}\"")), "{path}");
    }
    assert!(html.contains(&format!("<a href=\"/eleves/{irina}/historique\">Historique<span class=\"visually-hidden\"> – ABARRE Irina</span></a>")));
    // Reached the same way from every page.
    assert!(
        app.get_html(&app.client, "/famille")
            .await
            .contains("<a href=\"/plan-du-site\" accesskey=\"3\">Plan du site</a>")
    );
}
