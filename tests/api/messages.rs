//! Messages between a family and its school: a thread started with an attachment, the
//! school told by mail (the text only if it allows it), unread counts in both menus,
//! answers, closing, search, and the walls between families and between schools.

use reqwest::multipart::{Form, Part};
use reqwest::{Client, StatusCode};

use crate::helpers::*;

const SCHOOL: &str = "portail@example.org";
const FAMILY: &str = "jeremie.abarre@example.org";

/// Sends a message form (multipart: the token rides in the address) from `page` to `action`.
async fn send(
    app: &TestApp,
    client: &Client,
    page: &str,
    action: &str,
    form: Form,
) -> reqwest::Response {
    let html = app.get_html(client, page).await;
    let token = csrf_of(&html);
    client
        .post(app.url(&format!("{action}?csrf_token={token}")))
        .header("Origin", &app.address)
        .multipart(form)
        .send()
        .await
        .unwrap()
}

fn menu_entry(html: &str, href: &str) -> String {
    let start = html
        .find(&format!("<a href=\"{href}\""))
        .unwrap_or_else(|| panic!("no menu link to {href}"));
    let rest = &html[start..];
    text_of(&rest[..rest.find("</a>").unwrap()])
}

async fn thread_of(app: &TestApp, subject: &str) -> i64 {
    let (id,): (i64,) = sqlx::query_as("select thread_id from message_thread where subject = $1")
        .bind(subject)
        .fetch_one(&app.pool)
        .await
        .unwrap();
    id
}

#[tokio::test]
async fn a_family_writes_with_an_attachment_staff_answer_and_close_and_each_side_counts_its_unread()
{
    let app = spawn_app().await;
    app.login("abarre1", PASSWORD).await;
    // The demo's answered thread is waiting for the family.
    let html = app.get_html(&app.client, "/accueil").await;
    assert_eq!(menu_entry(&html, "/messages"), "Messages (1 non lu)");
    assert!(html.contains("<h2 id=\"messages-non-lus\">Messages non lus</h2>"));

    // A message with nothing in it is refused, each field named, nothing stored.
    let resp = send(
        &app,
        &app.client,
        "/messages/nouveau",
        "/messages/nouveau",
        Form::new().text("sujet", "  ").text("message", ""),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = resp.text().await.unwrap();
    assert!(html.contains("Sujet : saisissez le sujet de votre message."));
    assert!(html.contains("Message : saisissez votre message."));
    assert!(title_of(&html).starts_with("Erreur\u{a0}: "));
    // A subject too long is named, and the text typed is kept.
    let resp = send(
        &app,
        &app.client,
        "/messages/nouveau",
        "/messages/nouveau",
        Form::new()
            .text("sujet", "x".repeat(121))
            .text("message", "Bonjour <b>madame</b>"),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = resp.text().await.unwrap();
    assert!(html.contains("Sujet : Le sujet dépasse 120 caractères (vous en avez saisi 121)."));
    assert!(html.contains("Bonjour &lt;b&gt;madame&lt;/b&gt;</textarea>"));
    assert_eq!(
        app.count("select cast(count(*) as bigint) from message_thread")
            .await,
        1
    );

    let pdf = portee::domain::pdf_check::sample("", &[]);
    let resp = send(
        &app,
        &app.client,
        "/messages/nouveau",
        "/messages/nouveau",
        Form::new()
            .text("sujet", "Attestation pour le comité d'entreprise")
            .text(
                "message",
                "Bonjour,\n\nPourriez-vous me faire une attestation de paiement ? Le formulaire \
                 du CE est joint.\n\nMerci",
            )
            .part(
                "piece",
                Part::bytes(pdf.clone()).file_name("formulaire CE.pdf"),
            ),
    )
    .await;
    let id = thread_of(&app, "Attestation pour le comité d'entreprise").await;
    assert_redirect(&resp, &format!("/messages/{id}?info=envoye"));
    let html = app.get_html(&app.client, &format!("/messages/{id}")).await;
    assert!(html.contains("<p class=\"rich\">Pourriez-vous me faire une attestation"));
    let attachment = format!("/messages/{id}/pieces/");
    assert!(html.contains(&attachment) && html.contains("formulaire CE.pdf"));

    // The school is told, with a link and without the text (the demo school's default).
    let mails = app.wait_for_mails(SCHOOL, 1).await;
    let mail = &mails[0];
    assert!(
        mail.contains("au sujet de « Attestation pour le comité d'entreprise »"),
        "{mail}"
    );
    assert!(mail.contains(&format!("/gestion/messages/{id}")));
    assert!(!mail.contains("attestation de paiement"), "{mail}");

    // Staff see it unread in their menu, read it, download the attachment.
    let staff = new_client();
    staff_login(&app, &staff).await;
    let html = app.get_html(&staff, "/gestion").await;
    assert_eq!(
        menu_entry(&html, "/gestion/messages"),
        "Messages (1 non lu)"
    );
    let list = app.get_html(&staff, "/gestion/messages").await;
    assert!(has_row(
        &list,
        "conversations-legende",
        &[
            "Attestation pour le comité d'entreprise",
            "ABARRE Jérémie",
            "Ouverte"
        ]
    ));
    let html = app
        .get_html(&staff, &format!("/gestion/messages/{id}"))
        .await;
    let mid = html
        .split(&format!("/gestion/messages/{id}/pieces/"))
        .nth(1)
        .and_then(|r| r.split('"').next())
        .unwrap()
        .to_owned();
    let file = app
        .get_with(&staff, &format!("/gestion/messages/{id}/pieces/{mid}"))
        .await;
    assert_eq!(file.headers()["content-type"], "application/pdf");
    assert_eq!(file.bytes().await.unwrap().to_vec(), pdf);
    let html = app.get_html(&staff, "/gestion/messages").await;
    assert_eq!(menu_entry(&html, "/gestion/messages"), "Messages");

    // The school now copies the text into its mails; staff answer.
    let resp = app
        .post_form(
            &staff,
            "/gestion/ecole",
            "/gestion/ecole/echanges",
            &[("delai", "0"), ("texte", "1")],
        )
        .await;
    assert!(resp.status().is_redirection(), "{}", resp.status());
    let resp = send(
        &app,
        &staff,
        &format!("/gestion/messages/{id}"),
        &format!("/gestion/messages/{id}"),
        Form::new().text(
            "message",
            "Bonjour,\n\nL'attestation est prête à l'accueil.",
        ),
    )
    .await;
    assert_redirect(
        &resp,
        &format!("/gestion/messages/{id}?info=repondu-famille"),
    );
    let mail = app
        .wait_for_mails(FAMILY, 1)
        .await
        .into_iter()
        .find(|m| m.contains("Attestation pour le comité"))
        .expect("the family is told");
    assert!(mail.contains("L'attestation est prête à l'accueil."));
    assert!(mail.contains(&format!("/messages/{id}")));

    // The family has two unread now (the demo's and this one); reading the thread clears it.
    let html = app.get_html(&app.client, "/messages").await;
    assert_eq!(menu_entry(&html, "/messages"), "Messages (2 non lus)");
    let html = app.get_html(&app.client, &format!("/messages/{id}")).await;
    assert!(html.contains("L'attestation est prête à l'accueil."));
    let html = app.get_html(&app.client, "/messages").await;
    assert_eq!(menu_entry(&html, "/messages"), "Messages (1 non lu)");

    // Staff close the thread: the family can no longer answer in it.
    let resp = app
        .post_form(
            &staff,
            &format!("/gestion/messages/{id}"),
            &format!("/gestion/messages/{id}/etat"),
            &[("etat", "close")],
        )
        .await;
    assert_redirect(&resp, &format!("/gestion/messages/{id}?info=close"));
    let html = app.get_html(&app.client, &format!("/messages/{id}")).await;
    assert!(html.contains("L'école a clos cette conversation."));
    assert!(!html.contains("Envoyer la réponse"));
    let before = app
        .count("select cast(count(*) as bigint) from message")
        .await;
    // A forged answer (the form of the open thread, sent after closing) is not stored.
    let html = app.get_html(&app.client, "/messages").await;
    let token = csrf_of(&html);
    let resp = app
        .client
        .post(app.url(&format!("/messages/{id}?csrf_token={token}")))
        .header("Origin", &app.address)
        .multipart(Form::new().text("message", "Et aussi…"))
        .send()
        .await
        .unwrap();
    assert_redirect(&resp, &format!("/messages/{id}?info=deja-close"));
    assert_eq!(
        app.count("select cast(count(*) as bigint) from message")
            .await,
        before
    );
    // Closed threads leave the staff's default list, and are found among all.
    let html = app.get_html(&staff, "/gestion/messages").await;
    assert!(!html.contains("Attestation pour le comité"));
    let html = app
        .get_html(&staff, "/gestion/messages?q=comit%C3%A9&etat=toutes")
        .await;
    assert!(has_cells(
        &html,
        "conversations-legende",
        &[
            "Attestation pour le comité d'entreprise",
            "ABARRE Jérémie",
            "Close"
        ]
    ));
    // Searching the text of a message, and a family's name.
    let html = app
        .get_html(&staff, "/gestion/messages?q=ACCUEIL+pr%C3%AAte&etat=toutes")
        .await;
    assert!(html.contains("1 conversation pour « ACCUEIL prête »"));
    let html = app
        .get_html(&staff, "/gestion/messages?q=abarre&etat=toutes")
        .await;
    assert!(html.contains("2 conversations pour « abarre »"));
    let html = app
        .get_html(&staff, "/gestion/messages?q=100%25_%5C&etat=toutes")
        .await;
    assert!(html.contains("Aucune conversation ne contient « 100%_\\ »."));
    let audit = app
        .count(
            "select cast(count(*) as bigint) from audit_log where action in \
             ('message_thread_started', 'message_answered_by_staff', 'message_thread_closed')",
        )
        .await;
    assert_eq!(audit, 3);
}

#[tokio::test]
async fn another_family_and_another_schools_staff_find_no_thread() {
    let app = spawn_app().await;
    let (id,): (i64,) = sqlx::query_as("select thread_id from message_thread")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let (mid,): (i64,) =
        sqlx::query_as("select message_id from message where thread_id = $1 limit 1")
            .bind(id)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    app.login("torre1", PASSWORD).await;
    let html = app.get_html(&app.client, "/messages").await;
    assert!(html.contains("Vous n'avez encore écrit aucun message à l'école."));
    assert_eq!(menu_entry(&html, "/messages"), "Messages");
    for path in [
        format!("/messages/{id}"),
        format!("/messages/{id}/pieces/{mid}"),
    ] {
        assert_eq!(
            app.get(&path).await.status(),
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
    let before = app
        .count("select cast(count(*) as bigint) from message")
        .await;
    let resp = send(
        &app,
        &app.client,
        "/messages",
        &format!("/messages/{id}"),
        Form::new().text("message", "Intrusion"),
    )
    .await;
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
    // A family reaching the staff's pages is refused.
    assert_eq!(
        app.get("/gestion/messages").await.status(),
        StatusCode::FORBIDDEN
    );

    // Staff of the other school.
    sqlx::query(
        "insert into account (account_id, site_id, identifier, password_hash, is_staff, role, display_name, created_at) \
         select 99, s.site_id, 'admin', a.password_hash, 1, 'administrateur', 'Autre ÉCOLE', 0 \
         from site s, account a where s.slug = 'conservatoire1' and a.identifier = 'admin'",
    )
    .execute(&app.pool)
    .await
    .unwrap();
    let other = new_client();
    let resp = app
        .post_form(
            &other,
            "/gestion/connexion",
            "/gestion/connexion",
            &[
                ("site", "conservatoire1"),
                ("identifiant", "admin"),
                ("mot_de_passe", PASSWORD),
            ],
        )
        .await;
    assert_redirect(&resp, "/gestion");
    let html = app.get_html(&other, "/gestion/messages?etat=toutes").await;
    assert!(html.contains("Aucune conversation."));
    for path in [
        format!("/gestion/messages/{id}"),
        format!("/gestion/messages/{id}/pieces/{mid}"),
    ] {
        assert_eq!(
            app.get_with(&other, &path).await.status(),
            StatusCode::NOT_FOUND,
            "{path}"
        );
    }
    let resp = app
        .post_form(
            &other,
            "/gestion/messages",
            &format!("/gestion/messages/{id}/etat"),
            &[("etat", "close")],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        app.count("select cast(count(*) as bigint) from message")
            .await,
        before
    );
    assert_eq!(
        app.count("select cast(count(*) as bigint) from message_thread where status = 'open'")
            .await,
        1
    );
}
