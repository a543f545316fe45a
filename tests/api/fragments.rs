//! htmx requests get only what they swap (`web::htmx`): a boosted link the content of
//! `main`, its title and the header out of band; a live search its results; a history
//! restore, and every request without htmx, the whole page.

use reqwest::StatusCode;

use crate::helpers::*;

async fn fetch(app: &TestApp, path: &str, headers: &[(&str, &str)]) -> (String, String) {
    let mut req = app.client.get(app.url(path));
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let resp = req.send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK, "{path} {headers:?}");
    let vary = resp
        .headers()
        .get_all("vary")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect::<Vec<_>>()
        .join(", ");
    (resp.text().await.unwrap(), vary)
}

const BOOSTED: &[(&str, &str)] = &[("HX-Request", "true"), ("HX-Boosted", "true")];

#[tokio::test]
async fn a_boosted_link_gets_the_content_of_main_its_title_and_the_header() {
    let app = spawn_app().await;
    app.login("abarre1", PASSWORD).await;
    let (page, vary) = fetch(&app, "/facturation/cotisations", &[]).await;
    assert!(page.starts_with("<!DOCTYPE html>"));
    assert!(vary.contains("HX-Request"), "{vary}");
    let (fragment, vary) = fetch(&app, "/facturation/cotisations", BOOSTED).await;
    assert!(
        vary.contains("HX-Request") && vary.contains("HX-Boosted"),
        "{vary}"
    );
    assert!(!fragment.contains("<!DOCTYPE") && !fragment.contains("<body"));
    assert!(!fragment.contains("<main"), "the content, not the element");
    assert!(
        fragment.starts_with("<title>Facturation cotisations – "),
        "{fragment}"
    );
    assert!(fragment.contains("<h1>Facturation</h1>"));
    assert_eq!(
        main_of(&page),
        main_of(&format!(
            "<main id=\"contenu\" tabindex=\"-1\">{}</main>",
            between(&fragment, "</title>", "<header")
        ))
    );
    // Out of band: the header with the menu's current entry, and the display switch's
    // return address.
    assert!(
        fragment.contains("<header class=\"site-header\" id=\"entete\" data-hx-swap-oob=\"true\">")
    );
    assert!(fragment.contains("href=\"/facturation\" accesskey=\"6\" aria-current=\"true\""));
    assert!(fragment.contains(
        "id=\"retour-affichage\" type=\"hidden\" name=\"retour\" value=\"/facturation/cotisations\" data-hx-swap-oob=\"true\""
    ));
    // The shell around `main` (head, skip link, footer) is not sent again.
    assert!(!fragment.contains("<footer") && !fragment.contains("<head>"));
    assert!(
        fragment.len() < page.len(),
        "{} of {}",
        fragment.len(),
        page.len()
    );
    // A page swapped in leaves <html data-session-fin> behind: the header says it.
    let resp = app
        .client
        .get(app.url("/famille"))
        .header("HX-Request", "true")
        .header("HX-Boosted", "true")
        .send()
        .await
        .unwrap();
    let left: i64 = resp.headers()["x-session-fin"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!((1..=1800).contains(&left), "{left}");
}

fn between<'a>(s: &'a str, from: &str, to: &str) -> &'a str {
    let start = s.find(from).map_or(0, |i| i + from.len());
    let end = s[start..].find(to).map_or(s.len(), |e| start + e);
    &s[start..end]
}

#[tokio::test]
async fn a_live_search_gets_its_results_and_a_history_restore_the_whole_page() {
    let app = spawn_app().await;
    app.login("abarre1", PASSWORD).await;
    let search = &[("HX-Request", "true"), ("HX-Target", "operations")];
    let (fragment, _) = fetch(&app, "/facturation/cotisations?q=84,00", search).await;
    assert!(
        fragment.starts_with("<div id=\"operations\">"),
        "{fragment}"
    );
    assert!(fragment.contains("2 opérations sur 3"));
    assert!(!fragment.contains("<title>") && !fragment.contains("<h1>"));
    let irina = app.person_id("Irina").await;
    let search = &[
        ("HX-Request", "true"),
        ("HX-Target", "historique-resultats"),
    ];
    let (fragment, _) = fetch(&app, &format!("/eleves/{irina}/historique?q=piano"), search).await;
    assert!(
        fragment.starts_with("<div id=\"historique-resultats\">"),
        "{fragment}"
    );
    assert!(fragment.contains("pour « piano »"));
    // The back button (htmx 2 sends HX-Request with it): the whole page.
    let restore = &[
        ("HX-Request", "true"),
        ("HX-Boosted", "true"),
        ("HX-History-Restore-Request", "true"),
    ];
    let (page, _) = fetch(&app, "/facturation/cotisations?q=84,00", restore).await;
    assert!(page.starts_with("<!DOCTYPE html>"));
    // An unknown target is not one of the page's regions: the whole page.
    let (page, _) = fetch(
        &app,
        "/facturation/cotisations",
        &[("HX-Request", "true"), ("HX-Target", "x")],
    )
    .await;
    assert!(page.starts_with("<!DOCTYPE html>"));
}

#[tokio::test]
async fn the_live_search_forms_no_longer_pick_a_part_of_a_whole_page() {
    let app = spawn_app().await;
    app.login("abarre1", PASSWORD).await;
    let irina = app.person_id("Irina").await;
    for path in [
        "/facturation/cotisations".to_owned(),
        format!("/eleves/{irina}/historique"),
    ] {
        let html = app.get_html(&app.client, &path).await;
        assert!(!html.contains("hx-select"), "{path}");
        assert!(html.contains("data-hx-target=\"#"), "{path}");
    }
}
