//! `/eleves/{id}/absences…`: the family reports an absence ahead of time, withdraws it until
//! the lesson starts, and justifies an absence the school recorded.

use std::sync::Arc;

use poem::web::{Data, Form, Multipart, Query};
use poem::{Response, handler};
use serde::Deserialize;
use time::Duration;

use super::store::{self, NewJustification, NewReport, Reported};
use super::views::{self, AbsencesPage, JustifyPage, ReportForm};
use super::{AHEAD_DAYS, Occurrence, REASONS, SPAN_DAYS, reason_label};
use crate::domain::date::{from_iso, iso, parse_day, today};
use crate::domain::french_date;
use crate::features::calendar::store::days_off;
use crate::features::pedagogy::store::{self as pedagogy, SchoolYear};
use crate::features::students::store as students;
use crate::mail::{Outgoing, templates};
use crate::state::AppState;
use crate::web::components::Errors;
use crate::web::multipart;
use crate::web::{AppError, AppResult, Ctx, FamilyUser, Ids, see_other, unprocessable};

/// The student of the family this address names (404 for anyone else).
async fn student(state: &AppState, user: &FamilyUser, person_id: i64) -> AppResult<String> {
    let s = students::one(&state.pool, user.family_id, person_id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(s.name())
}

/// The student's name as mails give it: « Irina ABARRE ».
async fn display_name(state: &AppState, user: &FamilyUser, person_id: i64) -> AppResult<String> {
    let s = students::one(&state.pool, user.family_id, person_id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(format!("{} {}", s.first_name, s.last_name))
}

/// The lessons a family may still report: from the school year's timetable, days off
/// left out, from those started less than the school's delay ago to `AHEAD_DAYS` ahead.
async fn reportable(
    state: &AppState,
    user: &FamilyUser,
    person_id: i64,
) -> AppResult<(Option<SchoolYear>, Vec<Occurrence>, i64)> {
    let site = user.account.site_id;
    let hours = crate::site::exchanges(&state.pool, site)
        .await?
        .absence_report_hours;
    let year = pedagogy::current_year(&state.pool, site, &crate::domain::date::today_iso()).await?;
    let Some(y) = &year else {
        return Ok((None, Vec::new(), hours));
    };
    let (Some(first), Some(last)) = (from_iso(&y.starts_on), from_iso(&y.ends_on)) else {
        return Ok((year, Vec::new(), hours));
    };
    let lessons: Vec<_> = pedagogy::lessons(&state.pool, user.family_id, y.school_year_id)
        .await?
        .into_iter()
        .filter(|l| l.person_id == person_id)
        .collect();
    let off = days_off(&state.pool, site, y).await?;
    let now = crate::db::now();
    let from = today() - Duration::days(hours / 24 + 1);
    let list = super::occurrences(
        &lessons,
        &off,
        (first, last),
        from,
        today() + Duration::days(AHEAD_DAYS),
    )
    .into_iter()
    .filter(|o| o.starts_at() + hours * 3600 >= now)
    .collect();
    Ok((year, list, hours))
}

#[derive(Deserialize, Default)]
struct PageQuery {
    info: Option<String>,
    /// A course record whose next lesson the form offers first (from a course's Absences tab).
    cours: Option<String>,
}

fn info_text(code: Option<&str>) -> Option<&'static str> {
    Some(match code? {
        "signalee" => {
            "L'absence est signalée : l'école et l'enseignant sont prévenus, et vous recevez une confirmation par courriel."
        }
        "deja-signalee" => "Cette absence était déjà signalée : rien de plus n'est envoyé.",
        "retiree" => "Le signalement est retiré : l'école et l'enseignant sont prévenus.",
        "trop-tard" => "Le cours a commencé : ce signalement ne peut plus être retiré.",
        "justification-envoyee" => "La justification est envoyée à l'école, qui l'examinera.",
        "justification-en-attente" => "Une justification de cette absence attend déjà l'école.",
        _ => return None,
    })
}

struct Render<'a> {
    person_id: i64,
    form: &'a ReportForm,
    errors: &'a Errors,
    info: Option<&'a str>,
    preferred: Option<i64>,
}

async fn render(
    state: &AppState,
    ctx: &Ctx,
    user: &FamilyUser,
    r: Render<'_>,
) -> AppResult<maud::Markup> {
    let name = student(state, user, r.person_id).await?;
    let (year, occurrences, hours) = reportable(state, user, r.person_id).await?;
    let since = iso(today() - Duration::days(1));
    let reports = store::reports_of(&state.pool, user.family_id, r.person_id, &since).await?;
    let recorded = match &year {
        Some(y) => {
            store::recorded(&state.pool, user.family_id, r.person_id, y.school_year_id).await?
        }
        None => Vec::new(),
    };
    let now = crate::db::now();
    let withdrawable: Vec<bool> = reports.iter().map(|rep| starts_at(rep) > now).collect();
    Ok(views::page(
        ctx,
        &AbsencesPage {
            name: &name,
            person_id: r.person_id,
            occurrences: &occurrences,
            hours,
            reports: &reports,
            withdrawable: &withdrawable,
            recorded: &recorded,
            form: r.form,
            errors: r.errors,
            info: r.info,
            preferred: r.preferred,
        },
    ))
}

/// When a report's absence starts: its lesson's start, or the first day's midnight.
fn starts_at(r: &store::Report) -> i64 {
    let day = from_iso(&r.first_day).unwrap_or(today());
    let minutes = r
        .start_time
        .as_deref()
        .and_then(super::minutes)
        .filter(|_| r.course_record_id.is_some())
        .unwrap_or(0);
    crate::domain::date::paris_instant(day, minutes)
}

#[handler]
pub(crate) async fn page(
    state: Data<&Arc<AppState>>,
    ctx: Ctx,
    user: FamilyUser,
    Ids([pid]): Ids<1>,
    Query(q): Query<PageQuery>,
) -> AppResult<maud::Markup> {
    render(
        &state,
        &ctx,
        &user,
        Render {
            person_id: pid,
            form: &ReportForm::default(),
            errors: &Errors::new(),
            info: info_text(q.info.as_deref()),
            preferred: q.cours.as_deref().and_then(|c| c.parse().ok()),
        },
    )
    .await
}

/// What the family chose: one lesson, or a span of days.
enum Chosen {
    Lesson(Occurrence),
    Span(time::Date, time::Date),
}

impl Chosen {
    /// « le cours Piano 2C4 du mardi 08/12/2026 à 18h00 », « du 07/12/2026 au 11/12/2026 ».
    fn what(&self) -> String {
        match self {
            Chosen::Lesson(o) => {
                let label = o.label();
                let (when, _) = label.split_once(" – ").unwrap_or((label.as_str(), ""));
                format!("au cours {} du {}", o.course, when.to_lowercase())
            }
            Chosen::Span(a, b) if a == b => format!("le {}", french_date(&iso(*a))),
            Chosen::Span(a, b) => {
                format!("du {} au {}", french_date(&iso(*a)), french_date(&iso(*b)))
            }
        }
    }
}

/// Checks the report form against the lessons that may still be reported.
fn check(
    form: &ReportForm,
    occurrences: &[Occurrence],
    hours: i64,
    errors: &mut Errors,
) -> Option<(Chosen, String, String)> {
    let chosen = match form.quoi.as_str() {
        "cours" => match occurrences.iter().find(|o| o.key() == form.cours) {
            Some(o) => Some(Chosen::Lesson(o.clone())),
            None if form.cours.is_empty() => {
                errors.add(
                    "cours",
                    "Cours concerné : choisissez le cours dans la liste.",
                );
                None
            }
            None => {
                errors.add(
                    "cours",
                    if hours == 0 {
                        "Cours concerné : ce cours a commencé ou n'est pas dans l'emploi du temps ; seuls les cours à venir peuvent être signalés."
                    } else {
                        "Cours concerné : ce cours n'est pas dans l'emploi du temps, ou a commencé depuis plus longtemps que l'école ne le permet."
                    },
                );
                None
            }
        },
        "periode" => {
            let earliest = today() - Duration::days(hours / 24);
            let mut day = |key: &'static str, raw: &str, label: &str| -> Option<time::Date> {
                if raw.trim().is_empty() {
                    errors.add(key, format!("{label} : saisissez une date."));
                    return None;
                }
                match parse_day(raw, 2000..=2100) {
                    Ok(d) => Some(d),
                    Err(e) => {
                        errors.add(key, format!("{label} : {e}"));
                        None
                    }
                }
            };
            let first = day("debut", &form.debut, "Premier jour");
            let last = day("fin", &form.fin, "Dernier jour");
            match (first, last) {
                (Some(a), Some(b)) if b < a => {
                    errors.add("fin", "Dernier jour : il vient avant le premier jour.");
                    None
                }
                (Some(a), _) if a < earliest => {
                    errors.add(
                        "debut",
                        "Premier jour : une absence passée ne se signale pas ; justifiez-la quand l'école l'aura relevée.",
                    );
                    None
                }
                (Some(a), Some(b)) if (b - a).whole_days() >= SPAN_DAYS => {
                    errors.add(
                        "fin",
                        format!("Dernier jour : une période compte au plus {SPAN_DAYS} jours."),
                    );
                    None
                }
                (Some(a), _) if a > today() + Duration::days(AHEAD_DAYS) => {
                    errors.add(
                        "debut",
                        "Premier jour : une absence se signale au plus huit semaines à l'avance.",
                    );
                    None
                }
                (Some(a), Some(b)) => Some(Chosen::Span(a, b)),
                _ => None,
            }
        }
        _ => {
            errors.add("quoi", "Absence : choisissez un cours ou plusieurs jours.");
            None
        }
    };
    let reason = if REASONS.iter().any(|(c, _)| *c == form.motif) {
        Some(form.motif.clone())
    } else {
        errors.add("motif", "Motif : choisissez le motif dans la liste.");
        None
    };
    let details = match crate::domain::text::paragraph(&form.precisions, "Les précisions", 500) {
        Ok(d) => Some(d),
        Err(e) => {
            errors.add("precisions", format!("Précisions : {e}"));
            None
        }
    };
    Some((chosen?, reason?, details?))
}

#[handler]
pub(crate) async fn report(
    state: Data<&Arc<AppState>>,
    ctx: Ctx,
    user: FamilyUser,
    Ids([pid]): Ids<1>,
    Form(form): Form<ReportForm>,
) -> AppResult<Response> {
    let name = display_name(&state, &user, pid).await?;
    let (_, occurrences, hours) = reportable(&state, &user, pid).await?;
    let mut errors = Errors::new();
    let Some((chosen, reason, details)) = check(&form, &occurrences, hours, &mut errors) else {
        let html = render(
            &state,
            &ctx,
            &user,
            Render {
                person_id: pid,
                form: &form,
                errors: &errors,
                info: None,
                preferred: None,
            },
        )
        .await?;
        return Ok(unprocessable(html));
    };
    let site = user.account.site_id;
    let school = crate::site::school(&state.pool, site).await?;
    let what = chosen.what();
    let note = templates::AbsenceNote {
        school: &school.name,
        student: &name,
        what: &what,
        reason: reason_label(&reason),
        details: &details,
    };
    let base = &state.settings.base_url;
    let mut mails: Vec<Outgoing> = Vec::new();
    let to_school = school
        .contact_email
        .clone()
        .filter(|e| !e.trim().is_empty())
        .unwrap_or_else(|| state.settings.sender_address());
    mails.push(templates::absence_reported_school(
        &to_school,
        &note,
        &format!("{base}/gestion/absences"),
    ));
    let records: Vec<i64> = match &chosen {
        Chosen::Lesson(o) => vec![o.course_record_id],
        // A span: the teachers of the lessons it covers.
        Chosen::Span(a, b) => {
            let mut ids: Vec<i64> = occurrences
                .iter()
                .filter(|o| *a <= o.day && o.day <= *b)
                .map(|o| o.course_record_id)
                .collect();
            ids.dedup();
            ids
        }
    };
    for teacher in store::teacher_emails(&state.pool, &records).await? {
        mails.push(templates::absence_reported_teacher(&teacher, &note));
    }
    if let Some(family) =
        crate::features::reenrolment::store::family_email(&state.pool, user.family_id).await?
    {
        mails.push(templates::absence_report_ack(
            &family,
            &note,
            &format!("{base}{}", crate::paths::absences(pid)),
        ));
    }
    let (first, last, record, lesson_on) = match &chosen {
        Chosen::Lesson(o) => (o.day, o.day, Some(o.course_record_id), Some(iso(o.day))),
        Chosen::Span(a, b) => (*a, *b, None, None),
    };
    let (first, last) = (iso(first), iso(last));
    let done = store::add_report(
        &state.pool,
        &NewReport {
            site_id: site,
            family_id: user.family_id,
            person_id: pid,
            account_id: user.account.account_id,
            course_record_id: record,
            lesson_on: lesson_on.as_deref(),
            first_day: &first,
            last_day: &last,
            reason: &reason,
            details: &details,
        },
        &mails,
    )
    .await?;
    let base = crate::paths::absences(pid);
    Ok(see_other(&match done {
        Reported::New(_) => format!("{base}?info=signalee"),
        Reported::Already(_) => format!("{base}?info=deja-signalee"),
    }))
}

#[handler]
pub(crate) async fn withdraw(
    state: Data<&Arc<AppState>>,
    user: FamilyUser,
    Ids([pid, rid]): Ids<2>,
) -> AppResult<Response> {
    let name = display_name(&state, &user, pid).await?;
    let r = store::report(&state.pool, user.family_id, pid, rid)
        .await?
        .filter(|r| r.status == "reported")
        .ok_or(AppError::NotFound)?;
    let base = crate::paths::absences(pid);
    if starts_at(&r) <= crate::db::now() {
        return Ok(see_other(&format!("{base}?info=trop-tard")));
    }
    let site = user.account.site_id;
    let school = crate::site::school(&state.pool, site).await?;
    let what = match (&r.course, &r.lesson_on) {
        (Some(c), Some(day)) => format!("au cours {c} du {}", french_date(day)),
        _ if r.first_day == r.last_day => format!("le {}", french_date(&r.first_day)),
        _ => format!(
            "du {} au {}",
            french_date(&r.first_day),
            french_date(&r.last_day)
        ),
    };
    let note = templates::AbsenceNote {
        school: &school.name,
        student: &name,
        what: &what,
        reason: reason_label(&r.reason),
        details: "",
    };
    let to_school = school
        .contact_email
        .clone()
        .filter(|e| !e.trim().is_empty())
        .unwrap_or_else(|| state.settings.sender_address());
    let mut mails = vec![templates::absence_withdrawn(&to_school, &note)];
    if let Some(record) = r.course_record_id {
        for teacher in store::teacher_emails(&state.pool, &[record]).await? {
            mails.push(templates::absence_withdrawn(&teacher, &note));
        }
    }
    store::withdraw(
        &state.pool,
        site,
        user.family_id,
        user.account.account_id,
        rid,
        &mails,
    )
    .await?;
    Ok(see_other(&format!("{base}?info=retiree")))
}

/// A recorded absence that may be justified: not justified yet, nothing waiting.
async fn justifiable(
    state: &AppState,
    user: &FamilyUser,
    pid: i64,
    aid: i64,
) -> AppResult<store::Recorded> {
    students::one(&state.pool, user.family_id, pid)
        .await?
        .ok_or(AppError::NotFound)?;
    store::recorded_one(&state.pool, user.family_id, pid, aid)
        .await?
        .ok_or(AppError::NotFound)
}

#[handler]
pub(crate) async fn justify_page(
    state: Data<&Arc<AppState>>,
    ctx: Ctx,
    user: FamilyUser,
    Ids([pid, aid]): Ids<2>,
) -> AppResult<Response> {
    let name = student(&state, &user, pid).await?;
    let a = justifiable(&state, &user, pid, aid).await?;
    if a.justified || a.justification.as_deref() == Some("submitted") {
        return Ok(see_other(&format!(
            "{}?info=justification-en-attente",
            crate::paths::absences(pid)
        )));
    }
    Ok(poem::IntoResponse::into_response(views::justify(
        &ctx,
        &JustifyPage {
            name: &name,
            person_id: pid,
            absence: &a,
            reason: "",
            details: "",
            errors: &Errors::new(),
        },
    )))
}

#[handler]
pub(crate) async fn justify(
    state: Data<&Arc<AppState>>,
    ctx: Ctx,
    user: FamilyUser,
    Ids([pid, aid]): Ids<2>,
    body: Multipart,
) -> AppResult<Response> {
    let name = student(&state, &user, pid).await?;
    let a = justifiable(&state, &user, pid, aid).await?;
    let base = crate::paths::absences(pid);
    if a.justified {
        return Ok(see_other(&format!("{base}?info=justification-en-attente")));
    }
    let mut errors = Errors::new();
    let received = multipart::read(body, "document").await;
    let (reason, details_raw) = match &received {
        Ok(f) => (
            f.field("motif").to_owned(),
            f.field("precisions").to_owned(),
        ),
        Err(_) => (String::new(), String::new()),
    };
    let mut file = None;
    match received {
        Err(e) => errors.add("document", e),
        Ok(f) => match multipart::checked_file(f.file).await {
            Ok(x) => file = x,
            Err(e) => errors.add("document", format!("Document : {e}")),
        },
    }
    if !REASONS.iter().any(|(c, _)| *c == reason) {
        errors.add("motif", "Motif : choisissez le motif dans la liste.");
    }
    let details = match crate::domain::text::paragraph(&details_raw, "Les précisions", 500) {
        Ok(d) => d,
        Err(e) => {
            errors.add("precisions", format!("Précisions : {e}"));
            String::new()
        }
    };
    if !errors.is_empty() {
        return Ok(unprocessable(views::justify(
            &ctx,
            &JustifyPage {
                name: &name,
                person_id: pid,
                absence: &a,
                reason: &reason,
                details: &details_raw,
                errors: &errors,
            },
        )));
    }
    let site = user.account.site_id;
    let school = crate::site::school(&state.pool, site).await?;
    let display = display_name(&state, &user, pid).await?;
    let what = format!("du {} au cours {}", french_date(&a.absent_on), a.course);
    let note = templates::AbsenceNote {
        school: &school.name,
        student: &display,
        what: &what,
        reason: reason_label(&reason),
        details: &details,
    };
    let to_school = school
        .contact_email
        .clone()
        .filter(|e| !e.trim().is_empty())
        .unwrap_or_else(|| state.settings.sender_address());
    let mail = templates::justification_received(
        &to_school,
        &note,
        &format!("{}/gestion/absences", state.settings.base_url),
    );
    let stored = store::justify(
        &state.pool,
        &NewJustification {
            site_id: site,
            family_id: user.family_id,
            account_id: user.account.account_id,
            absence_id: aid,
            reason: &reason,
            details: &details,
            file: file.as_ref().map(|f| {
                (
                    f.display_name.as_str(),
                    f.kind.content_type(),
                    f.bytes.as_slice(),
                )
            }),
        },
        &[mail],
    )
    .await?;
    Ok(see_other(&format!(
        "{base}?info={}",
        if stored {
            "justification-envoyee"
        } else {
            "justification-en-attente"
        }
    )))
}
