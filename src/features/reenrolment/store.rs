//! Campaigns, requests, choices and provided documents. Every family read is scoped by
//! the family in SQL; every staff read by the site.

use crate::audit::audit;
use crate::db::{self, Pool};
use crate::domain::status::{DocumentStatus, RequestStatus};
use crate::mail::{self, Outgoing};

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Campaign {
    pub campaign_id: i64,
    pub site_id: i64,
    pub year_label: String,
    pub opens_on: String,
    pub closes_on: String,
}

/// The campaign open today at this school, if any.
pub async fn open_campaign(
    pool: &Pool,
    site_id: i64,
    today: &str,
) -> sqlx::Result<Option<Campaign>> {
    sqlx::query_as(
        "select campaign_id, site_id, year_label, opens_on, closes_on from reenrolment_campaign \
         where site_id = $1 and opens_on <= $2 and closes_on >= $2 order by opens_on desc limit 1",
    )
    .bind(site_id)
    .bind(today)
    .fetch_optional(pool)
    .await
}

/// The school's most recent campaign (open or not), for staff.
pub async fn latest_campaign(pool: &Pool, site_id: i64) -> sqlx::Result<Option<Campaign>> {
    sqlx::query_as(
        "select campaign_id, site_id, year_label, opens_on, closes_on from reenrolment_campaign \
         where site_id = $1 order by opens_on desc limit 1",
    )
    .bind(site_id)
    .fetch_optional(pool)
    .await
}

/// A campaign as staff saved it (dates checked, stored `YYYY-MM-DD`).
pub struct CampaignForm<'a> {
    pub site_id: i64,
    /// The campaign changed, or None for a new one.
    pub existing: Option<i64>,
    /// `2026/2027`.
    pub year: &'a str,
    pub opens: &'a str,
    pub closes: &'a str,
    /// The staff account, for the audit log.
    pub staff: i64,
}

pub async fn save_campaign(pool: &Pool, form: CampaignForm<'_>) -> sqlx::Result<i64> {
    let CampaignForm {
        site_id,
        existing,
        year,
        opens,
        closes,
        staff,
    } = form;
    let mut tx = crate::db::begin(pool).await?;
    let id = match existing {
        Some(id) => {
            sqlx::query(
                "update reenrolment_campaign set year_label = $1, opens_on = $2, closes_on = $3 \
                 where campaign_id = $4 and site_id = $5",
            )
            .bind(year)
            .bind(opens)
            .bind(closes)
            .bind(id)
            .bind(site_id)
            .execute(&mut *tx)
            .await?;
            id
        }
        None => {
            let id = db::new_id();
            sqlx::query(
                "insert into reenrolment_campaign (campaign_id, site_id, year_label, opens_on, closes_on, created_at) \
                 values ($1, $2, $3, $4, $5, $6)",
            )
            .bind(id)
            .bind(site_id)
            .bind(year)
            .bind(opens)
            .bind(closes)
            .bind(db::now())
            .execute(&mut *tx)
            .await?;
            id
        }
    };
    audit(
        &mut tx,
        Some(site_id),
        Some(staff),
        "campaign_saved",
        &format!("{year} {opens}..{closes}"),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct CampaignDoc {
    pub campaign_document_id: i64,
    pub name: String,
    #[sqlx(try_from = "crate::db::Flag")]
    pub per_student: bool,
    #[sqlx(try_from = "crate::db::Flag")]
    pub required: bool,
}

pub async fn documents(pool: &Pool, campaign_id: i64) -> sqlx::Result<Vec<CampaignDoc>> {
    sqlx::query_as(
        "select campaign_document_id, name, per_student, required from campaign_document \
         where campaign_id = $1 order by position, name",
    )
    .bind(campaign_id)
    .fetch_all(pool)
    .await
}

pub async fn add_document(
    pool: &Pool,
    campaign_id: i64,
    name: &str,
    per_student: bool,
    required: bool,
) -> sqlx::Result<()> {
    let (position,): (i64,) = sqlx::query_as(
        "select cast(coalesce(max(position), 0) + 1 as bigint) from campaign_document where campaign_id = $1",
    )
    .bind(campaign_id)
    .fetch_one(pool)
    .await?;
    sqlx::query(
        "insert into campaign_document (campaign_document_id, campaign_id, name, per_student, required, position) \
         values ($1, $2, $3, $4, $5, $6)",
    )
    .bind(db::new_id())
    .bind(campaign_id)
    .bind(name)
    .bind(i64::from(per_student))
    .bind(i64::from(required))
    .bind(position)
    .execute(pool)
    .await?;
    Ok(())
}

/// Removes an expected document nobody has provided yet. Returns whether it was removed.
pub async fn remove_campaign_document(
    pool: &Pool,
    campaign_id: i64,
    id: i64,
) -> sqlx::Result<bool> {
    let (used,): (i64,) = sqlx::query_as(
        "select cast(count(*) as bigint) from provided_document where campaign_document_id = $1",
    )
    .bind(id)
    .fetch_one(pool)
    .await?;
    if used > 0 {
        return Ok(false);
    }
    let done = sqlx::query(
        "delete from campaign_document where campaign_document_id = $1 and campaign_id = $2",
    )
    .bind(id)
    .bind(campaign_id)
    .execute(pool)
    .await?
    .rows_affected();
    Ok(done == 1)
}

/// A course of this year the student can re-enrol in.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Offer {
    pub course_record_id: i64,
    pub department: String,
    pub course: String,
    #[sqlx(try_from = "crate::db::Flag")]
    pub horaires_amenages: bool,
    pub teacher: Option<String>,
    pub cycle: Option<String>,
    pub activity_status: Option<String>,
}

pub async fn offers(
    pool: &Pool,
    family_id: i64,
    person_id: i64,
    today: &str,
) -> sqlx::Result<Vec<Offer>> {
    sqlx::query_as(
        "select r.course_record_id, d.name as department, c.name as course, c.horaires_amenages, \
                case when t.teacher_id is null then null else t.last_name || ' ' || t.first_name end as teacher, \
                c.cycle, r.activity_status \
         from course_record r \
         join person p on p.person_id = r.person_id \
         join course c on c.course_id = r.course_id \
         join department d on d.department_id = c.department_id \
         join school_year y on y.school_year_id = c.school_year_id \
         left join teacher t on t.teacher_id = c.teacher_id \
         where p.family_id = $1 and r.person_id = $2 and y.starts_on <= $3 and y.ends_on >= $3 \
         order by d.name, c.name",
    )
    .bind(family_id)
    .bind(person_id)
    .bind(today)
    .fetch_all(pool)
    .await
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Request {
    pub request_id: i64,
    pub campaign_id: i64,
    pub family_id: i64,
    pub person_id: i64,
    #[sqlx(try_from = "crate::db::Flag")]
    pub administrative: bool,
    pub comment: String,
    #[sqlx(try_from = "String")]
    pub status: RequestStatus,
    pub decision_reason: Option<String>,
    pub submitted_at: Option<i64>,
    pub decided_at: Option<i64>,
    /// Joined: the student's name.
    pub student: String,
}

macro_rules! request_columns {
    () => {
        "q.request_id, q.campaign_id, q.family_id, q.person_id, q.administrative, q.comment, q.status, \
         q.decision_reason, q.submitted_at, q.decided_at, p.last_name || ' ' || p.first_name as student"
    };
}

pub async fn request(
    pool: &Pool,
    campaign_id: i64,
    family_id: i64,
    person_id: i64,
) -> sqlx::Result<Option<Request>> {
    sqlx::query_as(concat!(
        "select ",
        request_columns!(),
        " from reenrolment_request q join person p on p.person_id = q.person_id \
         where q.campaign_id = $1 and q.family_id = $2 and q.person_id = $3"
    ))
    .bind(campaign_id)
    .bind(family_id)
    .bind(person_id)
    .fetch_optional(pool)
    .await
}

pub async fn choices(pool: &Pool, request_id: i64) -> sqlx::Result<Vec<i64>> {
    let rows: Vec<(i64,)> =
        sqlx::query_as("select course_record_id from reenrolment_choice where request_id = $1")
            .bind(request_id)
            .fetch_all(pool)
            .await?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}

/// Records the family's choice (a draft until submitted). Refused once submitted.
pub async fn save_choice(
    pool: &Pool,
    campaign: &Campaign,
    family_id: i64,
    person_id: i64,
    administrative: bool,
    records: &[i64],
) -> sqlx::Result<bool> {
    let mut tx = crate::db::begin(pool).await?;
    let existing: Option<(i64, String)> = sqlx::query_as(
        "select request_id, status from reenrolment_request where campaign_id = $1 and person_id = $2 and family_id = $3",
    )
    .bind(campaign.campaign_id)
    .bind(person_id)
    .bind(family_id)
    .fetch_optional(&mut *tx)
    .await?;
    let id = match existing {
        Some((_, status)) if status != RequestStatus::Draft.key() => return Ok(false),
        Some((id, _)) => {
            sqlx::query("update reenrolment_request set administrative = $1 where request_id = $2")
                .bind(i64::from(administrative))
                .bind(id)
                .execute(&mut *tx)
                .await?;
            sqlx::query("delete from reenrolment_choice where request_id = $1")
                .bind(id)
                .execute(&mut *tx)
                .await?;
            id
        }
        None => {
            let id = db::new_id();
            sqlx::query(
                "insert into reenrolment_request (request_id, campaign_id, site_id, family_id, person_id, administrative, \
                 status, created_at) values ($1, $2, $3, $4, $5, $6, 'draft', $7)",
            )
            .bind(id)
            .bind(campaign.campaign_id)
            .bind(campaign.site_id)
            .bind(family_id)
            .bind(person_id)
            .bind(i64::from(administrative))
            .bind(db::now())
            .execute(&mut *tx)
            .await?;
            id
        }
    };
    for r in records {
        sqlx::query(
            "insert into reenrolment_choice (request_id, course_record_id) values ($1, $2)",
        )
        .bind(id)
        .bind(r)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(true)
}

/// Submits a draft once: a second submit (double click, resubmission) changes nothing.
/// The confirmation mail is queued in the same transaction.
pub async fn submit(
    pool: &Pool,
    request_id: i64,
    comment: &str,
    mail: Option<(i64, Outgoing)>,
) -> sqlx::Result<bool> {
    let mut tx = crate::db::begin(pool).await?;
    let done = sqlx::query(
        "update reenrolment_request set status = 'submitted', comment = $1, submitted_at = $2 \
         where request_id = $3 and status = 'draft'",
    )
    .bind(comment)
    .bind(db::now())
    .bind(request_id)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if done != 1 {
        tx.rollback().await?;
        return Ok(false);
    }
    if let Some((site, m)) = mail {
        mail::enqueue(&mut tx, Some(site), &m).await?;
    }
    tx.commit().await?;
    Ok(true)
}

/// A provided file, without its bytes.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Provided {
    pub provided_document_id: i64,
    pub campaign_document_id: i64,
    pub person_id: Option<i64>,
    pub file_name: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub uploaded_at: i64,
    #[sqlx(try_from = "String")]
    pub status: DocumentStatus,
    pub refusal_reason: Option<String>,
}

macro_rules! provided_columns {
    () => {
        "d.provided_document_id, d.campaign_document_id, d.person_id, d.file_name, d.content_type, d.size_bytes, \
         d.uploaded_at, d.status, d.refusal_reason"
    };
}

/// The family's documents of a campaign and the student's (family documents have no person).
pub async fn provided(
    pool: &Pool,
    campaign_id: i64,
    family_id: i64,
    person_id: i64,
) -> sqlx::Result<Vec<Provided>> {
    sqlx::query_as(concat!(
        "select ",
        provided_columns!(),
        " from provided_document d join campaign_document c on c.campaign_document_id = d.campaign_document_id \
         where c.campaign_id = $1 and d.family_id = $2 and (d.person_id is null or d.person_id = $3)"
    ))
    .bind(campaign_id)
    .bind(family_id)
    .bind(person_id)
    .fetch_all(pool)
    .await
}

pub struct Upload<'a> {
    pub campaign_document_id: i64,
    pub family_id: i64,
    pub person_id: Option<i64>,
    pub file_name: &'a str,
    pub content_type: &'a str,
    pub bytes: &'a [u8],
}

/// Stores a file, replacing the holder's previous one unless staff accepted it.
/// The file and its row are one write. Returns false when an accepted file is in the way.
/// What became of an upload.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stored {
    Stored,
    /// Staff accepted the file already: it stays.
    AlreadyAccepted,
    /// The re-enrolment it belongs to is submitted (or decided): the files are frozen,
    /// except those staff refused.
    Frozen,
}

/// Stores a file in its slot (replacing the one there) in one write, unless staff
/// accepted that one or the re-enrolment is submitted (a refused file can be replaced).
pub async fn store_upload(pool: &Pool, u: &Upload<'_>) -> sqlx::Result<Stored> {
    let slot = match u.person_id {
        Some(p) => format!("p{p}"),
        None => format!("f{}", u.family_id),
    };
    let mut tx = crate::db::begin(pool).await?;
    let existing: Option<(i64, String)> = sqlx::query_as(
        "select provided_document_id, status from provided_document where campaign_document_id = $1 and slot = $2",
    )
    .bind(u.campaign_document_id)
    .bind(&slot)
    .fetch_optional(&mut *tx)
    .await?;
    // A request submitted or accepted covers this document of this holder.
    let (frozen,): (i64,) = sqlx::query_as(
        "select cast(count(*) as bigint) from campaign_document cd \
         join reenrolment_request r on r.campaign_id = cd.campaign_id \
         where cd.campaign_document_id = $1 and r.family_id = $2 \
         and r.status in ('submitted', 'accepted') \
         and (cd.per_student = 0 or r.person_id = $3)",
    )
    .bind(u.campaign_document_id)
    .bind(u.family_id)
    .bind(u.person_id.unwrap_or(0))
    .fetch_one(&mut *tx)
    .await?;
    let frozen = frozen > 0;
    match existing {
        Some((_, status)) if status == DocumentStatus::Accepted.key() => {
            return Ok(Stored::AlreadyAccepted);
        }
        Some((_, status)) if frozen && status != DocumentStatus::Refused.key() => {
            return Ok(Stored::Frozen);
        }
        None if frozen => return Ok(Stored::Frozen),
        Some((id, _)) => {
            sqlx::query(
                "update provided_document set file_name = $1, content_type = $2, size_bytes = $3, content = $4, \
                 uploaded_at = $5, status = 'provided', refusal_reason = null where provided_document_id = $6",
            )
            .bind(u.file_name)
            .bind(u.content_type)
            .bind(u.bytes.len() as i64)
            .bind(u.bytes.to_vec())
            .bind(db::now())
            .bind(id)
            .execute(&mut *tx)
            .await?;
        }
        None => {
            sqlx::query(
                "insert into provided_document (provided_document_id, campaign_document_id, family_id, person_id, slot, \
                 file_name, content_type, size_bytes, content, uploaded_at, status) \
                 values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'provided')",
            )
            .bind(db::new_id())
            .bind(u.campaign_document_id)
            .bind(u.family_id)
            .bind(u.person_id)
            .bind(&slot)
            .bind(u.file_name)
            .bind(u.content_type)
            .bind(u.bytes.len() as i64)
            .bind(u.bytes.to_vec())
            .bind(db::now())
            .execute(&mut *tx)
            .await?;
        }
    }
    tx.commit().await?;
    Ok(Stored::Stored)
}

/// Removes a file of the family that staff have not accepted, while its re-enrolment is
/// not submitted (a refused file can always go). Returns whether it did.
pub async fn remove_upload(pool: &Pool, family_id: i64, id: i64) -> sqlx::Result<bool> {
    let n = sqlx::query(
        "delete from provided_document where provided_document_id = $1 and family_id = $2 \
         and status <> 'accepted' \
         and (status = 'refused' or not exists (select 1 from reenrolment_request r \
              join campaign_document cd on cd.campaign_id = r.campaign_id \
              where cd.campaign_document_id = provided_document.campaign_document_id \
              and r.family_id = provided_document.family_id \
              and r.status in ('submitted', 'accepted') \
              and (cd.per_student = 0 or r.person_id = provided_document.person_id)))",
    )
    .bind(id)
    .bind(family_id)
    .execute(pool)
    .await?
    .rows_affected();
    Ok(n == 1)
}

/// A provided file's name, type and bytes: for its family (`family_id`) or for staff of
/// its school.
pub async fn content(
    pool: &Pool,
    id: i64,
    family_id: Option<i64>,
    site_id: i64,
) -> sqlx::Result<Option<crate::web::files::StoredFile>> {
    sqlx::query_as(
        "select d.file_name, d.content_type, d.content from provided_document d \
         join campaign_document c on c.campaign_document_id = d.campaign_document_id \
         join reenrolment_campaign k on k.campaign_id = c.campaign_id \
         where d.provided_document_id = $1 and k.site_id = $2 and ($3 = 0 or d.family_id = $3)",
    )
    .bind(id)
    .bind(site_id)
    .bind(family_id.unwrap_or(0))
    .fetch_optional(pool)
    .await
}

// ---- staff ----

pub async fn requests(pool: &Pool, campaign_id: i64, status: &str) -> sqlx::Result<Vec<Request>> {
    sqlx::query_as(concat!(
        "select ",
        request_columns!(),
        " from reenrolment_request q join person p on p.person_id = q.person_id \
         where q.campaign_id = $1 and q.status = $2 order by q.submitted_at, q.request_id"
    ))
    .bind(campaign_id)
    .bind(status)
    .fetch_all(pool)
    .await
}

pub async fn request_for_staff(
    pool: &Pool,
    site_id: i64,
    request_id: i64,
) -> sqlx::Result<Option<Request>> {
    sqlx::query_as(concat!(
        "select ",
        request_columns!(),
        " from reenrolment_request q join person p on p.person_id = q.person_id \
         where q.site_id = $1 and q.request_id = $2 and q.status <> 'draft'"
    ))
    .bind(site_id)
    .bind(request_id)
    .fetch_optional(pool)
    .await
}

/// A staff member's decision on a document or a request of their site.
pub struct StaffDecision<'a> {
    pub site_id: i64,
    pub staff: i64,
    /// The provided document or the request decided.
    pub id: i64,
    pub accept: bool,
    /// Why it is refused (kept only for a refusal).
    pub reason: &'a str,
    /// The family's mail, queued with the decision.
    pub mail: Option<Outgoing>,
}

/// Staff accept or refuse one provided document of a request's family; mails the family.
pub async fn decide_document(pool: &Pool, decision: StaffDecision<'_>) -> sqlx::Result<bool> {
    let StaffDecision {
        site_id,
        id: document_id,
        accept,
        reason,
        ..
    } = decision;
    let mut tx = crate::db::begin(pool).await?;
    let n = sqlx::query(
        "update provided_document set status = $1, refusal_reason = $2 where provided_document_id = $3 \
         and campaign_document_id in (select c.campaign_document_id from campaign_document c \
           join reenrolment_campaign k on k.campaign_id = c.campaign_id where k.site_id = $4)",
    )
    .bind(if accept { DocumentStatus::Accepted } else { DocumentStatus::Refused }.key())
    .bind((!accept).then_some(reason))
    .bind(document_id)
    .bind(site_id)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    let action = if accept {
        "document_accepted"
    } else {
        "document_refused"
    };
    finish_decision(tx, n, action, decision).await
}

/// Staff decide a submitted request once; the family is mailed in the same transaction.
pub async fn decide_request(pool: &Pool, decision: StaffDecision<'_>) -> sqlx::Result<bool> {
    let StaffDecision {
        site_id,
        staff,
        id: request_id,
        accept,
        reason,
        ..
    } = decision;
    let mut tx = crate::db::begin(pool).await?;
    let n = sqlx::query(
        "update reenrolment_request set status = $1, decision_reason = $2, decided_at = $3, decided_by = $4 \
         where request_id = $5 and site_id = $6 and status = 'submitted'",
    )
    .bind(if accept { RequestStatus::Accepted } else { RequestStatus::Refused }.key())
    .bind((!accept).then_some(reason))
    .bind(db::now())
    .bind(staff)
    .bind(request_id)
    .bind(site_id)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    let action = if accept {
        "reenrolment_accepted"
    } else {
        "reenrolment_refused"
    };
    finish_decision(tx, n, action, decision).await
}

/// The end of a staff decision: nothing when the UPDATE touched no row (already decided, or
/// not of this school); otherwise the family's mail and the audit line, in the same
/// transaction. Returns whether the decision was recorded.
async fn finish_decision(
    mut tx: sqlx::Transaction<'_, sqlx::Any>,
    updated: u64,
    action: &str,
    decision: StaffDecision<'_>,
) -> sqlx::Result<bool> {
    let StaffDecision {
        site_id,
        staff,
        id,
        mail,
        ..
    } = decision;
    if updated != 1 {
        tx.rollback().await?;
        return Ok(false);
    }
    if let Some(m) = mail {
        mail::enqueue(&mut tx, Some(site_id), &m).await?;
    }
    audit(&mut tx, Some(site_id), Some(staff), action, &id.to_string()).await?;
    tx.commit().await?;
    Ok(true)
}

/// The e-mail of a family's first guardian (for decisions).
pub async fn family_email(conn: &Pool, family_id: i64) -> sqlx::Result<Option<String>> {
    let row: Option<(Option<String>,)> = sqlx::query_as(
        "select email from person where family_id = $1 and is_guardian = 1 and email is not null \
         order by last_name, first_name, person_id limit 1",
    )
    .bind(family_id)
    .fetch_optional(conn)
    .await?;
    Ok(row.and_then(|r| r.0))
}
