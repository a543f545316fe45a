use reqwest::StatusCode;

use crate::helpers::*;

#[tokio::test]
async fn a_family_sees_its_own_students() {
    let app = spawn_app().await;
    app.login("abarre1", PASSWORD).await;
    let html = app.get_html(&app.client, "/eleves").await;
    assert!(html.contains("<h1>Élèves</h1>"));
    let start = html.find("href=\"/eleves/").unwrap() + "href=\"".len();
    let link = &html[start..start + html[start..].find('"').unwrap()];
    let resp = app.get(link).await;
    assert_eq!(resp.status(), StatusCode::OK);
    let html = resp.text().await.unwrap();
    assert!(html.contains("<h1>ABARRE Hugo</h1>") || html.contains("<h1>ABARRE Irina</h1>"));
    assert!(html.contains("Date de naissance"));
}

#[tokio::test]
async fn a_family_never_reaches_another_familys_student() {
    let app = spawn_app().await;
    let (irina,): (i64,) =
        sqlx::query_as("select person_id from person where first_name = 'Irina'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    app.login("torre1", PASSWORD).await;
    let resp = app.get(&format!("/eleves/{irina}")).await;
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
    let html = resp.text().await.unwrap();
    assert!(!html.contains("Irina"));
    // Same answer as for a student who does not exist.
    assert_eq!(
        app.get("/eleves/999999999").await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(app.get("/eleves/abc").await.status(), StatusCode::NOT_FOUND);
    // Her own record, as an adult student, is there.
    let html = app.get_html(&app.client, "/accueil").await;
    assert!(html.contains(">TORRE Amélia</a>"));
}

#[tokio::test]
async fn birth_dates_are_shown_the_french_way() {
    let app = spawn_app().await;
    let (irina,): (i64,) =
        sqlx::query_as("select person_id from person where first_name = 'Irina'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    app.login("abarre1", PASSWORD).await;
    let html = app.get_html(&app.client, &format!("/eleves/{irina}")).await;
    assert!(html.contains("<dd>12/03/2009</dd>"), "{html}");
}
