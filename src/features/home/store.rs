//! What the family's home page gathers that no other page's store already reads: unpaid
//! invoices, requests awaiting the school, and what is new since the family's last visit.
//! Every query is bound to the family.

use crate::db::Pool;

/// An invoice not fully paid.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Unpaid {
    pub ledger_entry_id: i64,
    pub ledger: String,
    pub number: String,
    pub entry_date: String,
    pub due_cents: i64,
}

/// The family's invoices with something left to pay, oldest first.
pub async fn unpaid(pool: &Pool, family_id: i64) -> sqlx::Result<Vec<Unpaid>> {
    let rows: Vec<Unpaid> = sqlx::query_as(
        "select e.ledger_entry_id, e.ledger, e.number, e.entry_date, \
                cast(e.debit_cents - e.discount_cents - coalesce((select sum(r.credit_cents + r.discount_cents) \
                 from ledger_entry r where r.settles_entry_id = e.ledger_entry_id), 0) as bigint) as due_cents \
         from ledger_entry e where e.family_id = $1 and e.kind = 'invoice' \
         order by e.entry_date, e.number",
    )
    .bind(family_id)
    .fetch_all(pool)
    .await?;
    Ok(rows.into_iter().filter(|u| u.due_cents > 0).collect())
}

/// The family's balance over both ledgers (positive: left to pay; negative: a credit).
pub async fn balance(pool: &Pool, family_id: i64) -> sqlx::Result<i64> {
    let (b,): (i64,) = sqlx::query_as(
        "select cast(coalesce(sum(debit_cents - credit_cents - discount_cents), 0) as bigint) \
         from ledger_entry where family_id = $1",
    )
    .bind(family_id)
    .fetch_one(pool)
    .await?;
    Ok(b)
}

/// A family's request that waits for the school, in words.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Waiting {
    pub person_id: i64,
    pub student: String,
    /// 'fiche' (a record change), 'justification' (an absence's).
    pub kind: String,
    pub since: i64,
    /// The absence's day, for a justification.
    pub day: Option<String>,
}

pub async fn waiting(pool: &Pool, family_id: i64) -> sqlx::Result<Vec<Waiting>> {
    sqlx::query_as(
        "select p.person_id, p.first_name as student, 'fiche' as kind, c.created_at as since, \
                cast(null as text) as day \
         from person p join change_request c on c.person_id = p.person_id \
         where p.family_id = $1 and c.status = 'pending' \
         union all \
         select p.person_id, p.first_name as student, 'justification' as kind, j.created_at as since, \
                a.absent_on as day \
         from person p join course_record r on r.person_id = p.person_id \
         join absence a on a.course_record_id = r.course_record_id \
         join absence_justification j on j.absence_id = a.absence_id \
         where p.family_id = $1 and j.status = 'submitted' \
         order by since",
    )
    .bind(family_id)
    .fetch_all(pool)
    .await
}

/// An evaluation or an absence recorded on or after a day.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct News {
    pub person_id: i64,
    pub course_record_id: i64,
    pub student: String,
    pub course: String,
    /// 'evaluation' or 'absence'.
    pub kind: String,
    pub item_id: i64,
    pub day: String,
    /// The evaluation's type (« Contrôle »); None for an absence.
    pub label: Option<String>,
}

/// Evaluations and absences of the family's students dated `since` or later, newest first.
pub async fn recent(pool: &Pool, family_id: i64, since: &str) -> sqlx::Result<Vec<News>> {
    sqlx::query_as(
        "select p.person_id, r.course_record_id, p.first_name as student, c.name as course, \
                'evaluation' as kind, e.evaluation_id as item_id, e.evaluated_on as day, e.kind as label \
         from person p join course_record r on r.person_id = p.person_id \
         join course c on c.course_id = r.course_id \
         join evaluation e on e.course_record_id = r.course_record_id \
         where p.family_id = $1 and e.evaluated_on >= $2 \
         union all \
         select p.person_id, r.course_record_id, p.first_name as student, c.name as course, \
                'absence' as kind, a.absence_id as item_id, a.absent_on as day, cast(null as text) as label \
         from person p join course_record r on r.person_id = p.person_id \
         join course c on c.course_id = r.course_id \
         join absence a on a.course_record_id = r.course_record_id \
         where p.family_id = $1 and a.absent_on >= $2 \
         order by day desc, kind, item_id limit 20",
    )
    .bind(family_id)
    .bind(since)
    .fetch_all(pool)
    .await
}

/// The login before this one (None on a first login).
pub async fn previous_login(pool: &Pool, account_id: i64) -> sqlx::Result<Option<i64>> {
    let row: Option<(Option<i64>,)> =
        sqlx::query_as("select previous_login_at from account where account_id = $1")
            .bind(account_id)
            .fetch_optional(pool)
            .await?;
    Ok(row.and_then(|r| r.0))
}
