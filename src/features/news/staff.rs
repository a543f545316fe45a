//! `/gestion/actualites`: staff publish a notice (title, plain text, an optional PDF) to the
//! whole school, a department or a course, from a day and until another; mail it once to
//! each family of its audience through the outbox; withdraw it.

use std::sync::Arc;

use maud::{Markup, html};
use poem::web::{Data, Multipart, Query};
use poem::{Response, handler};
use serde::Deserialize;
use time::Duration;

use super::store::{self, Choice, NewNotice, Notice};
use crate::domain::date::{iso, parse_day, today};
use crate::domain::upload::FileType;
use crate::domain::{french_date, french_datetime};
use crate::mail::Outgoing;
use crate::state::AppState;
use crate::web::components::{
    Errors, csrf_field, error_summary, field_block, field_id, notice, required_legend,
};
use crate::web::files::file_response;
use crate::web::multipart::{self, CheckedFile};
use crate::web::table::{DataTable, col, td, th};
use crate::web::{AppError, AppResult, Ctx, Ids, StaffUser, layout, see_other, unprocessable};

const TITLE_MAX: usize = 120;
const BODY_MAX: usize = 10_000;

/// The publish form as typed.
#[derive(Default)]
struct Typed {
    titre: String,
    texte: String,
    public: String,
    publication: String,
    expiration: String,
    envoyer: bool,
}

#[derive(Deserialize, Default)]
struct PageQuery {
    info: Option<String>,
}

fn info_text(code: Option<&str>) -> Option<String> {
    let code = code?;
    if let Some(n) = code.strip_prefix("envoyee-") {
        let n: usize = n.parse().ok()?;
        return Some(match n {
            0 => "Aucun courriel de plus : chaque famille concernée l'avait déjà reçue, ou n'a pas d'adresse.".to_owned(),
            1 => "L'actualité est envoyée par courriel à 1 famille.".to_owned(),
            n => format!("L'actualité est envoyée par courriel à {n} familles."),
        });
    }
    Some(
        match code {
            "publiee" => "L'actualité est enregistrée ; les familles concernées la voient à partir du jour de publication.",
            "retiree" => "L'actualité est retirée : les familles ne la voient plus.",
            "deja-retiree" => "Cette actualité était déjà terminée.",
            _ => return None,
        }
        .to_owned(),
    )
}

struct PageData<'a> {
    notices: &'a [Notice],
    departments: &'a [Choice],
    courses: &'a [Choice],
    typed: &'a Typed,
    errors: &'a Errors,
    info: Option<String>,
}

fn page_markup(ctx: &Ctx, p: &PageData) -> Markup {
    let today = crate::domain::date::today_iso();
    layout::form_page(
        ctx,
        "Actualités",
        p.errors,
        html! {
            h1 { "Actualités" }
            @if let Some(i) = &p.info { (notice(i)) }
            p { "Les annonces que les familles lisent sur leur page Actualités, sur leur accueil et dans leur flux privé." }
            h2 { "Actualités publiées" }
            @if p.notices.is_empty() {
                p { "Aucune actualité pour l'instant." }
            } @else {
                (DataTable::new(
                    "actualites-legende",
                    html! { (p.notices.len()) " actualité" @if p.notices.len() > 1 { "s" } ", de la plus récente à la plus ancienne" },
                    [col("Titre"), col("Pour"), col("Publiée le"), col("Jusqu'au"), col("Courriel"), col("Actions")],
                ).rows(p.notices.iter().map(|n| {
                    let ended = n.expires_on.as_deref().is_some_and(|e| e < today.as_str());
                    let started = n.publish_on.as_str() <= today.as_str();
                    let title_id = format!("actualite-{}", n.notice_id);
                    vec![
                        th(html! {
                            (n.title)
                            @if let Some(f) = &n.file_name {
                                br; a href={ "/gestion/actualites/" (n.notice_id) "/document" } type="application/pdf" download { "PDF\u{a0}: " (f) }
                            }
                        }).id(title_id.clone()),
                        td(n.audience_words()),
                        td(french_date(&n.publish_on)),
                        td(match &n.expires_on { Some(e) => french_date(e), None => "Sans fin".to_owned() }),
                        td(match n.mailed_at {
                            Some(at) => format!("Envoyée le {} ({} famille{})", french_datetime(at), n.mailed, if n.mailed > 1 { "s" } else { "" }),
                            None => "Non envoyée".to_owned(),
                        }),
                        td(html! {
                            @if started && !ended {
                                form method="post" action={ "/gestion/actualites/" (n.notice_id) "/envoi" } {
                                    (csrf_field(&ctx.csrf))
                                    button type="submit" aria-describedby=(title_id) {
                                        @if n.mailed_at.is_some() { "Envoyer aux nouvelles familles" } @else { "Envoyer par courriel" }
                                    }
                                }
                            }
                            @if !ended {
                                form method="post" action={ "/gestion/actualites/" (n.notice_id) "/retrait" } {
                                    (csrf_field(&ctx.csrf))
                                    button type="submit" aria-describedby=(title_id) { "Retirer" }
                                }
                            } @else { "Terminée" }
                        }),
                    ]
                })))
            }
            h2 #publier { "Publier une actualité" }
            (error_summary(p.errors))
            form.stacked method="post" enctype="multipart/form-data"
                action={ "/gestion/actualites?csrf_token=" (ctx.csrf) } novalidate aria-labelledby="publier" {
                (required_legend())
                (field_block("titre", "Titre").required().hint("120 caractères au plus.").control(p.errors, |described, invalid| html! {
                    input id=(field_id("titre")) name="titre" type="text" value=(p.typed.titre) maxlength="120" required
                        autocomplete="off" aria-describedby=[described] aria-invalid=[invalid.then_some("true")];
                }))
                (field_block("texte", "Texte").required()
                    .hint("Texte simple : une ligne vide sépare deux paragraphes, et les adresses qui commencent par https:// deviennent des liens. 10 000 caractères au plus.")
                    .control(p.errors, |described, invalid| html! {
                        textarea id=(field_id("texte")) name="texte" rows="10" maxlength="10000" required
                            aria-describedby=[described] aria-invalid=[invalid.then_some("true")] { (p.typed.texte) }
                    }))
                (field_block("public", "Pour").control(p.errors, |described, invalid| html! {
                    select id=(field_id("public")) name="public" aria-describedby=[described] aria-invalid=[invalid.then_some("true")] {
                        option value="ecole" selected[p.typed.public.is_empty() || p.typed.public == "ecole"] { "Toute l'école" }
                        @if !p.departments.is_empty() {
                            optgroup label="Les familles d'un département" {
                                @for d in p.departments {
                                    @let v = format!("departement-{}", d.id);
                                    option value=(v) selected[p.typed.public == v] { "Département " (d.name) }
                                }
                            }
                        }
                        @if !p.courses.is_empty() {
                            optgroup label="Les familles d'un cours de cette année" {
                                @for c in p.courses {
                                    @let v = format!("cours-{}", c.id);
                                    option value=(v) selected[p.typed.public == v] { "Cours " (c.name) }
                                }
                            }
                        }
                    }
                }))
                (field_block("publication", "Publiée à partir du").required().hint("jj/mm/aaaa").control(p.errors, |described, invalid| html! {
                    input id=(field_id("publication")) name="publication" type="text" inputmode="numeric" autocomplete="off"
                        value=(p.typed.publication) required aria-describedby=[described] aria-invalid=[invalid.then_some("true")];
                }))
                (field_block("expiration", "Jusqu'au (facultatif)").hint("jj/mm/aaaa ; vide : jusqu'à ce que vous la retiriez.").control(p.errors, |described, invalid| html! {
                    input id=(field_id("expiration")) name="expiration" type="text" inputmode="numeric" autocomplete="off"
                        value=(p.typed.expiration) aria-describedby=[described] aria-invalid=[invalid.then_some("true")];
                }))
                (field_block("document", "Document PDF (facultatif)").hint("PDF ; 2 Mo au plus.").control(p.errors, |described, invalid| html! {
                    input id=(field_id("document")) name="document" type="file" accept=".pdf,application/pdf"
                        aria-describedby=[described] aria-invalid=[invalid.then_some("true")];
                }))
                div.field.field-error[p.errors.get("envoyer").is_some()] {
                    @if let Some(e) = p.errors.get("envoyer") {
                        p.error-message #champ-envoyer-erreur { span.visually-hidden { "Erreur\u{a0}: " } (e) }
                    }
                    input id=(field_id("envoyer")) name="envoyer" type="checkbox" value="oui" checked[p.typed.envoyer]
                        aria-describedby=[p.errors.get("envoyer").map(|_| "champ-envoyer-erreur")];
                    label for=(field_id("envoyer")) { "L'envoyer aussi par courriel aux familles concernées (une fois par famille)" }
                }
                div.actions { button type="submit" { "Publier" } }
            }
        },
    )
}

async fn render(
    state: &AppState,
    ctx: &Ctx,
    site_id: i64,
    typed: &Typed,
    errors: &Errors,
    info: Option<String>,
) -> AppResult<Markup> {
    let notices = store::of_site(&state.pool, site_id).await?;
    let departments = store::departments(&state.pool, site_id).await?;
    let year = crate::features::pedagogy::store::current_year(
        &state.pool,
        site_id,
        &crate::domain::date::today_iso(),
    )
    .await?;
    let courses = match year {
        Some(y) => store::courses(&state.pool, site_id, y.school_year_id).await?,
        None => Vec::new(),
    };
    Ok(page_markup(
        ctx,
        &PageData {
            notices: &notices,
            departments: &departments,
            courses: &courses,
            typed,
            errors,
            info,
        },
    ))
}

#[handler]
pub(crate) async fn page(
    state: Data<&Arc<AppState>>,
    ctx: Ctx,
    StaffUser(user): StaffUser,
    Query(q): Query<PageQuery>,
) -> AppResult<Markup> {
    let typed = Typed {
        publication: french_date(&crate::domain::date::today_iso()),
        ..Typed::default()
    };
    render(
        &state,
        &ctx,
        user.site_id,
        &typed,
        &Errors::new(),
        info_text(q.info.as_deref()),
    )
    .await
}

/// The mail of a notice to a family.
fn notice_mail(to: &str, school: &str, n: &Notice, base_url: &str) -> Outgoing {
    let attachment = match &n.file_name {
        Some(f) => format!("\n\nUn document est joint à cette actualité sur le portail : {f}."),
        None => String::new(),
    };
    Outgoing {
        to: to.to_owned(),
        subject: format!("{school} – {}", n.title),
        body: format!(
            "Bonjour,\n\n{}{attachment}\n\n\
             Toutes les actualités de l'école : {base_url}/actualites\n\n{school}\n",
            n.body
        ),
    }
}

async fn mail_notice(state: &AppState, site_id: i64, by: i64, n: &Notice) -> AppResult<usize> {
    let school = crate::site::name(&state.pool, site_id).await?;
    let base = state.settings.base_url.clone();
    Ok(
        store::mail_audience(&state.pool, site_id, by, n.notice_id, |to| {
            notice_mail(to, &school, n, &base)
        })
        .await?,
    )
}

#[handler]
pub(crate) async fn publish(
    state: Data<&Arc<AppState>>,
    ctx: Ctx,
    StaffUser(user): StaffUser,
    body: Multipart,
) -> AppResult<Response> {
    let site = user.site_id;
    let mut errors = Errors::new();
    let received = multipart::read(body, "document").await;
    let typed = match &received {
        Ok(f) => Typed {
            titre: f.field("titre").to_owned(),
            texte: f.field("texte").to_owned(),
            public: f.field("public").to_owned(),
            publication: f.field("publication").to_owned(),
            expiration: f.field("expiration").to_owned(),
            envoyer: f.field("envoyer") == "oui",
        },
        Err(_) => Typed::default(),
    };
    let mut file: Option<CheckedFile> = None;
    let mut file_error = None;
    match received {
        Err(e) => file_error = Some(e),
        Ok(f) => match multipart::checked_file(f.file).await {
            Ok(Some(x)) if x.kind != FileType::Pdf => {
                file_error =
                    Some("Document PDF : ce fichier est une image ; joignez un PDF.".to_owned())
            }
            Ok(x) => file = x,
            Err(e) => file_error = Some(format!("Document PDF : {e}")),
        },
    }
    let title = match crate::domain::text::line(&typed.titre, "Le titre", TITLE_MAX) {
        Ok(t) if t.is_empty() => {
            errors.add("titre", "Titre : saisissez le titre de l'actualité.");
            t
        }
        Ok(t) => t,
        Err(e) => {
            errors.add("titre", format!("Titre : {e}"));
            String::new()
        }
    };
    let text = match crate::domain::text::paragraph(&typed.texte, "Le texte", BODY_MAX) {
        Ok(t) if t.is_empty() => {
            errors.add("texte", "Texte : saisissez le texte de l'actualité.");
            t
        }
        Ok(t) => t,
        Err(e) => {
            errors.add("texte", format!("Texte : {e}"));
            String::new()
        }
    };
    // The audience, checked against the school's own departments and this year's courses.
    let departments = store::departments(&state.pool, site).await?;
    let year = crate::features::pedagogy::store::current_year(
        &state.pool,
        site,
        &crate::domain::date::today_iso(),
    )
    .await?;
    let courses = match &year {
        Some(y) => store::courses(&state.pool, site, y.school_year_id).await?,
        None => Vec::new(),
    };
    let audience: Option<(&str, Option<i64>)> = match typed.public.as_str() {
        "ecole" => Some(("ecole", None)),
        v => {
            let pick = |prefix: &str, list: &[Choice]| {
                v.strip_prefix(prefix)
                    .and_then(|id| id.parse::<i64>().ok())
                    .filter(|id| list.iter().any(|c| c.id == *id))
            };
            if let Some(d) = pick("departement-", &departments) {
                Some(("departement", Some(d)))
            } else {
                pick("cours-", &courses).map(|c| ("cours", Some(c)))
            }
        }
    };
    if audience.is_none() {
        errors.add(
            "public",
            "Pour : choisissez l'école, un département ou un cours dans la liste.",
        );
    }
    let publish_on = match parse_day(&typed.publication, 2000..=2100) {
        Ok(d) => Some(d),
        Err(e) => {
            errors.add("publication", format!("Publiée à partir du : {e}"));
            None
        }
    };
    let expires_on = match typed.expiration.trim() {
        "" => None,
        raw => match parse_day(raw, 2000..=2100) {
            Ok(d) if publish_on.is_some_and(|p| d < p) => {
                errors.add(
                    "expiration",
                    "Jusqu'au : ce jour précède le jour de publication ; choisissez un jour égal ou postérieur.",
                );
                None
            }
            Ok(d) => Some(d),
            Err(e) => {
                errors.add("expiration", format!("Jusqu'au : {e}"));
                None
            }
        },
    };
    if let Some(e) = file_error {
        errors.add("document", e);
    }
    if typed.envoyer && publish_on.is_some_and(|p| p > today()) {
        errors.add(
            "envoyer",
            "Envoi par courriel : l'actualité n'est publiée qu'à partir du jour choisi ; envoyez le courriel depuis la liste ce jour-là.",
        );
    }
    let (Some(audience), Some(publish_on), true) = (audience, publish_on, errors.is_empty()) else {
        let refused = render(&state, &ctx, site, &typed, &errors, None).await?;
        return Ok(unprocessable(refused));
    };
    let id = store::create(
        &state.pool,
        &NewNotice {
            site_id: site,
            account_id: user.account_id,
            title: &title,
            body: &text,
            audience,
            publish_on: &iso(publish_on),
            expires_on: expires_on.map(iso).as_deref(),
            file: file
                .as_ref()
                .map(|f| (f.display_name.as_str(), f.bytes.as_slice())),
        },
    )
    .await?;
    if typed.envoyer {
        let n = store::one(&state.pool, site, id)
            .await?
            .ok_or(AppError::NotFound)?;
        let queued = mail_notice(&state, site, user.account_id, &n).await?;
        return Ok(see_other(&format!(
            "/gestion/actualites?info=envoyee-{queued}"
        )));
    }
    Ok(see_other("/gestion/actualites?info=publiee"))
}

#[handler]
pub(crate) async fn send(
    state: Data<&Arc<AppState>>,
    StaffUser(user): StaffUser,
    Ids([id]): Ids<1>,
) -> AppResult<Response> {
    let n = store::one(&state.pool, user.site_id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let today = crate::domain::date::today_iso();
    let shown =
        n.publish_on <= today && n.expires_on.as_deref().is_none_or(|e| e >= today.as_str());
    if !shown {
        return Ok(see_other("/gestion/actualites?info=deja-retiree"));
    }
    let queued = mail_notice(&state, user.site_id, user.account_id, &n).await?;
    Ok(see_other(&format!(
        "/gestion/actualites?info=envoyee-{queued}"
    )))
}

#[handler]
pub(crate) async fn withdraw(
    state: Data<&Arc<AppState>>,
    StaffUser(user): StaffUser,
    Ids([id]): Ids<1>,
) -> AppResult<Response> {
    store::one(&state.pool, user.site_id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    let yesterday = iso(today() - Duration::days(1));
    let done = store::withdraw(&state.pool, user.site_id, user.account_id, id, &yesterday).await?;
    Ok(see_other(if done {
        "/gestion/actualites?info=retiree"
    } else {
        "/gestion/actualites?info=deja-retiree"
    }))
}

#[handler]
pub(crate) async fn document(
    state: Data<&Arc<AppState>>,
    StaffUser(user): StaffUser,
    Ids([id]): Ids<1>,
) -> AppResult<Response> {
    let file = store::file_of_site(&state.pool, user.site_id, id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(file_response(file))
}
