//! SQL of the school's news. A family sees the notices of its school that are published,
//! not expired, and meant for it: the whole school, a department one of its students has a
//! course in (of a school year not over when the notice was published), or a course one of
//! them follows. Staff see and change their own school's notices only.

use crate::audit::audit;
use crate::db::{self, Pool};
use crate::mail::Outgoing;
use crate::web::files::StoredFile;

/// A notice, with whom it is for in words.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Notice {
    pub notice_id: i64,
    pub title: String,
    pub body: String,
    pub audience: String,
    /// The department's or the course's name (None for the whole school).
    pub audience_name: Option<String>,
    pub publish_on: String,
    pub expires_on: Option<String>,
    pub file_name: Option<String>,
    pub size_bytes: Option<i64>,
    pub created_at: i64,
    pub mailed_at: Option<i64>,
    /// Families it was mailed to.
    pub mailed: i64,
}

impl Notice {
    /// « Toute l'école », « Département Cordes », « Cours Piano 2C4 ».
    pub fn audience_words(&self) -> String {
        match (self.audience.as_str(), &self.audience_name) {
            ("departement", Some(n)) => format!("Département {n}"),
            ("cours", Some(n)) => format!("Cours {n}"),
            _ => "Toute l'école".to_owned(),
        }
    }
}

const COLUMNS: &str = "n.notice_id, n.title, n.body, n.audience, \
     case when n.audience = 'departement' then d.name when n.audience = 'cours' then c.name else null end as audience_name, \
     n.publish_on, n.expires_on, n.file_name, n.size_bytes, n.created_at, n.mailed_at, \
     cast((select count(*) from notice_mail m where m.notice_id = n.notice_id) as bigint) as mailed \
     from notice n left join department d on d.department_id = n.department_id \
     left join course c on c.course_id = n.course_id";

/// Is notice `n` for the family bound to `$1`?
const FOR_FAMILY: &str = "(n.audience = 'ecole' \
     or (n.audience = 'departement' and exists (select 1 from person p \
         join course_record r on r.person_id = p.person_id join course k on k.course_id = r.course_id \
         join school_year y on y.school_year_id = k.school_year_id \
         where p.family_id = $1 and k.department_id = n.department_id and y.ends_on >= n.publish_on)) \
     or (n.audience = 'cours' and exists (select 1 from person p \
         join course_record r on r.person_id = p.person_id \
         where p.family_id = $1 and r.course_id = n.course_id)))";

/// The family's current notices, the most recently published first.
pub async fn for_family(
    pool: &Pool,
    family_id: i64,
    site_id: i64,
    today: &str,
) -> sqlx::Result<Vec<Notice>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "select {COLUMNS} where n.site_id = $2 and n.publish_on <= $3 \
           and (n.expires_on is null or n.expires_on >= $3) and {FOR_FAMILY} \
         order by n.publish_on desc, n.created_at desc limit 50"
    )))
    .bind(family_id)
    .bind(site_id)
    .bind(today)
    .fetch_all(pool)
    .await
}

/// The school's notices, the most recently published first.
pub async fn of_site(pool: &Pool, site_id: i64) -> sqlx::Result<Vec<Notice>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "select {COLUMNS} where n.site_id = $1 order by n.publish_on desc, n.created_at desc limit 200"
    )))
    .bind(site_id)
    .fetch_all(pool)
    .await
}

/// A notice to publish (checked by the staff page).
pub struct NewNotice<'a> {
    pub site_id: i64,
    pub account_id: i64,
    pub title: &'a str,
    pub body: &'a str,
    /// 'ecole', 'departement' or 'cours', with the department's or course's id.
    pub audience: (&'a str, Option<i64>),
    pub publish_on: &'a str,
    pub expires_on: Option<&'a str>,
    /// Name and bytes of the optional PDF.
    pub file: Option<(&'a str, &'a [u8])>,
}

pub async fn create(pool: &Pool, n: &NewNotice<'_>) -> sqlx::Result<i64> {
    let mut tx = db::begin(pool).await?;
    let id = db::new_id();
    let (department, course) = match n.audience {
        ("departement", d) => (d, None),
        ("cours", c) => (None, c),
        _ => (None, None),
    };
    sqlx::query(
        "insert into notice (notice_id, site_id, title, body, audience, department_id, course_id, \
         publish_on, expires_on, file_name, size_bytes, content, created_at, created_by) \
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
    )
    .bind(id)
    .bind(n.site_id)
    .bind(n.title)
    .bind(n.body)
    .bind(n.audience.0)
    .bind(department)
    .bind(course)
    .bind(n.publish_on)
    .bind(n.expires_on)
    .bind(n.file.map(|f| f.0))
    .bind(n.file.map(|f| f.1.len() as i64))
    .bind(n.file.map(|f| f.1))
    .bind(db::now())
    .bind(n.account_id)
    .execute(&mut *tx)
    .await?;
    audit(
        &mut tx,
        Some(n.site_id),
        Some(n.account_id),
        "notice_published",
        &format!("notice {id}: {}", n.title),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Ends a notice yesterday (it leaves the families' pages and feeds at once). False when it
/// had already ended.
pub async fn withdraw(
    pool: &Pool,
    site_id: i64,
    account_id: i64,
    notice_id: i64,
    yesterday: &str,
) -> sqlx::Result<bool> {
    let mut tx = db::begin(pool).await?;
    let n = sqlx::query(
        "update notice set expires_on = $3 where site_id = $1 and notice_id = $2 \
         and (expires_on is null or expires_on > $3)",
    )
    .bind(site_id)
    .bind(notice_id)
    .bind(yesterday)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if n == 1 {
        audit(
            &mut tx,
            Some(site_id),
            Some(account_id),
            "notice_withdrawn",
            &format!("notice {notice_id}"),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(n == 1)
}

/// One notice of the school.
pub async fn one(pool: &Pool, site_id: i64, notice_id: i64) -> sqlx::Result<Option<Notice>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "select {COLUMNS} where n.site_id = $1 and n.notice_id = $2"
    )))
    .bind(site_id)
    .bind(notice_id)
    .fetch_optional(pool)
    .await
}

/// Mails the notice to each family of its audience that has not had it yet (the
/// `notice_mail` key makes that once per family, even when two staff send at once), through
/// the outbox, in one transaction. Returns how many mails were queued.
pub async fn mail_audience(
    pool: &Pool,
    site_id: i64,
    account_id: i64,
    notice_id: i64,
    make: impl Fn(&str) -> Outgoing,
) -> sqlx::Result<usize> {
    let mut tx = db::begin(pool).await?;
    let families: Vec<(i64, Option<String>)> = sqlx::query_as(sqlx::AssertSqlSafe(
        FOR_FAMILY_MAIL.replace("{FOR_FAMILY}", &FOR_FAMILY.replace("$1", "f.family_id")),
    ))
    .bind(site_id)
    .bind(notice_id)
    .fetch_all(&mut *tx)
    .await?;
    let mut queued = 0;
    for (family_id, email) in families {
        let first = sqlx::query(
            "insert into notice_mail (notice_id, family_id) values ($1, $2) on conflict do nothing",
        )
        .bind(notice_id)
        .bind(family_id)
        .execute(&mut *tx)
        .await?
        .rows_affected()
            == 1;
        if let (true, Some(to)) = (first, email) {
            crate::mail::enqueue(&mut tx, Some(site_id), &make(&to)).await?;
            queued += 1;
        }
    }
    sqlx::query("update notice set mailed_at = $3 where site_id = $1 and notice_id = $2")
        .bind(site_id)
        .bind(notice_id)
        .bind(db::now())
        .execute(&mut *tx)
        .await?;
    audit(
        &mut tx,
        Some(site_id),
        Some(account_id),
        "notice_mailed",
        &format!("notice {notice_id}: {queued} mails"),
    )
    .await?;
    tx.commit().await?;
    Ok(queued)
}

/// The families of a notice's audience, each with its first guardian's e-mail.
const FOR_FAMILY_MAIL: &str = "select f.family_id, \
     (select p.email from person p where p.family_id = f.family_id and p.is_guardian = 1 \
      and p.email is not null order by p.last_name, p.first_name, p.person_id limit 1) as email \
     from notice n join family f on f.site_id = n.site_id \
     where n.site_id = $1 and n.notice_id = $2 and {FOR_FAMILY} order by f.family_id";

/// A notice's PDF, for staff of its school.
pub async fn file_of_site(
    pool: &Pool,
    site_id: i64,
    notice_id: i64,
) -> sqlx::Result<Option<StoredFile>> {
    sqlx::query_as(
        "select file_name, 'application/pdf' as content_type, content from notice \
         where site_id = $1 and notice_id = $2 and content is not null",
    )
    .bind(site_id)
    .bind(notice_id)
    .fetch_optional(pool)
    .await
}

/// A notice's PDF, for a family it is meant for, while it is shown.
pub async fn file_for_family(
    pool: &Pool,
    family_id: i64,
    site_id: i64,
    notice_id: i64,
    today: &str,
) -> sqlx::Result<Option<StoredFile>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "select n.file_name, 'application/pdf' as content_type, n.content from notice n \
         where n.site_id = $2 and n.notice_id = $4 and n.content is not null and n.publish_on <= $3 \
           and (n.expires_on is null or n.expires_on >= $3) and {FOR_FAMILY}"
    )))
    .bind(family_id)
    .bind(site_id)
    .bind(today)
    .bind(notice_id)
    .fetch_optional(pool)
    .await
}

/// What a notice may be sent to: the school's departments, and this year's courses.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Choice {
    pub id: i64,
    pub name: String,
}

pub async fn departments(pool: &Pool, site_id: i64) -> sqlx::Result<Vec<Choice>> {
    sqlx::query_as(
        "select department_id as id, name from department where site_id = $1 order by name, department_id",
    )
    .bind(site_id)
    .fetch_all(pool)
    .await
}

pub async fn courses(pool: &Pool, site_id: i64, school_year_id: i64) -> sqlx::Result<Vec<Choice>> {
    sqlx::query_as(
        "select course_id as id, name from course where school_year_id = $1 and site_id = $2 \
         order by name, course_id",
    )
    .bind(school_year_id)
    .bind(site_id)
    .fetch_all(pool)
    .await
}

/// Replaces the family's news feed token (the old address stops working at once).
pub async fn set_feed(pool: &Pool, family_id: i64, token_hash: &str) -> sqlx::Result<()> {
    sqlx::query("update family set news_token_hash = $1 where family_id = $2")
        .bind(token_hash)
        .bind(family_id)
        .execute(pool)
        .await?;
    Ok(())
}

pub async fn has_feed(pool: &Pool, family_id: i64) -> sqlx::Result<bool> {
    let row: Option<(Option<String>,)> =
        sqlx::query_as("select news_token_hash from family where family_id = $1")
            .bind(family_id)
            .fetch_optional(pool)
            .await?;
    Ok(row.and_then(|r| r.0).is_some())
}

/// The family and school a feed token opens.
pub async fn family_by_feed(pool: &Pool, token_hash: &str) -> sqlx::Result<Option<(i64, i64)>> {
    sqlx::query_as("select family_id, site_id from family where news_token_hash = $1")
        .bind(token_hash)
        .fetch_optional(pool)
        .await
}
