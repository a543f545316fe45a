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
    if is_sqlite {
        // Before any connection opens: each one then reports its commits to `cache`.
        crate::cache::sqlite::install();
    }
    let pool = AnyPoolOptions::new()
        .max_connections(if is_sqlite { 8 } else { 16 })
        // A pooled connection is pinged before each use by default: for SQLite, an extra
        // round trip to the connection's thread that cannot find anything broken (the file
        // is in-process). PostgreSQL keeps the check (a server restart or a dropped socket).
        .test_before_acquire(!is_sqlite)
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

/// Is this pool on PostgreSQL (where some statements take a better form)?
pub fn is_postgres(pool: &Pool) -> bool {
    pool.connect_options()
        .database_url
        .scheme()
        .starts_with("postgres")
}

/// The file of a SQLite database in write-ahead-log mode (None: in memory, another journal
/// mode, or PostgreSQL), whose commits the WAL hook of `cache::sqlite` reports.
pub async fn sqlite_wal_file(pool: &Pool) -> anyhow::Result<Option<String>> {
    if is_postgres(pool) {
        return Ok(None);
    }
    let mode: String = sqlx::query_scalar("pragma journal_mode")
        .fetch_one(pool)
        .await?;
    let files: Vec<(i64, String, String)> = sqlx::query_as("pragma database_list")
        .fetch_all(pool)
        .await?;
    let file = files
        .into_iter()
        .find(|(_, name, _)| name == "main")
        .map(|(_, _, f)| f);
    Ok(file.filter(|f| !f.is_empty() && mode.eq_ignore_ascii_case("wal")))
}

/// Starts a transaction that will write. On SQLite it takes the write lock at once
/// (`BEGIN IMMEDIATE`): a deferred transaction that reads and then writes cannot wait for
/// another writer (the mail worker, another request) and fails with "database is locked";
/// an immediate one waits up to the busy timeout. PostgreSQL's `BEGIN` needs no such care.
pub async fn begin(pool: &Pool) -> sqlx::Result<sqlx::Transaction<'static, sqlx::Any>> {
    if is_postgres(pool) {
        pool.begin().await
    } else {
        pool.begin_with("BEGIN IMMEDIATE").await
    }
}

/// Applies every pending migration of `migrations/`.
pub async fn migrate(pool: &Pool) -> anyhow::Result<()> {
    sqlx::migrate!("./migrations")
        .run(pool)
        .await
        .map_err(|e| anyhow::anyhow!("migration failed: {e}"))?;
    Ok(())
}

/// The newest migration this binary knows.
pub fn latest_migration() -> i64 {
    sqlx::migrate!("./migrations")
        .iter()
        .map(|m| m.version)
        .max()
        .unwrap_or(0)
}

/// The newest migration applied to the database.
pub async fn applied_migration(pool: &Pool) -> sqlx::Result<i64> {
    let (v,): (Option<i64>,) =
        sqlx::query_as("select cast(max(version) as bigint) from _sqlx_migrations")
            .fetch_one(pool)
            .await?;
    Ok(v.unwrap_or(0))
}

/// Writes a consistent copy of a SQLite database to `path` while it is in use.
pub async fn backup_sqlite(pool: &Pool, path: &str) -> anyhow::Result<()> {
    if is_postgres(pool) {
        anyhow::bail!("backup copies SQLite databases; for PostgreSQL use pg_dump");
    }
    sqlx::query("vacuum into $1")
        .bind(path)
        .execute(pool)
        .await?;
    Ok(())
}

/// Current time in unix seconds.
pub fn now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// A new primary key: 63 random bits. Made by the app so one migration set serves SQLite and
/// PostgreSQL, unguessable (ids appear in URLs), and collision-free in practice whichever
/// instance makes them (a collision becomes likely only after about three billion ids).
pub fn new_id() -> i64 {
    ((rand::random::<u64>() >> 1) as i64).max(1)
}

/// Reads (or creates once) a named secret shared by every instance.
pub async fn shared_secret(pool: &Pool, name: &str) -> anyhow::Result<String> {
    // Read first: an insert that changes nothing still fires PostgreSQL's change trigger.
    let known: Option<String> = sqlx::query_scalar("select value from app_secret where name = $1")
        .bind(name)
        .fetch_optional(pool)
        .await?;
    if let Some(value) = known {
        return Ok(value);
    }
    let candidate = crate::tokens::random_token();
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

#[cfg(test)]
mod tests {
    #[test]
    fn ids_made_in_a_burst_are_distinct_and_positive() {
        let ids: std::collections::HashSet<i64> = (0..200_000).map(|_| super::new_id()).collect();
        assert_eq!(ids.len(), 200_000);
        assert!(ids.iter().all(|id| *id > 0));
    }
}

/// A yes/no column, stored as the integer 0 or 1 on both engines (one migration set).
/// Rows read it as a `bool`: `#[sqlx(try_from = "Flag")] pub required: bool`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Flag(pub bool);

impl From<Flag> for bool {
    fn from(f: Flag) -> bool {
        f.0
    }
}

impl sqlx::Type<sqlx::Any> for Flag {
    fn type_info() -> sqlx::any::AnyTypeInfo {
        <i64 as sqlx::Type<sqlx::Any>>::type_info()
    }
    fn compatible(ty: &sqlx::any::AnyTypeInfo) -> bool {
        <i64 as sqlx::Type<sqlx::Any>>::compatible(ty)
            || <bool as sqlx::Type<sqlx::Any>>::compatible(ty)
    }
}

impl<'r> sqlx::Decode<'r, sqlx::Any> for Flag {
    fn decode(value: sqlx::any::AnyValueRef<'r>) -> Result<Self, sqlx::error::BoxDynError> {
        if <bool as sqlx::Type<sqlx::Any>>::compatible(&sqlx::ValueRef::type_info(&value)) {
            return Ok(Flag(<bool as sqlx::Decode<sqlx::Any>>::decode(value)?));
        }
        Ok(Flag(<i64 as sqlx::Decode<sqlx::Any>>::decode(value)? != 0))
    }
}
