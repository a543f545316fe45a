//! Absences between families and the school: reported ahead of time (the school, the
//! teacher and the family told by mail), withdrawn until the lesson starts, justified with
//! a document, decided by staff, exported.

use reqwest::multipart::{Form, Part};
use reqwest::{Client, StatusCode};

use crate::helpers::*;

/// The school's mails go to its contact address, else the portal's sender (the demo has none).
const SCHOOL: &str = "portail@example.org";
const TEACHER_PIANO: &str = "brice.margeval@valognes.example.org";
const FAMILY: &str = "jeremie.abarre@example.org";

fn page_of(pid: i64) -> String {
    format!("/eleves/{pid}/absences")
}

/// The values of the lesson list of the report form.
fn lesson_options(html: &str) -> Vec<String> {
    let Some(select) = html
        .split_once("name=\"cours\"")
        .and_then(|(_, r)| r.split_once("</select>"))
        .map(|(s, _)| s)
    else {
        return Vec::new();
    };
    select
        .split("<option value=\"")
        .skip(1)
        .filter_map(|o| o.split('"').next())
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
        .collect()
}

async fn report(
    app: &TestApp,
    client: &Client,
    pid: i64,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    app.post_form(client, &page_of(pid), &page_of(pid), fields)
        .await
}

async fn reports(app: &TestApp, status: &str) -> i64 {
    let (n,): (i64,) =
        sqlx::query_as("select cast(count(*) as bigint) from absence_report where status = $1")
            .bind(status)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    n
}

fn mails_to(app: &TestApp, to: &str) -> Vec<String> {
    app.mails()
        .into_iter()
        .filter(|m| m.contains(&format!("To: {to}")))
        .collect()
}

#[tokio::test]
async fn a_lesson_reported_once_tells_the_school_the_teacher_and_the_family_and_can_be_withdrawn() {
    let app = spawn_app().await;
    app.login("abarre1", PASSWORD).await;
    let irina = app.person_id("Irina").await;
    let html = app.get_html(&app.client, &page_of(irina)).await;
    assert!(html.contains("<h3 id=\"signaler\">Signaler une absence</h3>"));
    assert!(html.contains("aria-current=\"page\">Absences</a>"));
    // The demo already reported her next lesson: it is listed, and withdrawable.
    assert_eq!(reports(&app, "reported").await, 1);
    assert!(html.contains("Rendez-vous médical"));
    let options = lesson_options(&html);
    assert!(options.len() >= 8, "eight weeks of lessons: {options:?}");
    // A piano lesson (Tuesday), not the one the demo reported.
    let (piano,): (i64,) = sqlx::query_as(
        "select r.course_record_id from course_record r join course c on c.course_id = r.course_id \
         where r.person_id = $1 and c.name = 'Piano 2C4'",
    )
    .bind(irina)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    let lesson = options
        .iter()
        .filter(|o| o.starts_with(&format!("{piano}:")))
        .nth(1)
        .expect("a second piano lesson")
        .clone();
    let fields = [
        ("quoi", "cours"),
        ("cours", lesson.as_str()),
        ("motif", "maladie"),
        ("precisions", "Angine, fièvre."),
    ];
    let resp = report(&app, &app.client, irina, &fields).await;
    assert_redirect(&resp, &format!("{}?info=signalee", page_of(irina)));
    assert_eq!(reports(&app, "reported").await, 2);
    // The school (with the reason and details), the teacher (without them), the family.
    let school = app.wait_for_mails(SCHOOL, 1).await;
    let school = school
        .iter()
        .find(|m| m.contains("signale une absence"))
        .unwrap();
    assert!(
        school.contains("Irina ABARRE")
            && school.contains("Piano 2C4")
            && school.contains("Angine, fièvre.")
    );
    assert!(school.contains("/gestion/absences"));
    let teacher = app.wait_for_mails(TEACHER_PIANO, 1).await;
    assert!(teacher[0].contains("Irina ABARRE") && teacher[0].contains("Piano 2C4"));
    assert!(
        !teacher[0].contains("Angine") && !teacher[0].contains("Maladie"),
        "the reason stays with the school"
    );
    let ack = app.wait_for_mails(FAMILY, 1).await;
    assert!(
        ack.iter()
            .any(|m| m.contains("a bien reçu votre signalement") && m.contains(&page_of(irina)))
    );

    // The same lesson again: one report, no second mail.
    let resp = report(&app, &app.client, irina, &fields).await;
    assert_redirect(&resp, &format!("{}?info=deja-signalee", page_of(irina)));
    assert_eq!(reports(&app, "reported").await, 2);
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(mails_to(&app, TEACHER_PIANO).len(), 1);

    // Withdrawn before the lesson: the school and the teacher are told.
    let html = app.get_html(&app.client, &page_of(irina)).await;
    let (id,): (i64,) = sqlx::query_as(
        "select absence_report_id from absence_report where lesson_on = $1 and course_record_id = $2",
    )
    .bind(lesson.split(':').nth(1).unwrap())
    .bind(piano)
    .fetch_one(&app.pool)
    .await
    .unwrap();
    let action = format!("{}/signalements/{id}/retirer", page_of(irina));
    assert!(html.contains(&format!("action=\"{action}\"")));
    let resp = app
        .post_form(&app.client, &page_of(irina), &action, &[])
        .await;
    assert_redirect(&resp, &format!("{}?info=retiree", page_of(irina)));
    assert_eq!(reports(&app, "withdrawn").await, 1);
    let teacher = app.wait_for_mails(TEACHER_PIANO, 2).await;
    assert!(
        teacher
            .iter()
            .any(|m| m.contains("retire l'absence signalée"))
    );
    // Withdrawn twice: nothing to withdraw.
    let resp = app
        .post_form(&app.client, &page_of(irina), &action, &[])
        .await;
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn each_mistake_in_a_report_is_named_and_nothing_is_kept() {
    let app = spawn_app().await;
    app.login("abarre1", PASSWORD).await;
    let irina = app.person_id("Irina").await;
    let before = reports(&app, "reported").await;
    for (fields, expected) in [
        (
            vec![("motif", "maladie")],
            "Absence : choisissez un cours ou plusieurs jours.",
        ),
        (
            vec![("quoi", "cours"), ("motif", "maladie")],
            "Cours concerné : choisissez le cours dans la liste.",
        ),
        // A lesson that is not in her timetable (a forged value).
        (
            vec![
                ("quoi", "cours"),
                ("cours", "1:2030-01-01"),
                ("motif", "maladie"),
            ],
            "Cours concerné : ce cours a commencé ou n'est pas dans l'emploi du temps",
        ),
        (
            vec![
                ("quoi", "periode"),
                ("debut", "31/02/2027"),
                ("fin", "01/03/2027"),
                ("motif", "maladie"),
            ],
            "Premier jour : ",
        ),
        (
            vec![
                ("quoi", "periode"),
                ("debut", ""),
                ("fin", ""),
                ("motif", "maladie"),
            ],
            "Premier jour : saisissez une date.",
        ),
        (
            vec![
                ("quoi", "periode"),
                ("debut", "10/03/2030"),
                ("fin", "09/03/2030"),
                ("motif", "maladie"),
            ],
            "Dernier jour : il vient avant le premier jour.",
        ),
        (
            vec![
                ("quoi", "periode"),
                ("debut", "01/01/2020"),
                ("fin", "02/01/2020"),
                ("motif", "maladie"),
            ],
            "Premier jour : une absence passée ne se signale pas",
        ),
        (
            vec![
                ("quoi", "periode"),
                ("debut", "01/01/2099"),
                ("fin", "02/01/2099"),
                ("motif", "maladie"),
            ],
            "Premier jour : une absence se signale au plus huit semaines à l'avance.",
        ),
        (
            vec![("quoi", "cours"), ("motif", "pirate")],
            "Motif : choisissez le motif dans la liste.",
        ),
        (
            vec![
                ("quoi", "cours"),
                ("motif", "maladie"),
                ("precisions", "a\u{7}b"),
            ],
            "Précisions : ",
        ),
    ] {
        let resp = report(&app, &app.client, irina, &fields).await;
        assert_eq!(
            resp.status(),
            StatusCode::UNPROCESSABLE_ENTITY,
            "{fields:?}"
        );
        let html = resp.text().await.unwrap();
        assert!(html.contains(expected), "{expected} for {fields:?}");
        assert!(title_of(&html).starts_with("Erreur"));
    }
    // What was typed stays.
    let resp = report(
        &app,
        &app.client,
        irina,
        &[
            ("quoi", "periode"),
            ("debut", "31/02/2027"),
            ("fin", "03/03/2027"),
            ("motif", "famille"),
            ("precisions", "Mariage"),
        ],
    )
    .await;
    let html = resp.text().await.unwrap();
    for kept in [
        "value=\"31/02/2027\"",
        "value=\"03/03/2027\"",
        "<option value=\"famille\" selected>",
        ">Mariage</textarea>",
        "value=\"periode\" checked",
    ] {
        assert!(html.contains(kept), "{kept}");
    }
    assert_eq!(reports(&app, "reported").await, before);
}

#[tokio::test]
async fn a_span_is_one_report_and_another_familys_student_is_out_of_reach() {
    let app = spawn_app().await;
    app.login("abarre1", PASSWORD).await;
    let hugo = app.person_id("Hugo").await;
    let today = time::OffsetDateTime::now_utc().date();
    let day = |d: time::Date| format!("{:02}/{:02}/{}", d.day(), u8::from(d.month()), d.year());
    let (first, last) = (
        day(today + time::Duration::days(2)),
        day(today + time::Duration::days(6)),
    );
    let fields = [
        ("quoi", "periode"),
        ("debut", first.as_str()),
        ("fin", last.as_str()),
        ("motif", "maladie"),
    ];
    assert_redirect(
        &report(&app, &app.client, hugo, &fields).await,
        &format!("{}?info=signalee", page_of(hugo)),
    );
    assert_redirect(
        &report(&app, &app.client, hugo, &fields).await,
        &format!("{}?info=deja-signalee", page_of(hugo)),
    );
    let html = app.get_html(&app.client, &page_of(hugo)).await;
    assert!(html.contains(&format!("du {first} au {last}")));
    assert!(html.contains("Tous ses cours"));

    // Another family: the page, a report and a withdrawal all answer 404.
    let other = new_client();
    app.login_with(&other, "torre1", PASSWORD).await;
    assert_eq!(
        app.get_with(&other, &page_of(hugo)).await.status(),
        StatusCode::NOT_FOUND
    );
    let token = csrf_of(&app.get_html(&other, "/accueil").await);
    let resp = other
        .post(app.url(&page_of(hugo)))
        .header("Origin", &app.address)
        .form(&[
            ("csrf_token", token.as_str()),
            ("quoi", "periode"),
            ("debut", first.as_str()),
            ("fin", last.as_str()),
            ("motif", "maladie"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
    let (id,): (i64,) =
        sqlx::query_as("select absence_report_id from absence_report where person_id = $1")
            .bind(hugo)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    let amelia = app.person_id("Amélia").await;
    for path in [
        format!("{}/signalements/{id}/retirer", page_of(hugo)),
        format!("{}/signalements/{id}/retirer", page_of(amelia)),
    ] {
        let resp = other
            .post(app.url(&path))
            .header("Origin", &app.address)
            .form(&[("csrf_token", token.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::NOT_FOUND, "{path}");
    }
    assert_eq!(
        reports(&app, "reported").await,
        2,
        "the demo's and this one, untouched"
    );
}

#[tokio::test]
async fn a_lesson_started_is_refused_unless_the_school_gives_time_to_report_it() {
    let app = spawn_app().await;
    app.login("abarre1", PASSWORD).await;
    let hugo = app.person_id("Hugo").await;
    let today = time::OffsetDateTime::now_utc().date();
    let yesterday = today - time::Duration::days(1);
    let d = format!(
        "{:02}/{:02}/{}",
        yesterday.day(),
        u8::from(yesterday.month()),
        yesterday.year()
    );
    let fields = [
        ("quoi", "periode"),
        ("debut", d.as_str()),
        ("fin", d.as_str()),
        ("motif", "maladie"),
    ];
    let resp = report(&app, &app.client, hugo, &fields).await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        resp.text()
            .await
            .unwrap()
            .contains("une absence passée ne se signale pas")
    );
    // The school allows 48 hours (École › Échanges avec les familles): yesterday is accepted.
    let staff = new_client();
    staff_login(&app, &staff).await;
    let resp = app
        .post_form(
            &staff,
            "/gestion/ecole",
            "/gestion/ecole/echanges",
            &[("delai", "48")],
        )
        .await;
    assert_redirect(&resp, "/gestion/ecole?info=echanges-enregistres");
    let html = app.get_html(&app.client, &page_of(hugo)).await;
    assert!(html.contains("jusqu'à 48\u{a0}heures après son début"));
    assert_redirect(
        &report(&app, &app.client, hugo, &fields).await,
        &format!("{}?info=signalee", page_of(hugo)),
    );
}

#[tokio::test]
async fn a_justification_is_refused_with_a_reason_sent_again_with_a_document_and_accepted() {
    let app = spawn_app().await;
    app.login("abarre1", PASSWORD).await;
    let hugo = app.person_id("Hugo").await;
    let staff = new_client();
    staff_login(&app, &staff).await;
    // The demo's justification of Hugo's absence waits for staff.
    let html = app.get_html(&staff, "/gestion/absences").await;
    assert!(html.contains("Justifications à examiner"));
    assert!(html.contains("ABARRE Hugo – absence du"));
    let (id, absence): (i64, i64) = sqlx::query_as(
        "select justification_id, absence_id from absence_justification where status = 'submitted'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    let action = format!("/gestion/absences/justifications/{id}");
    // Refusing needs a reason, named by its field.
    let resp = app
        .post_form(
            &staff,
            "/gestion/absences",
            &action,
            &[("decision", "refuser"), ("motif", "")],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        resp.text()
            .await
            .unwrap()
            .contains("Motif du refus : écrivez-le pour refuser la justification de ABARRE Hugo.")
    );
    let resp = app
        .post_form(
            &staff,
            "/gestion/absences",
            &action,
            &[
                ("decision", "refuser"),
                ("motif", "Il faut le certificat du médecin."),
            ],
        )
        .await;
    assert_redirect(&resp, "/gestion/absences?info=refusee");
    let mails = app.wait_for_mails(FAMILY, 1).await;
    assert!(mails.iter().any(
        |m| m.contains("n'est pas acceptée") && m.contains("Il faut le certificat du médecin.")
    ));
    // A second decision on the same one changes nothing.
    let resp = app
        .post_form(
            &staff,
            "/gestion/absences",
            &action,
            &[("decision", "accepter")],
        )
        .await;
    assert_redirect(&resp, "/gestion/absences?info=deja-decidee");

    // The family sees why, and sends it again with the certificate.
    let page = app.get_html(&app.client, &page_of(hugo)).await;
    assert!(page.contains("Refusée\u{a0}: Il faut le certificat du médecin."));
    let form_page = format!("{}/{absence}/justification", page_of(hugo));
    assert!(page.contains(&format!("href=\"{form_page}\"")));
    let html = app.get_html(&app.client, &form_page).await;
    let token = csrf_of(&html);
    let send = |parts: Form| {
        app.client
            .post(app.url(&format!("{form_page}?csrf_token={token}")))
            .header("Origin", &app.address)
            .multipart(parts)
            .send()
    };
    // A file that is not a document is refused, named, and nothing is kept.
    let resp = send(Form::new().text("motif", "maladie").part(
        "document",
        Part::bytes(b"<html><script>x</script>".to_vec()).file_name("certificat.pdf"),
    ))
    .await
    .unwrap();
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = resp.text().await.unwrap();
    assert!(
        html.contains("Document : Ce fichier n'est pas une image JPEG ou PNG ni un PDF."),
        "{html}"
    );
    assert!(html.contains("<option value=\"maladie\" selected>"));
    assert_eq!(
        app.count(
            "select cast(count(*) as bigint) from absence_justification where status = 'submitted'"
        )
        .await,
        0
    );
    let pdf = portee::domain::pdf_check::sample("", &[]);
    let resp = send(
        Form::new()
            .text("motif", "maladie")
            .text("precisions", "Certificat joint.")
            .part(
                "document",
                Part::bytes(pdf.clone()).file_name("certificat médical.pdf"),
            ),
    )
    .await
    .unwrap();
    assert_redirect(
        &resp,
        &format!("{}?info=justification-envoyee", page_of(hugo)),
    );
    let page = app.get_html(&app.client, &page_of(hugo)).await;
    assert!(page.contains("Envoyée, en attente de l'école"));

    // Staff download the certificate and accept: the absence is justified.
    let (id,): (i64,) = sqlx::query_as(
        "select justification_id from absence_justification where status = 'submitted'",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    let html = app.get_html(&staff, "/gestion/absences").await;
    let link = format!("/gestion/absences/justifications/{id}/document");
    assert!(html.contains(&link) && html.contains("certificat médical.pdf"));
    let file = app.get_with(&staff, &link).await;
    assert_eq!(file.headers()["content-type"], "application/pdf");
    assert!(
        file.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment")
    );
    assert_eq!(file.bytes().await.unwrap().to_vec(), pdf);
    // The family cannot reach the staff's address.
    assert_eq!(app.get(&link).await.status(), StatusCode::FORBIDDEN);
    let resp = app
        .post_form(
            &staff,
            "/gestion/absences",
            &format!("/gestion/absences/justifications/{id}"),
            &[("decision", "accepter")],
        )
        .await;
    assert_redirect(&resp, "/gestion/absences?info=acceptee");
    let (justified, reason): (i64, Option<String>) =
        sqlx::query_as("select justified, reason from absence where absence_id = $1")
            .bind(absence)
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert_eq!(justified, 1);
    assert_eq!(reason.as_deref(), Some("maladie : Certificat joint."));
    let mails = app.wait_for_mails(FAMILY, 2).await;
    assert!(mails.iter().any(|m| m.contains("est justifiée.")));
    let audit = app
        .count("select cast(count(*) as bigint) from audit_log where action in ('justification_accepted', 'justification_refused', 'absence_justified')")
        .await;
    assert_eq!(audit, 3);

    // The export carries both decisions, once.
    let resp = app
        .post_form(&staff, "/gestion/exports", "/gestion/exports", &[])
        .await;
    assert_redirect(&resp, "/gestion/exports?info=export-fait");
    let (csv,): (String,) =
        sqlx::query_as("select content from export_file where name = 'absences.csv'")
            .fetch_one(&app.pool)
            .await
            .unwrap();
    assert!(csv.starts_with("\u{feff}absence;absence_portee;eleve;eleve_portee;date;cours;decision;motif;precisions;motif_refus;decide_le;decide_par\r\n"));
    assert_eq!(csv.matches("\r\n").count(), 3, "{csv}");
    assert!(csv.contains(";refusee;Maladie;") && csv.contains("Il faut le certificat du médecin."));
    assert!(csv.contains(";acceptee;Maladie;Certificat joint.;;"));
    let resp = app
        .post_form(&staff, "/gestion/exports", "/gestion/exports", &[])
        .await;
    assert_redirect(&resp, "/gestion/exports?info=rien-de-nouveau");
}

#[tokio::test]
async fn staff_filter_the_lists_and_another_schools_staff_see_nothing() {
    let app = spawn_app().await;
    let staff = new_client();
    staff_login(&app, &staff).await;
    let (day, course): (String, i64) = sqlx::query_as(
        "select a.lesson_on, c.course_id from absence_report a join course_record r on r.course_record_id = a.course_record_id \
         join course c on c.course_id = r.course_id",
    )
    .fetch_one(&app.pool)
    .await
    .unwrap();
    let french = portee::domain::french_date(&day);
    let html = app
        .get_html(
            &staff,
            &format!(
                "/gestion/absences?jour={}&cours={course}",
                french.replace('/', "%2F")
            ),
        )
        .await;
    assert!(
        has_row(&html, "signalees-legende", &["ABARRE Irina"]),
        "{html}"
    );
    let html = app
        .get_html(&staff, "/gestion/absences?jour=01%2F01%2F2001")
        .await;
    assert!(html.contains("Aucune absence signalée à venir."));
    let resp = app
        .get_with(&staff, "/gestion/absences?jour=32%2F13%2F2026")
        .await;
    assert_eq!(resp.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(resp.text().await.unwrap().contains("Jour : "));

    // Another school's staff: an empty page, and 404 on this school's justification.
    let school = crate::school::TestSchool::generate(&app).await;
    let other = new_client();
    app.school_staff_login(&other, &school).await;
    let html = app.get_html(&other, "/gestion/absences").await;
    assert!(!html.contains("ABARRE"));
    let (id,): (i64,) = sqlx::query_as("select justification_id from absence_justification")
        .fetch_one(&app.pool)
        .await
        .unwrap();
    let resp = app
        .post_form(
            &other,
            "/gestion/absences",
            &format!("/gestion/absences/justifications/{id}"),
            &[("decision", "accepter")],
        )
        .await;
    assert_eq!(resp.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        app.get_with(
            &other,
            &format!("/gestion/absences/justifications/{id}/document")
        )
        .await
        .status(),
        StatusCode::NOT_FOUND
    );
}
