//! SQL of accounts. Every query is scoped by the staff member's site.

use crate::audit::audit;
use crate::db::{self, Pool};
use crate::domain::text::ascii_lower;
use crate::features::auth::store::{INVITATION_VALID_SECONDS, new_password_link};
use crate::mail::{self, templates};

/// A guardian or adult student of a site, with their account if they have one.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Holder {
    pub person_id: i64,
    pub last_name: String,
    pub first_name: String,
    pub email: Option<String>,
    pub account_id: Option<i64>,
    pub identifier: Option<String>,
    pub disabled: Option<i64>,
    pub has_password: Option<i64>,
    pub last_login_at: Option<i64>,
}

/// What a holder row is made of (one guardian and their account, if any).
macro_rules! holder_select {
    () => {
        "select p.person_id, p.last_name, p.first_name, p.email, a.account_id, a.identifier, a.disabled, \
                case when a.account_id is null then null when a.password_hash is null then 0 else 1 end as has_password, \
                a.last_login_at \
         from person p left join account a on a.person_id = p.person_id and a.is_staff = 0 \
         where p.site_id = $1 and p.is_guardian = 1 "
    };
}

/// Every guardian (adult students included) of a site, by name.
pub async fn holders(pool: &Pool, site_id: i64) -> sqlx::Result<Vec<Holder>> {
    sqlx::query_as(concat!(
        holder_select!(),
        "order by p.last_name, p.first_name, p.person_id"
    ))
    .bind(site_id)
    .fetch_all(pool)
    .await
}

/// One guardian of the site (None for another site's person, or a student).
pub async fn holder(pool: &Pool, site_id: i64, person_id: i64) -> sqlx::Result<Option<Holder>> {
    sqlx::query_as(concat!(holder_select!(), "and p.person_id = $2"))
        .bind(site_id)
        .bind(person_id)
        .fetch_optional(pool)
        .await
}

/// Why an invitation could not be made.
#[derive(Debug, thiserror::Error)]
pub enum InviteError {
    #[error("cette personne n'a pas d'adresse e-mail : ajoutez-la à sa fiche avant de l'inviter")]
    NoEmail,
    #[error("cette personne a déjà un compte ({0})")]
    AlreadyHasAccount(String),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// The first free identifier for a last name on a site: `abarre1`, then `abarre2`…
async fn free_identifier(
    conn: &mut sqlx::AnyConnection,
    site_id: i64,
    last_name: &str,
) -> sqlx::Result<String> {
    let base = match ascii_lower(last_name) {
        b if b.is_empty() => "famille".to_owned(),
        b => b,
    };
    let taken: Vec<(String,)> =
        sqlx::query_as("select identifier from account where site_id = $1 and identifier like $2")
            .bind(site_id)
            .bind(format!("{base}%"))
            .fetch_all(&mut *conn)
            .await?;
    let mut n = 1;
    while taken.iter().any(|(t,)| *t == format!("{base}{n}")) {
        n += 1;
    }
    Ok(format!("{base}{n}"))
}

/// Creates the account of a guardian (or adult student) and queues the invitation, in one
/// transaction. Returns the identifier.
pub async fn invite(
    pool: &Pool,
    site_id: i64,
    person_id: i64,
    by: Option<i64>,
    base_url: &str,
) -> Result<String, InviteError> {
    let mut tx = crate::db::begin(pool).await?;
    let person: Option<(String, Option<String>, i64, String)> = sqlx::query_as(
        "select p.last_name, p.email, p.family_id, s.name from person p join site s on s.site_id = p.site_id \
         where p.person_id = $1 and p.site_id = $2 and p.is_guardian = 1",
    )
    .bind(person_id)
    .bind(site_id)
    .fetch_optional(&mut *tx)
    .await?;
    let Some((last_name, email, family_id, school)) = person else {
        return Err(InviteError::Database(sqlx::Error::RowNotFound));
    };
    let Some(email) = email.filter(|e| !e.trim().is_empty()) else {
        return Err(InviteError::NoEmail);
    };
    let existing: Option<(String,)> =
        sqlx::query_as("select identifier from account where person_id = $1 and is_staff = 0")
            .bind(person_id)
            .fetch_optional(&mut *tx)
            .await?;
    if let Some((identifier,)) = existing {
        return Err(InviteError::AlreadyHasAccount(identifier));
    }
    let identifier = free_identifier(&mut tx, site_id, &last_name).await?;
    let account_id = db::new_id();
    sqlx::query(
        "insert into account (account_id, site_id, person_id, family_id, identifier, created_at) values ($1, $2, $3, $4, $5, $6)",
    )
    .bind(account_id)
    .bind(site_id)
    .bind(person_id)
    .bind(family_id)
    .bind(&identifier)
    .bind(db::now())
    .execute(&mut *tx)
    .await?;
    let link = new_password_link(&mut tx, account_id, INVITATION_VALID_SECONDS, base_url).await?;
    mail::enqueue(
        &mut tx,
        Some(site_id),
        &templates::invitation(&email, &school, &identifier, &link),
    )
    .await?;
    audit(
        &mut tx,
        Some(site_id),
        by,
        "account_invited",
        &format!("{identifier} (person {person_id})"),
    )
    .await?;
    tx.commit().await?;
    Ok(identifier)
}

/// Sends a new invitation link to an account of the site (the previous links stop working).
pub async fn resend(
    pool: &Pool,
    site_id: i64,
    account_id: i64,
    by: i64,
    base_url: &str,
) -> Result<(), InviteError> {
    let mut tx = crate::db::begin(pool).await?;
    let row: Option<(String, Option<String>, String)> = sqlx::query_as(
        "select a.identifier, p.email, s.name from account a join person p on p.person_id = a.person_id \
         join site s on s.site_id = a.site_id where a.account_id = $1 and a.site_id = $2 and a.is_staff = 0",
    )
    .bind(account_id)
    .bind(site_id)
    .fetch_optional(&mut *tx)
    .await?;
    let Some((identifier, email, school)) = row else {
        return Err(InviteError::Database(sqlx::Error::RowNotFound));
    };
    let Some(email) = email.filter(|e| !e.trim().is_empty()) else {
        return Err(InviteError::NoEmail);
    };
    sqlx::query("update password_reset set used_at = $1 where account_id = $2 and used_at is null")
        .bind(db::now())
        .bind(account_id)
        .execute(&mut *tx)
        .await?;
    let link = new_password_link(&mut tx, account_id, INVITATION_VALID_SECONDS, base_url).await?;
    mail::enqueue(
        &mut tx,
        Some(site_id),
        &templates::invitation(&email, &school, &identifier, &link),
    )
    .await?;
    audit(
        &mut tx,
        Some(site_id),
        Some(by),
        "invitation_resent",
        &identifier,
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Disables (ending its sessions at once) or re-enables an account of the site.
pub async fn set_disabled(
    pool: &Pool,
    site_id: i64,
    account_id: i64,
    disabled: bool,
    by: i64,
) -> sqlx::Result<bool> {
    let mut tx = crate::db::begin(pool).await?;
    let changed = sqlx::query(
        "update account set disabled = $1 where account_id = $2 and site_id = $3 and is_staff = 0",
    )
    .bind(i64::from(disabled))
    .bind(account_id)
    .bind(site_id)
    .execute(&mut *tx)
    .await?
    .rows_affected()
        == 1;
    if changed {
        if disabled {
            sqlx::query("delete from session where account_id = $1")
                .bind(account_id)
                .execute(&mut *tx)
                .await?;
        }
        let action = if disabled {
            "account_disabled"
        } else {
            "account_enabled"
        };
        audit(
            &mut tx,
            Some(site_id),
            Some(by),
            action,
            &account_id.to_string(),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(changed)
}

/// The site and guardian a CLI invitation names by e-mail.
pub async fn find_by_email(
    pool: &Pool,
    site_slug: &str,
    email: &str,
) -> sqlx::Result<Option<(i64, i64)>> {
    sqlx::query_as(
        "select s.site_id, p.person_id from person p join site s on s.site_id = p.site_id \
         where s.slug = $1 and lower(p.email) = lower($2) and p.is_guardian = 1 order by p.person_id limit 1",
    )
    .bind(site_slug)
    .bind(email.trim())
    .fetch_optional(pool)
    .await
}
