use std::path::PathBuf;
use std::time::Duration;

use portee::app::Application;
use portee::config::{MailTransport, Settings};
use portee::db::Pool;
use reqwest::{Client, Response, StatusCode};

pub const PASSWORD: &str = "Valognes2026";
/// The public address given to the command-line runs of `portee` (the in-process test
/// apps use their own listener's address, so that links and PayFiP's calls reach them).
pub const BASE_URL: &str = "http://portail.test";

pub struct TestApp {
    pub address: String,
    pub client: Client,
    pub pool: Pool,
    pub mail_dir: PathBuf,
    pub settings: Settings,
    _dir: tempfile::TempDir,
}

pub struct Options {
    pub rate_per_minute: u32,
    pub smtp_url: Option<String>,
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// The demo's PayFiP stand-in (as `portee demo`); off is what `serve` does.
    pub payfip_double: bool,
    /// PayFiP's service address when there is no stand-in.
    pub payfip_service_url: Option<String>,
    pub http: portee::config::HttpLimits,
    /// The demo school (off: an empty database, for tests that build their own school
    /// with `school::TestSchool`).
    pub demo: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            rate_per_minute: 1000,
            smtp_url: None,
            trusted_proxies: Vec::new(),
            payfip_double: true,
            payfip_service_url: None,
            http: portee::config::HttpLimits::default(),
            demo: true,
        }
    }
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(Options::default()).await
}

pub async fn spawn_app_with(options: Options) -> TestApp {
    // The server's logs, shown with a failing test's output.
    let _ = tracing_subscriber::fmt()
        .with_env_filter("warn,portee=info")
        .with_test_writer()
        .try_init();
    let dir = tempfile::tempdir().expect("temp dir");
    let mail_dir = dir.path().join("mail");
    let db_url = match std::env::var("PORTEE_TEST_DATABASE_URL") {
        Ok(admin) if !admin.is_empty() => fresh_postgres_database(&admin).await,
        _ => format!("sqlite://{}?mode=rwc", dir.path().join("test.db").display()),
    };
    let settings = Settings {
        http: options.http,
        html_compression: true,
        database_url: portee::config::Secret(db_url.clone()),
        bind: "127.0.0.1:0".parse().unwrap(),
        // Filled with the listener's own address once bound.
        base_url: String::new(),
        mail: match options.smtp_url {
            Some(u) => MailTransport::Smtp(portee::config::Secret(u)),
            None => MailTransport::Dir(mail_dir.clone()),
        },
        mail_from: "Portail famille <portail@example.org>".to_owned(),
        secure_cookies: false,
        login_rate_per_minute: options.rate_per_minute,
        post_rate_per_minute: 1000,
        trusted_proxies: options.trusted_proxies,
        payfip: if options.payfip_double {
            portee::config::Payfip::stand_in("")
        } else {
            portee::config::Payfip {
                service_url: options
                    .payfip_service_url
                    .unwrap_or(portee::config::Payfip::DEFAULT_SERVICE_URL.to_owned()),
                payment_url: portee::config::Payfip::DEFAULT_PAYMENT_URL.to_owned(),
                mode: portee::features::billing::payfip::Mode::Test,
                test_double: false,
            }
        },
    };
    let pool = portee::db::connect(&db_url).await.expect("database");
    portee::db::migrate(&pool).await.expect("migrations");
    if options.demo {
        portee::demo::seed(&pool).await.expect("demo data");
    }
    let app = Application::build_with_pool(settings.clone(), pool.clone())
        .await
        .expect("application");
    let address = format!("http://127.0.0.1:{}", app.port());
    let settings = app.settings().clone();
    tokio::spawn(app.run_until_stopped());
    TestApp {
        address,
        client: new_client(),
        pool,
        mail_dir,
        settings,
        _dir: dir,
    }
}

/// Creates an empty PostgreSQL database for one test and returns its URL.
/// `admin` is a URL to a database of a role allowed to create databases.
async fn fresh_postgres_database(admin: &str) -> String {
    use sqlx::Connection;
    sqlx::any::install_default_drivers();
    let name = format!("portee_test_{:016x}", rand::random::<u64>());
    let mut conn = sqlx::AnyConnection::connect(admin)
        .await
        .expect("the test PostgreSQL server");
    // The name is ours (hex digits), not user input.
    sqlx::query(sqlx::AssertSqlSafe(format!("create database {name}")))
        .execute(&mut conn)
        .await
        .expect("create the test database");
    let (base, _) = admin.rsplit_once('/').expect("a database URL");
    format!("{base}/{name}")
}

/// A browser: keeps cookies, does not follow redirects (tests check them).
pub fn new_client() -> Client {
    Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// The value of the first `csrf_token` field of a page.
pub fn csrf_of(html: &str) -> String {
    let marker = "name=\"csrf_token\" value=\"";
    let start = html.find(marker).expect("a csrf_token field") + marker.len();
    let end = html[start..].find('"').unwrap() + start;
    html[start..end].to_owned()
}

/// The value of the hidden `cle_formulaire` field (one-time form key) of a page.
pub fn form_key_of(html: &str) -> String {
    let marker = "name=\"cle_formulaire\" value=\"";
    let start = html.find(marker).expect("a cle_formulaire field") + marker.len();
    let end = html[start..].find('"').unwrap() + start;
    html[start..end].to_owned()
}

/// The `<main>` element of a page (what differs between two answers, without tokens).
pub fn main_of(html: &str) -> String {
    let start = html.find("<main").expect("a main element");
    let end = html.find("</main>").expect("main closes") + "</main>".len();
    html[start..end].to_owned()
}

/// The `<title>` of a page.
pub fn title_of(html: &str) -> String {
    let start = html.find("<title>").expect("a title") + "<title>".len();
    let end = html.find("</title>").unwrap();
    html[start..end].to_owned()
}

impl TestApp {
    /// A second instance of the portal on the same database: its own process state (rate
    /// limiter, mail worker, memory), nothing shared but the database. Returns its address.
    pub async fn another_instance(&self) -> String {
        let pool = portee::db::connect(&self.settings.database_url.0)
            .await
            .expect("database");
        let app = Application::build_with_pool(self.settings.clone(), pool)
            .await
            .expect("second instance");
        let address = format!("http://127.0.0.1:{}", app.port());
        tokio::spawn(app.run_until_stopped());
        address
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    pub async fn get(&self, path: &str) -> Response {
        self.get_with(&self.client, path).await
    }

    pub async fn get_with(&self, client: &Client, path: &str) -> Response {
        client.get(self.url(path)).send().await.expect("GET")
    }

    pub async fn get_html(&self, client: &Client, path: &str) -> String {
        self.get_with(client, path).await.text().await.unwrap()
    }

    /// Submits a form found at `page` (its CSRF token is read from the page first).
    pub async fn post_form(
        &self,
        client: &Client,
        page: &str,
        action: &str,
        fields: &[(&str, &str)],
    ) -> Response {
        let html = self.get_html(client, page).await;
        let token = csrf_of(&html);
        let mut all: Vec<(&str, &str)> = vec![("csrf_token", token.as_str())];
        all.extend_from_slice(fields);
        client
            .post(self.url(action))
            .form(&all)
            .send()
            .await
            .expect("POST")
    }

    /// Submits a record form (Famille, Identité) as a browser would, with `fields`.
    pub async fn post_record(
        &self,
        client: &Client,
        path: &str,
        fields: &[(&str, &str)],
    ) -> Response {
        let html = self.get_html(client, path).await;
        let (token, key) = (csrf_of(&html), form_key_of(&html));
        self.post_record_with_key(client, path, fields, &token, &key)
            .await
    }

    pub async fn post_record_with_key(
        &self,
        client: &Client,
        path: &str,
        fields: &[(&str, &str)],
        token: &str,
        key: &str,
    ) -> Response {
        let mut all: Vec<(&str, &str)> = vec![("csrf_token", token), ("cle_formulaire", key)];
        all.extend_from_slice(fields);
        client
            .post(self.url(path))
            .form(&all)
            .send()
            .await
            .expect("POST")
    }

    pub async fn login_with(&self, client: &Client, identifier: &str, password: &str) -> Response {
        self.post_form(
            client,
            "/connexion",
            "/connexion",
            &[
                ("site", "valognes"),
                ("identifiant", identifier),
                ("mot_de_passe", password),
            ],
        )
        .await
    }

    pub async fn login(&self, identifier: &str, password: &str) -> Response {
        self.login_with(&self.client, identifier, password).await
    }

    pub async fn request_reset(&self, client: &Client, identifier: &str, email: &str) -> Response {
        self.post_form(
            client,
            "/mot-de-passe-perdu",
            "/mot-de-passe-perdu",
            &[
                ("site", "valognes"),
                ("identifiant", identifier),
                ("email", email),
            ],
        )
        .await
    }

    /// Every mail written so far, as raw text.
    pub fn mails(&self) -> Vec<String> {
        let Ok(entries) = std::fs::read_dir(&self.mail_dir) else {
            return Vec::new();
        };
        entries
            .filter_map(|e| e.ok())
            .filter(|e| e.path().extension().is_some_and(|x| x == "eml"))
            .filter_map(|e| std::fs::read_to_string(e.path()).ok())
            .map(|raw| decode_mail(&raw))
            .collect()
    }

    /// Waits (up to 10 s) until `n` mails to `to` were written, and returns them.
    pub async fn wait_for_mails(&self, to: &str, n: usize) -> Vec<String> {
        for _ in 0..100 {
            let found: Vec<String> = self
                .mails()
                .into_iter()
                .filter(|m| m.contains(&format!("To: {to}")))
                .collect();
            if found.len() >= n {
                return found;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!(
            "expected {n} mail(s) to {to}, found {:?}",
            self.mails().len()
        );
    }

    /// The first link of a mail, as a path (whatever its host).
    pub fn reset_path(mail: &str) -> String {
        let start = mail.find("http://").expect("a link in the mail") + "http://".len();
        let rest = &mail[start..];
        let rest = &rest[rest.find('/').expect("a path")..];
        let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
        rest[..end].to_owned()
    }

    /// The id of the demo person with this first name (unique in the demo's fixed families).
    pub async fn person_id(&self, first_name: &str) -> i64 {
        let (id,): (i64,) = sqlx::query_as(
            "select person_id from person where first_name = $1 order by person_id limit 1",
        )
        .bind(first_name)
        .fetch_one(&self.pool)
        .await
        .unwrap();
        id
    }

    pub async fn count(&self, sql: &'static str) -> i64 {
        let (n,): (i64,) = sqlx::query_as(sql).fetch_one(&self.pool).await.unwrap();
        n
    }
}

/// Logs `client` in as the demo's staff account of Valognes.
pub async fn staff_login(app: &TestApp, client: &Client) {
    let resp = app
        .post_form(
            client,
            "/gestion/connexion",
            "/gestion/connexion",
            &[
                ("site", "valognes"),
                ("identifiant", "admin"),
                ("mot_de_passe", PASSWORD),
            ],
        )
        .await;
    assert_redirect(&resp, "/gestion");
}

pub fn assert_redirect(resp: &Response, location: &str) {
    assert_eq!(
        resp.status(),
        StatusCode::SEE_OTHER,
        "expected a redirect to {location}"
    );
    assert_eq!(resp.headers()["location"], location);
}

/// A mail as a person reads it: headers as they are, the body decoded from
/// quoted-printable or base64, line endings made plain.
pub fn decode_mail(raw: &str) -> String {
    let raw = raw.replace("\r\n", "\n");
    let Some((head, body)) = raw.split_once("\n\n") else {
        return raw;
    };
    let lower = head.to_ascii_lowercase();
    let bytes: Vec<u8> = if lower.contains("content-transfer-encoding: quoted-printable") {
        let joined = body.replace("=\n", "");
        let b = joined.as_bytes();
        let mut out = Vec::with_capacity(b.len());
        let mut i = 0;
        while i < b.len() {
            if b[i] == b'=' && i + 2 < b.len() {
                let hex = std::str::from_utf8(&b[i + 1..i + 3]).unwrap_or("zz");
                if let Ok(v) = u8::from_str_radix(hex, 16) {
                    out.push(v);
                    i += 3;
                    continue;
                }
            }
            out.push(b[i]);
            i += 1;
        }
        out
    } else if lower.contains("content-transfer-encoding: base64") {
        use base64::Engine;
        let compact: String = body.split_whitespace().collect();
        base64::engine::general_purpose::STANDARD
            .decode(compact)
            .unwrap_or_default()
    } else {
        body.as_bytes().to_vec()
    };
    format!("{head}\n\n{}", String::from_utf8_lossy(&bytes))
}

/// Links not to follow: they end the session, leave the portal or play PayFiP.
fn followable(href: &str) -> bool {
    href.starts_with('/')
        && !href.starts_with("//")
        && !href.starts_with("/static/")
        && !href.starts_with("/payfip-demo")
        && !href.starts_with("/deconnexion")
        && !href.starts_with("/reprise/abandon")
}

/// The portal's own links of a page (`&amp;` decoded, fragments dropped).
pub fn links(html: &str) -> Vec<String> {
    html.split("href=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .map(|h| h.replace("&amp;", "&"))
        .map(|h| h.split('#').next().unwrap_or("").to_owned())
        .filter(|h| followable(h))
        .collect()
}

/// Follows every link from `start` (at most 400 addresses) and returns the HTML pages
/// reached. No address may answer with a 5xx.
pub async fn crawl(base: &str, client: &Client, start: &[&str]) -> Vec<String> {
    let mut seen = std::collections::BTreeSet::new();
    let mut pages = Vec::new();
    let mut queue: std::collections::VecDeque<String> =
        start.iter().map(|s| s.to_string()).collect();
    while let Some(path) = queue.pop_front() {
        if seen.len() >= 400 || !seen.insert(path.clone()) {
            continue;
        }
        let resp = client.get(format!("{base}{path}")).send().await.unwrap();
        assert!(
            !resp.status().is_server_error(),
            "{path} answered {}",
            resp.status()
        );
        let is_html = resp
            .headers()
            .get("content-type")
            .is_some_and(|v| v.to_str().unwrap_or("").starts_with("text/html"));
        let body = resp.text().await.unwrap();
        if is_html {
            queue.extend(links(&body).into_iter().filter(|l| !seen.contains(l)));
            pages.push(path);
        }
    }
    pages
}

/// The text of a page, whatever its status.
pub async fn page_text(client: &Client, url: String) -> String {
    client.get(url).send().await.unwrap().text().await.unwrap()
}

/// Every Rust source file of `src/`, with its text (tests that read the code itself).
pub fn source_files() -> Vec<(PathBuf, String)> {
    let mut out = Vec::new();
    let mut stack = vec![PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/src"))];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                out.push((path, text));
            }
        }
    }
    out
}

/// The text of an HTML fragment: tags dropped, the entities maud writes decoded, the
/// markup's spaces folded.
pub fn text_of(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
        // Spaces of the markup folded; no-break spaces are the text's own.
        .split_ascii_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The rows of the table captioned `caption_id` as a screen reader reads them: each body
/// and foot row, each cell's text (the header row is left out). Empty when there is no
/// such table.
pub fn table_rows(html: &str, caption_id: &str) -> Vec<Vec<String>> {
    let Some(at) = html.find(&format!("<caption id=\"{caption_id}\"")) else {
        return Vec::new();
    };
    let table = &html[at..html[at..].find("</table>").map_or(html.len(), |e| at + e)];
    let body = table.split_once("</thead>").map_or(table, |(_, b)| b);
    body.split("<tr")
        .skip(1)
        .map(|row| {
            let row = row.split("</tr>").next().unwrap_or("");
            // Each cell: from its opening tag to the closing tag of its kind.
            let mut cells = Vec::new();
            let mut rest = row;
            while let Some(start) = ["<td ", "<td>", "<th ", "<th>"]
                .iter()
                .filter_map(|t| rest.find(t))
                .min()
            {
                let close = if rest[start..].starts_with("<td") {
                    "</td>"
                } else {
                    "</th>"
                };
                let cell = &rest[start..];
                let end = cell.find(close).unwrap_or(cell.len());
                let inner = cell[..end].split_once('>').map_or("", |(_, i)| i);
                cells.push(text_of(inner));
                rest = &cell[end.min(cell.len())..];
                rest = rest.strip_prefix(close).unwrap_or(rest);
            }
            cells
        })
        .collect()
}

/// Does the table captioned `caption_id` hold a row that begins with `cells`?
pub fn has_row(html: &str, caption_id: &str, cells: &[&str]) -> bool {
    table_rows(html, caption_id)
        .iter()
        .any(|r| r.len() >= cells.len() && r.iter().zip(cells).all(|(a, b)| a == b))
}

/// Does a row of the table captioned `caption_id` hold `cells` side by side?
pub fn has_cells(html: &str, caption_id: &str, cells: &[&str]) -> bool {
    table_rows(html, caption_id).iter().any(|r| {
        r.windows(cells.len())
            .any(|w| w.iter().zip(cells).all(|(a, b)| a == b))
    })
}
