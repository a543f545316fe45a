//! What Famille and Identité do alike: show a record with its pending changes, and turn a
//! submitted form into a change request (or errors, or "nothing changed").

use anyhow::Context;
use std::collections::HashMap;

use super::fields::{self, FieldDef, Kind};
use super::store::{self, Change, ChangeRequest, Pending, Record, Requester, Submitted};
use crate::mail::templates;
use crate::state::AppState;
use crate::web::CurrentUser;
use crate::web::components::Errors;

/// The record as the family sees it: stored values with pending changes laid over them.
pub fn effective(
    defs: &[&'static FieldDef],
    record: &Record,
    pending: &HashMap<String, Pending>,
) -> HashMap<&'static str, String> {
    defs.iter()
        .map(|d| {
            let v = match pending.get(d.key) {
                Some(p) => p.new_value.clone(),
                None => record.get(d.key).to_owned(),
            };
            // An unset checkbox reads as unticked.
            let v = if d.kind == Kind::Checkbox && v.is_empty() {
                "0".to_owned()
            } else {
                v
            };
            (d.key, v)
        })
        .collect()
}

/// What each control shows for stored values.
pub fn control_values(
    defs: &[&'static FieldDef],
    values: &HashMap<&'static str, String>,
) -> HashMap<&'static str, String> {
    defs.iter()
        .map(|d| {
            (
                d.key,
                fields::control_value(d, values.get(d.key).map(String::as_str).unwrap_or("")),
            )
        })
        .collect()
}

/// What was typed, to show it back after an error.
/// Shown above a form filled in with what was sent after the session expired.
pub const REFILLED: &str = "Le formulaire est rempli avec ce que vous aviez saisi avant l'expiration de votre session. Rien n'est encore enregistré\u{a0}: vérifiez, puis cliquez sur « Modifier ».";

pub fn typed_values(
    defs: &[&'static FieldDef],
    submitted: &HashMap<String, String>,
) -> HashMap<&'static str, String> {
    defs.iter()
        .map(|d| (d.key, submitted.get(d.key).cloned().unwrap_or_default()))
        .collect()
}

pub enum Outcome {
    /// Saved (or a duplicate of a saved form): go there.
    Redirect(String),
    Invalid(Errors),
    NothingChanged,
}

/// A record form as submitted by a family member.
pub struct Correction<'a> {
    pub user: &'a CurrentUser,
    /// The school's name, for the acknowledgement mail.
    pub school: &'a str,
    /// The fields the form shows.
    pub defs: &'a [&'static FieldDef],
    pub record: &'a Record,
    pub submitted: &'a HashMap<String, String>,
    /// The form's page, where the family returns.
    pub location: &'a str,
}

/// Reads a submitted record form and records the change request.
pub async fn submit(state: &AppState, form: Correction<'_>) -> anyhow::Result<Outcome> {
    let Correction {
        user,
        school,
        defs,
        record,
        submitted,
        location,
    } = form;
    let form_key = submitted
        .get("cle_formulaire")
        // A key the portal made: URL-safe base64 (anything else is a new form).
        .filter(|k| {
            !k.is_empty()
                && k.len() <= 64
                && k.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
        .cloned()
        .unwrap_or_else(crate::tokens::random_token);
    // A second click on the same form is answered like the first.
    if let Some(first) = store::used_form(&state.pool, user.account_id, &form_key).await? {
        return Ok(Outcome::Redirect(first));
    }
    let pending = store::pending(&state.pool, record.person_id).await?;
    let current = effective(defs, record, &pending);
    let parsed = fields::parse(defs, submitted, &current);
    if !parsed.errors.is_empty() {
        return Ok(Outcome::Invalid(parsed.errors));
    }
    let changes: Vec<Change> = defs
        .iter()
        .filter(|d| parsed.values.get(d.key) != current.get(d.key))
        .map(|d| {
            let stored = record.get(d.key);
            let stored = if d.kind == Kind::Checkbox && stored.is_empty() {
                "0"
            } else {
                stored
            };
            Change {
                def: d,
                record: stored.to_owned(),
                new: parsed.values[d.key].clone(),
            }
        })
        .collect();
    if changes.is_empty() {
        return Ok(Outcome::NothingChanged);
    }
    let lines: Vec<(String, String, String)> = changes
        .iter()
        .map(|c| {
            (
                c.def.label.to_owned(),
                fields::display(c.def, &c.record),
                fields::display(c.def, &c.new),
            )
        })
        .collect();
    let acknowledgement = store::account_email(&state.pool, user.account_id)
        .await?
        .map(|to| templates::change_acknowledged(&to, school, &record.name(), &lines));
    let who = Requester {
        account_id: user.account_id,
        site_id: user.site_id,
        family_id: record.family_id,
    };
    let done = format!("{location}?info=demande-enregistree");
    let result = store::submit(
        &state.pool,
        ChangeRequest {
            who,
            person_id: record.person_id,
            changes: &changes,
            form_key: &form_key,
            location: &done,
            acknowledgement,
        },
    )
    .await
    .with_context(|| format!("recording the changes of person {}", record.person_id))?;
    Ok(Outcome::Redirect(match result {
        Submitted::Saved => done,
        Submitted::Duplicate(first) => first,
    }))
}

/// Confirmation texts reached through `?info=` on record pages.
pub fn info_text(code: Option<&str>) -> Option<&'static str> {
    match code? {
        "demande-enregistree" => Some(
            "Votre demande de modification est enregistrée et un accusé de réception vous a été envoyé par mail. \
             Les champs modifiés sont signalés ci-dessous ; la fiche changera quand le personnel de l'école les aura validés.",
        ),
        _ => None,
    }
}

pub const NOTHING_CHANGED: &str = "Aucune modification n'a été enregistrée : les valeurs saisies sont celles déjà connues de l'école (ou déjà en attente de validation).";
