//! Pre-enrolment: the public three-step form (without an account, without JavaScript),
//! its robots' traps, the e-mail confirmed before a request counts, one request per child,
//! staff's ranking, acceptance (a family and an invitation), the waiting list and a freed
//! place offered to the next family, the draw, the race for the last place, the export and
//! retention.

use std::time::Duration;

use reqwest::multipart::{Form, Part};
use reqwest::{Client, StatusCode};

use crate::helpers::*;

const EMAIL: &str = "lea.fontaine@example.org";

/// Posts a step of the public form as a browser would (multipart, the token in the address).
async fn post_step(app: &TestApp, client: &Client, token: &str, form: Form) -> reqwest::Response {
    client
        .post(app.url(&format!("/preinscription/valognes?csrf_token={token}")))
        .header("Origin", &app.address)
        .multipart(form)
        .send()
        .await
        .unwrap()
}

/// The hidden fields of a page's form (what the next step sends back).
fn hidden_fields(html: &str) -> Vec<(String, String)> {
    html.split("<input type=\"hidden\" name=\"")
        .skip(1)
        .filter_map(|rest| {
            let (name, rest) = rest.split_once('"')?;
            let value = rest.split_once("value=\"")?.1.split_once('"')?.0;
            Some((
                name.to_owned(),
                value.replace("&amp;", "&").replace("&quot;", "\""),
            ))
        })
        .filter(|(n, _)| n != "csrf_token")
        .collect()
}

fn form_of(fields: &[(String, String)], extra: &[(&str, &str)]) -> Form {
    let mut f = Form::new();
    for (k, v) in fields {
        if !extra.iter().any(|(e, _)| e == k) {
            f = f.text(k.clone(), v.clone());
        }
    }
    for (k, v) in extra {
        f = f.text((*k).to_owned(), (*v).to_owned());
    }
    f
}

async fn offer_id(app: &TestApp, label: &str) -> i64 {
    let (id,): (i64,) = sqlx::query_as("select offer_id from preenrolment_offer where label = $1")
        .bind(label)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    id
}

/// Waits (up to 10 s) for a mail to `to` containing `text`.
async fn mail_with(app: &TestApp, to: &str, text: &str) -> String {
    for _ in 0..100 {
        if let Some(m) = app
            .mails()
            .into_iter()
            .find(|m| m.contains(&format!("To: {to}")) && m.contains(text))
        {
            return m;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("no mail to {to} with « {text} »");
}

async fn status_of(app: &TestApp, child: &str) -> String {
    let (s,): (String,) =
        sqlx::query_as("select status from preenrolment_request where child_first_name = $1")
            .bind(child)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    s
}

#[tokio::test]
async fn a_new_family_sends_two_children_through_three_steps_confirms_and_is_accepted() {
    let app = spawn_app().await;
    let client = new_client();
    // The login page links to the open pre-enrolment.
    let login = app.get_html(&client, "/connexion").await;
    assert!(login.contains("href=\"/preinscription\""));
    let html = app.get_html(&client, "/preinscription/valognes").await;
    assert!(html.contains("Étape 1 sur 3"));
    let token = csrf_of(&html);
    let year = portee::domain::date::today().year();

    // Step 1, empty: each field named, nothing lost.
    let resp = post_step(
        &app,
        &client,
        &token,
        form_of(
            &hidden_fields(&html),
            &[("etape", "1"), ("nom", "Fontaine")],
        ),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = resp.text().await.unwrap();
    for message in [
        "Civilité : choisissez Madame ou Monsieur.",
        "Prénom : saisissez-le.",
        "Adresse e-mail : ",
        "Téléphone : ",
        "Code postal : ",
    ] {
        assert!(page.contains(message), "{message}");
    }
    assert!(page.contains("value=\"Fontaine\""));
    assert!(title_of(&page).starts_with("Erreur\u{a0}: "));

    // Step 1 done: step 2 carries it in hidden fields.
    let guardian = [
        ("etape", "1"),
        ("civilite", "MME"),
        ("nom", "Fontaine"),
        ("prenom", "Léa"),
        ("email", "Lea.Fontaine@example.org"),
        ("telephone", "06 11 22 33 44"),
        ("adresse", "8 rue du Port"),
        ("code_postal", "50700"),
        ("ville", "Valognes"),
        ("action", "suivant"),
    ];
    let resp = post_step(
        &app,
        &client,
        &token,
        form_of(&hidden_fields(&page), &guardian),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::OK);
    let page = resp.text().await.unwrap();
    assert!(page.contains("Étape 2 sur 3"));
    let fields = hidden_fields(&page);
    assert!(fields.iter().any(|(k, v)| k == "nom" && v == "Fontaine"));

    // A second child, then wishes one of which is not open to the child's age.
    let resp = post_step(
        &app,
        &client,
        &token,
        form_of(&fields, &[("action", "ajouter")]),
    )
    .await;
    let page = resp.text().await.unwrap();
    assert!(page.contains("<legend>Enfant 2</legend>"));
    let (eveil, piano, violon) = (
        offer_id(&app, "Éveil musical").await,
        offer_id(&app, "Piano").await,
        offer_id(&app, "Violon").await,
    );
    let older = format!("14/05/{}", year - 9);
    let younger = format!("02/02/{}", year - 5);
    let (piano_s, violon_s, eveil_s) = (piano.to_string(), violon.to_string(), eveil.to_string());
    let children = |younger_wish: &str| {
        vec![
            ("etape", "2".to_owned()),
            ("enfants", "2".to_owned()),
            ("enfant0_nom", "Fontaine".to_owned()),
            ("enfant0_prenom", "Hugo".to_owned()),
            ("enfant0_naissance", older.clone()),
            ("enfant0_voeu1", piano_s.clone()),
            ("enfant0_voeu2", violon_s.clone()),
            ("enfant1_nom", "Fontaine".to_owned()),
            ("enfant1_prenom", "Zoé".to_owned()),
            ("enfant1_naissance", younger.clone()),
            ("enfant1_voeu1", younger_wish.to_owned()),
            ("action", "suivant".to_owned()),
        ]
    };
    let step2 = hidden_fields(&page);
    let as_refs = |v: &[(&'static str, String)]| -> Vec<(&'static str, String)> { v.to_vec() };
    let wrong = as_refs(&children(&piano_s));
    let resp = post_step(
        &app,
        &client,
        &token,
        form_of(
            &step2,
            &wrong
                .iter()
                .map(|(k, v)| (*k, v.as_str()))
                .collect::<Vec<_>>(),
        ),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = resp.text().await.unwrap();
    assert!(
        page.contains(&format!(
            "Enfant 2, premier vœu : Piano est ouvert aux enfants nés en {} ou avant ; choisissez une autre discipline.",
            year - 6
        )),
        "{}",
        text_of(&main_of(&page))
    );
    assert!(
        page.contains(&format!("value=\"{older}\"")),
        "the dates typed are kept"
    );
    let right = children(&eveil_s);
    let resp = post_step(
        &app,
        &client,
        &token,
        form_of(
            &hidden_fields(&page),
            &right
                .iter()
                .map(|(k, v)| (*k, v.as_str()))
                .collect::<Vec<_>>(),
        ),
    )
    .await;
    let page = resp.text().await.unwrap();
    assert!(
        page.contains("Étape 3 sur 3"),
        "{}",
        text_of(&main_of(&page))
    );
    assert!(page.contains("Vos données") && page.contains("6 mois après la fin"));
    let step3 = hidden_fields(&page);

    // Step 3 without the document nor the consent: both named, the rest kept.
    let resp = post_step(
        &app,
        &client,
        &token,
        form_of(&step3, &[("etape", "3"), ("action", "envoyer")]),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = resp.text().await.unwrap();
    assert!(page.contains("Justificatif de domicile : choisissez le fichier."));
    assert!(page.contains("Consentement : cochez la case"));
    let before = app
        .count("select cast(count(*) as bigint) from preenrolment_request")
        .await;

    // A robot fills the field people never see: the same page, nothing stored.
    let pdf = portee::domain::pdf_check::sample("", &[]);
    tokio::time::sleep(Duration::from_millis(5200)).await;
    let send = |trap: &'static str| {
        form_of(
            &hidden_fields(&page),
            &[
                ("etape", "3"),
                ("action", "envoyer"),
                ("consentement", "oui"),
                ("site_web", trap),
            ],
        )
        .part(
            "document1",
            Part::bytes(pdf.clone()).file_name("domicile.pdf"),
        )
    };
    let resp = post_step(&app, &client, &token, send("http://spam.example")).await;
    assert_eq!(resp.status(), StatusCode::OK);
    assert!(resp.text().await.unwrap().contains("Demande envoyée"));
    assert_eq!(
        app.count("select cast(count(*) as bigint) from preenrolment_request")
            .await,
        before
    );

    // A person: two requests, not counted until the address is confirmed.
    let resp = post_step(&app, &client, &token, send("")).await;
    let ack = resp.text().await.unwrap();
    assert!(ack.contains("Références de vos demandes"));
    assert_eq!(
        app.count("select cast(count(*) as bigint) from preenrolment_request")
            .await,
        before + 2
    );
    let (reference,): (String,) = sqlx::query_as(
        "select reference from preenrolment_request where child_first_name = 'Hugo'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert!(ack.contains(&reference));
    assert_eq!(status_of(&app, "Hugo").await, "non_confirmee");
    let mail = &app.wait_for_mails(EMAIL, 1).await[0];
    assert!(mail.contains(&reference) && mail.contains("Zoé Fontaine"));
    let confirm = TestApp::reset_path(mail);
    assert!(confirm.starts_with("/preinscription/confirmation?jeton="));

    // The same children sent again with the same address: still two requests.
    let resp = post_step(&app, &client, &token, send("")).await;
    let again = resp.text().await.unwrap();
    assert!(again.contains("Une demande existait déjà"));
    // Its mail's link confirms the requests too (they were not confirmed yet).
    let second = mail_with(&app, EMAIL, "demande déjà reçue, conservée telle quelle").await;
    let confirm_again = TestApp::reset_path(&second);
    assert_ne!(confirm_again, confirm);
    assert_eq!(
        app.count("select cast(count(*) as bigint) from preenrolment_request")
            .await,
        before + 2
    );

    let confirmed = app.get_html(&client, &confirm_again).await;
    assert!(confirmed.contains("Adresse confirmée") && confirmed.contains(&reference));
    assert_eq!(status_of(&app, "Hugo").await, "nouvelle");

    // Staff see Hugo ranked under Piano (full in the demo) and Violon; accept him in Violon.
    let staff = new_client();
    staff_login(&app, &staff).await;
    let html = app
        .get_html(
            &staff,
            &format!("/gestion/preinscriptions?discipline={piano}"),
        )
        .await;
    let born = format!("14/05/{}", year - 9);
    assert!(
        has_cells(
            &html,
            "classement-legende",
            &["Hugo Fontaine", &born, "n° 1"]
        ),
        "{:?}",
        table_rows(&html, "classement-legende")
    );
    let piano_row = table_rows(&html, "offres-legende")
        .into_iter()
        .find(|r| r[0] == "Piano")
        .unwrap();
    assert_eq!(piano_row[2..5], ["2", "2", "0"], "places, taken, left");
    let (id,): (i64,) = sqlx::query_as(
        "select request_id from preenrolment_request where child_first_name = 'Hugo'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    let page = format!("/gestion/preinscriptions/demandes/{id}");
    let html = app.get_html(&staff, &page).await;
    assert!(html.contains("domicile.pdf") && !html.contains(&format!("accepter:{piano}")));
    let resp = app
        .post_form(
            &staff,
            &page,
            &page,
            &[("decision", &format!("accepter:{violon}"))],
        )
        .await;
    assert_redirect(
        &resp,
        &format!("/gestion/preinscriptions?discipline={violon}&info=acceptee#classement"),
    );
    // A family with its guardian and its child, and an invitation to the portal.
    let (family,): (i64,) = sqlx::query_as(
        "select family_id from preenrolment_request where child_first_name = 'Hugo'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    let people: Vec<(String, i64, i64)> = sqlx::query_as(
        "select first_name, is_guardian, is_student from person where family_id = $1 order by first_name",
    )
    .bind(family)
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(
        people,
        vec![("Hugo".to_owned(), 0, 1), ("Léa".to_owned(), 1, 0)]
    );
    mail_with(&app, EMAIL, "Votre identifiant : fontaine").await;
    mail_with(
        &app,
        EMAIL,
        "La demande de préinscription de Hugo Fontaine en Violon est acceptée.",
    )
    .await;

    // The export carries the decision once.
    let resp = app
        .post_form(&staff, "/gestion/exports", "/gestion/exports", &[])
        .await;
    assert!(resp.status().is_redirection());
    let (csv,): (String,) = sqlx::query_as(
        "select content from export_file where name = 'preinscriptions.csv' order by export_id desc limit 1",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    assert!(csv.starts_with("\u{feff}reference;famille_portee;decision;"));
    assert!(
        csv.contains(&format!(
            "{reference};{family};acceptee;Fontaine;Hugo;14/05/{}",
            year - 9
        )),
        "{csv}"
    );
    assert!(csv.contains("Piano|Violon;Violon;"));
}

#[tokio::test]
async fn the_last_place_taken_by_two_staff_at_once_is_filled_once() {
    let app = spawn_app().await;
    let violon = offer_id(&app, "Violon").await;
    sqlx::query("update preenrolment_offer set places = 1, taken = 0 where offer_id = $1")
        .bind(violon)
        .execute(&app.pool)
        .await
        .unwrap();
    // Tom (new, wishes Violon) and Jules (waiting on Piano, wishes Violon too).
    let ids: Vec<(i64,)> = sqlx::query_as(
        "select request_id from preenrolment_request where child_first_name in ('Tom', 'Jules') order by child_first_name",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    let (a, b) = (new_client(), new_client());
    staff_login(&app, &a).await;
    staff_login(&app, &b).await;
    let decide = |client: &Client, id: i64| {
        let page = format!("/gestion/preinscriptions/demandes/{id}");
        let client = client.clone();
        let app = &app;
        async move {
            let html = app.get_html(&client, &page).await;
            let token = csrf_of(&html);
            client
                .post(app.url(&page))
                .form(&[
                    ("csrf_token", token.as_str()),
                    ("decision", &format!("accepter:{violon}")),
                ])
                .send()
                .await
                .unwrap()
        }
    };
    let (r1, r2) = tokio::join!(decide(&a, ids[0].0), decide(&b, ids[1].0));
    let infos: Vec<String> = [r1, r2]
        .iter()
        .map(|r| r.headers()["location"].to_str().unwrap().to_owned())
        .collect();
    assert_eq!(
        infos.iter().filter(|l| l.contains("info=acceptee")).count(),
        1,
        "{infos:?}"
    );
    assert_eq!(
        infos.iter().filter(|l| l.contains("info=complet")).count(),
        1,
        "{infos:?}"
    );
    let (taken,): (i64,) =
        sqlx::query_as("select taken from preenrolment_offer where offer_id = $1")
            .bind(violon)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(taken, 1);
    assert_eq!(
        app.count("select cast(count(*) as bigint) from preenrolment_request where status = 'acceptee' and offer_id in (select offer_id from preenrolment_offer where label = 'Violon')")
            .await,
        1
    );
}

#[tokio::test]
async fn a_withdrawn_place_goes_to_the_waiting_list_and_the_family_follows_its_request() {
    let app = spawn_app().await;
    let client = new_client();
    // Léo's family asks for its follow-up link: the same answer whatever the reference.
    let (reference, email): (String, String) = sqlx::query_as(
        "select reference, email from preenrolment_request where child_first_name = 'Léo'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    let wrong = app
        .post_form(
            &client,
            "/preinscription/suivi",
            "/preinscription/suivi",
            &[("reference", "P-ZZZZZZ"), ("email", &email)],
        )
        .await
        .text()
        .await
        .unwrap();
    assert!(wrong.contains("Si cette référence et cette adresse correspondent"));
    let right = app
        .post_form(
            &client,
            "/preinscription/suivi",
            "/preinscription/suivi",
            &[("reference", &reference.to_lowercase()), ("email", &email)],
        )
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(text_of(&main_of(&wrong)), text_of(&main_of(&right)));
    let link = TestApp::reset_path(&mail_with(&app, &email, "lien vers le suivi").await);
    let html = app.get_html(&client, &link).await;
    assert!(html.contains("Acceptée") && html.contains("(Piano)"));
    // Another token is no page.
    assert_eq!(
        app.get_with(
            &client,
            &format!("/preinscription/suivi/{}", "A".repeat(43))
        )
        .await
        .status(),
        StatusCode::NOT_FOUND
    );

    // Léo's family withdraws: Piano's place goes to Jules, first on its waiting list.
    let resp = app
        .post_form(&client, &link, &link, &[("action", "retirer")])
        .await;
    assert_redirect(&resp, &format!("{link}?info=retiree"));
    assert_eq!(status_of(&app, "Léo").await, "retiree");
    assert_eq!(status_of(&app, "Jules").await, "proposee");
    let (jules_email,): (String,) =
        sqlx::query_as("select email from preenrolment_request where child_first_name = 'Jules'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    let offered = mail_with(&app, &jules_email, "se libère").await;
    assert!(offered.contains("Elle vous est réservée jusqu'au"));

    // Jules's family accepts the place from its follow-up page.
    let (jules_ref,): (String,) = sqlx::query_as(
        "select reference from preenrolment_request where child_first_name = 'Jules'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    let other = new_client();
    app.post_form(
        &other,
        "/preinscription/suivi",
        "/preinscription/suivi",
        &[("reference", &jules_ref), ("email", &jules_email)],
    )
    .await;
    let link = TestApp::reset_path(&mail_with(&app, &jules_email, "lien vers le suivi").await);
    let html = app.get_html(&other, &link).await;
    assert!(html.contains("Accepter la place"));
    let resp = app
        .post_form(&other, &link, &link, &[("action", "accepter")])
        .await;
    assert_redirect(&resp, &format!("{link}?info=confirmee"));
    assert_eq!(status_of(&app, "Jules").await, "acceptee");
    let (taken, places): (i64, i64) =
        sqlx::query_as("select taken, places from preenrolment_offer where label = 'Piano'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!((taken, places), (2, 2));
}

#[tokio::test]
async fn a_draw_is_recorded_with_its_seed_and_gives_the_same_order_again() {
    let app = spawn_app().await;
    let today = portee::domain::date::today();
    sqlx::query("update preenrolment_window set rule = 'tirage', closes_on = $1")
        .bind((today - time::Duration::days(1)).to_string())
        .execute(&app.pool)
        .await
        .unwrap();
    let staff = new_client();
    staff_login(&app, &staff).await;
    let resp = app
        .post_form(
            &staff,
            "/gestion/preinscriptions",
            "/gestion/preinscriptions",
            &[("action", "tirage")],
        )
        .await;
    assert_redirect(&resp, "/gestion/preinscriptions?info=tirage");
    let (seed,): (i64,) = sqlx::query_as("select seed from preenrolment_window")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let html = app.get_html(&staff, "/gestion/preinscriptions").await;
    assert!(html.contains(&format!("avec la graine <strong>{seed}</strong>")));
    let ranked: Vec<(i64, i64)> = sqlx::query_as(
        "select request_id, draw_rank from preenrolment_request where draw_rank is not null order by draw_rank",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(
        ranked.len(),
        6,
        "every confirmed request, not the unconfirmed one"
    );
    let ids: Vec<i64> = ranked.iter().map(|r| r.0).collect();
    assert_eq!(
        portee::features::preenrolment::draw(seed as u64, &ids),
        ids,
        "the recorded seed gives the recorded order"
    );
    // A second draw does nothing.
    let resp = app
        .post_form(
            &staff,
            "/gestion/preinscriptions",
            "/gestion/preinscriptions",
            &[("action", "tirage")],
        )
        .await;
    assert_redirect(&resp, "/gestion/preinscriptions?info=deja-tire");
}

#[tokio::test]
async fn requests_not_accepted_are_anonymised_once_the_school_s_delay_has_passed() {
    let app = spawn_app().await;
    let today = portee::domain::date::today();
    sqlx::query(
        "update preenrolment_window set opens_on = $1, closes_on = $2, retention_months = 6",
    )
    .bind((today - time::Duration::days(300)).to_string())
    .bind((today - time::Duration::days(200)).to_string())
    .execute(&app.pool)
    .await
    .unwrap();
    let staff = new_client();
    staff_login(&app, &staff).await;
    app.get_html(&staff, "/gestion/preinscriptions").await;
    let kept: Vec<(String, String)> = sqlx::query_as(
        "select child_first_name, status from preenrolment_request where anonymised_at is null order by child_first_name",
    )
    .fetch_all(&app.pool)
    .await
    .unwrap();
    assert_eq!(
        kept,
        vec![
            ("Anaïs".to_owned(), "acceptee".to_owned()),
            ("Léo".to_owned(), "acceptee".to_owned())
        ]
    );
    assert_eq!(
        app.count("select cast(count(*) as bigint) from preenrolment_request where anonymised_at is not null and (email <> '' or last_name <> '')")
            .await,
        0
    );
    assert_eq!(
        app.count("select cast(count(*) as bigint) from preenrolment_document d join preenrolment_request r on r.request_id = d.request_id where r.status <> 'acceptee'")
            .await,
        0
    );
    assert_eq!(
        app.count(
            "select cast(count(*) as bigint) from audit_log where action = 'preenrolment_purged'"
        )
        .await,
        1
    );
}
