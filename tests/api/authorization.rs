//! The security suite's matrices: every route that takes an id refuses another family's
//! (and another school's) ids exactly as it refuses ids that do not exist; every POST route
//! refuses a missing or foreign CSRF token (the list of routes is read from the source, so a
//! new route is covered the day it is added).

use reqwest::{Client, StatusCode};

use crate::helpers::*;

/// Every POST route of the portal, read from `src/` (`src/routes.rs` lists them all): each
/// `.at("path", …)` whose handlers include `post(`.
pub fn post_routes() -> Vec<String> {
    routes_with("post(")
}

/// Every GET route of the portal, read from the source the same way.
pub fn get_routes() -> Vec<String> {
    routes_with("get(")
}

fn routes_with(method: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (_, text) in crate::helpers::source_files() {
        for part in text.split(".at(").skip(1) {
            let Some(start) = part.find('"') else {
                continue;
            };
            let rest = &part[start + 1..];
            let Some(end) = rest.find('"') else { continue };
            let route = &rest[..end];
            // What follows the path up to the next `.at(`: its handlers.
            let handlers = &rest[end..];
            if route.starts_with('/') && handlers.contains(method) {
                out.push(route.to_owned());
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

/// A path with its parameters filled (the CSRF check runs before any handler).
fn concrete(route: &str) -> String {
    route
        .split('/')
        .map(|seg| if seg.starts_with(':') { "1" } else { seg })
        .collect::<Vec<_>>()
        .join("/")
}

#[tokio::test]
async fn every_post_route_refuses_a_missing_or_foreign_csrf_token() {
    let routes = post_routes();
    assert!(routes.len() >= 25, "the scan found only {routes:?}");
    for expected in [
        "/connexion",
        "/famille",
        "/facturation/documents/:id/payer",
        "/eleves/:id/reinscription/valider",
        "/gestion/paiements",
        "/raccourcis",
    ] {
        assert!(
            routes.iter().any(|r| r == expected),
            "{expected} in {routes:?}"
        );
    }
    let app = spawn_app().await;
    app.login("abarre1", PASSWORD).await;
    let other = new_client();
    app.login_with(&other, "torre1", PASSWORD).await;
    let foreign = csrf_of(&app.get_html(&other, "/accueil").await);
    let anonymous = new_client();
    // PayFiP's calls are the only POSTs without a token: its notification, the browser it
    // sends back, and the demo stand-in's SOAP service. They decide nothing by themselves.
    let exempt: Vec<&String> = routes
        .iter()
        .filter(|r| portee::web::context::csrf_exempt(&concrete(r)))
        .collect();
    assert_eq!(
        exempt,
        [
            "/facturation/paiements/:id/retour",
            "/payfip-demo/services/securite",
            "/payfip/notification"
        ]
    );
    for route in routes.iter().filter(|r| !exempt.contains(r)) {
        let path = concrete(route);
        for (who, client, token) in [
            ("no token", &app.client, None),
            (
                "another session's token",
                &app.client,
                Some(foreign.as_str()),
            ),
            ("anonymous, no token", &anonymous, None),
        ] {
            let mut form: Vec<(&str, &str)> = vec![("champ", "valeur")];
            if let Some(t) = token {
                form.push(("csrf_token", t));
            }
            let resp = client
                .post(app.url(&path))
                .form(&form)
                .send()
                .await
                .unwrap();
            assert_eq!(resp.status(), StatusCode::FORBIDDEN, "{route} ({who})");
        }
    }
    // Nothing was done: no change request, no payment attempt, no password change.
    assert_eq!(
        app.count("select cast(count(*) as bigint) from payment_attempt")
            .await,
        0
    );
}

/// The `<main>` of a response, without what differs from one request to the next.
async fn main_text(resp: reqwest::Response) -> (StatusCode, String) {
    let status = resp.status();
    let html = resp.text().await.unwrap();
    (status, main_of(&html))
}

#[tokio::test]
async fn another_familys_ids_are_refused_like_ids_that_do_not_exist() {
    let app = spawn_app().await;
    // The ABARRE family's ids (Irina, a course record, an evaluation, an absence, an invoice,
    // a receipt, a provided document) as the TORRE family would try them.
    let irina = app.person_id("Irina").await;
    let one = |sql: &'static str| {
        let pool = app.pool.clone();
        async move {
            let (id,): (i64,) = sqlx::query_as(sql)
                .bind(irina)
                .fetch_one(&pool)
                .await
                .unwrap();
            id
        }
    };
    let record = one("select course_record_id from course_record where person_id = $1 order by course_record_id limit 1").await;
    let evaluation = one("select e.evaluation_id from evaluation e join course_record r on r.course_record_id = e.course_record_id where r.person_id = $1 limit 1").await;
    let absence = one("select a.absence_id from absence a join course_record r on r.course_record_id = a.course_record_id where r.person_id = $1 limit 1").await;
    let invoice =
        one("select ledger_entry_id from ledger_entry where number = '12FC01618' and $1 > 0").await;
    let document = 950_021;
    let theirs = [
        format!("/eleves/{irina}/identite"),
        format!("/eleves/{irina}/cours"),
        format!("/eleves/{irina}/cours/{record}"),
        format!("/eleves/{irina}/cours/{record}/evaluations"),
        format!("/eleves/{irina}/cours/{record}/evaluations/{evaluation}"),
        format!("/eleves/{irina}/cours/{record}/absences"),
        format!("/eleves/{irina}/cours/{record}/absences/{absence}"),
        format!("/eleves/{irina}/historique"),
        format!("/eleves/{irina}/historique/{record}"),
        format!("/eleves/{irina}/repertoire"),
        format!("/eleves/{irina}/reinscription"),
        format!("/eleves/{irina}/reinscription/documents/{document}"),
        format!("/facturation/documents/{invoice}"),
        format!("/facturation/documents/{invoice}/duplicata.pdf"),
    ];
    app.login("torre1", PASSWORD).await;
    let amelia = app.person_id("Amélia").await;
    let (missing_status, missing_main) =
        main_text(app.get("/eleves/999999999/identite").await).await;
    assert_eq!(missing_status, StatusCode::NOT_FOUND);
    for path in &theirs {
        let (status, main) = main_text(app.get(path).await).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{path}");
        if !path.ends_with(".pdf") && !path.contains("/documents/") {
            assert_eq!(main, missing_main, "{path} says no more than a missing id");
        }
    }
    // The bare student address only redirects to its first tab, for any number alike.
    assert_redirect(
        &app.get(&format!("/eleves/{irina}")).await,
        &format!("/eleves/{irina}/identite"),
    );
    assert_redirect(
        &app.get("/eleves/999999999").await,
        "/eleves/999999999/identite",
    );
    // Their own student with another family's record or document ids: 404 too.
    for path in [
        format!("/eleves/{amelia}/cours/{record}"),
        format!("/eleves/{amelia}/historique/{record}"),
        format!("/eleves/{amelia}/reinscription/documents/{document}"),
    ] {
        assert_eq!(
            app.get(&path).await.status(),
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
    // Families never open /gestion.
    for path in [
        "/gestion",
        "/gestion/comptes",
        "/gestion/paiements",
        "/gestion/reinscriptions",
        "/gestion/courriels",
        "/gestion/accessibilite",
    ] {
        assert_eq!(
            app.get(path).await.status(),
            StatusCode::FORBIDDEN,
            "{path}"
        );
    }
}

async fn conservatoire_staff(app: &TestApp) -> Client {
    sqlx::query(
        "insert into account (account_id, site_id, person_id, family_id, identifier, password_hash, is_staff, created_at) \
         select 4242, s.site_id, null, null, 'direction', a.password_hash, 1, 0 \
         from site s, account a where s.slug <> 'valognes' and a.identifier = 'admin'",
    )
    .execute(&app.pool)
    .await
    .unwrap();
    let (slug,): (String,) = sqlx::query_as("select slug from site where slug <> 'valognes'")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let client = new_client();
    let resp = app
        .post_form(
            &client,
            "/gestion/connexion",
            "/gestion/connexion",
            &[
                ("site", slug.as_str()),
                ("identifiant", "direction"),
                ("mot_de_passe", PASSWORD),
            ],
        )
        .await;
    assert_redirect(&resp, "/gestion");
    client
}

#[tokio::test]
async fn staff_of_one_school_never_see_another_schools_data() {
    let app = spawn_app().await;
    let staff = conservatoire_staff(&app).await;
    let (request,): (i64,) = sqlx::query_as("select change_request_id from change_request limit 1")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    for path in [
        format!("/gestion/demandes/{request}"),
        "/gestion/reinscriptions/950031".to_owned(),
        "/gestion/reinscriptions/documents/950021".to_owned(),
        "/gestion/reinscriptions/documents/950032".to_owned(),
    ] {
        assert_eq!(
            app.get_with(&staff, &path).await.status(),
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
    for (path, absent) in [
        ("/gestion", "ABARRE"),
        ("/gestion/comptes", "abarre1"),
        ("/gestion/paiements", "12FC01618"),
        ("/gestion/reinscriptions", "Justificatif de domicile"),
    ] {
        let html = app.get_html(&staff, path).await;
        assert!(!html.contains(absent), "{path} shows {absent}");
    }
    // A desk payment on another school's invoice number is refused as unknown.
    let resp = app
        .post_form(
            &staff,
            "/gestion/paiements",
            "/gestion/paiements",
            &[
                ("facture", "12FC01618"),
                ("montant", "1"),
                ("mode", "cheque"),
                ("date", "01/11/2026"),
            ],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        resp.text()
            .await
            .unwrap()
            .contains("Aucune facture n° 12FC01618 dans votre école")
    );
}
