//! Famille: the account holder's own record, corrected by the family, validated by staff.

use std::collections::HashMap;
use std::sync::Arc;

use maud::html;
use poem::web::{Data, Form, Query};
use poem::{IntoResponse, Response, handler};
use serde::Deserialize;

use crate::features::records::fields::GUARDIAN_FIELDS;
use crate::features::records::flow::{self, Outcome};
use crate::features::records::store::{self, Record};
use crate::features::records::views::{RecordForm, record_form};
use crate::state::AppState;
use crate::web::components::{Errors, notice};
use crate::web::{AppResult, Ctx, FamilyUser, layout, see_other, unprocessable};

#[derive(Deserialize, Default)]
struct InfoQuery {
    info: Option<String>,
}

/// The account holder's record (None: an account without a person, which staff fix).
async fn holder(state: &AppState, user: &FamilyUser) -> AppResult<Record> {
    let person = user.account.person_id.unwrap_or(0);
    match store::load(&state.pool, user.family_id, person).await? {
        Some(r) => Ok(r),
        None => Err(crate::web::AppError::NotFound),
    }
}

fn page(
    ctx: &Ctx,
    record: &Record,
    values: &HashMap<&'static str, String>,
    errors: &Errors,
    pending: &HashMap<String, store::Pending>,
    info: Option<&str>,
    extra: Option<&str>,
) -> maud::Markup {
    layout::form_page(
        ctx,
        "Famille",
        errors,
        html! {
            h1 { "Famille" }
            p { "Voici les informations que l'école connaît de vous, responsable de la famille. "
                "Corrigez ce qui a changé puis choisissez « Modifier » : le personnel de l'école valide chaque modification avant qu'elle soit enregistrée." }
            @if let Some(x) = extra { (notice(x)) }
            (record_form(ctx, &RecordForm {
                action: "/famille",
                defs: GUARDIAN_FIELDS,
                values,
                errors,
                record,
                pending,
                form_key: &crate::tokens::random_token(),
                guardian_contact: None,
                offer_guardian_contact: false,
                info,
            }))
        },
    )
}

#[handler]
pub(crate) async fn show(
    state: Data<&Arc<AppState>>,
    ctx: Ctx,
    user: FamilyUser,
    Query(q): Query<InfoQuery>,
) -> AppResult<maud::Markup> {
    let record = holder(&state, &user).await?;
    let pending = store::pending(&state.pool, record.person_id).await?;
    let values = flow::control_values(
        GUARDIAN_FIELDS,
        &flow::effective(GUARDIAN_FIELDS, &record, &pending),
    );
    Ok(page(
        &ctx,
        &record,
        &values,
        &Errors::new(),
        &pending,
        flow::info_text(q.info.as_deref()),
        None,
    ))
}

#[handler]
pub(crate) async fn save(
    state: Data<&Arc<AppState>>,
    ctx: Ctx,
    user: FamilyUser,
    Form(submitted): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let submitted: HashMap<String, String> = submitted.into_iter().collect();
    let record = holder(&state, &user).await?;
    let school = ctx.school_name.clone().unwrap_or_default();
    let outcome = flow::submit(
        &state,
        &user.account,
        &school,
        GUARDIAN_FIELDS,
        &record,
        &submitted,
        "/famille",
    )
    .await?;
    let pending = store::pending(&state.pool, record.person_id).await?;
    Ok(match outcome {
        Outcome::Redirect(to) => see_other(&to),
        Outcome::Invalid(errors) => {
            let typed = flow::typed_values(GUARDIAN_FIELDS, &submitted);
            unprocessable(page(&ctx, &record, &typed, &errors, &pending, None, None))
        }
        Outcome::NothingChanged => {
            let values = flow::control_values(
                GUARDIAN_FIELDS,
                &flow::effective(GUARDIAN_FIELDS, &record, &pending),
            );
            page(
                &ctx,
                &record,
                &values,
                &Errors::new(),
                &pending,
                None,
                Some(flow::NOTHING_CHANGED),
            )
            .into_response()
        }
    })
}
