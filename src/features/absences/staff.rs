//! `/gestion/absences`: the absences families reported, and the justifications waiting for
//! a decision, each list narrowed by day, course or teacher (a GET form: the filter is in
//! the address, so it can be bookmarked). Accepting a justification marks the absence
//! « justifiée »; every decision is mailed to the family, audited, and carried by the next
//! export (`absences.csv`).

use std::sync::Arc;

use maud::{Markup, html};
use poem::web::{Data, Form, Query};
use poem::{Response, handler};
use serde::Deserialize;

use super::reason_label;
use super::store::{self, Choice, Filter, SiteReport, Waiting};
use crate::domain::date::{iso, parse_day, today_iso};
use crate::domain::{french_date, french_datetime};
use crate::features::pedagogy::format::time_fr;
use crate::mail::templates;
use crate::state::AppState;
use crate::web::components::{Errors, csrf_field, error_summary, field_id, notice};
use crate::web::files::file_response;
use crate::web::table::{DataTable, col, td, th};
use crate::web::{AppError, AppResult, Ctx, Ids, StaffUser, layout, see_other, unprocessable};

#[derive(Deserialize, Default, Clone)]
struct ListQuery {
    #[serde(default)]
    jour: String,
    #[serde(default)]
    cours: String,
    #[serde(default)]
    enseignant: String,
    info: Option<String>,
}

fn info_text(code: Option<&str>) -> Option<&'static str> {
    Some(match code? {
        "acceptee" => {
            "La justification est acceptée : l'absence est justifiée et la famille est prévenue par courriel."
        }
        "refusee" => {
            "La justification est refusée ; la famille est prévenue par courriel, avec le motif."
        }
        "deja-decidee" => {
            "Cette justification avait déjà été traitée : la première décision est gardée."
        }
        _ => return None,
    })
}

/// The filter as typed, and what it means (an unreadable day is named, never a 500).
fn filter_of(q: &ListQuery, errors: &mut Errors) -> Filter {
    let day = match q.jour.trim() {
        "" => None,
        raw => match parse_day(raw, 2000..=2100) {
            Ok(d) => Some(iso(d)),
            Err(e) => {
                errors.add("jour", format!("Jour : {e}"));
                None
            }
        },
    };
    Filter {
        day,
        course_id: q.cours.parse().ok(),
        teacher_id: q.enseignant.parse().ok(),
    }
}

fn select(name: &'static str, label: &str, all: &str, choices: &[Choice], chosen: &str) -> Markup {
    html! {
        div.field {
            label for=(field_id(name)) { (label) }
            select id=(field_id(name)) name=(name) {
                option value="" selected[chosen.is_empty()] { (all) }
                @for c in choices {
                    @let v = c.id.to_string();
                    option value=(v) selected[v == chosen] { (c.name) }
                }
            }
        }
    }
}

fn report_when(r: &SiteReport) -> String {
    match (&r.lesson_on, &r.start_time) {
        (Some(day), Some(t)) => format!("{} à {}", french_date(day), time_fr(t)),
        (Some(day), None) => french_date(day),
        _ if r.first_day == r.last_day => french_date(&r.first_day),
        _ => format!(
            "du {} au {}",
            french_date(&r.first_day),
            french_date(&r.last_day)
        ),
    }
}

struct Lists<'a> {
    q: &'a ListQuery,
    courses: &'a [Choice],
    teachers: &'a [Choice],
    reports: &'a [SiteReport],
    waiting: &'a [Waiting],
    errors: &'a Errors,
    /// A refusal sent without its reason: the justification it was for.
    refusing: Option<i64>,
    info: Option<&'a str>,
}

fn page(ctx: &Ctx, l: &Lists) -> Markup {
    layout::form_page(
        ctx,
        "Absences",
        l.errors,
        html! {
            h1 { "Absences" }
            @if let Some(i) = l.info { (notice(i)) }
            (error_summary(l.errors))
            p { "Les absences que les familles signalent à l'avance, et les justifications d'absences relevées à examiner." }
            search {
                form.inline method="get" action="/gestion/absences" {
                    div.field.field-error[l.errors.get("jour").is_some()] {
                        label for=(field_id("jour")) { "Jour" }
                        p.hint #champ-jour-aide { "jj/mm/aaaa" }
                        @if let Some(e) = l.errors.get("jour") {
                            p.error-message #champ-jour-erreur { span.visually-hidden { "Erreur\u{a0}: " } (e) }
                        }
                        input id=(field_id("jour")) name="jour" type="text" inputmode="numeric" value=(l.q.jour) autocomplete="off"
                            aria-describedby={ "champ-jour-aide" @if l.errors.get("jour").is_some() { " champ-jour-erreur" } }
                            aria-invalid=[l.errors.get("jour").map(|_| "true")];
                    }
                    (select("cours", "Cours", "Tous les cours", l.courses, &l.q.cours))
                    (select("enseignant", "Enseignant", "Tous les enseignants", l.teachers, &l.q.enseignant))
                    button type="submit" { "Filtrer" }
                }
            }
            h2 { "Absences signalées" }
            @if l.reports.is_empty() {
                p { "Aucune absence signalée à venir." }
            } @else {
                (DataTable::new(
                    "signalees-legende",
                    html! { (l.reports.len()) " absence" @if l.reports.len() > 1 { "s" } " signalée" @if l.reports.len() > 1 { "s" } ", de la plus proche à la plus lointaine" },
                    [col("Élève"), col("Quand"), col("Cours"), col("Enseignant"), col("Motif"), col("Signalée le")],
                ).rows(l.reports.iter().map(|r| vec![
                    th(&r.student),
                    td(report_when(r)),
                    td(r.course.as_deref().unwrap_or("Tous ses cours")),
                    td(r.teacher.as_deref().unwrap_or("")),
                    td(html! { (reason_label(&r.reason)) @if !r.details.is_empty() { " – " (r.details) } }),
                    td(french_datetime(r.created_at)),
                ])))
            }
            h2 #justifications { "Justifications à examiner" }
            @if l.waiting.is_empty() {
                p { "Aucune justification n'attend de décision." }
            } @else {
                @for w in l.waiting {
                    (decision_form(ctx, w, l.errors, l.refusing == Some(w.justification_id)))
                }
            }
        },
    )
}

fn decision_form(ctx: &Ctx, w: &Waiting, errors: &Errors, refusing: bool) -> Markup {
    let id = w.justification_id;
    let title = format!("justification-{id}");
    let reason_id = format!("motif-{id}");
    let error = refusing.then(|| errors.get("motif")).flatten();
    html! {
        section.justification aria-labelledby=(title) {
            h3 #(title) { (w.student) " – absence du " (french_date(&w.absent_on)) }
            dl.record {
                dt { "Cours" } dd { (w.course) @if let Some(t) = &w.at_time { ", à " (time_fr(t)) } @if let Some(t) = &w.teacher { " (" (t) ")" } }
                dt { "Motif donné" } dd { (reason_label(&w.reason)) }
                @if !w.details.is_empty() { dt { "Précisions" } dd { (w.details) } }
                dt { "Justificatif" } dd {
                    @match &w.file_name {
                        Some(name) => a href={ "/gestion/absences/justifications/" (id) "/document" } type=[w.content_type.as_deref()] download { (name) },
                        None => "Aucun document",
                    }
                }
                dt { "Envoyée le" } dd { (french_datetime(w.created_at)) }
            }
            form method="post" action={ "/gestion/absences/justifications/" (id) } {
                (csrf_field(&ctx.csrf))
                div.field.field-error[error.is_some()] {
                    label for=(reason_id) { "Motif du refus (obligatoire pour refuser)" }
                    @if let Some(e) = error {
                        p.error-message id={ (reason_id) "-erreur" } { span.visually-hidden { "Erreur\u{a0}: " } (e) }
                    }
                    input id=(reason_id) name="motif" type="text" maxlength="300" autocomplete="off"
                        aria-describedby=[error.map(|_| format!("{reason_id}-erreur"))]
                        aria-invalid=[error.map(|_| "true")];
                }
                div.actions {
                    button type="submit" name="decision" value="accepter" { "Accepter" span.visually-hidden { " la justification de " (w.student) } }
                    button.secondary type="submit" name="decision" value="refuser" { "Refuser" span.visually-hidden { " la justification de " (w.student) } }
                }
            }
        }
    }
}

/// The page, with the filter's errors added to `errors` (then answered 422).
async fn render(
    state: &AppState,
    ctx: &Ctx,
    site_id: i64,
    q: &ListQuery,
    mut errors: Errors,
    refusing: Option<i64>,
) -> AppResult<Response> {
    let filter = filter_of(q, &mut errors);
    let today = today_iso();
    let year = crate::features::pedagogy::store::current_year(&state.pool, site_id, &today).await?;
    let courses = match &year {
        Some(y) => store::courses(&state.pool, site_id, y.school_year_id).await?,
        None => Vec::new(),
    };
    let teachers = store::teachers(&state.pool, site_id).await?;
    let reports = store::site_reports(&state.pool, site_id, &today, &filter).await?;
    let waiting = store::waiting(&state.pool, site_id, &filter).await?;
    let html = page(
        ctx,
        &Lists {
            q,
            courses: &courses,
            teachers: &teachers,
            reports: &reports,
            waiting: &waiting,
            errors: &errors,
            refusing,
            info: info_text(q.info.as_deref()),
        },
    );
    Ok(if errors.is_empty() {
        poem::IntoResponse::into_response(html)
    } else {
        unprocessable(html)
    })
}

#[handler]
pub(crate) async fn list(
    state: Data<&Arc<AppState>>,
    ctx: Ctx,
    StaffUser(user): StaffUser,
    Query(q): Query<ListQuery>,
) -> AppResult<Response> {
    render(&state, &ctx, user.site_id, &q, Errors::new(), None).await
}

#[derive(Deserialize)]
struct Decision {
    #[serde(default)]
    decision: String,
    #[serde(default)]
    motif: String,
}

#[handler]
pub(crate) async fn decide(
    state: Data<&Arc<AppState>>,
    ctx: Ctx,
    StaffUser(user): StaffUser,
    Ids([id]): Ids<1>,
    Form(d): Form<Decision>,
) -> AppResult<Response> {
    let site = user.site_id;
    let Some(w) = store::waiting_one(&state.pool, site, id).await? else {
        // Decided meanwhile (the first decision stands), or not of this school.
        return if store::is_of_site(&state.pool, site, id).await? {
            Ok(see_other("/gestion/absences?info=deja-decidee"))
        } else {
            Err(AppError::NotFound)
        };
    };
    let accept = match d.decision.as_str() {
        "accepter" => true,
        "refuser" => false,
        _ => return Err(AppError::BadRequest),
    };
    let refusal = match crate::domain::text::line(&d.motif, "Le motif du refus", 300) {
        Ok(r) => r,
        Err(e) => {
            let mut errors = Errors::new();
            errors.add("motif", format!("Motif du refus : {e}"));
            return render(&state, &ctx, site, &ListQuery::default(), errors, Some(id)).await;
        }
    };
    if !accept && refusal.is_empty() {
        let mut errors = Errors::new();
        errors.add(
            "motif",
            format!(
                "Motif du refus : écrivez-le pour refuser la justification de {}.",
                w.student
            ),
        );
        return render(&state, &ctx, site, &ListQuery::default(), errors, Some(id)).await;
    }
    let school = crate::site::school(&state.pool, site).await?;
    let family =
        crate::features::reenrolment::store::family_email(&state.pool, w.family_id).await?;
    let what = format!("du {} au cours {}", french_date(&w.absent_on), w.course);
    let note = templates::AbsenceNote {
        school: &school.name,
        student: &w.student,
        what: &what,
        reason: reason_label(&w.reason),
        details: "",
    };
    let mail = family.map(|to| {
        templates::justification_decided(
            &to,
            &note,
            (!accept).then_some(refusal.as_str()),
            &state.settings.base_url,
        )
    });
    let done = store::decide(
        &state.pool,
        site,
        user.account_id,
        id,
        (!accept).then_some(refusal.as_str()),
        mail.as_ref(),
    )
    .await?;
    Ok(see_other(match (done, accept) {
        (false, _) => "/gestion/absences?info=deja-decidee",
        (true, true) => "/gestion/absences?info=acceptee",
        (true, false) => "/gestion/absences?info=refusee",
    }))
}

#[handler]
pub(crate) async fn document(
    state: Data<&Arc<AppState>>,
    StaffUser(user): StaffUser,
    Ids([id]): Ids<1>,
) -> AppResult<Response> {
    let file = store::justification_file(&state.pool, id, None, user.site_id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(file_response(file))
}
