//! `/gestion/reinscriptions…`: staff open the campaign, list the documents they ask for,
//! and decide each request and each document.

use anyhow::Context;
use std::sync::Arc;

use poem::web::{Data, Form, Query};
use poem::{Response, handler};
use serde::Deserialize;

use super::store;
use super::views::{self, StaffRequest};
use crate::domain::text::line;
use crate::state::AppState;
use crate::web::components::Errors;
use crate::web::files::file_response;
use crate::web::{AppError, AppResult, Ctx, Ids, StaffUser, see_other, unprocessable};

#[derive(Deserialize, Default)]
struct ListQuery {
    etat: Option<String>,
    info: Option<String>,
}

fn info_text(code: Option<&str>) -> Option<&'static str> {
    Some(match code? {
        "campagne-enregistree" => "La campagne est enregistrée.",
        "document-ajoute" => "Le document est ajouté à la liste.",
        "document-retire" => "Le document est retiré de la liste.",
        "document-utilise" => {
            "Ce document ne peut pas être retiré : des familles l'ont déjà fourni."
        }
        "document-decide" => {
            "La décision sur le document est enregistrée ; la famille est prévenue par courriel."
        }
        "motif-document" => {
            "Pour refuser un document, écrivez le motif dans la case à côté du bouton."
        }
        "demande-decidee" => "La décision est enregistrée ; la famille est prévenue par courriel.",
        _ => return None,
    })
}

fn french(iso: &str) -> String {
    crate::domain::french_date(iso)
}

/// How the list page is drawn: its filter, and a refused form shown back with its errors.
struct ListView<'a> {
    filter: &'a str,
    errors: &'a Errors,
    /// The campaign or document form as typed, when refused.
    form: Option<Vec<(&'static str, String)>>,
    info: Option<&'a str>,
}

async fn render_list(
    state: &AppState,
    ctx: &Ctx,
    site_id: i64,
    view: ListView<'_>,
) -> AppResult<maud::Markup> {
    let ListView {
        filter,
        errors,
        form,
        info,
    } = view;
    let campaign = store::latest_campaign(&state.pool, site_id).await?;
    let (docs, requests) = match &campaign {
        Some(c) => (
            store::documents(&state.pool, c.campaign_id).await?,
            store::requests(&state.pool, c.campaign_id, filter).await?,
        ),
        None => (Vec::new(), Vec::new()),
    };
    let form = form.unwrap_or_else(|| match &campaign {
        Some(c) => vec![
            ("annee", c.year_label.clone()),
            ("ouverture", french(&c.opens_on)),
            ("fermeture", french(&c.closes_on)),
        ],
        None => Vec::new(),
    });
    Ok(views::staff_list(
        ctx,
        &views::StaffList {
            campaign: campaign.as_ref(),
            docs: &docs,
            requests: &requests,
            filter,
            errors,
            form: &form,
            info,
        },
    ))
}

#[handler]
pub(crate) async fn list(
    state: Data<&Arc<AppState>>,
    ctx: Ctx,
    StaffUser(user): StaffUser,
    Query(q): Query<ListQuery>,
) -> AppResult<maud::Markup> {
    let filter = match q.etat.as_deref() {
        Some("accepted") => "accepted",
        Some("refused") => "refused",
        _ => "submitted",
    };
    render_list(
        &state,
        &ctx,
        user.site_id,
        ListView {
            filter,
            errors: &Errors::new(),
            form: None,
            info: info_text(q.info.as_deref()),
        },
    )
    .await
}

#[derive(Deserialize, Default)]
struct CampaignForm {
    #[serde(default)]
    annee: String,
    #[serde(default)]
    ouverture: String,
    #[serde(default)]
    fermeture: String,
}

fn parse_day(raw: &str) -> Result<String, String> {
    // Any real calendar day (a campaign may open in the future).
    crate::domain::date::parse_day(raw, 2000..=2100).map(crate::domain::date::iso)
}

#[handler]
pub(crate) async fn save_campaign(
    state: Data<&Arc<AppState>>,
    ctx: Ctx,
    StaffUser(user): StaffUser,
    Form(f): Form<CampaignForm>,
) -> AppResult<Response> {
    let mut errors = Errors::new();
    let year = f.annee.trim().to_owned();
    let year_ok = year.len() == 9
        && year.as_bytes()[4] == b'/'
        && year[..4].parse::<i32>().ok().map(|a| a + 1) == year[5..].parse::<i32>().ok();
    if !year_ok {
        errors.add(
            "annee",
            format!("« {year} » n'est pas une année scolaire : écrivez par exemple 2027/2028."),
        );
    }
    let opens = parse_day(&f.ouverture)
        .map_err(|e| errors.add("ouverture", e))
        .ok();
    let closes = parse_day(&f.fermeture)
        .map_err(|e| errors.add("fermeture", e))
        .ok();
    if let (Some(o), Some(c)) = (&opens, &closes)
        && c < o
    {
        errors.add("fermeture", "La fermeture doit suivre l'ouverture.");
    }
    if !errors.is_empty() {
        let form = vec![
            ("annee", f.annee.clone()),
            ("ouverture", f.ouverture.clone()),
            ("fermeture", f.fermeture.clone()),
        ];
        let page = render_list(
            &state,
            &ctx,
            user.site_id,
            ListView {
                filter: "submitted",
                errors: &errors,
                form: Some(form),
                info: None,
            },
        )
        .await?;
        return Ok(unprocessable(page));
    }
    let existing = store::latest_campaign(&state.pool, user.site_id)
        .await?
        .filter(|c| c.year_label == year)
        .map(|c| c.campaign_id);
    store::save_campaign(
        &state.pool,
        store::CampaignForm {
            site_id: user.site_id,
            existing,
            year: &year,
            opens: &opens.expect("checked"),
            closes: &closes.expect("checked"),
            staff: user.account_id,
        },
    )
    .await
    .with_context(|| format!("saving the campaign {year}"))?;
    Ok(see_other(
        "/gestion/reinscriptions?info=campagne-enregistree",
    ))
}

#[derive(Deserialize, Default)]
struct DocForm {
    #[serde(default)]
    nom: String,
    #[serde(default)]
    pour: String,
    #[serde(default)]
    obligatoire: String,
    #[serde(default)]
    document: String,
}

#[handler]
pub(crate) async fn add_document(
    state: Data<&Arc<AppState>>,
    ctx: Ctx,
    StaffUser(user): StaffUser,
    Form(f): Form<DocForm>,
) -> AppResult<Response> {
    let campaign = store::latest_campaign(&state.pool, user.site_id)
        .await?
        .ok_or(AppError::NotFound)?;
    match line(&f.nom, "Le nom du document", 100) {
        Ok(name) if !name.is_empty() => {
            store::add_document(
                &state.pool,
                campaign.campaign_id,
                &name,
                f.pour == "eleve",
                f.obligatoire == "1",
            )
            .await?;
            Ok(see_other("/gestion/reinscriptions?info=document-ajoute"))
        }
        other => {
            let mut errors = Errors::new();
            errors.add(
                "nom",
                other
                    .err()
                    .unwrap_or_else(|| "Le nom du document est obligatoire.".to_owned()),
            );
            let form = vec![
                ("annee", campaign.year_label.clone()),
                ("ouverture", french(&campaign.opens_on)),
                ("fermeture", french(&campaign.closes_on)),
                ("nom", f.nom.clone()),
                ("pour", f.pour.clone()),
                ("obligatoire", f.obligatoire.clone()),
            ];
            let page = render_list(
                &state,
                &ctx,
                user.site_id,
                ListView {
                    filter: "submitted",
                    errors: &errors,
                    form: Some(form),
                    info: None,
                },
            )
            .await?;
            Ok(unprocessable(page))
        }
    }
}

#[handler]
pub(crate) async fn remove_document(
    state: Data<&Arc<AppState>>,
    StaffUser(user): StaffUser,
    Form(f): Form<DocForm>,
) -> AppResult<Response> {
    let campaign = store::latest_campaign(&state.pool, user.site_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let id: i64 = f.document.parse().map_err(|_| AppError::NotFound)?;
    let removed = store::remove_campaign_document(&state.pool, campaign.campaign_id, id).await?;
    Ok(see_other(if removed {
        "/gestion/reinscriptions?info=document-retire"
    } else {
        "/gestion/reinscriptions?info=document-utilise"
    }))
}

#[handler]
pub(crate) async fn download(
    state: Data<&Arc<AppState>>,
    StaffUser(user): StaffUser,
    Ids([id]): Ids<1>,
) -> AppResult<Response> {
    let file = store::content(&state.pool, id, None, user.site_id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(file_response(file))
}

/// How a request's page is drawn: a refused decision is shown back with its reason.
struct DetailView<'a> {
    id: i64,
    errors: &'a Errors,
    reason: &'a str,
    info: Option<&'a str>,
}

async fn render_detail(
    state: &AppState,
    ctx: &Ctx,
    site_id: i64,
    view: DetailView<'_>,
) -> AppResult<maud::Markup> {
    let DetailView {
        id,
        errors,
        reason,
        info,
    } = view;
    let request = store::request_for_staff(&state.pool, site_id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let offers = store::offers(
        &state.pool,
        request.family_id,
        request.person_id,
        &crate::domain::date::today_iso(),
    )
    .await?;
    let chosen = store::choices(&state.pool, request.request_id).await?;
    let docs = store::documents(&state.pool, request.campaign_id).await?;
    let provided = store::provided(
        &state.pool,
        request.campaign_id,
        request.family_id,
        request.person_id,
    )
    .await?;
    Ok(views::staff_request(
        ctx,
        &StaffRequest {
            request: &request,
            offers: &offers,
            chosen: &chosen,
            docs: &docs,
            provided: &provided,
            errors,
            reason,
            info,
        },
    ))
}

#[handler]
pub(crate) async fn detail(
    state: Data<&Arc<AppState>>,
    ctx: Ctx,
    StaffUser(user): StaffUser,
    Ids([id]): Ids<1>,
    Query(q): Query<ListQuery>,
) -> AppResult<maud::Markup> {
    render_detail(
        &state,
        &ctx,
        user.site_id,
        DetailView {
            id,
            errors: &Errors::new(),
            reason: "",
            info: info_text(q.info.as_deref()),
        },
    )
    .await
}

#[derive(Deserialize, Default)]
struct DecisionForm {
    #[serde(default)]
    decision: String,
    #[serde(default)]
    motif: String,
}

#[handler]
pub(crate) async fn decide_document(
    state: Data<&Arc<AppState>>,
    StaffUser(user): StaffUser,
    Ids([id, did]): Ids<2>,
    Form(f): Form<DecisionForm>,
) -> AppResult<Response> {
    let request = store::request_for_staff(&state.pool, user.site_id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let accept = f.decision == "accepter";
    let reason = f.motif.trim();
    let base = format!("/gestion/reinscriptions/{id}");
    if !accept && reason.is_empty() {
        return Ok(see_other(&format!("{base}?info=motif-document")));
    }
    // A reason typed with invisible characters is refused like a missing one.
    if crate::domain::text::paragraph(reason, "Le motif", 500).is_err() {
        return Ok(see_other(&format!("{base}?info=motif-document")));
    }
    let provided = store::provided(
        &state.pool,
        request.campaign_id,
        request.family_id,
        request.person_id,
    )
    .await?;
    let file = provided
        .iter()
        .find(|f| f.provided_document_id == did)
        .ok_or(AppError::NotFound)?;
    let docs = store::documents(&state.pool, request.campaign_id).await?;
    let doc_name = docs
        .iter()
        .find(|d| d.campaign_document_id == file.campaign_document_id)
        .map(|d| d.name.clone())
        .unwrap_or_default();
    let school = crate::site::school(&state.pool, user.site_id).await?;
    let mail = store::family_email(&state.pool, request.family_id)
        .await?
        .map(|to| {
            crate::mail::templates::document_decided(
                &to,
                &school.name,
                &request.student,
                &doc_name,
                (!accept).then_some(reason),
                &format!(
                    "{}/eleves/{}/reinscription",
                    state.settings.base_url, request.person_id
                ),
            )
        });
    store::decide_document(
        &state.pool,
        store::StaffDecision {
            site_id: user.site_id,
            staff: user.account_id,
            id: did,
            accept,
            reason,
            mail,
        },
    )
    .await
    .with_context(|| format!("deciding provided document {did}"))?;
    Ok(see_other(&format!("{base}?info=document-decide")))
}

#[handler]
pub(crate) async fn decide(
    state: Data<&Arc<AppState>>,
    ctx: Ctx,
    StaffUser(user): StaffUser,
    Ids([id]): Ids<1>,
    Form(f): Form<DecisionForm>,
) -> AppResult<Response> {
    let request = store::request_for_staff(&state.pool, user.site_id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let accept = match f.decision.as_str() {
        "accepter" => true,
        "refuser" => false,
        _ => return Err(AppError::BadRequest),
    };
    let reason = f.motif.trim();
    let invalid = crate::domain::text::paragraph(reason, "Le motif", 1000).err();
    if (!accept && reason.is_empty()) || invalid.is_some() {
        let mut errors = Errors::new();
        errors.add(
            "motif",
            invalid.unwrap_or_else(|| {
                "Écrivez le motif du refus : la famille le recevra par courriel.".to_owned()
            }),
        );
        let page = render_detail(
            &state,
            &ctx,
            user.site_id,
            DetailView {
                id,
                errors: &errors,
                reason: &f.motif,
                info: None,
            },
        )
        .await?;
        return Ok(unprocessable(page));
    }
    let campaign_year = store::latest_campaign(&state.pool, user.site_id)
        .await?
        .map(|c| c.year_label)
        .unwrap_or_default();
    let school = crate::site::school(&state.pool, user.site_id).await?;
    let mail = store::family_email(&state.pool, request.family_id)
        .await?
        .map(|to| {
            crate::mail::templates::reenrolment_decided(
                &to,
                &school.name,
                &request.student,
                &campaign_year,
                (!accept).then_some(reason),
            )
        });
    store::decide_request(
        &state.pool,
        store::StaffDecision {
            site_id: user.site_id,
            staff: user.account_id,
            id,
            accept,
            reason,
            mail,
        },
    )
    .await
    .with_context(|| format!("deciding re-enrolment request {id}"))?;
    Ok(see_other(&format!(
        "/gestion/reinscriptions/{id}?info=demande-decidee"
    )))
}
