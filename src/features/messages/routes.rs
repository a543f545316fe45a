//! `/messages…` (a family and its school) and `/gestion/messages…` (the school's staff).
//! Each handler finds the thread for its reader first (`store::Reader`: the family, or the
//! staff's school), so another family's or another school's thread answers 404.

use std::sync::Arc;

use poem::web::{Data, Form, Multipart, Query};
use poem::{Response, handler};
use serde::Deserialize;

use super::store::{self, NewMessage, Reader, Shown};
use super::views::{self, ListPage, NewPage, ThreadPage};
use crate::mail::{Outgoing, templates};
use crate::state::AppState;
use crate::web::components::Errors;
use crate::web::files::file_response;
use crate::web::multipart::{self, CheckedFile};
use crate::web::{
    AppError, AppResult, Ctx, CurrentUser, FamilyUser, Ids, StaffUser, see_other, unprocessable,
};

/// The longest subject and message.
const SUBJECT_MAX: usize = 120;
const BODY_MAX: usize = 5000;

#[derive(Deserialize, Default)]
struct ListQuery {
    #[serde(default)]
    q: String,
    #[serde(default)]
    etat: String,
    info: Option<String>,
}

fn info_text(code: Option<&str>) -> Option<&'static str> {
    Some(match code? {
        "envoye" => {
            "Votre message est envoyé à l'école. Vous serez prévenu par courriel de sa réponse."
        }
        "repondu" => "Votre réponse est envoyée à l'école.",
        "repondu-famille" => "La réponse est envoyée ; la famille en est prévenue par courriel.",
        "close" => "La conversation est close.",
        "rouverte" => "La conversation est rouverte.",
        "deja-close" => {
            "Cette conversation a été close entre-temps : votre réponse n'est pas envoyée. Écrivez un nouveau message."
        }
        _ => return None,
    })
}

fn reader(user: &CurrentUser) -> Reader {
    match user.family_id {
        Some(f) if !user.is_staff => Reader::Family(f),
        _ => Reader::Staff(user.site_id),
    }
}

async fn list(
    state: &AppState,
    ctx: &Ctx,
    user: &CurrentUser,
    q: ListQuery,
) -> AppResult<maud::Markup> {
    let staff = user.is_staff;
    let shown = match q.etat.as_str() {
        "closes" => Shown::Closed,
        "toutes" => Shown::All,
        "ouvertes" => Shown::Open,
        _ if staff => Shown::Open,
        _ => Shown::All,
    };
    let q_text: String = q.q.chars().take(200).collect();
    let threads = store::list(&state.pool, reader(user), &q_text, shown).await?;
    Ok(views::list(
        ctx,
        &ListPage {
            staff,
            threads: &threads,
            q: &q_text,
            shown,
            info: info_text(q.info.as_deref()),
        },
    ))
}

#[handler]
pub(crate) async fn family_list(
    state: Data<&Arc<AppState>>,
    ctx: Ctx,
    user: FamilyUser,
    Query(q): Query<ListQuery>,
) -> AppResult<maud::Markup> {
    list(&state, &ctx, &user.account, q).await
}

#[handler]
pub(crate) async fn staff_list(
    state: Data<&Arc<AppState>>,
    ctx: Ctx,
    StaffUser(user): StaffUser,
    Query(q): Query<ListQuery>,
) -> AppResult<maud::Markup> {
    list(&state, &ctx, &user, q).await
}

#[derive(Deserialize, Default)]
struct ThreadQuery {
    info: Option<String>,
}

async fn show(
    state: &AppState,
    ctx: &Ctx,
    user: &CurrentUser,
    thread_id: i64,
    answer: (&str, &Errors),
    info: Option<&str>,
) -> AppResult<maud::Markup> {
    let who = reader(user);
    let thread = store::thread(&state.pool, who, thread_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let messages = store::messages(&state.pool, thread_id).await?;
    if thread.unread > 0 {
        store::mark_seen(&state.pool, who, thread_id).await?;
    }
    let school = crate::site::name(&state.pool, user.site_id).await?;
    Ok(views::thread(
        ctx,
        &ThreadPage {
            staff: user.is_staff,
            thread: &thread,
            messages: &messages,
            school: &school,
            body: answer.0,
            errors: answer.1,
            info,
        },
    ))
}

#[handler]
pub(crate) async fn family_thread(
    state: Data<&Arc<AppState>>,
    ctx: Ctx,
    user: FamilyUser,
    Ids([id]): Ids<1>,
    Query(q): Query<ThreadQuery>,
) -> AppResult<maud::Markup> {
    show(
        &state,
        &ctx,
        &user.account,
        id,
        ("", &Errors::new()),
        info_text(q.info.as_deref()),
    )
    .await
}

#[handler]
pub(crate) async fn staff_thread(
    state: Data<&Arc<AppState>>,
    ctx: Ctx,
    StaffUser(user): StaffUser,
    Ids([id]): Ids<1>,
    Query(q): Query<ThreadQuery>,
) -> AppResult<maud::Markup> {
    show(
        &state,
        &ctx,
        &user,
        id,
        ("", &Errors::new()),
        info_text(q.info.as_deref()),
    )
    .await
}

/// A message form as sent: its fields as typed, its attachment once checked, and what is
/// wrong with them (each message starts with its field's label).
struct Sent {
    subject: String,
    body: String,
    file: Option<CheckedFile>,
    errors: Errors,
}

async fn read_sent(body: Multipart, with_subject: bool) -> Sent {
    let mut errors = Errors::new();
    let received = multipart::read(body, "piece").await;
    let (subject_raw, body_raw) = match &received {
        Ok(f) => (f.field("sujet").to_owned(), f.field("message").to_owned()),
        Err(_) => (String::new(), String::new()),
    };
    let mut file = None;
    match received {
        Err(e) => errors.add("piece", e),
        Ok(f) => match multipart::checked_file(f.file).await {
            Ok(x) => file = x,
            Err(e) => errors.add("piece", format!("Pièce jointe : {e}")),
        },
    }
    let mut subject = subject_raw.clone();
    if with_subject {
        match crate::domain::text::line(&subject_raw, "Le sujet", SUBJECT_MAX) {
            Ok(s) if s.is_empty() => {
                errors.add("sujet", "Sujet : saisissez le sujet de votre message.")
            }
            Ok(s) => subject = s,
            Err(e) => errors.add("sujet", format!("Sujet : {e}")),
        }
    }
    let mut text = body_raw.clone();
    match crate::domain::text::paragraph(&body_raw, "Le message", BODY_MAX) {
        Ok(t) if t.is_empty() => errors.add("message", "Message : saisissez votre message."),
        Ok(t) => text = t,
        Err(e) => errors.add("message", format!("Message : {e}")),
    }
    // The errors come in the order of the form.
    let mut ordered = Errors::new();
    for key in ["sujet", "message", "piece"] {
        if let Some(e) = errors.get(key) {
            ordered.add(key, e.to_owned());
        }
    }
    Sent {
        subject,
        body: text,
        file,
        errors: ordered,
    }
}

impl Sent {
    fn new_message(&self, site_id: i64, account_id: i64) -> NewMessage<'_> {
        NewMessage {
            site_id,
            account_id,
            body: &self.body,
            file: self.file.as_ref().map(|f| {
                (
                    f.display_name.as_str(),
                    f.kind.content_type(),
                    f.bytes.as_slice(),
                )
            }),
        }
    }
}

/// The mail that tells the school a family wrote.
async fn mail_to_school(
    state: &AppState,
    user: &CurrentUser,
    subject: &str,
    text: &str,
    thread_id: i64,
) -> AppResult<Outgoing> {
    let school = crate::site::school(&state.pool, user.site_id).await?;
    let allow = crate::site::exchanges(&state.pool, user.site_id)
        .await?
        .mail_message_text;
    let to = school
        .contact_email
        .clone()
        .filter(|e| !e.trim().is_empty())
        .unwrap_or_else(|| state.settings.sender_address());
    Ok(templates::message_waiting(
        &to,
        &school.name,
        subject,
        &format!("La famille de {}", user.display_name()),
        allow.then_some(text),
        &format!("{}/gestion/messages/{thread_id}", state.settings.base_url),
    ))
}

#[handler]
pub(crate) async fn new_page(ctx: Ctx, _user: FamilyUser) -> maud::Markup {
    views::new_thread(
        &ctx,
        &NewPage {
            subject: "",
            body: "",
            errors: &Errors::new(),
        },
    )
}

#[handler]
pub(crate) async fn start(
    state: Data<&Arc<AppState>>,
    ctx: Ctx,
    user: FamilyUser,
    body: Multipart,
) -> AppResult<Response> {
    let sent = read_sent(body, true).await;
    if !sent.errors.is_empty() {
        return Ok(unprocessable(views::new_thread(
            &ctx,
            &NewPage {
                subject: &sent.subject,
                body: &sent.body,
                errors: &sent.errors,
            },
        )));
    }
    let site = user.account.site_id;
    // The thread's id is known once stored: the mail links to it, so it is made first.
    let thread_id = crate::db::new_id();
    let mail = mail_to_school(&state, &user.account, &sent.subject, &sent.body, thread_id).await?;
    let id = store::start(
        &state.pool,
        thread_id,
        user.family_id,
        &sent.subject,
        &sent.new_message(site, user.account.account_id),
        &[mail],
    )
    .await?;
    Ok(see_other(&format!("/messages/{id}?info=envoye")))
}

#[handler]
pub(crate) async fn family_answer(
    state: Data<&Arc<AppState>>,
    ctx: Ctx,
    user: FamilyUser,
    Ids([id]): Ids<1>,
    body: Multipart,
) -> AppResult<Response> {
    answer(&state, &ctx, &user.account, id, body).await
}

#[handler]
pub(crate) async fn staff_answer(
    state: Data<&Arc<AppState>>,
    ctx: Ctx,
    StaffUser(user): StaffUser,
    Ids([id]): Ids<1>,
    body: Multipart,
) -> AppResult<Response> {
    answer(&state, &ctx, &user, id, body).await
}

async fn answer(
    state: &AppState,
    ctx: &Ctx,
    user: &CurrentUser,
    thread_id: i64,
    body: Multipart,
) -> AppResult<Response> {
    let who = reader(user);
    let thread = store::thread(&state.pool, who, thread_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let sent = read_sent(body, false).await;
    if !sent.errors.is_empty() {
        let page = show(
            state,
            ctx,
            user,
            thread_id,
            (&sent.body, &sent.errors),
            None,
        )
        .await?;
        return Ok(unprocessable(page));
    }
    let base = views::base(user.is_staff);
    let mail = if user.is_staff {
        let school = crate::site::school(&state.pool, user.site_id).await?;
        let allow = crate::site::exchanges(&state.pool, user.site_id)
            .await?
            .mail_message_text;
        crate::features::reenrolment::store::family_email(&state.pool, thread.family_id)
            .await?
            .map(|to| {
                templates::message_waiting(
                    &to,
                    &school.name,
                    &thread.subject,
                    &format!("L'école « {} »", school.name),
                    allow.then_some(sent.body.as_str()),
                    &format!("{}/messages/{thread_id}", state.settings.base_url),
                )
            })
    } else {
        Some(mail_to_school(state, user, &thread.subject, &sent.body, thread_id).await?)
    };
    let done = store::answer(
        &state.pool,
        who,
        thread_id,
        &sent.new_message(user.site_id, user.account_id),
        mail.as_slice(),
    )
    .await?;
    let info = match (done, user.is_staff) {
        (false, _) => "deja-close",
        (true, true) => "repondu-famille",
        (true, false) => "repondu",
    };
    Ok(see_other(&format!("{base}/{thread_id}?info={info}")))
}

#[derive(Deserialize)]
struct StateForm {
    etat: String,
}

#[handler]
pub(crate) async fn set_state(
    state: Data<&Arc<AppState>>,
    StaffUser(user): StaffUser,
    Ids([id]): Ids<1>,
    Form(f): Form<StateForm>,
) -> AppResult<Response> {
    let closed = match f.etat.as_str() {
        "close" => true,
        "ouverte" => false,
        _ => return Err(AppError::BadRequest),
    };
    store::thread(&state.pool, Reader::Staff(user.site_id), id)
        .await?
        .ok_or(AppError::NotFound)?;
    store::set_closed(&state.pool, user.site_id, user.account_id, id, closed).await?;
    let info = if closed { "close" } else { "rouverte" };
    Ok(see_other(&format!("/gestion/messages/{id}?info={info}")))
}

#[handler]
pub(crate) async fn family_attachment(
    state: Data<&Arc<AppState>>,
    user: FamilyUser,
    Ids([id, mid]): Ids<2>,
) -> AppResult<Response> {
    let file = store::attachment(&state.pool, Reader::Family(user.family_id), id, mid)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(file_response(file))
}

#[handler]
pub(crate) async fn staff_attachment(
    state: Data<&Arc<AppState>>,
    StaffUser(user): StaffUser,
    Ids([id, mid]): Ids<2>,
) -> AppResult<Response> {
    let file = store::attachment(&state.pool, Reader::Staff(user.site_id), id, mid)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(file_response(file))
}
