//! Lockouts an attacker could impose, replayed against the real application: guesses from
//! one network, from many, through the staff form, and on the password page. The family
//! always gets in from a browser it used before, and from elsewhere unless the guessing
//! is spread over many networks.

use reqwest::{Client, StatusCode};

use crate::helpers::*;

/// The portal behind a proxy on 127.0.0.1: each request says which client it comes from.
async fn behind_proxy() -> TestApp {
    spawn_app_with(Options {
        trusted_proxies: vec!["127.0.0.1".parse().unwrap()],
        ..Options::default()
    })
    .await
}

/// A login form submitted from client address `ip`, to `/connexion` or `/gestion/connexion`.
async fn login_from(
    app: &TestApp,
    client: &Client,
    ip: &str,
    form: &str,
    identifier: &str,
    password: &str,
) -> StatusCode {
    let html = app.get_html(client, form).await;
    client
        .post(app.url(form))
        .header("x-forwarded-for", ip)
        .form(&[
            ("csrf_token", csrf_of(&html).as_str()),
            ("site", "valognes"),
            ("identifiant", identifier),
            ("mot_de_passe", password),
        ])
        .send()
        .await
        .unwrap()
        .status()
}

#[tokio::test]
async fn guesses_from_one_network_slow_down_that_network_only() {
    let app = behind_proxy().await;
    let attacker = new_client();
    let mut statuses = Vec::new();
    for _ in 0..6 {
        statuses.push(
            login_from(
                &app,
                &attacker,
                "203.0.113.5",
                "/connexion",
                "torre1",
                "Mauvais2026",
            )
            .await,
        );
    }
    assert_eq!(&statuses[..4], &[StatusCode::UNPROCESSABLE_ENTITY; 4]);
    assert_eq!(
        statuses[5],
        StatusCode::TOO_MANY_REQUESTS,
        "the attacker waits"
    );
    // Madame TORRE, from her own connection, on a browser she never used: straight in.
    let family = new_client();
    assert_eq!(
        login_from(
            &app,
            &family,
            "198.51.100.7",
            "/connexion",
            "torre1",
            PASSWORD
        )
        .await,
        StatusCode::SEE_OTHER
    );
    // The same /64 is the same network.
    let neighbour = new_client();
    for ip in [
        "2001:db8:5:6::1",
        "2001:db8:5:6::2",
        "2001:db8:5:6:ffff::3",
        "2001:db8:5:6::4",
    ] {
        login_from(&app, &neighbour, ip, "/connexion", "abarre1", "Mauvais2026").await;
    }
    assert_eq!(
        login_from(
            &app,
            &neighbour,
            "2001:db8:5:6::99",
            "/connexion",
            "abarre1",
            PASSWORD
        )
        .await,
        StatusCode::TOO_MANY_REQUESTS
    );
    assert_eq!(
        login_from(
            &app,
            &new_client(),
            "2001:db8:5:7::1",
            "/connexion",
            "abarre1",
            PASSWORD
        )
        .await,
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn guesses_spread_over_many_networks_never_lock_out_a_browser_the_family_used() {
    let app = behind_proxy().await;
    // Her phone logged in last week, then she logged out.
    let phone = new_client();
    assert_eq!(
        login_from(
            &app,
            &phone,
            "198.51.100.7",
            "/connexion",
            "torre1",
            PASSWORD
        )
        .await,
        StatusCode::SEE_OTHER
    );
    app.post_form(&phone, "/accueil", "/deconnexion", &[]).await;
    // Thirty-two addresses try a password each.
    for i in 0..32 {
        let ip = format!("203.0.113.{}", i + 1);
        login_from(
            &app,
            &new_client(),
            &ip,
            "/connexion",
            "torre1",
            "Mauvais2026",
        )
        .await;
    }
    // A browser she never used, from a fresh address: slowed down (the guessing is spread).
    assert_eq!(
        login_from(
            &app,
            &new_client(),
            "192.0.2.200",
            "/connexion",
            "torre1",
            PASSWORD
        )
        .await,
        StatusCode::TOO_MANY_REQUESTS
    );
    // Her phone, even from one of the attacking addresses: in at once.
    assert_eq!(
        login_from(
            &app,
            &phone,
            "203.0.113.1",
            "/connexion",
            "torre1",
            PASSWORD
        )
        .await,
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn the_staff_form_cannot_throttle_a_family_account() {
    let app = behind_proxy().await;
    let attacker = new_client();
    for _ in 0..8 {
        login_from(
            &app,
            &attacker,
            "203.0.113.5",
            "/gestion/connexion",
            "torre1",
            "Mauvais2026",
        )
        .await;
    }
    // Same address, same identifier, the family form: not slowed down at all.
    assert_eq!(
        login_from(
            &app,
            &new_client(),
            "203.0.113.5",
            "/connexion",
            "torre1",
            PASSWORD
        )
        .await,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        app.count(
            "select cast(count(*) as bigint) from login_throttle where throttle_key like 'family:%'"
        )
        .await,
        0
    );
}

#[tokio::test]
async fn the_current_password_check_is_throttled() {
    let app = spawn_app().await;
    app.login("abarre1", PASSWORD).await;
    let mut statuses = Vec::new();
    for _ in 0..6 {
        let resp = app
            .post_form(
                &app.client,
                "/mot-de-passe",
                "/mot-de-passe",
                &[
                    ("actuel", "Devine2026"),
                    ("nouveau", "Nouveau2027"),
                    ("confirmation", "Nouveau2027"),
                ],
            )
            .await;
        statuses.push(resp.status());
    }
    assert_eq!(&statuses[..4], &[StatusCode::UNPROCESSABLE_ENTITY; 4]);
    assert_eq!(statuses[5], StatusCode::TOO_MANY_REQUESTS);
    // The right password waits too, then works.
    sqlx::query("update login_throttle set last_failure_at = last_failure_at - 61")
        .execute(&app.pool)
        .await
        .unwrap();
    let resp = app
        .post_form(
            &app.client,
            "/mot-de-passe",
            "/mot-de-passe",
            &[
                ("actuel", PASSWORD),
                ("nouveau", "Nouveau2027"),
                ("confirmation", "Nouveau2027"),
            ],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn every_form_that_checks_a_password_or_sends_mail_has_a_per_address_limit() {
    let app = spawn_app_with(Options {
        rate_per_minute: 2,
        ..Options::default()
    })
    .await;
    let staff = new_client();
    for _ in 0..2 {
        app.post_form(
            &staff,
            "/gestion/connexion",
            "/gestion/connexion",
            &[
                ("site", "valognes"),
                ("identifiant", "admin"),
                ("mot_de_passe", "Faux2026"),
            ],
        )
        .await;
    }
    // The bucket is shared by every such form of the address.
    for (page, action) in [
        ("/gestion/connexion", "/gestion/connexion"),
        ("/connexion", "/connexion"),
        ("/mot-de-passe-perdu", "/mot-de-passe-perdu"),
        ("/accessibilite/declaration", "/accessibilite/signalement"),
        ("/connexion", "/reinitialisation?jeton=x"),
    ] {
        let resp = app.post_form(&staff, page, action, &[("x", "y")]).await;
        assert_eq!(resp.status(), StatusCode::TOO_MANY_REQUESTS, "{action}");
        assert!(resp.headers().contains_key("retry-after"));
    }
}
