//! `/sessions`: the browsers where the account is logged in (which browser, when opened,
//! last seen), with « Déconnecter » for each other one and one button for all the others.

use std::sync::Arc;

use maud::{Markup, html};
use poem::web::{Data, Query};
use poem::{Response, handler};
use serde::Deserialize;

use crate::audit::audit_pool;
use crate::db;
use crate::domain::french_datetime;
use crate::state::AppState;
use crate::tokens::hash_token;
use crate::web::components::{csrf_field, notice};
use crate::web::session::IDLE_SECONDS;
use crate::web::table::{DataTable, col, td, th};
use crate::web::{AppError, AppResult, Ctx, CurrentUser, Ids, layout, see_other};

#[derive(sqlx::FromRow)]
struct Open {
    session_id: i64,
    user_agent: String,
    created_at: i64,
    last_seen_at: i64,
    #[sqlx(try_from = "crate::db::Flag")]
    current: bool,
}

/// "Firefox sur Android": the browser's family and system, coarsely (the exact version
/// says nothing to a family recognising its own devices).
pub fn browser_label(agent: &str) -> String {
    let browser = [
        ("Edg/", "Edge"),
        ("OPR/", "Opera"),
        ("SamsungBrowser/", "Samsung Internet"),
        ("Firefox/", "Firefox"),
        ("FxiOS/", "Firefox"),
        ("CriOS/", "Chrome"),
        ("Chrome/", "Chrome"),
        ("Chromium/", "Chromium"),
        ("Safari/", "Safari"),
    ]
    .iter()
    .find(|(token, _)| agent.contains(token))
    .map(|(_, name)| *name);
    let system = [
        ("Android", "Android"),
        ("iPhone", "iPhone"),
        ("iPad", "iPad"),
        ("Windows", "Windows"),
        ("CrOS", "ChromeOS"),
        ("Mac OS X", "macOS"),
        ("Linux", "Linux"),
    ]
    .iter()
    .find(|(token, _)| agent.contains(token))
    .map(|(_, name)| *name);
    match (browser, system) {
        (Some(b), Some(s)) => format!("{b} sur {s}"),
        (Some(b), None) => b.to_owned(),
        (None, Some(s)) => format!("Navigateur sur {s}"),
        (None, None) => "Navigateur non reconnu".to_owned(),
    }
}

async fn open_sessions(state: &AppState, user: &CurrentUser, ctx: &Ctx) -> sqlx::Result<Vec<Open>> {
    let now = db::now();
    sqlx::query_as(
        "select session_id, user_agent, created_at, last_seen_at, \
         case when token_hash = $2 then 1 else 0 end as current from session \
         where account_id = $1 and expires_at > $3 and last_seen_at > $4 \
         order by last_seen_at desc",
    )
    .bind(user.account_id)
    .bind(hash_token(ctx.session_token.as_deref().unwrap_or("")))
    .bind(now)
    .bind(now - IDLE_SECONDS)
    .fetch_all(&state.pool)
    .await
}

#[derive(Deserialize, Default)]
struct InfoQuery {
    info: Option<String>,
}

fn info_text(code: Option<&str>) -> Option<&'static str> {
    Some(match code? {
        "deconnectee" => "La session est terminée : ce navigateur devra se connecter de nouveau.",
        "autres-deconnectees" => "Toutes vos autres sessions sont terminées.",
        _ => return None,
    })
}

#[handler]
pub(crate) async fn page(
    state: Data<&Arc<AppState>>,
    ctx: Ctx,
    user: CurrentUser,
    Query(q): Query<InfoQuery>,
) -> AppResult<Markup> {
    let open = open_sessions(&state, &user, &ctx).await?;
    let others = open.iter().filter(|s| !s.current).count();
    Ok(layout::page(
        &ctx,
        "Sessions ouvertes",
        html! {
            h1 { "Sessions ouvertes" }
            @if let Some(i) = info_text(q.info.as_deref()) { (notice(i)) }
            p { "Votre compte est ouvert dans ces navigateurs. Si vous n'en reconnaissez pas un, déconnectez-le, puis "
                a href="/mot-de-passe" { "changez votre mot de passe" } "." }
            p { "Une session se termine d'elle-même après 30 minutes sans activité, et 12 heures au plus après la connexion." }
            (DataTable::new(
                "sessions-legende",
                "Vos sessions, de la plus récemment utilisée à la plus ancienne",
                [col("Navigateur"), col("Ouverte le"), col("Dernière activité"), col("Action")],
            ).rows(open.iter().map(|s| vec![
                th(html! { (browser_label(&s.user_agent)) @if s.current { " (ce navigateur)" } }),
                td(french_datetime(s.created_at)),
                td(french_datetime(s.last_seen_at)),
                td(html! {
                    @if s.current {
                        "Session en cours"
                    } @else {
                        form.inline-action method="post" action={ "/sessions/" (s.session_id) "/fin" } {
                            (csrf_field(&ctx.csrf))
                            button.link-button type="submit" {
                                "Déconnecter" span.visually-hidden { " la session " (browser_label(&s.user_agent)) " ouverte le " (french_datetime(s.created_at)) }
                            }
                        }
                    }
                }),
            ])))
            @if others > 0 {
                form method="post" action="/sessions/autres/fin" {
                    (csrf_field(&ctx.csrf))
                    div.actions { button type="submit" { "Déconnecter toutes les autres sessions" } }
                }
            }
        },
    ))
}

#[handler]
pub(crate) async fn end_one(
    state: Data<&Arc<AppState>>,
    ctx: Ctx,
    user: CurrentUser,
    Ids([id]): Ids<1>,
) -> AppResult<Response> {
    // Another session of this account only (this one ends with « Se déconnecter »).
    let ended = sqlx::query(
        "delete from session where session_id = $1 and account_id = $2 and token_hash <> $3",
    )
    .bind(id)
    .bind(user.account_id)
    .bind(hash_token(ctx.session_token.as_deref().unwrap_or("")))
    .execute(&state.pool)
    .await?
    .rows_affected();
    if ended != 1 {
        return Err(AppError::NotFound);
    }
    audit_pool(
        &state.pool,
        Some(user.site_id),
        Some(user.account_id),
        "session_ended",
        "one other session",
    )
    .await?;
    Ok(see_other("/sessions?info=deconnectee"))
}

#[handler]
pub(crate) async fn end_others(
    state: Data<&Arc<AppState>>,
    ctx: Ctx,
    user: CurrentUser,
) -> AppResult<Response> {
    let ended = sqlx::query("delete from session where account_id = $1 and token_hash <> $2")
        .bind(user.account_id)
        .bind(hash_token(ctx.session_token.as_deref().unwrap_or("")))
        .execute(&state.pool)
        .await?
        .rows_affected();
    audit_pool(
        &state.pool,
        Some(user.site_id),
        Some(user.account_id),
        "session_ended",
        &format!("{ended} other sessions"),
    )
    .await?;
    Ok(see_other("/sessions?info=autres-deconnectees"))
}

#[cfg(test)]
mod tests {
    #[test]
    fn browsers_are_named_coarsely() {
        let label = super::browser_label;
        assert_eq!(
            label(
                "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Mobile Safari/537.36"
            ),
            "Chrome sur Android"
        );
        assert_eq!(
            label(
                "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1"
            ),
            "Safari sur iPhone"
        );
        assert_eq!(
            label(
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"
            ),
            "Firefox sur Windows"
        );
        assert_eq!(
            label(
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36 Edg/131.0"
            ),
            "Edge sur Windows"
        );
        assert_eq!(label(""), "Navigateur non reconnu");
    }
}
