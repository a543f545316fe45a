//! Pages of Gestion: the queue of change requests, one request with its decision form, and
//! the mails not yet delivered.

use maud::{Markup, html};

use crate::domain::french_datetime;
use crate::features::records::fields;
use crate::features::records::store::Record;
use crate::mail::Undelivered;
use crate::web::components::{Errors, csrf_field, error_summary, field_block, field_id, notice};
use crate::web::table::{DataTable, col, td, th};
use crate::web::{Ctx, layout};

use super::store::{QueueRow, RequestDetail};

/// The site's pending requests, oldest first.
pub fn queue(ctx: &Ctx, rows: &[QueueRow], info: Option<&str>) -> Markup {
    layout::page(
        ctx,
        "Demandes de modification",
        html! {
            h1 { "Demandes de modification" }
            @if let Some(i) = info { (notice(i)) }
            @if rows.is_empty() {
                p { "Aucune demande n'attend de validation." }
            } @else {
                (DataTable::new(
                    "demandes-legende",
                    html! { (rows.len()) " demande" @if rows.len() > 1 { "s" } " en attente, la plus ancienne en premier" },
                    [col("Fiche"), col("Demandée par"), col("Dernière modification"), col("Champs")],
                ).rows(rows.iter().map(|r| vec![
                    th(html! { a href={ "/gestion/demandes/" (r.change_request_id) } { (r.last_name) " " (r.first_name) } }),
                    td(&r.identifier),
                    td(french_datetime(r.updated_at)),
                    td(r.fields),
                ])))
            }
        },
    )
}

/// One pending request: each field's stored and asked value, to accept or refuse.
pub fn request(
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
                (DataTable::new(
                    "champs-legende",
                    "Champs à valider\u{a0}: cochez ceux que vous acceptez",
                    [col("Accepter"), col("Champ"), col("Valeur enregistrée"), col("Valeur demandée"), col("Demandée le")],
                ).rows(detail.items.iter().filter_map(|(key, item)| {
                    let def = fields::by_key(key)?;
                    let cid = format!("accepter-{key}");
                    Some(vec![
                        td(html! { input type="checkbox" id=(cid) name="accepter" value=(key) checked[checked(key)]
                                aria-labelledby={ (cid) "-champ" }; }),
                        th(def.label).id(format!("{cid}-champ")),
                        td(fields::display(def, record.get(key))),
                        td(html! { strong { (fields::display(def, &item.new_value)) } }),
                        td(french_datetime(item.created_at)),
                    ])
                })))
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

/// Mails of the school that could not be delivered yet, with the transport's last error.
pub fn mails(ctx: &Ctx, list: &[Undelivered], info: Option<&str>) -> Markup {
    layout::page(
        ctx,
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
                    (DataTable::new(
                        "courriels-legende",
                        html! { (list.len()) " courriel" @if list.len() > 1 { "s" } " non remis, le plus ancien en premier" },
                        [
                            col("Destinataire"), col("Objet"), col("Créé le"), col("Tentatives"), col("Prochain essai"),
                            col("Dernière erreur"), col("Action"),
                        ],
                    ).rows(list.iter().map(|m| vec![
                        th(&m.to_address),
                        td(&m.subject),
                        td(french_datetime(m.created_at)),
                        td(m.attempts),
                        td(if m.attempts >= crate::mail::MAX_ATTEMPTS { "Abandonné".to_owned() } else { french_datetime(m.next_attempt_at) }),
                        td(m.last_error.as_deref().unwrap_or("")),
                        td(html! { button.secondary type="submit" name="courriel" value=(m.mail_id) { "Réessayer maintenant" span.visually-hidden { " – " (m.to_address) } } }),
                    ])))
                }
            }
        },
    )
}
