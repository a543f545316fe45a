//! The Famille page: the account holder's record form.

use std::collections::HashMap;

use maud::{Markup, html};

use crate::features::records::fields::GUARDIAN_FIELDS;
use crate::features::records::store::{Pending, Record};
use crate::features::records::views::{RecordForm, record_form};
use crate::web::components::{Errors, notice};
use crate::web::{Ctx, layout};

/// What the Famille page shows.
pub struct FamilyPage<'a> {
    pub record: &'a Record,
    /// The form's values: stored, pending, or as typed when refused.
    pub values: &'a HashMap<&'static str, String>,
    pub errors: &'a Errors,
    /// Changes awaiting the staff's validation, by field.
    pub pending: &'a HashMap<String, Pending>,
    /// The confirmation after a saved form.
    pub info: Option<&'a str>,
    /// A notice above the form (nothing changed).
    pub notice: Option<&'a str>,
}

pub fn page(ctx: &Ctx, p: &FamilyPage) -> Markup {
    let FamilyPage {
        record,
        values,
        errors,
        pending,
        info,
        notice: extra,
    } = *p;
    layout::form_page(
        ctx,
        "Famille",
        errors,
        html! {
            h1 { "Famille" }
            p { "Voici les informations que l'école connaît de vous, responsable de la famille. "
                "Corrigez ce qui a changé puis choisissez « Modifier » : le personnel de l'école valide chaque modification avant qu'elle soit enregistrée." }
            @if let Some(x) = extra { (notice(x)) }
            (record_form(ctx, &RecordForm {
                action: "/famille",
                defs: GUARDIAN_FIELDS,
                values,
                errors,
                record,
                pending,
                form_key: &crate::tokens::random_token(),
                guardian_contact: None,
                offer_guardian_contact: false,
                info,
            }))
        },
    )
}
