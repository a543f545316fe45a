use reqwest::StatusCode;

use crate::helpers::*;

#[tokio::test]
async fn a_post_without_or_with_a_wrong_csrf_token_is_refused() {
    let app = spawn_app().await;
    app.get("/connexion").await; // gets the pre-session cookie
    let fields = [
        ("site", "valognes"),
        ("identifiant", "abarre1"),
        ("mot_de_passe", PASSWORD),
    ];
    let resp = app
        .client
        .post(app.url("/connexion"))
        .form(&fields)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    assert!(resp.text().await.unwrap().contains("Formulaire expiré"));
    let mut forged = vec![("csrf_token", "forged")];
    forged.extend_from_slice(&fields);
    let resp = app
        .client
        .post(app.url("/connexion"))
        .form(&forged)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        app.count("select cast(count(*) as bigint) from session")
            .await,
        0
    );

    // Logged in: the session's token is required too (a logout forged by another site fails).
    assert_redirect(&app.login("abarre1", PASSWORD).await, "/accueil");
    let resp = app
        .client
        .post(app.url("/deconnexion"))
        .form(&[("csrf_token", "forged")])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        app.count("select cast(count(*) as bigint) from session")
            .await,
        1
    );
    // A token of another visitor does not work either.
    let other = new_client();
    let their_token = csrf_of(&app.get_html(&other, "/connexion").await);
    let resp = app
        .client
        .post(app.url("/deconnexion"))
        .form(&[("csrf_token", their_token.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn too_many_login_posts_from_one_address_get_a_429_page() {
    let app = spawn_app_with(Options {
        rate_per_minute: 3,
        ..Options::default()
    })
    .await;
    for _ in 0..3 {
        assert_eq!(
            app.login("abarre1", "Mauvais2026").await.status(),
            StatusCode::UNPROCESSABLE_ENTITY
        );
    }
    let resp = app.login("abarre1", PASSWORD).await;
    assert_eq!(resp.status(), StatusCode::TOO_MANY_REQUESTS);
    let retry: u64 = resp.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=60).contains(&retry));
    let html = resp.text().await.unwrap();
    assert!(html.contains("<h1>Trop de tentatives</h1>"));
    assert!(html.contains("Vous pourrez réessayer dans"));
    // The lost-password form shares the limit.
    let resp = app
        .request_reset(&app.client, "abarre1", "jeremie.abarre@example.org")
        .await;
    assert_eq!(resp.status(), StatusCode::TOO_MANY_REQUESTS);
    // Reading pages is not limited.
    assert_eq!(app.get("/connexion").await.status(), StatusCode::OK);
}

#[tokio::test]
async fn repeated_failures_slow_down_an_identifier_known_or_not() {
    let app = spawn_app().await;
    for identifier in ["abarre1", "personne9"] {
        let mut statuses = Vec::new();
        for _ in 0..5 {
            statuses.push(app.login(identifier, "Mauvais2026").await.status());
        }
        assert_eq!(
            &statuses[..4],
            &[StatusCode::UNPROCESSABLE_ENTITY; 4],
            "{identifier}"
        );
        assert_eq!(statuses[4], StatusCode::TOO_MANY_REQUESTS, "{identifier}");
    }
    // The delay is short and bounded: the family is never locked out.
    let (failures,): (i64,) = sqlx::query_as(
        "select failures from login_throttle where throttle_key like 'family:%:abarre1:%'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(failures, 4);
    sqlx::query("update login_throttle set last_failure_at = last_failure_at - 61")
        .execute(&app.pool)
        .await
        .unwrap();
    assert_redirect(&app.login("abarre1", PASSWORD).await, "/accueil");
    assert_eq!(
        app.count(
            "select cast(count(*) as bigint) from login_throttle where throttle_key like 'family:%:abarre1:%'"
        )
        .await,
        0
    );
}

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let app = spawn_app().await;
    let html = app.get_html(&app.client, "/connexion").await;
    let css = html
        .split("href=\"")
        .find(|s| s.starts_with("/static/"))
        .unwrap();
    let css = &css[..css.find('"').unwrap()];
    let mut responses = vec![
        app.get("/connexion").await,
        app.get(css).await,
        app.get("/nulle-part").await,
        app.get("/accueil").await,
        app.client
            .post(app.url("/connexion"))
            .form(&[("x", "y")])
            .send()
            .await
            .unwrap(),
    ];
    responses.push(app.login("abarre1", PASSWORD).await);
    for resp in responses {
        let h = resp.headers();
        let csp = h["content-security-policy"].to_str().unwrap();
        assert!(csp.contains("default-src 'self'"), "{}", resp.url());
        assert!(csp.contains("frame-ancestors 'none'"));
        assert!(!csp.contains("unsafe-inline"));
        assert_eq!(h["x-content-type-options"], "nosniff");
        assert_eq!(h["referrer-policy"], "same-origin");
        assert_eq!(h["x-frame-options"], "DENY");
    }
}

#[tokio::test]
async fn cookies_are_http_only_and_same_site() {
    let app = spawn_app().await;
    let resp = app.get("/connexion").await;
    let pre = resp.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(
        pre.contains("HttpOnly") && pre.contains("SameSite=Lax"),
        "{pre}"
    );
    let resp = app.login("abarre1", PASSWORD).await;
    let session = resp.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(session.starts_with("portee_session="));
    assert!(
        session.contains("HttpOnly") && session.contains("SameSite=Lax"),
        "{session}"
    );
    // The database never holds the token itself.
    let token = session
        .split(';')
        .next()
        .unwrap()
        .trim_start_matches("portee_session=");
    assert_eq!(
        sqlx::query_as::<_, (i64,)>(
            "select cast(count(*) as bigint) from session where token_hash = $1"
        )
        .bind(token)
        .fetch_one(&app.pool)
        .await
        .unwrap()
        .0,
        0
    );
}

#[tokio::test]
async fn static_assets_are_cached_for_ever_under_their_hash() {
    let app = spawn_app().await;
    let html = app.get_html(&app.client, "/connexion").await;
    for name in ["portee.css", "portee.js", "htmx.min.js"] {
        let start = html
            .find(&format!("/{name}\""))
            .unwrap_or_else(|| panic!("{name} linked"));
        let url_start = html[..start].rfind('"').unwrap() + 1;
        let url = &html[url_start..start + name.len() + 1];
        let resp = app.get(url).await;
        assert_eq!(resp.status(), StatusCode::OK, "{url}");
        assert_eq!(
            resp.headers()["cache-control"],
            "public, max-age=31536000, immutable"
        );
    }
    assert_eq!(
        app.get("/static/0/inconnu.css").await.status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn an_unknown_page_gets_a_404_page_in_the_shell() {
    let app = spawn_app().await;
    let resp = app.get("/nulle-part").await;
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
    let html = resp.text().await.unwrap();
    assert!(html.contains("<h1>Page introuvable</h1>"));
    assert!(html.contains("Aller au contenu"));
}

#[tokio::test]
async fn assets_are_sent_compressed_to_browsers_that_accept_it() {
    use std::io::Read;
    let app = spawn_app().await;
    let html = app.get_html(&app.client, "/connexion").await;
    let start = html.find("/static/").unwrap();
    let url = &html[start..start + html[start..].find('"').unwrap()];
    let plain = app.get(url).await;
    assert!(plain.headers().get("content-encoding").is_none());
    let plain = plain.bytes().await.unwrap();
    // Brotli first when offered (precompressed once, quality 11).
    let br = app
        .client
        .get(app.url(url))
        .header("accept-encoding", "gzip, deflate, br")
        .send()
        .await
        .unwrap();
    assert_eq!(br.headers()["content-encoding"], "br");
    let br = br.bytes().await.unwrap();
    let mut unbrotlied = Vec::new();
    brotli::Decompressor::new(&br[..], 4096)
        .read_to_end(&mut unbrotlied)
        .unwrap();
    assert_eq!(unbrotlied, plain.to_vec());
    // gzip otherwise (and br refused with q=0).
    let zipped = app
        .client
        .get(app.url(url))
        .header("accept-encoding", "br;q=0, gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(zipped.headers()["content-encoding"], "gzip");
    assert_eq!(zipped.headers()["vary"], "Accept-Encoding");
    let zipped = zipped.bytes().await.unwrap();
    assert!(zipped.len() < plain.len());
    let mut unzipped = Vec::new();
    flate2::read::GzDecoder::new(&zipped[..])
        .read_to_end(&mut unzipped)
        .unwrap();
    assert_eq!(unzipped, plain.to_vec());
}

#[tokio::test]
async fn pages_are_compressed_only_for_requests_started_by_the_portal_or_the_user() {
    use std::io::Read;
    let app = spawn_app().await;
    app.login("abarre1", PASSWORD).await;
    let get = |site: Option<&'static str>, accept: &'static str| {
        let mut b = app
            .client
            .get(app.url("/accessibilite"))
            .header("accept-encoding", accept);
        if let Some(s) = site {
            b = b.header("sec-fetch-site", s);
        }
        b.send()
    };
    let plain = get(None, "gzip, br").await.unwrap();
    assert!(plain.headers().get("content-encoding").is_none());
    assert_eq!(
        plain.headers()["vary"],
        "HX-Request, HX-Boosted, HX-Target, HX-History-Restore-Request, Accept-Encoding, Sec-Fetch-Site"
    );
    assert_eq!(plain.headers().get_all("vary").iter().count(), 1);
    let plain = main_of(&plain.text().await.unwrap()).to_owned();
    assert!(plain.contains("Raccourcis clavier"), "{plain}");

    // A link followed inside the portal: gzip; the page is the same once decoded.
    let gz = get(Some("same-origin"), "gzip, deflate, br").await.unwrap();
    assert_eq!(gz.headers()["content-encoding"], "gzip");
    let gz = gz.bytes().await.unwrap();
    let mut page = String::new();
    flate2::read::GzDecoder::new(&gz[..])
        .read_to_string(&mut page)
        .unwrap();
    assert!(gz.len() * 2 < page.len());
    assert_eq!(main_of(&page), plain);
    // Typed in the address bar: gzip as well; a browser without gzip gets it as it is.
    let gz = get(Some("none"), "gzip").await.unwrap();
    assert_eq!(gz.headers()["content-encoding"], "gzip");
    let resp = get(Some("none"), "br").await.unwrap();
    assert!(resp.headers().get("content-encoding").is_none());
    // Started by another site (what BREACH needs): as it is.
    for site in ["cross-site", "same-site"] {
        let resp = get(Some(site), "gzip, br").await.unwrap();
        assert!(resp.headers().get("content-encoding").is_none(), "{site}");
        assert_eq!(main_of(&resp.text().await.unwrap()), plain);
    }
}

#[tokio::test]
async fn a_post_from_another_site_is_refused_even_with_a_valid_token() {
    let app = spawn_app().await;
    app.login("abarre1", PASSWORD).await;
    let token = csrf_of(&app.get_html(&app.client, "/famille").await);
    let post = |headers: Vec<(&'static str, String)>| {
        let mut req = app
            .client
            .post(app.url("/affichage"))
            .form(&[("csrf_token", token.as_str()), ("retour", "/accueil")]);
        for (k, v) in headers {
            req = req.header(k, v);
        }
        req.send()
    };
    for headers in [
        vec![("origin", "https://evil.example".to_owned())],
        vec![("origin", "null".to_owned())],
        vec![("referer", "https://evil.example/page.html".to_owned())],
        vec![("origin", format!("{}.evil.example", app.address))],
    ] {
        let resp = post(headers.clone()).await.unwrap();
        assert_eq!(resp.status(), StatusCode::FORBIDDEN, "{headers:?}");
    }
    // From the portal's own pages (or a client that says nothing): accepted.
    for headers in [
        vec![("origin", app.address.clone())],
        vec![("referer", format!("{}/famille", app.address))],
        vec![],
    ] {
        let resp = post(headers.clone()).await.unwrap();
        assert_eq!(resp.status(), StatusCode::SEE_OTHER, "{headers:?}");
    }
}

#[tokio::test]
async fn a_nul_character_in_a_form_is_named_never_a_server_error() {
    // PostgreSQL refuses NUL in text: a form key or a message holding one made a 500 there.
    let app = spawn_app().await;
    app.login("abarre1", PASSWORD).await;
    let visitor = new_client();
    for (client, page, action, field, expected) in [
        (&app.client, "/famille", "/famille", "cle_formulaire", None),
        (
            &app.client,
            "/accessibilite/declaration",
            "/accessibilite/signalement",
            "message",
            Some("Le message contient un caractère invisible non autorisé."),
        ),
        (
            &visitor,
            "/connexion",
            "/connexion",
            "identifiant",
            Some("Identifiant ou mot de passe incorrect."),
        ),
    ] {
        let resp = app
            .post_form(
                client,
                page,
                action,
                &[
                    (field, "a\0b"),
                    ("site", "valognes"),
                    ("mot_de_passe", "x"),
                    ("email", "a@example.org"),
                ],
            )
            .await;
        assert!(
            !resp.status().is_server_error(),
            "{action}: {}",
            resp.status()
        );
        if let Some(text) = expected {
            assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY, "{action}");
            assert!(resp.text().await.unwrap().contains(text), "{action}");
        }
    }
}
