//! What an instance keeps in memory between requests: live sessions and the family pages
//! they were shown, each valid only while the database has not changed since it was read.
//!
//! Invalidation is driven by the database, not by the code that writes:
//! - **SQLite** (`sqlite.rs`): every connection the process opens gets SQLite's update,
//!   rollback and WAL hooks (through `sqlite3_auto_extension`). The update hook notes which
//!   kind of table each row change touches; the WAL hook, which SQLite calls once a commit is
//!   durable and visible to other connections, bumps the matching generations. The write's
//!   own request has not answered yet at that point, so its next request reads afresh. The
//!   counters are shared through a file mapped in memory by every Portée process opening the
//!   database (`portee import` while the server runs); other programs are caught by polling
//!   `PRAGMA data_version` every 100 ms.
//! - **PostgreSQL** (`postgres.rs`): a statement-level trigger on every table sends
//!   `NOTIFY portee_change, 'table:OP'`, delivered at commit to every instance's `LISTEN`
//!   connection. After each POST (and each logged-in page whose handler ran) the instance
//!   waits for a notification of its own to come back (a fence: notifications arrive in
//!   commit order, so every change of that request has been applied to its caches before it
//!   answers). A heartbeat does the same every 250 ms;
//!   when the listening connection drops or a fence does not come back within 2 s, the
//!   instance stops trusting its caches (`Generations::distrust`) until one does.
//!
//! Generations are two counters: `session` (sessions created or ended) and `data` (every
//! other table except the write-only logs: `audit_log`, `mail_outbox`, `login_throttle`).
//! An entry remembers the counters read at the start of its request, before the session
//! and the page were read; it is used only while they are unchanged, so a commit racing
//! with the reads can only make it miss. Pages depend on
//! `data` only (they are kept per session, and a session is checked before its page is
//! used); sessions on both. A session's idle and absolute limits are checked in memory at
//! each request; its use is written at most once a minute (`web::session::touch`), and the
//! touching request keeps the row again when its own touch is the only change since.

pub mod postgres;
pub mod sqlite;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use poem::http::{HeaderMap, StatusCode};

/// Which counter a change of `table` bumps.
pub const SESSION: u8 = 1;
pub const DATA: u8 = 2;

/// Tables nothing cached ever reads: written as a side effect of requests (the audit
/// trail, the mail queue, the login throttle), they invalidate nothing.
pub const WRITE_ONLY: &[&str] = &["audit_log", "mail_outbox", "login_throttle"];

/// The counters a change to `table` bumps (whatever the change: insert, update, delete,
/// truncate).
pub fn bits_for(table: &str) -> u8 {
    if table == "session" {
        SESSION
    } else if WRITE_ONLY.contains(&table) {
        0
    } else {
        DATA
    }
}

/// The instance's view of the database's changes.
#[derive(Debug, Default)]
pub struct Generations {
    /// `session`, `data`, and the commits counted (`COMMITS`), when no file shares them.
    local: [AtomicU64; 3],
    /// The same counters in memory shared by every process of this machine that opens the
    /// same SQLite file (`sqlite::map_counters`).
    shared: Option<&'static [AtomicU64; 3]>,
    /// False while changes may be missed (PostgreSQL's listener is down): nothing cached
    /// is used or kept.
    untrusted: AtomicBool,
}

const SESSION_CELL: usize = 0;
const DATA_CELL: usize = 1;
const COMMITS_CELL: usize = 2;

/// The counters as one read saw them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Snapshot {
    pub session: u64,
    pub data: u64,
}

impl Generations {
    /// Counters not trusted until the listener says changes are heard (PostgreSQL), or
    /// never (a database whose commits no hook reports).
    pub fn untrusted() -> Self {
        let g = Generations::default();
        g.untrusted.store(true, Ordering::SeqCst);
        g
    }

    /// Counters kept in memory that other processes share.
    pub fn shared(cells: &'static [AtomicU64; 3]) -> Self {
        Generations {
            shared: Some(cells),
            ..Default::default()
        }
    }

    pub fn is_shared(&self) -> bool {
        self.shared.is_some()
    }

    fn cells(&self) -> &[AtomicU64; 3] {
        self.shared.unwrap_or(&self.local)
    }

    /// A commit was reported by a hook (of any process sharing the counters).
    pub fn count_commit(&self) {
        self.cells()[COMMITS_CELL].fetch_add(1, Ordering::SeqCst);
    }

    /// Commits reported so far.
    pub fn commits(&self) -> u64 {
        self.cells()[COMMITS_CELL].load(Ordering::SeqCst)
    }

    /// The counters now, or None when the caches cannot be trusted.
    pub fn snapshot(&self) -> Option<Snapshot> {
        if self.untrusted.load(Ordering::SeqCst) {
            return None;
        }
        let s = Snapshot {
            session: self.cells()[SESSION_CELL].load(Ordering::SeqCst),
            data: self.cells()[DATA_CELL].load(Ordering::SeqCst),
        };
        // Distrusted between the loads: the bump that came with it may be missed.
        (!self.untrusted.load(Ordering::SeqCst)).then_some(s)
    }

    /// Something in these tables changed (`bits`: SESSION | DATA).
    pub fn bump(&self, bits: u8) {
        if bits & SESSION != 0 {
            self.cells()[SESSION_CELL].fetch_add(1, Ordering::SeqCst);
        }
        if bits & DATA != 0 {
            self.cells()[DATA_CELL].fetch_add(1, Ordering::SeqCst);
        }
    }

    /// Changes may be missed from now on: everything kept is dropped.
    pub fn distrust(&self) {
        if !self.untrusted.swap(true, Ordering::SeqCst) {
            tracing::warn!("change notifications interrupted: caches off until they are back");
        }
        self.bump(SESSION | DATA);
    }

    /// Changes are seen again: caching starts afresh.
    pub fn trust(&self) {
        self.bump(SESSION | DATA);
        if self.untrusted.swap(false, Ordering::SeqCst) {
            tracing::info!("change notifications back: caches on");
        }
    }

    pub fn is_trusted(&self) -> bool {
        !self.untrusted.load(Ordering::SeqCst)
    }
}

/// How long anything is kept at most, whatever the database says: what a page shows also
/// depends on the clock (today's lessons, a campaign that opens at midnight).
pub const MAX_AGE: Duration = Duration::from_secs(30);

/// A page as the handler answered it.
pub struct Page {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
    /// Where the session's seconds left (`data-session-fin="…"`) sit in `body`, replaced
    /// at each use.
    pub seconds_left_at: Option<(usize, usize)>,
    data: u64,
    made: Instant,
    /// The body compressed, for the seconds left it was made with: a page asked again
    /// within the same second is not compressed again.
    packed: std::sync::Mutex<Option<(i64, Bytes)>>,
}

impl Page {
    pub fn new(status: StatusCode, headers: HeaderMap, body: Bytes, seen: Snapshot) -> Self {
        const MARK: &[u8] = b"data-session-fin=\"";
        let head = &body[..body.len().min(1024)];
        let seconds_left_at = head
            .windows(MARK.len())
            .position(|w| w == MARK)
            .map(|i| i + MARK.len())
            .and_then(|start| {
                let len = body[start..].iter().position(|b| *b == b'"')?;
                Some((start, start + len))
            });
        Page {
            status,
            headers,
            body,
            seconds_left_at,
            data: seen.data,
            made: Instant::now(),
            packed: std::sync::Mutex::new(None),
        }
    }

    /// The body with the session's time left, compressed by `pack` (once per value).
    pub fn packed_with(&self, seconds_left: i64, pack: impl Fn(&[u8]) -> Vec<u8>) -> Bytes {
        if let Some((s, b)) = &*self.packed.lock().unwrap_or_else(|e| e.into_inner())
            && *s == seconds_left
        {
            return b.clone();
        }
        let packed = Bytes::from(pack(&self.body_with(seconds_left)));
        *self.packed.lock().unwrap_or_else(|e| e.into_inner()) =
            Some((seconds_left, packed.clone()));
        packed
    }

    /// The body with the session's time left as it is now.
    pub fn body_with(&self, seconds_left: i64) -> Bytes {
        match self.seconds_left_at {
            Some((start, end)) => {
                let n = seconds_left.to_string();
                if self.body[start..end] == *n.as_bytes() {
                    return self.body.clone();
                }
                let mut b = Vec::with_capacity(self.body.len() + 4);
                b.extend_from_slice(&self.body[..start]);
                b.extend_from_slice(n.as_bytes());
                b.extend_from_slice(&self.body[end..]);
                Bytes::from(b)
            }
            None => self.body.clone(),
        }
    }
}

/// What a page depends on besides the database: whose session, which address, and the
/// request headers and cookie the rendering reads.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct PageKey {
    pub session: String,
    pub uri: String,
    pub vary: [Option<String>; 4],
    pub shortcuts: bool,
}

/// A session as its one statement read it (see `web::context`).
pub struct Kept<T> {
    pub value: T,
    seen: Snapshot,
    made: Instant,
}

impl<T> Kept<T> {
    /// The counters it was read under.
    pub fn seen(&self) -> Snapshot {
        self.seen
    }
}

#[derive(Clone)]
struct PageWeight;
impl quick_cache::Weighter<PageKey, Arc<Page>> for PageWeight {
    fn weight(&self, key: &PageKey, val: &Arc<Page>) -> u64 {
        (val.body.len() + key.uri.len() + key.session.len() + 256) as u64
    }
}

#[derive(Clone)]
struct SessionWeight;
impl<T> quick_cache::Weighter<String, Arc<Kept<T>>> for SessionWeight {
    fn weight(&self, key: &String, _val: &Arc<Kept<T>>) -> u64 {
        // The row's strings are short (names, a token): a generous flat size.
        (key.len() + 512) as u64
    }
}

/// Both caches of an instance and what invalidates them.
pub struct Caches<S> {
    pub generations: Arc<Generations>,
    pages: quick_cache::sync::Cache<PageKey, Arc<Page>, PageWeight>,
    sessions: quick_cache::sync::Cache<String, Arc<Kept<S>>, SessionWeight>,
    /// PostgreSQL: waits for this instance's changes to have come back as notifications.
    pub fence: Option<Arc<postgres::Fence>>,
    /// `PORTEE_CACHE_MB=0`: nothing is kept.
    off: bool,
}

impl<S> Caches<S> {
    /// Caches within `bytes` in all (three quarters for pages, the rest for sessions); 0
    /// keeps nothing.
    pub fn new(generations: Arc<Generations>, bytes: u64) -> Self {
        let pages = bytes / 4 * 3;
        let sessions = bytes - pages;
        Caches {
            generations,
            pages: quick_cache::sync::Cache::with_weighter(
                (pages / 4096).max(16) as usize,
                pages.max(1),
                PageWeight,
            ),
            sessions: quick_cache::sync::Cache::with_weighter(
                (sessions / 600).max(16) as usize,
                sessions.max(1),
                SessionWeight,
            ),
            fence: None,
            off: bytes == 0,
        }
    }

    /// The counters now (None: keep and use nothing).
    pub fn snapshot(&self) -> Option<Snapshot> {
        if self.off {
            return None;
        }
        self.generations.snapshot()
    }

    /// Returns once the changes this instance committed so far have reached its caches:
    /// on PostgreSQL, once its own notification is back through its listener (`Fence`).
    /// Nothing to wait for on SQLite, whose hooks bump the counters inside each commit, nor
    /// while the caches are distrusted (nothing kept is used then).
    pub async fn settle(&self) {
        if let Some(fence) = &self.fence
            && fence.generations.is_trusted()
        {
            fence.wait().await;
        }
    }

    /// A kept session read while nothing it depends on has changed since.
    pub fn session(&self, token_hash: &str) -> Option<Arc<Kept<S>>> {
        let now = self.snapshot()?;
        let kept = self.sessions.get(token_hash)?;
        (kept.seen == now && kept.made.elapsed() < MAX_AGE).then_some(kept)
    }

    pub fn keep_session(&self, token_hash: String, value: S, seen: Snapshot) {
        let made = Instant::now();
        self.sessions
            .insert(token_hash, Arc::new(Kept { value, seen, made }));
    }

    /// A kept page shown while no data has changed since it was made.
    pub fn page(&self, key: &PageKey) -> Option<Arc<Page>> {
        let now = self.snapshot()?;
        let page = self.pages.get(key)?;
        (page.data == now.data && page.made.elapsed() < MAX_AGE).then_some(page)
    }

    pub fn keep_page(&self, key: PageKey, page: Page) {
        self.pages.insert(key, Arc::new(page));
    }

    /// Bytes held now (pages, sessions).
    pub fn weight(&self) -> (u64, u64) {
        (self.pages.weight(), self.sessions.weight())
    }
}

/// One value every request may need (the hosted schools, the open pre-enrolment windows),
/// kept while no data changes, for the same key (today's date), at most `MAX_AGE`.
pub struct Memo<T> {
    kept: std::sync::Mutex<Option<Remembered<T>>>,
}

/// A `Memo`'s value: the data generation and time it was read at, for which key.
type Remembered<T> = (u64, Instant, String, Arc<T>);

impl<T> Default for Memo<T> {
    fn default() -> Self {
        Memo {
            kept: std::sync::Mutex::new(None),
        }
    }
}

impl<T> Memo<T> {
    /// The kept value, or `load`'s (kept if nothing changed while it ran). `now`: the
    /// counters (None: caches off or untrusted, so `load` runs every time).
    pub async fn get<E, F>(&self, now: Option<Snapshot>, key: &str, load: F) -> Result<Arc<T>, E>
    where
        F: std::future::Future<Output = Result<T, E>>,
    {
        if let Some(now) = now
            && let Some((data, made, k, value)) =
                &*self.kept.lock().unwrap_or_else(|e| e.into_inner())
            && *data == now.data
            && k == key
            && made.elapsed() < MAX_AGE
        {
            return Ok(value.clone());
        }
        let value = Arc::new(load.await?);
        if let Some(now) = now {
            *self.kept.lock().unwrap_or_else(|e| e.into_inner()) =
                Some((now.data, Instant::now(), key.to_owned(), value.clone()));
        }
        Ok(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logs_invalidate_nothing_sessions_their_own_counter_other_writes_the_data() {
        assert_eq!(bits_for("session"), SESSION);
        assert_eq!(bits_for("audit_log"), 0);
        assert_eq!(bits_for("mail_outbox"), 0);
        assert_eq!(bits_for("login_throttle"), 0);
        assert_eq!(bits_for("account"), DATA);
        assert_eq!(bits_for("a_table_added_later"), DATA);
    }

    #[test]
    fn the_seconds_left_are_replaced_in_a_kept_page() {
        let body = Bytes::from_static(
            b"<!DOCTYPE html><html lang=\"fr\" data-session-fin=\"1790\"><p>x</p>",
        );
        let seen = Snapshot {
            session: 0,
            data: 0,
        };
        let page = Page::new(StatusCode::OK, HeaderMap::new(), body, seen);
        assert_eq!(
            &page.body_with(1745)[..],
            b"<!DOCTYPE html><html lang=\"fr\" data-session-fin=\"1745\"><p>x</p>"
        );
        assert_eq!(page.body_with(1790), page.body);
    }

    #[test]
    fn a_page_is_not_used_after_a_change_nor_while_untrusted() {
        let generations = Arc::new(Generations::default());
        let caches: Caches<()> = Caches::new(generations.clone(), 1 << 20);
        let key = PageKey {
            session: "s".into(),
            uri: "/accueil".into(),
            vary: Default::default(),
            shortcuts: true,
        };
        let seen = caches.snapshot().unwrap();
        caches.keep_page(
            key.clone(),
            Page::new(StatusCode::OK, HeaderMap::new(), Bytes::new(), seen),
        );
        assert!(caches.page(&key).is_some());
        generations.bump(SESSION);
        assert!(
            caches.page(&key).is_some(),
            "a session ended elsewhere changes no page"
        );
        generations.bump(DATA);
        assert!(caches.page(&key).is_none());
        let seen = caches.snapshot().unwrap();
        caches.keep_page(
            key.clone(),
            Page::new(StatusCode::OK, HeaderMap::new(), Bytes::new(), seen),
        );
        generations.distrust();
        assert!(caches.page(&key).is_none() && caches.snapshot().is_none());
        generations.trust();
        assert!(
            caches.page(&key).is_none(),
            "what was kept before the gap is never used"
        );
    }

    #[test]
    fn memory_stays_within_the_cap() {
        let caches: Caches<()> = Caches::new(Arc::new(Generations::default()), 4 << 20);
        let seen = caches.snapshot().unwrap();
        for i in 0..10_000 {
            let key = PageKey {
                session: format!("{i:064}"),
                uri: "/accueil".into(),
                vary: Default::default(),
                shortcuts: true,
            };
            let body = Bytes::from(vec![b'x'; 5_000]);
            caches.keep_page(key, Page::new(StatusCode::OK, HeaderMap::new(), body, seen));
        }
        assert!(caches.weight().0 <= 3 << 20, "{:?}", caches.weight());
    }
}
