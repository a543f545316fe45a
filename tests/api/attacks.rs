//! Attacks on the running portal, replayed: what the lost-password form's timing tells,
//! writes racing the mail worker, oversized bodies, stalled connections.

use std::time::Duration;

use reqwest::StatusCode;

use crate::helpers::*;

/// Holds the database's write lock (SQLite) or the reset links' table (PostgreSQL) until
/// the returned connection is released.
async fn hold_reset_writes(app: &TestApp) -> sqlx::pool::PoolConnection<sqlx::Any> {
    let mut conn = app.pool.acquire().await.unwrap();
    if portee::db::is_postgres(&app.pool) {
        sqlx::query("begin").execute(&mut *conn).await.unwrap();
        sqlx::query("lock table password_reset in exclusive mode")
            .execute(&mut *conn)
            .await
            .unwrap();
    } else {
        sqlx::query("begin immediate")
            .execute(&mut *conn)
            .await
            .unwrap();
    }
    conn
}

#[tokio::test]
async fn the_lost_password_answer_does_not_wait_for_the_work_a_match_causes() {
    let app = spawn_app().await;
    // While nothing can be written, a matching pair and a wrong one answer alike and at
    // once: the answer cannot depend on the lookup, the link or its mail.
    let mut lock = hold_reset_writes(&app).await;
    for (identifier, email) in [
        ("abarre1", "jeremie.abarre@example.org"),
        ("abarre1", "quelquun@example.org"),
        ("personne9", "jeremie.abarre@example.org"),
    ] {
        let client = new_client();
        let html = app.get_html(&client, "/mot-de-passe-perdu").await;
        let sent = client
            .post(app.url("/mot-de-passe-perdu"))
            .form(&[
                ("csrf_token", csrf_of(&html).as_str()),
                ("site", "valognes"),
                ("identifiant", identifier),
                ("email", email),
            ])
            .send();
        let resp = tokio::time::timeout(Duration::from_secs(3), sent)
            .await
            .unwrap_or_else(|_| {
                panic!("{identifier} / {email}: the answer waited for the database")
            })
            .unwrap();
        assert_redirect(&resp, "/mot-de-passe-perdu/envoye");
    }
    sqlx::query("rollback").execute(&mut *lock).await.unwrap();
    drop(lock);
    // The work happens once the database is free again: the matching pair gets its mail.
    let mails = app.wait_for_mails("jeremie.abarre@example.org", 1).await;
    assert!(mails[0].contains("/reinitialisation?jeton="));
}

#[tokio::test]
async fn writes_racing_the_mail_worker_never_fail() {
    let app = spawn_app().await;
    // Each request reads then writes (reset links, record changes) while the mail worker
    // claims and marks the mails they queue.
    let mut tasks = Vec::new();
    for i in 0..8 {
        let client = new_client();
        let base = app.address.clone();
        tasks.push(tokio::spawn(async move {
            let mut statuses = Vec::new();
            for _ in 0..12 {
                let html = client
                    .get(format!("{base}/mot-de-passe-perdu"))
                    .send()
                    .await
                    .unwrap()
                    .text()
                    .await
                    .unwrap();
                let resp = client
                    .post(format!("{base}/mot-de-passe-perdu"))
                    .form(&[
                        ("csrf_token", csrf_of(&html).as_str()),
                        ("site", "valognes"),
                        ("identifiant", if i % 2 == 0 { "abarre1" } else { "torre1" }),
                        (
                            "email",
                            if i % 2 == 0 {
                                "jeremie.abarre@example.org"
                            } else {
                                "amelia.torre@example.org"
                            },
                        ),
                    ])
                    .send()
                    .await
                    .unwrap();
                statuses.push(resp.status());
            }
            statuses
        }));
    }
    app.login("abarre1", PASSWORD).await;
    for n in 0..20 {
        let phone = format!("06 12 34 56 {n:02}");
        let resp = app
            .post_record(
                &app.client,
                "/famille",
                &crate::records::with(crate::records::JEREMIE, &[("tel_portable", &phone)]),
            )
            .await;
        assert!(
            !resp.status().is_server_error(),
            "record change {n}: {}",
            resp.status()
        );
    }
    for t in tasks {
        for status in t.await.unwrap() {
            assert!(!status.is_server_error(), "{status}");
        }
    }
    // The background work of the lost-password requests did not fail either.
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(
        app.count("select cast(count(*) as bigint) from password_reset")
            .await
            >= 2,
        "reset links were created"
    );
}

#[tokio::test]
async fn an_oversized_body_gets_a_413_page_and_is_not_read() {
    let app = spawn_app().await;
    app.login("abarre1", PASSWORD).await;
    let token = csrf_of(&app.get_html(&app.client, "/famille").await);
    // A form of 1 MB.
    let big = "a".repeat(1024 * 1024);
    let resp = app
        .client
        .post(app.url("/famille"))
        .form(&[("csrf_token", token.as_str()), ("profession", big.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert!(resp.text().await.unwrap().contains("<h1>"));
    // A JSON or text body to any page: the same.
    let resp = app
        .client
        .post(app.url("/famille"))
        .header("content-type", "text/plain")
        .body(big.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::PAYLOAD_TOO_LARGE);
}

/// A raw connection to the portal (below HTTP: to send what no client library would).
async fn connect(app: &TestApp) -> tokio::net::TcpStream {
    tokio::net::TcpStream::connect(app.address.trim_start_matches("http://"))
        .await
        .unwrap()
}

/// Reads until the server closes the connection (or `within` runs out: then None).
async fn read_until_closed(stream: &mut tokio::net::TcpStream, within: Duration) -> Option<String> {
    use tokio::io::AsyncReadExt;
    let mut got = Vec::new();
    let read = async {
        let mut buf = [0u8; 4096];
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => got.extend_from_slice(&buf[..n]),
            }
        }
    };
    tokio::time::timeout(within, read).await.ok()?;
    Some(String::from_utf8_lossy(&got).into_owned())
}

fn short_limits() -> portee::config::HttpLimits {
    portee::config::HttpLimits {
        header_timeout: Duration::from_secs(1),
        idle_timeout: Duration::from_secs(1),
        request_timeout: Duration::from_secs(2),
        max_connections: 64,
    }
}

#[tokio::test]
async fn stalled_and_slow_dripping_connections_are_closed() {
    use tokio::io::AsyncWriteExt;
    let app = spawn_app_with(Options {
        http: short_limits(),
        ..Options::default()
    })
    .await;
    // A connection that sends nothing.
    let mut idle = connect(&app).await;
    assert!(
        read_until_closed(&mut idle, Duration::from_secs(5))
            .await
            .is_some(),
        "a silent connection is closed"
    );
    // A head sent a byte every 200 ms (it would take 8 s): closed long before.
    let mut drip = connect(&app).await;
    let head = b"GET /connexion HTTP/1.1\r\nHost: portail\r\nUser-Agent: lent\r\n\r\n";
    let started = std::time::Instant::now();
    let mut closed = false;
    for b in head {
        if drip.write_all(&[*b]).await.is_err() {
            closed = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    if !closed {
        let answer = read_until_closed(&mut drip, Duration::from_secs(1)).await;
        closed = answer.is_some_and(|a| !a.contains("200 OK"));
    }
    assert!(closed, "the dripping head was cut");
    assert!(started.elapsed() < Duration::from_secs(8));
    // An idle keep-alive connection is closed after its request.
    let mut kept = connect(&app).await;
    kept.write_all(b"GET /healthz HTTP/1.1\r\nHost: portail\r\n\r\n")
        .await
        .unwrap();
    let answer = read_until_closed(&mut kept, Duration::from_secs(5))
        .await
        .expect("closed while idle");
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
}

#[tokio::test]
async fn a_body_sent_too_slowly_gets_a_408() {
    use tokio::io::AsyncWriteExt;
    let app = spawn_app_with(Options {
        http: portee::config::HttpLimits {
            // Long enough for the trickle below not to look idle.
            idle_timeout: Duration::from_secs(5),
            ..short_limits()
        },
        ..Options::default()
    })
    .await;
    let mut slow = connect(&app).await;
    slow.write_all(
        b"POST /connexion HTTP/1.1\r\nHost: portail\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000\r\n\r\n",
    )
    .await
    .unwrap();
    let trickle = async {
        for _ in 0..40 {
            if slow.write_all(b"a").await.is_err() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    };
    let _ = tokio::time::timeout(Duration::from_secs(4), trickle).await;
    let answer = read_until_closed(&mut slow, Duration::from_secs(5))
        .await
        .unwrap_or_default();
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
}

#[tokio::test]
async fn connections_beyond_the_bound_wait_their_turn() {
    use tokio::io::AsyncWriteExt;
    let app = spawn_app_with(Options {
        http: portee::config::HttpLimits {
            header_timeout: Duration::from_secs(30),
            idle_timeout: Duration::from_secs(30),
            max_connections: 3,
            ..short_limits()
        },
        ..Options::default()
    })
    .await;
    let mut held = Vec::new();
    for _ in 0..3 {
        held.push(connect(&app).await);
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    let mut fourth = connect(&app).await;
    fourth
        .write_all(b"GET /healthz HTTP/1.1\r\nHost: portail\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    assert!(
        read_until_closed(&mut fourth, Duration::from_millis(700))
            .await
            .is_none(),
        "not served while three connections are held"
    );
    held.pop();
    let answer = read_until_closed(&mut fourth, Duration::from_secs(5))
        .await
        .expect("served once one is released");
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
}

/// A body of `total` bytes made as it is sent, counting what the server pulled.
fn generated_body(
    head: Vec<u8>,
    total: usize,
    pulled: std::sync::Arc<std::sync::atomic::AtomicUsize>,
) -> reqwest::Body {
    let chunk = vec![b'a'; 64 * 1024];
    let mut sent = 0usize;
    let mut head = Some(head);
    let stream = futures_util::stream::poll_fn(move |_| {
        if let Some(h) = head.take() {
            pulled.fetch_add(h.len(), std::sync::atomic::Ordering::Relaxed);
            return std::task::Poll::Ready(Some(Ok::<_, std::io::Error>(h)));
        }
        if sent >= total {
            return std::task::Poll::Ready(None);
        }
        sent += chunk.len();
        pulled.fetch_add(chunk.len(), std::sync::atomic::Ordering::Relaxed);
        std::task::Poll::Ready(Some(Ok(chunk.clone())))
    });
    reqwest::Body::wrap_stream(stream)
}

#[tokio::test]
async fn a_200_mb_upload_field_is_cut_without_being_read() {
    let app = spawn_app().await;
    app.login("abarre1", PASSWORD).await;
    let irina = app.person_id("Irina").await;
    let page = format!("/eleves/{irina}/reinscription");
    let token = csrf_of(&app.get_html(&app.client, &page).await);
    let url = app.url(&format!("{page}/documents?csrf_token={token}"));
    let boundary = "XXportee";
    // 1. A 200 MB "document" field, sent chunked (no length announced).
    let pulled = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let head = format!("--{boundary}\r\nContent-Disposition: form-data; name=\"document\"\r\n\r\n")
        .into_bytes();
    let resp = app
        .client
        .post(&url)
        .header(
            "content-type",
            format!("multipart/form-data; boundary={boundary}"),
        )
        .body(generated_body(head, 200 * 1024 * 1024, pulled.clone()))
        .send()
        .await;
    if let Ok(resp) = resp {
        assert!(
            matches!(
                resp.status(),
                StatusCode::PAYLOAD_TOO_LARGE | StatusCode::UNPROCESSABLE_ENTITY
            ),
            "{}",
            resp.status()
        );
    }
    let read = pulled.load(std::sync::atomic::Ordering::Relaxed);
    assert!(
        read < 60 * 1024 * 1024,
        "the server stopped reading early ({read} bytes pulled)"
    );
    // 2. The same announced by its length: refused before a byte of it is read.
    {
        use tokio::io::AsyncWriteExt;
        let mut raw = connect(&app).await;
        raw.write_all(
            format!(
                "POST {page}/documents?csrf_token={token} HTTP/1.1\r\nHost: portail\r\n\
                 Content-Type: multipart/form-data; boundary={boundary}\r\n\
                 Content-Length: {}\r\n\r\n",
                200u64 * 1024 * 1024
            )
            .as_bytes(),
        )
        .await
        .unwrap();
        let answer = read_until_closed(&mut raw, Duration::from_secs(5))
            .await
            .expect("answered and closed without the body");
        assert!(answer.starts_with("HTTP/1.1 413"), "{answer}");
        assert!(answer.contains("Envoi trop volumineux"));
    }
    // 3. A long "document" field inside a small upload: named, nothing stored.
    let form = reqwest::multipart::Form::new()
        .text("document", "9".repeat(100_000))
        .part(
            "fichier",
            reqwest::multipart::Part::bytes(b"%PDF-1.7\n%%EOF\n".to_vec()).file_name("a.pdf"),
        );
    let resp = app.client.post(&url).multipart(form).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        resp.text()
            .await
            .unwrap()
            .contains("un champ du formulaire est trop long")
    );
}
