//! `/gestion/comptes`: staff invite families, resend invitations, disable accounts.

use std::sync::Arc;

use maud::{Markup, html};
use poem::web::{Data, Form, Query};
use poem::{Response, handler};
use serde::Deserialize;

use super::store::{self, Holder, InviteError};
use crate::domain::french_datetime;
use crate::state::AppState;
use crate::web::components::{csrf_field, notice};
use crate::web::table::{Cell, DataTable, col, td, th};
use crate::web::{AppResult, Ctx, StaffUser, layout, see_other};

#[derive(Deserialize, Default)]
struct InfoQuery {
    info: Option<String>,
    #[serde(default)]
    q: String,
}

/// At most this many rows on one page; a search narrows the list.
const PAGE_ROWS: usize = 50;

/// Does a holder match every word of the search (name, identifier or e-mail)?
fn matches(h: &Holder, q: &str) -> bool {
    let hay = format!(
        "{} {} {} {}",
        h.last_name,
        h.first_name,
        h.identifier.as_deref().unwrap_or(""),
        h.email.as_deref().unwrap_or("")
    )
    .to_lowercase();
    q.to_lowercase().split_whitespace().all(|w| hay.contains(w))
}

fn info_text(code: Option<&str>) -> Option<&'static str> {
    Some(match code? {
        "invitation-envoyee" => "Le compte est créé et l'invitation envoyée par mail.",
        "invitation-renvoyee" => {
            "Une nouvelle invitation est envoyée ; les liens précédents ne fonctionnent plus."
        }
        "compte-desactive" => "Le compte est désactivé ; ses sessions sont fermées.",
        "compte-reactive" => "Le compte est réactivé.",
        "sans-email" => {
            "Aucune invitation envoyée : cette personne n'a pas d'adresse e-mail. Ajoutez-la à sa fiche d'abord."
        }
        "deja-un-compte" => "Cette personne a déjà un compte.",
        "introuvable" => "Ce compte n'existe pas dans votre école.",
        _ => return None,
    })
}

/// A button of the table's one form; it names the person for screen readers.
fn action(value: String, label: &str, who: &str) -> Markup {
    html! {
        button.secondary type="submit" name="action" value=(value) { (label) span.visually-hidden { " – " (who) } }
    }
}

fn row(h: &Holder) -> Vec<Cell> {
    let who = format!("{} {}", h.last_name, h.first_name);
    let state = match (h.account_id, h.disabled, h.has_password) {
        (None, _, _) => "Pas de compte",
        (Some(_), Some(1), _) => "Désactivé",
        (Some(_), _, Some(0)) => "Invitation en attente",
        _ => "Actif",
    };
    vec![
        th(&who),
        td(h.identifier.as_deref().unwrap_or("—")),
        td(state),
        td(h.last_login_at
            .map(french_datetime)
            .unwrap_or_else(|| "Jamais".to_owned())),
        td(html! {
            @match h.account_id {
                None => (action(format!("inviter:{}", h.person_id), "Inviter", &who)),
                Some(id) => {
                    (action(format!("renvoyer:{id}"), "Renvoyer l'invitation", &who))
                    " "
                    @if h.disabled == Some(1) {
                        (action(format!("reactiver:{id}"), "Réactiver", &who))
                    } @else {
                        (action(format!("desactiver:{id}"), "Désactiver", &who))
                    }
                }
            }
        }),
    ]
}

#[handler]
pub(crate) async fn list(
    state: Data<&Arc<AppState>>,
    ctx: Ctx,
    StaffUser(user): StaffUser,
    Query(q): Query<InfoQuery>,
) -> AppResult<Markup> {
    let all = store::holders(&state.pool, user.site_id).await?;
    let query: String =
        q.q.split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .chars()
            .take(100)
            .collect();
    let found: Vec<&Holder> = all.iter().filter(|h| matches(h, &query)).collect();
    let holders = &found[..found.len().min(PAGE_ROWS)];
    Ok(layout::page(
        &ctx,
        "Comptes des familles",
        html! {
            h1 { "Comptes des familles" }
            @if let Some(i) = info_text(q.info.as_deref()) { (notice(i)) }
            p { "Chaque responsable légal (ou élève majeur) reçoit par mail un identifiant et un lien pour choisir son mot de passe. "
                "Un compte désactivé ne peut plus se connecter et ses sessions sont fermées aussitôt." }
            search {
                form.inline method="get" action="/gestion/comptes" {
                    div.field {
                        label for="champ-q" { "Rechercher un responsable" }
                        input #champ-q type="search" name="q" value=(query) autocomplete="off" aria-describedby="champ-q-aide";
                        p.hint #champ-q-aide { "Nom, prénom, identifiant ou adresse e-mail." }
                    }
                    button type="submit" { "Rechercher" }
                }
            }
            p.result-count {
                @if query.is_empty() { (all.len()) " responsables" } @else { (found.len()) " sur " (all.len()) " pour « " (query) " »" }
                @if found.len() > holders.len() { " ; les " (holders.len()) " premiers sont affichés, précisez la recherche" }
                "."
            }
            @if holders.is_empty() {
                p { "Aucun responsable ne correspond à cette recherche." }
            } @else {
            form method="post" action="/gestion/comptes" {
            (csrf_field(&ctx.csrf))
            (DataTable::new(
                "comptes-legende",
                "Responsables, par ordre alphabétique",
                [col("Nom"), col("Identifiant"), col("État"), col("Dernière connexion"), col("Actions")],
            ).rows(holders.iter().map(|h| row(h))))
            }
            }
        },
    ))
}

fn outcome(result: Result<(), InviteError>, ok: &str) -> AppResult<Response> {
    let code = match result {
        Ok(()) => ok,
        Err(InviteError::NoEmail) => "sans-email",
        Err(InviteError::AlreadyHasAccount(_)) => "deja-un-compte",
        Err(InviteError::Database(sqlx::Error::RowNotFound)) => "introuvable",
        Err(InviteError::Database(e)) => return Err(e.into()),
    };
    Ok(see_other(&format!("/gestion/comptes?info={code}")))
}

#[derive(Deserialize)]
struct Action {
    #[serde(default)]
    action: String,
}

/// The table's buttons: `inviter:PERSON`, `renvoyer:ACCOUNT`, `desactiver:ACCOUNT`, `reactiver:ACCOUNT`.
#[handler]
pub(crate) async fn act(
    state: Data<&Arc<AppState>>,
    StaffUser(user): StaffUser,
    Form(form): Form<Action>,
) -> AppResult<Response> {
    let (verb, id) = form.action.split_once(':').unwrap_or(("", ""));
    let id: i64 = id.parse().unwrap_or(0);
    let (site, by, base) = (user.site_id, user.account_id, &state.settings.base_url);
    match verb {
        "inviter" => outcome(
            store::invite(&state.pool, site, id, Some(by), base)
                .await
                .map(|_| ()),
            "invitation-envoyee",
        ),
        "renvoyer" => outcome(
            store::resend(&state.pool, site, id, by, base).await,
            "invitation-renvoyee",
        ),
        "desactiver" | "reactiver" => {
            let off = verb == "desactiver";
            let found = store::set_disabled(&state.pool, site, id, off, by).await?;
            let code = match (found, off) {
                (false, _) => "introuvable",
                (true, true) => "compte-desactive",
                (true, false) => "compte-reactive",
            };
            Ok(see_other(&format!("/gestion/comptes?info={code}")))
        }
        _ => Ok(see_other("/gestion/comptes")),
    }
}
