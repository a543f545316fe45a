//! Pages of the follow-up: Cours, a course record and its tabs, Historique, Répertoire.

use maud::{Markup, Render, html};

use super::format::{duration_words, hundredths, time_fr, weekday};
use super::store::{Absence, CourseLine, Evaluation, Piece, RecordFacts};
use crate::domain::french_date;
use crate::features::students::views::tabs;
use crate::web::table::{DataTable, col, td, th};
use crate::web::{Ctx, layout};

/// "Non renseigné" for what the school did not fill in.
fn or_none(v: Option<&str>) -> Markup {
    match v.filter(|s| !s.trim().is_empty()) {
        Some(s) => html! { (s) },
        None => html! { span.none { "Non renseigné" } },
    }
}

fn yes_no(v: bool) -> &'static str {
    if v { "Oui" } else { "Non" }
}

/// The head of every page of a student: back link, name, tabs.
pub fn student_head(ctx: &Ctx, name: &str, person_id: i64, tab: &str) -> Markup {
    html! {
        p { a href="/eleves" { "Tous les élèves" } }
        h1 { (name) }
        (tabs(ctx, person_id, tab))
    }
}

pub fn courses(
    ctx: &Ctx,
    name: &str,
    person_id: i64,
    year: Option<&str>,
    lines: &[CourseLine],
) -> Markup {
    layout::page(
        ctx,
        &format!("Cours – {name}"),
        html! {
            (student_head(ctx, name, person_id, "cours"))
            h2 { "Cours" @if let Some(y) = year { " de l'année " (y) } }
            @if lines.is_empty() {
                p { "Aucun cours cette année." }
            } @else {
                (DataTable::new(
                    "cours-legende",
                    "Cours de l'année\u{a0}; chaque cours mène à sa fiche de suivi (évaluations et absences)",
                    [
                        col("Cours"), col("Horaires aménagés").abbr("Ha"), col("Enseignant"), col("Cycle"), col("Salle"),
                        col("Jour"), col("Heure"), col("Heure de passage"), col("Durée"),
                    ],
                ).rows(lines.iter().map(|l| vec![
                    th(html! { a href=(crate::paths::course_record(person_id, l.course_record_id)) { (l.course) } }),
                    td(yes_no(l.horaires_amenages)),
                    td(or_none(l.teacher.as_deref())),
                    td(or_none(l.cycle.as_deref())),
                    td(or_none(l.room.as_deref())),
                    td(or_none(l.weekday.map(weekday))),
                    td(or_none(l.start_time.as_deref().map(time_fr).as_deref())),
                    td(or_none(l.exam_time.as_deref().map(time_fr).as_deref())),
                    td(or_none(l.duration_minutes.map(duration_words).as_deref())),
                ])))
            }
        },
    )
}

/// The record's tabs: Résumé, Évaluations, Absences (named apart from the student's
/// « Cours » tab above them).
fn record_tabs(ctx: &Ctx, base: &str, current: &str) -> Markup {
    const TABS: &[(&str, &str)] = &[
        ("", "Résumé"),
        ("/evaluations", "Évaluations"),
        ("/absences", "Absences"),
    ];
    html! {
        nav.tabs aria-label="Fiche de suivi du cours" {
            ul {
                @for (suffix, label) in TABS {
                    @let href = format!("{base}{suffix}");
                    li { a href=(href) aria-current=[(*suffix == current).then(|| crate::web::layout::current_kind(&ctx.path, &href))] { (label) } }
                }
            }
        }
    }
}

/// Every field of a "fiche de suivi".
pub fn facts(line: &CourseLine, f: &RecordFacts) -> Markup {
    let average = f
        .average_hundredths
        .map(|a| match f.average_out_of_hundredths {
            Some(o) => format!("{} / {}", hundredths(a), hundredths(o)),
            None => hundredths(a),
        });
    html! {
        p.year { "Année " (line.year) " – du " (french_date(&line.year_starts_on)) " au " (french_date(&line.year_ends_on)) }
        dl.record {
            dt { "Département" } dd { (line.department) }
            dt { "Classe" } dd { (line.course) }
            dt { "Cycle" } dd { (or_none(line.cycle.as_deref())) }
            dt { "Enseignant" } dd { (or_none(line.teacher.as_deref())) }
            dt { "Nombre d'heures prévues" } dd { (or_none(f.planned_minutes.map(duration_words).as_deref())) }
            dt { "Nombre d'heures effectuées" } dd { (or_none(f.effective_minutes.map(duration_words).as_deref())) }
            dt { "Absences (total)" } dd { (f.absences_total) }
            dt { "Absences non justifiées" } dd { (f.absences_unjustified) }
            dt { "Horaires aménagés" } dd { (yes_no(line.horaires_amenages)) }
            dt { "Situation d'activité" } dd { (or_none(f.activity_status.as_deref())) }
            dt { "Motif" } dd { (or_none(f.activity_reason.as_deref())) }
            dt { "Premier instrument" } dd { (or_none(f.first_instrument.as_deref())) }
            dt { "Moyenne" } dd { (or_none(average.as_deref())) }
            dt { "Moyenne lettrée" } dd { (or_none(f.letter_average.as_deref())) }
            dt { "Mention" } dd { (or_none(f.mention.as_deref())) }
            dt { "Résultat classe" } dd { (or_none(f.class_result.as_deref())) }
            dt { "Résultat cycle" } dd { (or_none(f.cycle_result.as_deref())) }
            dt { "Admission classe" } dd { (or_none(f.class_admission.as_deref())) }
            dt { "Admission cycle" } dd { (or_none(f.cycle_admission.as_deref())) }
            dt { "Commentaire" } dd { (or_none(f.comment.as_deref())) }
        }
    }
}

fn mark(e: &Evaluation) -> (String, String, String) {
    (
        e.mark_hundredths.map(hundredths).unwrap_or_default(),
        e.denominator_hundredths.map(hundredths).unwrap_or_default(),
        e.coefficient_hundredths.map(hundredths).unwrap_or_default(),
    )
}

/// The evaluations table; each type links to the evaluation's detail.
pub fn evaluations_table(base: &str, list: &[Evaluation], caption: &str) -> Markup {
    if list.is_empty() {
        return html! { p { "Aucune évaluation saisie pour ce cours." } };
    }
    DataTable::new(
        "evaluations-legende",
        caption,
        [
            col("Type d'évaluation"),
            col("Date"),
            col("Type de critère"),
            col("Note"),
            col("Dénominateur"),
            col("Coefficient").abbr("Coef."),
            col("Lettre"),
            col("Mention"),
            col("Appréciation"),
            col("Choix"),
            col("Absent"),
        ],
    )
    .rows(list.iter().map(|e| {
        let (m, d, c) = mark(e);
        vec![
            th(html! { a href={ (base) "/evaluations/" (e.evaluation_id) } { (e.kind) } }),
            td(french_date(&e.evaluated_on)),
            td(e.criterion.as_deref().unwrap_or("")),
            td(m),
            td(d),
            td(c),
            td(e.letter.as_deref().unwrap_or("")),
            td(e.mention.as_deref().unwrap_or("")),
            td(e.appreciation.as_deref().unwrap_or("")),
            td(e.choice.as_deref().unwrap_or("")),
            td(yes_no(e.absent)),
        ]
    }))
    .render()
}

pub fn absences_table(base: &str, list: &[Absence]) -> Markup {
    if list.is_empty() {
        return html! { p { "Aucune absence saisie pour ce cours." } };
    }
    DataTable::new(
        "absences-legende",
        "Absences, de la plus ancienne à la plus récente",
        [
            col("Date"),
            col("Heure"),
            col("Durée"),
            col("Justifiée"),
            col("Motif"),
        ],
    )
    .rows(list.iter().map(|a| {
        vec![
            th(html! { a href={ (base) "/absences/" (a.absence_id) } { (french_date(&a.absent_on)) } }),
            td(a.at_time.as_deref().map(time_fr).unwrap_or_default()),
            td(a.duration_minutes.map(duration_words).unwrap_or_default()),
            td(yes_no(a.justified)),
            td(a.reason.as_deref().unwrap_or("")),
        ]
    }))
    .render()
}

/// Which part of a course record a page shows.
pub enum RecordPart<'a> {
    Summary(&'a RecordFacts),
    Evaluations(&'a [Evaluation]),
    Absences(&'a [Absence]),
    Evaluation(&'a Evaluation),
    Absence(&'a Absence),
}

pub fn course_record(
    ctx: &Ctx,
    name: &str,
    person_id: i64,
    line: &CourseLine,
    part: RecordPart,
) -> Markup {
    let base = crate::paths::course_record(person_id, line.course_record_id);
    // A record of a year that has ended belongs to Historique, not to this year's Cours.
    let past = line.year_ends_on.as_str() < crate::domain::date::today_iso().as_str();
    let student_tab = if past { "historique" } else { "cours" };
    let (tab, title) = match part {
        RecordPart::Summary(_) => ("", "Résumé"),
        RecordPart::Evaluations(_) | RecordPart::Evaluation(_) => ("/evaluations", "Évaluations"),
        RecordPart::Absences(_) | RecordPart::Absence(_) => ("/absences", "Absences"),
    };
    layout::page(
        ctx,
        &format!("{title} – {} – {name}", line.course),
        html! {
            (student_head(ctx, name, person_id, student_tab))
            @if past {
                p { a href=(crate::paths::history(person_id)) { "Tout l'historique" } }
            } @else {
                p { a href=(crate::paths::courses(person_id)) { "Tous les cours de l'année" } }
            }
            h2 { "Fiche de suivi – " (line.course) @if past { " (" (line.year) ")" } }
            (record_tabs(ctx, &base, tab))
            @match part {
                RecordPart::Summary(f) => {
                    h3 { "Résumé" }
                    (facts(line, f))
                }
                RecordPart::Evaluations(list) => {
                    h3 { "Évaluations" }
                    (evaluations_table(&base, list, "Évaluations, de la plus ancienne à la plus récente"))
                }
                RecordPart::Absences(list) => {
                    h3 { "Absences" }
                    (absences_table(&base, list))
                    @if !past {
                        p { a href={ (crate::paths::absences(person_id)) "?cours=" (line.course_record_id) "#signaler" } { "Signaler une absence à venir à ce cours" } }
                    }
                }
                RecordPart::Evaluation(e) => {
                    @let (m, d, c) = mark(e);
                    h3 { (e.kind) " du " (french_date(&e.evaluated_on)) }
                    dl.record {
                        dt { "Type d'évaluation" } dd { (e.kind) }
                        dt { "Date" } dd { (french_date(&e.evaluated_on)) }
                        dt { "Type de critère" } dd { (or_none(e.criterion.as_deref())) }
                        dt { "Note" } dd { @if m.is_empty() { (or_none(None)) } @else { (m) @if !d.is_empty() { " / " (d) } } }
                        dt { "Coefficient" } dd { (or_none(Some(c.as_str()))) }
                        dt { "Lettre" } dd { (or_none(e.letter.as_deref())) }
                        dt { "Mention" } dd { (or_none(e.mention.as_deref())) }
                        dt { "Appréciation" } dd { (or_none(e.appreciation.as_deref())) }
                        dt { "Choix" } dd { (or_none(e.choice.as_deref())) }
                        dt { "Absent" } dd { (yes_no(e.absent)) }
                    }
                    p { a href={ (base) "/evaluations" } { "Toutes les évaluations de ce cours" } }
                }
                RecordPart::Absence(a) => {
                    h3 { "Absence du " (french_date(&a.absent_on)) }
                    dl.record {
                        dt { "Date" } dd { (french_date(&a.absent_on)) }
                        dt { "Heure" } dd { (or_none(a.at_time.as_deref().map(time_fr).as_deref())) }
                        dt { "Durée" } dd { (or_none(a.duration_minutes.map(duration_words).as_deref())) }
                        dt { "Justifiée" } dd { (yes_no(a.justified)) }
                        dt { "Motif" } dd { (or_none(a.reason.as_deref())) }
                    }
                    @if !a.justified && !past {
                        p { a href=(crate::paths::justification(person_id, a.absence_id)) { "Justifier cette absence" } }
                    }
                    p { a href={ (base) "/absences" } { "Toutes les absences de ce cours" } }
                }
            }
        },
    )
}

/// Does a history line match the search (every word, anywhere, ignoring case)?
pub fn matches(line: &CourseLine, q: &str) -> bool {
    let hay = format!(
        "{} {} {} {} {}",
        line.year,
        line.department,
        line.course,
        line.cycle.as_deref().unwrap_or(""),
        line.teacher.as_deref().unwrap_or("")
    )
    .to_lowercase();
    q.to_lowercase().split_whitespace().all(|w| hay.contains(w))
}

/// `?q=…` for links that keep the search (encoded as a form encodes it).
fn query_suffix(q: &str) -> String {
    if q.is_empty() {
        String::new()
    } else {
        format!(
            "?{}",
            serde_urlencoded::to_string([("q", q)]).unwrap_or_default()
        )
    }
}

/// The records found and their count: the region a live search replaces.
fn history_results(base: &str, all: usize, lines: &[CourseLine], q: &str) -> Markup {
    let suffix = query_suffix(q);
    html! {
        div #historique-resultats {
            p.result-count {
                @if q.is_empty() {
                    (all) " fiche" @if all > 1 { "s" } "."
                } @else {
                    (lines.len()) " fiche" @if lines.len() > 1 { "s" } " sur " (all) " pour « " (q) " »."
                }
            }
            // Apart from the count: the count alone is announced after a live search.
            @if !q.is_empty() { p { a href=(base) { "Effacer la recherche" } } }
            @if lines.is_empty() {
                p { @if all == 0 { "Aucune fiche des années antérieures." } @else { "Aucune fiche ne correspond à cette recherche." } }
            } @else {
                (DataTable::new(
                    "historique-legende",
                    "Fiches de suivi des années antérieures",
                    [col("Année"), col("Département"), col("Classe"), col("Cycle"), col("Enseignant")],
                ).rows(lines.iter().map(|l| vec![
                    td(&l.year),
                    td(&l.department),
                    th(html! { a href={ (base) "/" (l.course_record_id) (suffix) } { (l.course) " (" (l.year) ")" } }),
                    td(l.cycle.as_deref().unwrap_or("")),
                    td(l.teacher.as_deref().unwrap_or("")),
                ])))
            }
        }
    }
}

pub fn history(
    ctx: &Ctx,
    name: &str,
    person_id: i64,
    all: usize,
    lines: &[CourseLine],
    q: &str,
) -> Markup {
    let base = crate::paths::history(person_id);
    if ctx.swaps("historique-resultats") {
        // A live search (htmx) replaces the results alone.
        return history_results(&base, all, lines, q);
    }
    layout::page(
        ctx,
        &format!("Historique – {name}"),
        html! {
            (student_head(ctx, name, person_id, "historique"))
            h2 { "Historique" }
            p { "Les fiches de suivi des années antérieures, de la plus récente à la plus ancienne." }
            search {
                form.inline method="get" action=(base)
                    data-hx-get=(base) data-hx-trigger="input changed delay:400ms from:#champ-q, search from:#champ-q"
                    data-hx-target="#historique-resultats" data-hx-swap="outerHTML" data-hx-push-url="true" {
                    div.field {
                        label for="champ-q" { "Recherche" }
                        input #champ-q type="search" name="q" value=(q) autocomplete="off"
                            aria-describedby="champ-q-aide";
                        p.hint #champ-q-aide { "Année, département, classe, cycle ou enseignant." }
                    }
                    button type="submit" { "Rechercher" }
                }
            }
            (history_results(&base, all, lines, q))
        },
    )
}

pub struct HistoryRecord<'a> {
    pub line: &'a CourseLine,
    pub facts: &'a RecordFacts,
    pub evaluations: &'a [Evaluation],
    pub position: usize,
    pub count: usize,
    pub previous: Option<i64>,
    pub next: Option<i64>,
    pub q: &'a str,
}

pub fn history_record(ctx: &Ctx, name: &str, person_id: i64, r: &HistoryRecord) -> Markup {
    let base = crate::paths::history(person_id);
    let suffix = query_suffix(r.q);
    let record_base = crate::paths::course_record(person_id, r.line.course_record_id);
    layout::page(
        ctx,
        &format!("{} {} – Historique – {name}", r.line.course, r.line.year),
        html! {
            (student_head(ctx, name, person_id, "historique"))
            p { a href={ (base) (suffix) } { "Retour à la liste de l'historique" } }
            h2 { (r.line.course) " – " (r.line.year) }
            nav.pager aria-label="Fiches de l'historique" {
                ul {
                    li { @if let Some(p) = r.previous { a href={ (base) "/" (p) (suffix) } rel="prev" { "Précédent" span.visually-hidden { " (fiche plus récente)" } } } @else { span.disabled { "Précédent" } } }
                    li aria-current="true" { "Fiche " (r.position) " sur " (r.count) }
                    li { @if let Some(n) = r.next { a href={ (base) "/" (n) (suffix) } rel="next" { "Suivant" span.visually-hidden { " (fiche plus ancienne)" } } } @else { span.disabled { "Suivant" } } }
                }
            }
            (facts(r.line, r.facts))
            h3 { "Évaluations" }
            (evaluations_table(&record_base, r.evaluations, "Évaluations de l'année"))
        },
    )
}

pub fn repertoire(ctx: &Ctx, name: &str, person_id: i64, pieces: &[Piece]) -> Markup {
    layout::page(
        ctx,
        &format!("Répertoire – {name}"),
        html! {
            (student_head(ctx, name, person_id, "repertoire"))
            h2 { "Répertoire" }
            @if pieces.is_empty() {
                p { "Aucune œuvre n'est encore inscrite au répertoire." }
            } @else {
                (DataTable::new(
                    "repertoire-legende",
                    "Œuvres travaillées, les plus récentes en premier",
                    [col("Compositeur"), col("Titre"), col("Période ou année"), col("Cours"), col("Enseignant"), col("Interprétée")],
                ).rows(pieces.iter().map(|p| vec![
                    td(&p.composer),
                    th(&p.title),
                    td(p.period.as_deref().unwrap_or("")),
                    td(html! { (p.course.as_deref().unwrap_or("")) @if let Some(y) = &p.year { " (" (y) ")" } }),
                    td(p.teacher.as_deref().unwrap_or("")),
                    td(p.performed.as_deref().unwrap_or("Non")),
                ])))
            }
        },
    )
}
