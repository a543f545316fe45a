//! Database pool (sqlx `Any`: SQLite or PostgreSQL), migrations, ids and clock helpers.

use std::time::{SystemTime, UNIX_EPOCH};

use sqlx::any::{AnyPoolOptions, install_default_drivers};
use sqlx::{AnyPool, Executor};

/// The pool every store function shares.
pub type Pool = AnyPool;

/// Opens the pool. SQLite connections get WAL, foreign keys and a busy timeout.
pub async fn connect(url: &str) -> anyhow::Result<Pool> {
    install_default_drivers();
    let is_sqlite = url.starts_with("sqlite:");
    let pool = AnyPoolOptions::new()
        .max_connections(if is_sqlite { 8 } else { 16 })
        .after_connect(move |conn, _meta| {
            Box::pin(async move {
                if is_sqlite {
                    conn.execute("PRAGMA journal_mode = WAL").await?;
                    conn.execute("PRAGMA foreign_keys = ON").await?;
                    conn.execute("PRAGMA busy_timeout = 5000").await?;
                    conn.execute("PRAGMA synchronous = NORMAL").await?;
                }
                Ok(())
            })
        })
        .connect(url)
        .await
        .map_err(|e| anyhow::anyhow!("cannot open the database: {e}"))?;
    Ok(pool)
}

/// Applies every pending migration of `migrations/`.
pub async fn migrate(pool: &Pool) -> anyhow::Result<()> {
    sqlx::migrate!("./migrations")
        .run(pool)
        .await
        .map_err(|e| anyhow::anyhow!("migration failed: {e}"))?;
    Ok(())
}

/// Current time in unix seconds.
pub fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// A new primary key: milliseconds since the epoch shifted left 16 bits plus 16 random
/// bits. Sortable by creation, unguessable enough not to reveal counts, portable (BIGINT).
pub fn new_id() -> i64 {
    let ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0);
    (ms << 16) | i64::from(rand::random::<u16>())
}

/// Reads (or creates once) a named secret shared by every instance.
pub async fn shared_secret(pool: &Pool, name: &str) -> anyhow::Result<String> {
    let candidate = crate::web::session::random_token();
    sqlx::query(
        "insert into app_secret (name, value) values ($1, $2) on conflict (name) do nothing",
    )
    .bind(name)
    .bind(&candidate)
    .execute(pool)
    .await?;
    let (value,): (String,) = sqlx::query_as("select value from app_secret where name = $1")
        .bind(name)
        .fetch_one(pool)
        .await?;
    Ok(value)
}
