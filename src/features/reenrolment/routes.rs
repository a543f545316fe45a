//! `/eleves/{id}/reinscription…`: the family's side of a re-enrolment campaign.

use anyhow::Context;
use std::sync::Arc;

use poem::web::{Data, Form, Multipart, Query};
use poem::{Response, handler};
use serde::Deserialize;

use super::store::{self, Campaign, Upload};
use super::views::{self, Page};
use crate::domain::date::today_iso;
use crate::domain::status::{DocumentStatus, RequestStatus};
use crate::features::students::store as students;
use crate::state::AppState;
use crate::web::components::Errors;
use crate::web::files::file_response;
use crate::web::multipart;
use crate::web::{AppError, AppResult, Ctx, FamilyUser, Ids, see_other, unprocessable};

struct Ready {
    name: String,
    person_id: i64,
    campaign: Campaign,
}

/// The student of the family and the school's open campaign, or 404.
async fn ready(state: &AppState, user: &FamilyUser, person_id: i64) -> AppResult<Ready> {
    let s = students::one(&state.pool, user.family_id, person_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let campaign = store::open_campaign(&state.pool, user.account.site_id, &today_iso())
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(Ready {
        name: s.name(),
        person_id,
        campaign,
    })
}

fn info_text(code: Option<&str>) -> Option<&'static str> {
    Some(match code? {
        "choix-enregistre" => {
            "Votre choix est enregistré. Joignez maintenant les documents demandés."
        }
        "document-importe" => "Le document est importé.",
        "document-supprime" => "Le document est supprimé.",
        "envoyee" => {
            "Votre demande de réinscription est enregistrée. Un courriel vous la confirme ; l'équipe administrative vous répondra."
        }
        "deja-envoyee" => {
            "Cette demande de réinscription est déjà envoyée : elle n'est enregistrée qu'une fois."
        }
        _ => return None,
    })
}

#[derive(Deserialize, Default)]
struct InfoQuery {
    info: Option<String>,
}

/// What a page shows besides the stored data: a notice, errors, the values kept.
#[derive(Default)]
struct Shown<'a> {
    info: Option<&'a str>,
    errors: Errors,
    comment: Option<&'a str>,
    picked: Option<i64>,
}

/// Renders the tab with its current data and the given errors and kept values.
async fn render(
    state: &AppState,
    ctx: &Ctx,
    user: &FamilyUser,
    r: &Ready,
    shown: Shown<'_>,
) -> AppResult<maud::Markup> {
    let Shown {
        info,
        errors,
        comment,
        picked,
    } = shown;
    let offers = store::offers(&state.pool, user.family_id, r.person_id, &today_iso()).await?;
    let request = store::request(
        &state.pool,
        r.campaign.campaign_id,
        user.family_id,
        r.person_id,
    )
    .await?;
    let chosen = match &request {
        Some(q) => store::choices(&state.pool, q.request_id).await?,
        None => Vec::new(),
    };
    let docs = store::documents(&state.pool, r.campaign.campaign_id).await?;
    let provided = store::provided(
        &state.pool,
        r.campaign.campaign_id,
        user.family_id,
        r.person_id,
    )
    .await?;
    let comment = comment
        .map(str::to_owned)
        .or_else(|| request.as_ref().map(|q| q.comment.clone()))
        .unwrap_or_default();
    Ok(views::page(
        ctx,
        &Page {
            name: &r.name,
            person_id: r.person_id,
            campaign: &r.campaign,
            offers: &offers,
            request: request.as_ref(),
            chosen: &chosen,
            docs: &docs,
            provided: &provided,
            info,
            errors: &errors,
            comment: &comment,
            picked,
        },
    ))
}

/// Has the family ticked something for this student (and saved it)?
async fn has_choice(state: &AppState, request: Option<&store::Request>) -> AppResult<bool> {
    Ok(match request {
        Some(q) => q.administrative || !store::choices(&state.pool, q.request_id).await?.is_empty(),
        None => false,
    })
}

#[handler]
pub(crate) async fn page(
    state: Data<&Arc<AppState>>,
    ctx: Ctx,
    user: FamilyUser,
    Ids([pid]): Ids<1>,
    Query(q): Query<InfoQuery>,
) -> AppResult<maud::Markup> {
    let r = ready(&state, &user, pid).await?;
    let shown = Shown {
        info: info_text(q.info.as_deref()),
        ..Shown::default()
    };
    render(&state, &ctx, &user, &r, shown).await
}

#[handler]
pub(crate) async fn choose(
    state: Data<&Arc<AppState>>,
    ctx: Ctx,
    user: FamilyUser,
    Ids([pid]): Ids<1>,
    Form(fields): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let r = ready(&state, &user, pid).await?;
    let administrative = fields
        .iter()
        .any(|(k, v)| k == "administrative" && v == "1");
    let offers = store::offers(&state.pool, user.family_id, r.person_id, &today_iso()).await?;
    // Only this student's courses of this year can be chosen; anything else is ignored.
    let chosen: Vec<i64> = fields
        .iter()
        .filter(|(k, _)| k == "cours")
        .filter_map(|(_, v)| v.parse::<i64>().ok())
        .filter(|id| offers.iter().any(|o| o.course_record_id == *id))
        .collect();
    let base = crate::paths::reenrolment(r.person_id);
    let request = store::request(
        &state.pool,
        r.campaign.campaign_id,
        user.family_id,
        r.person_id,
    )
    .await?;
    if request.is_some_and(|q| q.status != RequestStatus::Draft) {
        return Ok(see_other(&format!("{base}?info=deja-envoyee")));
    }
    if !administrative && chosen.is_empty() {
        let mut errors = Errors::new();
        errors.add(
            "choix",
            "Cochez la réinscription administrative ou au moins un cours.",
        );
        let html = render(
            &state,
            &ctx,
            &user,
            &r,
            Shown {
                errors,
                ..Shown::default()
            },
        )
        .await?;
        return Ok(unprocessable(html));
    }
    if !store::save_choice(
        &state.pool,
        &r.campaign,
        user.family_id,
        r.person_id,
        administrative,
        &chosen,
    )
    .await?
    {
        return Ok(see_other(&format!("{base}?info=deja-envoyee")));
    }
    Ok(see_other(&format!("{base}?info=choix-enregistre")))
}

#[handler]
pub(crate) async fn upload_document(
    state: Data<&Arc<AppState>>,
    ctx: Ctx,
    user: FamilyUser,
    Ids([pid]): Ids<1>,
    multipart: Multipart,
) -> AppResult<Response> {
    let r = ready(&state, &user, pid).await?;
    let base = crate::paths::reenrolment(r.person_id);
    let received = multipart::read(multipart, "fichier").await;
    let mut errors = Errors::new();
    let picked = received
        .as_ref()
        .ok()
        .and_then(|x| x.field("document").trim().parse().ok());
    let docs = store::documents(&state.pool, r.campaign.campaign_id).await?;
    let doc = picked.and_then(|id| docs.iter().find(|d| d.campaign_document_id == id));
    let request = store::request(
        &state.pool,
        r.campaign.campaign_id,
        user.family_id,
        r.person_id,
    )
    .await?;
    let has_choice = has_choice(&state, request.as_ref()).await?;
    let mut file = None;
    match received {
        Err(e) => errors.add("fichier", e),
        Ok(x) => {
            if !has_choice {
                errors.add(
                    "fichier",
                    "Cochez d'abord un choix de réinscription (et enregistrez-le) : un document ne peut être importé qu'après.",
                );
            } else if doc.is_none() {
                errors.add("document", "Choisissez le nom du document dans la liste.");
            } else {
                match multipart::checked_file(x.file).await {
                    Ok(Some(f)) => file = Some(f),
                    Ok(None) => errors.add("fichier", "Choisissez un fichier à importer."),
                    Err(e) => errors.add("fichier", e),
                }
            }
        }
    }
    if let (Some(f), Some(doc)) = (file, doc) {
        let stored = store::store_upload(
            &state.pool,
            &Upload {
                campaign_document_id: doc.campaign_document_id,
                family_id: user.family_id,
                person_id: (doc.per_student).then_some(r.person_id),
                file_name: &f.display_name,
                content_type: f.kind.content_type(),
                bytes: &f.bytes,
            },
        )
        .await?;
        match stored {
            store::Stored::Stored => {
                return Ok(see_other(&format!("{base}?info=document-importe")));
            }
            store::Stored::AlreadyAccepted => errors.add(
                "document",
                format!(
                    "« {} » est déjà accepté par l'école : il ne peut plus être remplacé.",
                    doc.name
                ),
            ),
            store::Stored::Frozen => errors.add(
                "document",
                format!(
                    "La réinscription est envoyée : « {} » ne peut plus être changé, sauf si l'école refuse le document.",
                    doc.name
                ),
            ),
        }
    }
    let html = render(
        &state,
        &ctx,
        &user,
        &r,
        Shown {
            errors,
            picked,
            ..Shown::default()
        },
    )
    .await?;
    Ok(unprocessable(html))
}

#[handler]
pub(crate) async fn download(
    state: Data<&Arc<AppState>>,
    user: FamilyUser,
    Ids([pid, id]): Ids<2>,
) -> AppResult<Response> {
    let person_id = pid;
    students::one(&state.pool, user.family_id, person_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let file = store::content(&state.pool, id, Some(user.family_id), user.account.site_id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(file_response(file))
}

#[handler]
pub(crate) async fn remove(
    state: Data<&Arc<AppState>>,
    user: FamilyUser,
    Ids([pid, id]): Ids<2>,
) -> AppResult<Response> {
    let r = ready(&state, &user, pid).await?;
    if !store::remove_upload(&state.pool, user.family_id, id).await? {
        return Err(AppError::NotFound);
    }
    Ok(see_other(&format!(
        "{}?info=document-supprime",
        crate::paths::reenrolment(r.person_id)
    )))
}

#[derive(Deserialize, Default)]
struct SubmitForm {
    #[serde(default)]
    commentaire: String,
}

#[handler]
pub(crate) async fn submit(
    state: Data<&Arc<AppState>>,
    ctx: Ctx,
    user: FamilyUser,
    Ids([pid]): Ids<1>,
    Form(form): Form<SubmitForm>,
) -> AppResult<Response> {
    let r = ready(&state, &user, pid).await?;
    let base = crate::paths::reenrolment(r.person_id);
    let comment = form.commentaire.trim().to_owned();
    let request = store::request(
        &state.pool,
        r.campaign.campaign_id,
        user.family_id,
        r.person_id,
    )
    .await?;
    if request
        .as_ref()
        .is_some_and(|q| q.status != RequestStatus::Draft)
    {
        return Ok(see_other(&format!("{base}?info=deja-envoyee")));
    }
    let mut errors = Errors::new();
    let has_choice = has_choice(&state, request.as_ref()).await?;
    if !has_choice {
        errors.add(
            "choix",
            "Cochez la réinscription administrative ou au moins un cours, et enregistrez ce choix, avant de valider.",
        );
    }
    let docs = store::documents(&state.pool, r.campaign.campaign_id).await?;
    let provided = store::provided(
        &state.pool,
        r.campaign.campaign_id,
        user.family_id,
        r.person_id,
    )
    .await?;
    let missing: Vec<&str> = docs
        .iter()
        .filter(|d| d.required)
        .filter(|d| {
            !provided.iter().any(|f| {
                f.campaign_document_id == d.campaign_document_id
                    && f.status != DocumentStatus::Refused
                    && f.person_id == (d.per_student).then_some(r.person_id)
            })
        })
        .map(|d| d.name.as_str())
        .collect();
    if !missing.is_empty() {
        errors.add(
            "fichier",
            format!("Document obligatoire manquant : {}.", missing.join(", ")),
        );
    }
    if comment.chars().count() > 2000 {
        errors.add(
            "commentaire",
            format!(
                "Votre texte compte {} caractères ; 2 000 au plus.",
                comment.chars().count()
            ),
        );
    } else if let Err(e) = crate::domain::text::paragraph(&comment, "Votre texte", 2000) {
        errors.add("commentaire", e);
    }
    if !errors.is_empty() {
        let shown = Shown {
            errors,
            comment: Some(&form.commentaire),
            ..Shown::default()
        };
        let html = render(&state, &ctx, &user, &r, shown).await?;
        return Ok(unprocessable(html));
    }
    let request = request.expect("a choice implies a request");
    let school = crate::site::school(&state.pool, user.account.site_id).await?;
    let mail = store::family_email(&state.pool, user.family_id)
        .await?
        .map(|to| {
            (
                user.account.site_id,
                crate::mail::templates::reenrolment_received(
                    &to,
                    &school.name,
                    &r.name,
                    &r.campaign.year_label,
                    &format!("{}{base}", state.settings.base_url),
                ),
            )
        });
    if store::submit(&state.pool, request.request_id, &comment, mail)
        .await
        .with_context(|| format!("submitting re-enrolment request {}", request.request_id))?
    {
        Ok(see_other(&format!("{base}?info=envoyee")))
    } else {
        Ok(see_other(&format!("{base}?info=deja-envoyee")))
    }
}
