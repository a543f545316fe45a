//! Handlers of Gestion: the queue of change requests, a request and its decision, the mails
//! not yet delivered.

use anyhow::Context;
use std::sync::Arc;

use maud::Markup;
use poem::http::StatusCode;
use poem::web::{Data, Form, Query};
use poem::{IntoResponse, Response, handler};
use serde::Deserialize;

use super::store::{self, RequestDetail, Verdict};
use super::views;
use crate::features::records::fields;
use crate::features::records::store::{self as records, Record};
use crate::mail::templates;
use crate::state::AppState;
use crate::web::components::Errors;
use crate::web::{AppError, AppResult, Ctx, Ids, StaffUser, see_other, unprocessable};

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
    Ok(views::queue(&ctx, &rows, info))
}

/// A pending request of the staff member's site, or 404.
async fn load(state: &AppState, site_id: i64, id: i64) -> AppResult<(RequestDetail, Record)> {
    let detail = store::request(&state.pool, site_id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let record = records::load_in_site(&state.pool, site_id, detail.person_id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok((detail, record))
}

#[handler]
pub(crate) async fn request(
    state: Data<&Arc<AppState>>,
    ctx: Ctx,
    StaffUser(user): StaffUser,
    Ids([id]): Ids<1>,
) -> AppResult<Markup> {
    let (detail, record) = load(&state, user.site_id, id).await?;
    Ok(views::request(
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
        return Ok(unprocessable(views::request(
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
        Verdict {
            site_id: user.site_id,
            staff_account: user.account_id,
            request_id: detail.change_request_id,
            accept: &accepted,
            reason: &reason,
        },
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
    .await
    .with_context(|| format!("deciding change request {}", detail.change_request_id))?;
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
    Ok(views::mails(&ctx, &list, info))
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
