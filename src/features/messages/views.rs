//! The pages of messages, for families and for staff: the list of threads (searchable), a
//! thread with its answer form, and the family's new-message form.

use maud::{Markup, html};

use super::store::{Message, Shown, Thread};
use crate::domain::{french_datetime, kilobytes};
use crate::web::components::{
    Errors, csrf_field, error_summary, field_block, field_id, notice, required_legend,
};
use crate::web::rich::paragraphs;
use crate::web::table::{DataTable, col, td, th};
use crate::web::{Ctx, layout};

/// Where a side's pages live.
pub fn base(staff: bool) -> &'static str {
    if staff {
        "/gestion/messages"
    } else {
        "/messages"
    }
}

pub struct ListPage<'a> {
    pub staff: bool,
    pub threads: &'a [Thread],
    pub q: &'a str,
    pub shown: Shown,
    pub info: Option<&'a str>,
}

fn unread_words(n: i64) -> String {
    match n {
        0 => String::new(),
        1 => "1 non lu".to_owned(),
        n => format!("{n} non lus"),
    }
}

fn state_words(t: &Thread) -> &'static str {
    if t.is_open() { "Ouverte" } else { "Close" }
}

pub fn list(ctx: &Ctx, p: &ListPage) -> Markup {
    let base = base(p.staff);
    let searching = !p.q.trim().is_empty();
    let caption = html! {
        @let n = p.threads.len();
        (n) " conversation" @if n > 1 { "s" }
        @if searching { " pour « " (p.q.trim()) " »" }
        ", de la plus récente à la plus ancienne"
    };
    let mut columns = vec![col("Sujet")];
    if p.staff {
        columns.push(col("Famille"));
    }
    columns.extend([col("État"), col("Dernier message"), col("Non lus")]);
    layout::page(
        ctx,
        "Messages",
        html! {
            h1 { "Messages" }
            @if let Some(i) = p.info { (notice(i)) }
            @if p.staff {
                p { "Les messages que les familles écrivent à l'école. Répondre rouvre une conversation close." }
            } @else {
                p { "Écrivez à l'école et retrouvez ses réponses. Vous êtes prévenu par courriel quand elle vous répond." }
                p { a.button href="/messages/nouveau" { "Écrire à l'école" } }
            }
            search {
                form.inline method="get" action=(base) {
                    div.field {
                        label for=(field_id("q")) { "Rechercher dans les messages" }
                        input id=(field_id("q")) name="q" type="search" value=(p.q) autocomplete="off";
                    }
                    @if p.staff {
                        div.field {
                            label for=(field_id("etat")) { "Conversations" }
                            select id=(field_id("etat")) name="etat" {
                                option value="ouvertes" selected[p.shown == Shown::Open] { "Ouvertes" }
                                option value="closes" selected[p.shown == Shown::Closed] { "Closes" }
                                option value="toutes" selected[p.shown == Shown::All] { "Toutes" }
                            }
                        }
                    }
                    button type="submit" { "Rechercher" }
                }
            }
            @if p.threads.is_empty() {
                p {
                    @if searching { "Aucune conversation ne contient « " (p.q.trim()) " »." }
                    @else if p.staff { "Aucune conversation." }
                    @else { "Vous n'avez encore écrit aucun message à l'école." }
                }
            } @else {
                (DataTable::new("conversations-legende", caption, columns)
                    .rows(p.threads.iter().map(|t| {
                        let mut row = vec![th(html! {
                            a href={ (base) "/" (t.thread_id) } { (t.subject) }
                        })];
                        if p.staff {
                            row.push(td(t.family_name.as_deref().unwrap_or("")));
                        }
                        row.extend([
                            td(state_words(t)),
                            td(french_datetime(t.updated_at)),
                            td(unread_words(t.unread)),
                        ]);
                        row
                    })))
            }
        },
    )
}

pub struct ThreadPage<'a> {
    pub staff: bool,
    pub thread: &'a Thread,
    pub messages: &'a [Message],
    pub school: &'a str,
    /// The answer as typed (kept after an error).
    pub body: &'a str,
    pub errors: &'a Errors,
    pub info: Option<&'a str>,
}

pub fn thread(ctx: &Ctx, p: &ThreadPage) -> Markup {
    let t = p.thread;
    let base = base(p.staff);
    let here = format!("{base}/{}", t.thread_id);
    layout::form_page(
        ctx,
        &format!("{} – Messages", t.subject),
        p.errors,
        html! {
            p { a href=(base) { "Tous les messages" } }
            h1 { (t.subject) }
            @if let Some(i) = p.info { (notice(i)) }
            p {
                @if p.staff { "Famille " (t.family_name.as_deref().unwrap_or("")) " – " }
                "Conversation " (state_words(t).to_lowercase()) ", "
                (t.messages) " message" @if t.messages > 1 { "s" } "."
            }
            ol.messages {
                @for m in p.messages {
                    li {
                        article aria-labelledby={ "message-" (m.message_id) } {
                            h2 #{ "message-" (m.message_id) } {
                                @if m.from_staff { (p.school) " (" (m.author) ")" } @else { (m.author) }
                                ", le " (french_datetime(m.created_at))
                            }
                            (paragraphs(&m.body))
                            @if let Some(name) = &m.file_name {
                                p {
                                    "Pièce jointe\u{a0}: "
                                    a href={ (here) "/pieces/" (m.message_id) } type=[m.content_type.as_deref()] download {
                                        (name)
                                        @if let Some(size) = m.size_bytes { " (" (kilobytes(size.max(0) as usize)) ")" }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            @if !t.is_open() && !p.staff {
                p { "L'école a clos cette conversation. Pour lui écrire à nouveau, " a href="/messages/nouveau" { "écrivez un nouveau message" } "." }
            } @else {
                h2 #repondre { "Répondre" }
                (error_summary(p.errors))
                (message_form(ctx, &MessageForm { action: &here, labelled_by: "repondre", subject: None, body: p.body, button: "Envoyer la réponse" }, p.errors))
            }
            @if p.staff {
                form method="post" action={ (here) "/etat" } {
                    (csrf_field(&ctx.csrf))
                    @if t.is_open() {
                        input type="hidden" name="etat" value="close";
                        button type="submit" { "Clore la conversation" }
                    } @else {
                        input type="hidden" name="etat" value="ouverte";
                        button type="submit" { "Rouvrir la conversation" }
                    }
                }
            }
        },
    )
}

/// A message form: where it goes, the heading that names it, what was typed.
#[derive(Clone, Copy)]
struct MessageForm<'a> {
    action: &'a str,
    labelled_by: &'a str,
    /// The subject field, for a new thread only.
    subject: Option<&'a str>,
    body: &'a str,
    button: &'a str,
}

/// The message form, multipart for its attachment: the CSRF token rides in the address,
/// read before the body.
fn message_form(ctx: &Ctx, f: &MessageForm, errors: &Errors) -> Markup {
    let MessageForm {
        action,
        labelled_by,
        subject,
        body,
        button,
    } = *f;
    html! {
        form.stacked method="post" enctype="multipart/form-data"
            action={ (action) "?csrf_token=" (ctx.csrf) } novalidate aria-labelledby=(labelled_by) {
            (required_legend())
            @if let Some(s) = subject {
                (field_block("sujet", "Sujet").required().hint("120 caractères au plus.").control(errors, |described, invalid| html! {
                    input id=(field_id("sujet")) name="sujet" type="text" value=(s) maxlength="120" required
                        autocomplete="off" aria-describedby=[described] aria-invalid=[invalid.then_some("true")];
                }))
            }
            (field_block("message", "Message").required().hint("5 000 caractères au plus. Une ligne vide sépare deux paragraphes.").control(errors, |described, invalid| html! {
                textarea id=(field_id("message")) name="message" rows="8" maxlength="5000" required
                    aria-describedby=[described] aria-invalid=[invalid.then_some("true")] { (body) }
            }))
            (field_block("piece", "Pièce jointe (facultatif)")
                .hint("Image JPEG ou PNG, ou PDF ; 2 Mo au plus.")
                .control(errors, |described, invalid| html! {
                    input id=(field_id("piece")) name="piece" type="file"
                        accept=".jpg,.jpeg,.png,.pdf,image/jpeg,image/png,application/pdf"
                        aria-describedby=[described] aria-invalid=[invalid.then_some("true")];
                }))
            div.actions { button type="submit" { (button) } }
        }
    }
}

pub struct NewPage<'a> {
    pub subject: &'a str,
    pub body: &'a str,
    pub errors: &'a Errors,
}

pub fn new_thread(ctx: &Ctx, p: &NewPage) -> Markup {
    layout::form_page(
        ctx,
        "Écrire à l'école – Messages",
        p.errors,
        html! {
            p { a href="/messages" { "Tous les messages" } }
            h1 #ecrire { "Écrire à l'école" }
            p { "Le secrétariat vous répond ici ; vous en êtes prévenu par courriel. Pour changer une adresse ou un téléphone, passez plutôt par la page Famille : la modification y est suivie." }
            (error_summary(p.errors))
            (message_form(ctx, &MessageForm { action: "/messages/nouveau", labelled_by: "ecrire", subject: Some(p.subject), body: p.body, button: "Envoyer le message" }, p.errors))
        },
    )
}
