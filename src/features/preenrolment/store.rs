//! SQL of pre-enrolment. Staff queries are bound to their school; a family reaches its
//! request only through a token mailed to the address it gave (confirmation, follow-up).

use crate::audit::audit;
use crate::db::{self, Pool};
use crate::mail::Outgoing;
use crate::web::files::StoredFile;

use super::{ACCEPTED, DRAW, NEW, OFFER_DAYS, OFFERED, REFUSED, UNCONFIRMED, WAITING, WITHDRAWN};

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Window {
    pub window_id: i64,
    pub site_id: i64,
    pub label: String,
    pub opens_on: String,
    pub closes_on: String,
    pub rule: String,
    pub seed: Option<i64>,
    pub drawn_at: Option<i64>,
    pub documents: String,
    pub retention_months: i64,
    pub purged_at: Option<i64>,
}

impl Window {
    /// The documents asked for, one per line.
    pub fn documents(&self) -> Vec<&str> {
        self.documents
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect()
    }

    pub fn is_open(&self, today: &str) -> bool {
        self.opens_on.as_str() <= today && today <= self.closes_on.as_str()
    }
}

const WINDOW_COLUMNS: &str = "window_id, site_id, label, opens_on, closes_on, rule, seed, drawn_at, \
     documents, retention_months, purged_at";

/// The school's window open today, if any.
pub async fn open_window(pool: &Pool, site_id: i64, today: &str) -> sqlx::Result<Option<Window>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "select {WINDOW_COLUMNS} from preenrolment_window where site_id = $1 and opens_on <= $2 \
         and closes_on >= $2 order by opens_on desc limit 1"
    )))
    .bind(site_id)
    .bind(today)
    .fetch_optional(pool)
    .await
}

/// The schools with a window open today: (slug, name).
pub async fn open_schools(pool: &Pool, today: &str) -> sqlx::Result<Vec<(String, String)>> {
    sqlx::query_as(
        "select s.slug, s.name from site s where exists (select 1 from preenrolment_window w \
         where w.site_id = s.site_id and w.opens_on <= $1 and w.closes_on >= $1) order by s.name",
    )
    .bind(today)
    .fetch_all(pool)
    .await
}

/// The school's latest window (open, to come or closed), for staff.
pub async fn latest_window(pool: &Pool, site_id: i64) -> sqlx::Result<Option<Window>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "select {WINDOW_COLUMNS} from preenrolment_window where site_id = $1 \
         order by opens_on desc limit 1"
    )))
    .bind(site_id)
    .fetch_optional(pool)
    .await
}

/// Every window, for the housekeeping (few rows: a school opens one or two a year).
pub async fn windows_to_purge(pool: &Pool, before: &str) -> sqlx::Result<Vec<Window>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "select {WINDOW_COLUMNS} from preenrolment_window where purged_at is null and closes_on < $1"
    )))
    .bind(before)
    .fetch_all(pool)
    .await
}

pub struct NewWindow<'a> {
    pub site_id: i64,
    pub account_id: i64,
    pub label: &'a str,
    pub opens_on: &'a str,
    pub closes_on: &'a str,
    pub rule: &'a str,
    pub documents: &'a str,
    pub retention_months: i64,
}

/// Creates a window, or updates the school's latest one (`window_id`).
pub async fn save_window(
    pool: &Pool,
    window_id: Option<i64>,
    w: &NewWindow<'_>,
) -> sqlx::Result<i64> {
    let mut tx = db::begin(pool).await?;
    let id = match window_id {
        Some(id) => {
            sqlx::query(
                "update preenrolment_window set label = $1, opens_on = $2, closes_on = $3, rule = $4, \
                 documents = $5, retention_months = $6 where window_id = $7 and site_id = $8",
            )
            .bind(w.label)
            .bind(w.opens_on)
            .bind(w.closes_on)
            .bind(w.rule)
            .bind(w.documents)
            .bind(w.retention_months)
            .bind(id)
            .bind(w.site_id)
            .execute(&mut *tx)
            .await?;
            id
        }
        None => {
            let id = db::new_id();
            sqlx::query(
                "insert into preenrolment_window (window_id, site_id, label, opens_on, closes_on, rule, \
                 documents, retention_months, created_at, created_by) \
                 values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
            )
            .bind(id)
            .bind(w.site_id)
            .bind(w.label)
            .bind(w.opens_on)
            .bind(w.closes_on)
            .bind(w.rule)
            .bind(w.documents)
            .bind(w.retention_months)
            .bind(db::now())
            .bind(w.account_id)
            .execute(&mut *tx)
            .await?;
            id
        }
    };
    audit(
        &mut tx,
        Some(w.site_id),
        Some(w.account_id),
        "preenrolment_window_saved",
        &format!(
            "{}: {} → {}, {}, {} mois",
            w.label, w.opens_on, w.closes_on, w.rule, w.retention_months
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Offer {
    pub offer_id: i64,
    pub window_id: i64,
    pub label: String,
    pub places: i64,
    pub taken: i64,
    pub born_from: Option<i64>,
    pub born_to: Option<i64>,
    /// Requests on its waiting list.
    pub waiting: i64,
}

impl Offer {
    pub fn left(&self) -> i64 {
        (self.places - self.taken).max(0)
    }

    /// Who may ask for it, in words: « nés de 2016 à 2019 ».
    pub fn ages(&self) -> Option<String> {
        match (self.born_from, self.born_to) {
            (Some(a), Some(b)) if a == b => Some(format!("nés en {a}")),
            (Some(a), Some(b)) => Some(format!("nés de {a} à {b}")),
            (Some(a), None) => Some(format!("nés en {a} ou après")),
            (None, Some(b)) => Some(format!("nés en {b} ou avant")),
            (None, None) => None,
        }
    }

    pub fn admits(&self, birth_year: i64) -> bool {
        self.born_from.is_none_or(|a| birth_year >= a)
            && self.born_to.is_none_or(|b| birth_year <= b)
    }
}

pub async fn offers(pool: &Pool, window_id: i64) -> sqlx::Result<Vec<Offer>> {
    sqlx::query_as(
        "select o.offer_id, o.window_id, o.label, o.places, o.taken, o.born_from, o.born_to, \
                cast((select count(*) from preenrolment_request r where r.offer_id = o.offer_id \
                      and r.status = 'attente') as bigint) as waiting \
         from preenrolment_offer o where o.window_id = $1 order by o.label, o.offer_id",
    )
    .bind(window_id)
    .fetch_all(pool)
    .await
}

pub async fn add_offer(
    pool: &Pool,
    site_id: i64,
    account_id: i64,
    window_id: i64,
    o: (&str, i64, Option<i64>, Option<i64>),
) -> sqlx::Result<()> {
    let mut tx = db::begin(pool).await?;
    sqlx::query(
        "insert into preenrolment_offer (offer_id, window_id, label, places, born_from, born_to) \
         values ($1, $2, $3, $4, $5, $6)",
    )
    .bind(db::new_id())
    .bind(window_id)
    .bind(o.0)
    .bind(o.1)
    .bind(o.2)
    .bind(o.3)
    .execute(&mut *tx)
    .await?;
    audit(
        &mut tx,
        Some(site_id),
        Some(account_id),
        "preenrolment_offer_added",
        &format!("{} ({} places)", o.0, o.1),
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// A child's request as the family sent it.
pub struct NewRequest<'a> {
    pub window_id: i64,
    pub site_id: i64,
    pub civility: &'a str,
    pub last_name: &'a str,
    pub first_name: &'a str,
    pub email: &'a str,
    pub phone: &'a str,
    pub address: &'a str,
    pub postal_code: &'a str,
    pub city: &'a str,
    pub child_last_name: &'a str,
    pub child_first_name: &'a str,
    pub child_birth_date: &'a str,
    /// Offer ids, in order of preference.
    pub wishes: &'a [i64],
    /// The documents: (what was asked, file name, type, bytes).
    pub documents: &'a [(String, String, &'static str, Vec<u8>)],
}

/// Writes the mail that confirms the address, from what became of each child.
pub type ConfirmMail<'a> = dyn Fn(&[Submitted]) -> Outgoing + Sync + 'a;

/// What became of each child of a form.
#[derive(Clone, Debug)]
pub struct Submitted {
    pub child: String,
    pub reference: String,
    /// Stored now (else it was already there).
    pub new: bool,
    /// Its address is still to be confirmed.
    pub to_confirm: bool,
}

/// Stores the requests of one form (one per child) with the token that confirms the address,
/// and queues the confirmation mail, in one transaction. A child already asked for with the
/// same address in this window is not stored twice (`Submitted::new` false).
pub async fn submit(
    pool: &Pool,
    requests: &[NewRequest<'_>],
    confirm_hash: &str,
    mail: Option<&ConfirmMail<'_>>,
) -> sqlx::Result<Vec<Submitted>> {
    let mut tx = db::begin(pool).await?;
    let now = db::now();
    let mut out = Vec::new();
    for r in requests {
        let key = super::child_key(r.child_last_name, r.child_first_name, r.child_birth_date);
        let existing: Option<(i64, String, String)> = sqlx::query_as(
            "select request_id, reference, status from preenrolment_request \
             where window_id = $1 and email = $2 and child_key = $3",
        )
        .bind(r.window_id)
        .bind(r.email)
        .bind(&key)
        .fetch_optional(&mut *tx)
        .await?;
        let child = format!("{} {}", r.child_first_name, r.child_last_name);
        if let Some((id, reference, status)) = existing {
            // Still to confirm: this mail's link confirms it (the earlier link too).
            let unconfirmed = status == UNCONFIRMED;
            if unconfirmed {
                sqlx::query(
                    "update preenrolment_request set confirm_token_hash = $1 where request_id = $2",
                )
                .bind(confirm_hash)
                .bind(id)
                .execute(&mut *tx)
                .await?;
            }
            out.push(Submitted {
                child,
                reference,
                new: false,
                to_confirm: unconfirmed,
            });
            continue;
        }
        let id = db::new_id();
        let reference = super::new_reference();
        sqlx::query(
            "insert into preenrolment_request (request_id, window_id, site_id, reference, civility, last_name, \
             first_name, email, phone, address, postal_code, city, child_last_name, child_first_name, \
             child_birth_date, child_key, consent_at, status, confirm_token_hash, created_at) \
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $17)",
        )
        .bind(id)
        .bind(r.window_id)
        .bind(r.site_id)
        .bind(&reference)
        .bind(r.civility)
        .bind(r.last_name)
        .bind(r.first_name)
        .bind(r.email)
        .bind(r.phone)
        .bind(r.address)
        .bind(r.postal_code)
        .bind(r.city)
        .bind(r.child_last_name)
        .bind(r.child_first_name)
        .bind(r.child_birth_date)
        .bind(&key)
        .bind(now)
        .bind(UNCONFIRMED)
        .bind(confirm_hash)
        .execute(&mut *tx)
        .await?;
        for (i, offer) in r.wishes.iter().enumerate() {
            sqlx::query(
                "insert into preenrolment_wish (request_id, offer_id, preference) values ($1, $2, $3)",
            )
            .bind(id)
            .bind(offer)
            .bind(i as i64 + 1)
            .execute(&mut *tx)
            .await?;
        }
        for (label, name, kind, bytes) in r.documents {
            sqlx::query(
                "insert into preenrolment_document (document_id, request_id, label, file_name, content_type, \
                 size_bytes, content) values ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(db::new_id())
            .bind(id)
            .bind(label)
            .bind(name)
            .bind(*kind)
            .bind(bytes.len() as i64)
            .bind(bytes.as_slice())
            .execute(&mut *tx)
            .await?;
        }
        audit(
            &mut tx,
            Some(r.site_id),
            None,
            "preenrolment_requested",
            &reference,
        )
        .await?;
        out.push(Submitted {
            child,
            reference,
            new: true,
            to_confirm: true,
        });
    }
    if let (Some(first), Some(mail)) = (requests.first(), mail) {
        crate::mail::enqueue(&mut tx, Some(first.site_id), &mail(&out)).await?;
    }
    tx.commit().await?;
    Ok(out)
}

/// A request, for its family or for staff.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Request {
    pub request_id: i64,
    pub window_id: i64,
    pub site_id: i64,
    pub reference: String,
    pub civility: String,
    pub last_name: String,
    pub first_name: String,
    pub email: String,
    pub phone: String,
    pub address: String,
    pub postal_code: String,
    pub city: String,
    pub child_last_name: String,
    pub child_first_name: String,
    pub child_birth_date: String,
    pub status: String,
    pub confirmed_at: Option<i64>,
    pub draw_rank: Option<i64>,
    pub offer_id: Option<i64>,
    pub offer: Option<String>,
    pub offered_until: Option<String>,
    pub decision_reason: Option<String>,
    pub decided_at: Option<i64>,
    pub family_id: Option<i64>,
    pub created_at: i64,
}

impl Request {
    pub fn child(&self) -> String {
        format!("{} {}", self.child_first_name, self.child_last_name)
    }
}

const REQUEST_COLUMNS: &str = "r.request_id, r.window_id, r.site_id, r.reference, r.civility, r.last_name, \
     r.first_name, r.email, r.phone, r.address, r.postal_code, r.city, r.child_last_name, r.child_first_name, \
     r.child_birth_date, r.status, r.confirmed_at, r.draw_rank, r.offer_id, o.label as offer, r.offered_until, \
     r.decision_reason, r.decided_at, r.family_id, r.created_at \
     from preenrolment_request r left join preenrolment_offer o on o.offer_id = r.offer_id";

/// Confirms the address of every request sent with this token: they now count (first come,
/// first served counts from this moment). Returns the requests (empty: unknown token).
pub async fn confirm(pool: &Pool, token_hash: &str) -> sqlx::Result<Vec<Request>> {
    let mut tx = db::begin(pool).await?;
    sqlx::query(
        "update preenrolment_request set status = $1, confirmed_at = $2 \
         where confirm_token_hash = $3 and status = $4",
    )
    .bind(NEW)
    .bind(db::now())
    .bind(token_hash)
    .bind(UNCONFIRMED)
    .execute(&mut *tx)
    .await?;
    let list: Vec<Request> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "select {REQUEST_COLUMNS} where r.confirm_token_hash = $1 order by r.child_first_name"
    )))
    .bind(token_hash)
    .fetch_all(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(list)
}

/// One request of the school.
pub async fn request(pool: &Pool, site_id: i64, request_id: i64) -> sqlx::Result<Option<Request>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "select {REQUEST_COLUMNS} where r.site_id = $1 and r.request_id = $2"
    )))
    .bind(site_id)
    .bind(request_id)
    .fetch_optional(pool)
    .await
}

/// The request a reference and an address name (the follow-up form).
pub async fn by_reference(
    pool: &Pool,
    reference: &str,
    email: &str,
) -> sqlx::Result<Option<Request>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "select {REQUEST_COLUMNS} where r.reference = $1 and r.email = $2 and r.anonymised_at is null"
    )))
    .bind(reference)
    .bind(email)
    .fetch_optional(pool)
    .await
}

/// The request a follow-up link opens (valid until its expiry).
pub async fn by_follow_token(pool: &Pool, token_hash: &str) -> sqlx::Result<Option<Request>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "select {REQUEST_COLUMNS} where r.follow_token_hash = $1 and r.follow_expires_at >= $2 \
         and r.anonymised_at is null"
    )))
    .bind(token_hash)
    .bind(db::now())
    .fetch_optional(pool)
    .await
}

/// Gives a request a new follow-up link (the previous one stops), and queues its mail.
pub async fn set_follow(
    pool: &Pool,
    request_id: i64,
    token_hash: &str,
    valid_seconds: i64,
    mail: &Outgoing,
    site_id: i64,
) -> sqlx::Result<()> {
    let mut tx = db::begin(pool).await?;
    sqlx::query(
        "update preenrolment_request set follow_token_hash = $1, follow_expires_at = $2 where request_id = $3",
    )
    .bind(token_hash)
    .bind(db::now() + valid_seconds)
    .bind(request_id)
    .execute(&mut *tx)
    .await?;
    crate::mail::enqueue(&mut tx, Some(site_id), mail).await?;
    tx.commit().await?;
    Ok(())
}

/// The wishes of a request, in order: (offer id, label).
pub async fn wishes(pool: &Pool, request_id: i64) -> sqlx::Result<Vec<(i64, String)>> {
    sqlx::query_as(
        "select o.offer_id, o.label from preenrolment_wish w join preenrolment_offer o on o.offer_id = w.offer_id \
         where w.request_id = $1 order by w.preference",
    )
    .bind(request_id)
    .fetch_all(pool)
    .await
}

/// A document a request was sent with: (id, what was asked, file name, size, type).
pub type Document = (i64, String, String, i64, String);

/// The documents of a request.
pub async fn documents(pool: &Pool, request_id: i64) -> sqlx::Result<Vec<Document>> {
    sqlx::query_as(
        "select document_id, label, file_name, size_bytes, content_type from preenrolment_document \
         where request_id = $1 \
         order by label, document_id",
    )
    .bind(request_id)
    .fetch_all(pool)
    .await
}

pub async fn document(
    pool: &Pool,
    site_id: i64,
    document_id: i64,
) -> sqlx::Result<Option<StoredFile>> {
    sqlx::query_as(
        "select d.file_name, d.content_type, d.content from preenrolment_document d \
         join preenrolment_request r on r.request_id = d.request_id \
         where d.document_id = $1 and r.site_id = $2",
    )
    .bind(document_id)
    .bind(site_id)
    .fetch_optional(pool)
    .await
}

/// A request as ranked under one of its wishes.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Ranked {
    pub request_id: i64,
    pub reference: String,
    pub child: String,
    pub child_birth_date: String,
    pub preference: i64,
    pub status: String,
    /// The offer the request is accepted, offered or waiting on (may be another wish).
    pub offer_id: Option<i64>,
    pub confirmed_at: Option<i64>,
    pub draw_rank: Option<i64>,
}

/// The confirmed requests that wish for `offer_id`, in the window's order: first come
/// (confirmation time) or the draw's rank (undrawn requests last, by arrival).
pub async fn ranked(pool: &Pool, window: &Window, offer_id: i64) -> sqlx::Result<Vec<Ranked>> {
    let order = if window.rule == DRAW {
        "case when r.draw_rank is null then 1 else 0 end, r.draw_rank, r.confirmed_at, r.request_id"
    } else {
        "r.confirmed_at, r.request_id"
    };
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "select r.request_id, r.reference, r.child_first_name || ' ' || r.child_last_name as child, \
                r.child_birth_date, w.preference, r.status, r.offer_id, r.confirmed_at, r.draw_rank \
         from preenrolment_wish w join preenrolment_request r on r.request_id = w.request_id \
         where w.offer_id = $1 and r.window_id = $2 and r.status <> '{UNCONFIRMED}' \
         order by {order}"
    )))
    .bind(offer_id)
    .bind(window.window_id)
    .fetch_all(pool)
    .await
}

/// A request's place on the waiting list of its offer (1 = next), in the window's order.
pub async fn waiting_position(
    pool: &Pool,
    window: &Window,
    r: &Request,
) -> sqlx::Result<Option<i64>> {
    let Some(offer) = r.offer_id.filter(|_| r.status == WAITING) else {
        return Ok(None);
    };
    let list = ranked(pool, window, offer).await?;
    Ok(list
        .iter()
        .filter(|x| x.status == WAITING && x.offer_id == Some(offer))
        .position(|x| x.request_id == r.request_id)
        .map(|p| p as i64 + 1))
}

/// Records the draw: the seed, and each confirmed request's rank. False when already drawn.
pub async fn record_draw(
    pool: &Pool,
    window: &Window,
    account_id: i64,
    seed: u64,
) -> sqlx::Result<bool> {
    let mut tx = db::begin(pool).await?;
    let n = sqlx::query(
        "update preenrolment_window set seed = $1, drawn_at = $2 where window_id = $3 and seed is null",
    )
    .bind(seed as i64)
    .bind(db::now())
    .bind(window.window_id)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if n == 0 {
        return Ok(false);
    }
    let ids: Vec<(i64,)> = sqlx::query_as(
        "select request_id from preenrolment_request where window_id = $1 and status <> $2",
    )
    .bind(window.window_id)
    .bind(UNCONFIRMED)
    .fetch_all(&mut *tx)
    .await?;
    let ids: Vec<i64> = ids.into_iter().map(|r| r.0).collect();
    for (rank, id) in super::draw(seed, &ids).into_iter().enumerate() {
        sqlx::query("update preenrolment_request set draw_rank = $1 where request_id = $2")
            .bind(rank as i64 + 1)
            .bind(id)
            .execute(&mut *tx)
            .await?;
    }
    audit(
        &mut tx,
        Some(window.site_id),
        Some(account_id),
        "preenrolment_drawn",
        &format!("{}: graine {seed}, {} demandes", window.label, ids.len()),
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}

/// Why an acceptance did not happen.
#[derive(Debug, PartialEq, Eq)]
pub enum Refusal {
    /// The offer has no place left (another acceptance took the last one).
    Full,
    /// The request was decided meanwhile.
    Decided,
}

/// Takes a place of `offer_id` for the request and makes its family: one transaction, so
/// that two staff accepting at once for the last place fill it once (`taken < places`).
/// A sibling accepted before (same address, same window) gives its family and guardian.
/// Returns the guardian's person id (for the invitation).
pub async fn accept(
    pool: &Pool,
    r: &Request,
    offer_id: i64,
    account_id: Option<i64>,
    already_taken: bool,
) -> sqlx::Result<Result<i64, Refusal>> {
    let mut tx = db::begin(pool).await?;
    if !already_taken {
        let took = sqlx::query(
            "update preenrolment_offer set taken = taken + 1 where offer_id = $1 and window_id = $2 \
             and taken < places",
        )
        .bind(offer_id)
        .bind(r.window_id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if took == 0 {
            return Ok(Err(Refusal::Full));
        }
    }
    let from: &[&str] = if already_taken {
        &[OFFERED]
    } else {
        &[NEW, WAITING]
    };
    let n = sqlx::query(
        "update preenrolment_request set status = $1, offer_id = $2, offered_until = null, decided_at = $3, \
         decided_by = $4 where request_id = $5 and (status = $6 or status = $7)",
    )
    .bind(ACCEPTED)
    .bind(offer_id)
    .bind(db::now())
    .bind(account_id)
    .bind(r.request_id)
    .bind(from[0])
    .bind(from[from.len() - 1])
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if n == 0 {
        return Ok(Err(Refusal::Decided));
    }
    let now = db::now();
    let sibling: Option<(i64, i64)> = sqlx::query_as(
        "select r.family_id, p.person_id from preenrolment_request r \
         join person p on p.family_id = r.family_id and p.is_guardian = 1 \
         where r.window_id = $1 and r.email = $2 and r.family_id is not null and r.request_id <> $3 \
         order by p.person_id limit 1",
    )
    .bind(r.window_id)
    .bind(&r.email)
    .bind(r.request_id)
    .fetch_optional(&mut *tx)
    .await?;
    let (family, guardian) = match sibling {
        Some(x) => x,
        None => {
            let family = db::new_id();
            sqlx::query("insert into family (family_id, site_id, created_at) values ($1, $2, $3)")
                .bind(family)
                .bind(r.site_id)
                .bind(now)
                .execute(&mut *tx)
                .await?;
            let guardian = db::new_id();
            sqlx::query(
                "insert into person (person_id, site_id, family_id, civility, last_name, first_name, email, \
                 address, postal_code, city, phone_mobile, is_guardian, is_student, created_at, updated_at) \
                 values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 1, 0, $12, $12)",
            )
            .bind(guardian)
            .bind(r.site_id)
            .bind(family)
            .bind(&r.civility)
            .bind(&r.last_name)
            .bind(&r.first_name)
            .bind(&r.email)
            .bind(&r.address)
            .bind(&r.postal_code)
            .bind(&r.city)
            .bind(&r.phone)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            (family, guardian)
        }
    };
    sqlx::query(
        "insert into person (person_id, site_id, family_id, civility, last_name, first_name, birth_date, \
         use_guardian_contact, is_guardian, is_student, created_at, updated_at) \
         values ($1, $2, $3, '', $4, $5, $6, '1', 0, 1, $7, $7)",
    )
    .bind(db::new_id())
    .bind(r.site_id)
    .bind(family)
    .bind(&r.child_last_name)
    .bind(&r.child_first_name)
    .bind(&r.child_birth_date)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    sqlx::query("update preenrolment_request set family_id = $1 where request_id = $2")
        .bind(family)
        .bind(r.request_id)
        .execute(&mut *tx)
        .await?;
    audit(
        &mut tx,
        Some(r.site_id),
        account_id,
        "preenrolment_accepted",
        &format!("{} (famille {family})", r.reference),
    )
    .await?;
    tx.commit().await?;
    Ok(Ok(guardian))
}

/// Staff put a request on the waiting list of one of its wishes, or refuse it; the family's
/// mail is queued with it (none for the demo's seed). False when it was decided meanwhile.
pub async fn decide(
    pool: &Pool,
    r: &Request,
    account_id: i64,
    decision: (&str, Option<i64>, Option<&str>),
    mail: Option<&Outgoing>,
) -> sqlx::Result<bool> {
    let (status, offer, reason) = decision;
    let mut tx = db::begin(pool).await?;
    let n = sqlx::query(
        "update preenrolment_request set status = $1, offer_id = coalesce($2, offer_id), decision_reason = $3, \
         decided_at = $4, decided_by = $5 where request_id = $6 and site_id = $7 and (status = $8 or status = $9)",
    )
    .bind(status)
    .bind(offer)
    .bind(reason)
    .bind(db::now())
    .bind(account_id)
    .bind(r.request_id)
    .bind(r.site_id)
    .bind(NEW)
    .bind(WAITING)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if n == 1 {
        if let Some(mail) = mail {
            crate::mail::enqueue(&mut tx, Some(r.site_id), mail).await?;
        }
        audit(
            &mut tx,
            Some(r.site_id),
            Some(account_id),
            if status == REFUSED {
                "preenrolment_refused"
            } else {
                "preenrolment_waiting"
            },
            &r.reference,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(n == 1)
}

/// The family withdraws its request. A place it held (accepted or offered) is freed.
/// Returns the offer freed, if any; None and false when it was already over.
pub async fn withdraw(pool: &Pool, r: &Request) -> sqlx::Result<(bool, Option<i64>)> {
    let mut tx = db::begin(pool).await?;
    let n = sqlx::query(
        "update preenrolment_request set status = $1, offered_until = null where request_id = $2 \
         and status in ('non_confirmee', 'nouvelle', 'attente', 'proposee', 'acceptee')",
    )
    .bind(WITHDRAWN)
    .bind(r.request_id)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    let freed = if n == 1 && (r.status == ACCEPTED || r.status == OFFERED) {
        if let Some(o) = r.offer_id {
            sqlx::query(
                "update preenrolment_offer set taken = taken - 1 where offer_id = $1 and taken > 0",
            )
            .bind(o)
            .execute(&mut *tx)
            .await?;
        }
        r.offer_id
    } else {
        None
    };
    if n == 1 {
        audit(
            &mut tx,
            Some(r.site_id),
            None,
            "preenrolment_withdrawn",
            &r.reference,
        )
        .await?;
    }
    tx.commit().await?;
    Ok((n == 1, freed))
}

/// Offers a freed place of `offer_id` to the next request on its waiting list (a deadline to
/// confirm, a mail); returns it. Nothing when no place is free or no one waits.
pub async fn offer_next(
    pool: &Pool,
    window: &Window,
    offer_id: i64,
    today: time::Date,
    mail: impl Fn(&Request, &str) -> Outgoing,
) -> sqlx::Result<Option<Request>> {
    let list = ranked(pool, window, offer_id).await?;
    let Some(next) = list
        .iter()
        .find(|x| x.status == WAITING && x.offer_id == Some(offer_id))
    else {
        return Ok(None);
    };
    let until = crate::domain::date::iso(today + time::Duration::days(OFFER_DAYS));
    let mut tx = db::begin(pool).await?;
    let took = sqlx::query(
        "update preenrolment_offer set taken = taken + 1 where offer_id = $1 and taken < places",
    )
    .bind(offer_id)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if took == 0 {
        return Ok(None);
    }
    let n = sqlx::query(
        "update preenrolment_request set status = $1, offered_until = $2 where request_id = $3 and status = $4",
    )
    .bind(OFFERED)
    .bind(&until)
    .bind(next.request_id)
    .bind(WAITING)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if n == 0 {
        return Ok(None);
    }
    let r: Request = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "select {REQUEST_COLUMNS} where r.request_id = $1"
    )))
    .bind(next.request_id)
    .fetch_one(&mut *tx)
    .await?;
    crate::mail::enqueue(&mut tx, Some(r.site_id), &mail(&r, &until)).await?;
    audit(
        &mut tx,
        Some(r.site_id),
        None,
        "preenrolment_place_offered",
        &format!("{} jusqu'au {until}", r.reference),
    )
    .await?;
    tx.commit().await?;
    Ok(Some(r))
}

/// Places offered and not confirmed in time: the request is refused (« place non confirmée »)
/// and the place freed. Returns the offers freed.
pub async fn expire_offers(pool: &Pool, window_id: i64, today: &str) -> sqlx::Result<Vec<i64>> {
    let late: Vec<(i64, i64, String, i64)> = sqlx::query_as(
        "select request_id, offer_id, reference, site_id from preenrolment_request \
         where window_id = $1 and status = $2 and offered_until < $3",
    )
    .bind(window_id)
    .bind(OFFERED)
    .bind(today)
    .fetch_all(pool)
    .await?;
    let mut freed = Vec::new();
    for (id, offer, reference, site) in late {
        let mut tx = db::begin(pool).await?;
        let n = sqlx::query(
            "update preenrolment_request set status = $1, decision_reason = 'Place proposée non confirmée à temps', \
             offered_until = null where request_id = $2 and status = $3",
        )
        .bind(REFUSED)
        .bind(id)
        .bind(OFFERED)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if n == 1 {
            sqlx::query(
                "update preenrolment_offer set taken = taken - 1 where offer_id = $1 and taken > 0",
            )
            .bind(offer)
            .execute(&mut *tx)
            .await?;
            audit(
                &mut tx,
                Some(site),
                None,
                "preenrolment_offer_expired",
                &reference,
            )
            .await?;
            freed.push(offer);
        }
        tx.commit().await?;
    }
    Ok(freed)
}

/// Retention: once `retention_months` have passed since the window closed, the requests not
/// accepted lose their people's details and documents (the reference, state and wishes stay,
/// for the school's figures). Returns how many were anonymised.
pub async fn purge(pool: &Pool, window: &Window) -> sqlx::Result<u64> {
    let mut tx = db::begin(pool).await?;
    sqlx::query(
        "delete from preenrolment_document where request_id in (select request_id from preenrolment_request \
         where window_id = $1 and status <> $2)",
    )
    .bind(window.window_id)
    .bind(ACCEPTED)
    .execute(&mut *tx)
    .await?;
    let n = sqlx::query(
        "update preenrolment_request set civility = '', last_name = '', first_name = '', email = '', phone = '', \
         address = '', postal_code = '', city = '', child_last_name = '', child_first_name = '', \
         child_birth_date = substr(child_birth_date, 1, 4) || '-01-01', \
         child_key = 'anonymise-' || reference, confirm_token_hash = null, follow_token_hash = null, \
         anonymised_at = $1 where window_id = $2 and status <> $3 and anonymised_at is null",
    )
    .bind(db::now())
    .bind(window.window_id)
    .bind(ACCEPTED)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    sqlx::query("update preenrolment_window set purged_at = $1 where window_id = $2")
        .bind(db::now())
        .bind(window.window_id)
        .execute(&mut *tx)
        .await?;
    audit(
        &mut tx,
        Some(window.site_id),
        None,
        "preenrolment_purged",
        &format!("{}: {n} demandes anonymisées", window.label),
    )
    .await?;
    tx.commit().await?;
    Ok(n)
}
