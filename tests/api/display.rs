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
        // The school last, whole or shortened to keep the title within 70 characters.
        let title = title_of(&html);
        assert!(
            title.ends_with(" – Portail famille – École municipale de musique de Valognes")
                || (title.contains(" – École municipale") && title.ends_with('…')),
            "{path}: {title}"
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

#[tokio::test]
async fn every_title_puts_the_page_first_within_seventy_characters() {
    let app = spawn_app().await;
    app.login("abarre1", PASSWORD).await;
    let pages = crawl(&app.address, &app.client, &["/accueil"]).await;
    assert!(pages.len() > 30, "{} pages", pages.len());
    for path in pages {
        let html = app.get_html(&app.client, &path).await;
        let title = title_of(&html);
        assert!(title.chars().count() <= 70, "{path}: {title}");
        assert!(
            !title.starts_with("Portail famille"),
            "{path}: the page's own part first: {title}"
        );
    }
}

/// The controls a page marks required (the asterisk after the label).
fn marked_required(html: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (at, _) in html.match_indices("<abbr class=\"required\"") {
        let Some(label) = html[..at].rfind("<label for=\"") else {
            continue;
        };
        let id = html[label + 12..]
            .split('"')
            .next()
            .unwrap_or("")
            .to_owned();
        let tag = html
            .find(&format!("id=\"{id}\""))
            .map(|i| {
                let start = html[..i].rfind('<').unwrap_or(i);
                let end = html[i..].find('>').map_or(html.len(), |e| i + e);
                html[start..end].to_owned()
            })
            .unwrap_or_default();
        out.push((id, tag));
    }
    out
}

#[tokio::test]
async fn every_field_marked_required_says_so_to_assistive_technology() {
    // The asterisk is hidden from screen readers: the control itself must say it.
    let app = spawn_app().await;
    app.login("abarre1", PASSWORD).await;
    let staff = new_client();
    staff_login(&app, &staff).await;
    let mut checked = 0;
    for (client, start) in [(&app.client, "/accueil"), (&staff, "/gestion")] {
        for path in crawl(&app.address, client, &[start]).await {
            let html = app.get_html(client, &path).await;
            for (id, tag) in marked_required(&html) {
                assert!(
                    tag.contains(" required") || tag.contains("aria-required=\"true\""),
                    "{path}: #{id} is marked required but its control does not say so: {tag}"
                );
                checked += 1;
            }
        }
    }
    let visitor = new_client();
    for path in [
        "/connexion",
        "/mot-de-passe-perdu",
        "/accessibilite/declaration",
    ] {
        let html = app.get_html(&visitor, path).await;
        for (id, tag) in marked_required(&html) {
            assert!(
                tag.contains(" required") || tag.contains("aria-required=\"true\""),
                "{path}: #{id}: {tag}"
            );
            checked += 1;
        }
    }
    assert!(checked > 20, "{checked} required fields checked");
}
