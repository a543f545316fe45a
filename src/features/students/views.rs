//! Pages of the students feature.

use maud::{Markup, html};

use super::store::Student;
use crate::domain::french_date;
use crate::web::{Ctx, layout};

/// The list of a family's students, each a link to their record.
pub fn student_links(students: &[Student]) -> Markup {
    html! {
        @if students.is_empty() {
            p { "Aucun élève n'est inscrit pour cette famille." }
        } @else {
            ul.cards {
                @for s in students {
                    li { a href={ "/eleves/" (s.person_id) } { (s.name()) } }
                }
            }
        }
    }
}

pub fn list(ctx: &Ctx, students: &[Student]) -> Markup {
    layout::page(
        ctx,
        "Élèves",
        false,
        html! {
            h1 { "Élèves" }
            (student_links(students))
        },
    )
}

pub fn record(ctx: &Ctx, s: &Student) -> Markup {
    let title = format!("{} – Élèves", s.name());
    let civility = match s.civility.as_str() {
        "M" => "Monsieur",
        "MME" => "Madame",
        _ => "Non renseignée",
    };
    layout::page(
        ctx,
        &title,
        false,
        html! {
            p { a href="/eleves" { "Tous les élèves" } }
            h1 { (s.name()) }
            dl.record {
                dt { "Civilité" } dd { (civility) }
                dt { "Nom" } dd { (s.last_name) }
                dt { "Prénom" } dd { (s.first_name) }
                dt { "Date de naissance" }
                dd { (s.birth_date.as_deref().map(french_date).unwrap_or_else(|| "Non renseignée".to_owned())) }
            }
        },
    )
}
