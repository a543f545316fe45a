//! SQL of records and change requests. Families' queries are scoped by family, staff's by site.

use std::collections::HashMap;

use sqlx::Row;

use super::fields::FieldDef;
use crate::audit::audit;
use crate::db::{self, Pool};
use crate::domain::status::{ChangeStatus, ItemStatus};
use crate::mail::{self, Outgoing};

/// Every changeable column of `person`, in the order of `load`'s select.
pub(crate) const KEYS: &[&str] = &[
    "civility",
    "last_name",
    "first_name",
    "birth_date",
    "birth_place",
    "family_situation",
    "use_guardian_contact",
    "address",
    "postal_code",
    "city",
    "country",
    "phone_home",
    "phone_mobile",
    "phone_work",
    "email",
    "socio_professional",
    "profession",
    "phone_extra1",
    "phone_extra2",
    "phone_extra3",
    "emergency_contact",
    "emergency_phone",
    "image_rights",
    "exit_authorisation",
];

/// One person's record as stored.
pub struct Record {
    pub person_id: i64,
    pub family_id: i64,
    pub site_id: i64,
    pub is_guardian: bool,
    pub values: HashMap<&'static str, String>,
}

impl Record {
    pub fn get(&self, key: &str) -> &str {
        self.values.get(key).map(String::as_str).unwrap_or("")
    }

    /// "ABARRE Irina".
    pub fn name(&self) -> String {
        format!("{} {}", self.get("last_name"), self.get("first_name"))
    }
}

/// Loads a person of `family_id` (None: another family's, or nobody).
pub async fn load(pool: &Pool, family_id: i64, person_id: i64) -> sqlx::Result<Option<Record>> {
    load_where(pool, Some(family_id), None, person_id).await
}

/// Loads a person of any family of `site_id` (staff).
pub async fn load_in_site(
    pool: &Pool,
    site_id: i64,
    person_id: i64,
) -> sqlx::Result<Option<Record>> {
    load_where(pool, None, Some(site_id), person_id).await
}

async fn load_where(
    pool: &Pool,
    family_id: Option<i64>,
    site_id: Option<i64>,
    person_id: i64,
) -> sqlx::Result<Option<Record>> {
    let row = sqlx::query(
        "select civility, last_name, first_name, birth_date, birth_place, family_situation, \
                use_guardian_contact, address, postal_code, city, country, phone_home, phone_mobile, \
                phone_work, email, socio_professional, profession, phone_extra1, phone_extra2, \
                phone_extra3, emergency_contact, emergency_phone, image_rights, exit_authorisation, \
                person_id, family_id, site_id, is_guardian \
         from person where person_id = $1 \
           and ($2 = 0 or family_id = $2) and ($3 = 0 or site_id = $3)",
    )
    .bind(person_id)
    .bind(family_id.unwrap_or(0))
    .bind(site_id.unwrap_or(0))
    .fetch_optional(pool)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let mut values = HashMap::new();
    for (i, key) in KEYS.iter().enumerate() {
        let v: Option<String> = row.try_get(i)?;
        values.insert(*key, v.unwrap_or_default());
    }
    let n = KEYS.len();
    Ok(Some(Record {
        person_id: row.try_get(n)?,
        family_id: row.try_get(n + 1)?,
        site_id: row.try_get(n + 2)?,
        is_guardian: row.try_get::<i64, _>(n + 3)? != 0,
        values,
    }))
}

/// The family's guardian (whose contact details a student may use).
pub async fn guardian_of(pool: &Pool, family_id: i64) -> sqlx::Result<Option<Record>> {
    let id: Option<(i64,)> = sqlx::query_as(
        "select person_id from person where family_id = $1 and is_guardian = 1 order by person_id limit 1",
    )
    .bind(family_id)
    .fetch_optional(pool)
    .await?;
    match id {
        Some((id,)) => load(pool, family_id, id).await,
        None => Ok(None),
    }
}

/// A pending change of one field.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Pending {
    pub old_value: String,
    pub new_value: String,
    pub created_at: i64,
}

/// A pending change as read from `change_item` (`field, old_value, new_value, created_at`).
#[derive(sqlx::FromRow)]
pub(crate) struct PendingItem {
    pub field: String,
    #[sqlx(flatten)]
    pub pending: Pending,
}

impl PendingItem {
    pub fn pair(self) -> (String, Pending) {
        (self.field, self.pending)
    }
}

/// The pending changes of a person, by field.
pub async fn pending(pool: &Pool, person_id: i64) -> sqlx::Result<HashMap<String, Pending>> {
    let rows: Vec<PendingItem> = sqlx::query_as(
        "select i.field, i.old_value, i.new_value, i.created_at from change_item i \
         join change_request r on r.change_request_id = i.change_request_id \
         where r.person_id = $1 and r.status = 'pending' and i.status = 'pending'",
    )
    .bind(person_id)
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().map(PendingItem::pair).collect())
}

/// One field the family changed: `new == record` withdraws an earlier pending change.
pub struct Change {
    pub def: &'static FieldDef,
    pub record: String,
    pub new: String,
}

pub enum Submitted {
    Saved,
    /// The same form was already submitted (double click): where it went then.
    Duplicate(String),
}

/// Who submits, and where.
pub struct Requester {
    pub account_id: i64,
    pub site_id: i64,
    pub family_id: i64,
}

/// A family's changes to one person's record.
pub struct ChangeRequest<'a> {
    pub who: Requester,
    pub person_id: i64,
    pub changes: &'a [Change],
    /// The form's single-use key: a second submission of it writes nothing.
    pub form_key: &'a str,
    /// Where the saved form leads (a resubmission is sent there too).
    pub location: &'a str,
    pub acknowledgement: Option<Outgoing>,
}

/// Records a family's changes (one pending request per person; a newer value supersedes
/// a pending one and both stay in the history) and queues the acknowledgement, in one
/// transaction. A form key already used answers `Duplicate` and writes nothing.
pub async fn submit(pool: &Pool, request: ChangeRequest<'_>) -> anyhow::Result<Submitted> {
    let ChangeRequest {
        who,
        person_id,
        changes,
        form_key,
        location,
        acknowledgement,
    } = request;
    let now = db::now();
    let mut tx = crate::db::begin(pool).await?;
    let fresh = sqlx::query(
        "insert into form_submission (form_key, account_id, location, created_at) values ($1, $2, $3, $4) \
         on conflict (form_key) do nothing",
    )
    .bind(form_key)
    .bind(who.account_id)
    .bind(location)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    if fresh.rows_affected() == 0 {
        let (first,): (String,) = sqlx::query_as(
            "select location from form_submission where form_key = $1 and account_id = $2",
        )
        .bind(form_key)
        .bind(who.account_id)
        .fetch_optional(&mut *tx)
        .await?
        .unwrap_or_else(|| (location.to_owned(),));
        tx.rollback().await?;
        return Ok(Submitted::Duplicate(first));
    }
    let existing: Option<(i64,)> = sqlx::query_as(
        "select change_request_id from change_request where person_id = $1 and status = 'pending'",
    )
    .bind(person_id)
    .fetch_optional(&mut *tx)
    .await?;
    let request_id = match existing {
        Some((id,)) => id,
        None => {
            let id = db::new_id();
            sqlx::query(
                "insert into change_request (change_request_id, site_id, family_id, person_id, requested_by, status, created_at, updated_at) \
                 values ($1, $2, $3, $4, $5, 'pending', $6, $6)",
            )
            .bind(id)
            .bind(who.site_id)
            .bind(who.family_id)
            .bind(person_id)
            .bind(who.account_id)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            id
        }
    };
    for change in changes {
        let withdrawn = change.new == change.record;
        sqlx::query(
            "update change_item set status = $1 where change_request_id = $2 and field = $3 and status = 'pending'",
        )
        .bind(if withdrawn { ItemStatus::Withdrawn } else { ItemStatus::Superseded }.key())
        .bind(request_id)
        .bind(change.def.key)
        .execute(&mut *tx)
        .await?;
        if !withdrawn {
            sqlx::query(
                "insert into change_item (change_item_id, change_request_id, field, old_value, new_value, status, created_at) \
                 values ($1, $2, $3, $4, $5, 'pending', $6)",
            )
            .bind(db::new_id())
            .bind(request_id)
            .bind(change.def.key)
            .bind(&change.record)
            .bind(&change.new)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
    }
    let (left,): (i64,) = sqlx::query_as(
        "select cast(count(*) as bigint) from change_item where change_request_id = $1 and status = 'pending'",
    )
    .bind(request_id)
    .fetch_one(&mut *tx)
    .await?;
    sqlx::query("update change_request set status = $1, updated_at = $2, requested_by = $3 where change_request_id = $4")
        .bind(if left == 0 { ChangeStatus::Withdrawn } else { ChangeStatus::Pending }.key())
        .bind(now)
        .bind(who.account_id)
        .bind(request_id)
        .execute(&mut *tx)
        .await?;
    if let Some(m) = &acknowledgement {
        mail::enqueue(&mut tx, Some(who.site_id), m).await?;
    }
    let fields: Vec<&str> = changes.iter().map(|c| c.def.key).collect();
    audit(
        &mut tx,
        Some(who.site_id),
        Some(who.account_id),
        "change_requested",
        &format!("person {person_id}: {}", fields.join(", ")),
    )
    .await?;
    tx.commit().await?;
    Ok(Submitted::Saved)
}

/// Where a form key already used by this account led (a resubmitted form).
pub async fn used_form(
    pool: &Pool,
    account_id: i64,
    form_key: &str,
) -> sqlx::Result<Option<String>> {
    let row: Option<(String,)> = sqlx::query_as(
        "select location from form_submission where form_key = $1 and account_id = $2",
    )
    .bind(form_key)
    .bind(account_id)
    .fetch_optional(pool)
    .await?;
    Ok(row.map(|r| r.0))
}

/// The address of an account's holder, for mails.
pub async fn account_email(pool: &Pool, account_id: i64) -> sqlx::Result<Option<String>> {
    let row: Option<(Option<String>,)> = sqlx::query_as(
        "select p.email from account a join person p on p.person_id = a.person_id where a.account_id = $1",
    )
    .bind(account_id)
    .fetch_optional(pool)
    .await?;
    Ok(row.and_then(|r| r.0).filter(|e| !e.trim().is_empty()))
}
