//! SQL of the staff's side of change requests: the queue of a site, one request, the decision.
//! Every query is scoped by the staff member's site.

use crate::audit::audit;
use crate::db::{self, Pool};
use crate::domain::status::{ChangeStatus, ItemStatus};
use crate::features::records::fields::{self, FieldDef};
use crate::features::records::store::{KEYS, Pending, PendingItem};
use crate::mail::{self, Outgoing};

/// A line of the staff queue.
#[derive(sqlx::FromRow)]
pub struct QueueRow {
    pub change_request_id: i64,
    pub last_name: String,
    pub first_name: String,
    pub identifier: String,
    pub updated_at: i64,
    pub fields: i64,
}

/// Pending requests of one site, oldest first.
pub async fn queue(pool: &Pool, site_id: i64) -> sqlx::Result<Vec<QueueRow>> {
    sqlx::query_as(
        "select r.change_request_id, p.last_name, p.first_name, a.identifier, r.updated_at, \
                cast(count(i.change_item_id) as bigint) as fields \
         from change_request r \
         join person p on p.person_id = r.person_id \
         join account a on a.account_id = r.requested_by \
         join change_item i on i.change_request_id = r.change_request_id and i.status = 'pending' \
         where r.site_id = $1 and r.status = 'pending' \
         group by r.change_request_id, p.last_name, p.first_name, a.identifier, r.updated_at, r.created_at \
         order by r.created_at, r.change_request_id",
    )
    .bind(site_id)
    .fetch_all(pool)
    .await
}

/// A pending request of a site, with its pending items.
pub struct RequestDetail {
    pub change_request_id: i64,
    pub person_id: i64,
    pub requested_by: i64,
    pub identifier: String,
    pub updated_at: i64,
    pub items: Vec<(String, Pending)>,
}

pub async fn request(
    pool: &Pool,
    site_id: i64,
    request_id: i64,
) -> sqlx::Result<Option<RequestDetail>> {
    let head: Option<(i64, i64, String, i64)> = sqlx::query_as(
        "select r.person_id, r.requested_by, a.identifier, r.updated_at from change_request r \
         join account a on a.account_id = r.requested_by \
         where r.change_request_id = $1 and r.site_id = $2 and r.status = 'pending'",
    )
    .bind(request_id)
    .bind(site_id)
    .fetch_optional(pool)
    .await?;
    let Some((person_id, requested_by, identifier, updated_at)) = head else {
        return Ok(None);
    };
    let items: Vec<PendingItem> = sqlx::query_as(
        "select field, old_value, new_value, created_at from change_item \
         where change_request_id = $1 and status = 'pending' order by created_at, change_item_id",
    )
    .bind(request_id)
    .fetch_all(pool)
    .await?;
    let mut items: Vec<(String, Pending)> = items.into_iter().map(PendingItem::pair).collect();
    // In the order of the forms.
    let order = |k: &str| KEYS.iter().position(|x| *x == k).unwrap_or(usize::MAX);
    items.sort_by_key(|(k, _)| order(k));
    Ok(Some(RequestDetail {
        change_request_id: request_id,
        person_id,
        requested_by,
        identifier,
        updated_at,
        items,
    }))
}

/// What a staff member decides on one request.
pub struct Verdict<'a> {
    pub site_id: i64,
    pub staff_account: i64,
    pub request_id: i64,
    /// The keys of the fields accepted; every other pending field is refused.
    pub accept: &'a [String],
    /// Required when a field is refused; mailed to the family.
    pub reason: &'a str,
}

/// What staff decided, for the family's mail.
pub struct Decision {
    pub accepted: Vec<(&'static FieldDef, String)>,
    pub refused: Vec<(&'static FieldDef, String)>,
    pub reason: String,
}

/// Applies the accepted fields and closes the request in one transaction; audits it.
/// Returns None when the request is not a pending one of this site.
/// `outcome_mail` builds the family's mail from the decision and the address of the
/// account that asked; it is queued in the same transaction.
pub async fn decide(
    pool: &Pool,
    verdict: Verdict<'_>,
    outcome_mail: impl FnOnce(&Decision, ChangeStatus, i64) -> Option<Outgoing>,
) -> anyhow::Result<Option<Decision>> {
    let Verdict {
        site_id,
        staff_account,
        request_id,
        accept,
        reason,
    } = verdict;
    let now = db::now();
    let mut tx = crate::db::begin(pool).await?;
    let head: Option<(i64, i64)> = sqlx::query_as(
        "select person_id, requested_by from change_request where change_request_id = $1 and site_id = $2 and status = 'pending'",
    )
    .bind(request_id)
    .bind(site_id)
    .fetch_optional(&mut *tx)
    .await?;
    let Some((person_id, requested_by)) = head else {
        // Decided already, or not this site's.
        tx.rollback().await?;
        return Ok(None);
    };
    let items: Vec<(i64, String, String)> = sqlx::query_as(
        "select change_item_id, field, new_value from change_item where change_request_id = $1 and status = 'pending'",
    )
    .bind(request_id)
    .fetch_all(&mut *tx)
    .await?;
    let mut decision = Decision {
        accepted: Vec::new(),
        refused: Vec::new(),
        reason: reason.to_owned(),
    };
    for (item_id, field, value) in items {
        let Some(def) = fields::by_key(&field) else {
            continue;
        };
        let ok = accept.iter().any(|a| a == &field);
        if ok {
            let stored: Option<&str> = if value.is_empty() && !def.required {
                None
            } else {
                Some(&value)
            };
            sqlx::query(def.update_sql)
                .bind(stored)
                .bind(now)
                .bind(person_id)
                .execute(&mut *tx)
                .await?;
            decision.accepted.push((def, value));
        } else {
            decision.refused.push((def, value));
        }
        sqlx::query("update change_item set status = $1 where change_item_id = $2")
            .bind(
                if ok {
                    ItemStatus::Accepted
                } else {
                    ItemStatus::Refused
                }
                .key(),
            )
            .bind(item_id)
            .execute(&mut *tx)
            .await?;
    }
    let status = match (decision.accepted.is_empty(), decision.refused.is_empty()) {
        (false, true) => ChangeStatus::Accepted,
        (true, _) => ChangeStatus::Refused,
        (false, false) => ChangeStatus::PartlyAccepted,
    };
    sqlx::query(
        "update change_request set status = $1, decided_at = $2, decided_by = $3, reason = $4, updated_at = $2 \
         where change_request_id = $5",
    )
    .bind(status.key())
    .bind(now)
    .bind(staff_account)
    .bind(if reason.is_empty() { None } else { Some(reason) })
    .bind(request_id)
    .execute(&mut *tx)
    .await?;
    let names =
        |v: &[(&FieldDef, String)]| v.iter().map(|(d, _)| d.key).collect::<Vec<_>>().join(", ");
    audit(
        &mut tx,
        Some(site_id),
        Some(staff_account),
        "change_decided",
        &format!(
            "request {request_id} {status}; accepted: {}; refused: {}",
            names(&decision.accepted),
            names(&decision.refused)
        ),
    )
    .await?;
    let email: Option<(Option<String>,)> = sqlx::query_as(
        "select p.email from account a join person p on p.person_id = a.person_id where a.account_id = $1",
    )
    .bind(requested_by)
    .fetch_optional(&mut *tx)
    .await?;
    if let Some(to) = email.and_then(|e| e.0).filter(|e| !e.trim().is_empty())
        && let Some(m) = outcome_mail(&decision, status, person_id)
    {
        mail::enqueue(&mut tx, Some(site_id), &Outgoing { to, ..m }).await?;
    }
    tx.commit().await?;
    Ok(Some(decision))
}
