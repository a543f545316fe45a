//! PostgreSQL's side of invalidation: a trigger on every table notifies each commit's
//! changes; every instance listens, and waits for its own notification to come back before
//! trusting what it keeps (after each POST, and every `HEARTBEAT`).

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use sqlx::postgres::PgListener;
use tokio::sync::oneshot;

use super::{Generations, bits_for};
use crate::db::Pool;

/// The notification channel.
pub const CHANNEL: &str = "portee_change";
/// How often an instance checks that its listener still hears the database.
pub const HEARTBEAT: Duration = Duration::from_millis(250);
/// How long a notification may take to come back before the caches are distrusted (a
/// listener that hangs without its connection dropping is noticed within `HEARTBEAT` and
/// this).
pub const FENCE_TIMEOUT: Duration = Duration::from_secs(2);

/// Creates the notifying function, and its trigger on every table that lacks one (tables
/// added by later migrations get theirs at the next start). Statement-level triggers also
/// see `TRUNCATE`; `pg_notify` folds repeats within a transaction and delivers at commit.
pub async fn install_triggers(pool: &Pool) -> anyhow::Result<()> {
    let mut tx = pool.begin().await?;
    // Two instances starting at once would race on the same DDL.
    sqlx::query("select pg_advisory_xact_lock(7270001)")
        .execute(&mut *tx)
        .await?;
    sqlx::raw_sql(
        "create or replace function portee_change() returns trigger language plpgsql as $$ \
         begin perform pg_notify('portee_change', tg_table_name || ':' || tg_op); return null; end $$",
    )
    .execute(&mut *tx)
    .await?;
    let tables: Vec<String> = sqlx::query_scalar(
        "select c.relname::text from pg_class c join pg_namespace n on n.oid = c.relnamespace \
         where c.relkind = 'r' and n.nspname = current_schema() and c.relname not like '\\_sqlx%' \
         and not exists (select 1 from pg_trigger t where t.tgrelid = c.oid and t.tgname = 'portee_change')",
    )
    .fetch_all(&mut *tx)
    .await?;
    for table in tables {
        // The names come from the catalogue (our own migrations), quoted all the same.
        let quoted = format!("\"{}\"", table.replace('"', "\"\""));
        sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
            "create trigger portee_change after insert or update or delete or truncate on {quoted} \
             for each statement execute function portee_change()"
        )))
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// Waits for this instance's own notifications to come back through its listener.
pub struct Fence {
    pub generations: Arc<Generations>,
    instance: u64,
    next: AtomicU64,
    waiting: Mutex<HashMap<u64, oneshot::Sender<()>>>,
    url: String,
    /// The connection fences are sent through (`send`).
    sender: tokio::sync::Mutex<Option<sqlx::PgConnection>>,
    /// Counts the times notifications may have been lost; trust and distrust take turns
    /// under this lock, so a check that succeeded before a loss cannot trust after it.
    epoch: Mutex<u64>,
}

impl Fence {
    pub fn new(generations: Arc<Generations>, url: String) -> Self {
        Fence {
            generations,
            url,
            sender: tokio::sync::Mutex::new(None),
            instance: rand::random(),
            next: AtomicU64::new(1),
            waiting: Mutex::new(HashMap::new()),
            epoch: Mutex::new(0),
        }
    }

    /// Notifications may have been lost from now on.
    pub fn lost(&self) {
        let mut epoch = self.epoch.lock().unwrap_or_else(|e| e.into_inner());
        *epoch += 1;
        self.generations.distrust();
    }

    fn epoch(&self) -> u64 {
        *self.epoch.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Trusts the caches again if nothing was lost since `epoch`.
    fn trust_since(&self, epoch: u64) {
        let current = self.epoch.lock().unwrap_or_else(|e| e.into_inner());
        if *current == epoch && !self.generations.is_trusted() {
            self.generations.trust();
        }
    }

    /// Returns once every change committed before the call has reached this instance's
    /// caches (notifications arrive in commit order). False, and the caches distrusted,
    /// when the notification did not come back within `FENCE_TIMEOUT`.
    pub async fn wait(&self) -> bool {
        let id = self.next.fetch_add(1, Ordering::SeqCst);
        let (tx, rx) = oneshot::channel();
        self.waiting
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(id, tx);
        let sent = self.send(&format!("fence:{}:{id}", self.instance)).await;
        let back = sent && matches!(tokio::time::timeout(FENCE_TIMEOUT, rx).await, Ok(Ok(())));
        self.waiting
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&id);
        if !back {
            self.lost();
        }
        back
    }

    /// Sends a notification through this instance's own connection, not the pool's: under
    /// load the pool's connections are all taken, and a fence waiting for one would time
    /// out and turn the caches off just when they matter most.
    async fn send(&self, payload: &str) -> bool {
        use sqlx::Connection;
        let mut conn = self.sender.lock().await;
        if conn.is_none() {
            let named = with_name(&self.url, "portee_fence");
            *conn = sqlx::PgConnection::connect(&named).await.ok();
        }
        let Some(c) = conn.as_mut() else {
            return false;
        };
        let sent = sqlx::query("select pg_notify($1, $2)")
            .bind(CHANNEL)
            .bind(payload)
            .execute(&mut *c)
            .await
            .is_ok();
        if !sent {
            *conn = None;
        }
        sent
    }

    /// One notification heard: a change (`table:OP`) or a fence (`fence:instance:id`).
    fn heard(&self, payload: &str) {
        if let Some(rest) = payload.strip_prefix("fence:") {
            let mine = format!("{}:", self.instance);
            if let Some(id) = rest.strip_prefix(&mine).and_then(|i| i.parse::<u64>().ok())
                && let Some(tx) = self
                    .waiting
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .remove(&id)
            {
                let _ = tx.send(());
            }
            return;
        }
        // `table:OP`: every operation bumps alike (OP tells an administrator watching the
        // channel what happened).
        let table = payload.split_once(':').map_or(payload, |(t, _)| t);
        self.generations.bump(bits_for(table));
    }
}

/// `url` with an `application_name`, so an administrator (or a test) can tell the
/// connection in `pg_stat_activity`.
fn with_name(url: &str, name: &str) -> String {
    let sep = if url.contains('?') { '&' } else { '?' };
    format!("{url}{sep}application_name={name}")
}

/// Listens for changes, and checks every `HEARTBEAT` that it still does: the caches are
/// trusted only once a notification of this instance has come back since the listener
/// (re)connected, and distrusted as soon as the connection drops or a check times out.
pub fn spawn_listener(url: String, fence: Arc<Fence>) {
    let listening = fence.clone();
    tokio::spawn(async move {
        loop {
            // Named, so an administrator (or a test) can tell it in `pg_stat_activity`.
            let named = with_name(&url, "portee_listener");
            let mut listener = match PgListener::connect(&named).await {
                Ok(l) => l,
                Err(e) => {
                    tracing::warn!(error = %e, "cannot connect the change listener");
                    listening.lost();
                    tokio::time::sleep(HEARTBEAT).await;
                    continue;
                }
            };
            if let Err(e) = listener.listen(CHANNEL).await {
                tracing::warn!(error = %e, "cannot listen for changes");
                listening.lost();
                tokio::time::sleep(HEARTBEAT).await;
                continue;
            }
            loop {
                match listener.try_recv().await {
                    Ok(Some(n)) => listening.heard(n.payload()),
                    // The connection dropped: notifications may be lost until it is back
                    // (the listener reconnects and listens again on the next call).
                    Ok(None) => listening.lost(),
                    Err(e) => {
                        tracing::warn!(error = %e, "the change listener failed");
                        listening.lost();
                        break;
                    }
                }
            }
            tokio::time::sleep(HEARTBEAT).await;
        }
    });
    tokio::spawn(async move {
        loop {
            let epoch = fence.epoch();
            if fence.wait().await {
                fence.trust_since(epoch);
            }
            tokio::time::sleep(HEARTBEAT).await;
        }
    });
}
