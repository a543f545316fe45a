//! Accessibilité: what the accessible mode does, and the switch; the site map (the second
//! way to reach every page, beside the menu). Shortcuts and the accessibility statement
//! come with the accessibility issue.

use std::sync::Arc;

use maud::html;
use poem::web::Data;
use poem::{Route, get, handler};

use crate::app::AppState;
use crate::features::students::store as students;
use crate::web::components::csrf_field;
use crate::web::{AppResult, Ctx, layout};

pub fn routes(route: Route) -> Route {
    route
        .at("/accessibilite", get(page))
        .at("/plan-du-site", get(site_map))
}

/// Every page of the portal this visitor can open, as a nested list.
#[handler]
async fn site_map(state: Data<&Arc<AppState>>, ctx: Ctx) -> AppResult<maud::Markup> {
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
        false,
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
                        li { a href="/mot-de-passe" { "Mot de passe" } }
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
                                                li { a href={ "/eleves/" (s.person_id) "/identite" } { "Identité" span.visually-hidden { " – " (s.name()) } } }
                                                li { a href={ "/eleves/" (s.person_id) "/cours" } { "Cours" span.visually-hidden { " – " (s.name()) } } }
                                                li { a href={ "/eleves/" (s.person_id) "/historique" } { "Historique" span.visually-hidden { " – " (s.name()) } } }
                                                li { a href={ "/eleves/" (s.person_id) "/repertoire" } { "Répertoire" span.visually-hidden { " – " (s.name()) } } }
                                                @if ctx.user.as_ref().is_some_and(|u| u.reenrolment_open) {
                                                    li { a href={ "/eleves/" (s.person_id) "/reinscription" } { "Réinscription" span.visually-hidden { " – " (s.name()) } } }
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
                    }
                }
                li { a href="/accessibilite" { "Aide – Accessibilité" } }
                li { a href="/plan-du-site" aria-current="page" { "Plan du site" } }
            }
        },
    ))
}

#[handler]
fn page(ctx: Ctx) -> maud::Markup {
    let back = layout::home(&ctx);
    layout::page(
        &ctx,
        "Aide – Accessibilité",
        false,
        html! {
            h1 { "Aide – Accessibilité" }
            p { "Le portail se consulte au clavier, avec un lecteur d'écran, avec ou sans JavaScript, "
                "et suit la taille de texte, le contraste et la réduction des animations choisis dans votre navigateur." }
            h2 { "Le mode accessible" }
            p { "Le mode accessible affiche le portail " strong { "en fort contraste" } ", avec un texte plus grand et plus espacé, "
                "des liens toujours soulignés, un repère de focus épais, une seule colonne, sans animation, "
                "et recharge chaque page entièrement (certains lecteurs d'écran le préfèrent)." }
            p { "Votre choix est retenu par ce navigateur et, une fois connecté, par votre compte." }
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
            h2 { "Se déplacer dans les pages" }
            ul {
                li { "Le premier lien de chaque page, « Aller au contenu », mène directement au contenu principal." }
                li { "Le menu principal est une liste de liens ; la page en cours y est signalée." }
                li { "Chaque page a un seul titre de niveau 1 ; les sections ont des titres de niveau 2." }
                li { "Quand un formulaire contient une erreur, la liste des erreurs s'affiche en haut, chaque erreur étant un lien vers le champ à corriger ; le titre de la page commence par « Erreur »." }
            }
            h2 { "Factures et reçus" }
            p { "Chaque facture et chaque reçu s'ouvre en page web, la version la plus simple à lire avec un lecteur d'écran. "
                "Le duplicata PDF est balisé (titres, tableau avec en-têtes, langue française) et son texte peut être lu à voix haute ou copié." }
            p { "Le " a href="/plan-du-site" { "plan du site" } " donne accès à toutes les pages, en plus du menu." }
            p { a href=(back) { "Retour" } }
        },
    )
}
