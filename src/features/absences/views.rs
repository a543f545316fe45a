//! The student's Absences tab: report an absence, the reports standing, the absences the
//! school recorded and their justification; the justification form.

use maud::{Markup, html};
use serde::Deserialize;

use super::store::{Recorded, Report};
use super::{Occurrence, REASONS, reason_label};
use crate::domain::french_date;
use crate::features::pedagogy::format::time_fr;
use crate::features::pedagogy::views::student_head;
use crate::web::components::{
    Errors, csrf_field, error_summary, field_block, field_id, notice, required_legend,
};
use crate::web::table::{DataTable, col, td, th};
use crate::web::{Ctx, layout};

/// The report form as sent (kept after an error).
#[derive(Deserialize, Default, Debug)]
pub struct ReportForm {
    /// `cours` (one lesson) or `periode` (several days).
    #[serde(default)]
    pub quoi: String,
    /// The lesson: `record:day`.
    #[serde(default)]
    pub cours: String,
    #[serde(default)]
    pub debut: String,
    #[serde(default)]
    pub fin: String,
    #[serde(default)]
    pub motif: String,
    #[serde(default)]
    pub precisions: String,
}

pub struct AbsencesPage<'a> {
    pub name: &'a str,
    pub person_id: i64,
    pub occurrences: &'a [Occurrence],
    /// The school's delay to report a lesson already started.
    pub hours: i64,
    pub reports: &'a [Report],
    /// Per report: may it still be withdrawn (it has not started)?
    pub withdrawable: &'a [bool],
    pub recorded: &'a [Recorded],
    pub form: &'a ReportForm,
    pub errors: &'a Errors,
    pub info: Option<&'a str>,
    /// A course record whose first lesson the list offers chosen.
    pub preferred: Option<i64>,
}

/// A report's « quand » in words.
fn when(r: &Report) -> String {
    match (&r.lesson_on, &r.start_time, r.course_record_id) {
        (Some(day), Some(t), Some(_)) => format!("{} à {}", french_date(day), time_fr(t)),
        (Some(day), None, Some(_)) => french_date(day),
        _ if r.first_day == r.last_day => french_date(&r.first_day),
        _ => format!(
            "du {} au {}",
            french_date(&r.first_day),
            french_date(&r.last_day)
        ),
    }
}

fn reason_select(chosen: &str, described: Option<String>, invalid: bool) -> Markup {
    html! {
        select id=(field_id("motif")) name="motif" required
            aria-describedby=[described] aria-invalid=[invalid.then_some("true")] {
            option value="" selected[chosen.is_empty()] { "Choisissez le motif" }
            @for (code, label) in REASONS {
                option value=(code) selected[chosen == *code] { (label) }
            }
        }
    }
}

fn report_form(ctx: &Ctx, p: &AbsencesPage) -> Markup {
    let f = p.form;
    let action = crate::paths::absences(p.person_id);
    // The lesson offered first: the one sent back, else the next of the course asked for.
    let chosen = if f.cours.is_empty() {
        p.preferred
            .and_then(|rid| p.occurrences.iter().find(|o| o.course_record_id == rid))
            .map(Occurrence::key)
            .unwrap_or_default()
    } else {
        f.cours.clone()
    };
    let kind = if f.quoi.is_empty() {
        "cours"
    } else {
        f.quoi.as_str()
    };
    let quoi_error = p.errors.get("quoi");
    html! {
        h3 #signaler { "Signaler une absence" }
        p {
            "Prévenez l'école et l'enseignant d'une absence à venir. "
            @if p.hours == 0 {
                "Un cours se signale jusqu'à son début ; "
            } @else {
                "Un cours se signale jusqu'à " (p.hours) "\u{a0}heure" @if p.hours > 1 { "s" } " après son début ; "
            }
            "vous pourrez retirer le signalement tant que le cours n'a pas commencé."
        }
        form.stacked method="post" action=(action) novalidate aria-labelledby="signaler" {
            (csrf_field(&ctx.csrf))
            (required_legend())
            fieldset.field.radios.field-error[quoi_error.is_some()]
                aria-describedby=[quoi_error.map(|_| "champ-quoi-erreur")] {
                legend { "Absence " abbr.required title="obligatoire" aria-hidden="true" { "*" } }
                @if let Some(e) = quoi_error {
                    p.error-message #champ-quoi-erreur { span.visually-hidden { "Erreur\u{a0}: " } (e) }
                }
                div.radio {
                    input #champ-quoi type="radio" name="quoi" value="cours" checked[kind == "cours"] required;
                    label for="champ-quoi" { "Un cours" }
                }
                div.radio {
                    input #champ-quoi-periode type="radio" name="quoi" value="periode" checked[kind == "periode"] required;
                    label for="champ-quoi-periode" { "Plusieurs jours (une maladie, par exemple)" }
                }
            }
            (field_block("cours", "Cours concerné (pour un cours)")
                .hint("Les cours des huit prochaines semaines, hors vacances et jours fériés.")
                .control(p.errors, |described, invalid| html! {
                    select id=(field_id("cours")) name="cours" aria-describedby=[described]
                        aria-invalid=[invalid.then_some("true")] {
                        option value="" selected[chosen.is_empty()] { "Choisissez le cours" }
                        @for o in p.occurrences {
                            @let key = o.key();
                            option value=(key) selected[key == chosen] { (o.label()) }
                        }
                    }
                }))
            (field_block("debut", "Premier jour (pour plusieurs jours)").hint("jj/mm/aaaa").control(p.errors, |described, invalid| html! {
                input id=(field_id("debut")) name="debut" type="text" inputmode="numeric" value=(f.debut) autocomplete="off"
                    aria-describedby=[described] aria-invalid=[invalid.then_some("true")];
            }))
            (field_block("fin", "Dernier jour (pour plusieurs jours)").hint("jj/mm/aaaa ; le même jour pour une seule journée.").control(p.errors, |described, invalid| html! {
                input id=(field_id("fin")) name="fin" type="text" inputmode="numeric" value=(f.fin) autocomplete="off"
                    aria-describedby=[described] aria-invalid=[invalid.then_some("true")];
            }))
            (field_block("motif", "Motif").required().control(p.errors, |described, invalid| {
                reason_select(&f.motif, described, invalid)
            }))
            (field_block("precisions", "Précisions (facultatif)")
                .hint("Ce que l'école doit savoir ; 500 caractères au plus. Elles ne sont pas transmises à l'enseignant.")
                .control(p.errors, |described, invalid| html! {
                    textarea id=(field_id("precisions")) name="precisions" rows="3" maxlength="500"
                        aria-describedby=[described] aria-invalid=[invalid.then_some("true")] { (f.precisions) }
                }))
            div.actions { button type="submit" { "Signaler l'absence" } }
        }
    }
}

pub fn page(ctx: &Ctx, p: &AbsencesPage) -> Markup {
    let base = crate::paths::absences(p.person_id);
    layout::form_page(
        ctx,
        &format!("Absences – {}", p.name),
        p.errors,
        html! {
            (student_head(ctx, p.name, p.person_id, "absences"))
            h2 { "Absences" }
            @if let Some(i) = p.info { (notice(i)) }
            (error_summary(p.errors))
            (report_form(ctx, p))
            h3 { "Absences signalées" }
            @if p.reports.is_empty() {
                p { "Aucune absence signalée à venir." }
            } @else {
                (DataTable::new(
                    "signalements-legende",
                    "Absences signalées, de la plus proche à la plus lointaine",
                    [col("Quand"), col("Cours"), col("Motif"), col("Action")],
                ).rows(p.reports.iter().zip(p.withdrawable).map(|(r, can)| vec![
                    th(when(r)),
                    td(r.course.as_deref().unwrap_or("Tous ses cours")),
                    td(reason_label(&r.reason)),
                    td(html! {
                        @if *can {
                            form.inline-action method="post" action={ (base) "/signalements/" (r.absence_report_id) "/retirer" } {
                                (csrf_field(&ctx.csrf))
                                button.link-button type="submit" { "Retirer" span.visually-hidden { " le signalement du " (when(r)) } }
                            }
                        } @else {
                            "Commencée"
                        }
                    }),
                ])))
            }
            h3 { "Absences relevées par l'école" }
            @if p.recorded.is_empty() {
                p { "Aucune absence relevée cette année." }
            } @else {
                (DataTable::new(
                    "releves-legende",
                    "Absences relevées cette année, de la plus récente à la plus ancienne",
                    [col("Date"), col("Cours"), col("Justifiée"), col("Justification")],
                ).rows(p.recorded.iter().map(|a| vec![
                    th(html! { (french_date(&a.absent_on)) @if let Some(t) = &a.at_time { " à " (time_fr(t)) } }),
                    td(&a.course),
                    td(if a.justified { "Oui" } else { "Non" }),
                    td(html! {
                        @match (a.justified, a.justification.as_deref()) {
                            (true, _) => { (a.reason.as_deref().unwrap_or("")) }
                            (false, Some("submitted")) => { "Envoyée, en attente de l'école" }
                            (false, state) => {
                                @if state == Some("refused") {
                                    "Refusée" @if let Some(r) = &a.refusal { "\u{a0}: " (r) } ". "
                                }
                                a href=(crate::paths::justification(p.person_id, a.absence_id)) {
                                    "Justifier" span.visually-hidden { " l'absence du " (french_date(&a.absent_on)) " au cours " (a.course) }
                                }
                            }
                        }
                    }),
                ])))
            }
        },
    )
}

pub struct JustifyPage<'a> {
    pub name: &'a str,
    pub person_id: i64,
    pub absence: &'a Recorded,
    pub reason: &'a str,
    pub details: &'a str,
    pub errors: &'a Errors,
}

pub fn justify(ctx: &Ctx, p: &JustifyPage) -> Markup {
    let a = p.absence;
    let action = crate::paths::justification(p.person_id, a.absence_id);
    layout::form_page(
        ctx,
        &format!("Justifier une absence – {}", p.name),
        p.errors,
        html! {
            (student_head(ctx, p.name, p.person_id, "absences"))
            p { a href=(crate::paths::absences(p.person_id)) { "Toutes les absences" } }
            h2 #justifier { "Justifier l'absence du " (french_date(&a.absent_on)) }
            p { "Cours\u{a0}: " (a.course) @if let Some(t) = &a.at_time { ", à " (time_fr(t)) } "." }
            (error_summary(p.errors))
            form.stacked method="post" enctype="multipart/form-data"
                action={ (action) "?csrf_token=" (ctx.csrf) } novalidate aria-labelledby="justifier" {
                (required_legend())
                (field_block("motif", "Motif").required().control(p.errors, |described, invalid| {
                    reason_select(p.reason, described, invalid)
                }))
                (field_block("precisions", "Précisions (facultatif)").hint("500 caractères au plus.").control(p.errors, |described, invalid| html! {
                    textarea id=(field_id("precisions")) name="precisions" rows="3" maxlength="500"
                        aria-describedby=[described] aria-invalid=[invalid.then_some("true")] { (p.details) }
                }))
                (field_block("document", "Justificatif (facultatif)")
                    .hint("Un certificat, par exemple : image JPEG ou PNG, ou PDF ; 2 Mo au plus.")
                    .control(p.errors, |described, invalid| html! {
                        input id=(field_id("document")) name="document" type="file"
                            accept=".jpg,.jpeg,.png,.pdf,image/jpeg,image/png,application/pdf"
                            aria-describedby=[described] aria-invalid=[invalid.then_some("true")];
                    }))
                div.actions { button type="submit" { "Envoyer la justification" } }
            }
        },
    )
}
