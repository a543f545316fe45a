//! Time limits: a form sent after the session expired is kept and offered, filled, after
//! logging in again; the session can be extended.

use reqwest::StatusCode;

use crate::helpers::*;
use crate::records::{JEREMIE, with};

async fn expire_sessions(app: &TestApp) {
    sqlx::query("update session set last_seen_at = last_seen_at - 7200")
        .execute(&app.pool)
        .await
        .unwrap();
}

#[tokio::test]
async fn a_form_sent_after_expiry_is_kept_and_confirmed_after_login() {
    let app = spawn_app().await;
    app.login("abarre1", PASSWORD).await;
    let html = app.get_html(&app.client, "/famille").await;
    let (token, key) = (csrf_of(&html), form_key_of(&html));
    assert!(
        html.contains("data-session-fin=\""),
        "the page says when the session ends"
    );

    // The family typed for over an hour; the session expired meanwhile.
    expire_sessions(&app).await;
    let mut fields: Vec<(&str, &str)> = vec![("csrf_token", &token), ("cle_formulaire", &key)];
    let typed = with(JEREMIE, &[("profession", "Luthier")]);
    fields.extend(typed.iter().copied());
    let resp = app
        .client
        .post(app.url("/famille"))
        .header("Origin", &app.address)
        .form(&fields)
        .send()
        .await
        .unwrap();
    assert_redirect(&resp, "/connexion?info=session-expiree");
    assert_eq!(
        app.count("select cast(count(*) as bigint) from change_request where status = 'pending' and family_id = (select family_id from person where first_name = 'Irina')")
            .await,
        0,
        "nothing applied without a session"
    );
    let html = app
        .get_html(&app.client, "/connexion?info=session-expiree")
        .await;
    assert!(html.contains("le formulaire que vous envoyiez est conservé"));

    // Logging in again leads to the kept form, filled as it was left.
    let resp = app.login("abarre1", PASSWORD).await;
    assert_redirect(&resp, "/reprise");
    let html = app.get_html(&app.client, "/reprise").await;
    assert!(html.contains("<h1>Formulaire à confirmer</h1>"));
    assert!(html.contains("<dd>Luthier</dd>"));
    // Each field by its label, each choice by its text, as the form showed them.
    assert!(
        html.contains("<dt>Profession</dt><dd>Luthier</dd>"),
        "{html}"
    );
    assert!(
        html.contains("<dt>Civilité</dt><dd>Monsieur</dd>"),
        "{html}"
    );
    assert!(html.contains("<dd>Marié(e)</dd>"), "{html}");
    assert!(!html.contains("Family situation") && !html.contains("<dd>marie</dd>"));
    assert!(html.contains("<form method=\"post\" action=\"/famille\">"));
    assert!(html.contains("name=\"profession\" value=\"Luthier\""));

    // Back to the form: it is filled in with what was typed, nothing saved yet.
    assert!(html.contains("href=\"/famille?reprise=1\""));
    let refilled = app.get_html(&app.client, "/famille?reprise=1").await;
    assert!(refilled.contains("Rien n'est encore enregistré"));
    assert!(refilled.contains("value=\"Luthier\""), "what was typed");
    let plain = app.get_html(&app.client, "/famille").await;
    assert!(!plain.contains("value=\"Luthier\""), "only when asked");

    // Confirming sends it, with the new session's token.
    let token = csrf_of(&html);
    let mut fields: Vec<(&str, &str)> = vec![("csrf_token", &token), ("cle_formulaire", &key)];
    fields.extend(typed.iter().copied());
    let resp = app
        .client
        .post(app.url("/famille"))
        .form(&fields)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    let (new_value,): (String,) = sqlx::query_as(
        "select new_value from change_item where field = 'profession' order by created_at desc limit 1",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(new_value, "Luthier");
}

#[tokio::test]
async fn a_cross_site_post_after_expiry_is_not_kept() {
    let app = spawn_app().await;
    app.login("abarre1", PASSWORD).await;
    expire_sessions(&app).await;
    let resp = app
        .client
        .post(app.url("/famille"))
        .header("Origin", "https://malveillant.example")
        .form(&with(JEREMIE, &[("profession", "Pirate")]))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        app.count("select cast(count(*) as bigint) from pending_form")
            .await,
        0
    );
}

#[tokio::test]
async fn the_session_can_be_extended_while_it_lives() {
    let app = spawn_app().await;
    app.login("abarre1", PASSWORD).await;
    // 28 minutes idle: two minutes left, the warning's moment.
    sqlx::query("update session set last_seen_at = last_seen_at - 28 * 60")
        .execute(&app.pool)
        .await
        .unwrap();
    let html = app.get_html(&app.client, "/accueil").await;
    let resp = app
        .post_form(&app.client, "/accueil", "/session/prolonger", &[])
        .await;
    assert_eq!(resp.status(), StatusCode::NO_CONTENT);
    // The script schedules the next warning from what the session now has left.
    assert_eq!(resp.headers()["x-session-fin"], "1800");
    let (left,): (i64,) = sqlx::query_as("select last_seen_at from session")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert!(portee::db::now() - left < 10);
    assert!(html.contains("data-session-fin"));
    // Without a session: 401.
    let other = new_client();
    let resp = app
        .post_form(&other, "/connexion", "/session/prolonger", &[])
        .await;
    assert_eq!(resp.status(), StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn only_the_portals_own_forms_are_kept_and_offered_back() {
    let app = spawn_app().await;
    app.login("abarre1", PASSWORD).await;
    let html = app.get_html(&app.client, "/famille").await;
    let token = csrf_of(&html);
    expire_sessions(&app).await;
    // A form posted to another address of the server, same origin: not kept.
    for path in ["//evil.example/x", "/nulle-part", "/mot-de-passe"] {
        let resp = app
            .client
            .post(format!("{}{path}", app.address))
            .header("Origin", &app.address)
            .form(&[("csrf_token", token.as_str()), ("actuel", "Secret2026")])
            .send()
            .await
            .unwrap();
        assert_ne!(
            resp.headers().get("location").and_then(|l| l.to_str().ok()),
            Some("/connexion?info=session-expiree"),
            "{path}"
        );
    }
    assert_eq!(
        app.count("select cast(count(*) as bigint) from pending_form")
            .await,
        0
    );
    // A kept row naming a foreign action (as an earlier version could store) is never shown.
    let (account,): (i64,) =
        sqlx::query_as("select account_id from account where identifier = 'abarre1'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    let kept = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
    sqlx::query(
        "insert into pending_form (token_hash, account_id, path, body, created_at, expires_at) \
         values ($1, $2, '//evil.example/x', 'profession=Luthier', $3, $3 + 3600)",
    )
    .bind(portee::tokens::hash_token(kept))
    .bind(account)
    .bind(portee::db::now())
    .execute(&app.pool)
    .await
    .unwrap();
    // A browser holding that form's cookie (cookies handled by hand here).
    let browser = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let resp = browser.get(app.url("/connexion")).send().await.unwrap();
    let pre = resp.headers()["set-cookie"]
        .to_str()
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .to_owned();
    let html = resp.text().await.unwrap();
    let resp = browser
        .post(app.url("/connexion"))
        .header("cookie", format!("{pre}; portee_reprise={kept}"))
        .form(&[
            ("csrf_token", csrf_of(&html).as_str()),
            ("site", "valognes"),
            ("identifiant", "abarre1"),
            ("mot_de_passe", PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_redirect(&resp, "/accueil");
    let session = resp
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().split(';').next().unwrap().to_owned())
        .find(|c| c.starts_with("portee_session="))
        .unwrap();
    let resp = browser
        .get(app.url("/reprise"))
        .header("cookie", format!("{session}; portee_reprise={kept}"))
        .send()
        .await
        .unwrap();
    assert_redirect(&resp, "/accueil");
    assert!(!resp.text().await.unwrap().contains("evil.example"));
}

#[test]
fn every_post_route_is_either_kept_or_not_on_purpose() {
    let mut listed: Vec<String> = portee::web::resume::KEPT_ROUTES
        .iter()
        .map(|(route, _)| *route)
        .chain(portee::web::resume::NOT_KEPT_ROUTES.iter().copied())
        .map(|s| s.to_string())
        .collect();
    listed.sort();
    assert_eq!(listed, crate::authorization::post_routes());
}

#[test]
fn a_kept_form_leads_back_to_the_page_it_was_on() {
    use portee::web::resume::page_of;
    assert_eq!(
        page_of("/gestion/demandes/7/decision"),
        "/gestion/demandes/7"
    );
    assert_eq!(
        page_of("/eleves/12/reinscription/choix"),
        "/eleves/12/reinscription"
    );
    assert_eq!(
        page_of("/eleves/12/reinscription/documents/9/supprimer"),
        "/eleves/12/reinscription"
    );
    assert_eq!(page_of("/famille"), "/famille");
    assert_eq!(
        page_of("/facturation/documents/4/payer"),
        "/facturation/documents/4"
    );
    // Every page a form is on answers GET (a 405 would be a dead end).
    let gets = crate::authorization::get_routes();
    for (route, page) in portee::web::resume::KEPT_ROUTES {
        assert!(
            gets.iter().any(|g| g == page),
            "{route}: {page} is not a page"
        );
    }
}
