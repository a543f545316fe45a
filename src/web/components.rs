//! Form building blocks: fields tied to their hint and error, the error summary,
//! the CSRF field, notices.

use maud::{Markup, html};

/// Per-field error messages of one submitted form, in the order of the form.
#[derive(Default, Debug)]
pub struct Errors(Vec<(&'static str, String)>);

impl Errors {
    pub fn new() -> Self {
        Self::default()
    }
    pub fn add(&mut self, field: &'static str, message: impl Into<String>) {
        self.0.push((field, message.into()));
    }
    pub fn get(&self, field: &str) -> Option<&str> {
        self.0
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, m)| m.as_str())
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    pub fn len(&self) -> usize {
        self.0.len()
    }
    pub fn iter(&self) -> impl Iterator<Item = &(&'static str, String)> {
        self.0.iter()
    }
}

/// The id of a field's control, used by labels and the error summary.
pub fn field_id(name: &str) -> String {
    format!("champ-{name}")
}

/// A text-like input with its label, optional hint and error message.
pub struct Field<'a> {
    pub name: &'static str,
    pub label: &'a str,
    /// `text`, `password`, `email`…
    pub kind: &'a str,
    pub value: &'a str,
    pub autocomplete: &'a str,
    pub hint: Option<&'a str>,
    pub required: bool,
}

impl Field<'_> {
    pub fn render(&self, errors: &Errors) -> Markup {
        self.render_with_note(errors, None)
    }

    /// With a note under the label (e.g. a change awaiting validation), read with the field.
    pub fn render_with_note(&self, errors: &Errors, note: Option<Markup>) -> Markup {
        field_block(self.name, self.label)
            .required_if(self.required)
            .hint_if(self.hint)
            .note(note)
            .control(errors, |described, invalid| {
                html! {
                    input id=(field_id(self.name)) name=(self.name) type=(self.kind)
                        value=[(self.kind != "password").then_some(self.value)]
                        autocomplete=(self.autocomplete)
                        required[self.required]
                        aria-describedby=[described]
                        aria-invalid=[invalid.then_some("true")];
                }
            })
    }
}

/// A labelled field: label, hint, note, error message, then the control, all tied
/// together with `aria-describedby`. Built by `field_block(name, label)`, then
/// `.required()`, `.hint(…)`, `.note(…)` as needed, and drawn by `.control(errors, …)`,
/// whose closure receives the ids to describe the control by and whether it is invalid.
pub struct FieldBlock<'a> {
    name: &'a str,
    label: &'a str,
    required: bool,
    hint: Option<&'a str>,
    note: Option<Markup>,
}

/// The labelled field of control `name` (its id is `field_id(name)`).
pub fn field_block<'a>(name: &'a str, label: &'a str) -> FieldBlock<'a> {
    FieldBlock {
        name,
        label,
        required: false,
        hint: None,
        note: None,
    }
}

impl<'a> FieldBlock<'a> {
    /// Marked required (an asterisk the label explains).
    pub fn required(self) -> Self {
        self.required_if(true)
    }
    pub fn required_if(mut self, required: bool) -> Self {
        self.required = required;
        self
    }
    /// A hint under the label.
    pub fn hint(mut self, hint: &'a str) -> Self {
        self.hint = Some(hint);
        self
    }
    pub fn hint_if(mut self, hint: Option<&'a str>) -> Self {
        self.hint = hint;
        self
    }
    /// A note under the hint (e.g. a change awaiting validation), read with the field.
    pub fn note(mut self, note: Option<Markup>) -> Self {
        self.note = note;
        self
    }

    pub fn control(
        self,
        errors: &Errors,
        control: impl FnOnce(Option<String>, bool) -> Markup,
    ) -> Markup {
        let FieldBlock {
            name,
            label,
            required,
            hint,
            note,
        } = self;
        let id = field_id(name);
        let hint_id = format!("{id}-aide");
        let note_id = format!("{id}-note");
        let error_id = format!("{id}-erreur");
        let error = errors.get(name);
        let mut described = Vec::new();
        if hint.is_some() {
            described.push(hint_id.as_str());
        }
        if note.is_some() {
            described.push(note_id.as_str());
        }
        if error.is_some() {
            described.push(error_id.as_str());
        }
        let described = (!described.is_empty()).then(|| described.join(" "));
        html! {
            div.field.field-error[error.is_some()].field-pending[note.is_some()] {
                label for=(id) {
                    (label)
                    // Shown, not read: the control's `required` says it (a test checks
                    // that every field marked so has it).
                    @if required { " " abbr.required title="obligatoire" aria-hidden="true" { "*" } }
                }
                @if let Some(h) = hint { p.hint id=(hint_id) { (h) } }
                @if let Some(n) = note { div.note id=(note_id) { (n) } }
                @if let Some(e) = error {
                    p.error-message id=(error_id) {
                        span.visually-hidden { "Erreur\u{a0}: " } (e)
                    }
                }
                (control(described, error.is_some()))
            }
        }
    }
}

/// The error summary at the top of a form: every error, each a link to its field.
/// Focus moves here when the page loads (static script); its heading is announced.
pub fn error_summary(errors: &Errors) -> Markup {
    if errors.is_empty() {
        return html! {};
    }
    let title = if errors.len() == 1 {
        "Le formulaire contient une erreur".to_owned()
    } else {
        format!("Le formulaire contient {} erreurs", errors.len())
    };
    html! {
        div.error-summary role="alert" tabindex="-1" aria-labelledby="resume-erreurs" {
            h2 #resume-erreurs { (title) }
            ul {
                @for (field, message) in errors.iter() {
                    li { a href={ "#" (field_id(field)) } { (message) } }
                }
            }
        }
    }
}

/// The hidden CSRF field every form carries.
pub fn csrf_field(token: &str) -> Markup {
    html! { input type="hidden" name="csrf_token" value=(token); }
}

/// A confirmation shown after a successful action (announced politely).
pub fn notice(text: &str) -> Markup {
    html! { div.notice role="status" { p { (text) } } }
}

/// Explains the asterisk once per form.
pub fn required_legend() -> Markup {
    html! { p.required-legend { "Les champs marqués d'un astérisque (" abbr title="obligatoire" { "*" } ") sont obligatoires." } }
}

/// A table in a box that scrolls sideways only if it must (the week's grid: data tables
/// are `super::table::DataTable`, which stack on a phone). The box is a plain `div`: the
/// script makes it a named region and a Tab stop only while it actually scrolls.
pub fn scroll_table(caption_id: &str, table: Markup) -> Markup {
    html! {
        div.table-scroll data-caption=(caption_id) { (table) }
    }
}
