use reqwest::StatusCode;

use crate::helpers::*;
use crate::school::{TestSchool, spawn_empty_app};

#[tokio::test]
async fn a_family_sees_its_own_students_and_chooses_one_without_javascript() {
    let app = spawn_empty_app().await;
    let school = TestSchool::generate(&app).await;
    let family = school.add_family(&app, "ROSSIGNOL").await;
    let sister = school.add_child(&app, &family, "Rose").await;
    app.family_login(&app.client, &school, &family.account)
        .await;
    let html = app.get_html(&app.client, "/eleves").await;
    assert!(html.contains(&format!(">{}</a>", sister.listed())));
    assert!(html.contains("<h1>Élèves</h1>"));
    let child = family.child.person_id;
    assert!(html.contains(&format!(
        "href=\"/eleves/{child}/identite\">ROSSIGNOL Gaspard</a>"
    )));
    // The select + button is a plain GET form.
    assert!(html.contains("<form class=\"inline\" method=\"get\" action=\"/eleves/choisir\">"));
    assert_redirect(
        &app.get(&format!("/eleves/choisir?eleve={child}")).await,
        &format!("/eleves/{child}/identite"),
    );
    assert_redirect(
        &app.get(&format!("/eleves/{child}")).await,
        &format!("/eleves/{child}/identite"),
    );
    let html = app
        .get_html(&app.client, &format!("/eleves/{child}/identite"))
        .await;
    assert!(html.contains("<h1>ROSSIGNOL Gaspard</h1>"));
    // The tabs are links; the current one is marked.
    assert!(html.contains(&format!(
        "<a href=\"/eleves/{child}/identite\" aria-current=\"page\">Identité</a>"
    )));
    for tab in [
        "cours\">Cours",
        "historique\">Historique",
        "repertoire\">Répertoire",
    ] {
        assert!(
            html.contains(&format!("<a href=\"/eleves/{child}/{tab}</a>")),
            "{tab}"
        );
    }
    // No re-enrolment campaign is open at this school: no Réinscription tab.
    assert!(!html.contains("Réinscription</a>"));
}

#[tokio::test]
async fn a_family_never_reaches_another_familys_student() {
    let app = spawn_empty_app().await;
    let school = TestSchool::generate(&app).await;
    let theirs = school.add_family(&app, "ROSSIGNOL").await;
    let ours = school.add_family(&app, "FAUVETTE").await;
    // Another school's family, whose ids are as guessable.
    let elsewhere = TestSchool::generate(&app).await;
    let far = elsewhere.add_family(&app, "MERLE").await;
    app.family_login(&app.client, &school, &ours.account).await;
    let (child, far_child) = (theirs.child.person_id, far.child.person_id);
    for path in [
        format!("/eleves/{child}/identite"),
        format!("/eleves/{far_child}/identite"),
        "/eleves/999999999/identite".into(),
        "/eleves/abc/identite".into(),
    ] {
        let resp = app.get(&path).await;
        assert_eq!(resp.status(), StatusCode::NOT_FOUND, "{path}");
        let html = resp.text().await.unwrap();
        assert!(
            !html.contains("ROSSIGNOL") && !html.contains("MERLE"),
            "{path} leaks nothing"
        );
    }
    // Writing is refused the same way, and nothing is stored.
    let resp = app
        .post_form(
            &app.client,
            "/accueil",
            &format!("/eleves/{child}/identite"),
            &[("civility", "MME"), ("last_name", "X")],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        app.count("select cast(count(*) as bigint) from change_item where field = 'last_name'")
            .await,
        0
    );
    // Its own child is there.
    let html = app.get_html(&app.client, "/accueil").await;
    assert!(html.contains(&format!(">{}</a>", ours.child.listed())));
}

#[tokio::test]
async fn birth_dates_are_shown_the_french_way() {
    let app = spawn_empty_app().await;
    let school = TestSchool::generate(&app).await;
    let family = school.add_family(&app, "ROSSIGNOL").await;
    app.family_login(&app.client, &school, &family.account)
        .await;
    let child = family.child.person_id;
    let html = app
        .get_html(&app.client, &format!("/eleves/{child}/identite"))
        .await;
    assert!(html.contains("value=\"19/11/2012\""), "{html}");
}
