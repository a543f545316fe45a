//! Accessibilité: what the accessible mode does, and the switch. (Shortcuts, the site map
//! and the accessibility statement come with the accessibility issue.)

use maud::html;
use poem::{Route, get, handler};

use crate::web::components::csrf_field;
use crate::web::{Ctx, layout};

pub fn routes(route: Route) -> Route {
    route.at("/accessibilite", get(page))
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
            p { a href=(back) { "Retour" } }
        },
    )
}
