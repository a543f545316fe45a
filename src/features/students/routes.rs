//! `/eleves`, the student chooser, and each student's Identité tab.

use std::collections::HashMap;
use std::sync::Arc;

use maud::html;
use poem::web::{Data, Form, Query};
use poem::{IntoResponse, Request, Response, handler};
use serde::Deserialize;

use super::{store as students, views};
use crate::features::records::fields::{FieldDef, STUDENT_FIELDS, USE_GUARDIAN_CONTACT};
use crate::features::records::flow::{self, Outcome};
use crate::features::records::store::{self, Pending, Record};
use crate::features::records::views::{RecordForm, record_form};
use crate::state::AppState;
use crate::web::components::{Errors, notice};
use crate::web::resume;
use crate::web::{AppError, AppResult, Ctx, FamilyUser, Ids, layout, see_other, unprocessable};

#[handler]
pub(crate) async fn list(
    state: Data<&Arc<AppState>>,
    ctx: Ctx,
    user: FamilyUser,
) -> AppResult<maud::Markup> {
    let list = students::of_family(&state.pool, user.family_id).await?;
    Ok(views::list(&ctx, &list))
}

#[derive(Deserialize)]
struct Choice {
    #[serde(default)]
    eleve: String,
}

/// The select + button of `/eleves` (works without JavaScript).
#[handler]
pub(crate) fn choose(_user: FamilyUser, Query(c): Query<Choice>) -> Response {
    match c.eleve.parse::<i64>() {
        Ok(id) => see_other(&crate::paths::identity(id)),
        Err(_) => see_other("/eleves"),
    }
}

#[handler]
pub(crate) fn student_root(_user: FamilyUser, Ids([id]): Ids<1>) -> Response {
    see_other(&crate::paths::identity(id))
}

/// A student of the family; another family's student and a missing one are both 404.
async fn student(state: &AppState, user: &FamilyUser, id: i64) -> AppResult<Record> {
    students::one(&state.pool, user.family_id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    store::load(&state.pool, user.family_id, id)
        .await?
        .ok_or(AppError::NotFound)
}

/// The fields asked of this student (an adult student is their own guardian).
fn defs_for(record: &Record) -> Vec<&'static FieldDef> {
    STUDENT_FIELDS
        .iter()
        .copied()
        .filter(|d| !(record.is_guardian && d.key == USE_GUARDIAN_CONTACT.key))
        .collect()
}

#[derive(Deserialize, Default)]
struct InfoQuery {
    info: Option<String>,
    /// Back from `/reprise`: the form filled in with what was kept after expiry.
    reprise: Option<String>,
}

struct View<'a> {
    record: &'a Record,
    defs: &'a [&'static FieldDef],
    values: &'a HashMap<&'static str, String>,
    errors: &'a Errors,
    pending: &'a HashMap<String, Pending>,
    guardian: Option<&'a Record>,
    info: Option<&'a str>,
    extra: Option<&'a str>,
}

fn page(ctx: &Ctx, v: &View) -> maud::Markup {
    let name = v.record.name();
    let action = crate::paths::identity(v.record.person_id);
    layout::form_page(
        ctx,
        &format!("Identité – {name}"),
        v.errors,
        html! {
            p { a href="/eleves" { "Tous les élèves" } }
            h1 { (name) }
            (views::tabs(ctx, v.record.person_id, "identite"))
            h2 { "Identité" }
            @if let Some(x) = v.extra { (notice(x)) }
            (record_form(ctx, &RecordForm {
                action: &action,
                defs: v.defs,
                values: v.values,
                errors: v.errors,
                record: v.record,
                pending: v.pending,
                form_key: &crate::tokens::random_token(),
                guardian_contact: v.guardian,
                offer_guardian_contact: !v.record.is_guardian,
                info: v.info,
            }))
        },
    )
}

/// The guardian whose contact details replace the student's, when the (effective) box is ticked.
async fn guardian_if_used(
    state: &AppState,
    record: &Record,
    effective: &HashMap<&'static str, String>,
) -> AppResult<Option<Record>> {
    if record.is_guardian
        || effective.get(USE_GUARDIAN_CONTACT.key).map(String::as_str) != Some("1")
    {
        return Ok(None);
    }
    Ok(store::guardian_of(&state.pool, record.family_id).await?)
}

#[handler]
pub(crate) async fn identity(
    state: Data<&Arc<AppState>>,
    ctx: Ctx,
    user: FamilyUser,
    Ids([id]): Ids<1>,
    Query(q): Query<InfoQuery>,
    req: &Request,
) -> AppResult<maud::Markup> {
    let record = student(&state, &user, id).await?;
    let defs = defs_for(&record);
    if q.reprise.is_some() {
        let path = crate::paths::identity(record.person_id);
        if let Some(typed) =
            resume::kept_fields(&state, req, user.account.account_id, &path).await?
        {
            let t = Typed {
                submitted: &typed,
                errors: &Errors::new(),
                extra: Some(flow::REFILLED),
            };
            return show_typed(&state, &ctx, &record, &defs, t).await;
        }
    }
    show_stored(
        &state,
        &ctx,
        &record,
        &defs,
        flow::info_text(q.info.as_deref()),
        None,
    )
    .await
}

/// The identity page with the stored values and pending changes (no errors).
async fn show_stored(
    state: &AppState,
    ctx: &Ctx,
    record: &Record,
    defs: &[&'static FieldDef],
    info: Option<&str>,
    extra: Option<&str>,
) -> AppResult<maud::Markup> {
    let pending = store::pending(&state.pool, record.person_id).await?;
    let effective = flow::effective(defs, record, &pending);
    let guardian = guardian_if_used(state, record, &effective).await?;
    let values = flow::control_values(defs, &effective);
    Ok(page(
        ctx,
        &View {
            record,
            defs,
            values: &values,
            errors: &Errors::new(),
            pending: &pending,
            guardian: guardian.as_ref(),
            info,
            extra,
        },
    ))
}

/// What was typed in the identity form, and what to say of it.
struct Typed<'a> {
    submitted: &'a HashMap<String, String>,
    errors: &'a Errors,
    extra: Option<&'a str>,
}

/// The identity page with what was typed (a refused form, or one kept after expiry).
async fn show_typed(
    state: &AppState,
    ctx: &Ctx,
    record: &Record,
    defs: &[&'static FieldDef],
    t: Typed<'_>,
) -> AppResult<maud::Markup> {
    let Typed {
        submitted,
        errors,
        extra,
    } = t;
    let pending = store::pending(&state.pool, record.person_id).await?;
    let typed = flow::typed_values(defs, submitted);
    let uses_guardian = submitted.get(USE_GUARDIAN_CONTACT.key).map(String::as_str) == Some("1")
        && !record.is_guardian;
    let guardian = if uses_guardian {
        store::guardian_of(&state.pool, record.family_id).await?
    } else {
        None
    };
    Ok(page(
        ctx,
        &View {
            record,
            defs,
            values: &typed,
            errors,
            pending: &pending,
            guardian: guardian.as_ref(),
            info: None,
            extra,
        },
    ))
}

#[handler]
pub(crate) async fn save_identity(
    state: Data<&Arc<AppState>>,
    ctx: Ctx,
    user: FamilyUser,
    Ids([id]): Ids<1>,
    Form(submitted): Form<Vec<(String, String)>>,
) -> AppResult<Response> {
    let submitted: HashMap<String, String> = submitted.into_iter().collect();
    let record = student(&state, &user, id).await?;
    let defs = defs_for(&record);
    let school = ctx.school_name.clone().unwrap_or_default();
    let location = crate::paths::identity(record.person_id);
    let outcome = flow::submit(
        &state,
        flow::Correction {
            user: &user.account,
            school: &school,
            defs: &defs,
            record: &record,
            submitted: &submitted,
            location: &location,
        },
    )
    .await?;
    Ok(match outcome {
        Outcome::Redirect(to) => see_other(&to),
        Outcome::Invalid(errors) => unprocessable(
            show_typed(
                &state,
                &ctx,
                &record,
                &defs,
                Typed {
                    submitted: &submitted,
                    errors: &errors,
                    extra: None,
                },
            )
            .await?,
        ),
        Outcome::NothingChanged => show_stored(
            &state,
            &ctx,
            &record,
            &defs,
            None,
            Some(flow::NOTHING_CHANGED),
        )
        .await?
        .into_response(),
    })
}
