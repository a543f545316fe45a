//! Handlers of `/gestion/calendrier`.

use std::sync::Arc;

use maud::Markup;
use poem::web::{Data, Form, Query};
use poem::{Response, handler};
use serde::Deserialize;

use super::store::{self, Span, YearError};
use super::views::{self, CalendarPage, PublicDay, Typed};
use crate::domain::date::{from_iso, iso, parse_day, today_iso};
use crate::domain::holidays::public_holidays_between;
use crate::features::pedagogy::store::current_year;
use crate::state::AppState;
use crate::web::components::Errors;
use crate::web::{AdminUser, AppError, AppResult, Ctx, see_other, unprocessable};

#[derive(Deserialize, Default)]
struct InfoQuery {
    info: Option<String>,
}

fn info_text(code: Option<&str>) -> Option<&'static str> {
    Some(match code? {
        "annee-ajoutee" => "L'année scolaire est ajoutée.",
        "annee-supprimee" => "L'année scolaire est supprimée.",
        "annee-utilisee" => "Cette année scolaire a des cours : elle n'est pas supprimée.",
        "vacances-ajoutees" => "La période de vacances est ajoutée.",
        "vacances-supprimees" => "La période de vacances est supprimée.",
        "ferie-avec-cours" => "Les cours sont maintenus ce jour férié.",
        "ferie-sans-cours" => "Ce jour férié est de nouveau sans cours.",
        _ => return None,
    })
}

async fn render(
    state: &AppState,
    ctx: &Ctx,
    site_id: i64,
    typed: &Typed,
    errors: &Errors,
    info: Option<&str>,
) -> AppResult<Markup> {
    let years = store::years(&state.pool, site_id).await?;
    let periods = store::periods(&state.pool, site_id).await?;
    let current = current_year(&state.pool, site_id, &today_iso()).await?;
    let kept = store::lesson_days(&state.pool, site_id).await?;
    let public = match &current {
        Some(y) => match (from_iso(&y.starts_on), from_iso(&y.ends_on)) {
            (Some(a), Some(b)) => Some((
                y.label.as_str(),
                public_holidays_between(a, b)
                    .into_iter()
                    .map(|(day, name)| PublicDay {
                        day,
                        name,
                        with_lessons: kept.contains(&day),
                    })
                    .collect(),
            )),
            _ => None,
        },
        None => None,
    };
    Ok(views::page(
        ctx,
        &CalendarPage {
            years: &years,
            periods: &periods,
            public,
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
    AdminUser(user): AdminUser,
    Query(q): Query<InfoQuery>,
) -> AppResult<Markup> {
    render(
        &state,
        &ctx,
        user.site_id,
        &Typed::default(),
        &Errors::new(),
        info_text(q.info.as_deref()),
    )
    .await
}

#[derive(Deserialize)]
struct Fields {
    #[serde(default)]
    action: String,
    #[serde(default)]
    annee_libelle: String,
    #[serde(default)]
    annee_debut: String,
    #[serde(default)]
    annee_fin: String,
    #[serde(default)]
    vacances_libelle: String,
    #[serde(default)]
    vacances_debut: String,
    #[serde(default)]
    vacances_fin: String,
}

/// A label and two days, each checked; the errors name the fields of `keys`.
fn parse_span(
    keys: [&'static str; 3],
    raw: [&str; 3],
    what: &str,
    errors: &mut Errors,
) -> Option<(String, time::Date, time::Date)> {
    let label = match crate::domain::text::line(raw[0], what, 60) {
        Ok(l) if l.is_empty() => {
            errors.add(keys[0], format!("{what} est obligatoire."));
            None
        }
        Ok(l) => Some(l),
        Err(e) => {
            errors.add(keys[0], e);
            None
        }
    };
    let mut day = |key: &'static str, v: &str, which: &str| {
        if v.trim().is_empty() {
            errors.add(key, format!("Le {which} jour est obligatoire."));
            return None;
        }
        parse_day(v, 2000..=2100)
            .map_err(|e| errors.add(key, format!("Le {which} jour : {e}")))
            .ok()
    };
    let first = day(keys[1], raw[1], "premier");
    let last = day(keys[2], raw[2], "dernier");
    if let (Some(a), Some(b)) = (first, last)
        && b < a
    {
        errors.add(keys[2], "Le dernier jour doit venir après le premier.");
        return None;
    }
    Some((label?, first?, last?))
}

#[handler]
pub(crate) async fn act(
    state: Data<&Arc<AppState>>,
    ctx: Ctx,
    AdminUser(user): AdminUser,
    Form(f): Form<Fields>,
) -> AppResult<Response> {
    let (site, by) = (user.site_id, user.account_id);
    let mut errors = Errors::new();
    let typed = Typed {
        year: [
            f.annee_libelle.clone(),
            f.annee_debut.clone(),
            f.annee_fin.clone(),
        ],
        period: [
            f.vacances_libelle.clone(),
            f.vacances_debut.clone(),
            f.vacances_fin.clone(),
        ],
    };
    let (verb, arg) = f.action.split_once(':').unwrap_or((f.action.as_str(), ""));
    match verb {
        "annee" => {
            let keys = ["annee_libelle", "annee_debut", "annee_fin"];
            let raw = [
                f.annee_libelle.as_str(),
                f.annee_debut.as_str(),
                f.annee_fin.as_str(),
            ];
            let parsed = parse_span(keys, raw, "Le nom de l'année", &mut errors).filter(
                |(_, first, last)| {
                    // A school year runs about ten months; more than thirteen is a typing
                    // mistake (a year of 2027 for 2028), and would hide the next year.
                    let long = (*last - *first).whole_days() > 396;
                    if long {
                        errors.add(
                            "annee_fin",
                            "Le dernier jour : une année scolaire dure au plus 13 mois.",
                        );
                    }
                    !long
                },
            );
            if let Some((label, first, last)) = parsed {
                let span = Span {
                    label: &label,
                    first,
                    last,
                };
                match store::add_year(&state.pool, site, by, &span).await {
                    Ok(()) => return Ok(see_other("/gestion/calendrier?info=annee-ajoutee")),
                    Err(YearError::LabelTaken) => {
                        errors.add("annee_libelle", format!("L'année « {label} » existe déjà."))
                    }
                    Err(YearError::Overlaps(other)) => errors.add(
                        "annee_debut",
                        format!(
                            "Le premier jour : l'année chevauche l'année « {other} ». Les années scolaires ne se recouvrent pas."
                        ),
                    ),
                    Err(YearError::Database(e)) => return Err(e.into()),
                }
            }
        }
        "vacances" => {
            let keys = ["vacances_libelle", "vacances_debut", "vacances_fin"];
            let raw = [
                f.vacances_libelle.as_str(),
                f.vacances_debut.as_str(),
                f.vacances_fin.as_str(),
            ];
            if let Some((label, first, last)) =
                parse_span(keys, raw, "Le nom de la période", &mut errors)
            {
                let span = Span {
                    label: &label,
                    first,
                    last,
                };
                store::add_period(&state.pool, site, by, &span).await?;
                return Ok(see_other("/gestion/calendrier?info=vacances-ajoutees"));
            }
        }
        "supprimer-annee" => {
            let id: i64 = arg.parse().map_err(|_| AppError::NotFound)?;
            match store::remove_year(&state.pool, site, by, id).await? {
                None => return Err(AppError::NotFound),
                Some(true) => return Ok(see_other("/gestion/calendrier?info=annee-supprimee")),
                // The page offers no button for a year with courses: only a forged form or
                // a course imported meanwhile lands here.
                Some(false) => return Ok(see_other("/gestion/calendrier?info=annee-utilisee")),
            }
        }
        "supprimer" => {
            let id: i64 = arg.parse().map_err(|_| AppError::NotFound)?;
            if !store::remove_period(&state.pool, site, by, id).await? {
                return Err(AppError::NotFound);
            }
            return Ok(see_other("/gestion/calendrier?info=vacances-supprimees"));
        }
        "avec-cours" | "sans-cours" => {
            // Only a public holiday can be a day with lessons.
            let day = from_iso(arg).ok_or(AppError::BadRequest)?;
            let is_public = crate::domain::holidays::public_holidays(day.year())
                .iter()
                .any(|(d, _)| *d == day);
            let day_iso = iso(day);
            let in_a_year = store::years(&state.pool, site)
                .await?
                .iter()
                .any(|y| y.starts_on <= day_iso && day_iso <= y.ends_on);
            if !is_public || !in_a_year {
                return Err(AppError::BadRequest);
            }
            let with = verb == "avec-cours";
            store::set_lesson_day(&state.pool, site, by, day, with).await?;
            return Ok(see_other(if with {
                "/gestion/calendrier?info=ferie-avec-cours"
            } else {
                "/gestion/calendrier?info=ferie-sans-cours"
            }));
        }
        _ => return Err(AppError::BadRequest),
    }
    let shown = render(&state, &ctx, site, &typed, &errors, None).await?;
    Ok(unprocessable(shown))
}
