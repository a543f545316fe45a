//! The Accueil page: the family's dashboard. Each block is a heading, a short list and a
//! link to the page that has the rest; a block with nothing in it is not shown at all (no
//! « 0 élément »). The students' links stay last, as before.

use maud::{Markup, html};
use time::Date;

use super::store::{News, Unpaid, Waiting};
use crate::domain::date::iso;
use crate::domain::french_date;
use crate::domain::money::euros;
use crate::domain::status::RequestStatus;
use crate::features::messages::store::Thread;
use crate::features::news::store::Notice;
use crate::features::pedagogy::format::{time_fr, weekday};
use crate::features::pedagogy::store::Lesson;
use crate::features::students::store::Student;
use crate::features::students::views::student_links;
use crate::web::components::notice;
use crate::web::{Ctx, layout};

/// A student's place in the open re-enrolment.
pub struct Enrolment {
    pub person_id: i64,
    pub student: String,
    pub status: Option<RequestStatus>,
}

/// A lesson of this week, on its day; `off`: the holiday or public holiday that cancels it.
pub struct WeekLesson {
    pub day: Date,
    pub lesson: Lesson,
    pub off: Option<String>,
}

pub struct Dashboard<'a> {
    pub name: &'a str,
    pub students: &'a [Student],
    pub info: Option<&'a str>,
    pub balance: i64,
    pub unpaid: &'a [Unpaid],
    pub waiting: &'a [Waiting],
    pub campaign: Option<&'a str>,
    pub enrolment: &'a [Enrolment],
    pub week: &'a [WeekLesson],
    pub monday: Date,
    pub recent: &'a [News],
    /// The login before this one (what « new » is counted from).
    pub since: Option<i64>,
    pub unread: &'a [Thread],
    pub notices: &'a [Notice],
}

fn enrolment_words(s: Option<RequestStatus>) -> &'static str {
    match s {
        None => "à faire",
        Some(RequestStatus::Draft) => "commencée, pas encore envoyée",
        Some(RequestStatus::Submitted) => "envoyée, en attente de validation",
        Some(RequestStatus::Accepted) => "acceptée",
        Some(RequestStatus::Refused) => "refusée",
    }
}

/// A block: `section` named by its heading.
fn block(id: &str, title: &str, body: Markup) -> Markup {
    html! {
        section.dashboard-block aria-labelledby=(id) {
            h2 #(id) { (title) }
            (body)
        }
    }
}

pub fn home(ctx: &Ctx, d: &Dashboard) -> Markup {
    let due: i64 = d.unpaid.iter().map(|u| u.due_cents).sum();
    let sunday = d.monday + time::Duration::days(6);
    layout::page(
        ctx,
        "Accueil",
        html! {
            h1 { "Bonjour " (d.name) }
            @if let Some(i) = d.info { (notice(i)) }
            @if !d.unpaid.is_empty() || d.balance > 0 {
                (block("a-payer", "À payer", html! {
                    p { "Reste à payer\u{a0}: " strong { (euros(due.max(d.balance))) } "." }
                    ul {
                        @for u in d.unpaid.iter().take(5) {
                            li { a href={ "/facturation/documents/" (u.ledger_entry_id) } { "Facture " (u.number) } " du " (french_date(&u.entry_date)) "\u{a0}: " (euros(u.due_cents)) " à payer" }
                        }
                    }
                    p { a href="/facturation" { "Facturation" } }
                }))
            }
            @if !d.unread.is_empty() {
                (block("messages-non-lus", "Messages non lus", html! {
                    ul {
                        @for t in d.unread.iter().take(5) {
                            li { a href={ "/messages/" (t.thread_id) } { (t.subject) } "\u{a0}: " (t.unread) " message" @if t.unread > 1 { "s" } " de l'école" }
                        }
                    }
                    p { a href="/messages" { "Tous les messages" } }
                }))
            }
            @if !d.waiting.is_empty() {
                (block("en-attente", "En attente de l'école", html! {
                    ul {
                        @for w in d.waiting.iter().take(5) {
                            li {
                                @if w.kind == "justification" {
                                    a href=(crate::paths::absences(w.person_id)) { "Justification de l'absence de " (w.student) }
                                    @if let Some(day) = &w.day { " du " (french_date(day)) }
                                } @else {
                                    a href=(crate::paths::student_tab(w.person_id, "identite")) { "Modification de la fiche de " (w.student) }
                                }
                                ", envoyée le " (crate::domain::french_datetime(w.since))
                            }
                        }
                    }
                }))
            }
            @if let Some(year) = d.campaign {
                @if !d.enrolment.is_empty() {
                    (block("reinscription", &format!("Réinscription {year}"), html! {
                        ul {
                            @for e in d.enrolment {
                                li { a href=(crate::paths::student_tab(e.person_id, "reinscription")) { (e.student) } "\u{a0}: " (enrolment_words(e.status)) }
                            }
                        }
                    }))
                }
            }
            @if !d.week.is_empty() {
                (block("semaine", "Cette semaine", html! {
                    p { "Du " (french_date(&iso(d.monday))) " au " (french_date(&iso(sunday))) "\u{a0}:" }
                    ul {
                        @for w in d.week {
                            li {
                                (weekday(w.lesson.weekday)) " " (french_date(&iso(w.day))) ", " (time_fr(&w.lesson.start_time)) "\u{a0}: "
                                (w.lesson.student) ", " (w.lesson.course)
                                @if let Some(off) = &w.off { " – " strong { "pas de cours" } " (" (off) ")" }
                            }
                        }
                    }
                    p { a href="/emploi-du-temps" { "Emploi du temps" } }
                }))
            }
            @if !d.recent.is_empty() {
                (block("nouveau", "Nouveau depuis votre dernière visite", html! {
                    @if let Some(at) = d.since { p { "Depuis le " (crate::domain::french_datetime(at)) "\u{a0}:" } }
                    ul {
                        @for n in d.recent.iter().take(8) {
                            @let base = crate::paths::course_record(n.person_id, n.course_record_id);
                            li {
                                @if n.kind == "evaluation" {
                                    a href={ (base) "/evaluations/" (n.item_id) } { (n.label.as_deref().unwrap_or("Évaluation")) }
                                    " de " (n.student) " en " (n.course) ", le " (french_date(&n.day))
                                } @else {
                                    a href={ (base) "/absences/" (n.item_id) } { "Absence" }
                                    " de " (n.student) " en " (n.course) ", le " (french_date(&n.day))
                                }
                            }
                        }
                    }
                }))
            }
            @if !d.notices.is_empty() {
                (block("actualites", "Actualités", html! {
                    ul {
                        @for n in d.notices {
                            li { a href={ "/actualites#actualite-" (n.notice_id) } { (n.title) } ", le " (french_date(&n.publish_on)) }
                        }
                    }
                    p { a href="/actualites" { "Toutes les actualités" } }
                }))
            }
            h2 { "Vos élèves" }
            (student_links(d.students))
        },
    )
}
