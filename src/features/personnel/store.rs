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

/// A staff account as the Personnel page lists it.
#[derive(sqlx::FromRow)]
pub struct Member {
    pub account_id: i64,
    pub identifier: String,
    pub display_name: Option<String>,
    pub email: Option<String>,
    #[sqlx(try_from = "String")]
    pub role: Role,
    #[sqlx(try_from = "crate::db::Flag")]
    pub disabled: bool,
    /// A password was chosen (else the invitation is pending).
    #[sqlx(try_from = "crate::db::Flag")]
    pub has_password: bool,
    pub last_login_at: Option<i64>,
}

impl Member {
    pub fn name(&self) -> &str {
        self.display_name.as_deref().unwrap_or(&self.identifier)
    }
}

const MEMBER_COLUMNS: &str = "account_id, identifier, display_name, email, coalesce(role, 'secretariat') as role, \
     disabled, cast(case when password_hash is null then 0 else 1 end as bigint) as has_password, last_login_at";

/// The school's staff accounts, by name.
pub async fn members(pool: &Pool, site_id: i64) -> sqlx::Result<Vec<Member>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "select {MEMBER_COLUMNS} from account where site_id = $1 and is_staff = 1 \
         order by coalesce(display_name, identifier), account_id"
    )))
    .bind(site_id)
    .fetch_all(pool)
    .await
}

/// One staff account of the school.
pub async fn member(pool: &Pool, site_id: i64, account_id: i64) -> sqlx::Result<Option<Member>> {
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "select {MEMBER_COLUMNS} from account where site_id = $1 and is_staff = 1 and account_id = $2"
    )))
    .bind(site_id)
    .bind(account_id)
    .fetch_optional(pool)
    .await
}

/// A change an administrator makes to a staff account.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Change {
    /// New link mailed; the earlier ones stop working.
    Resend,
    /// No more login; its sessions end at once.
    Disable,
    Enable,
    SetRole(Role),
}

#[derive(Debug, thiserror::Error)]
pub enum ChangeError {
    #[error("not a staff account of this school")]
    NotFound,
    /// The school would be left without an active administrator.
    #[error("the school's last active administrator")]
    LastAdministrator,
    #[error("this account has no e-mail address")]
    NoEmail,
    /// An invitation goes only to an enabled account that has not chosen its password (a
    /// forgotten password goes through « Mot de passe oublié »).
    #[error("this account needs no invitation")]
    NoInvitation,
    #[error(transparent)]
    Database(#[from] sqlx::Error),
}

/// Who changes what, and where links point.
pub struct ChangeBy<'a> {
    pub site_id: i64,
    pub admin: i64,
    pub base_url: &'a str,
}

/// identifier, e-mail, school name, role, disabled, has a password.
type StaffRow = (String, Option<String>, String, Option<String>, i64, i64);

/// Applies `change` to a staff account of the site in one transaction: refused if the
/// school would keep no active administrator (one with a password, not disabled);
/// audited. `Ok(false)`: the account was already so (nothing written, nothing audited).
pub async fn apply(
    pool: &Pool,
    by: &ChangeBy<'_>,
    account_id: i64,
    change: Change,
) -> Result<bool, ChangeError> {
    let mut tx = crate::db::begin(pool).await?;
    // Changes to one school's staff are made one at a time (SQLite: BEGIN IMMEDIATE).
    if db::is_postgres(pool) {
        sqlx::query("select site_id from site where site_id = $1 for update")
            .bind(by.site_id)
            .execute(&mut *tx)
            .await?;
    }
    let row: Option<StaffRow> = sqlx::query_as(
        "select a.identifier, a.email, s.name, a.role, a.disabled, \
         cast(case when a.password_hash is null then 0 else 1 end as bigint) \
         from account a join site s on s.site_id = a.site_id \
         where a.account_id = $1 and a.site_id = $2 and a.is_staff = 1",
    )
    .bind(account_id)
    .bind(by.site_id)
    .fetch_optional(&mut *tx)
    .await?;
    let Some((identifier, email, school, role, disabled, has_password)) = row else {
        return Err(ChangeError::NotFound);
    };
    let (disabled, has_password) = (disabled != 0, has_password != 0);
    let role = role
        .as_deref()
        .and_then(Role::from_key)
        .unwrap_or(Role::Secretariat);
    let unchanged = match change {
        Change::Resend => false,
        Change::Disable => disabled,
        Change::Enable => !disabled,
        Change::SetRole(r) => r == role,
    };
    if unchanged {
        return Ok(false);
    }
    let detail = match change {
        Change::Resend => {
            if disabled || has_password {
                return Err(ChangeError::NoInvitation);
            }
            let Some(email) = email.filter(|e| !e.trim().is_empty()) else {
                return Err(ChangeError::NoEmail);
            };
            sqlx::query(
                "update password_reset set used_at = $1 where account_id = $2 and used_at is null",
            )
            .bind(db::now())
            .bind(account_id)
            .execute(&mut *tx)
            .await?;
            let link =
                new_password_link(&mut tx, account_id, INVITATION_VALID_SECONDS, by.base_url)
                    .await?;
            mail::enqueue(
                &mut tx,
                Some(by.site_id),
                &templates::staff_invitation(&email, &school, &identifier, role.label(), &link),
            )
            .await?;
            ("staff_invitation_resent", identifier)
        }
        Change::Disable | Change::Enable => {
            let off = change == Change::Disable;
            sqlx::query("update account set disabled = $1 where account_id = $2")
                .bind(i64::from(off))
                .bind(account_id)
                .execute(&mut *tx)
                .await?;
            if off {
                sqlx::query("delete from session where account_id = $1")
                    .bind(account_id)
                    .execute(&mut *tx)
                    .await?;
            }
            (
                if off {
                    "staff_disabled"
                } else {
                    "staff_enabled"
                },
                identifier,
            )
        }
        Change::SetRole(role) => {
            sqlx::query("update account set role = $1 where account_id = $2")
                .bind(role.key())
                .bind(account_id)
                .execute(&mut *tx)
                .await?;
            (
                "staff_role_changed",
                format!("{identifier}: {}", role.key()),
            )
        }
    };
    let (admins,): (i64,) = sqlx::query_as(
        "select cast(count(*) as bigint) from account where site_id = $1 and is_staff = 1 \
         and role = 'administrateur' and disabled = 0 and password_hash is not null",
    )
    .bind(by.site_id)
    .fetch_one(&mut *tx)
    .await?;
    if admins == 0 {
        tx.rollback().await?;
        return Err(ChangeError::LastAdministrator);
    }
    audit(
        &mut tx,
        Some(by.site_id),
        Some(by.admin),
        detail.0,
        &detail.1,
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}
