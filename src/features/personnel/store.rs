//! SQL of staff accounts.

use crate::audit::audit;
use crate::db::{self, Pool};
use crate::domain::email::EmailAddress;
use crate::domain::status::Role;
use crate::domain::text::{Name, ascii_lower};
use crate::features::auth::store::{INVITATION_VALID_SECONDS, new_password_link};
use crate::mail::{self, templates};

/// A staff member to invite, checked.
pub struct StaffInvitation<'a> {
    pub site_id: i64,
    pub email: &'a EmailAddress,
    /// « Prénom NOM ».
    pub name: &'a Name,
    pub role: Role,
    /// The administrator who invites (None: the command line).
    pub by: Option<i64>,
    pub base_url: &'a str,
    /// Whether the invitation is mailed, or only returned to be printed.
    pub delivery: Delivery,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    /// Queued in the outbox with the account.
    Mail,
    /// Nothing mailed: the caller shows the identifier and the link (a first installation
    /// whose mail is not set up yet).
    Print,
}

pub struct Invited {
    pub identifier: String,
    pub link: String,
}

#[derive(Debug, thiserror::Error)]
pub enum StaffInviteError {
    #[error("l'adresse {0} est déjà celle du compte de personnel « {1} » de cette école")]
    EmailTaken(String, String),
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// `prenom.nom` from « Prénom NOM », then `prenom.nom2`… if taken on the site.
async fn free_identifier(
    conn: &mut sqlx::AnyConnection,
    site_id: i64,
    name: &Name,
) -> sqlx::Result<String> {
    let words: Vec<String> = name
        .as_str()
        .split([' ', '-', '\''])
        .map(ascii_lower)
        .filter(|w| !w.is_empty())
        .collect();
    let base = if words.is_empty() {
        "personnel".to_owned()
    } else {
        words.join(".")
    };
    let taken: Vec<(String,)> =
        sqlx::query_as("select identifier from account where site_id = $1 and identifier like $2")
            .bind(site_id)
            .bind(format!("{base}%"))
            .fetch_all(&mut *conn)
            .await?;
    let free = |candidate: &str| !taken.iter().any(|(t,)| t == candidate);
    if free(&base) {
        return Ok(base);
    }
    let mut n = 2;
    while !free(&format!("{base}{n}")) {
        n += 1;
    }
    Ok(format!("{base}{n}"))
}

/// Creates a staff account without a password and its single-use link (7 days), mailed or
/// returned, and audits it, in one transaction.
pub async fn invite(pool: &Pool, inv: StaffInvitation<'_>) -> Result<Invited, StaffInviteError> {
    let mut tx = crate::db::begin(pool).await?;
    let email = inv.email.as_str();
    let existing: Option<(String,)> = sqlx::query_as(
        "select identifier from account where site_id = $1 and is_staff = 1 and lower(email) = lower($2)",
    )
    .bind(inv.site_id)
    .bind(email)
    .fetch_optional(&mut *tx)
    .await?;
    if let Some((identifier,)) = existing {
        return Err(StaffInviteError::EmailTaken(email.to_owned(), identifier));
    }
    let identifier = free_identifier(&mut tx, inv.site_id, inv.name).await?;
    let account_id = db::new_id();
    sqlx::query(
        "insert into account (account_id, site_id, identifier, is_staff, role, display_name, email, created_at) \
         values ($1, $2, $3, 1, $4, $5, $6, $7)",
    )
    .bind(account_id)
    .bind(inv.site_id)
    .bind(&identifier)
    .bind(inv.role.key())
    .bind(inv.name.as_str())
    .bind(email)
    .bind(db::now())
    .execute(&mut *tx)
    .await?;
    let link =
        new_password_link(&mut tx, account_id, INVITATION_VALID_SECONDS, inv.base_url).await?;
    if inv.delivery == Delivery::Mail {
        let (school,): (String,) = sqlx::query_as("select name from site where site_id = $1")
            .bind(inv.site_id)
            .fetch_one(&mut *tx)
            .await?;
        mail::enqueue(
            &mut tx,
            Some(inv.site_id),
            &templates::staff_invitation(email, &school, &identifier, inv.role.label(), &link),
        )
        .await?;
    }
    audit(
        &mut tx,
        Some(inv.site_id),
        inv.by,
        "staff_invited",
        &format!(
            "{identifier} ({}, {}){}",
            inv.name.as_str(),
            inv.role.key(),
            if inv.delivery == Delivery::Print {
                ", link printed"
            } else {
                ""
            }
        ),
    )
    .await?;
    tx.commit().await?;
    Ok(Invited { identifier, link })
}
