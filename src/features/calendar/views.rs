//! The Calendrier page.

use maud::{Markup, html};
use time::Date;

use super::store::{Period, YearRow};
use crate::domain::date::iso;
use crate::domain::french_date;
use crate::web::components::{
    Errors, csrf_field, error_summary, field_block, field_id, notice, required_legend,
};
use crate::web::table::{DataTable, col, td, th};
use crate::web::{Ctx, layout};

/// A public holiday of the current year, and whether the school keeps its lessons on it.
pub struct PublicDay {
    pub day: Date,
    pub name: &'static str,
    pub with_lessons: bool,
}

/// The two add forms, as typed.
#[derive(Default)]
pub struct Typed {
    pub year: [String; 3],
    pub period: [String; 3],
}

pub struct CalendarPage<'a> {
    pub years: &'a [YearRow],
    pub periods: &'a [Period],
    /// The current year's label and its public holidays.
    pub public: Option<(&'a str, Vec<PublicDay>)>,
    pub typed: &'a Typed,
    pub errors: &'a Errors,
    pub info: Option<&'a str>,
}

fn weekday(d: Date) -> &'static str {
    match d.weekday().number_from_monday() {
        1 => "lundi",
        2 => "mardi",
        3 => "mercredi",
        4 => "jeudi",
        5 => "vendredi",
        6 => "samedi",
        _ => "dimanche",
    }
}

fn text_field<'a>(
    name: &'static str,
    value: &'a str,
    kind: &'static str,
) -> impl FnOnce(Option<String>, bool) -> Markup + 'a {
    move |described, invalid| {
        html! {
            input id=(field_id(name)) name=(name) type=(kind) value=(value) required autocomplete="off"
                aria-describedby=[described] aria-invalid=[invalid.then_some("true")];
        }
    }
}

/// Label, first day and last day of a new year or holiday period.
fn span_fields(
    prefix: &'static str,
    label: &'static str,
    hint: &'static str,
    typed: &[String; 3],
    errors: &Errors,
) -> Markup {
    let (l, a, b) = match prefix {
        "annee" => ("annee_libelle", "annee_debut", "annee_fin"),
        _ => ("vacances_libelle", "vacances_debut", "vacances_fin"),
    };
    html! {
        (field_block(l, label).required().hint(hint).control(errors, text_field(l, &typed[0], "text")))
        (field_block(a, "Premier jour").required().hint("jj/mm/aaaa").control(errors, text_field(a, &typed[1], "text")))
        (field_block(b, "Dernier jour").required().hint("jj/mm/aaaa").control(errors, text_field(b, &typed[2], "text")))
    }
}

pub fn page(ctx: &Ctx, p: &CalendarPage) -> Markup {
    layout::form_page(
        ctx,
        "Calendrier",
        p.errors,
        html! {
            h1 { "Calendrier" }
            @if let Some(i) = p.info { (notice(i)) }
            p { "L'emploi du temps des familles et leur calendrier abonné (iCalendar) ne montrent aucun cours pendant les vacances ni les jours fériés, sauf ceux où l'école garde ses cours." }
            (error_summary(p.errors))
            h2 { "Années scolaires" }
            @if p.years.is_empty() {
                p { "Aucune année scolaire : ajoutez la première ci-dessous, ou importez le fichier annees.csv." }
            } @else {
                @let years = DataTable::new(
                    "annees-legende",
                    "Années scolaires, de la plus ancienne à la plus récente",
                    [col("Année"), col("Premier jour"), col("Dernier jour"), col("Cours"), col("Action")],
                ).rows(p.years.iter().map(|y| vec![
                    th(&y.label),
                    td(french_date(&y.starts_on)),
                    td(french_date(&y.ends_on)),
                    td(y.courses),
                    td(html! {
                        @if y.courses == 0 {
                            button.secondary type="submit" name="action" value={ "supprimer-annee:" (y.school_year_id) } {
                                "Supprimer" span.visually-hidden { " l'année " (y.label) }
                            }
                        }
                    }),
                ]));
                // A form only where there is a year to remove: a form without a button is a
                // dead end for keyboard users.
                @if p.years.iter().any(|y| y.courses == 0) {
                    form method="post" action="/gestion/calendrier" {
                        (csrf_field(&ctx.csrf))
                        (years)
                    }
                } @else {
                    (years)
                }
            }
            form method="post" action="/gestion/calendrier" novalidate aria-labelledby="annee-titre" {
                h3 #annee-titre { "Ajouter une année scolaire" }
                (csrf_field(&ctx.csrf))
                (required_legend())
                input type="hidden" name="action" value="annee";
                (span_fields("annee", "Année", "Par exemple 2027/2028.", &p.typed.year, p.errors))
                div.actions { button type="submit" { "Ajouter l'année" } }
            }
            h2 { "Vacances" }
            @if p.periods.is_empty() {
                p { "Aucune période de vacances." }
            } @else {
                form method="post" action="/gestion/calendrier" {
                    (csrf_field(&ctx.csrf))
                    (DataTable::new(
                        "vacances-legende",
                        "Périodes de vacances, dans l'ordre",
                        [col("Période"), col("Premier jour"), col("Dernier jour"), col("Action")],
                    ).rows(p.periods.iter().map(|v| vec![
                        th(&v.label),
                        td(french_date(&v.starts_on)),
                        td(french_date(&v.ends_on)),
                        td(html! { button.secondary type="submit" name="action" value={ "supprimer:" (v.holiday_id) } {
                            "Supprimer" span.visually-hidden { " la période " (v.label) " du " (french_date(&v.starts_on)) " au " (french_date(&v.ends_on)) }
                        } }),
                    ])))
                }
            }
            form method="post" action="/gestion/calendrier" novalidate aria-labelledby="vacances-titre" {
                h3 #vacances-titre { "Ajouter une période de vacances" }
                (csrf_field(&ctx.csrf))
                input type="hidden" name="action" value="vacances";
                (span_fields("vacances", "Nom de la période", "Par exemple Vacances de la Toussaint.", &p.typed.period, p.errors))
                div.actions { button type="submit" { "Ajouter la période" } }
            }
            @if let Some((label, days)) = &p.public {
                h2 { "Jours fériés de l'année " (label) }
                p { "Calculés par le portail. Une école peut garder ses cours un jour férié." }
                form method="post" action="/gestion/calendrier" {
                    (csrf_field(&ctx.csrf))
                    (DataTable::new(
                        "feries-legende",
                        html! { "Jours fériés de l'année " (label) },
                        [col("Jour férié"), col("Date"), col("Cours"), col("Action")],
                    ).rows(days.iter().map(|d| {
                        let date = french_date(&iso(d.day));
                        vec![
                            th(d.name),
                            td(html! { (weekday(d.day)) " " (date) }),
                            td(if d.with_lessons { "Cours maintenus" } else { "Pas de cours" }),
                            td(html! {
                                @if d.with_lessons {
                                    button.secondary type="submit" name="action" value={ "sans-cours:" (iso(d.day)) } {
                                        "Pas de cours ce jour" span.visually-hidden { " – " (d.name) " " (date) }
                                    }
                                } @else {
                                    button.secondary type="submit" name="action" value={ "avec-cours:" (iso(d.day)) } {
                                        "Garder les cours" span.visually-hidden { " – " (d.name) " " (date) }
                                    }
                                }
                            }),
                        ]
                    })))
                }
            }
        },
    )
}
