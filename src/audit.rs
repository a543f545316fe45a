//! The audit log: what happened, for staff and auditors (never a password or a token).
//! Every feature writes its lines through here, inside the transaction of the action.

use sqlx::AnyConnection;

use crate::db::{self, Pool};

/// Writes one line of the audit log (never a password or a token).
pub async fn audit(
    conn: &mut AnyConnection,
    site_id: Option<i64>,
    account_id: Option<i64>,
    action: &str,
    detail: &str,
) -> sqlx::Result<()> {
    sqlx::query(
        "insert into audit_log (audit_id, site_id, account_id, action, detail, created_at) \
         values ($1, $2, $3, $4, $5, $6)",
    )
    .bind(db::new_id())
    .bind(site_id)
    .bind(account_id)
    .bind(action)
    .bind(detail)
    .bind(db::now())
    .execute(conn)
    .await?;
    Ok(())
}

pub async fn audit_pool(
    pool: &Pool,
    site_id: Option<i64>,
    account_id: Option<i64>,
    action: &str,
    detail: &str,
) -> sqlx::Result<()> {
    let mut conn = pool.acquire().await?;
    audit(&mut conn, site_id, account_id, action, detail).await
}
