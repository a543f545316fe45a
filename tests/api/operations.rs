use std::time::Duration;

use reqwest::StatusCode;

use crate::helpers::*;

#[tokio::test]
async fn health_and_readiness_probes_answer() {
    let app = spawn_app().await;
    let resp = app.get("/healthz").await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(resp.text().await.unwrap(), "ok");
    let resp = app.get("/readyz").await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(resp.text().await.unwrap(), "ready");
    // Every answer carries the id of its log lines.
    let id = app.get("/connexion").await.headers()["x-request-id"]
        .to_str()
        .unwrap()
        .to_owned();
    assert_eq!(id.len(), 16);
}

#[tokio::test]
async fn the_proxy_header_counts_only_from_a_trusted_proxy() {
    let proxied = spawn_app_with(Options {
        rate_per_minute: 2,
        trusted_proxies: vec!["127.0.0.1".parse().unwrap()],
        ..Options::default()
    })
    .await;
    let post = |app: &TestApp, client: &reqwest::Client, ip: &'static str| {
        let (client, url) = (client.clone(), app.url("/connexion"));
        async move {
            let html = client.get(&url).send().await.unwrap().text().await.unwrap();
            let token = csrf_of(&html);
            client
                .post(&url)
                .header("x-forwarded-for", format!("198.51.100.9, {ip}"))
                .form(&[
                    ("csrf_token", token.as_str()),
                    ("site", "valognes"),
                    ("identifiant", ""),
                    ("mot_de_passe", ""),
                ])
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    // Each client behind the proxy has its own quota.
    assert_eq!(
        post(&proxied, &proxied.client, "203.0.113.5").await,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        post(&proxied, &proxied.client, "203.0.113.5").await,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        post(&proxied, &proxied.client, "203.0.113.5").await,
        StatusCode::TOO_MANY_REQUESTS
    );
    assert_eq!(
        post(&proxied, &proxied.client, "203.0.113.6").await,
        StatusCode::UNPROCESSABLE_ENTITY
    );

    // Without a trusted proxy the header is ignored: changing it does not escape the limit.
    let direct = spawn_app_with(Options {
        rate_per_minute: 2,
        ..Options::default()
    })
    .await;
    assert_eq!(
        post(&direct, &direct.client, "203.0.113.5").await,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        post(&direct, &direct.client, "203.0.113.6").await,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        post(&direct, &direct.client, "203.0.113.7").await,
        StatusCode::TOO_MANY_REQUESTS
    );
}

#[tokio::test]
async fn two_instances_share_sessions_limits_and_send_each_mail_once() {
    let app = spawn_app().await;
    let second = app.another_instance().await;

    // A login on one instance continues on the other.
    assert_redirect(&app.login("abarre1", PASSWORD).await, "/accueil");
    let resp = app
        .client
        .get(format!("{second}/accueil"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert!(
        resp.text()
            .await
            .unwrap()
            .contains("Bonjour Monsieur ABARRE Jérémie")
    );

    // The per-identifier delay holds across both.
    let other = new_client();
    for i in 0..4 {
        let base = if i % 2 == 0 {
            app.address.clone()
        } else {
            second.clone()
        };
        let html = other
            .get(format!("{base}/connexion"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let token = csrf_of(&html);
        let status = other
            .post(format!("{base}/connexion"))
            .form(&[
                ("csrf_token", token.as_str()),
                ("site", "valognes"),
                ("identifiant", "torre1"),
                ("mot_de_passe", "Mauvais2026"),
            ])
            .send()
            .await
            .unwrap()
            .status();
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let html = other
        .get(format!("{second}/connexion"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let token = csrf_of(&html);
    let status = other
        .post(format!("{second}/connexion"))
        .form(&[
            ("csrf_token", token.as_str()),
            ("site", "valognes"),
            ("identifiant", "torre1"),
            ("mot_de_passe", "Mauvais2026"),
        ])
        .send()
        .await
        .unwrap()
        .status();
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);

    // Thirty mails queued at once: both workers run, each mail leaves exactly once.
    let mut conn = app.pool.acquire().await.unwrap();
    for n in 0..30 {
        portee::mail::enqueue(
            &mut conn,
            None,
            &portee::mail::Outgoing {
                to: format!("famille{n}@example.org"),
                subject: format!("Message {n}"),
                body: "Bonjour".into(),
            },
        )
        .await
        .unwrap();
    }
    drop(conn);
    for _ in 0..100 {
        if app
            .count("select cast(count(*) as bigint) from mail_outbox where sent_at is null")
            .await
            == 0
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(
        app.count("select cast(count(*) as bigint) from mail_outbox where sent_at is null")
            .await,
        0
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    let files = app
        .mails()
        .into_iter()
        .filter(|m| m.contains("Subject: Message "))
        .count();
    assert_eq!(files, 30, "each mail written once");
}

#[tokio::test]
async fn a_mail_carries_a_message_id_made_from_its_outbox_row() {
    let app = spawn_app().await;
    app.request_reset(&app.client, "abarre1", "jeremie.abarre@example.org")
        .await;
    let mail = app
        .wait_for_mails("jeremie.abarre@example.org", 1)
        .await
        .remove(0);
    let (id,): (i64,) = sqlx::query_as("select mail_id from mail_outbox")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert!(
        mail.contains(&format!("Message-ID: <{id}.portee@example.org>")),
        "{mail}"
    );
}
