//! The `site` table (one row a school): the one store that reads and writes a school's
//! identity. The accessibility statement's settings are read and written by their own
//! feature.

use crate::db::Pool;

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Site {
    pub site_id: i64,
    pub slug: String,
    pub name: String,
    /// « non conforme », « partiellement conforme »… (every footer shows it).
    pub a11y_status: String,
}

/// Every hosted school, by name (pages use the copy kept in `web::schools`).
pub async fn sites(pool: &Pool) -> sqlx::Result<Vec<Site>> {
    sqlx::query_as("select site_id, slug, name, a11y_status from site order by name")
        .fetch_all(pool)
        .await
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct School {
    pub name: String,
    pub address: Option<String>,
    pub postal_code: Option<String>,
    pub city: Option<String>,
    pub phone: Option<String>,
    pub payfip_numcli: Option<String>,
    /// Where families' questions (and staff notices) go.
    pub contact_email: Option<String>,
    /// The name the school's mails are sent under (None: the instance's PORTEE_MAIL_FROM).
    pub sender_name: Option<String>,
    /// `test`, `activation` or `production` (None: the instance's PORTEE_PAYFIP_MODE).
    pub payfip_mode: Option<String>,
}

impl School {
    /// The PayFiP mode of this school: its own, else the instance's.
    pub fn payfip_mode(&self, instance: crate::config::PayfipMode) -> crate::config::PayfipMode {
        self.payfip_mode
            .as_deref()
            .and_then(crate::config::PayfipMode::parse)
            .unwrap_or(instance)
    }
}

/// A school's row as `School` reads it.
const SCHOOL_SQL: &str = "select name, address, postal_code, city, phone, payfip_numcli, contact_email, \
     sender_name, payfip_mode from site where site_id = $1";

pub async fn school(pool: &Pool, site_id: i64) -> sqlx::Result<School> {
    sqlx::query_as(SCHOOL_SQL)
        .bind(site_id)
        .fetch_one(pool)
        .await
}

/// A school's name.
pub async fn name(pool: &Pool, site_id: i64) -> sqlx::Result<String> {
    let (name,): (String,) = sqlx::query_as("select name from site where site_id = $1")
        .bind(site_id)
        .fetch_one(pool)
        .await?;
    Ok(name)
}

/// The school of a short name (`portee import --site`, `portee accounts invite --site`).
pub async fn by_slug(pool: &Pool, slug: &str) -> sqlx::Result<Option<i64>> {
    let row: Option<(i64,)> = sqlx::query_as("select site_id from site where slug = $1")
        .bind(slug)
        .fetch_optional(pool)
        .await?;
    Ok(row.map(|r| r.0))
}

/// A new school, its values checked by the domain types (`portee schools add`).
pub struct NewSchool {
    pub slug: crate::domain::slug::Slug,
    pub name: String,
    pub address: Option<String>,
    pub postal_code: Option<crate::domain::postal::PostalCode>,
    pub city: Option<String>,
    pub phone: Option<crate::domain::phone::PhoneNumber>,
    pub email: Option<crate::domain::email::EmailAddress>,
}

#[derive(Debug, thiserror::Error)]
pub enum AddSchoolError {
    #[error("le nom court « {0} » est déjà celui d'une école : choisissez-en un autre")]
    SlugTaken(String),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// Creates a school (and audits it) in one transaction. Returns its id.
pub async fn add(pool: &Pool, school: &NewSchool) -> Result<i64, AddSchoolError> {
    let slug = school.slug.as_str();
    let mut tx = crate::db::begin(pool).await?;
    let taken: Option<(i64,)> = sqlx::query_as("select site_id from site where slug = $1")
        .bind(slug)
        .fetch_optional(&mut *tx)
        .await?;
    if taken.is_some() {
        return Err(AddSchoolError::SlugTaken(slug.to_owned()));
    }
    let site_id = crate::db::new_id();
    sqlx::query(
        "insert into site (site_id, slug, name, address, postal_code, city, phone, contact_email, created_at) \
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(site_id)
    .bind(slug)
    .bind(&school.name)
    .bind(school.address.as_deref())
    .bind(school.postal_code.as_ref().map(|p| p.as_str()))
    .bind(school.city.as_deref())
    .bind(school.phone.as_ref().map(|p| p.as_str()))
    .bind(school.email.as_ref().map(|e| e.as_str()))
    .bind(crate::db::now())
    .execute(&mut *tx)
    .await?;
    crate::audit::audit(
        &mut tx,
        Some(site_id),
        None,
        "school_added",
        &format!("{slug}: {}", school.name),
    )
    .await?;
    tx.commit().await?;
    Ok(site_id)
}

/// A school as `portee schools list` shows it.
#[derive(sqlx::FromRow)]
pub struct Listed {
    pub slug: String,
    pub name: String,
    pub city: Option<String>,
    pub families: i64,
    /// Staff accounts that are not disabled.
    pub staff: i64,
}

pub async fn list(pool: &Pool) -> sqlx::Result<Vec<Listed>> {
    sqlx::query_as(
        "select s.slug, s.name, s.city, \
           (select cast(count(*) as bigint) from family f where f.site_id = s.site_id) as families, \
           (select cast(count(*) as bigint) from account a where a.site_id = s.site_id and a.is_staff = 1 and a.disabled = 0) as staff \
         from site s order by s.slug",
    )
    .fetch_all(pool)
    .await
}

/// A school's settings as `/gestion/ecole` saves them, each checked by its domain type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Settings {
    pub name: String,
    pub address: Option<String>,
    pub postal_code: Option<String>,
    pub city: Option<String>,
    pub phone: Option<String>,
    pub contact_email: Option<String>,
    pub sender_name: Option<String>,
    pub payfip_numcli: Option<String>,
    pub payfip_mode: Option<String>,
}

impl Settings {
    pub fn of(s: &School) -> Settings {
        Settings {
            name: s.name.clone(),
            address: s.address.clone(),
            postal_code: s.postal_code.clone(),
            city: s.city.clone(),
            phone: s.phone.clone(),
            contact_email: s.contact_email.clone(),
            sender_name: s.sender_name.clone(),
            payfip_numcli: s.payfip_numcli.clone(),
            payfip_mode: s.payfip_mode.clone(),
        }
    }

    /// Each setting with the name the audit log gives it.
    fn fields(&self) -> [(&'static str, Option<&str>); 9] {
        [
            ("name", Some(self.name.as_str())),
            ("address", self.address.as_deref()),
            ("postal_code", self.postal_code.as_deref()),
            ("city", self.city.as_deref()),
            ("phone", self.phone.as_deref()),
            ("contact_email", self.contact_email.as_deref()),
            ("sender_name", self.sender_name.as_deref()),
            ("payfip_numcli", self.payfip_numcli.as_deref()),
            ("payfip_mode", self.payfip_mode.as_deref()),
        ]
    }
}

/// Saves a school's settings and audits each value that changed (before → after), in one
/// transaction. Returns the names of the changed settings.
pub async fn save_settings(
    pool: &Pool,
    site_id: i64,
    by: i64,
    new: &Settings,
) -> sqlx::Result<Vec<&'static str>> {
    let mut tx = crate::db::begin(pool).await?;
    let old: School = sqlx::query_as(SCHOOL_SQL)
        .bind(site_id)
        .fetch_one(&mut *tx)
        .await?;
    let old = Settings::of(&old);
    let changed: Vec<(&'static str, Option<&str>, Option<&str>)> = old
        .fields()
        .into_iter()
        .zip(new.fields())
        .filter(|((_, a), (_, b))| a != b)
        .map(|((k, a), (_, b))| (k, a, b))
        .collect();
    if changed.is_empty() {
        tx.rollback().await?;
        return Ok(Vec::new());
    }
    sqlx::query(
        "update site set name = $1, address = $2, postal_code = $3, city = $4, phone = $5, contact_email = $6, \
         sender_name = $7, payfip_numcli = $8, payfip_mode = $9 where site_id = $10",
    )
    .bind(&new.name)
    .bind(new.address.as_deref())
    .bind(new.postal_code.as_deref())
    .bind(new.city.as_deref())
    .bind(new.phone.as_deref())
    .bind(new.contact_email.as_deref())
    .bind(new.sender_name.as_deref())
    .bind(new.payfip_numcli.as_deref())
    .bind(new.payfip_mode.as_deref())
    .bind(site_id)
    .execute(&mut *tx)
    .await?;
    for (field, before, after) in &changed {
        crate::audit::audit(
            &mut tx,
            Some(site_id),
            Some(by),
            "school_setting_changed",
            &format!(
                "{field}: {} -> {}",
                before.unwrap_or("(vide)"),
                after.unwrap_or("(vide)")
            ),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(changed.into_iter().map(|(k, _, _)| k).collect())
}

/// The name a school's mails are sent under, if it set one.
pub async fn sender_name(pool: &Pool, site_id: i64) -> sqlx::Result<Option<String>> {
    let row: Option<(Option<String>,)> =
        sqlx::query_as("select sender_name from site where site_id = $1")
            .bind(site_id)
            .fetch_optional(pool)
            .await?;
    Ok(row.and_then(|r| r.0).filter(|n| !n.trim().is_empty()))
}

/// What a school sets for its exchanges with families (École › Échanges avec les familles).
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct Exchanges {
    /// How many hours after a lesson has started a family may still report an absence to it
    /// (0: only before it starts).
    pub absence_report_hours: i64,
    /// The mail telling of a new message carries its text (else only a link).
    #[sqlx(try_from = "crate::db::Flag")]
    pub mail_message_text: bool,
}

/// The longest delay a school may give families to report a lesson already started.
pub const MAX_REPORT_HOURS: i64 = 72;

pub async fn exchanges(pool: &Pool, site_id: i64) -> sqlx::Result<Exchanges> {
    sqlx::query_as("select absence_report_hours, mail_message_text from site where site_id = $1")
        .bind(site_id)
        .fetch_one(pool)
        .await
}

/// Saves them, auditing each change (before → after). False when nothing changed.
pub async fn save_exchanges(
    pool: &Pool,
    site_id: i64,
    by: i64,
    new: &Exchanges,
) -> sqlx::Result<bool> {
    let mut tx = crate::db::begin(pool).await?;
    let old: Exchanges = sqlx::query_as(
        "select absence_report_hours, mail_message_text from site where site_id = $1",
    )
    .bind(site_id)
    .fetch_one(&mut *tx)
    .await?;
    if &old == new {
        tx.rollback().await?;
        return Ok(false);
    }
    sqlx::query(
        "update site set absence_report_hours = $1, mail_message_text = $2 where site_id = $3",
    )
    .bind(new.absence_report_hours)
    .bind(i64::from(new.mail_message_text))
    .bind(site_id)
    .execute(&mut *tx)
    .await?;
    let yes_no = |b: bool| if b { "oui" } else { "non" };
    for (field, before, after) in [
        (
            "absence_report_hours",
            old.absence_report_hours.to_string(),
            new.absence_report_hours.to_string(),
        ),
        (
            "mail_message_text",
            yes_no(old.mail_message_text).to_owned(),
            yes_no(new.mail_message_text).to_owned(),
        ),
    ] {
        if before != after {
            crate::audit::audit(
                &mut tx,
                Some(site_id),
                Some(by),
                "school_setting_changed",
                &format!("{field}: {before} -> {after}"),
            )
            .await?;
        }
    }
    tx.commit().await?;
    Ok(true)
}
