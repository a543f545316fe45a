//! Page weight: every page a family or staff member can reach, as a browser following a
//! link inside the portal receives it (compressed), fits the first round trip (14 KB).

use reqwest::Client;

use crate::helpers::*;

/// What TCP's first flight carries (10 segments of about 1 460 bytes), rounded down.
const BUDGET: usize = 14 * 1024;

async fn weigh(app: &TestApp, client: &Client, pages: &[String]) -> Vec<(String, usize, usize)> {
    let mut out = Vec::new();
    for path in pages {
        let resp = client
            .get(app.url(path))
            .header("accept-encoding", "gzip, deflate, br")
            .header("sec-fetch-site", "same-origin")
            .send()
            .await
            .unwrap();
        let gzipped = resp
            .headers()
            .get("content-encoding")
            .is_some_and(|v| v == "gzip");
        let sent = resp.bytes().await.unwrap();
        let raw = if gzipped {
            let mut page = Vec::new();
            std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&sent[..]), &mut page)
                .unwrap();
            page.len()
        } else {
            sent.len()
        };
        assert!(
            gzipped || raw < 1024,
            "{path} ({raw} bytes) was not compressed"
        );
        out.push((path.clone(), raw, sent.len()));
    }
    out
}

#[tokio::test]
async fn every_page_fits_the_first_round_trip_once_compressed() {
    let app = spawn_app().await;
    let anonymous = new_client();
    let mut pages = crawl(
        &app.address,
        &anonymous,
        &["/connexion", "/gestion/connexion"],
    )
    .await;
    let mut weights = weigh(&app, &anonymous, &pages).await;

    app.login("abarre1", PASSWORD).await;
    pages = crawl(&app.address, &app.client, &["/accueil"]).await;
    weights.extend(weigh(&app, &app.client, &pages).await);

    let staff = new_client();
    staff_login(&app, &staff).await;
    pages = crawl(&app.address, &staff, &["/gestion"]).await;
    assert!(pages.iter().any(|p| p == "/gestion/comptes"));
    weights.extend(weigh(&app, &staff, &pages).await);

    assert!(weights.len() > 60, "only {} pages", weights.len());
    let heaviest = weights.iter().max_by_key(|w| w.2).unwrap();
    println!(
        "{} pages; heaviest: {} ({} bytes, {} sent)",
        weights.len(),
        heaviest.0,
        heaviest.1,
        heaviest.2
    );
    let over: Vec<_> = weights.iter().filter(|w| w.2 > BUDGET).collect();
    assert!(over.is_empty(), "over 14 KB once compressed: {over:?}");
}
