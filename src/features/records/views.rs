//! The record form shared by Famille and Identité: every field with its value, its
//! error, and, when a change awaits validation, the value on record.

use std::collections::HashMap;

use maud::{Markup, html};

use super::fields::{self, FieldDef, Kind};
use super::store::{Pending, Record};
use crate::web::Ctx;
use crate::web::components::{
    Errors, csrf_field, error_summary, field_block, field_id, notice, required_legend,
};

pub struct RecordForm<'a> {
    pub action: &'a str,
    pub defs: &'a [&'static FieldDef],
    /// What each control shows: the pending value, the record's, or what was typed.
    pub values: &'a HashMap<&'static str, String>,
    pub errors: &'a Errors,
    pub record: &'a Record,
    pub pending: &'a HashMap<String, Pending>,
    pub form_key: &'a str,
    /// The guardian whose contact details the student uses (contact fields not asked).
    pub guardian_contact: Option<&'a Record>,
    /// Show "Utiliser les coordonnées du responsable légal" (not for the guardian themself).
    pub offer_guardian_contact: bool,
    pub info: Option<&'a str>,
}

/// The note of a field whose change awaits validation.
fn pending_note(def: &FieldDef, record: &Record) -> Markup {
    html! {
        p {
            strong.badge { "Modification en attente de validation" }
            " Valeur enregistrée\u{a0}: « " (fields::display(def, record.get(def.key))) " »."
        }
    }
}

/// `own`: the record is the account holder's own (the parent's Famille, an adult student's
/// Identité). Autofill tokens then say whose data it is; on anyone else's record (a child's)
/// they are off, so that the browser never fills a child's form with the parent's details.
fn control(
    def: &'static FieldDef,
    value: &str,
    errors: &Errors,
    note: Option<Markup>,
    own: bool,
) -> Markup {
    let id = field_id(def.key);
    let autocomplete = if own { def.autocomplete } else { "off" };
    match def.kind {
        Kind::YesNo => {
            let error = errors.get(def.key);
            let error_id = format!("{id}-erreur");
            let note_id = format!("{id}-note");
            html! {
                @let described = [note.as_ref().map(|_| note_id.as_str()), error.map(|_| error_id.as_str())]
                    .into_iter().flatten().collect::<Vec<_>>().join(" ");
                fieldset.field.radios.field-error[error.is_some()].field-pending[note.is_some()]
                    aria-describedby=[(!described.is_empty()).then_some(described.as_str())] {
                    legend { (def.label) }
                    @if let Some(n) = note { div.note id=(note_id) { (n) } }
                    @if let Some(e) = error {
                        p.error-message id=(error_id) { span.visually-hidden { "Erreur\u{a0}: " } (e) }
                    }
                    @for (code, label) in [("1", "Oui"), ("0", "Non")] {
                        // The first radio has the field's id: the error summary links to it.
                        @let rid = if code == "1" { id.clone() } else { format!("{id}-{code}") };
                        div.radio {
                            input type="radio" id=(rid) name=(def.key) value=(code) checked[value == code]
                                aria-invalid=[error.map(|_| "true")];
                            label for=(rid) { (label) }
                        }
                    }
                }
            }
        }
        Kind::Checkbox => html! {
            div.field.checkbox.field-pending[note.is_some()] {
                input type="checkbox" id=(id) name=(def.key) value="1" checked[value == "1"]
                    aria-describedby=[def.hint.map(|_| format!("{id}-aide"))];
                label for=(id) { (def.label) }
                @if let Some(h) = def.hint { p.hint id={ (id) "-aide" } { (h) } }
                @if let Some(n) = note { div.note { (n) } }
            }
        },
        Kind::Select(options) => field_block(def.key, def.label)
            .required_if(def.required)
            .hint_if(def.hint)
            .note(note)
            .control(errors, |described, invalid| {
                html! {
                    select id=(id) name=(def.key) aria-required=[def.required.then_some("true")] autocomplete=(autocomplete)
                        aria-describedby=[described] aria-invalid=[invalid.then_some("true")] {
                        @if !def.required || value.is_empty() {
                            option value="" selected[value.is_empty()] { "Non renseigné" }
                        }
                        @for (code, label) in options {
                            option value=(code) selected[value == *code] { (label) }
                        }
                    }
                }
            }),
        _ => {
            let kind = match def.kind {
                Kind::Phone => "tel",
                Kind::Email => "email",
                _ => "text",
            };
            field_block(def.key, def.label)
                .required_if(def.required)
                .hint_if(def.hint)
                .note(note)
                .control(errors, |described, invalid| {
                    html! {
                        input id=(id) name=(def.key) type=(kind) value=(value)
                            autocomplete=(autocomplete) required[def.required]
                            spellcheck=[matches!(def.kind, Kind::Email | Kind::Phone | Kind::Postal).then_some("false")]
                            aria-describedby=[described] aria-invalid=[invalid.then_some("true")];
                    }
                })
        }
    }
}

/// The guardian's address and phones, shown instead of the student's own.
fn guardian_contact(g: &Record) -> Markup {
    let show = |def: &FieldDef| fields::display(def, g.get(def.key));
    html! {
        div.guardian-contact {
            p { "Coordonnées du responsable légal (" (g.name()) ")\u{a0}:" }
            dl.record {
                dt { "Adresse" } dd { (show(&fields::ADDRESS)) }
                dt { "Code postal et ville" } dd { (g.get("postal_code")) " " (g.get("city")) }
                dt { "Téléphone domicile" } dd { (show(&fields::PHONE_HOME)) }
                dt { "Téléphone mobile" } dd { (show(&fields::PHONE_MOBILE)) }
                dt { "Téléphone professionnel" } dd { (show(&fields::PHONE_WORK)) }
            }
            p.hint { "Pour indiquer d'autres coordonnées, décochez la case ci-dessus puis enregistrez : les champs s'afficheront." }
        }
    }
}

pub fn record_form(ctx: &Ctx, f: &RecordForm) -> Markup {
    let pending_count = f.pending.len();
    let own = ctx.user.as_ref().and_then(|u| u.person_id) == Some(f.record.person_id);
    html! {
        @if let Some(i) = f.info { (notice(i)) }
        (error_summary(f.errors))
        form.stacked.record-form method="post" action=(f.action) novalidate {
            (csrf_field(&ctx.csrf))
            input type="hidden" name="cle_formulaire" value=(f.form_key);
            (required_legend())
            @for def in f.defs {
                @if def.key == fields::USE_GUARDIAN_CONTACT.key && !f.offer_guardian_contact {
                } @else if def.contact && f.guardian_contact.is_some() {
                    @if def.key == fields::ADDRESS.key { (guardian_contact(f.guardian_contact.unwrap())) }
                } @else {
                    @let value = f.values.get(def.key).map(String::as_str).unwrap_or("");
                    @let note = f.pending.get(def.key).map(|_| pending_note(def, f.record));
                    (control(def, value, f.errors, note, own))
                }
            }
            div.actions { button type="submit" { "Modifier" } }
            @if pending_count > 0 {
                p.pending-notice role="status" {
                    "Cette fiche est en attente de validation par le personnel administratif ("
                    (pending_count) (if pending_count > 1 { " modifications" } else { " modification" }) ")."
                }
            }
        }
    }
}
