//! SQL of the pedagogical follow-up. Every query joins `person` on the session's family,
//! so another family's student, record, evaluation or absence is simply not found.

use crate::db::Pool;

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct SchoolYear {
    pub school_year_id: i64,
    pub label: String,
    pub starts_on: String,
    pub ends_on: String,
}

/// The school year running on `today` (or the latest one begun before it).
pub async fn current_year(
    pool: &Pool,
    site_id: i64,
    today: &str,
) -> sqlx::Result<Option<SchoolYear>> {
    sqlx::query_as(
        "select school_year_id, label, starts_on, ends_on from school_year \
         where site_id = $1 and starts_on <= $2 order by starts_on desc limit 1",
    )
    .bind(site_id)
    .bind(today)
    .fetch_optional(pool)
    .await
}

/// A line of the Cours tab, of Historique, or the head of a course record.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct CourseLine {
    pub course_record_id: i64,
    pub year: String,
    pub year_starts_on: String,
    pub year_ends_on: String,
    pub department: String,
    pub course: String,
    pub cycle: Option<String>,
    pub teacher: Option<String>,
    pub room: Option<String>,
    pub weekday: Option<i64>,
    pub start_time: Option<String>,
    pub duration_minutes: Option<i64>,
    #[sqlx(try_from = "crate::db::Flag")]
    pub horaires_amenages: bool,
    pub exam_time: Option<String>,
}

/// Every course record of a student of `family_id`, newest year first.
/// A course record row: the record, its course, year, department, teacher and room.
macro_rules! line_select {
    () => {
        "select r.course_record_id, y.label as year, y.starts_on as year_starts_on, \
                y.ends_on as year_ends_on, d.name as department, c.name as course, c.cycle, \
                case when t.teacher_id is null then null else t.last_name || ' ' || t.first_name end as teacher, \
                rm.name as room, c.weekday, c.start_time, c.duration_minutes, c.horaires_amenages, r.exam_time \
         from course_record r \
         join person p on p.person_id = r.person_id \
         join course c on c.course_id = r.course_id \
         join school_year y on y.school_year_id = c.school_year_id \
         join department d on d.department_id = c.department_id \
         left join teacher t on t.teacher_id = c.teacher_id \
         left join room rm on rm.room_id = c.room_id \
         where p.family_id = $1 and r.person_id = $2 "
    };
}

/// The student's records of one school year.
pub async fn year_lines(
    pool: &Pool,
    family_id: i64,
    person_id: i64,
    school_year_id: i64,
) -> sqlx::Result<Vec<CourseLine>> {
    sqlx::query_as(concat!(
        line_select!(),
        "and c.school_year_id = $3 order by d.name, c.name, r.course_record_id"
    ))
    .bind(family_id)
    .bind(person_id)
    .bind(school_year_id)
    .fetch_all(pool)
    .await
}

/// The student's records of the years before the current one (all of them when no year is
/// current), newest first: the Historique.
pub async fn earlier_lines(
    pool: &Pool,
    family_id: i64,
    person_id: i64,
    site_id: i64,
    today: &str,
) -> sqlx::Result<Vec<CourseLine>> {
    sqlx::query_as(concat!(
        line_select!(),
        "and y.starts_on < coalesce((select starts_on from school_year where site_id = $3 \
                and starts_on <= $4 order by starts_on desc limit 1), '9999-12-31') \
         order by y.starts_on desc, d.name, c.name, r.course_record_id"
    ))
    .bind(family_id)
    .bind(person_id)
    .bind(site_id)
    .bind(today)
    .fetch_all(pool)
    .await
}

/// One course record of a student of the family (None for anyone else's).
pub async fn line(
    pool: &Pool,
    family_id: i64,
    person_id: i64,
    course_record_id: i64,
) -> sqlx::Result<Option<CourseLine>> {
    sqlx::query_as(concat!(line_select!(), "and r.course_record_id = $3"))
        .bind(family_id)
        .bind(person_id)
        .bind(course_record_id)
        .fetch_optional(pool)
        .await
}

/// Every lesson of every student of a family in one school year (the timetable).
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Lesson {
    pub course_record_id: i64,
    pub person_id: i64,
    pub student: String,
    pub course: String,
    pub teacher: Option<String>,
    pub room: Option<String>,
    pub weekday: i64,
    pub start_time: String,
    pub duration_minutes: i64,
}

pub async fn lessons(
    pool: &Pool,
    family_id: i64,
    school_year_id: i64,
) -> sqlx::Result<Vec<Lesson>> {
    sqlx::query_as(
        "select r.course_record_id, p.person_id, p.first_name || ' ' || p.last_name as student, c.name as course, \
                case when t.teacher_id is null then null else t.last_name || ' ' || t.first_name end as teacher, \
                rm.name as room, c.weekday, c.start_time, c.duration_minutes \
         from course_record r \
         join person p on p.person_id = r.person_id \
         join course c on c.course_id = r.course_id \
         left join teacher t on t.teacher_id = c.teacher_id \
         left join room rm on rm.room_id = c.room_id \
         where p.family_id = $1 and c.school_year_id = $2 \
           and c.weekday is not null and c.start_time is not null and c.duration_minutes is not null \
         order by c.weekday, c.start_time, p.first_name",
    )
    .bind(family_id)
    .bind(school_year_id)
    .fetch_all(pool)
    .await
}

/// The whole "fiche de suivi" of a course record.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct RecordFacts {
    pub planned_minutes: Option<i64>,
    pub effective_minutes: Option<i64>,
    pub activity_status: Option<String>,
    pub activity_reason: Option<String>,
    pub first_instrument: Option<String>,
    pub average_hundredths: Option<i64>,
    pub average_out_of_hundredths: Option<i64>,
    pub letter_average: Option<String>,
    pub mention: Option<String>,
    pub class_result: Option<String>,
    pub cycle_result: Option<String>,
    pub class_admission: Option<String>,
    pub cycle_admission: Option<String>,
    pub comment: Option<String>,
    pub absences_total: i64,
    pub absences_unjustified: i64,
}

pub async fn facts(
    pool: &Pool,
    family_id: i64,
    record_id: i64,
) -> sqlx::Result<Option<RecordFacts>> {
    sqlx::query_as(
        "select r.planned_minutes, r.effective_minutes, r.activity_status, r.activity_reason, r.first_instrument, \
                r.average_hundredths, r.average_out_of_hundredths, r.letter_average, r.mention, r.class_result, \
                r.cycle_result, r.class_admission, r.cycle_admission, r.comment, \
                cast((select count(*) from absence a where a.course_record_id = r.course_record_id) as bigint) as absences_total, \
                cast((select count(*) from absence a where a.course_record_id = r.course_record_id and a.justified = 0) as bigint) as absences_unjustified \
         from course_record r join person p on p.person_id = r.person_id \
         where r.course_record_id = $1 and p.family_id = $2",
    )
    .bind(record_id)
    .bind(family_id)
    .fetch_optional(pool)
    .await
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Evaluation {
    pub evaluation_id: i64,
    pub kind: String,
    pub evaluated_on: String,
    pub criterion: Option<String>,
    pub mark_hundredths: Option<i64>,
    pub denominator_hundredths: Option<i64>,
    pub coefficient_hundredths: Option<i64>,
    pub letter: Option<String>,
    pub mention: Option<String>,
    pub appreciation: Option<String>,
    pub choice: Option<String>,
    #[sqlx(try_from = "crate::db::Flag")]
    pub absent: bool,
}

/// The evaluations of a record of `family_id` (optionally only one).
pub async fn evaluations(
    pool: &Pool,
    family_id: i64,
    record_id: i64,
    only: Option<i64>,
) -> sqlx::Result<Vec<Evaluation>> {
    sqlx::query_as(
        "select e.evaluation_id, e.kind, e.evaluated_on, e.criterion, e.mark_hundredths, e.denominator_hundredths, \
                e.coefficient_hundredths, e.letter, e.mention, e.appreciation, e.choice, e.absent \
         from evaluation e join course_record r on r.course_record_id = e.course_record_id \
         join person p on p.person_id = r.person_id \
         where e.course_record_id = $1 and p.family_id = $2 and ($3 = 0 or e.evaluation_id = $3) \
         order by e.evaluated_on, e.evaluation_id",
    )
    .bind(record_id)
    .bind(family_id)
    .bind(only.unwrap_or(0))
    .fetch_all(pool)
    .await
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Absence {
    pub absence_id: i64,
    pub absent_on: String,
    pub at_time: Option<String>,
    pub duration_minutes: Option<i64>,
    #[sqlx(try_from = "crate::db::Flag")]
    pub justified: bool,
    pub reason: Option<String>,
}

pub async fn absences(
    pool: &Pool,
    family_id: i64,
    record_id: i64,
    only: Option<i64>,
) -> sqlx::Result<Vec<Absence>> {
    sqlx::query_as(
        "select a.absence_id, a.absent_on, a.at_time, a.duration_minutes, a.justified, a.reason \
         from absence a join course_record r on r.course_record_id = a.course_record_id \
         join person p on p.person_id = r.person_id \
         where a.course_record_id = $1 and p.family_id = $2 and ($3 = 0 or a.absence_id = $3) \
         order by a.absent_on, a.absence_id",
    )
    .bind(record_id)
    .bind(family_id)
    .bind(only.unwrap_or(0))
    .fetch_all(pool)
    .await
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Piece {
    pub composer: String,
    pub title: String,
    pub period: Option<String>,
    pub course: Option<String>,
    pub teacher: Option<String>,
    pub year: Option<String>,
    pub performed: Option<String>,
}

pub async fn repertoire(pool: &Pool, family_id: i64, person_id: i64) -> sqlx::Result<Vec<Piece>> {
    sqlx::query_as(
        "select rp.composer, rp.title, rp.period, c.name as course, \
                case when t.teacher_id is null then null else t.last_name || ' ' || t.first_name end as teacher, \
                y.label as year, rp.performed \
         from repertoire_piece rp \
         join person p on p.person_id = rp.person_id \
         left join course_record r on r.course_record_id = rp.course_record_id \
         left join course c on c.course_id = r.course_id \
         left join teacher t on t.teacher_id = c.teacher_id \
         left join school_year y on y.school_year_id = c.school_year_id \
         where rp.person_id = $1 and p.family_id = $2 \
         order by y.starts_on desc, rp.composer, rp.title",
    )
    .bind(person_id)
    .bind(family_id)
    .fetch_all(pool)
    .await
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Holiday {
    pub label: String,
    pub starts_on: String,
    pub ends_on: String,
}

pub async fn holidays(pool: &Pool, site_id: i64) -> sqlx::Result<Vec<Holiday>> {
    sqlx::query_as(
        "select label, starts_on, ends_on from holiday where site_id = $1 order by starts_on",
    )
    .bind(site_id)
    .fetch_all(pool)
    .await
}

/// The family a calendar token opens, with its site.
pub async fn family_by_calendar(pool: &Pool, token_hash: &str) -> sqlx::Result<Option<(i64, i64)>> {
    sqlx::query_as("select family_id, site_id from family where calendar_token_hash = $1")
        .bind(token_hash)
        .fetch_optional(pool)
        .await
}

pub async fn has_calendar(pool: &Pool, family_id: i64) -> sqlx::Result<bool> {
    let row: Option<(Option<String>,)> =
        sqlx::query_as("select calendar_token_hash from family where family_id = $1")
            .bind(family_id)
            .fetch_optional(pool)
            .await?;
    Ok(row.and_then(|r| r.0).is_some())
}

/// Replaces the family's calendar token (the old link stops working at once).
pub async fn set_calendar(pool: &Pool, family_id: i64, token_hash: &str) -> sqlx::Result<()> {
    sqlx::query("update family set calendar_token_hash = $1 where family_id = $2")
        .bind(token_hash)
        .bind(family_id)
        .execute(pool)
        .await?;
    Ok(())
}
