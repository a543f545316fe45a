//! SQL of the school's calendar: school years, holiday periods, and the public holidays a
//! school keeps its lessons on. Everything is scoped by site.

use time::Date;

use crate::audit::audit;
use crate::db::{self, Pool};
use crate::domain::date::{from_iso, iso};
use crate::domain::holidays::public_holidays_between;
use crate::features::pedagogy::store::SchoolYear;

/// A school year as staff list it, with the number of its courses (a year without any can
/// be removed).
#[derive(sqlx::FromRow)]
pub struct YearRow {
    pub school_year_id: i64,
    pub label: String,
    pub starts_on: String,
    pub ends_on: String,
    pub courses: i64,
}

pub async fn years(pool: &Pool, site_id: i64) -> sqlx::Result<Vec<YearRow>> {
    sqlx::query_as(
        "select y.school_year_id, y.label, y.starts_on, y.ends_on, \
         (select count(*) from course c where c.school_year_id = y.school_year_id) as courses \
         from school_year y where y.site_id = $1 order by y.starts_on",
    )
    .bind(site_id)
    .fetch_all(pool)
    .await
}

/// A holiday period as staff list it.
#[derive(sqlx::FromRow)]
pub struct Period {
    pub holiday_id: i64,
    pub label: String,
    pub starts_on: String,
    pub ends_on: String,
}

pub async fn periods(pool: &Pool, site_id: i64) -> sqlx::Result<Vec<Period>> {
    sqlx::query_as(
        "select holiday_id, label, starts_on, ends_on from holiday where site_id = $1 order by starts_on, holiday_id",
    )
    .bind(site_id)
    .fetch_all(pool)
    .await
}

/// A labelled span of days, checked (first day on or before the last).
pub struct Span<'a> {
    pub label: &'a str,
    pub first: Date,
    pub last: Date,
}

#[derive(Debug, thiserror::Error)]
pub enum YearError {
    #[error("a school year is already named so")]
    LabelTaken,
    #[error("the year overlaps another one")]
    Overlaps(String),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

pub async fn add_year(
    pool: &Pool,
    site_id: i64,
    by: i64,
    year: &Span<'_>,
) -> Result<(), YearError> {
    let mut tx = db::begin(pool).await?;
    let taken: Option<(i64,)> =
        sqlx::query_as("select school_year_id from school_year where site_id = $1 and label = $2")
            .bind(site_id)
            .bind(year.label)
            .fetch_optional(&mut *tx)
            .await?;
    if taken.is_some() {
        return Err(YearError::LabelTaken);
    }
    // Years do not overlap: the current year is the latest one begun, so an overlapping
    // year would hide the courses of the other.
    let overlapping: Option<(String,)> = sqlx::query_as(
        "select label from school_year where site_id = $1 and starts_on <= $2 and ends_on >= $3 \
         order by starts_on limit 1",
    )
    .bind(site_id)
    .bind(iso(year.last))
    .bind(iso(year.first))
    .fetch_optional(&mut *tx)
    .await?;
    if let Some((label,)) = overlapping {
        return Err(YearError::Overlaps(label));
    }
    sqlx::query(
        "insert into school_year (school_year_id, site_id, label, starts_on, ends_on) values ($1, $2, $3, $4, $5)",
    )
    .bind(db::new_id())
    .bind(site_id)
    .bind(year.label)
    .bind(iso(year.first))
    .bind(iso(year.last))
    .execute(&mut *tx)
    .await?;
    audit(
        &mut tx,
        Some(site_id),
        Some(by),
        "school_year_added",
        &format!("{} {}..{}", year.label, iso(year.first), iso(year.last)),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Removes a school year no course belongs to. `Ok(None)` when there is no such year of the
/// site, `Ok(Some(false))` when courses still use it.
pub async fn remove_year(
    pool: &Pool,
    site_id: i64,
    by: i64,
    id: i64,
) -> sqlx::Result<Option<bool>> {
    let mut tx = db::begin(pool).await?;
    let row: Option<(String, String, String, i64)> = sqlx::query_as(
        "select y.label, y.starts_on, y.ends_on, \
         (select count(*) from course c where c.school_year_id = y.school_year_id) \
         from school_year y where y.school_year_id = $1 and y.site_id = $2",
    )
    .bind(id)
    .bind(site_id)
    .fetch_optional(&mut *tx)
    .await?;
    let Some((label, first, last, courses)) = row else {
        return Ok(None);
    };
    if courses > 0 {
        return Ok(Some(false));
    }
    sqlx::query("delete from school_year where school_year_id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    audit(
        &mut tx,
        Some(site_id),
        Some(by),
        "school_year_removed",
        &format!("{label} {first}..{last}"),
    )
    .await?;
    tx.commit().await?;
    Ok(Some(true))
}

/// Adds a holiday period; the same label and days sent twice (a double submit) make one.
pub async fn add_period(pool: &Pool, site_id: i64, by: i64, p: &Span<'_>) -> sqlx::Result<()> {
    let mut tx = db::begin(pool).await?;
    let same: Option<(i64,)> = sqlx::query_as(
        "select holiday_id from holiday where site_id = $1 and label = $2 and starts_on = $3 and ends_on = $4",
    )
    .bind(site_id)
    .bind(p.label)
    .bind(iso(p.first))
    .bind(iso(p.last))
    .fetch_optional(&mut *tx)
    .await?;
    if same.is_some() {
        return Ok(());
    }
    sqlx::query(
        "insert into holiday (holiday_id, site_id, label, starts_on, ends_on) values ($1, $2, $3, $4, $5)",
    )
    .bind(db::new_id())
    .bind(site_id)
    .bind(p.label)
    .bind(iso(p.first))
    .bind(iso(p.last))
    .execute(&mut *tx)
    .await?;
    audit(
        &mut tx,
        Some(site_id),
        Some(by),
        "holiday_added",
        &format!("{} {}..{}", p.label, iso(p.first), iso(p.last)),
    )
    .await?;
    tx.commit().await
}

/// Removes a holiday period of the site. Returns whether there was one.
pub async fn remove_period(pool: &Pool, site_id: i64, by: i64, id: i64) -> sqlx::Result<bool> {
    let mut tx = db::begin(pool).await?;
    let row: Option<(String, String, String)> = sqlx::query_as(
        "select label, starts_on, ends_on from holiday where holiday_id = $1 and site_id = $2",
    )
    .bind(id)
    .bind(site_id)
    .fetch_optional(&mut *tx)
    .await?;
    let Some((label, first, last)) = row else {
        return Ok(false);
    };
    sqlx::query("delete from holiday where holiday_id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    audit(
        &mut tx,
        Some(site_id),
        Some(by),
        "holiday_removed",
        &format!("{label} {first}..{last}"),
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}

/// The public holidays the school keeps its lessons on.
pub async fn lesson_days(pool: &Pool, site_id: i64) -> sqlx::Result<Vec<Date>> {
    let rows: Vec<(String,)> = sqlx::query_as("select day from lesson_day where site_id = $1")
        .bind(site_id)
        .fetch_all(pool)
        .await?;
    Ok(rows.iter().filter_map(|(d,)| from_iso(d)).collect())
}

/// Marks a public holiday as a day with lessons, or back to a day without.
pub async fn set_lesson_day(
    pool: &Pool,
    site_id: i64,
    by: i64,
    day: Date,
    with_lessons: bool,
) -> sqlx::Result<()> {
    let mut tx = db::begin(pool).await?;
    let changed = if with_lessons {
        sqlx::query("insert into lesson_day (site_id, day) values ($1, $2) on conflict do nothing")
            .bind(site_id)
            .bind(iso(day))
            .execute(&mut *tx)
            .await?
    } else {
        sqlx::query("delete from lesson_day where site_id = $1 and day = $2")
            .bind(site_id)
            .bind(iso(day))
            .execute(&mut *tx)
            .await?
    }
    .rows_affected();
    if changed == 1 {
        audit(
            &mut tx,
            Some(site_id),
            Some(by),
            if with_lessons {
                "public_holiday_with_lessons"
            } else {
                "public_holiday_without_lessons"
            },
            &iso(day),
        )
        .await?;
    }
    tx.commit().await
}

/// A span without lessons, as families see it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DayOff {
    pub label: String,
    pub first: Date,
    pub last: Date,
}

/// The days without lessons of a school year: its holiday periods, and the public holidays
/// of the year the school did not mark as days with lessons. In order.
pub async fn days_off(pool: &Pool, site_id: i64, year: &SchoolYear) -> sqlx::Result<Vec<DayOff>> {
    let (Some(start), Some(end)) = (from_iso(&year.starts_on), from_iso(&year.ends_on)) else {
        return Ok(Vec::new());
    };
    let mut off: Vec<DayOff> = periods(pool, site_id)
        .await?
        .into_iter()
        .filter_map(|p| {
            Some(DayOff {
                label: p.label,
                first: from_iso(&p.starts_on)?,
                last: from_iso(&p.ends_on)?,
            })
        })
        .filter(|d| d.last >= start && d.first <= end)
        .collect();
    let kept = lesson_days(pool, site_id).await?;
    off.extend(
        public_holidays_between(start, end)
            .into_iter()
            .filter(|(d, _)| !kept.contains(d))
            .map(|(d, name)| DayOff {
                label: name.to_owned(),
                first: d,
                last: d,
            }),
    );
    off.sort_by_key(|d| (d.first, d.last));
    Ok(off)
}
