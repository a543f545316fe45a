//! Pages of the students feature.

use maud::{Markup, html};

use super::store::Student;
use crate::web::{Ctx, layout};

/// The list of a family's students, each a link to their record.
pub fn student_links(students: &[Student]) -> Markup {
    html! {
        @if students.is_empty() {
            p { "Aucun élève n'est inscrit pour cette famille." }
        } @else {
            ul.cards {
                @for s in students {
                    li { a href=(crate::paths::identity(s.person_id)) { (s.name()) } }
                }
            }
        }
    }
}

pub fn list(ctx: &Ctx, students: &[Student]) -> Markup {
    layout::page(
        ctx,
        "Élèves",
        html! {
            h1 { "Élèves" }
            (student_links(students))
            @if students.len() > 1 {
                form.inline method="get" action="/eleves/choisir" {
                    div.field {
                        label for="champ-eleve" { "Ouvrir le dossier de" }
                        select id="champ-eleve" name="eleve" {
                            @for s in students { option value=(s.person_id) { (s.name()) } }
                        }
                    }
                    button type="submit" { "Afficher" }
                }
            }
        },
    )
}

/// The student's tabs: links, each its own page; Réinscription only while a campaign of
/// the school is open.
pub fn tabs(ctx: &Ctx, person_id: i64, current: &str) -> Markup {
    const TABS: &[(&str, &str)] = &[
        ("identite", "Identité"),
        ("cours", "Cours"),
        ("absences", "Absences"),
        ("historique", "Historique"),
        ("repertoire", "Répertoire"),
        ("reinscription", "Réinscription"),
    ];
    let open = ctx.user.as_ref().is_some_and(|u| u.reenrolment_open);
    html! {
        nav.tabs aria-label="Dossier de l'élève" {
            ul {
                @for (slug, label) in TABS.iter().filter(|(s, _)| open || *s != "reinscription") {
                    li {
                        @let href = crate::paths::student_tab(person_id, slug);
                        a href=(href) aria-current=[(*slug == current).then(|| crate::web::layout::current_kind(&ctx.path, &href))] { (label) }
                    }
                }
            }
        }
    }
}
