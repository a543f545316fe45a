use reqwest::StatusCode;

use crate::helpers::*;

/// Creates the family's calendar link and returns it as a path.
async fn create_link(app: &TestApp) -> String {
    let resp = app
        .post_form(
            &app.client,
            "/emploi-du-temps",
            "/emploi-du-temps/lien",
            &[],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::OK);
    let html = resp.text().await.unwrap();
    assert!(html.contains("Copiez-le maintenant"));
    let start = html
        .find(&format!("value=\"{}/calendrier/", app.address))
        .expect("the link")
        + 7
        + app.address.len();
    html[start..start + html[start..].find('"').unwrap()].to_owned()
}

/// The values of every property `name` in a calendar (unfolded).
fn props<'a>(ics: &'a str, name: &str) -> Vec<&'a str> {
    ics.lines()
        .filter_map(|l| l.strip_prefix(name))
        .filter_map(|rest| rest.split_once(':').map(|(_, v)| v))
        .collect()
}

#[tokio::test]
async fn the_family_week_is_one_table_of_days_and_times() {
    let app = spawn_app().await;
    app.login("abarre1", PASSWORD).await;
    let html = app.get_html(&app.client, "/emploi-du-temps").await;
    assert!(html.contains("href=\"/emploi-du-temps\" aria-current=\"page\">Emploi du temps</a>"));
    assert!(html.contains("<th scope=\"col\">Heure</th><th scope=\"col\">Mardi</th><th scope=\"col\">Mercredi</th><th scope=\"col\">Vendredi</th><th scope=\"col\">Samedi</th>"));
    assert!(html.contains("<th scope=\"row\">17h30</th>"));
    assert!(html.contains("<strong>Irina ABARRE</strong>\u{a0}: FM 2C4, 17h30 à 19h00"));
    assert!(html.contains("<strong>Hugo ABARRE</strong>\u{a0}: Violon 1C2, 11h00 à 11h30"));
    // In accessible mode, a list per day.
    app.post_form(
        &app.client,
        "/emploi-du-temps",
        "/affichage",
        &[("retour", "/emploi-du-temps")],
    )
    .await;
    let html = app.get_html(&app.client, "/emploi-du-temps").await;
    assert!(!html.contains("<table"));
    assert!(html.contains("<h2>Vendredi</h2><ul><li><strong>Irina ABARRE</strong>"));
}

#[tokio::test]
async fn the_calendar_feed_has_a_weekly_event_per_lesson_in_paris_time_without_holidays() {
    let app = spawn_app().await;
    app.login("abarre1", PASSWORD).await;
    let link = create_link(&app).await;
    // No session needed: a phone's calendar fetches it.
    let resp = new_client().get(app.url(&link)).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK);
    assert_eq!(
        resp.headers()["content-type"],
        "text/calendar; charset=utf-8"
    );
    let raw = resp.text().await.unwrap();
    assert!(raw.starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"));
    assert!(raw.lines().all(|l| l.len() <= 76), "folded at 75 octets");
    let ics = raw.replace("\r\n ", "").replace("\r\n", "\n");
    assert_eq!(
        ics.matches("BEGIN:VEVENT").count(),
        4,
        "four weekly lessons in the family"
    );
    assert!(ics.contains("BEGIN:VTIMEZONE\nTZID:Europe/Paris"));
    let starts = props(&ics, "DTSTART;TZID=Europe/Paris");
    assert_eq!(starts.len(), 4);
    let fm = ics
        .split("BEGIN:VEVENT")
        .find(|e| e.contains("SUMMARY:FM 2C4"))
        .expect("the FM lesson");
    let start = props(fm, "DTSTART;TZID=Europe/Paris")[0];
    let end = props(fm, "DTEND;TZID=Europe/Paris")[0];
    assert!(
        start.ends_with("T173000") && end.ends_with("T190000"),
        "{start} {end}"
    );
    // The first Friday on or after the start of the year.
    let (y, m, d) = (&start[0..4], &start[4..6], &start[6..8]);
    let date = time::Date::from_calendar_date(
        y.parse().unwrap(),
        time::Month::try_from(m.parse::<u8>().unwrap()).unwrap(),
        d.parse().unwrap(),
    )
    .unwrap();
    assert_eq!(date.weekday(), time::Weekday::Friday);
    assert!(props(fm, "RRULE")[0].starts_with("FREQ=WEEKLY;UNTIL="));
    let excluded = props(fm, "EXDATE;TZID=Europe/Paris")[0].split(',').count();
    assert!(
        (6..=10).contains(&excluded),
        "holiday Fridays left out: {excluded}"
    );
    assert!(fm.contains("LOCATION:Fauré (Conservatoire)"));
    assert!(fm.contains("DESCRIPTION:Enseignant : ASTAREL Carmen"));
}

#[tokio::test]
async fn a_renewed_link_stops_the_old_one_and_tokens_are_not_guessable() {
    let app = spawn_app().await;
    app.login("abarre1", PASSWORD).await;
    let old = create_link(&app).await;
    let html = app.get_html(&app.client, "/emploi-du-temps").await;
    assert!(
        !html.contains("/calendrier/"),
        "the link is shown only once"
    );
    assert!(html.contains("Créer un nouveau lien"));
    let new = create_link(&app).await;
    assert_ne!(old, new);
    let stranger = new_client();
    assert_eq!(
        stranger.get(app.url(&old)).send().await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        stranger.get(app.url(&new)).send().await.unwrap().status(),
        StatusCode::OK
    );
    assert_eq!(
        stranger
            .get(app.url("/calendrier/devine.ics"))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::NOT_FOUND
    );
    let forged = format!("/calendrier/{}.ics", "A".repeat(43));
    assert_eq!(
        stranger
            .get(app.url(&forged))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::NOT_FOUND
    );
    // Another family's link shows only that family's lessons.
    let (hash,): (Option<String>,) = sqlx::query_as("select calendar_token_hash from family f join person p on p.family_id = f.family_id where p.first_name = 'Amélia'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    assert_eq!(hash, None);
}

#[tokio::test]
async fn the_display_switch_on_a_page_answering_a_post_returns_to_the_form_page() {
    let app = spawn_app().await;
    app.login("abarre1", PASSWORD).await;
    let token = csrf_of(&app.get_html(&app.client, "/emploi-du-temps").await);
    let html = app
        .client
        .post(app.url("/emploi-du-temps/lien"))
        .header("referer", app.url("/emploi-du-temps"))
        .form(&[("csrf_token", token.as_str())])
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("name=\"retour\" value=\"/emploi-du-temps\""));
}
