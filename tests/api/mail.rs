use std::time::Duration;

use reqwest::StatusCode;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

use crate::helpers::*;

const JEREMIE: &str = "jeremie.abarre@example.org";

#[tokio::test]
async fn a_lost_password_request_answers_the_same_whether_or_not_it_matches() {
    let app = spawn_app().await;
    let matching = app.request_reset(&app.client, "abarre1", JEREMIE).await;
    let wrong_mail = app
        .request_reset(&app.client, "abarre1", "autre@example.org")
        .await;
    let unknown = app.request_reset(&app.client, "personne9", JEREMIE).await;
    for resp in [&matching, &wrong_mail, &unknown] {
        assert_redirect(resp, "/mot-de-passe-perdu/envoye");
    }
    let html = app
        .get_html(&app.client, "/mot-de-passe-perdu/envoye")
        .await;
    assert!(html.contains("valable 30\u{a0}minutes"));
    // Only the match produced a mail.
    app.wait_for_mails(JEREMIE, 1).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(app.mails().len(), 1);
    assert_eq!(
        app.count("select cast(count(*) as bigint) from password_reset")
            .await,
        1
    );
}

#[tokio::test]
async fn empty_fields_of_the_lost_password_form_are_named() {
    let app = spawn_app().await;
    let resp = app
        .post_form(
            &app.client,
            "/mot-de-passe-perdu",
            "/mot-de-passe-perdu",
            &[("site", "valognes"), ("identifiant", ""), ("email", "")],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = resp.text().await.unwrap();
    assert!(html.contains("Saisissez votre identifiant."));
    assert!(html.contains("Saisissez votre adresse e-mail."));
    let resp = app
        .request_reset(&app.client, "abarre1", "pas-une-adresse")
        .await;
    let html = resp.text().await.unwrap();
    assert!(html.contains("« pas-une-adresse » n'est pas une adresse e-mail valide"));
    assert!(html.contains("value=\"abarre1\""));
}

#[tokio::test]
async fn the_reset_link_works_once_and_the_old_password_works_until_then() {
    let app = spawn_app().await;
    let other_device = new_client();
    app.login_with(&other_device, "abarre1", PASSWORD).await;

    app.request_reset(&app.client, "abarre1", JEREMIE).await;
    let mail = app.wait_for_mails(JEREMIE, 1).await.remove(0);
    assert!(
        mail.contains("Pour choisir votre mot de passe, ouvrez ce lien dans les 30 minutes"),
        "{mail}"
    );
    assert!(!mail.contains(PASSWORD), "a mail never carries a password");
    let path = TestApp::reset_path(&mail);
    assert!(path.starts_with("/reinitialisation?jeton="), "{path}");

    // The old password still works while the link is unused.
    assert_redirect(
        &app.login_with(&new_client(), "abarre1", PASSWORD).await,
        "/accueil",
    );

    let html = app.get_html(&app.client, &path).await;
    assert!(html.contains("<h1>Choisir un mot de passe</h1>"));
    let token = csrf_of(&html);
    let submit = |new: &'static str, again: &'static str| {
        let token = token.clone();
        let url = app.url(&path);
        let client = app.client.clone();
        async move {
            client
                .post(url)
                .form(&[
                    ("csrf_token", token.as_str()),
                    ("nouveau", new),
                    ("confirmation", again),
                ])
                .send()
                .await
                .unwrap()
        }
    };
    let resp = submit("faible", "faible").await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(resp.text().await.unwrap().contains("Mot de passe refusé"));
    let resp = submit("Nouveau2027", "Nouveau2027").await;
    assert_redirect(&resp, "/connexion?info=mot-de-passe-choisi");

    // Used: the link is dead, the old password too, the other device logged out.
    let resp = app.get(&path).await;
    assert_eq!(resp.status(), StatusCode::GONE);
    let html = resp.text().await.unwrap();
    assert!(html.contains("Lien expiré ou déjà utilisé"));
    assert!(html.contains("href=\"/mot-de-passe-perdu\""));
    assert_eq!(
        submit("Clavecin2028", "Clavecin2028").await.status(),
        StatusCode::GONE
    );
    assert_eq!(
        app.login_with(&new_client(), "abarre1", PASSWORD)
            .await
            .status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_redirect(
        &app.login_with(&new_client(), "abarre1", "Nouveau2027")
            .await,
        "/accueil",
    );
    assert_redirect(&app.get_with(&other_device, "/accueil").await, "/connexion");
}

#[tokio::test]
async fn an_expired_or_forged_link_offers_a_new_one() {
    let app = spawn_app().await;
    app.request_reset(&app.client, "abarre1", JEREMIE).await;
    let path = TestApp::reset_path(&app.wait_for_mails(JEREMIE, 1).await[0]);
    sqlx::query("update password_reset set expires_at = created_at + 1800 - 3600")
        .execute(&app.pool)
        .await
        .unwrap();
    let resp = app.get(&path).await;
    assert_eq!(resp.status(), StatusCode::GONE);
    assert!(
        resp.text()
            .await
            .unwrap()
            .contains("Demander un nouveau lien")
    );
    let resp = app.get("/reinitialisation?jeton=forged-token").await;
    assert_eq!(resp.status(), StatusCode::GONE);
    assert_eq!(
        app.get("/reinitialisation").await.status(),
        StatusCode::GONE
    );
}

#[tokio::test]
async fn no_more_than_three_reset_mails_an_hour_per_account() {
    let app = spawn_app().await;
    for _ in 0..5 {
        assert_redirect(
            &app.request_reset(&app.client, "abarre1", JEREMIE).await,
            "/mot-de-passe-perdu/envoye",
        );
    }
    app.wait_for_mails(JEREMIE, 3).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(app.mails().len(), 3);
}

/// A minimal SMTP server that records the DATA of each message.
async fn smtp_sink() -> (u16, tokio::sync::mpsc::UnboundedReceiver<String>) {
    smtp_sink_on(TcpListener::bind("127.0.0.1:0").await.unwrap())
}

/// A minimal SMTP server on `listener`: every message received is sent to the channel.
fn smtp_sink_on(listener: TcpListener) -> (u16, tokio::sync::mpsc::UnboundedReceiver<String>) {
    let port = listener.local_addr().unwrap().port();
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel();
    tokio::spawn(async move {
        loop {
            let (socket, _) = listener.accept().await.unwrap();
            let tx = tx.clone();
            tokio::spawn(async move {
                let (read, mut write) = socket.into_split();
                let mut lines = BufReader::new(read).lines();
                write.write_all(b"220 sink ESMTP\r\n").await.unwrap();
                let mut in_data = false;
                let mut data = String::new();
                while let Ok(Some(line)) = lines.next_line().await {
                    if in_data {
                        if line == "." {
                            in_data = false;
                            tx.send(std::mem::take(&mut data)).unwrap();
                            write.write_all(b"250 queued\r\n").await.unwrap();
                        } else {
                            data.push_str(&line);
                            data.push('\n');
                        }
                        continue;
                    }
                    let verb = line
                        .split_whitespace()
                        .next()
                        .unwrap_or("")
                        .to_ascii_uppercase();
                    let reply: &[u8] = match verb.as_str() {
                        "EHLO" => b"250-sink\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n",
                        "HELO" | "MAIL" | "RCPT" | "RSET" | "NOOP" => b"250 ok\r\n",
                        "DATA" => {
                            in_data = true;
                            b"354 go ahead\r\n"
                        }
                        "QUIT" => {
                            write.write_all(b"221 bye\r\n").await.unwrap();
                            break;
                        }
                        _ => b"502 not implemented\r\n",
                    };
                    write.write_all(reply).await.unwrap();
                }
            });
        }
    });
    (port, rx)
}

/// The portal with SMTP on a port nothing listens on (for now): every attempt fails.
async fn app_with_smtp_down() -> (TestApp, u16) {
    let port = TcpListener::bind("127.0.0.1:0")
        .await
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let app = spawn_app_with(Options {
        smtp_url: Some(format!("smtp://127.0.0.1:{port}")),
        ..Options::default()
    })
    .await;
    (app, port)
}

#[tokio::test]
async fn the_reset_mail_is_sent_over_real_smtp() {
    let (port, mut received) = smtp_sink().await;
    let app = spawn_app_with(Options {
        smtp_url: Some(format!("smtp://127.0.0.1:{port}")),
        ..Options::default()
    })
    .await;
    app.request_reset(&app.client, "abarre1", JEREMIE).await;
    let message = tokio::time::timeout(Duration::from_secs(10), received.recv())
        .await
        .expect("a mail within 10 s")
        .unwrap();
    let message = decode_mail(&message);
    assert!(message.contains(&format!("To: {JEREMIE}")), "{message}");
    assert!(message.contains("/reinitialisation?jeton="));
    // Marked sent once the server acknowledged it.
    let mut sent = 0;
    for _ in 0..50 {
        sent = app
            .count("select cast(count(*) as bigint) from mail_outbox where sent_at is not null")
            .await;
        if sent == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(sent, 1);
}

#[tokio::test]
async fn a_mail_stays_queued_while_the_transport_is_down() {
    let (app, _) = app_with_smtp_down().await;
    assert_redirect(
        &app.request_reset(&app.client, "abarre1", JEREMIE).await,
        "/mot-de-passe-perdu/envoye",
    );
    for _ in 0..100 {
        if app
            .count("select cast(count(*) as bigint) from mail_outbox where attempts > 0")
            .await
            > 0
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let (attempts, sent, error): (i64, Option<i64>, Option<String>) =
        sqlx::query_as("select attempts, sent_at, last_error from mail_outbox")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert!(attempts >= 1);
    assert_eq!(sent, None, "not marked sent");
    assert!(error.is_some_and(|e| !e.is_empty()));
}

#[tokio::test]
async fn staff_see_their_schools_undelivered_mails_and_can_retry_them() {
    let (app, _) = app_with_smtp_down().await;
    app.request_reset(&app.client, "abarre1", JEREMIE).await;
    for _ in 0..100 {
        if app
            .count("select cast(count(*) as bigint) from mail_outbox where attempts > 0")
            .await
            > 0
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let staff = new_client();
    staff_login(&app, &staff).await;
    let html = app.get_html(&staff, "/gestion/courriels").await;
    assert!(has_row(&html, "courriels-legende", &[JEREMIE]), "{html}");
    assert!(html.contains("1 courriel non remis"));
    let (id, before): (i64, i64) =
        sqlx::query_as("select mail_id, next_attempt_at from mail_outbox")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert!(before > portee::db::now() + 5, "the next attempt is later");
    let resp = app
        .post_form(
            &staff,
            "/gestion/courriels",
            "/gestion/courriels",
            &[("courriel", &id.to_string())],
        )
        .await;
    assert_redirect(&resp, "/gestion/courriels?info=nouvel-essai");
    // Another school's mails are not shown.
    sqlx::query(
        "update mail_outbox set site_id = (select site_id from site where slug = 'conservatoire1')",
    )
    .execute(&app.pool)
    .await
    .unwrap();
    assert!(
        app.get_html(&staff, "/gestion/courriels")
            .await
            .contains("Aucun courriel en souffrance.")
    );
    // Families never see this page.
    app.login("abarre1", PASSWORD).await;
    assert_eq!(
        app.get("/gestion/courriels").await.status(),
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn mail_queued_while_smtp_is_down_is_all_delivered_once_it_is_back() {
    let (app, port) = app_with_smtp_down().await;
    // A burst of accessibility reports: a mail to the school each, all refused by the dead
    // transport.
    for n in 0..10 {
        let resp = app
            .post_form(
                &app.client,
                "/accessibilite/declaration",
                "/accessibilite/signalement",
                &[
                    ("ecole", "valognes"),
                    ("email", &format!("panne{n}@example.org")),
                    ("message", "Le lecteur d'écran ne lit pas le tableau."),
                ],
            )
            .await;
        assert_eq!(resp.status(), StatusCode::SEE_OTHER);
    }
    for _ in 0..100 {
        if app
            .count("select cast(count(*) as bigint) from mail_outbox where attempts > 0 and sent_at is null")
            .await
            == 10
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(
        app.count("select cast(count(*) as bigint) from mail_outbox where sent_at is null")
            .await,
        10,
        "all kept while SMTP is down"
    );
    // SMTP comes back; the retry delay is over.
    let (_, mut received) = smtp_sink_on(TcpListener::bind(("127.0.0.1", port)).await.unwrap());
    sqlx::query("update mail_outbox set next_attempt_at = 0")
        .execute(&app.pool)
        .await
        .unwrap();
    let mut messages = Vec::new();
    while messages.len() < 10 {
        let m = tokio::time::timeout(Duration::from_secs(20), received.recv())
            .await
            .expect("every mail after recovery")
            .unwrap();
        messages.push(decode_mail(&m));
    }
    for n in 0..10 {
        assert_eq!(
            messages
                .iter()
                .filter(|m| m.contains(&format!("panne{n}@example.org")))
                .count(),
            1,
            "one report from panne{n}"
        );
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        app.count("select cast(count(*) as bigint) from mail_outbox where sent_at is null")
            .await,
        0
    );
    assert!(received.try_recv().is_err(), "no mail sent twice");
}
