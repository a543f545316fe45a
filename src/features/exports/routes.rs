//! Handlers of `/gestion/exports`: the list of exports, a new one, and each file again.

use std::sync::Arc;

use maud::{Markup, html};
use poem::http::header;
use poem::web::{Data, Path, Query};
use poem::{IntoResponse, Response, handler};
use serde::Deserialize;

use crate::domain::french_datetime;
use crate::export::{self, FILES, Scope};
use crate::state::AppState;
use crate::web::components::{csrf_field, notice};
use crate::web::table::{DataTable, col, td, th};
use crate::web::{AppError, AppResult, Ctx, StaffUser, layout, see_other};

#[derive(Deserialize, Default)]
struct InfoQuery {
    info: Option<String>,
}

#[handler]
pub(crate) async fn page(
    state: Data<&Arc<AppState>>,
    ctx: Ctx,
    StaffUser(user): StaffUser,
    Query(q): Query<InfoQuery>,
) -> AppResult<Markup> {
    let exports = export::list(&state.pool, user.site_id).await?;
    let info = match q.info.as_deref() {
        Some("export-fait") => {
            Some("L'export est prêt : téléchargez ses trois fichiers ci-dessous.")
        }
        Some("rien-de-nouveau") => Some(
            "Rien à exporter : aucune modification, réinscription ni paiement depuis le dernier export. Aucun export n'est enregistré.",
        ),
        _ => None,
    };
    Ok(layout::page(
        &ctx,
        "Exports",
        html! {
            h1 { "Exports vers le logiciel de gestion" }
            @if let Some(i) = info { (notice(i)) }
            p { "Chaque export contient ce qui a été accepté depuis le précédent : les modifications de fiches ("
                code { "modifications.csv" } "), les réinscriptions décidées (" code { "reinscriptions.csv" }
                ") et les paiements reçus en ligne ou au guichet (" code { "paiements.csv" } "). "
                "Les fichiers suivent les conventions de l'import : CSV en UTF-8, séparés par des points-virgules, avec les identifiants du logiciel. "
                "Chaque export reste téléchargeable." }
            form method="post" action="/gestion/exports" {
                (csrf_field(&ctx.csrf))
                button type="submit" { "Exporter les nouveautés" }
            }
            @if exports.is_empty() {
                p { "Aucun export pour l'instant." }
            } @else {
                (DataTable::new(
                    "exports-legende",
                    "Exports, du plus récent au plus ancien",
                    [col("Export"), col("Fait par"), col("Modifications"), col("Réinscriptions"), col("Paiements"), col("Absences"), col("Préinscriptions"), col("Fichiers")],
                ).rows(exports.iter().map(|e| vec![
                    th(html! { "n° " (e.number) ", " (french_datetime(e.created_at)) @if let Some(d) = &e.since { " (depuis le " (crate::domain::french_date(d)) ")" } }),
                    td(e.by_name.as_deref().unwrap_or("Ligne de commande")),
                    td(e.modifications),
                    td(e.reenrolments),
                    td(e.payments),
                    // Exports made before absences were exported have no such file.
                    td(e.absences.map_or("—".to_owned(), |n| n.to_string())),
                    td(e.preenrolments.map_or("—".to_owned(), |n| n.to_string())),
                    td(html! { ul.inline-list { @for f in FILES.iter().filter(|f| (**f != "absences.csv" || e.absences.is_some()) && (**f != "preinscriptions.csv" || e.preenrolments.is_some())) {
                        li { a href={ "/gestion/exports/" (e.export_id) "/" (f) } download=(f) {
                            (f) span.visually-hidden { " – export n° " (e.number) }
                        } }
                    } } }),
                ])))
            }
        },
    ))
}

#[handler]
pub(crate) async fn make(
    state: Data<&Arc<AppState>>,
    StaffUser(user): StaffUser,
) -> AppResult<Response> {
    let made = export::run(
        &state.pool,
        user.site_id,
        Some(user.account_id),
        Scope::New,
        |_| Ok(()),
    )
    .await?;
    Ok(see_other(match made {
        Some(_) => "/gestion/exports?info=export-fait",
        None => "/gestion/exports?info=rien-de-nouveau",
    }))
}

#[handler]
pub(crate) async fn download(
    state: Data<&Arc<AppState>>,
    StaffUser(user): StaffUser,
    Path((id, name)): Path<(String, String)>,
) -> AppResult<Response> {
    let id: i64 = id.parse().map_err(|_| AppError::NotFound)?;
    let Some(name) = FILES.iter().find(|f| **f == name) else {
        return Err(AppError::NotFound);
    };
    let content = export::file(&state.pool, user.site_id, id, name)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(content
        .with_content_type("text/csv; charset=utf-8")
        .with_header(
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{name}\""),
        )
        .with_header(header::CACHE_CONTROL, "private, no-store")
        .into_response())
}
