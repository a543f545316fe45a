//! `/accessibilite` (the help and its PDF), `/raccourcis` (the shortcuts preference) and
//! `/plan-du-site` (the second way to reach every page, beside the menu).

use std::sync::Arc;

use maud::html;
use poem::web::{Data, Query};
use poem::{IntoResponse, handler};

use super::help;
use crate::features::students::store as students;
use crate::state::AppState;
use crate::web::components::{csrf_field, notice};
use crate::web::context::append_cookie;
use crate::web::session;
use crate::web::table::{DataTable, col, td, th};
use crate::web::{AppResult, Ctx, layout, see_other};

/// Every page of the portal this visitor can open, as a nested list.
#[handler]
pub(crate) async fn site_map(state: Data<&Arc<AppState>>, ctx: Ctx) -> AppResult<maud::Markup> {
    let family = ctx
        .user
        .as_ref()
        .filter(|u| !u.is_staff)
        .and_then(|u| u.family_id);
    let list = match family {
        Some(f) => students::of_family(&state.pool, f).await?,
        None => Vec::new(),
    };
    Ok(layout::page(
        &ctx,
        "Plan du site",
        html! {
            h1 { "Plan du site" }
            ul.site-map {
                @match &ctx.user {
                    None => {
                        li { a href="/connexion" { "Connexion" } }
                        li { a href="/mot-de-passe-perdu" { "Mot de passe perdu ou première connexion" } }
                        li { a href="/gestion/connexion" { "Connexion du personnel" } }
                    }
                    Some(u) if u.is_staff => {
                        li { a href="/gestion" { "Demandes de modification" } }
                        li { a href="/gestion/comptes" { "Comptes des familles" } }
                        li { a href="/gestion/reinscriptions" { "Réinscriptions" } }
                        li { a href="/gestion/paiements" { "Paiements" } }
                        li { a href="/gestion/courriels" { "Courriels non remis" } }
                        li { a href="/gestion/exports" { "Exports vers le logiciel de gestion" } }
                        @if u.is_admin() {
                            li { a href="/gestion/ecole" { "École (réglages)" } }
                            li { a href="/gestion/calendrier" { "Calendrier" } }
                            li { a href="/gestion/personnel" { "Personnel" } }
                            li { a href="/gestion/accessibilite" { "Déclaration d'accessibilité (réglages)" } }
                        }
                        li { a href="/mot-de-passe" { "Mot de passe" } }
                        li { a href="/sessions" { "Sessions ouvertes" } }
                    }
                    Some(_) => {
                        li { a href="/accueil" { "Accueil" } }
                        li { a href="/famille" { "Famille" } }
                        li {
                            a href="/eleves" { "Élèves" }
                            @if !list.is_empty() {
                                ul {
                                    @for s in &list {
                                        li {
                                            (s.name())
                                            ul {
                                                li { a href=(crate::paths::identity(s.person_id)) { "Identité" span.visually-hidden { " – " (s.name()) } } }
                                                li { a href=(crate::paths::courses(s.person_id)) { "Cours" span.visually-hidden { " – " (s.name()) } } }
                                                li { a href=(crate::paths::history(s.person_id)) { "Historique" span.visually-hidden { " – " (s.name()) } } }
                                                li { a href=(crate::paths::repertoire(s.person_id)) { "Répertoire" span.visually-hidden { " – " (s.name()) } } }
                                                @if ctx.user.as_ref().is_some_and(|u| u.reenrolment_open) {
                                                    li { a href=(crate::paths::reenrolment(s.person_id)) { "Réinscription" span.visually-hidden { " – " (s.name()) } } }
                                                }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                        li { a href="/emploi-du-temps" { "Emploi du temps" } }
                        li {
                            "Facturation"
                            ul {
                                li { a href="/facturation/cotisations" { "Facturation cotisations" } }
                                li { a href="/facturation/locations" { "Facturation locations" } }
                            }
                        }
                        li { a href="/mot-de-passe" { "Mot de passe" } }
                        li { a href="/sessions" { "Sessions ouvertes" } }
                    }
                }
                li { a href="/accessibilite" { "Aide – Accessibilité" } }
                li { a href="/accessibilite/declaration" { "Déclaration d'accessibilité" } }
                li { a href="/plan-du-site" aria-current="page" { "Plan du site" } }
            }
        },
    ))
}

#[handler]
pub(crate) fn page(ctx: Ctx, Query(q): Query<InfoQuery>) -> maud::Markup {
    let back = layout::home(&ctx);
    let family = ctx.user.as_ref().is_some_and(|u| !u.is_staff);
    let shortcuts: Vec<&help::Shortcut> = help::SHORTCUTS
        .iter()
        .filter(|s| family || matches!(s.digit, "0" | "1" | "2" | "3"))
        .collect();
    layout::page(
        &ctx,
        "Aide – Accessibilité",
        html! {
            h1 { "Aide – Accessibilité" }
            @match q.info.as_deref() {
                Some("raccourcis-actives") => (notice("Les raccourcis clavier sont activés sur ce navigateur.")),
                Some("raccourcis-desactives") => (notice("Les raccourcis clavier sont désactivés sur ce navigateur.")),
                _ => {}
            }
            p { "Le portail se consulte au clavier, avec un lecteur d'écran, avec ou sans JavaScript, "
                "et suit la taille de texte, le contraste et la réduction des animations choisis dans votre navigateur. "
                "La même aide existe en document à télécharger\u{a0}: "
                a href="/accessibilite/aide.pdf" type="application/pdf" { "Télécharger l'aide (PDF balisé, " (crate::domain::kilobytes(help::pdf_size(ctx.school_name.as_deref().unwrap_or(layout::PORTAL)))) ")" } "." }
            h2 { "Le mode accessible" }
            @for p in help::MODE { p { (p) } }
            p {
                "État actuel\u{a0}: "
                strong { @if ctx.accessible { "mode accessible activé" } @else { "mode standard" } }
                "."
            }
            form method="post" action="/affichage" {
                (csrf_field(&ctx.csrf))
                input type="hidden" name="retour" value="/accessibilite";
                button type="submit" {
                    @if ctx.accessible { "Désactiver le mode accessible" } @else { "Activer le mode accessible" }
                }
            }
            h2 #raccourcis { "Raccourcis clavier" }
            (DataTable::new(
                "raccourcis-legende",
                "Raccourcis clavier et touches d'accès",
                [col("Raccourci"), col("Touche d'accès"), col("Destination")],
            ).rows(shortcuts.iter().map(|s| vec![
                th(html! { kbd { "Ctrl" } " + " kbd { "Maj" } " + " kbd { (s.digit) } }),
                td(s.digit),
                td(s.target),
            ])))
            p { "Sans JavaScript, les mêmes chiffres sont des touches d'accès\u{a0}:" }
            ul { @for (b, k) in help::ACCESS_KEYS { li { (b) "\u{a0}: " (k) } } }
            h3 { "Comment ces raccourcis ont été choisis" }
            ul { @for w in help::WHY { li { (w) } } }
            p {
                "État actuel\u{a0}: "
                strong { @if ctx.shortcuts { "raccourcis activés" } @else { "raccourcis désactivés" } }
                " sur ce navigateur."
            }
            form method="post" action="/raccourcis" {
                (csrf_field(&ctx.csrf))
                button type="submit" {
                    @if ctx.shortcuts { "Désactiver les raccourcis clavier" } @else { "Activer les raccourcis clavier" }
                }
            }
            h2 { "Sortir d'un tableau ou d'un formulaire" }
            @for (reader, tips) in help::SCREEN_READERS {
                h3 { (reader) }
                ul { @for t in *tips { li { (t) } } }
            }
            h2 { "Se déplacer dans les pages" }
            ul { @for p in help::PAGES { li { (p) } } }
            p { a href="/plan-du-site" { "Plan du site" } }
            p { a href="/accessibilite/declaration" { "Déclaration d'accessibilité" } }
            p { a href=(back) { "Retour" } }
        },
    )
}

#[derive(serde::Deserialize, Default)]
struct InfoQuery {
    info: Option<String>,
}

/// Turns the keyboard shortcuts and access keys on or off for this browser.
#[handler]
pub(crate) fn toggle_shortcuts(state: Data<&Arc<AppState>>, ctx: Ctx) -> poem::Response {
    let on = !ctx.shortcuts;
    let mut resp = see_other(if on {
        "/accessibilite?info=raccourcis-actives#raccourcis"
    } else {
        "/accessibilite?info=raccourcis-desactives#raccourcis"
    });
    append_cookie(
        &mut resp,
        &session::set_cookie(
            state.cookies.shortcuts,
            if on { "on" } else { "off" },
            state.settings.secure_cookies,
            Some(365 * 24 * 3600),
        ),
    );
    resp
}

/// The help as a tagged PDF.
#[handler]
pub(crate) fn help_pdf(ctx: Ctx) -> poem::Response {
    let school = ctx.school_name.as_deref().unwrap_or(layout::PORTAL);
    help::pdf(school)
        .with_content_type("application/pdf")
        .with_header(
            poem::http::header::CONTENT_DISPOSITION,
            "inline; filename=\"aide-accessibilite.pdf\"",
        )
        .into_response()
}
