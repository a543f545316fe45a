//! `/eleves/{id}/cours…`, `/eleves/{id}/historique…`, `/eleves/{id}/repertoire`.

use std::sync::Arc;

use poem::handler;
use poem::web::{Data, Query};
use serde::Deserialize;

use super::store::{self, CourseLine, SchoolYear};
use super::views::{self, HistoryRecord, RecordPart};
use crate::features::students::store as students;
use crate::state::AppState;
use crate::web::{AppError, AppResult, Ctx, FamilyUser, Ids};

/// A student of the family.
struct Student {
    person_id: i64,
    name: String,
}

/// The student of the family this address names (404 for anyone else).
async fn student(state: &AppState, user: &FamilyUser, person_id: i64) -> AppResult<Student> {
    let s = students::one(&state.pool, user.family_id, person_id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(Student {
        person_id,
        name: s.name(),
    })
}

async fn current_year(state: &AppState, user: &FamilyUser) -> AppResult<Option<SchoolYear>> {
    let today = crate::domain::date::today_iso();
    Ok(store::current_year(&state.pool, user.account.site_id, &today).await?)
}

#[handler]
pub(crate) async fn courses(
    state: Data<&Arc<AppState>>,
    ctx: Ctx,
    user: FamilyUser,
    Ids([pid]): Ids<1>,
) -> AppResult<maud::Markup> {
    let s = student(&state, &user, pid).await?;
    let year = current_year(&state, &user).await?;
    let lines: Vec<CourseLine> = match &year {
        Some(y) => {
            store::year_lines(&state.pool, user.family_id, s.person_id, y.school_year_id).await?
        }
        None => Vec::new(),
    };
    Ok(views::courses(
        &ctx,
        &s.name,
        s.person_id,
        year.as_ref().map(|y| y.label.as_str()),
        &lines,
    ))
}

/// A course record of the student (any year).
async fn record_of(
    state: &AppState,
    user: &FamilyUser,
    pid: i64,
    rid: i64,
) -> AppResult<(Student, CourseLine)> {
    let s = student(state, user, pid).await?;
    let line = store::line(&state.pool, user.family_id, s.person_id, rid)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok((s, line))
}

#[handler]
pub(crate) async fn record_summary(
    state: Data<&Arc<AppState>>,
    ctx: Ctx,
    user: FamilyUser,
    Ids([pid, rid]): Ids<2>,
) -> AppResult<maud::Markup> {
    let (s, line) = record_of(&state, &user, pid, rid).await?;
    let facts = store::facts(&state.pool, user.family_id, line.course_record_id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(views::course_record(
        &ctx,
        &s.name,
        s.person_id,
        &line,
        RecordPart::Summary(&facts),
    ))
}

#[handler]
pub(crate) async fn record_evaluations(
    state: Data<&Arc<AppState>>,
    ctx: Ctx,
    user: FamilyUser,
    Ids([pid, rid]): Ids<2>,
) -> AppResult<maud::Markup> {
    let (s, line) = record_of(&state, &user, pid, rid).await?;
    let list = store::evaluations(&state.pool, user.family_id, line.course_record_id, None).await?;
    Ok(views::course_record(
        &ctx,
        &s.name,
        s.person_id,
        &line,
        RecordPart::Evaluations(&list),
    ))
}

#[handler]
pub(crate) async fn record_evaluation(
    state: Data<&Arc<AppState>>,
    ctx: Ctx,
    user: FamilyUser,
    Ids([pid, rid, eid]): Ids<3>,
) -> AppResult<maud::Markup> {
    let (s, line) = record_of(&state, &user, pid, rid).await?;
    let list = store::evaluations(
        &state.pool,
        user.family_id,
        line.course_record_id,
        Some(eid),
    )
    .await?;
    let e = list.first().ok_or(AppError::NotFound)?;
    Ok(views::course_record(
        &ctx,
        &s.name,
        s.person_id,
        &line,
        RecordPart::Evaluation(e),
    ))
}

#[handler]
pub(crate) async fn record_absences(
    state: Data<&Arc<AppState>>,
    ctx: Ctx,
    user: FamilyUser,
    Ids([pid, rid]): Ids<2>,
) -> AppResult<maud::Markup> {
    let (s, line) = record_of(&state, &user, pid, rid).await?;
    let list = store::absences(&state.pool, user.family_id, line.course_record_id, None).await?;
    Ok(views::course_record(
        &ctx,
        &s.name,
        s.person_id,
        &line,
        RecordPart::Absences(&list),
    ))
}

#[handler]
pub(crate) async fn record_absence(
    state: Data<&Arc<AppState>>,
    ctx: Ctx,
    user: FamilyUser,
    Ids([pid, rid, aid]): Ids<3>,
) -> AppResult<maud::Markup> {
    let (s, line) = record_of(&state, &user, pid, rid).await?;
    let list = store::absences(
        &state.pool,
        user.family_id,
        line.course_record_id,
        Some(aid),
    )
    .await?;
    let a = list.first().ok_or(AppError::NotFound)?;
    Ok(views::course_record(
        &ctx,
        &s.name,
        s.person_id,
        &line,
        RecordPart::Absence(a),
    ))
}

#[derive(Deserialize, Default)]
struct Search {
    #[serde(default)]
    q: String,
}

/// The records of earlier years, newest first.
async fn earlier(state: &AppState, user: &FamilyUser, s: &Student) -> AppResult<Vec<CourseLine>> {
    let today = crate::domain::date::today_iso();
    Ok(store::earlier_lines(
        &state.pool,
        user.family_id,
        s.person_id,
        user.account.site_id,
        &today,
    )
    .await?)
}

/// The records a search keeps.
fn kept(lines: &[CourseLine], q: &str) -> Vec<CourseLine> {
    lines
        .iter()
        .filter(|l| views::matches(l, q))
        .cloned()
        .collect()
}

use crate::web::clean_search as clean_query;

#[handler]
pub(crate) async fn history(
    state: Data<&Arc<AppState>>,
    ctx: Ctx,
    user: FamilyUser,
    Ids([pid]): Ids<1>,
    Query(search): Query<Search>,
) -> AppResult<maud::Markup> {
    let s = student(&state, &user, pid).await?;
    let q = clean_query(&search.q);
    let all = earlier(&state, &user, &s).await?;
    Ok(views::history(
        &ctx,
        &s.name,
        s.person_id,
        all.len(),
        &kept(&all, &q),
        &q,
    ))
}

#[handler]
pub(crate) async fn history_record(
    state: Data<&Arc<AppState>>,
    ctx: Ctx,
    user: FamilyUser,
    Ids([pid, rid]): Ids<2>,
    Query(search): Query<Search>,
) -> AppResult<maud::Markup> {
    let s = student(&state, &user, pid).await?;
    let q = clean_query(&search.q);
    let all = earlier(&state, &user, &s).await?;
    let mut kept = kept(&all, &q);
    // A record reached from a search that no longer keeps it is still shown, in the full list.
    if !kept.iter().any(|l| l.course_record_id == rid) {
        kept = all;
    }
    let position = kept
        .iter()
        .position(|l| l.course_record_id == rid)
        .ok_or(AppError::NotFound)?;
    let line = &kept[position];
    let facts = store::facts(&state.pool, user.family_id, rid)
        .await?
        .ok_or(AppError::NotFound)?;
    let evaluations = store::evaluations(&state.pool, user.family_id, rid, None).await?;
    let record = HistoryRecord {
        line,
        facts: &facts,
        evaluations: &evaluations,
        position: position + 1,
        count: kept.len(),
        previous: position.checked_sub(1).map(|p| kept[p].course_record_id),
        next: kept.get(position + 1).map(|l| l.course_record_id),
        q: &q,
    };
    Ok(views::history_record(&ctx, &s.name, s.person_id, &record))
}

#[handler]
pub(crate) async fn repertoire(
    state: Data<&Arc<AppState>>,
    ctx: Ctx,
    user: FamilyUser,
    Ids([pid]): Ids<1>,
) -> AppResult<maud::Markup> {
    let person_id = pid;
    let s = students::one(&state.pool, user.family_id, person_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let pieces = store::repertoire(&state.pool, user.family_id, person_id).await?;
    Ok(views::repertoire(&ctx, &s.name(), person_id, &pieces))
}
