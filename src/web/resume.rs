//! Time limits without JavaScript: a form sent after the session expired is not lost. It
//! is kept (an hour at most) for the account whose session expired; after logging in again
//! the user lands on `/reprise` (`features/records/reprise.rs`), which shows what they typed
//! and sends it on only when they confirm (with a fresh CSRF token: nothing is ever applied
//! unchecked), or goes back to the form filled in with it.
//! With JavaScript, `static/js/portee.js` also warns before expiry and offers to extend
//! the session (`POST /session/prolonger`).

use std::collections::HashMap;
use std::sync::Arc;

use poem::http::{StatusCode, header};
use poem::web::Data;
use poem::{IntoResponse, Request, Response, handler};

use super::context::append_cookie;
use super::{AppResult, Ctx, CurrentUser, layout, see_other, session};
use crate::db::{self, Pool};
use crate::state::AppState;

/// How long a kept form waits for its author.
const KEEP_SECONDS: i64 = 60 * 60;

/// The forms worth keeping: the portal's own POST routes that a logged-in user fills in,
/// each with the page its form is on. Anything else is never kept, and never offered back:
/// a kept form is re-posted to its path, so a path must be one of these, not whatever a
/// request was sent to.
pub const KEPT_ROUTES: &[(&str, &str)] = &[
    ("/famille", "/famille"),
    ("/eleves/:id/identite", "/eleves/:id/identite"),
    ("/eleves/:id/absences", "/eleves/:id/absences"),
    (
        "/eleves/:id/absences/signalements/:rid/retirer",
        "/eleves/:id/absences",
    ),
    (
        "/eleves/:id/reinscription/choix",
        "/eleves/:id/reinscription",
    ),
    (
        "/eleves/:id/reinscription/valider",
        "/eleves/:id/reinscription",
    ),
    (
        "/eleves/:id/reinscription/documents/:did/supprimer",
        "/eleves/:id/reinscription",
    ),
    ("/emploi-du-temps/lien", "/emploi-du-temps"),
    ("/actualites/lien", "/actualites"),
    ("/gestion/actualites/:id/envoi", "/gestion/actualites"),
    ("/gestion/actualites/:id/retrait", "/gestion/actualites"),
    ("/gestion/messages/:id/etat", "/gestion/messages/:id"),
    ("/gestion/preinscriptions", "/gestion/preinscriptions"),
    (
        "/gestion/preinscriptions/demandes/:id",
        "/gestion/preinscriptions/demandes/:id",
    ),
    (
        "/facturation/documents/:id/payer",
        "/facturation/documents/:id",
    ),
    ("/gestion/absences/justifications/:id", "/gestion/absences"),
    ("/gestion/accessibilite", "/gestion/accessibilite"),
    ("/gestion/calendrier", "/gestion/calendrier"),
    ("/gestion/comptes", "/gestion/comptes"),
    ("/gestion/courriels", "/gestion/courriels"),
    ("/gestion/demandes/:id/decision", "/gestion/demandes/:id"),
    ("/gestion/ecole", "/gestion/ecole"),
    ("/gestion/ecole/echanges", "/gestion/ecole"),
    ("/gestion/exports", "/gestion/exports"),
    ("/gestion/paiements", "/gestion/paiements"),
    ("/gestion/personnel", "/gestion/personnel"),
    ("/gestion/personnel/:id", "/gestion/personnel/:id"),
    (
        "/gestion/reinscriptions/campagne",
        "/gestion/reinscriptions",
    ),
    (
        "/gestion/reinscriptions/documents",
        "/gestion/reinscriptions",
    ),
    (
        "/gestion/reinscriptions/documents/supprimer",
        "/gestion/reinscriptions",
    ),
    (
        "/gestion/reinscriptions/:id/decision",
        "/gestion/reinscriptions/:id",
    ),
    (
        "/gestion/reinscriptions/:id/documents/:did",
        "/gestion/reinscriptions/:id",
    ),
];

/// The POST routes never kept: visitors' forms, the password page (its fields are
/// passwords, never stored), uploads (multipart), PayFiP's calls, the session's own.
pub const NOT_KEPT_ROUTES: &[&str] = &[
    "/connexion",
    "/gestion/connexion",
    "/mot-de-passe-perdu",
    "/reinitialisation",
    "/mot-de-passe",
    "/affichage",
    "/raccourcis",
    "/deconnexion",
    "/accessibilite/signalement",
    "/session/prolonger",
    "/reprise/abandon",
    "/sessions/:id/fin",
    "/sessions/autres/fin",
    "/eleves/:id/reinscription/documents",
    "/eleves/:id/absences/:aid/justification",
    "/messages/nouveau",
    "/messages/:id",
    "/gestion/messages/:id",
    "/gestion/actualites",
    "/preinscription/:ecole",
    "/preinscription/suivi",
    "/preinscription/suivi/:jeton",
    "/facturation/paiements/:id/retour",
    "/payfip/notification",
    "/payfip-demo/services/securite",
    "/payfip-demo/paiementws.web",
];

/// Is this the path of a form worth keeping (one of `KEPT_ROUTES`)?
pub fn kept_route(path: &str) -> bool {
    KEPT_ROUTES
        .iter()
        .any(|(r, _)| super::route_matches(r, path))
}

/// Is this POST worth keeping: one of the portal's own forms, sent from its own pages?
pub fn keepable(req: &Request, path: &str) -> bool {
    if !kept_route(path) {
        return false;
    }
    let host = req
        .headers()
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let from = req
        .headers()
        .get(header::ORIGIN)
        .or_else(|| req.headers().get(header::REFERER))
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let from_host = from
        .split_once("://")
        .map(|(_, rest)| rest.split('/').next().unwrap_or(""))
        .unwrap_or("");
    !host.is_empty() && from_host == host
}

/// Keeps the form and sends the user to the login page of their kind of account.
pub async fn keep_and_ask_login(
    state: &AppState,
    account: i64,
    path: &str,
    body: &[u8],
) -> poem::Result<Response> {
    let kept = keep(&state.pool, account, path, body).await;
    let staff: Option<(crate::db::Flag,)> =
        sqlx::query_as("select is_staff from account where account_id = $1")
            .bind(account)
            .fetch_optional(&state.pool)
            .await
            .unwrap_or(None);
    let login = if staff.is_some_and(|(s,)| s.0) {
        "/gestion/connexion?info=session-expiree"
    } else {
        "/connexion?info=session-expiree"
    };
    let mut resp = see_other(login);
    match kept {
        Ok(token) => append_cookie(
            &mut resp,
            &session::set_cookie(
                state.cookies.resume,
                &token,
                state.settings.secure_cookies,
                Some(KEEP_SECONDS),
            ),
        ),
        Err(e) => tracing::error!(error = %e, "cannot keep a form sent after expiry"),
    }
    // The expired session's cookie goes too.
    append_cookie(
        &mut resp,
        &session::clear_cookie(state.cookies.session, state.settings.secure_cookies),
    );
    Ok(resp)
}

async fn keep(pool: &Pool, account: i64, path: &str, body: &[u8]) -> anyhow::Result<String> {
    let body = std::str::from_utf8(body)?;
    let token = crate::tokens::random_token();
    let now = db::now();
    sqlx::query("delete from pending_form where expires_at < $1 or account_id = $2")
        .bind(now)
        .bind(account)
        .execute(pool)
        .await?;
    sqlx::query(
        "insert into pending_form (token_hash, account_id, path, body, created_at, expires_at) \
         values ($1, $2, $3, $4, $5, $6)",
    )
    .bind(crate::tokens::hash_token(&token))
    .bind(account)
    .bind(path)
    .bind(body)
    .bind(now)
    .bind(now + KEEP_SECONDS)
    .execute(pool)
    .await?;
    Ok(token)
}

fn token_of(req: &Request, state: &AppState) -> Option<String> {
    let cookies = req.headers().get(header::COOKIE)?.to_str().ok()?;
    session::read_cookie(cookies, state.cookies.resume).map(str::to_owned)
}

async fn pending(pool: &Pool, token: &str, account: i64) -> sqlx::Result<Option<(String, String)>> {
    sqlx::query_as(
        "select path, body from pending_form where token_hash = $1 and account_id = $2 and expires_at >= $3",
    )
    .bind(crate::tokens::hash_token(token))
    .bind(account)
    .bind(db::now())
    .fetch_optional(pool)
    .await
}

/// After a login: where to go if this browser kept a form of this account.
pub async fn after_login(state: &AppState, req: &Request, account: i64) -> Option<&'static str> {
    let token = token_of(req, state)?;
    pending(&state.pool, &token, account)
        .await
        .ok()
        .flatten()
        .filter(|(path, _)| kept_route(path))
        .map(|_| "/reprise")
}

/// The form this browser kept for `account` (its path and fields), if it is one of the
/// portal's own forms and still waits.
pub async fn kept(
    state: &AppState,
    req: &Request,
    account: i64,
) -> sqlx::Result<Option<(String, Vec<(String, String)>)>> {
    let Some(token) = token_of(req, state) else {
        return Ok(None);
    };
    Ok(pending(&state.pool, &token, account)
        .await?
        .filter(|(path, _)| kept_route(path))
        .map(|(path, body)| {
            let fields = serde_urlencoded::from_str(&body).unwrap_or_default();
            (path, fields)
        }))
}

/// The fields of the form kept for `account` if it was sent to `path` (the pages that
/// show a kept form again, filled in: `?reprise=1`). The CSRF token is left out.
pub async fn kept_fields(
    state: &AppState,
    req: &Request,
    account: i64,
    path: &str,
) -> sqlx::Result<Option<HashMap<String, String>>> {
    Ok(kept(state, req, account)
        .await?
        .filter(|(p, _)| p == path)
        .map(|(_, fields)| {
            fields
                .into_iter()
                .filter(|(k, _)| k != "csrf_token")
                .collect()
        }))
}

/// The page a kept form was filled in on: its action without the action's own segments
/// (`/gestion/demandes/7/decision` → `/gestion/demandes/7`).
pub fn page_of(path: &str) -> String {
    let Some(page) = KEPT_ROUTES
        .iter()
        .find(|(r, _)| super::route_matches(r, path))
        .map(|(_, page)| page)
    else {
        return "/".to_owned();
    };
    let depth = page.split('/').count();
    path.split('/').take(depth).collect::<Vec<_>>().join("/")
}

#[handler]
pub(crate) async fn abandon(
    state: Data<&Arc<AppState>>,
    ctx: Ctx,
    user: CurrentUser,
) -> AppResult<Response> {
    sqlx::query("delete from pending_form where account_id = $1")
        .bind(user.account_id)
        .execute(&state.pool)
        .await?;
    let mut resp = see_other(layout::home(&ctx));
    append_cookie(
        &mut resp,
        &session::clear_cookie(state.cookies.resume, state.settings.secure_cookies),
    );
    Ok(resp)
}

/// "Prolonger la session" (from the warning shown by the script): the session counts as
/// used now. Answers 204 with the seconds it now has left in `X-Session-Fin` (idle time,
/// or less near its 12-hour end), or 401 when the session is gone.
#[handler]
pub(crate) async fn extend(state: Data<&Arc<AppState>>, ctx: Ctx) -> AppResult<Response> {
    let (Some(_), Some(token)) = (&ctx.user, &ctx.session_token) else {
        return Ok(StatusCode::UNAUTHORIZED.into_response());
    };
    let hash = crate::tokens::hash_token(token);
    let now = db::now();
    session::touch(&state.pool, &hash, now).await?;
    let (expires_at,): (i64,) =
        sqlx::query_as("select expires_at from session where token_hash = $1")
            .bind(&hash)
            .fetch_one(&state.pool)
            .await?;
    let left = (expires_at - now).clamp(0, session::IDLE_SECONDS);
    Ok(StatusCode::NO_CONTENT
        .with_header("X-Session-Fin", left.to_string())
        .into_response())
}
