//! The school's calendar (`/gestion/calendrier`) and what it does to the families'
//! iCalendar feed, expanded with a real RFC 5545 recurrence parser (the `rrule` crate).

use reqwest::StatusCode;
use time::Date;

use crate::helpers::*;
use crate::school::{TestSchool, spawn_empty_app};

/// Every local day on which an event of the feed happens: each VEVENT's DTSTART, RRULE and
/// EXDATE are handed to `rrule` and expanded.
fn lesson_days(ics: &str) -> Vec<(String, Vec<Date>)> {
    let ics = ics.replace("\r\n ", "").replace("\r\n", "\n");
    ics.split("BEGIN:VEVENT")
        .skip(1)
        .map(|event| {
            let prop = |name: &str| {
                event
                    .lines()
                    .filter(|l| l.starts_with(name))
                    .map(str::to_owned)
                    .collect::<Vec<_>>()
            };
            let mut rule = prop("DTSTART;");
            rule.extend(prop("RRULE:"));
            rule.extend(prop("EXDATE;"));
            let set: rrule::RRuleSet = rule.join("\n").parse().expect("a valid recurrence");
            let summary = prop("SUMMARY:").join("");
            let days = set
                .all(400)
                .dates
                .into_iter()
                .map(|d| {
                    use chrono::Datelike;
                    Date::from_calendar_date(
                        d.year(),
                        time::Month::try_from(d.month() as u8).unwrap(),
                        d.day() as u8,
                    )
                    .unwrap()
                })
                .collect();
            (summary, days)
        })
        .collect()
}

async fn feed(app: &TestApp) -> String {
    let resp = app
        .post_form(
            &app.client,
            "/emploi-du-temps",
            "/emploi-du-temps/lien",
            &[],
        )
        .await;
    let html = resp.text().await.unwrap();
    let start = html
        .find(&format!("value=\"{}/calendrier/", app.address))
        .expect("the link")
        + 7;
    let url = &html[start..start + html[start..].find('"').unwrap()];
    new_client()
        .get(url)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap()
}

#[tokio::test]
async fn the_feed_has_no_lesson_on_a_public_holiday_unless_the_school_keeps_it() {
    let app = spawn_app().await;
    app.login("abarre1", PASSWORD).await;
    let events = lesson_days(&feed(&app).await);
    assert_eq!(events.len(), 4);
    let (first, last) = events
        .iter()
        .flat_map(|(_, d)| d.iter().copied())
        .fold((Date::MAX, Date::MIN), |(a, b), d| (a.min(d), b.max(d)));
    let public = portee::domain::holidays::public_holidays_between(first, last);
    let armistice = public
        .iter()
        .find(|(_, name)| *name == "Armistice 1918")
        .expect("11 November in the school year")
        .0;
    assert_eq!(
        (armistice.month(), armistice.day()),
        (time::Month::November, 11)
    );
    let holidays: Vec<(String, String)> = sqlx::query_as("select starts_on, ends_on from holiday")
        .fetch_all(&app.pool)
        .await
        .unwrap();
    for (summary, days) in &events {
        assert!(days.len() > 20, "{summary}: a lesson most weeks");
        for day in days {
            assert!(
                !public.iter().any(|(d, _)| d == day),
                "{summary}: a lesson on the public holiday {day}"
            );
            let iso = portee::domain::date::iso(*day);
            assert!(
                !holidays.iter().any(|(a, b)| *a <= iso && iso <= *b),
                "{summary}: a lesson in the holidays, {day}"
            );
        }
    }
    let on_armistice_weekday: Vec<&String> = events
        .iter()
        .filter(|(_, d)| d[0].weekday() == armistice.weekday())
        .map(|(s, _)| s)
        .collect();
    assert!(!on_armistice_weekday.is_empty(), "a lesson on that weekday");

    // The school keeps its lessons on 11 November: they come back, and only then.
    let staff = new_client();
    staff_login(&app, &staff).await;
    let day = portee::domain::date::iso(armistice);
    let resp = app
        .post_form(
            &staff,
            "/gestion/calendrier",
            "/gestion/calendrier",
            &[("action", &format!("avec-cours:{day}"))],
        )
        .await;
    assert_redirect(&resp, "/gestion/calendrier?info=ferie-avec-cours");
    let events = lesson_days(&feed(&app).await);
    for (summary, days) in &events {
        assert_eq!(
            days.contains(&armistice),
            on_armistice_weekday.contains(&summary),
            "{summary}"
        );
    }
    // A day that is not a public holiday cannot be marked.
    let resp = app
        .post_form(
            &staff,
            "/gestion/calendrier",
            "/gestion/calendrier",
            &[("action", "avec-cours:2026-11-12")],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn staff_enter_years_and_holidays_and_each_mistake_is_named() {
    let app = spawn_empty_app().await;
    let school = TestSchool::generate(&app).await;
    let admin = new_client();
    app.school_staff_login(&admin, &school).await;
    let html = app.get_html(&admin, "/gestion/calendrier").await;
    assert!(html.contains("<h1>Calendrier</h1>"));
    assert!(html.contains("Aucune année scolaire"));

    let resp = app
        .post_form(
            &admin,
            "/gestion/calendrier",
            "/gestion/calendrier",
            &[
                ("action", "annee"),
                ("annee_libelle", ""),
                ("annee_debut", "31/02/2026"),
                ("annee_fin", "04/07/2027"),
            ],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = resp.text().await.unwrap();
    assert!(html.contains("Le formulaire contient 2 erreurs"));
    assert!(html.contains("Le nom de l'année est obligatoire."));
    assert!(html.contains("Le premier jour : « 31/02/2026 » n'existe pas dans le calendrier."));
    assert!(
        html.contains("value=\"31/02/2026\""),
        "what was typed is kept"
    );
    let resp = app
        .post_form(
            &admin,
            "/gestion/calendrier",
            "/gestion/calendrier",
            &[
                ("action", "annee"),
                ("annee_libelle", "2026/2027"),
                ("annee_debut", "04/07/2027"),
                ("annee_fin", "01/09/2026"),
            ],
        )
        .await;
    assert!(
        resp.text()
            .await
            .unwrap()
            .contains("Le dernier jour doit venir après le premier.")
    );
    let year = [
        ("action", "annee"),
        ("annee_libelle", "2026/2027"),
        ("annee_debut", "01/09/2026"),
        ("annee_fin", "04/07/2027"),
    ];
    assert_redirect(
        &app.post_form(&admin, "/gestion/calendrier", "/gestion/calendrier", &year)
            .await,
        "/gestion/calendrier?info=annee-ajoutee",
    );
    let resp = app
        .post_form(&admin, "/gestion/calendrier", "/gestion/calendrier", &year)
        .await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        resp.text()
            .await
            .unwrap()
            .contains("L'année « 2026/2027 » existe déjà.")
    );

    assert_redirect(
        &app.post_form(
            &admin,
            "/gestion/calendrier",
            "/gestion/calendrier",
            &[
                ("action", "vacances"),
                ("vacances_libelle", "Vacances de Noël"),
                ("vacances_debut", "19/12/2026"),
                ("vacances_fin", "03/01/2027"),
            ],
        )
        .await,
        "/gestion/calendrier?info=vacances-ajoutees",
    );
    let html = app.get_html(&admin, "/gestion/calendrier").await;
    assert!(has_row(
        &html,
        "annees-legende",
        &["2026/2027", "01/09/2026", "04/07/2027"]
    ));
    assert!(has_row(
        &html,
        "vacances-legende",
        &["Vacances de Noël", "19/12/2026", "03/01/2027"]
    ));
    // The year's public holidays, computed: nine from September to early July.
    assert!(html.contains("Jours fériés de l'année 2026/2027"));
    for (name, date) in [
        ("Toussaint", "dimanche 01/11/2026"),
        ("Armistice 1918", "mercredi 11/11/2026"),
        ("Lundi de Pâques", "lundi 29/03/2027"),
        ("Ascension", "jeudi 06/05/2027"),
        ("Lundi de Pentecôte", "lundi 17/05/2027"),
    ] {
        assert!(
            has_row(&html, "feries-legende", &[name, date, "Pas de cours"]),
            "{name}"
        );
    }
    assert_eq!(html.matches("Garder les cours").count(), 9);
    assert!(!html.contains("Fête nationale"));

    let resp = app
        .post_form(
            &admin,
            "/gestion/calendrier",
            "/gestion/calendrier",
            &[("action", "avec-cours:2027-05-08")],
        )
        .await;
    assert_redirect(&resp, "/gestion/calendrier?info=ferie-avec-cours");
    let html = app.get_html(&admin, "/gestion/calendrier").await;
    assert!(has_row(
        &html,
        "feries-legende",
        &["Victoire 1945", "samedi 08/05/2027", "Cours maintenus"]
    ));

    let (id,): (i64,) = sqlx::query_as("select holiday_id from holiday where site_id = $1")
        .bind(school.site_id)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_redirect(
        &app.post_form(
            &admin,
            "/gestion/calendrier",
            "/gestion/calendrier",
            &[("action", &format!("supprimer:{id}"))],
        )
        .await,
        "/gestion/calendrier?info=vacances-supprimees",
    );
    let actions: Vec<(String,)> = sqlx::query_as(
        "select action from audit_log where site_id = $1 and action in \
         ('school_year_added', 'holiday_added', 'holiday_removed', 'public_holiday_with_lessons')",
    )
    .bind(school.site_id)
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(actions.len(), 4);

    // Another school's holiday cannot be removed; the secretariat cannot reach the page.
    let other = TestSchool::generate(&app).await;
    let theirs = new_client();
    app.school_staff_login(&theirs, &other).await;
    app.post_form(
        &admin,
        "/gestion/calendrier",
        "/gestion/calendrier",
        &[
            ("action", "vacances"),
            ("vacances_libelle", "Vacances d'hiver"),
            ("vacances_debut", "13/02/2027"),
            ("vacances_fin", "28/02/2027"),
        ],
    )
    .await;
    let (id,): (i64,) = sqlx::query_as("select holiday_id from holiday where site_id = $1")
        .bind(school.site_id)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let resp = app
        .post_form(
            &theirs,
            "/gestion/calendrier",
            "/gestion/calendrier",
            &[("action", &format!("supprimer:{id}"))],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
    let secretary = school.add_staff(&app, "secretariat").await;
    let desk = new_client();
    app.staff_login_as(&desk, &school, &secretary).await;
    assert_eq!(
        app.get_with(&desk, "/gestion/calendrier").await.status(),
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn years_do_not_overlap_nor_run_past_thirteen_months_and_a_year_without_courses_goes() {
    let app = spawn_empty_app().await;
    let school = TestSchool::generate(&app).await;
    let admin = new_client();
    app.school_staff_login(&admin, &school).await;
    let (app, admin) = (&app, &admin);
    let post = |action: &'static str, fields: [&'static str; 3]| async move {
        let (label, first, last) = match action {
            "annee" => ("annee_libelle", "annee_debut", "annee_fin"),
            _ => ("vacances_libelle", "vacances_debut", "vacances_fin"),
        };
        app.post_form(
            admin,
            "/gestion/calendrier",
            "/gestion/calendrier",
            &[
                ("action", action),
                (label, fields[0]),
                (first, fields[1]),
                (last, fields[2]),
            ],
        )
        .await
    };
    assert_redirect(
        &post("annee", ["2026/2027", "01/09/2026", "04/07/2027"]).await,
        "/gestion/calendrier?info=annee-ajoutee",
    );
    // A year typed 2028 for 2027: refused, by name, what was typed kept.
    let resp = post("annee", ["2027/2028", "01/09/2027", "04/07/2029"]).await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = resp.text().await.unwrap();
    assert!(html.contains("Le dernier jour : une année scolaire dure au plus 13 mois."));
    assert!(html.contains("value=\"04/07/2029\""));
    // Overlapping the year before: the current year would hide its courses.
    let resp = post("annee", ["2027/2028", "01/07/2027", "04/07/2028"]).await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = resp.text().await.unwrap();
    assert!(html.contains(
        "Le premier jour : l'année chevauche l'année « 2026/2027 ». Les années scolaires ne se recouvrent pas."
    ), "{html}");
    assert_redirect(
        &post("annee", ["2027/2028", "01/09/2027", "04/07/2028"]).await,
        "/gestion/calendrier?info=annee-ajoutee",
    );

    // The same holiday period sent twice (a double submit) is one period.
    for _ in 0..2 {
        assert_redirect(
            &post("vacances", ["Vacances de Noël", "19/12/2026", "03/01/2027"]).await,
            "/gestion/calendrier?info=vacances-ajoutees",
        );
    }
    let (periods,): (i64,) = sqlx::query_as("select count(*) from holiday where site_id = $1")
        .bind(school.site_id)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(periods, 1);

    // Only a public holiday inside one of the school's years can keep its lessons.
    for forged in [
        "avec-cours:0000-01-01",
        "avec-cours:9999-12-25",
        "avec-cours:2031-05-01",
    ] {
        let resp = app
            .post_form(
                admin,
                "/gestion/calendrier",
                "/gestion/calendrier",
                &[("action", forged)],
            )
            .await;
        assert_eq!(resp.status(), StatusCode::BAD_REQUEST, "{forged}");
    }

    // A year with courses keeps no Supprimer button and stays; one without goes.
    let ids: Vec<(i64, String)> = sqlx::query_as(
        "select school_year_id, label from school_year where site_id = $1 order by starts_on",
    )
    .bind(school.site_id)
    .fetch_all(&app.pool)
    .await
    .unwrap();
    let used = ids[0].0;
    let dept = portee::db::new_id();
    sqlx::query("insert into department (department_id, site_id, name) values ($1, $2, 'Cordes')")
        .bind(dept)
        .bind(school.site_id)
        .execute(&app.pool)
        .await
        .unwrap();
    sqlx::query(
        "insert into course (course_id, site_id, school_year_id, department_id, name) values ($1, $2, $3, $4, 'Violon')",
    )
    .bind(portee::db::new_id())
    .bind(school.site_id)
    .bind(used)
    .bind(dept)
    .execute(&app.pool)
    .await
    .unwrap();
    let html = app.get_html(admin, "/gestion/calendrier").await;
    assert!(!html.contains(&format!("supprimer-annee:{used}")));
    assert!(html.contains("Supprimer<span class=\"visually-hidden\"> l'année 2027/2028</span>"));
    assert_redirect(
        &app.post_form(
            admin,
            "/gestion/calendrier",
            "/gestion/calendrier",
            &[("action", &format!("supprimer-annee:{used}"))],
        )
        .await,
        "/gestion/calendrier?info=annee-utilisee",
    );
    assert_redirect(
        &app.post_form(
            admin,
            "/gestion/calendrier",
            "/gestion/calendrier",
            &[("action", &format!("supprimer-annee:{}", ids[1].0))],
        )
        .await,
        "/gestion/calendrier?info=annee-supprimee",
    );
    let left: Vec<(String,)> = sqlx::query_as("select label from school_year where site_id = $1")
        .bind(school.site_id)
        .fetch_all(&app.pool)
        .await
        .unwrap();
    assert_eq!(left, [("2026/2027".to_owned(),)]);
    let (audited,): (i64,) = sqlx::query_as(
        "select count(*) from audit_log where site_id = $1 and action = 'school_year_removed'",
    )
    .bind(school.site_id)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert_eq!(audited, 1);
}
