//! Emploi du temps (beyond the original product): the family's week at a glance, and a
//! private iCalendar link a phone can subscribe to.

pub mod ics;

use std::collections::BTreeSet;
use std::sync::Arc;

use maud::{Markup, html};
use poem::http::{StatusCode, header};
use poem::web::{Data, Path};
use poem::{IntoResponse, Response, handler};

use crate::features::pedagogy::format::{duration_words, time_fr, weekday};
use crate::features::pedagogy::store::{self, Lesson, SchoolYear};
use crate::state::AppState;
use crate::web::components::{csrf_field, notice, scroll_table};
use crate::web::{AppResult, Ctx, FamilyUser, layout};

/// "17h30 à 19h00".
fn span(l: &Lesson) -> String {
    let start = l
        .start_time
        .split_once(':')
        .and_then(|(h, m)| Some(h.parse::<i64>().ok()? * 60 + m.parse::<i64>().ok()?));
    match start {
        Some(s) => {
            let e = s + l.duration_minutes;
            format!("{} à {:02}h{:02}", time_fr(&l.start_time), e / 60, e % 60)
        }
        None => time_fr(&l.start_time),
    }
}

fn lesson_text(l: &Lesson) -> Markup {
    html! {
        strong { (l.student) } "\u{a0}: " (l.course) ", " (span(l)) " (" (duration_words(l.duration_minutes)) ")"
        @if let Some(r) = &l.room { ", salle " (r) }
        @if let Some(t) = &l.teacher { ", avec " (t) }
    }
}

/// Days as columns, start times as rows (standard mode).
fn week_table(year: &str, lessons: &[Lesson]) -> Markup {
    let days: BTreeSet<i64> = lessons.iter().map(|l| l.weekday).collect();
    let times: BTreeSet<&str> = lessons.iter().map(|l| l.start_time.as_str()).collect();
    html! {
        (scroll_table("semaine-legende", html! {
            table.week {
                caption #semaine-legende { "Semaine type de la famille, année " (year) " : les jours en colonnes, les heures de début en lignes" }
                thead { tr {
                    th scope="col" { "Heure" }
                    @for d in &days { th scope="col" { (weekday(*d)) } }
                } }
                tbody {
                    @for t in &times {
                        tr {
                            th scope="row" { (time_fr(t)) }
                            @for d in &days {
                                td {
                                    @let here: Vec<&Lesson> = lessons.iter().filter(|l| l.weekday == *d && l.start_time == *t).collect();
                                    @if !here.is_empty() {
                                        ul { @for l in here { li { (lesson_text(l)) } } }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }))
    }
}

/// One list per day (accessible mode, and phones in the standard mode: linear, read in
/// order).
fn week_lists(lessons: &[Lesson]) -> Markup {
    let days: BTreeSet<i64> = lessons.iter().map(|l| l.weekday).collect();
    html! {
        @for d in &days {
            h2 { (weekday(*d)) }
            ul { @for l in lessons.iter().filter(|l| l.weekday == *d) { li { (lesson_text(l)) } } }
        }
    }
}

async fn render(
    state: &AppState,
    ctx: &Ctx,
    user: &FamilyUser,
    new_link: Option<&str>,
) -> AppResult<Markup> {
    let year: Option<SchoolYear> = store::current_year(
        &state.pool,
        user.account.site_id,
        &crate::domain::date::today_iso(),
    )
    .await?;
    let lessons = match &year {
        Some(y) => store::lessons(&state.pool, user.family_id, y.school_year_id).await?,
        None => Vec::new(),
    };
    let has_link = store::has_calendar(&state.pool, user.family_id).await?;
    let days_off = match &year {
        Some(y) if !lessons.is_empty() => {
            crate::features::calendar::store::days_off(&state.pool, user.account.site_id, y).await?
        }
        _ => Vec::new(),
    };
    let day = |d: time::Date| crate::domain::french_date(&crate::domain::date::iso(d));
    Ok(layout::page(
        ctx,
        "Emploi du temps",
        html! {
            h1 { "Emploi du temps" }
            @if new_link.is_some() {
                (notice("Votre lien de calendrier est prêt. Copiez-le maintenant : pour votre sécurité, il ne sera plus affiché."))
            }
            @match (&year, lessons.is_empty()) {
                (None, _) => p { "Aucune année scolaire n'est ouverte." },
                (Some(_), true) => p { "Aucun cours hebdomadaire cette année." },
                (Some(y), false) => {
                    p { "Les cours de tous les élèves de la famille pour l'année " (y.label) "." }
                    @if ctx.accessible { (week_lists(&lessons)) } @else {
                        div.week-grid { (week_table(&y.label, &lessons)) }
                        // The same week as lists, shown instead of the grid on a phone.
                        div.week-lists { (week_lists(&lessons)) }
                    }
                    @if !days_off.is_empty() {
                        // The whole year's list, folded: the week above is what families read first.
                        details.days-off {
                            summary { "Jours sans cours de l'année (vacances et jours fériés)" }
                            ul {
                                @for d in &days_off {
                                    li {
                                        (d.label) "\u{a0}: "
                                        @if d.first == d.last { "le " (day(d.first)) } @else { "du " (day(d.first)) " au " (day(d.last)) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            h2 { "Votre calendrier sur téléphone ou ordinateur" }
            p { "Un lien privé permet d'abonner l'application Calendrier de votre téléphone à cet emploi du temps : "
                "les cours s'y affichent chaque semaine de l'année scolaire, sauf pendant les vacances et les jours fériés, et se mettent à jour tout seuls." }
            @if let Some(link) = new_link {
                div.field {
                    label for="lien-calendrier" { "Adresse de votre calendrier" }
                    input #lien-calendrier type="text" readonly value=(link) aria-describedby="lien-calendrier-aide";
                    p.hint #lien-calendrier-aide { "Dans votre application de calendrier, choisissez « Ajouter un abonnement » (ou « S'abonner à un calendrier ») et collez cette adresse. Ne la communiquez qu'aux personnes de confiance." }
                }
            }
            form method="post" action="/emploi-du-temps/lien" {
                (csrf_field(&ctx.csrf))
                @if has_link {
                    p { "Un lien existe déjà. En créer un nouveau arrête aussitôt l'ancien (par exemple si vous l'avez communiqué par erreur)." }
                    button type="submit" { "Créer un nouveau lien" }
                } @else {
                    button type="submit" { "Créer mon lien de calendrier" }
                }
            }
        },
    ))
}

#[handler]
pub(crate) async fn page(
    state: Data<&Arc<AppState>>,
    ctx: Ctx,
    user: FamilyUser,
) -> AppResult<Markup> {
    render(&state, &ctx, &user, None).await
}

/// Creates or renews the family's link; the page shows it once.
#[handler]
pub(crate) async fn renew_link(
    state: Data<&Arc<AppState>>,
    ctx: Ctx,
    user: FamilyUser,
) -> AppResult<Markup> {
    let token = crate::tokens::random_token();
    store::set_calendar(
        &state.pool,
        user.family_id,
        &crate::tokens::hash_token(&token),
    )
    .await?;
    let mut conn = state.pool.acquire().await?;
    crate::audit::audit(
        &mut conn,
        Some(user.account.site_id),
        Some(user.account.account_id),
        "calendar_link_renewed",
        "",
    )
    .await?;
    let link = format!("{}/calendrier/{token}.ics", state.settings.base_url);
    render(&state, &ctx, &user, Some(&link)).await
}

/// The feed itself: no session, the token is the key. Unknown tokens get 404.
#[handler]
pub(crate) async fn feed(
    state: Data<&Arc<AppState>>,
    Path(file): Path<String>,
) -> AppResult<Response> {
    let Some(token) = file.strip_suffix(".ics").filter(|t| t.len() == 43) else {
        return Ok(StatusCode::NOT_FOUND.into_response());
    };
    let Some((family, site)) =
        store::family_by_calendar(&state.pool, &crate::tokens::hash_token(token)).await?
    else {
        return Ok(StatusCode::NOT_FOUND.into_response());
    };
    let school = (crate::site::name(&state.pool, site).await?,);
    let Some(year) =
        store::current_year(&state.pool, site, &crate::domain::date::today_iso()).await?
    else {
        return Ok(StatusCode::NOT_FOUND.into_response());
    };
    let lessons = store::lessons(&state.pool, family, year.school_year_id).await?;
    let days_off: Vec<(time::Date, time::Date)> =
        crate::features::calendar::store::days_off(&state.pool, site, &year)
            .await?
            .into_iter()
            .map(|d| (d.first, d.last))
            .collect();
    let now = time::OffsetDateTime::now_utc();
    let stamp = format!(
        "{:04}{:02}{:02}T{:02}{:02}{:02}Z",
        now.year(),
        u8::from(now.month()),
        now.day(),
        now.hour(),
        now.minute(),
        now.second()
    );
    let body = ics::calendar(&school.0, &year, &lessons, &days_off, &stamp);
    Ok(Response::builder()
        .header(header::CONTENT_TYPE, "text/calendar; charset=utf-8")
        .header(header::CACHE_CONTROL, "private, max-age=900")
        .header(
            header::CONTENT_DISPOSITION,
            "inline; filename=\"emploi-du-temps.ics\"",
        )
        .body(body))
}
