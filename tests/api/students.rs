use reqwest::StatusCode;

use crate::helpers::*;

#[tokio::test]
async fn a_family_sees_its_own_students_and_chooses_one_without_javascript() {
    let app = spawn_app().await;
    app.login("abarre1", PASSWORD).await;
    let html = app.get_html(&app.client, "/eleves").await;
    assert!(html.contains("<h1>Élèves</h1>"));
    let irina = app.person_id("Irina").await;
    assert!(html.contains(&format!(
        "href=\"/eleves/{irina}/identite\">ABARRE Irina</a>"
    )));
    // The select + button is a plain GET form.
    assert!(html.contains("<form class=\"inline\" method=\"get\" action=\"/eleves/choisir\">"));
    assert_redirect(
        &app.get(&format!("/eleves/choisir?eleve={irina}")).await,
        &format!("/eleves/{irina}/identite"),
    );
    assert_redirect(
        &app.get(&format!("/eleves/{irina}")).await,
        &format!("/eleves/{irina}/identite"),
    );
    let html = app
        .get_html(&app.client, &format!("/eleves/{irina}/identite"))
        .await;
    assert!(html.contains("<h1>ABARRE Irina</h1>"));
    // The tabs are links; the current one is marked.
    assert!(html.contains(&format!(
        "<a href=\"/eleves/{irina}/identite\" aria-current=\"page\">Identité</a>"
    )));
    for tab in [
        "cours\">Cours",
        "historique\">Historique",
        "repertoire\">Répertoire",
        "reinscription\">Réinscription",
    ] {
        assert!(
            html.contains(&format!("<a href=\"/eleves/{irina}/{tab}</a>")),
            "{tab}"
        );
    }
}

#[tokio::test]
async fn a_family_never_reaches_another_familys_student() {
    let app = spawn_app().await;
    let irina = app.person_id("Irina").await;
    app.login("torre1", PASSWORD).await;
    for path in [
        format!("/eleves/{irina}/identite"),
        "/eleves/999999999/identite".into(),
        "/eleves/abc/identite".into(),
    ] {
        let resp = app.get(&path).await;
        assert_eq!(resp.status(), StatusCode::NOT_FOUND, "{path}");
        let html = resp.text().await.unwrap();
        assert!(
            !html.contains("Irina") && !html.contains("ABARRE"),
            "{path} leaks nothing"
        );
    }
    // Writing is refused the same way, and nothing is stored.
    let resp = app
        .post_form(
            &app.client,
            "/accueil",
            &format!("/eleves/{irina}/identite"),
            &[("civility", "MME"), ("last_name", "X")],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        app.count("select cast(count(*) as bigint) from change_item where field = 'last_name'")
            .await,
        0
    );
    // Her own record, as an adult student, is there.
    let html = app.get_html(&app.client, "/accueil").await;
    assert!(html.contains(">TORRE Amélia</a>"));
}

#[tokio::test]
async fn birth_dates_are_shown_the_french_way() {
    let app = spawn_app().await;
    let irina = app.person_id("Irina").await;
    app.login("abarre1", PASSWORD).await;
    let html = app
        .get_html(&app.client, &format!("/eleves/{irina}/identite"))
        .await;
    assert!(html.contains("value=\"12/03/2000\""), "{html}");
}
