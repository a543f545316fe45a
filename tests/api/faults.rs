//! Faults and load, on the real binary: `kill -9` in the middle of a burst of writes, then a
//! restart (every acknowledged write is there, whole, and every queued mail goes out); and a
//! mixed load of families reading and writing (no error, no 5xx, every acknowledged write
//! stored). The load's size comes from PORTEE_LOAD_CLIENTS and PORTEE_LOAD_SECONDS (CI runs a
//! short form; the full form is 256 clients for 60 s).

use std::process::{Child, Command};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use reqwest::{Client, StatusCode};

use crate::helpers::{PASSWORD, csrf_of, new_client, page_text};

/// `portee demo` as a child process on a free port, in its own folder.
pub struct Demo {
    pub dir: tempfile::TempDir,
    port: u16,
    child: Option<Child>,
    /// More environment for the server (its log filter, its log format…).
    pub env: Vec<(String, String)>,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl Demo {
    pub fn new() -> Self {
        Demo {
            dir: tempfile::tempdir().unwrap(),
            port: free_port(),
            child: None,
            env: Vec::new(),
        }
    }

    /// Starts (or restarts) `portee demo` on the same database and mail folder.
    pub async fn start(&mut self) {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_portee"));
        for (k, _) in std::env::vars() {
            if k.starts_with("PORTEE_") {
                cmd.env_remove(k);
            }
        }
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.dir.path().join("portee.log"))
            .unwrap();
        let child = cmd
            .current_dir(self.dir.path())
            .env("PORTEE_MAIL_DIR", self.dir.path().join("mail"))
            .env("PORTEE_LOGIN_RATE_PER_MINUTE", "100000")
            .env("PORTEE_POST_RATE_PER_MINUTE", "100000")
            .env("RUST_LOG", "warn")
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .args(["demo", "--bind", &format!("127.0.0.1:{}", self.port)])
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .unwrap();
        self.child = Some(child);
        let client = new_client();
        for _ in 0..300 {
            if client.get(self.url("/healthz")).send().await.is_ok() {
                return;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("the demo did not start");
    }

    pub fn kill_9(&mut self) {
        if let Some(mut c) = self.child.take() {
            c.kill().unwrap(); // SIGKILL on Unix: no shutdown, no flush
            c.wait().unwrap();
        }
    }

    /// Logs `client` in through a login form (`/connexion` or `/gestion/connexion`).
    pub async fn log_in(&self, client: &Client, form: &str, identifier: &str) {
        let page = page_text(client, self.url(form)).await;
        let resp = client
            .post(self.url(form))
            .form(&[
                ("csrf_token", csrf_of(&page).as_str()),
                ("site", "valognes"),
                ("identifiant", identifier),
                ("mot_de_passe", PASSWORD),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::SEE_OTHER, "{identifier} logs in");
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    /// Mails that name `address` (in a header or in their text).
    fn mails_naming(&self, address: &str) -> usize {
        let Ok(entries) = std::fs::read_dir(self.dir.path().join("mail")) else {
            return 0;
        };
        entries
            .filter_map(|e| e.ok())
            .filter_map(|e| std::fs::read_to_string(e.path()).ok())
            .filter(|m| m.contains(address))
            .count()
    }

    pub async fn pool(&self) -> portee::db::Pool {
        let url = format!(
            "sqlite://{}",
            self.dir.path().join("portee-demo.db").display()
        );
        portee::db::connect(&url).await.unwrap()
    }
}

impl Drop for Demo {
    fn drop(&mut self) {
        self.kill_9();
    }
}

/// One accessibility report, as a visitor sends it; true when the portal acknowledged it.
async fn report(base: &str, client: &Client, n: usize) -> bool {
    let Ok(page) = client
        .get(format!("{base}/accessibilite/declaration"))
        .send()
        .await
    else {
        return false;
    };
    let Ok(html) = page.text().await else {
        return false;
    };
    let token = csrf_of(&html);
    let email = format!("signalement{n}@example.org");
    let message = format!("Signalement numéro {n} : le tableau est illisible.");
    let resp = client
        .post(format!("{base}/accessibilite/signalement"))
        .form(&[
            ("csrf_token", token.as_str()),
            ("ecole", "valognes"),
            ("email", &email),
            ("message", &message),
        ])
        .send()
        .await;
    matches!(resp, Ok(r) if r.status() == StatusCode::SEE_OTHER)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn acknowledged_writes_survive_kill_9_and_queued_mail_goes_out_after_restart() {
    let mut demo = Demo::new();
    demo.start().await;
    let base = demo.url("");
    let acknowledged = Arc::new(std::sync::Mutex::new(Vec::new()));
    let started = Arc::new(AtomicUsize::new(0));
    let mut tasks = Vec::new();
    for worker in 0..8 {
        let (base, acknowledged, started) = (base.clone(), acknowledged.clone(), started.clone());
        tasks.push(tokio::spawn(async move {
            let client = new_client();
            for k in 0..40 {
                let n = worker * 1000 + k;
                started.fetch_add(1, Ordering::SeqCst);
                if report(&base, &client, n).await {
                    acknowledged.lock().unwrap().push(n);
                }
            }
        }));
    }
    // Kill the server in the middle of the burst.
    loop {
        tokio::time::sleep(Duration::from_millis(20)).await;
        if acknowledged.lock().unwrap().len() >= 25 {
            break;
        }
    }
    demo.kill_9();
    for t in tasks {
        t.await.unwrap();
    }
    let acknowledged = acknowledged.lock().unwrap().clone();
    assert!(acknowledged.len() >= 25 && started.load(Ordering::SeqCst) > acknowledged.len());

    demo.start().await;
    // Every acknowledged report is stored whole (its audit line and its mail) and every
    // mail is delivered after the restart.
    let pool = demo.pool().await;
    let (audited,): (i64,) = sqlx::query_as(
        "select cast(count(*) as bigint) from audit_log where action = 'a11y_report'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert!(audited as usize >= acknowledged.len());
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let missing: Vec<usize> = acknowledged
            .iter()
            .copied()
            .filter(|n| demo.mails_naming(&format!("signalement{n}@example.org")) == 0)
            .collect();
        if missing.is_empty() {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "no mail for acknowledged reports {missing:?}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let (unsent,): (i64,) =
        sqlx::query_as("select cast(count(*) as bigint) from mail_outbox where sent_at is null")
            .fetch_one(&pool)
            .await
            .unwrap();
    assert_eq!(unsent, 0, "the outbox is empty after the restart");
    // Nothing half-written: the outbox holds one mail per stored report.
    let (queued,): (i64,) = sqlx::query_as("select cast(count(*) as bigint) from mail_outbox where subject like '%signalement d''accessibilité%'")
        .fetch_one(&pool)
        .await
        .unwrap();
    assert_eq!(queued, audited);
}

/// The fields of the record form of a page, as a browser would send them: inputs (checked
/// radios only), selects (the selected option) and text areas.
pub fn record_form_fields(html: &str) -> Vec<(String, String)> {
    let marker = html.find("record-form").expect("a record form");
    let start = html[..marker].rfind("<form").expect("a form tag");
    let form = &html[start..start + html[start..].find("</form>").expect("form end")];
    let unescape = |v: &str| {
        v.replace("&quot;", "\"")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&amp;", "&")
    };
    let attr = |tag: &str, name: &str| {
        tag.find(&format!(" {name}=\"")).map(|s| {
            let v = &tag[s + name.len() + 3..];
            unescape(&v[..v.find('"').unwrap_or(0)])
        })
    };
    let mut fields = Vec::new();
    let mut rest = form;
    while let Some(i) = rest.find('<') {
        rest = &rest[i..];
        let end = rest.find('>').unwrap_or(rest.len());
        let tag = &rest[..end];
        if tag.starts_with("<input ") {
            if let Some(n) = attr(tag, "name") {
                let kind = attr(tag, "type").unwrap_or_default();
                if !(kind == "radio" || kind == "checkbox") || tag.contains(" checked") {
                    fields.push((n, attr(tag, "value").unwrap_or_default()));
                }
            }
        } else if tag.starts_with("<select ") {
            let name = attr(tag, "name").unwrap_or_default();
            let close = rest.find("</select>").unwrap_or(rest.len());
            let options = &rest[..close];
            let chosen = options
                .split("<option")
                .skip(1)
                .find(|o| o.contains(" selected"))
                .or_else(|| options.split("<option").nth(1))
                .and_then(|o| attr(&format!(" {o}"), "value"))
                .unwrap_or_default();
            fields.push((name, chosen));
            rest = &rest[close..];
            continue;
        } else if tag.starts_with("<textarea ") {
            let name = attr(tag, "name").unwrap_or_default();
            let body_end = rest.find("</textarea>").unwrap_or(rest.len());
            fields.push((name, unescape(&rest[end + 1..body_end])));
            rest = &rest[body_end..];
            continue;
        }
        rest = &rest[end.min(rest.len())..];
        if rest.len() <= 1 {
            break;
        }
        rest = &rest[1..];
    }
    fields
}

/// A family's session on the demo.
async fn family(demo: &Demo, identifier: &str) -> Client {
    let client = new_client();
    demo.log_in(&client, "/connexion", identifier).await;
    client
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn families_reading_and_writing_at_once_get_no_error_and_lose_nothing() {
    let clients: usize = std::env::var("PORTEE_LOAD_CLIENTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(16);
    let seconds: u64 = std::env::var("PORTEE_LOAD_SECONDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5);
    let mut demo = Demo::new();
    demo.start().await;
    let demo = Arc::new(demo);
    let pool = demo.pool().await;
    let identifiers: Vec<(String,)> = sqlx::query_as(
        "select a.identifier from account a join site s on s.site_id = a.site_id \
         where s.slug = 'valognes' and a.is_staff = 0 order by a.identifier",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    let errors = Arc::new(std::sync::Mutex::new(Vec::<String>::new()));
    let writes = Arc::new(AtomicUsize::new(0));
    let reads = Arc::new(AtomicUsize::new(0));
    let end = Instant::now() + Duration::from_secs(seconds);
    let mut tasks = Vec::new();
    for c in 0..clients {
        let identifier = identifiers[c % identifiers.len()].0.clone();
        let (demo, errors, writes, reads) =
            (demo.clone(), errors.clone(), writes.clone(), reads.clone());
        tasks.push(tokio::spawn(async move {
            let client = family(&demo, &identifier).await;
            let mut k = 0;
            while Instant::now() < end {
                k += 1;
                for path in [
                    "/accueil",
                    "/facturation/cotisations",
                    "/eleves",
                    "/emploi-du-temps",
                ] {
                    match client.get(demo.url(path)).send().await {
                        Ok(r) if r.status() == StatusCode::OK => {
                            reads.fetch_add(1, Ordering::Relaxed);
                        }
                        Ok(r) => errors
                            .lock()
                            .unwrap()
                            .push(format!("GET {path}: {}", r.status())),
                        Err(e) => errors.lock().unwrap().push(format!("GET {path}: {e}")),
                    }
                }
                // A write: a new profession on the family record (a change request).
                let html = match client.get(demo.url("/famille")).send().await {
                    Ok(r) => r.text().await.unwrap_or_default(),
                    Err(e) => {
                        errors.lock().unwrap().push(format!("GET /famille: {e}"));
                        continue;
                    }
                };
                if !html.contains("cle_formulaire") {
                    errors.lock().unwrap().push("GET /famille: no form".into());
                    continue;
                }
                let mut fields = record_form_fields(&html);
                let profession = format!("Musicien {c}-{k}");
                fields.retain(|(n, _)| n != "profession");
                fields.push(("profession".into(), profession.clone()));
                match client.post(demo.url("/famille")).form(&fields).send().await {
                    Ok(r) if r.status() == StatusCode::SEE_OTHER => {
                        writes.fetch_add(1, Ordering::Relaxed);
                    }
                    Ok(r) if r.status().is_server_error() => errors
                        .lock()
                        .unwrap()
                        .push(format!("POST /famille: {}", r.status())),
                    Ok(r) => errors
                        .lock()
                        .unwrap()
                        .push(format!("POST /famille: {}", r.status())),
                    Err(e) => errors.lock().unwrap().push(format!("POST /famille: {e}")),
                }
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let errors = errors.lock().unwrap().clone();
    assert!(
        errors.is_empty(),
        "{} errors, first: {:?}",
        errors.len(),
        &errors[..errors.len().min(5)]
    );
    let writes = writes.load(Ordering::Relaxed);
    let (stored,): (i64,) = sqlx::query_as(
        "select cast(count(*) as bigint) from change_item where field = 'profession' and new_value like 'Musicien %'",
    )
    .fetch_one(&pool)
    .await
    .unwrap();
    assert_eq!(
        stored as usize, writes,
        "every acknowledged write is stored"
    );
    eprintln!(
        "load: {clients} families for {seconds} s: {} reads and {writes} writes acknowledged, no error",
        reads.load(Ordering::Relaxed)
    );
}
