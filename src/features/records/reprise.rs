//! `/reprise`: a form sent after the session expired, shown after the next login (the
//! keeping itself is `web/resume.rs`). It lives with the records because their fields are
//! the ones a family types most, and only the records know their French labels and the
//! texts of their options: what was typed is shown as the form showed it, never as stored
//! codes. « Confirmer l'envoi » sends it on with a fresh token; « Revenir au formulaire »
//! opens the form filled in with it (Famille and Identité), or the page it was on.

use std::sync::Arc;

use maud::html;
use poem::web::Data;
use poem::{IntoResponse, Request, Response, handler};

use super::fields;
use crate::state::AppState;
use crate::web::components::{csrf_field, notice};
use crate::web::resume::{kept, page_of};
use crate::web::{AppResult, Ctx, CurrentUser, layout, see_other};

/// The kept forms that their page shows again, filled in (`?reprise=1`).
pub fn refills(path: &str) -> bool {
    crate::web::route_matches("/famille", path)
        || crate::web::route_matches("/eleves/:id/identite", path)
}

/// A field's name and value as a person reads them: a record field by its label and its
/// option's text; any other by its name made readable ("code_postal" → "Code postal").
fn shown(name: &str, value: &str) -> (String, String) {
    if let Some(def) = fields::by_key(name) {
        return (def.label.to_owned(), fields::typed_display(def, value));
    }
    let words = name.replace(['_', '-'], " ");
    let mut c = words.chars();
    let label = match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    };
    (label, value.to_owned())
}

#[handler]
pub(crate) async fn page(
    state: Data<&Arc<AppState>>,
    ctx: Ctx,
    user: CurrentUser,
    req: &Request,
) -> AppResult<Response> {
    let Some((path, fields)) = kept(&state, req, user.account_id).await? else {
        return Ok(see_other(layout::home(&ctx)));
    };
    let listed: Vec<(String, String)> = fields
        .iter()
        .filter(|(k, v)| k != "csrf_token" && k != "cle_formulaire" && !v.trim().is_empty())
        .map(|(k, v)| shown(k, v))
        .collect();
    let back = if refills(&path) {
        format!("{path}?reprise=1")
    } else {
        page_of(&path)
    };
    let markup = layout::page(
        &ctx,
        "Formulaire à confirmer",
        html! {
            h1 { "Formulaire à confirmer" }
            (notice("Votre session avait expiré quand vous avez envoyé ce formulaire\u{a0}: rien n'a encore été enregistré."))
            p { "Voici ce que vous aviez saisi. Confirmez pour l'envoyer tel quel, ou revenez au formulaire pour le modifier." }
            @if listed.is_empty() {
                p { "Le formulaire ne contenait aucune valeur." }
            } @else {
                dl.record { @for (k, v) in &listed { dt { (k) } dd { (v) } } }
            }
            form method="post" action=(path) {
                @for (k, v) in &fields {
                    @if k != "csrf_token" { input type="hidden" name=(k) value=(v); }
                }
                (csrf_field(&ctx.csrf))
                div.actions { button type="submit" { "Confirmer l'envoi" } }
            }
            form method="post" action="/reprise/abandon" {
                (csrf_field(&ctx.csrf))
                div.actions {
                    @if refills(&path) {
                        a href=(back) { "Revenir au formulaire, rempli avec ce que vous aviez saisi" }
                    } @else {
                        a href=(back) { "Revenir à la page sans envoyer" }
                    }
                    button.link-button type="submit" { "Abandonner ce formulaire" }
                }
            }
        },
    );
    Ok(markup.into_response())
}
