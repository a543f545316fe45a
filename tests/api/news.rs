//! The school's news: a notice published to the school or to a department's families, its
//! text made safe HTML, its PDF, mailed once per family through the outbox, withdrawn; the
//! family's private Atom feed; and the home page's blocks.

use quick_xml::Reader;
use quick_xml::events::Event;
use reqwest::StatusCode;
use reqwest::multipart::{Form, Part};

use crate::helpers::*;

async fn publish(app: &TestApp, staff: &reqwest::Client, form: Form) -> reqwest::Response {
    let html = app.get_html(staff, "/gestion/actualites").await;
    let token = csrf_of(&html);
    staff
        .post(app.url(&format!("/gestion/actualites?csrf_token={token}")))
        .header("Origin", &app.address)
        .multipart(form)
        .send()
        .await
        .unwrap()
}

fn today_fr() -> String {
    let t = portee::domain::date::today();
    format!("{:02}/{:02}/{}", t.day(), u8::from(t.month()), t.year())
}

async fn notice_id(app: &TestApp, title: &str) -> i64 {
    let (id,): (i64,) = sqlx::query_as("select notice_id from notice where title = $1")
        .bind(title)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    id
}

/// The entries of an Atom feed: (title, content) of each `entry`.
fn entries(xml: &str) -> Vec<(String, String)> {
    let mut reader = Reader::from_str(xml);
    let mut out = Vec::new();
    let mut path: Vec<String> = Vec::new();
    let (mut title, mut content) = (String::new(), String::new());
    loop {
        match reader.read_event().expect("well-formed XML") {
            Event::Start(e) => {
                let name = String::from_utf8(e.name().as_ref().to_vec()).unwrap();
                if name == "entry" {
                    title.clear();
                    content.clear();
                }
                path.push(name);
            }
            Event::End(_) => {
                let ended = path.pop();
                if ended.as_deref() == Some("entry") {
                    out.push((title.clone(), content.clone()));
                }
            }
            Event::Text(t) => {
                let text = t.decode().unwrap().into_owned();
                match path
                    .iter()
                    .map(String::as_str)
                    .collect::<Vec<_>>()
                    .as_slice()
                {
                    ["feed", "entry", "title"] => title.push_str(&text),
                    ["feed", "entry", "content"] => content.push_str(&text),
                    _ => {}
                }
            }
            Event::GeneralRef(r) => {
                let ch = match r.as_ref() {
                    b"lt" => "<",
                    b"gt" => ">",
                    b"amp" => "&",
                    b"quot" => "\"",
                    b"apos" => "'",
                    _ => "",
                };
                if path.last().map(String::as_str) == Some("content") {
                    content.push_str(ch);
                } else if path.last().map(String::as_str) == Some("title") {
                    title.push_str(ch);
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    out
}

#[tokio::test]
async fn a_notice_reaches_its_audience_once_as_safe_html_with_its_pdf_and_in_the_feed() {
    let app = spawn_app().await;
    let staff = new_client();
    staff_login(&app, &staff).await;

    // Errors are named, and what was typed comes back.
    let resp = publish(
        &app,
        &staff,
        Form::new()
            .text("titre", "Fermeture exceptionnelle")
            .text("texte", "")
            .text("public", "departement-999")
            .text("publication", "31/02/2026")
            .text("expiration", "")
            .part(
                "document",
                Part::bytes(vec![0x89, b'P', b'N', b'G', 0x0d, 0x0a, 0x1a, 0x0a])
                    .file_name("x.png"),
            ),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = resp.text().await.unwrap();
    for message in [
        "Texte : saisissez le texte de l'actualité.",
        "Pour : choisissez l'école, un département ou un cours dans la liste.",
        "Publiée à partir du : ",
        "Document PDF : ",
    ] {
        assert!(html.contains(message), "{message}");
    }
    assert!(html.contains("value=\"Fermeture exceptionnelle\""));
    assert_eq!(
        app.count("select cast(count(*) as bigint) from notice")
            .await,
        2
    );

    // Published to the whole school, mailed at once: every family with an address, once.
    let pdf = portee::domain::pdf_check::sample("", &[]);
    let text = "Bonjour,\nl'école est fermée lundi.\n\n<script>alert(1)</script> \
                Détails : https://valognes.example.org/fermeture.";
    let resp = publish(
        &app,
        &staff,
        Form::new()
            .text("titre", "Fermeture exceptionnelle")
            .text("texte", text)
            .text("public", "ecole")
            .text("publication", today_fr())
            .text("expiration", "")
            .text("envoyer", "oui")
            .part("document", Part::bytes(pdf.clone()).file_name("arrêté.pdf")),
    )
    .await;
    let families = app
        .count(
            "select cast(count(*) as bigint) from family f join site s on s.site_id = f.site_id \
             where s.slug = 'valognes' and exists (select 1 from person p where p.family_id = f.family_id \
             and p.is_guardian = 1 and p.email is not null)",
        )
        .await;
    assert!(families > 40);
    assert_redirect(
        &resp,
        &format!("/gestion/actualites?info=envoyee-{families}"),
    );
    let id = notice_id(&app, "Fermeture exceptionnelle").await;
    let mails = app.wait_for_mails("jeremie.abarre@example.org", 1).await;
    assert!(mails[0].contains("Fermeture exceptionnelle") && mails[0].contains("fermée lundi"));
    assert_eq!(
        app.count("select cast(count(*) as bigint) from mail_outbox where subject like '%Fermeture exceptionnelle'")
            .await,
        families
    );
    // Sending again sends nothing more.
    let resp = app
        .post_form(
            &staff,
            "/gestion/actualites",
            &format!("/gestion/actualites/{id}/envoi"),
            &[],
        )
        .await;
    assert_redirect(&resp, "/gestion/actualites?info=envoyee-0");
    assert_eq!(
        app.count("select cast(count(*) as bigint) from mail_outbox where subject like '%Fermeture exceptionnelle'")
            .await,
        families
    );

    // The family reads it: paragraphs, a link, the script as text; the PDF.
    app.login("abarre1", PASSWORD).await;
    let html = app.get_html(&app.client, "/actualites").await;
    assert!(html.contains("<p class=\"rich\">Bonjour,<br>l'école est fermée lundi.</p>"));
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(!html.contains("<script>alert"));
    assert!(html.contains(
        "<a href=\"https://valognes.example.org/fermeture\" rel=\"noopener noreferrer nofollow\">"
    ));
    let file = app.get(&format!("/actualites/{id}/document")).await;
    assert_eq!(file.headers()["content-type"], "application/pdf");
    assert_eq!(file.bytes().await.unwrap().to_vec(), pdf);
    let home = app.get_html(&app.client, "/accueil").await;
    assert!(home.contains(&format!(
        "href=\"/actualites#actualite-{id}\">Fermeture exceptionnelle</a>"
    )));

    // The private feed: shown once, an Atom document with the same safe HTML.
    let resp = app
        .post_form(&app.client, "/actualites", "/actualites/lien", &[])
        .await;
    let html = resp.text().await.unwrap();
    let link = html
        .split("id=\"lien-actualites\"")
        .nth(1)
        .and_then(|r| r.split("value=\"").nth(1))
        .and_then(|r| r.split('"').next())
        .expect("the feed's address")
        .to_owned();
    let path = &link[link.find("/actualites/flux/").unwrap()..];
    let feed = new_client().get(app.url(path)).send().await.unwrap();
    assert_eq!(feed.status(), StatusCode::OK);
    assert_eq!(
        feed.headers()["content-type"],
        "application/atom+xml; charset=utf-8"
    );
    let xml = feed.text().await.unwrap();
    let list = entries(&xml);
    let (_, content) = list
        .iter()
        .find(|(t, _)| t == "Fermeture exceptionnelle")
        .expect("the notice in the feed");
    assert!(content.contains("&lt;script&gt;"), "{content}");
    assert!(content.contains("<a href=\"https://valognes.example.org/fermeture\""));
    assert!(list.iter().any(|(t, _)| t == "Concert de Noël"));
    // A new address stops the old one.
    app.post_form(&app.client, "/actualites", "/actualites/lien", &[])
        .await;
    assert_eq!(
        new_client()
            .get(app.url(path))
            .send()
            .await
            .unwrap()
            .status(),
        StatusCode::NOT_FOUND
    );

    // Withdrawn: gone from the page (and its PDF with it).
    let resp = app
        .post_form(
            &staff,
            "/gestion/actualites",
            &format!("/gestion/actualites/{id}/retrait"),
            &[],
        )
        .await;
    assert_redirect(&resp, "/gestion/actualites?info=retiree");
    let html = app.get_html(&app.client, "/actualites").await;
    assert!(!html.contains("Fermeture exceptionnelle"));
    assert_eq!(
        app.get(&format!("/actualites/{id}/document"))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    let audit = app
        .count(
            "select cast(count(*) as bigint) from audit_log where action in \
             ('notice_published', 'notice_mailed', 'notice_withdrawn', 'news_feed_renewed')",
        )
        .await;
    assert_eq!(audit, 6);
}

#[tokio::test]
async fn a_departments_notice_is_for_its_families_only() {
    let app = spawn_app().await;
    let staff = new_client();
    staff_login(&app, &staff).await;
    let (department,): (i64,) = sqlx::query_as(
        "select department_id from notice where title = 'Auditions de fin de trimestre'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    let resp = publish(
        &app,
        &staff,
        Form::new()
            .text("titre", "Stage de printemps")
            .text("texte", "Inscriptions ouvertes.")
            .text("public", format!("departement-{department}"))
            .text("publication", today_fr())
            .text("expiration", "01/01/2000")
            .text("envoyer", "oui"),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = resp.text().await.unwrap();
    assert!(html.contains("Jusqu'au : ce jour précède le jour de publication"));
    let resp = publish(
        &app,
        &staff,
        Form::new()
            .text("titre", "Stage de printemps")
            .text("texte", "Inscriptions ouvertes.")
            .text("public", format!("departement-{department}"))
            .text("publication", today_fr())
            .text("expiration", "")
            .text("envoyer", "oui")
            .part(
                "document",
                Part::bytes(portee::domain::pdf_check::sample("", &[])).file_name("stage.pdf"),
            ),
    )
    .await;
    assert!(resp.status().is_redirection());
    let id = notice_id(&app, "Stage de printemps").await;
    // The ABARRE family has a course in that department; the TORRE family has none.
    let abarre = app.wait_for_mails("jeremie.abarre@example.org", 1).await;
    assert!(abarre.iter().any(|m| m.contains("Stage de printemps")));
    assert!(
        !app.mails()
            .iter()
            .any(|m| m.contains("To: amelia.torre@example.org") && m.contains("Stage de printemps"))
    );
    app.login("torre1", PASSWORD).await;
    let html = app.get_html(&app.client, "/actualites").await;
    assert!(
        !html.contains("Stage de printemps") && !html.contains("Auditions de fin de trimestre")
    );
    assert!(html.contains("Concert de Noël"));
    assert_eq!(
        app.get(&format!("/actualites/{id}/document"))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
    // Families cannot publish.
    assert_eq!(
        app.get("/gestion/actualites").await.status(),
        StatusCode::FORBIDDEN
    );
}

#[tokio::test]
async fn the_home_page_shows_only_the_blocks_that_have_something_to_say() {
    let app = spawn_app().await;
    // What is new is counted from the login before this one.
    sqlx::query("update account set last_login_at = $1 where identifier = 'abarre1'")
        .bind(portee::db::now() - 400 * 86_400)
        .execute(&app.pool)
        .await
        .unwrap();
    app.login("abarre1", PASSWORD).await;
    let html = app.get_html(&app.client, "/accueil").await;
    for heading in [
        "À payer",
        "Messages non lus",
        "En attente de l'école",
        "Cette semaine",
        "Nouveau depuis votre dernière visite",
        "Actualités",
        "Vos élèves",
    ] {
        assert!(
            html.contains(&format!(">{heading}</h2>")),
            "{heading} in {}",
            text_of(&main_of(&html))
        );
    }
    assert!(html.contains("Justification de l'absence de Hugo"));
    assert!(html.contains("Facture 26FC00412"));
    assert!(!html.contains(">0 "), "no empty count");

    // A family with nothing due, nothing waiting and no message: those blocks are absent.
    let other = new_client();
    app.login_with(&other, "torre1", PASSWORD).await;
    let html = app.get_html(&other, "/accueil").await;
    for heading in [
        "Messages non lus",
        "En attente de l'école",
        "Nouveau depuis votre dernière visite",
    ] {
        assert!(!html.contains(&format!(">{heading}</h2>")), "{heading}");
    }
    assert!(html.contains(">Actualités</h2>") && html.contains("Concert de Noël"));
    assert!(!html.contains("Auditions de fin de trimestre"));
}
