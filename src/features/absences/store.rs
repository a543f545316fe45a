//! SQL of absences reported and justified. The family's queries join `person` on the
//! session's family (another family's student is simply not found); the staff's on their
//! school.

use crate::audit::audit;
use crate::db::{self, Pool};
use crate::mail::Outgoing;
use crate::web::files::StoredFile;

/// An absence a family reported.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Report {
    pub absence_report_id: i64,
    pub person_id: i64,
    pub student: String,
    pub course_record_id: Option<i64>,
    pub course: Option<String>,
    pub start_time: Option<String>,
    pub lesson_on: Option<String>,
    pub first_day: String,
    pub last_day: String,
    pub reason: String,
    pub details: String,
    pub status: String,
    pub created_at: i64,
}

const REPORT_COLUMNS: &str = "a.absence_report_id, a.person_id, p.first_name || ' ' || p.last_name as student, \
     a.course_record_id, c.name as course, c.start_time, a.lesson_on, a.first_day, a.last_day, a.reason, \
     a.details, a.status, a.created_at";

const REPORT_FROM: &str = "from absence_report a join person p on p.person_id = a.person_id \
     left join course_record r on r.course_record_id = a.course_record_id \
     left join course c on c.course_id = r.course_id";

/// A student's reports still standing, ending on `since` or later, in time order.
pub async fn reports_of(
    pool: &Pool,
    family_id: i64,
    person_id: i64,
    since: &str,
) -> sqlx::Result<Vec<Report>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "select {REPORT_COLUMNS} {REPORT_FROM} \
         where a.family_id = $1 and p.family_id = $1 and a.person_id = $2 and a.status = 'reported' \
           and a.last_day >= $3 \
         order by a.first_day, c.start_time, a.absence_report_id"
    )))
    .bind(family_id)
    .bind(person_id)
    .bind(since)
    .fetch_all(pool)
    .await
}

/// One of the family's reports.
pub async fn report(
    pool: &Pool,
    family_id: i64,
    person_id: i64,
    report_id: i64,
) -> sqlx::Result<Option<Report>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "select {REPORT_COLUMNS} {REPORT_FROM} \
         where a.absence_report_id = $1 and a.family_id = $2 and p.family_id = $2 and a.person_id = $3"
    )))
    .bind(report_id)
    .bind(family_id)
    .bind(person_id)
    .fetch_optional(pool)
    .await
}

/// A report to record: one lesson (`course_record_id` and `lesson_on`) or a span.
pub struct NewReport<'a> {
    pub site_id: i64,
    pub family_id: i64,
    pub person_id: i64,
    pub account_id: i64,
    pub course_record_id: Option<i64>,
    pub lesson_on: Option<&'a str>,
    pub first_day: &'a str,
    pub last_day: &'a str,
    pub reason: &'a str,
    pub details: &'a str,
}

/// A report recorded now, or the same one already standing (no second mail).
pub enum Reported {
    New(i64),
    Already(i64),
}

/// Records a report and queues its mails in the same transaction; the same lesson or span
/// reported again is the report already standing.
pub async fn add_report(
    pool: &Pool,
    r: &NewReport<'_>,
    mails: &[Outgoing],
) -> sqlx::Result<Reported> {
    let mut tx = db::begin(pool).await?;
    let id = db::new_id();
    let inserted = sqlx::query(
        "insert into absence_report (absence_report_id, site_id, family_id, person_id, course_record_id, \
         lesson_on, first_day, last_day, reason, details, status, created_at, created_by) \
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'reported', $11, $12) on conflict do nothing",
    )
    .bind(id)
    .bind(r.site_id)
    .bind(r.family_id)
    .bind(r.person_id)
    .bind(r.course_record_id)
    .bind(r.lesson_on)
    .bind(r.first_day)
    .bind(r.last_day)
    .bind(r.reason)
    .bind(r.details)
    .bind(db::now())
    .bind(r.account_id)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if inserted == 0 {
        let (existing,): (i64,) = sqlx::query_as(
            "select absence_report_id from absence_report where person_id = $1 and status = 'reported' \
             and ((course_record_id = $2 and lesson_on = $3) \
               or (course_record_id is null and $2 = 0 and first_day = $4 and last_day = $5))",
        )
        .bind(r.person_id)
        .bind(r.course_record_id.unwrap_or(0))
        .bind(r.lesson_on.unwrap_or(""))
        .bind(r.first_day)
        .bind(r.last_day)
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await?;
        return Ok(Reported::Already(existing));
    }
    for m in mails {
        crate::mail::enqueue(&mut tx, Some(r.site_id), m).await?;
    }
    audit(
        &mut tx,
        Some(r.site_id),
        Some(r.account_id),
        "absence_reported",
        &format!(
            "{id}: élève {} du {} au {}",
            r.person_id, r.first_day, r.last_day
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(Reported::New(id))
}

/// Withdraws a standing report of the family (the caller checked it has not started), with
/// its mails. False when there is no such standing report.
pub async fn withdraw(
    pool: &Pool,
    site_id: i64,
    family_id: i64,
    account_id: i64,
    report_id: i64,
    mails: &[Outgoing],
) -> sqlx::Result<bool> {
    let mut tx = db::begin(pool).await?;
    let n = sqlx::query(
        "update absence_report set status = 'withdrawn', withdrawn_at = $1 \
         where absence_report_id = $2 and family_id = $3 and status = 'reported'",
    )
    .bind(db::now())
    .bind(report_id)
    .bind(family_id)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if n == 1 {
        for m in mails {
            crate::mail::enqueue(&mut tx, Some(site_id), m).await?;
        }
        audit(
            &mut tx,
            Some(site_id),
            Some(account_id),
            "absence_withdrawn",
            &report_id.to_string(),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(n == 1)
}

/// The teachers' e-mails of some course records (those with one).
pub async fn teacher_emails(pool: &Pool, records: &[i64]) -> sqlx::Result<Vec<String>> {
    let mut out = Vec::new();
    for id in records {
        let row: Option<(Option<String>,)> = sqlx::query_as(
            "select t.email from course_record r join course c on c.course_id = r.course_id \
             join teacher t on t.teacher_id = c.teacher_id where r.course_record_id = $1",
        )
        .bind(id)
        .fetch_optional(pool)
        .await?;
        if let Some(email) = row.and_then(|r| r.0).filter(|e| !e.trim().is_empty())
            && !out.contains(&email)
        {
            out.push(email);
        }
    }
    Ok(out)
}

/// An absence the school recorded, with where its justification stands.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Recorded {
    pub absence_id: i64,
    pub course_record_id: i64,
    pub course: String,
    pub absent_on: String,
    pub at_time: Option<String>,
    #[sqlx(try_from = "crate::db::Flag")]
    pub justified: bool,
    pub reason: Option<String>,
    /// The justification that counts: the one waiting (one at most), else the accepted one
    /// (final), else the latest refusal: 'submitted', 'accepted', 'refused'. (Ids are random
    /// and two may share a second, so time alone cannot order them.)
    pub justification: Option<String>,
    pub refusal: Option<String>,
}

/// Ends with `where`: each caller adds its conditions (the family first).
const RECORDED: &str = "select a.absence_id, a.course_record_id, c.name as course, a.absent_on, a.at_time, \
     a.justified, a.reason, \
     (select j.status from absence_justification j where j.absence_id = a.absence_id \
      order by case j.status when 'submitted' then 0 when 'accepted' then 1 else 2 end, j.created_at desc, j.justification_id desc limit 1) as justification, \
     (select j.decision_reason from absence_justification j where j.absence_id = a.absence_id \
      order by case j.status when 'submitted' then 0 when 'accepted' then 1 else 2 end, j.created_at desc, j.justification_id desc limit 1) as refusal \
     from absence a join course_record r on r.course_record_id = a.course_record_id \
     join course c on c.course_id = r.course_id join person p on p.person_id = r.person_id where";

/// A student's recorded absences of a school year, newest first.
pub async fn recorded(
    pool: &Pool,
    family_id: i64,
    person_id: i64,
    school_year_id: i64,
) -> sqlx::Result<Vec<Recorded>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{RECORDED} p.family_id = $1 and r.person_id = $2 and c.school_year_id = $3 \
         order by a.absent_on desc, a.absence_id"
    )))
    .bind(family_id)
    .bind(person_id)
    .bind(school_year_id)
    .fetch_all(pool)
    .await
}

/// One recorded absence of the family's student.
pub async fn recorded_one(
    pool: &Pool,
    family_id: i64,
    person_id: i64,
    absence_id: i64,
) -> sqlx::Result<Option<Recorded>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{RECORDED} p.family_id = $1 and r.person_id = $2 and a.absence_id = $3"
    )))
    .bind(family_id)
    .bind(person_id)
    .bind(absence_id)
    .fetch_optional(pool)
    .await
}

/// A justification to record.
pub struct NewJustification<'a> {
    pub site_id: i64,
    pub family_id: i64,
    pub account_id: i64,
    pub absence_id: i64,
    pub reason: &'a str,
    pub details: &'a str,
    /// Name, type and bytes of the optional document.
    pub file: Option<(&'a str, &'a str, &'a [u8])>,
}

/// Records a justification (one waits for staff at a time) and queues its mails. False when
/// one is already waiting.
pub async fn justify(
    pool: &Pool,
    j: &NewJustification<'_>,
    mails: &[Outgoing],
) -> sqlx::Result<bool> {
    let mut tx = db::begin(pool).await?;
    let id = db::new_id();
    let (name, kind, bytes) = match j.file {
        Some((n, k, b)) => (Some(n), Some(k), Some(b)),
        None => (None, None, None),
    };
    let n = sqlx::query(
        "insert into absence_justification (justification_id, site_id, family_id, absence_id, reason, details, \
         file_name, content_type, size_bytes, content, status, created_at, created_by) \
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'submitted', $11, $12) on conflict do nothing",
    )
    .bind(id)
    .bind(j.site_id)
    .bind(j.family_id)
    .bind(j.absence_id)
    .bind(j.reason)
    .bind(j.details)
    .bind(name)
    .bind(kind)
    .bind(bytes.map(|b| b.len() as i64))
    .bind(bytes)
    .bind(db::now())
    .bind(j.account_id)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if n == 1 {
        for m in mails {
            crate::mail::enqueue(&mut tx, Some(j.site_id), m).await?;
        }
        audit(
            &mut tx,
            Some(j.site_id),
            Some(j.account_id),
            "absence_justified",
            &format!("absence {}", j.absence_id),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(n == 1)
}

/// The document of a justification: for its family (`family_id`) or staff of its school.
pub async fn justification_file(
    pool: &Pool,
    justification_id: i64,
    family_id: Option<i64>,
    site_id: i64,
) -> sqlx::Result<Option<StoredFile>> {
    sqlx::query_as(
        "select file_name, content_type, content from absence_justification \
         where justification_id = $1 and site_id = $2 and ($3 = 0 or family_id = $3) and content is not null",
    )
    .bind(justification_id)
    .bind(site_id)
    .bind(family_id.unwrap_or(0))
    .fetch_optional(pool)
    .await
}

// ---- staff ----

/// What staff narrow the lists to.
#[derive(Clone, Debug, Default)]
pub struct Filter {
    /// `YYYY-MM-DD`: reports covering that day, justifications of absences of that day.
    pub day: Option<String>,
    pub course_id: Option<i64>,
    pub teacher_id: Option<i64>,
}

/// A report, as staff list it.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct SiteReport {
    pub absence_report_id: i64,
    pub student: String,
    pub course: Option<String>,
    pub teacher: Option<String>,
    pub start_time: Option<String>,
    pub lesson_on: Option<String>,
    pub first_day: String,
    pub last_day: String,
    pub reason: String,
    pub details: String,
    pub created_at: i64,
}

/// The school's standing reports ending on `since` or later, filtered, in time order. A span
/// (an illness) belongs to every course of the student.
pub async fn site_reports(
    pool: &Pool,
    site_id: i64,
    since: &str,
    f: &Filter,
) -> sqlx::Result<Vec<SiteReport>> {
    sqlx::query_as(
        "select a.absence_report_id, p.last_name || ' ' || p.first_name as student, c.name as course, \
                case when t.teacher_id is null then null else t.last_name || ' ' || t.first_name end as teacher, \
                c.start_time, a.lesson_on, a.first_day, a.last_day, a.reason, a.details, a.created_at \
         from absence_report a join person p on p.person_id = a.person_id \
         left join course_record r on r.course_record_id = a.course_record_id \
         left join course c on c.course_id = r.course_id \
         left join teacher t on t.teacher_id = c.teacher_id \
         where a.site_id = $1 and a.status = 'reported' and a.last_day >= $2 \
           and ($3 = '' or (a.first_day <= $3 and $3 <= a.last_day)) \
           and ($4 = 0 or c.course_id = $4 or (a.course_record_id is null and exists ( \
                select 1 from course_record r2 where r2.person_id = a.person_id and r2.course_id = $4))) \
           and ($5 = 0 or c.teacher_id = $5 or (a.course_record_id is null and exists ( \
                select 1 from course_record r3 join course c3 on c3.course_id = r3.course_id \
                where r3.person_id = a.person_id and c3.teacher_id = $5))) \
         order by a.first_day, c.start_time, p.last_name, p.first_name, a.absence_report_id",
    )
    .bind(site_id)
    .bind(since)
    .bind(f.day.as_deref().unwrap_or(""))
    .bind(f.course_id.unwrap_or(0))
    .bind(f.teacher_id.unwrap_or(0))
    .fetch_all(pool)
    .await
}

/// A justification waiting for staff.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Waiting {
    pub justification_id: i64,
    pub family_id: i64,
    pub student: String,
    pub course: String,
    pub teacher: Option<String>,
    pub absent_on: String,
    pub at_time: Option<String>,
    pub reason: String,
    pub details: String,
    pub file_name: Option<String>,
    pub content_type: Option<String>,
    pub created_at: i64,
}

/// Ends with `where`: each caller adds its conditions (the school first).
const WAITING: &str = "select j.justification_id, j.family_id, p.last_name || ' ' || p.first_name as student, \
     c.name as course, case when t.teacher_id is null then null else t.last_name || ' ' || t.first_name end as teacher, \
     a.absent_on, a.at_time, j.reason, j.details, j.file_name, j.content_type, j.created_at \
     from absence_justification j join absence a on a.absence_id = j.absence_id \
     join course_record r on r.course_record_id = a.course_record_id \
     join person p on p.person_id = r.person_id \
     join course c on c.course_id = r.course_id \
     left join teacher t on t.teacher_id = c.teacher_id where";

/// The school's justifications waiting for a decision, oldest first, filtered.
pub async fn waiting(pool: &Pool, site_id: i64, f: &Filter) -> sqlx::Result<Vec<Waiting>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{WAITING} j.site_id = $1 and j.status = 'submitted' \
           and ($2 = '' or a.absent_on = $2) and ($3 = 0 or c.course_id = $3) and ($4 = 0 or c.teacher_id = $4) \
         order by j.created_at, j.justification_id"
    )))
    .bind(site_id)
    .bind(f.day.as_deref().unwrap_or(""))
    .bind(f.course_id.unwrap_or(0))
    .bind(f.teacher_id.unwrap_or(0))
    .fetch_all(pool)
    .await
}

/// One waiting justification of the school.
pub async fn waiting_one(
    pool: &Pool,
    site_id: i64,
    justification_id: i64,
) -> sqlx::Result<Option<Waiting>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "{WAITING} j.site_id = $1 and j.justification_id = $2 and j.status = 'submitted'"
    )))
    .bind(site_id)
    .bind(justification_id)
    .fetch_optional(pool)
    .await
}

/// Is this a justification of the school (whatever its state)?
pub async fn is_of_site(pool: &Pool, site_id: i64, justification_id: i64) -> sqlx::Result<bool> {
    let row: Option<(i64,)> = sqlx::query_as(
        "select justification_id from absence_justification where justification_id = $1 and site_id = $2",
    )
    .bind(justification_id)
    .bind(site_id)
    .fetch_optional(pool)
    .await?;
    Ok(row.is_some())
}

/// Staff's decision on a waiting justification: accepted (`refusal` None), which marks the
/// absence « justifiée » with the family's reason, or refused with a reason. False when it
/// was decided meanwhile (the first decision stands).
pub async fn decide(
    pool: &Pool,
    site_id: i64,
    staff_id: i64,
    justification_id: i64,
    refusal: Option<&str>,
    mail: Option<&Outgoing>,
) -> sqlx::Result<bool> {
    let accept = refusal.is_none();
    let mut tx = db::begin(pool).await?;
    let n = sqlx::query(
        "update absence_justification set status = $1, decision_reason = $2, decided_at = $3, decided_by = $4 \
         where justification_id = $5 and site_id = $6 and status = 'submitted'",
    )
    .bind(if accept { "accepted" } else { "refused" })
    .bind(refusal)
    .bind(db::now())
    .bind(staff_id)
    .bind(justification_id)
    .bind(site_id)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if n == 0 {
        tx.commit().await?;
        return Ok(false);
    }
    if accept {
        sqlx::query(
            "update absence set justified = 1, reason = ( \
                select case when j.details = '' then j.reason else j.reason || ' : ' || j.details end \
                from absence_justification j where j.justification_id = $1) \
             where absence_id = (select absence_id from absence_justification where justification_id = $1)",
        )
        .bind(justification_id)
        .execute(&mut *tx)
        .await?;
    }
    if let Some(m) = mail {
        crate::mail::enqueue(&mut tx, Some(site_id), m).await?;
    }
    audit(
        &mut tx,
        Some(site_id),
        Some(staff_id),
        if accept {
            "justification_accepted"
        } else {
            "justification_refused"
        },
        &justification_id.to_string(),
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}

/// A course or a teacher of the school's current year, for the staff's filters.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Choice {
    pub id: i64,
    pub name: String,
}

pub async fn courses(pool: &Pool, site_id: i64, school_year_id: i64) -> sqlx::Result<Vec<Choice>> {
    sqlx::query_as(
        "select course_id as id, name from course where site_id = $1 and school_year_id = $2 order by name, course_id",
    )
    .bind(site_id)
    .bind(school_year_id)
    .fetch_all(pool)
    .await
}

pub async fn teachers(pool: &Pool, site_id: i64) -> sqlx::Result<Vec<Choice>> {
    sqlx::query_as(
        "select teacher_id as id, last_name || ' ' || first_name as name from teacher where site_id = $1 \
         order by last_name, first_name, teacher_id",
    )
    .bind(site_id)
    .fetch_all(pool)
    .await
}
