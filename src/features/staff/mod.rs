//! Gestion: the school's staff review the changes families asked for. A staff member sees
//! only their own site's requests; families never reach these pages.

use std::sync::Arc;

use maud::{Markup, html};
use poem::http::StatusCode;
use poem::web::{Data, Form, Query};
use poem::{IntoResponse, Response, handler};
use serde::Deserialize;

use crate::domain::french_datetime;
use crate::features::records::fields;
use crate::features::records::store::{self, Record, RequestDetail};
use crate::mail::templates;
use crate::state::AppState;
use crate::web::components::{
    Errors, csrf_field, error_summary, field_block, field_id, notice, scroll_table,
};
use crate::web::{AppError, AppResult, Ctx, Ids, StaffUser, layout, see_other, unprocessable};

#[derive(Deserialize, Default)]
struct InfoQuery {
    info: Option<String>,
}

#[handler]
pub(crate) async fn queue(
    state: Data<&Arc<AppState>>,
    ctx: Ctx,
    StaffUser(user): StaffUser,
    Query(q): Query<InfoQuery>,
) -> AppResult<Markup> {
    let rows = store::queue(&state.pool, user.site_id).await?;
    let info = match q.info.as_deref() {
        Some("decision-enregistree") => {
            Some("La décision est enregistrée et la famille en est informée par mail.")
        }
        _ => None,
    };
    Ok(layout::page(
        &ctx,
        "Demandes de modification",
        html! {
            h1 { "Demandes de modification" }
            @if let Some(i) = info { (notice(i)) }
            @if rows.is_empty() {
                p { "Aucune demande n'attend de validation." }
            } @else {
                (scroll_table("demandes-legende", html! { table {
                    caption #demandes-legende { (rows.len()) " demande" @if rows.len() > 1 { "s" } " en attente, la plus ancienne en premier" }
                    thead { tr {
                        th scope="col" { "Fiche" }
                        th scope="col" { "Demandée par" }
                        th scope="col" { "Dernière modification" }
                        th scope="col" { "Champs" }
                    } }
                    tbody {
                        @for r in &rows {
                            tr {
                                th scope="row" { a href={ "/gestion/demandes/" (r.change_request_id) } { (r.last_name) " " (r.first_name) } }
                                td { (r.identifier) }
                                td { (french_datetime(r.updated_at)) }
                                td { (r.fields) }
                            }
                        }
                    }
                } }))
            }
        },
    ))
}

/// A pending request of the staff member's site, or 404.
async fn load(state: &AppState, site_id: i64, id: i64) -> AppResult<(RequestDetail, Record)> {
    let detail = store::request(&state.pool, site_id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let record = store::load_in_site(&state.pool, site_id, detail.person_id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok((detail, record))
}

fn request_page(
    ctx: &Ctx,
    detail: &RequestDetail,
    record: &Record,
    errors: &Errors,
    accepted: Option<&[String]>,
    reason: &str,
) -> Markup {
    let name = record.name();
    let action = format!("/gestion/demandes/{}/decision", detail.change_request_id);
    let checked = |key: &str| accepted.is_none_or(|a| a.iter().any(|k| k == key));
    layout::form_page(
        ctx,
        &format!("Demande de modification – {name}"),
        errors,
        html! {
            p { a href="/gestion" { "Toutes les demandes" } }
            h1 { "Demande de modification – " (name) }
            p { "Demandée par " strong { (detail.identifier) } ", dernière modification le " (french_datetime(detail.updated_at)) "." }
            (error_summary(errors))
            form method="post" action=(action) novalidate {
                (csrf_field(&ctx.csrf))
                (scroll_table("champs-legende", html! { table {
                    caption #champs-legende { "Champs à valider : cochez ceux que vous acceptez" }
                    thead { tr {
                        th scope="col" { "Accepter" }
                        th scope="col" { "Champ" }
                        th scope="col" { "Valeur enregistrée" }
                        th scope="col" { "Valeur demandée" }
                        th scope="col" { "Demandée le" }
                    } }
                    tbody {
                        @for (key, item) in &detail.items {
                            @if let Some(def) = fields::by_key(key) {
                                @let cid = format!("accepter-{key}");
                                tr {
                                    td { input type="checkbox" id=(cid) name="accepter" value=(key) checked[checked(key)]
                                            aria-labelledby={ (cid) "-champ" }; }
                                    th scope="row" id={ (cid) "-champ" } { (def.label) }
                                    td { (fields::display(def, record.get(key))) }
                                    td { strong { (fields::display(def, &item.new_value)) } }
                                    td { (french_datetime(item.created_at)) }
                                }
                            }
                        }
                    }
                } }))
                (field_block("motif", "Motif (obligatoire pour tout champ refusé)").hint("Il est envoyé à la famille avec la décision.").control(errors, |described, invalid| html! {
                        textarea id=(field_id("motif")) name="motif" rows="3" maxlength="500"
                            aria-describedby=[described] aria-invalid=[invalid.then_some("true")] { (reason) }
                    }))
                div.actions {
                    button type="submit" name="decision" value="accepter" { "Accepter les champs cochés" }
                    button.secondary type="submit" name="decision" value="refuser" { "Refuser toute la demande" }
                }
            }
        },
    )
}

#[handler]
pub(crate) async fn request(
    state: Data<&Arc<AppState>>,
    ctx: Ctx,
    StaffUser(user): StaffUser,
    Ids([id]): Ids<1>,
) -> AppResult<Markup> {
    let (detail, record) = load(&state, user.site_id, id).await?;
    Ok(request_page(
        &ctx,
        &detail,
        &record,
        &Errors::new(),
        None,
        "",
    ))
}

#[handler]
pub(crate) async fn decide(
    state: Data<&Arc<AppState>>,
    ctx: Ctx,
    StaffUser(user): StaffUser,
    Ids([id]): Ids<1>,
    Form(form): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let (detail, record) = load(&state, user.site_id, id).await?;
    let refuse_all = form.iter().any(|(k, v)| k == "decision" && v == "refuser");
    let accepted: Vec<String> = if refuse_all {
        Vec::new()
    } else {
        form.iter()
            .filter(|(k, v)| k == "accepter" && detail.items.iter().any(|(key, _)| key == v))
            .map(|(_, v)| v.clone())
            .collect()
    };
    let reason = form
        .iter()
        .find(|(k, _)| k == "motif")
        .map(|(_, v)| v.trim().to_owned())
        .unwrap_or_default();
    let mut errors = Errors::new();
    let refuses_some = accepted.len() < detail.items.len();
    if refuses_some && reason.is_empty() {
        errors.add(
            "motif",
            if accepted.is_empty() {
                "Indiquez le motif du refus : il est envoyé à la famille."
            } else {
                "Indiquez le motif du refus des champs non cochés : il est envoyé à la famille."
            },
        );
    }
    if reason.chars().count() > 500 {
        errors.add(
            "motif",
            format!(
                "Le motif est trop long : 500 caractères au plus (vous en avez saisi {}).",
                reason.chars().count()
            ),
        );
    } else if let Err(e) = crate::domain::text::paragraph(&reason, "Le motif", 500) {
        errors.add("motif", e);
    }
    if !errors.is_empty() {
        return Ok(unprocessable(request_page(
            &ctx,
            &detail,
            &record,
            &errors,
            Some(&accepted),
            &reason,
        )));
    }
    let school = ctx.school_name.clone().unwrap_or_default();
    let person = record.name();
    let decided = store::decide(
        &state.pool,
        user.site_id,
        user.account_id,
        detail.change_request_id,
        &accepted,
        &reason,
        |d, _status, _person| {
            let show = |v: &[(&'static fields::FieldDef, String)]| {
                v.iter()
                    .map(|(def, value)| (def.label.to_owned(), fields::display(def, value)))
                    .collect::<Vec<_>>()
            };
            Some(templates::change_decided(
                &school,
                &person,
                &show(&d.accepted),
                &show(&d.refused),
                &d.reason,
            ))
        },
    )
    .await?;
    if decided.is_none() {
        return Ok(StatusCode::NOT_FOUND.into_response());
    }
    Ok(see_other("/gestion?info=decision-enregistree"))
}

/// Mails of the school that could not be delivered yet, with the transport's last error.
#[handler]
pub(crate) async fn mails(
    state: Data<&Arc<AppState>>,
    ctx: Ctx,
    StaffUser(user): StaffUser,
    Query(q): Query<InfoQuery>,
) -> AppResult<Markup> {
    let list = crate::mail::undelivered(&state.pool, user.site_id).await?;
    let info = match q.info.as_deref() {
        Some("nouvel-essai") => Some("Le message sera renvoyé dans quelques secondes."),
        _ => None,
    };
    Ok(layout::page(
        &ctx,
        "Courriels non remis",
        html! {
            h1 { "Courriels non remis" }
            @if let Some(i) = info { (notice(i)) }
            p { "Les messages que le portail n'a pas encore pu remettre au serveur de courrier. Il réessaie seul, "
                "de plus en plus espacé, pendant " (crate::mail::MAX_ATTEMPTS) " tentatives ; aucun message n'est perdu." }
            @if list.is_empty() {
                p { "Aucun courriel en souffrance." }
            } @else {
                form method="post" action="/gestion/courriels" {
                    (csrf_field(&ctx.csrf))
                    (scroll_table("courriels-legende", html! {
                        table {
                            caption #courriels-legende { (list.len()) " courriel" @if list.len() > 1 { "s" } " non remis, le plus ancien en premier" }
                            thead { tr {
                                th scope="col" { "Destinataire" }
                                th scope="col" { "Objet" }
                                th scope="col" { "Créé le" }
                                th scope="col" { "Tentatives" }
                                th scope="col" { "Prochain essai" }
                                th scope="col" { "Dernière erreur" }
                                th scope="col" { "Action" }
                            } }
                            tbody {
                                @for m in &list {
                                    tr {
                                        th scope="row" { (m.to_address) }
                                        td { (m.subject) }
                                        td { (french_datetime(m.created_at)) }
                                        td { (m.attempts) }
                                        td { @if m.attempts >= crate::mail::MAX_ATTEMPTS { "Abandonné" } @else { (french_datetime(m.next_attempt_at)) } }
                                        td { (m.last_error.as_deref().unwrap_or("")) }
                                        td { button.secondary type="submit" name="courriel" value=(m.mail_id) { "Réessayer maintenant" span.visually-hidden { " – " (m.to_address) } } }
                                    }
                                }
                            }
                        }
                    }))
                }
            }
        },
    ))
}

#[derive(Deserialize)]
struct RetryForm {
    #[serde(default)]
    courriel: String,
}

#[handler]
pub(crate) async fn retry_mail(
    state: Data<&Arc<AppState>>,
    StaffUser(user): StaffUser,
    Form(form): Form<RetryForm>,
) -> AppResult<Response> {
    let id: i64 = form.courriel.parse().unwrap_or(0);
    if !crate::mail::retry_now(&state.pool, user.site_id, id).await? {
        return Ok(StatusCode::NOT_FOUND.into_response());
    }
    Ok(see_other("/gestion/courriels?info=nouvel-essai"))
}
