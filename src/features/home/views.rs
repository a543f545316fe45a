//! The Accueil page: the greeting and the family's students.

use maud::{Markup, html};

use crate::features::students::store::Student;
use crate::features::students::views::student_links;
use crate::web::components::notice;
use crate::web::{Ctx, layout};

pub fn home(ctx: &Ctx, name: &str, students: &[Student], info: Option<&str>) -> Markup {
    layout::page(
        ctx,
        "Accueil",
        html! {
            h1 { "Bonjour " (name) }
            @if let Some(i) = info { (notice(i)) }
            h2 { "Vos élèves" }
            (student_links(students))
        },
    )
}
