//! SQL of the auth feature: sites, accounts, throttles, reset tokens, audit.

use sqlx::AnyConnection;

use crate::audit::audit;
use crate::db::{self, Pool};
use crate::mail;
use crate::tokens::hash_token;

/// Reset links are valid this long.
pub const RESET_VALID_SECONDS: i64 = 30 * 60;
/// At most this many reset mails per account and hour.
pub const RESETS_PER_HOUR: i64 = 3;

/// What login needs to know of an account.
#[derive(sqlx::FromRow)]
pub struct LoginAccount {
    pub account_id: i64,
    pub password_hash: Option<String>,
    #[sqlx(try_from = "crate::db::Flag")]
    pub is_staff: bool,
}

pub async fn login_account(
    pool: &Pool,
    site_id: i64,
    identifier: &str,
) -> sqlx::Result<Option<LoginAccount>> {
    sqlx::query_as(
        "select account_id, password_hash, is_staff from account \
         where site_id = $1 and identifier = $2 and disabled = 0",
    )
    .bind(site_id)
    .bind(identifier)
    .fetch_optional(pool)
    .await
}

/// After a successful login: remembers it (the one before it too: the home page shows what
/// is new since then), and the display mode chosen before login.
pub async fn record_login(
    pool: &Pool,
    account_id: i64,
    accessible: Option<bool>,
) -> sqlx::Result<()> {
    let now = db::now();
    match accessible {
        Some(mode) => {
            sqlx::query(
                "update account set previous_login_at = last_login_at, last_login_at = $1, accessible_mode = $2 \
                 where account_id = $3",
            )
            .bind(now)
            .bind(i64::from(mode))
            .bind(account_id)
            .execute(pool)
            .await?
        }
        None => {
            sqlx::query("update account set previous_login_at = last_login_at, last_login_at = $1 where account_id = $2")
                .bind(now)
                .bind(account_id)
                .execute(pool)
                .await?
        }
    };
    Ok(())
}

pub async fn set_accessible_mode(pool: &Pool, account_id: i64, on: bool) -> sqlx::Result<()> {
    sqlx::query("update account set accessible_mode = $1 where account_id = $2")
        .bind(i64::from(on))
        .bind(account_id)
        .execute(pool)
        .await?;
    Ok(())
}

/// The account a lost-password request names, with the address on record.
#[derive(sqlx::FromRow)]
pub struct ResetTarget {
    pub account_id: i64,
    pub site_id: i64,
    pub email: Option<String>,
    pub identifier: String,
    pub school: String,
}

pub async fn reset_target(
    pool: &Pool,
    site_id: i64,
    identifier: &str,
) -> sqlx::Result<Option<ResetTarget>> {
    sqlx::query_as(
        "select a.account_id, a.site_id, coalesce(p.email, a.email) as email, a.identifier, site.name as school \
         from account a join site on site.site_id = a.site_id \
         left join person p on p.person_id = a.person_id \
         where a.site_id = $1 and a.identifier = $2 and a.disabled = 0",
    )
    .bind(site_id)
    .bind(identifier)
    .fetch_optional(pool)
    .await
}

/// Invitation links (first password) stay valid this long: they are mailed by the school
/// and may be opened days later.
pub const INVITATION_VALID_SECONDS: i64 = 7 * 24 * 3600;

/// Creates a single-use link for `account_id` valid `seconds`, inside the caller's
/// transaction, and returns the link.
pub async fn new_password_link(
    conn: &mut AnyConnection,
    account_id: i64,
    seconds: i64,
    base_url: &str,
) -> sqlx::Result<String> {
    let now = db::now();
    let token = crate::tokens::random_token();
    sqlx::query(
        "insert into password_reset (token_hash, account_id, created_at, expires_at) values ($1, $2, $3, $4)",
    )
    .bind(hash_token(&token))
    .bind(account_id)
    .bind(now)
    .bind(now + seconds)
    .execute(conn)
    .await?;
    Ok(format!("{base_url}/reinitialisation?jeton={token}"))
}

/// Creates a reset link and queues its mail in one transaction, unless the account
/// already received `RESETS_PER_HOUR` in the last hour. Returns whether a mail was queued.
pub async fn create_reset(
    pool: &Pool,
    target: &ResetTarget,
    to: &str,
    base_url: &str,
) -> anyhow::Result<bool> {
    let now = db::now();
    let mut tx = crate::db::begin(pool).await?;
    // Requests for one account are counted one at a time (SQLite's BEGIN IMMEDIATE already
    // serialises writers; PostgreSQL locks the account's row).
    if db::is_postgres(pool) {
        sqlx::query("select account_id from account where account_id = $1 for update")
            .bind(target.account_id)
            .execute(&mut *tx)
            .await?;
    }
    let (recent,): (i64,) = sqlx::query_as(
        "select cast(count(*) as bigint) from password_reset where account_id = $1 and created_at > $2",
    )
    .bind(target.account_id)
    .bind(now - 3600)
    .fetch_one(&mut *tx)
    .await?;
    if recent >= RESETS_PER_HOUR {
        audit(&mut tx, None, Some(target.account_id), "reset_limited", "").await?;
        tx.commit().await?;
        return Ok(false);
    }
    let link = new_password_link(&mut tx, target.account_id, RESET_VALID_SECONDS, base_url).await?;
    mail::enqueue(
        &mut tx,
        Some(target.site_id),
        &mail::templates::password_reset(to, &target.school, &target.identifier, &link),
    )
    .await?;
    audit(
        &mut tx,
        None,
        Some(target.account_id),
        "reset_requested",
        "",
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}

/// Is this reset token usable now? Returns its account.
pub async fn valid_reset(pool: &Pool, token: &str) -> sqlx::Result<Option<i64>> {
    let row: Option<(i64,)> = sqlx::query_as(
        "select r.account_id from password_reset r join account a on a.account_id = r.account_id \
         where r.token_hash = $1 and r.used_at is null and r.expires_at > $2 and a.disabled = 0",
    )
    .bind(hash_token(token))
    .bind(db::now())
    .fetch_optional(pool)
    .await?;
    Ok(row.map(|r| r.0))
}

/// Identity facts for the mails sent after a password change.
async fn account_mail_facts(
    conn: &mut AnyConnection,
    account_id: i64,
) -> sqlx::Result<(Option<String>, String, String, i64)> {
    sqlx::query_as(
        "select coalesce(p.email, a.email), a.identifier, site.name, a.site_id from account a \
         join site on site.site_id = a.site_id \
         left join person p on p.person_id = a.person_id where a.account_id = $1",
    )
    .bind(account_id)
    .fetch_one(conn)
    .await
}

/// Whose password a reset link set: where they log in next.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ResetBy {
    Family,
    Staff,
}

/// Sets a new password through a reset link: the link is spent (exactly once, even
/// under a double submit), every session of the account ends, other links die, and a
/// notice mail is queued. Returns None when the link was no longer valid.
pub async fn use_reset(
    pool: &Pool,
    token: &str,
    new_hash: &str,
    base_url: &str,
) -> anyhow::Result<Option<ResetBy>> {
    let now = db::now();
    let mut tx = crate::db::begin(pool).await?;
    let spent = sqlx::query(
        "update password_reset set used_at = $1 where token_hash = $2 and used_at is null and expires_at > $1",
    )
    .bind(now)
    .bind(hash_token(token))
    .execute(&mut *tx)
    .await?;
    if spent.rows_affected() != 1 {
        tx.rollback().await?;
        return Ok(None);
    }
    let (account_id, crate::db::Flag(is_staff)): (i64, crate::db::Flag) = sqlx::query_as(
        "select r.account_id, a.is_staff from password_reset r join account a on a.account_id = r.account_id \
         where r.token_hash = $1",
    )
    .bind(hash_token(token))
    .fetch_one(&mut *tx)
    .await?;
    set_password_in(
        &mut tx,
        account_id,
        new_hash,
        None,
        base_url,
        "password_reset",
    )
    .await?;
    sqlx::query("update password_reset set used_at = $1 where account_id = $2 and used_at is null")
        .bind(now)
        .bind(account_id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(Some(if is_staff {
        ResetBy::Staff
    } else {
        ResetBy::Family
    }))
}

/// Stores a new hash, ends the account's sessions except `keep_session` (a token
/// hash), queues the notice mail and audits `action`.
async fn set_password_in(
    conn: &mut AnyConnection,
    account_id: i64,
    new_hash: &str,
    keep_session: Option<&str>,
    base_url: &str,
    action: &str,
) -> anyhow::Result<()> {
    let now = db::now();
    sqlx::query(
        "update account set password_hash = $1, password_changed_at = $2 where account_id = $3",
    )
    .bind(new_hash)
    .bind(now)
    .bind(account_id)
    .execute(&mut *conn)
    .await?;
    sqlx::query("delete from session where account_id = $1 and token_hash <> $2")
        .bind(account_id)
        .bind(keep_session.unwrap_or(""))
        .execute(&mut *conn)
        .await?;
    super::throttle::clear_account(conn, account_id).await?;
    let (email, identifier, school, site_id) = account_mail_facts(conn, account_id).await?;
    if let Some(to) = email.filter(|e| !e.trim().is_empty()) {
        mail::enqueue(
            conn,
            Some(site_id),
            &mail::templates::password_changed(&to, &school, &identifier, base_url),
        )
        .await?;
    }
    audit(conn, Some(site_id), Some(account_id), action, "").await?;
    Ok(())
}

/// The stored hash of an account (to check the current password).
pub async fn password_hash(pool: &Pool, account_id: i64) -> sqlx::Result<Option<String>> {
    let row: Option<(Option<String>,)> =
        sqlx::query_as("select password_hash from account where account_id = $1")
            .bind(account_id)
            .fetch_optional(pool)
            .await?;
    Ok(row.and_then(|r| r.0))
}

/// Changes the password from the "Mot de passe" page; other sessions end, this one stays.
pub async fn change_password(
    pool: &Pool,
    account_id: i64,
    new_hash: &str,
    current_session_token: &str,
    base_url: &str,
) -> anyhow::Result<()> {
    let mut tx = crate::db::begin(pool).await?;
    set_password_in(
        &mut tx,
        account_id,
        new_hash,
        Some(&hash_token(current_session_token)),
        base_url,
        "password_changed",
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
