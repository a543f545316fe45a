//! Handlers of Famille: the account holder's record, shown and submitted.

use std::collections::HashMap;
use std::sync::Arc;

use poem::web::{Data, Form, Query};
use poem::{IntoResponse, Request, Response, handler};
use serde::Deserialize;

use crate::features::records::fields::GUARDIAN_FIELDS;
use crate::features::records::flow::{self, Outcome};
use crate::features::records::store::{self, Record};
use crate::state::AppState;
use crate::web::components::Errors;
use crate::web::resume;
use crate::web::{AppResult, Ctx, FamilyUser, see_other, unprocessable};

use super::views::{FamilyPage, page};

#[derive(Deserialize, Default)]
struct InfoQuery {
    info: Option<String>,
    /// Back from `/reprise`: the form filled in with what was kept after expiry.
    reprise: Option<String>,
}

/// The account holder's record (None: an account without a person, which staff fix).
async fn holder(state: &AppState, user: &FamilyUser) -> AppResult<Record> {
    let person = user.account.person_id.unwrap_or(0);
    match store::load(&state.pool, user.family_id, person).await? {
        Some(r) => Ok(r),
        None => Err(crate::web::AppError::NotFound),
    }
}

#[handler]
pub(crate) async fn show(
    state: Data<&Arc<AppState>>,
    ctx: Ctx,
    user: FamilyUser,
    Query(q): Query<InfoQuery>,
    req: &Request,
) -> AppResult<maud::Markup> {
    let record = holder(&state, &user).await?;
    let pending = store::pending(&state.pool, record.person_id).await?;
    let kept = match q.reprise {
        Some(_) => resume::kept_fields(&state, req, user.account.account_id, "/famille").await?,
        None => None,
    };
    let values = match &kept {
        Some(typed) => flow::typed_values(GUARDIAN_FIELDS, typed),
        None => flow::control_values(
            GUARDIAN_FIELDS,
            &flow::effective(GUARDIAN_FIELDS, &record, &pending),
        ),
    };
    Ok(page(
        &ctx,
        &FamilyPage {
            record: &record,
            values: &values,
            errors: &Errors::new(),
            pending: &pending,
            info: flow::info_text(q.info.as_deref()),
            notice: kept.is_some().then_some(flow::REFILLED),
        },
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
        flow::Correction {
            user: &user.account,
            school: &school,
            defs: GUARDIAN_FIELDS,
            record: &record,
            submitted: &submitted,
            location: "/famille",
        },
    )
    .await?;
    let pending = store::pending(&state.pool, record.person_id).await?;
    Ok(match outcome {
        Outcome::Redirect(to) => see_other(&to),
        Outcome::Invalid(errors) => {
            let typed = flow::typed_values(GUARDIAN_FIELDS, &submitted);
            unprocessable(page(
                &ctx,
                &FamilyPage {
                    record: &record,
                    values: &typed,
                    errors: &errors,
                    pending: &pending,
                    info: None,
                    notice: None,
                },
            ))
        }
        Outcome::NothingChanged => {
            let values = flow::control_values(
                GUARDIAN_FIELDS,
                &flow::effective(GUARDIAN_FIELDS, &record, &pending),
            );
            page(
                &ctx,
                &FamilyPage {
                    record: &record,
                    values: &values,
                    errors: &Errors::new(),
                    pending: &pending,
                    info: None,
                    notice: Some(flow::NOTHING_CHANGED),
                },
            )
            .into_response()
        }
    })
}
