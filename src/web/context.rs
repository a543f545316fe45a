//! The context middleware: loads the session (or the anonymous pre-session), checks the
//! CSRF token of every POST, and turns bare error statuses into pages in the shell.

use std::sync::Arc;

use poem::http::{Method, StatusCode, header};
use poem::{Endpoint, FromRequest, IntoResponse, Request, RequestBody, Response};

use super::session::{self, anonymous_csrf, read_cookie};
use crate::db;
use crate::state::AppState;
use crate::tokens::constant_time_eq;

/// Who is asking, and what every page needs to render its shell.
#[derive(Clone, Debug)]
pub struct Ctx {
    pub user: Option<CurrentUser>,
    /// The raw session token from the cookie (for logout and rotation).
    pub session_token: Option<String>,
    /// The token every form of this page carries in `csrf_token`.
    pub csrf: String,
    pub accessible: bool,
    /// Keyboard shortcuts and access keys are on (a per-browser preference).
    pub shortcuts: bool,
    /// The request path (for `aria-current`).
    pub path: String,
    /// Path and query: where the display-mode button brings the user back.
    pub here: String,
    /// Shown in the header and titles: the user's school, or the only school hosted.
    pub school_name: Option<String>,
    /// The school's accessibility status ("non conforme", "partiellement conforme"…), shown
    /// in every footer; unknown before login when several schools are hosted.
    pub a11y_status: Option<String>,
    /// What an htmx request swaps (the whole page for any other request).
    pub swap: super::htmx::Swap,
}

impl Ctx {
    /// Does this request swap the element `id` alone (a live search's results)?
    pub fn swaps(&self, id: &str) -> bool {
        matches!(&self.swap, super::htmx::Swap::Target(t) if t == id)
    }
}

/// The logged-in account and the person it belongs to.
#[derive(Clone, Debug)]
pub struct CurrentUser {
    pub account_id: i64,
    pub site_id: i64,
    pub family_id: Option<i64>,
    pub person_id: Option<i64>,
    pub is_staff: bool,
    pub identifier: String,
    pub civility: String,
    pub last_name: String,
    pub first_name: String,
    /// A re-enrolment campaign of the user's school is open today (the Réinscription tab).
    pub reenrolment_open: bool,
    /// Seconds before the session expires if nothing else happens (idle or absolute limit).
    pub session_seconds_left: i64,
    /// A staff account's role (None: a family, or a staff account without one, which
    /// gets the secretariat's pages only).
    pub role: Option<crate::domain::status::Role>,
    /// A staff account's « Prénom NOM ».
    pub staff_name: Option<String>,
    /// A family: the school's messages it has not read yet. Staff: the school's open
    /// threads with a family message no one has read (shown in the menu).
    pub unread_messages: i64,
}

impl CurrentUser {
    /// "Monsieur ABARRE Jérémie", as the manual greets.
    pub fn display_name(&self) -> String {
        let civ = match self.civility.as_str() {
            "M" => "Monsieur ",
            "MME" => "Madame ",
            _ => "",
        };
        if self.last_name.is_empty() {
            return self
                .staff_name
                .clone()
                .unwrap_or_else(|| self.identifier.clone());
        }
        format!("{civ}{} {}", self.last_name, self.first_name)
            .trim()
            .to_owned()
    }
}

impl CurrentUser {
    /// A staff account that also manages the school's settings and its staff.
    pub fn is_admin(&self) -> bool {
        self.is_staff && self.role == Some(crate::domain::status::Role::Administrator)
    }
}

impl<'a> FromRequest<'a> for CurrentUser {
    /// The logged-in user, or a redirect to the login page.
    async fn from_request(req: &'a Request, _body: &mut RequestBody) -> poem::Result<Self> {
        req.data::<Ctx>()
            .and_then(|c| c.user.clone())
            .ok_or_else(|| poem::Error::from_response(super::see_other("/connexion")))
    }
}

/// A family's account (guardian or adult student). Staff are sent to their own pages.
pub struct FamilyUser {
    pub account: CurrentUser,
    /// The family whose records, students and invoices this account sees.
    pub family_id: i64,
}

impl<'a> FromRequest<'a> for FamilyUser {
    async fn from_request(req: &'a Request, body: &mut RequestBody) -> poem::Result<Self> {
        let user = CurrentUser::from_request(req, body).await?;
        match user.family_id {
            Some(family_id) if !user.is_staff => Ok(FamilyUser {
                account: user,
                family_id,
            }),
            _ => Err(poem::Error::from_response(super::see_other("/gestion"))),
        }
    }
}

/// A staff account. Families get 403; visitors, the staff login page.
pub struct StaffUser(pub CurrentUser);

impl<'a> FromRequest<'a> for StaffUser {
    async fn from_request(req: &'a Request, _body: &mut RequestBody) -> poem::Result<Self> {
        match req.data::<Ctx>().and_then(|c| c.user.clone()) {
            Some(u) if u.is_staff => Ok(StaffUser(u)),
            Some(_) => Err(poem::Error::from_status(StatusCode::FORBIDDEN)),
            None => Err(poem::Error::from_response(super::see_other(
                "/gestion/connexion",
            ))),
        }
    }
}

/// An administrator of the school (settings, staff). Other staff and families get 403;
/// visitors, the staff login page.
pub struct AdminUser(pub CurrentUser);

impl<'a> FromRequest<'a> for AdminUser {
    async fn from_request(req: &'a Request, body: &mut RequestBody) -> poem::Result<Self> {
        let StaffUser(user) = StaffUser::from_request(req, body).await?;
        if user.is_admin() {
            Ok(AdminUser(user))
        } else {
            Err(poem::Error::from_status(StatusCode::FORBIDDEN))
        }
    }
}

impl<'a> FromRequest<'a> for Ctx {
    async fn from_request(req: &'a Request, _body: &mut RequestBody) -> poem::Result<Self> {
        req.data::<Ctx>()
            .cloned()
            .ok_or_else(|| poem::Error::from_status(StatusCode::INTERNAL_SERVER_ERROR))
    }
}

/// What the session's one statement reads: the account, its session, its school and its
/// person. Kept per instance (`cache`) while none of it changes.
#[derive(sqlx::FromRow, Clone)]
pub struct SessionRow {
    account_id: i64,
    site_id: i64,
    family_id: Option<i64>,
    person_id: Option<i64>,
    #[sqlx(try_from = "crate::db::Flag")]
    is_staff: bool,
    identifier: String,
    #[sqlx(try_from = "crate::db::Flag")]
    accessible_mode: bool,
    csrf_token: String,
    last_seen_at: i64,
    expires_at: i64,
    school_name: String,
    civility: Option<String>,
    last_name: Option<String>,
    first_name: Option<String>,
    open_campaigns: i64,
    a11y_status: String,
    role: Option<String>,
    display_name: Option<String>,
    family_unread: i64,
    staff_unread: i64,
}

/// A live session, as the context needs it.
struct Live {
    token_hash: String,
    user: CurrentUser,
    csrf: String,
    accessible: bool,
    school_name: String,
    a11y_status: String,
}

/// What the session cookie leads to.
enum SessionState {
    Live(Box<Live>),
    /// A session that just expired (deleted now), of this account.
    Expired(i64),
    Missing,
}

/// Has this session ended by itself at `now` (idle or absolute limit)?
fn ended(r: &SessionRow, now: i64) -> bool {
    now > r.expires_at || now > r.last_seen_at + session::IDLE_SECONDS
}

/// Loads a live session (kept in memory while nothing it reads changes); expired ones are
/// deleted on sight, after a fresh read (another instance may have used it since).
/// `seen`: the counters read at the start of the request, before anything else was read:
/// a session read now is kept under them (a change since makes it miss).
async fn load_session(
    state: &AppState,
    token: &str,
    seen: Option<crate::cache::Snapshot>,
) -> anyhow::Result<SessionState> {
    let hash = crate::tokens::hash_token(token);
    let now = db::now();
    let kept = state
        .caches
        .session(&hash)
        .filter(|k| !ended(&k.value, now));
    // The row, the counters it was read under, and whether it came from memory.
    let (r, read_under, from_memory) = match &kept {
        Some(k) => (k.value.clone(), Some(k.seen()), true),
        None => {
            let row: Option<SessionRow> = sqlx::query_as(
                "select a.account_id, a.site_id, a.family_id, a.person_id, a.is_staff, a.identifier, \
                a.accessible_mode, s.csrf_token, s.last_seen_at, s.expires_at, site.name as school_name, \
                p.civility, p.last_name, p.first_name, \
                cast((select count(*) from reenrolment_campaign k where k.site_id = a.site_id \
                      and k.opens_on <= $2 and k.closes_on >= $2) as bigint) as open_campaigns, \
                site.a11y_status, a.role, a.display_name, \
                cast((select coalesce(sum(t.staff_messages - t.family_seen), 0) from message_thread t \
                      where t.family_id = a.family_id and a.is_staff = 0) as bigint) as family_unread, \
                cast((select count(*) from message_thread t where a.is_staff = 1 and t.site_id = a.site_id \
                      and t.status = 'open' and t.family_messages > t.staff_seen) as bigint) as staff_unread \
         from session s \
         join account a on a.account_id = s.account_id \
         join site on site.site_id = a.site_id \
         left join person p on p.person_id = a.person_id \
         where s.token_hash = $1 and a.disabled = 0",
            )
            .bind(&hash)
            .bind(crate::domain::date::today_iso())
            .fetch_optional(&state.pool)
            .await?;
            let Some(r) = row else {
                return Ok(SessionState::Missing);
            };
            (r, seen, false)
        }
    };
    let (last_seen, expires) = (r.last_seen_at, r.expires_at);
    if ended(&r, now) {
        sqlx::query("delete from session where token_hash = $1")
            .bind(&hash)
            .execute(&state.pool)
            .await?;
        return Ok(SessionState::Expired(r.account_id));
    }
    let touched = now - last_seen >= session::TOUCH_EVERY_SECONDS;
    if touched {
        let before = state.caches.snapshot();
        if !session::touch(&state.pool, &hash, now).await? {
            // Ended since it was read (a logout elsewhere).
            return Ok(SessionState::Missing);
        }
        // The touch bumps the session counter, which would make every request of this
        // session read it again at once. The row stays true if that bump is the only change
        // since it was read: it is kept again, under the counters that include the touch
        // (on PostgreSQL, once its notification is back).
        state.caches.settle().await;
        if let (Some(read), Some(before), Some(after)) =
            (read_under, before, state.caches.snapshot())
            && before == read
            && after.data == read.data
            && after.session == read.session + 1
        {
            let mut fresh = r.clone();
            fresh.last_seen_at = now;
            state.caches.keep_session(hash.clone(), fresh, after);
        }
    } else if !from_memory && let Some(seen) = read_under {
        state.caches.keep_session(hash.clone(), r.clone(), seen);
    }
    let user = CurrentUser {
        account_id: r.account_id,
        site_id: r.site_id,
        family_id: r.family_id,
        person_id: r.person_id,
        is_staff: r.is_staff,
        identifier: r.identifier,
        civility: r.civility.unwrap_or_default(),
        last_name: r.last_name.unwrap_or_default(),
        first_name: r.first_name.unwrap_or_default(),
        reenrolment_open: r.open_campaigns > 0,
        session_seconds_left: (expires - now)
            .min(session::IDLE_SECONDS - (now - if touched { now } else { last_seen })),
        role: r
            .role
            .as_deref()
            .and_then(crate::domain::status::Role::from_key),
        staff_name: r.display_name,
        unread_messages: r.family_unread + r.staff_unread,
    };
    Ok(SessionState::Live(Box::new(Live {
        token_hash: hash,
        user,
        csrf: r.csrf_token,
        accessible: r.accessible_mode,
        school_name: r.school_name,
        a11y_status: r.a11y_status,
    })))
}

/// POSTs that come from PayFiP, not from a page of the portal: its server-to-server
/// notification, the browser it sends back, and the demo stand-in's SOAP service. They
/// carry no token and decide nothing: a result is only ever read back from PayFiP.
pub const CSRF_EXEMPT: &[&str] = &[
    "/payfip/notification",
    "/facturation/paiements/:id/retour",
    "/payfip-demo/services/securite",
];

/// Is this path one of `CSRF_EXEMPT`?
pub fn csrf_exempt(path: &str) -> bool {
    CSRF_EXEMPT.iter().any(|p| super::route_matches(p, path))
}

#[derive(serde::Deserialize)]
struct CsrfOnly {
    #[serde(default)]
    csrf_token: String,
}

/// The CSRF defence's second layer: a POST that says where it comes from (`Origin`, or
/// `Referer` when a browser sends no `Origin`) must come from the portal itself: its
/// public address, or the address the request was sent to (`Host`, which a browser sets
/// to the site it sends to, never to the page's site). `Origin: null` (a sandboxed or
/// privacy-stripped context) is refused too. A request that says nothing is left to the
/// token check (non-browser clients, old browsers).
fn same_origin(req: &Request, state: &AppState) -> bool {
    let header = |h| req.headers().get(h).and_then(|v| v.to_str().ok());
    let claimed = match header(header::ORIGIN) {
        Some(o) => o.to_owned(),
        None => match header(header::REFERER) {
            Some(r) => match url::Url::parse(r) {
                Ok(u) => u.origin().ascii_serialization(),
                Err(_) => return false,
            },
            None => return true,
        },
    };
    if claimed == "null" {
        return false;
    }
    let Ok(claimed) = url::Url::parse(&claimed) else {
        return false;
    };
    let ours = url::Url::parse(&state.settings.base_url).map(|u| u.origin());
    if ours.is_ok_and(|o| o == claimed.origin()) {
        return true;
    }
    let authority = |u: &url::Url| match (u.host_str(), u.port()) {
        (Some(h), Some(p)) => format!("{h}:{p}"),
        (Some(h), None) => h.to_owned(),
        _ => String::new(),
    };
    header(header::HOST).is_some_and(|host| !host.is_empty() && authority(&claimed) == host)
}

/// The middleware itself (installed with `EndpointExt::around` in `app.rs`).
pub async fn middleware<E: Endpoint>(ep: Arc<E>, mut req: Request) -> poem::Result<Response> {
    let state = req
        .data::<Arc<AppState>>()
        .cloned()
        .expect("AppState is installed before the context middleware");
    let cookies = req
        .headers()
        .get(header::COOKIE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_owned();
    let names = &state.cookies;
    let path = req.uri().path().to_owned();
    // A page answering a POST (a form with errors, a created link) may live at a POST-only
    // address: the display switch then returns to the page the form was on.
    let referer_path = req
        .headers()
        .get(header::REFERER)
        .and_then(|v| v.to_str().ok())
        .and_then(|r| r.split_once("://"))
        .and_then(|(_, rest)| rest.find('/').map(|i| rest[i..].to_owned()));
    let here = match (req.method() == Method::POST, referer_path) {
        (true, Some(p)) => p,
        _ => req
            .uri()
            .path_and_query()
            .map(|pq| pq.as_str().to_owned())
            .unwrap_or_else(|| path.clone()),
    };

    // Read before the session and the page: whatever either shows was read after this, so
    // a change committed since makes both miss next time.
    let seen = state.caches.snapshot();
    let session_token = read_cookie(&cookies, names.session).map(str::to_owned);
    let mut expired_account = None;
    let loaded = match &session_token {
        Some(t) => match load_session(&state, t, seen).await {
            Ok(SessionState::Live(l)) => Some(*l),
            Ok(SessionState::Expired(account)) => {
                expired_account = Some(account);
                None
            }
            Ok(SessionState::Missing) => None,
            Err(e) => {
                tracing::error!(error = format!("{e:#}"), "cannot load the session");
                return Ok(super::layout::error_page_bare(
                    StatusCode::SERVICE_UNAVAILABLE,
                ));
            }
        },
        None => None,
    };
    let (pre_token, pre_is_new) = match read_cookie(&cookies, names.pre) {
        Some(v) if v.len() == 43 => (v.to_owned(), false),
        _ => (crate::tokens::random_token(), true),
    };
    let mode_cookie = read_cookie(&cookies, names.mode).map(|v| v == "accessible");
    let shortcuts = read_cookie(&cookies, names.shortcuts) != Some("off");
    let token_hash = loaded.as_ref().map(|l| l.token_hash.clone());
    let ctx = match loaded {
        Some(live) => Ctx {
            user: Some(live.user),
            session_token,
            csrf: live.csrf,
            accessible: live.accessible,
            shortcuts,
            path,
            here,
            school_name: Some(live.school_name),
            a11y_status: Some(live.a11y_status),
            swap: super::htmx::swap_of(&req),
        },
        None => {
            // The only school's name, when exactly one is hosted; the accessibility status
            // the hosted schools share (when they differ, the footer leads to each one's).
            let schools = super::schools::hosted(&state).await.unwrap_or_default();
            let name = match schools.as_slice() {
                [only] => Some(only.name.clone()),
                _ => None,
            };
            let status = schools
                .first()
                .map(|s| s.a11y_status.clone())
                .filter(|first| schools.iter().all(|s| &s.a11y_status == first));
            Ctx {
                user: None,
                // A stale cookie is cleared below.
                session_token,
                csrf: anonymous_csrf(&state.csrf_secret, &pre_token),
                accessible: mode_cookie.unwrap_or(false),
                shortcuts,
                path,
                here,
                school_name: name,
                a11y_status: status,
                swap: super::htmx::swap_of(&req),
            }
        }
    };

    if req.method() == Method::POST && super::limits::declared_too_large(&req) {
        return Ok(super::limits::refuse(Some(&ctx)));
    }
    if req.method() == Method::POST && !csrf_exempt(&ctx.path) && !same_origin(&req, &state) {
        tracing::warn!(path = %ctx.path, "POST refused: sent from another site");
        let page = super::layout::csrf_refused(&ctx);
        return Ok(page.with_status(StatusCode::FORBIDDEN).into_response());
    }
    if req.method() == Method::POST && !csrf_exempt(&ctx.path) {
        let is_form = req
            .content_type()
            .is_some_and(|ct| ct.starts_with("application/x-www-form-urlencoded"));
        let sent = if is_form {
            let body = match req
                .take_body()
                .into_bytes_limit(super::limits::FORM_BYTES)
                .await
            {
                Ok(b) => b,
                Err(_) => return Ok(super::limits::refuse(Some(&ctx))),
            };
            // A form sent after the session expired is kept for its author, who logs in
            // again and confirms it (never applied without a fresh, checked submission).
            if let Some(account) = expired_account
                && super::resume::keepable(&req, &ctx.path)
            {
                return super::resume::keep_and_ask_login(&state, account, &ctx.path, &body).await;
            }
            let token = serde_urlencoded::from_bytes::<CsrfOnly>(&body)
                .map(|f| f.csrf_token)
                .unwrap_or_default();
            req.set_body(body);
            token
        } else if req
            .content_type()
            .is_some_and(|ct| ct.starts_with("multipart/form-data"))
        {
            // An upload: the token travels in the form's action (`?csrf_token=…`), so it is
            // checked before the body (up to megabytes) is read. Logs leave out queries.
            serde_urlencoded::from_str::<CsrfOnly>(req.uri().query().unwrap_or(""))
                .map(|f| f.csrf_token)
                .unwrap_or_default()
        } else {
            String::new()
        };
        if !constant_time_eq(&sent, &ctx.csrf) {
            tracing::warn!(path = %ctx.path, "POST refused: missing or wrong CSRF token");
            let page = super::layout::csrf_refused(&ctx);
            return Ok(page.with_status(StatusCode::FORBIDDEN).into_response());
        }
    }

    let is_post = req.method() == Method::POST;
    let page_key = page_key(&req, &ctx, token_hash);
    let mut handled = false;
    let mut resp = match page_key.as_ref().and_then(|k| state.caches.page(k)) {
        Some(page) => {
            let seconds = ctx.user.as_ref().map_or(0, |u| u.session_seconds_left);
            // Compressed here, once per second at most, when `web::compress` would.
            let pack = state.settings.html_compression
                && super::compress::wants_gzip(&req)
                && page.body.len() >= super::compress::MIN_BYTES;
            let body = if pack {
                page.packed_with(seconds, super::compress::gzip)
            } else {
                page.body_with(seconds)
            };
            let mut r = Response::builder().status(page.status).body(body);
            *r.headers_mut() = page.headers.clone();
            if pack {
                r.headers_mut().remove(header::CONTENT_LENGTH);
                r.headers_mut().insert(
                    header::CONTENT_ENCODING,
                    header::HeaderValue::from_static("gzip"),
                );
            }
            // Says where the page came from, as browsers' tools show it (and tests read it).
            r.headers_mut().insert(
                "server-timing",
                header::HeaderValue::from_static("cache;desc=hit"),
            );
            r
        }
        None => {
            req.set_data(ctx.clone());
            handled = true;
            let resp = match ep.call(req).await {
                Ok(r) => r.into_response(),
                Err(e) => e.into_response(),
            };
            match (page_key, seen) {
                (Some(key), Some(seen)) if keepable(&resp) => {
                    keep_page(&state, key, seen, resp).await
                }
                _ => resp,
            }
        }
    };
    if is_post {
        // A POST may have queued mail (in its transaction, now committed): the worker looks
        // at once, so no handler has to remember to wake it.
        state.mail_wakeup.notify_one();
    }
    // PostgreSQL: what this request changed reaches this instance's caches before it answers
    // (a POST; a page read by a logged-in user may write too, e.g. a thread marked read).
    if is_post || (handled && ctx.user.is_some()) {
        state.caches.settle().await;
    }
    if resp.status().as_u16() >= 400 && !super::is_html(resp.headers()) {
        let status = resp.status();
        let retry = resp.headers().get(header::RETRY_AFTER).cloned();
        resp = super::layout::error_page(&ctx, status)
            .with_status(status)
            .into_response();
        if let Some(r) = retry {
            resp.headers_mut().insert(header::RETRY_AFTER, r);
        }
    }
    if pre_is_new {
        append_cookie(
            &mut resp,
            &session::set_cookie(names.pre, &pre_token, state.settings.secure_cookies, None),
        );
    }
    if ctx.user.is_none()
        && ctx.session_token.is_some()
        && !resp.headers().contains_key("x-portee-session-set")
    {
        append_cookie(
            &mut resp,
            &session::clear_cookie(names.session, state.settings.secure_cookies),
        );
    }
    resp.headers_mut().remove("x-portee-session-set");
    if super::is_html(resp.headers()) {
        resp.headers_mut().append(
            header::VARY,
            header::HeaderValue::from_static(super::htmx::VARY),
        );
        // A page swapped in by htmx leaves `<html data-session-fin>` as it was: the script
        // reads the session's time left here instead.
        if ctx.swap != super::htmx::Swap::Page
            && let Some(u) = &ctx.user
            && let Ok(v) = header::HeaderValue::from_str(&u.session_seconds_left.to_string())
        {
            resp.headers_mut().insert("x-session-fin", v);
        }
    }
    Ok(resp)
}

/// Pages a family's session may be shown again from memory: every GET answered with a page,
/// except these, which show what the cache does not follow (a session's last use) or
/// depend on a cookie (a form kept after its session expired).
pub const NOT_KEPT: &[&str] = &[
    "/sessions",
    "/reprise",
    // Asks PayFiP, not the database, whether a payment went through.
    "/facturation/paiements/:id",
];

/// The largest page kept.
const KEPT_BYTES: usize = 256 * 1024;

/// What a family's GET would be kept under, or None when it is not kept.
fn page_key(req: &Request, ctx: &Ctx, token_hash: Option<String>) -> Option<crate::cache::PageKey> {
    let user = ctx.user.as_ref()?;
    if req.method() != Method::GET || user.is_staff || user.family_id.is_none() {
        return None;
    }
    if NOT_KEPT.iter().any(|p| super::route_matches(p, &ctx.path)) {
        return None;
    }
    let header = |name: &str| {
        req.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned)
    };
    Some(crate::cache::PageKey {
        session: token_hash?,
        uri: req.uri().path_and_query()?.as_str().to_owned(),
        vary: [
            header("HX-Request"),
            header("HX-Boosted"),
            header("HX-Target"),
            header("HX-History-Restore-Request"),
        ],
        shortcuts: ctx.shortcuts,
    })
}

/// A complete page that sets no cookie.
fn keepable(resp: &Response) -> bool {
    resp.status() == StatusCode::OK
        && super::is_html(resp.headers())
        && !resp.headers().contains_key(header::SET_COOKIE)
}

/// Fields whose value is made anew for each page shown: a page carrying one is never
/// shown twice (two tabs of one kept form would send the same one-time key, and the second
/// would be answered as a repeat of the first).
pub const ONE_TIME_FIELDS: &[&str] = &["name=\"cle_formulaire\""];

fn carries_one_time_values(body: &[u8]) -> bool {
    ONE_TIME_FIELDS
        .iter()
        .any(|f| body.windows(f.len()).any(|w| w == f.as_bytes()))
}

/// Keeps a page (read whole: a page is rendered in memory) and answers it.
async fn keep_page(
    state: &AppState,
    key: crate::cache::PageKey,
    seen: crate::cache::Snapshot,
    resp: Response,
) -> Response {
    let (parts, body) = resp.into_parts();
    match body.into_bytes().await {
        Ok(bytes) => {
            if bytes.len() <= KEPT_BYTES && !carries_one_time_values(&bytes) {
                let page = crate::cache::Page::new(
                    parts.status,
                    parts.headers.clone(),
                    bytes.clone(),
                    seen,
                );
                state.caches.keep_page(key, page);
            }
            Response::from_parts(parts, poem::Body::from(bytes))
        }
        Err(_) => StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}

/// Adds a `Set-Cookie` header without replacing the others.
pub fn append_cookie(resp: &mut Response, value: &str) {
    if let Ok(v) = header::HeaderValue::from_str(value) {
        resp.headers_mut().append(header::SET_COOKIE, v);
    }
}

/// Marks a response that sets a new session cookie, so the middleware does not clear it.
pub fn mark_session_set(resp: &mut Response) {
    resp.headers_mut().insert(
        "x-portee-session-set",
        header::HeaderValue::from_static("1"),
    );
}
