use reqwest::StatusCode;

use crate::helpers::*;

/// The link target of the first `<a>` whose text is exactly `text`.
fn href_of(html: &str, text: &str) -> String {
    let end = html
        .find(&format!(">{text}</a>"))
        .unwrap_or_else(|| panic!("a link {text:?}"));
    let start = html[..end].rfind("href=\"").unwrap() + 6;
    html[start..start + html[start..].find('"').unwrap()].replace("&amp;", "&")
}

async fn logged_in_irina(app: &TestApp) -> i64 {
    app.login("abarre1", PASSWORD).await;
    app.person_id("Irina").await
}

#[tokio::test]
async fn the_cours_tab_lists_this_years_courses_with_a_link_to_each_record() {
    let app = spawn_app().await;
    let irina = logged_in_irina(&app).await;
    let html = app
        .get_html(&app.client, &format!("/eleves/{irina}/cours"))
        .await;
    assert!(html.contains(&format!(
        "<a href=\"/eleves/{irina}/cours\" aria-current=\"page\">Cours</a>"
    )));
    for col in [
        "Cours",
        "Enseignant",
        "Cycle",
        "Salle",
        "Jour",
        "Heure",
        "Heure de passage",
        "Durée",
    ] {
        assert!(
            html.contains(&format!("<th scope=\"col\">{col}</th>")),
            "{col}"
        );
    }
    assert!(has_cells(&html, "cours-legende", &["ASTAREL Carmen"]));
    assert!(
        has_cells(
            &html,
            "cours-legende",
            &[
                "Fauré (Conservatoire)",
                "Vendredi",
                "17h30",
                "18h15",
                "1\u{a0}h\u{a0}30"
            ]
        ),
        "{:?}",
        table_rows(&html, "cours-legende")
    );
    assert!(!html.contains("FM 2C3"), "earlier years are in Historique");

    let record = href_of(&html, "FM 2C4");
    let summary = app.get_html(&app.client, &record).await;
    assert!(summary.contains("Fiche de suivi – FM 2C4"));
    assert!(summary.contains("<dt>Absences (total)</dt><dd>1</dd>"));
    assert!(summary.contains("<dt>Absences non justifiées</dt><dd>0</dd>"));
    let evaluations = app
        .get_html(&app.client, &format!("{record}/evaluations"))
        .await;
    assert!(evaluations.contains(&format!(
        "<a href=\"{record}/evaluations\" aria-current=\"page\">Évaluations</a>"
    )));
    // Where am I: one link is this page; the menu entry and the student's tab above it
    // are where it is (`true`); the record's own tabs are not named like the student's.
    assert_eq!(evaluations.matches("aria-current=\"page\"").count(), 1);
    assert!(evaluations.contains(&format!(
        "<a href=\"/eleves/{irina}/cours\" aria-current=\"true\">Cours</a>"
    )));
    assert!(evaluations.contains("aria-current=\"true\">Élèves</a>"));
    assert_eq!(
        evaluations.matches(">Cours</a>").count(),
        1,
        "one link named Cours"
    );
    assert!(evaluations.contains(&format!("<a href=\"{record}\">Résumé</a>")));
    assert!(has_cells(
        &evaluations,
        "evaluations-legende",
        &["16,50", "20,00", "1,00"]
    ));
    let detail = app
        .get_html(&app.client, &href_of(&evaluations, "Contrôle continu"))
        .await;
    assert!(detail.contains("<dt>Note</dt><dd>16,50 / 20,00</dd>"));
    assert!(detail.contains("Très bon début d'année."));
    let absences = app
        .get_html(&app.client, &format!("{record}/absences"))
        .await;
    assert!(has_cells(
        &absences,
        "absences-legende",
        &["Oui", "Rendez-vous médical"]
    ));
}

#[tokio::test]
async fn empty_tabs_say_so() {
    let app = spawn_app().await;
    let irina = logged_in_irina(&app).await;
    let html = app
        .get_html(&app.client, &format!("/eleves/{irina}/cours"))
        .await;
    let piano = href_of(&html, "Piano 2C4");
    let evaluations = app
        .get_html(&app.client, &format!("{piano}/evaluations"))
        .await;
    assert!(evaluations.contains("Aucune évaluation saisie pour ce cours."));
    let absences = app
        .get_html(&app.client, &format!("{piano}/absences"))
        .await;
    assert!(absences.contains("Aucune absence saisie pour ce cours."));
    let summary = app.get_html(&app.client, &piano).await;
    assert!(summary.contains("<dt>Moyenne</dt><dd><span class=\"none\">Non renseigné</span></dd>"));
}

#[tokio::test]
async fn historique_lists_earlier_years_newest_first_and_filters_without_javascript() {
    let app = spawn_app().await;
    let irina = logged_in_irina(&app).await;
    let path = format!("/eleves/{irina}/historique");
    let html = app.get_html(&app.client, &path).await;
    assert!(html.contains("13 fiches."));
    let years: Vec<String> = table_rows(&html, "historique-legende")
        .into_iter()
        .map(|r| r[0].clone())
        .collect();
    assert_eq!(years.len(), 13);
    assert_eq!(
        (years[0].as_str(), years[12].as_str()),
        ("2011/2012", "2007/2008"),
        "newest first"
    );
    assert!(html.contains("<search><form class=\"inline\" method=\"get\""));

    let html = app
        .get_html(&app.client, &format!("{path}?q=piano+2009"))
        .await;
    assert!(html.contains("2 fiches sur 13 pour « piano 2009 »."));
    assert!(html.contains("Piano (2009/2010)") && html.contains("Piano (2008/2009)"));
    assert!(!html.contains("FM 2C1 (2009/2010)"));
    let html = app
        .get_html(&app.client, &format!("{path}?q=Ipoustégui"))
        .await;
    assert!(html.contains("Aucune fiche ne correspond à cette recherche."));
    let html = app
        .get_html(&app.client, &format!("{path}?q=IPOUSTEGUI"))
        .await;
    assert!(html.contains("3 fiches sur 13"));
}

#[tokio::test]
async fn a_history_record_shows_every_field_and_moves_to_its_neighbours() {
    let app = spawn_app().await;
    let irina = logged_in_irina(&app).await;
    let list = app
        .get_html(&app.client, &format!("/eleves/{irina}/historique"))
        .await;
    let newest = app
        .get_html(&app.client, &href_of(&list, "FM 2C3 (2011/2012)"))
        .await;
    assert!(
        newest.contains("Année 2011/2012 – du 12/09/2011 au 05/07/2012"),
        "{newest}"
    );
    for (dt, dd) in [
        ("Département", "Formation musicale"),
        ("Nombre d'heures prévues", "54\u{a0}h"),
        ("Nombre d'heures effectuées", "54\u{a0}h"),
        ("Absences (total)", "2"),
        ("Absences non justifiées", "1"),
        ("Horaires aménagés", "Non"),
        ("Situation d'activité", "ACTIF"),
        ("Moyenne", "15,75 / 20,00"),
        ("Mention", "Très bien"),
        ("Résultat classe", "Admis"),
        ("Admission classe", "FM 2C4"),
        ("Commentaire", "Bon travail régulier, à poursuivre."),
    ] {
        assert!(
            newest.contains(&format!("<dt>{dt}</dt><dd>{dd}</dd>")),
            "{dt}"
        );
    }
    assert!(newest.contains("Fiche 1 sur 13"));
    // An evaluation of an earlier year opens under Historique, not this year's Cours.
    let evaluation = links(&newest)
        .into_iter()
        .find(|l| l.contains("/evaluations/"))
        .expect("an evaluation link");
    let page = app.get_html(&app.client, &evaluation).await;
    assert!(page.contains(&format!(
        "<a href=\"/eleves/{irina}/historique\" aria-current=\"true\">Historique</a>"
    )));
    assert!(page.contains(&format!("<a href=\"/eleves/{irina}/cours\">Cours</a>")));
    assert!(page.contains("Tout l'historique"));
    assert!(
        newest.contains("<span class=\"disabled\">Précédent</span>"),
        "no previous at the start"
    );
    assert!(
        has_cells(&newest, "evaluations-legende", &["15,75", "20,00", "1,00"]),
        "the manual's evaluation"
    );

    // Move to the 2009/2010 piano record and find its marks.
    let html = app
        .get_html(
            &app.client,
            &format!("/eleves/{irina}/historique?q=piano+2009"),
        )
        .await;
    let record = app
        .get_html(&app.client, &href_of(&html, "Piano (2009/2010)"))
        .await;
    assert!(record.contains("Fiche 1 sur 2"));
    assert!(has_cells(
        &record,
        "evaluations-legende",
        &["14,00", "20,00", "1,00"]
    ));
    let next = href_of(
        &record,
        "Suivant<span class=\"visually-hidden\"> (fiche plus ancienne)</span>",
    );
    assert!(
        next.ends_with("?q=piano+2009"),
        "the search is kept: {next}"
    );
    let older = app.get_html(&app.client, &next).await;
    assert!(older.contains("Fiche 2 sur 2"));
    assert!(older.contains("Piano – 2008/2009"));
    assert!(
        older.contains("<span class=\"disabled\">Suivant</span>"),
        "no next at the end"
    );
}

#[tokio::test]
async fn the_repertoire_lists_the_pieces_worked_on() {
    let app = spawn_app().await;
    let irina = logged_in_irina(&app).await;
    let html = app
        .get_html(&app.client, &format!("/eleves/{irina}/repertoire"))
        .await;
    assert!(has_row(
        &html,
        "repertoire-legende",
        &["Erik Satie", "Gymnopédie n° 1", "1888"]
    ));
    assert!(has_cells(&html, "repertoire-legende", &["Examen"]));
    let hugo = app.person_id("Hugo").await;
    let html = app
        .get_html(&app.client, &format!("/eleves/{hugo}/repertoire"))
        .await;
    assert!(html.contains("Aucune œuvre n'est encore inscrite au répertoire."));
}

#[tokio::test]
async fn another_familys_student_record_evaluation_or_absence_is_not_found() {
    let app = spawn_app().await;
    let irina = app.person_id("Irina").await;
    let (record, evaluation): (i64, i64) = sqlx::query_as(
        "select r.course_record_id, e.evaluation_id from course_record r join evaluation e on e.course_record_id = r.course_record_id \
         where r.person_id = $1 order by e.evaluation_id limit 1",
    )
    .bind(irina)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    let (absence,): (i64,) = sqlx::query_as("select a.absence_id from absence a join course_record r on r.course_record_id = a.course_record_id where r.person_id = $1 limit 1")
        .bind(irina)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    app.login("torre1", PASSWORD).await;
    let amelia = app.person_id("Amélia").await;
    for path in [
        format!("/eleves/{irina}/cours"),
        format!("/eleves/{irina}/historique"),
        format!("/eleves/{irina}/repertoire"),
        format!("/eleves/{irina}/cours/{record}"),
        format!("/eleves/{irina}/cours/{record}/evaluations/{evaluation}"),
        format!("/eleves/{irina}/cours/{record}/absences/{absence}"),
        // Her own student id with Irina's record: still not found.
        format!("/eleves/{amelia}/cours/{record}"),
        format!("/eleves/{amelia}/historique/{record}"),
        format!("/eleves/{amelia}/cours/{record}/evaluations/{evaluation}"),
    ] {
        let resp = app.get(&path).await;
        assert_eq!(resp.status(), StatusCode::NOT_FOUND, "{path}");
        assert!(!resp.text().await.unwrap().contains("ABARRE"), "{path}");
    }
    assert_eq!(
        app.get(&format!("/eleves/{amelia}/cours")).await.status(),
        StatusCode::OK
    );
}
