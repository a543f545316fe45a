//! The demo's exchanges between families and the school: teachers' e-mails, an absence
//! Irina's family reported for her next piano lesson, a justification of Hugo's absence
//! waiting for staff, a thread the school answered (unread by the family), and two notices:
//! one to the whole school, one to the families of Irina's department.

use time::{Date, Duration};

use crate::db::{self, Pool};
use crate::domain::date::{from_iso, iso};
use crate::features::absences::occurrences;
use crate::features::calendar::store::days_off;
use crate::features::pedagogy::store::{current_year, lessons};

pub struct Who {
    pub valognes: i64,
    pub abarre: i64,
    pub irina: i64,
    pub hugo: i64,
    /// Jérémie ABARRE's account (the reports' author).
    pub account: i64,
}

pub async fn seed(pool: &Pool, w: &Who, today: Date) -> anyhow::Result<()> {
    for (last, email) in [
        ("MARGEVAL", "brice.margeval@valognes.example.org"),
        ("ASTAREL", "carmen.astarel@valognes.example.org"),
        ("BARDONAULT", "anthony.bardonault@valognes.example.org"),
        ("LEMERCIER", "solene.lemercier@valognes.example.org"),
    ] {
        sqlx::query("update teacher set email = $1 where site_id = $2 and last_name = $3")
            .bind(email)
            .bind(w.valognes)
            .bind(last)
            .execute(pool)
            .await?;
    }
    let now = db::now();
    // Irina's next lesson of the timetable (holidays left out), reported: « rendez-vous médical ».
    if let Some(year) = current_year(pool, w.valognes, &iso(today)).await?
        && let (Some(first), Some(last)) = (from_iso(&year.starts_on), from_iso(&year.ends_on))
    {
        let hers: Vec<_> = lessons(pool, w.abarre, year.school_year_id)
            .await?
            .into_iter()
            .filter(|l| l.person_id == w.irina)
            .collect();
        let off = days_off(pool, w.valognes, &year).await?;
        let next = occurrences(
            &hers,
            &off,
            (first, last),
            today + Duration::days(1),
            today + Duration::days(28),
        );
        if let Some(o) = next.first() {
            let day = iso(o.day);
            sqlx::query(
                "insert into absence_report (absence_report_id, site_id, family_id, person_id, course_record_id, \
                 lesson_on, first_day, last_day, reason, details, status, created_at, created_by) \
                 values ($1, $2, $3, $4, $5, $6, $6, $6, 'medical', 'Rendez-vous chez l''orthodontiste.', 'reported', $7, $8)",
            )
            .bind(db::new_id())
            .bind(w.valognes)
            .bind(w.abarre)
            .bind(w.irina)
            .bind(o.course_record_id)
            .bind(&day)
            .bind(now)
            .bind(w.account)
            .execute(pool)
            .await?;
        }
    }
    // Hugo's unjustified absence from violin, justified by the family: waiting for staff.
    let absence: Option<(i64,)> = sqlx::query_as(
        "select a.absence_id from absence a join course_record r on r.course_record_id = a.course_record_id \
         where r.person_id = $1 and a.justified = 0 order by a.absent_on desc limit 1",
    )
    .bind(w.hugo)
    .fetch_optional(pool)
    .await?;
    if let Some((absence_id,)) = absence {
        sqlx::query(
            "insert into absence_justification (justification_id, site_id, family_id, absence_id, reason, details, \
             status, created_at, created_by) \
             values ($1, $2, $3, $4, 'maladie', 'Fièvre ; le certificat du médecin suit.', 'submitted', $5, $6)",
        )
        .bind(db::new_id())
        .bind(w.valognes)
        .bind(w.abarre)
        .bind(absence_id)
        .bind(now)
        .bind(w.account)
        .execute(pool)
        .await?;
    }
    // Jérémie ABARRE last came twelve days ago: the home page lists what is new since then.
    sqlx::query("update account set last_login_at = $1 where account_id = $2")
        .bind(now - 12 * 86_400)
        .bind(w.account)
        .execute(pool)
        .await?;
    // A thread: the family asks, the secretariat answers (the family has not read it yet).
    let staff: Option<(i64,)> = sqlx::query_as(
        "select account_id from account where site_id = $1 and is_staff = 1 order by account_id limit 1",
    )
    .bind(w.valognes)
    .fetch_optional(pool)
    .await?;
    if let Some((staff,)) = staff {
        let thread = db::new_id();
        let asked = now - 2 * 86_400;
        let answered = now - 86_400;
        sqlx::query(
            "insert into message_thread (thread_id, site_id, family_id, subject, status, created_at, updated_at, \
             family_messages, staff_messages, family_seen, staff_seen) \
             values ($1, $2, $3, 'Horaire du cours de piano en janvier', 'open', $4, $5, 1, 1, 0, 1)",
        )
        .bind(thread)
        .bind(w.valognes)
        .bind(w.abarre)
        .bind(asked)
        .bind(answered)
        .execute(pool)
        .await?;
        for (seq, (author, staff_side, body, at)) in [
            (
                w.account,
                0,
                "Bonjour,\n\nIrina pourrait-elle suivre son cours de piano à 18h au lieu de 17h30 en janvier ? \
                 Ses horaires de collège changent.\n\nMerci,\nJérémie ABARRE",
                asked,
            ),
            (
                staff,
                1,
                "Bonjour,\n\nMme ASTAREL peut la prendre à 18h le mardi à partir du 5 janvier. \
                 Le planning est sur https://valognes.example.org/planning.\n\nBien cordialement,\nClaire LEMOINE, secrétariat",
                answered,
            ),
        ]
        .into_iter()
        .enumerate()
        {
            sqlx::query(
                "insert into message (message_id, thread_id, author_account, from_staff, seq, body, created_at) \
                 values ($1, $2, $3, $4, $7, $5, $6)",
            )
            .bind(db::new_id())
            .bind(thread)
            .bind(author)
            .bind(staff_side)
            .bind(body)
            .bind(at)
            .bind(seq as i64 + 1)
            .execute(pool)
            .await?;
        }
        // Two notices: the whole school, and Irina's department.
        let department: Option<(i64,)> = sqlx::query_as(
            "select c.department_id from course_record r join course c on c.course_id = r.course_id \
             join school_year y on y.school_year_id = c.school_year_id \
             where r.person_id = $1 order by y.starts_on desc, c.name limit 1",
        )
        .bind(w.irina)
        .fetch_optional(pool)
        .await?;
        let notices = [
            (
                "Concert de Noël",
                "Les élèves de l'école donnent leur concert de Noël le samedi 19 décembre à 16h, \
                 à la salle des fêtes.\n\nEntrée libre. Le programme : https://valognes.example.org/concert-noel",
                "ecole",
                None,
            ),
            (
                "Auditions de fin de trimestre",
                "Les auditions du département ont lieu la semaine du 14 décembre, aux heures de cours.\n\n\
                 Les familles sont les bienvenues.",
                "departement",
                department.map(|d| d.0),
            ),
        ];
        for (title, body, audience, dept) in notices {
            if audience == "departement" && dept.is_none() {
                continue;
            }
            sqlx::query(
                "insert into notice (notice_id, site_id, title, body, audience, department_id, publish_on, \
                 expires_on, created_at, created_by) values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            )
            .bind(db::new_id())
            .bind(w.valognes)
            .bind(title)
            .bind(body)
            .bind(audience)
            .bind(dept)
            .bind(iso(today - Duration::days(3)))
            .bind(iso(today + Duration::days(30)))
            .bind(now - 3 * 86_400)
            .bind(staff)
            .execute(pool)
            .await?;
        }
    }
    Ok(())
}
