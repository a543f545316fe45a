//! `/actualites…`: the family's current notices, their PDFs, and its private Atom feed.

use std::sync::Arc;

use maud::{Markup, html};
use poem::http::StatusCode;
use poem::web::{Data, Path};
use poem::{IntoResponse, Response, handler};

use super::store::{self, Notice};
use crate::domain::{french_date, kilobytes};
use crate::state::AppState;
use crate::web::components::{csrf_field, notice};
use crate::web::files::file_response;
use crate::web::rich::paragraphs;
use crate::web::{AppError, AppResult, Ctx, FamilyUser, Ids, layout};

/// One notice as the family reads it (the home page shows the same, shorter).
pub fn article(n: &Notice, heading_level: u8) -> Markup {
    let id = format!("actualite-{}", n.notice_id);
    let title_id = format!("{id}-titre");
    html! {
        article.notice-item #(id) aria-labelledby=(title_id) {
            @if heading_level == 2 { h2 #(title_id) { (n.title) } } @else { h3 #(title_id) { (n.title) } }
            p.meta {
                "Publiée le " (french_date(&n.publish_on))
                @if n.audience != "ecole" { " – " (n.audience_words()) }
            }
            (paragraphs(&n.body))
            @if let Some(name) = &n.file_name {
                p {
                    a href={ "/actualites/" (n.notice_id) "/document" } type="application/pdf" download {
                        "Document joint\u{a0}: " (name)
                        @if let Some(s) = n.size_bytes { " (PDF, " (kilobytes(s.max(0) as usize)) ")" }
                    }
                }
            }
        }
    }
}

async fn render(
    state: &AppState,
    ctx: &Ctx,
    user: &FamilyUser,
    new_link: Option<&str>,
) -> AppResult<Markup> {
    let today = crate::domain::date::today_iso();
    let list = store::for_family(&state.pool, user.family_id, user.account.site_id, &today).await?;
    let has_feed = store::has_feed(&state.pool, user.family_id).await?;
    Ok(layout::page(
        ctx,
        "Actualités",
        html! {
            h1 { "Actualités" }
            @if new_link.is_some() {
                (notice("L'adresse de vos actualités est prête. Copiez-la maintenant : pour votre sécurité, elle ne sera plus affichée."))
            }
            @if list.is_empty() {
                p { "L'école n'a publié aucune actualité en ce moment." }
            } @else {
                p { "Les annonces de l'école pour toute l'école, et pour les départements et les cours de vos enfants." }
                @for n in &list { (article(n, 2)) }
            }
            h2 { "Suivre les actualités dans une application" }
            p { "Une adresse privée (flux Atom) permet de recevoir ces actualités dans une application de lecture de flux, sans vous connecter." }
            @if let Some(link) = new_link {
                div.field {
                    label for="lien-actualites" { "Adresse de vos actualités" }
                    input #lien-actualites type="text" readonly value=(link) aria-describedby="lien-actualites-aide";
                    p.hint #lien-actualites-aide { "Dans votre application, choisissez « Ajouter un flux » et collez cette adresse. Ne la communiquez qu'aux personnes de confiance." }
                }
            }
            form method="post" action="/actualites/lien" {
                (csrf_field(&ctx.csrf))
                @if has_feed {
                    p { "Une adresse existe déjà. En créer une nouvelle arrête aussitôt l'ancienne." }
                    button type="submit" { "Créer une nouvelle adresse" }
                } @else {
                    button type="submit" { "Créer l'adresse de mes actualités" }
                }
            }
        },
    ))
}

#[handler]
pub(crate) async fn page(
    state: Data<&Arc<AppState>>,
    ctx: Ctx,
    user: FamilyUser,
) -> AppResult<Markup> {
    render(&state, &ctx, &user, None).await
}

/// Creates or renews the family's feed address; the page shows it once.
#[handler]
pub(crate) async fn renew_feed(
    state: Data<&Arc<AppState>>,
    ctx: Ctx,
    user: FamilyUser,
) -> AppResult<Markup> {
    let token = crate::tokens::random_token();
    store::set_feed(
        &state.pool,
        user.family_id,
        &crate::tokens::hash_token(&token),
    )
    .await?;
    crate::audit::audit_pool(
        &state.pool,
        Some(user.account.site_id),
        Some(user.account.account_id),
        "news_feed_renewed",
        "",
    )
    .await?;
    let link = format!("{}/actualites/flux/{token}.atom", state.settings.base_url);
    render(&state, &ctx, &user, Some(&link)).await
}

#[handler]
pub(crate) async fn document(
    state: Data<&Arc<AppState>>,
    user: FamilyUser,
    Ids([id]): Ids<1>,
) -> AppResult<Response> {
    let today = crate::domain::date::today_iso();
    let file = store::file_for_family(
        &state.pool,
        user.family_id,
        user.account.site_id,
        id,
        &today,
    )
    .await?
    .ok_or(AppError::NotFound)?;
    Ok(file_response(file))
}

/// The feed: no session, the token is the key. Unknown tokens get 404.
#[handler]
pub(crate) async fn feed(
    state: Data<&Arc<AppState>>,
    Path(file): Path<String>,
) -> AppResult<Response> {
    let Some(token) = file.strip_suffix(".atom").filter(|t| t.len() == 43) else {
        return Ok(StatusCode::NOT_FOUND.into_response());
    };
    let Some((family, site)) =
        store::family_by_feed(&state.pool, &crate::tokens::hash_token(token)).await?
    else {
        return Ok(StatusCode::NOT_FOUND.into_response());
    };
    let today = crate::domain::date::today_iso();
    let list = store::for_family(&state.pool, family, site, &today).await?;
    let school = crate::site::name(&state.pool, site).await?;
    let base = &state.settings.base_url;
    let xml = super::atom::feed(
        &school,
        base,
        &format!("{base}/actualites/flux/{token}.atom"),
        &list,
    );
    Ok(xml
        .with_content_type("application/atom+xml; charset=utf-8")
        .with_header("Cache-Control", "private, no-cache")
        .into_response())
}
