//! SQLite's side of invalidation: hooks on every connection of the process, and a poll of
//! `PRAGMA data_version` for commits made by other processes.
//!
//! sqlx reaches SQLite through its `Any` driver here, which gives no access to the
//! connection handle; SQLite's own `sqlite3_auto_extension` runs a function on every
//! connection the process opens, before sqlx uses it, so no connection is missed.

use std::cell::Cell;
use std::collections::HashMap;
use std::ffi::{CStr, CString, c_char, c_int, c_void};
use std::sync::atomic::AtomicU64;
use std::sync::{Arc, Mutex, Once, OnceLock};
use std::time::Duration;

use libsqlite3_sys as ffi;

use super::{DATA, Generations, SESSION, bits_for};

/// One `Generations` per database file, shared by every pool of the process that opens it.
fn registry() -> &'static Mutex<HashMap<String, Arc<Generations>>> {
    static R: OnceLock<Mutex<HashMap<String, Arc<Generations>>>> = OnceLock::new();
    R.get_or_init(Default::default)
}

/// The generations of the database file at `path` (as SQLite names it: absolute), shared
/// with the other processes that open it when `map_counters` can map them.
pub fn generations_of(path: &str) -> Arc<Generations> {
    registry()
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .entry(path.to_owned())
        .or_insert_with(|| {
            Arc::new(match map_counters(path) {
                Some(cells) => Generations::shared(cells),
                None => Generations::default(),
            })
        })
        .clone()
}

/// The counters of a database file, in a file beside it (`…-generations`, like SQLite's
/// `-shm`) mapped in memory by every Portée process that opens the database: a commit by
/// `portee import` bumps the server's counters as its own commits do. Mapped once per file
/// and process, for the life of the process. None when the file cannot be made or mapped
/// (another user's file, a read-only folder): the counters are then this process's own.
fn map_counters(db_path: &str) -> Option<&'static [AtomicU64; 3]> {
    const LEN: usize = 4096;
    let path = CString::new(format!("{db_path}-generations")).ok()?;
    // SAFETY: plain system calls on a file descriptor this function owns; the mapping is
    // page-aligned, at least 24 bytes long, never unmapped, and only ever accessed through
    // atomics (whose layout is that of u64), so sharing it across processes is sound.
    unsafe {
        let fd = libc::open(
            path.as_ptr(),
            libc::O_RDWR | libc::O_CREAT | libc::O_CLOEXEC,
            0o600,
        );
        if fd < 0 {
            return None;
        }
        let mut st: libc::stat = std::mem::zeroed();
        if libc::fstat(fd, &mut st) != 0
            || (st.st_size < LEN as libc::off_t && libc::ftruncate(fd, LEN as libc::off_t) != 0)
        {
            libc::close(fd);
            return None;
        }
        let p = libc::mmap(
            std::ptr::null_mut(),
            LEN,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_SHARED,
            fd,
            0,
        );
        libc::close(fd);
        if p == libc::MAP_FAILED {
            return None;
        }
        Some(&*(p as *const [AtomicU64; 3]))
    }
}

/// What one connection remembers between a row change and the end of its transaction.
struct Hooks {
    db: *mut ffi::sqlite3,
    generations: Arc<Generations>,
    /// SESSION | DATA touched by the open transaction; ANY: some row changed at all.
    pending: Cell<u8>,
}

const ANY: u8 = 0x80;

/// Installs the hooks on every SQLite connection opened from now on (once per process).
pub fn install() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| unsafe {
        // SAFETY: `on_open` has the signature SQLite expects of an entry point.
        ffi::sqlite3_auto_extension(Some(on_open));
    });
}

unsafe extern "C" fn on_open(
    db: *mut ffi::sqlite3,
    _err: *mut *mut c_char,
    _api: *const ffi::sqlite3_api_routines,
) -> c_int {
    // SAFETY: SQLite passes a valid, open connection; the strings it returns live as long as
    // the connection; `state` is freed by SQLite's client-data destructor when it closes.
    unsafe {
        let name = ffi::sqlite3_db_filename(db, c"main".as_ptr());
        if name.is_null() || *name == 0 {
            // An in-memory or temporary database: nothing outside this connection sees it.
            return ffi::SQLITE_OK;
        }
        let path = CStr::from_ptr(name).to_string_lossy().into_owned();
        let state = Box::into_raw(Box::new(Hooks {
            db,
            generations: generations_of(&path),
            pending: Cell::new(0),
        })) as *mut c_void;
        ffi::sqlite3_set_clientdata(db, c"portee_hooks".as_ptr(), state, Some(drop_hooks));
        ffi::sqlite3_update_hook(db, Some(on_row), state);
        ffi::sqlite3_rollback_hook(db, Some(on_rollback), state);
        // SQLite sets its default WAL hook (the automatic checkpoint) after the extensions
        // run: ours is set again before each commit instead.
        ffi::sqlite3_commit_hook(db, Some(before_commit), state);
        ffi::SQLITE_OK
    }
}

unsafe extern "C" fn drop_hooks(state: *mut c_void) {
    // SAFETY: made by `Box::into_raw` in `on_open`, dropped once by SQLite at close. SQLite
    // runs client-data destructors before it rolls back what a closing connection left
    // open, which would call the rollback hook: the hooks are removed first (the connection
    // is still valid here).
    unsafe {
        let db = (*(state as *const Hooks)).db;
        ffi::sqlite3_update_hook(db, None, std::ptr::null_mut());
        ffi::sqlite3_commit_hook(db, None, std::ptr::null_mut());
        ffi::sqlite3_rollback_hook(db, None, std::ptr::null_mut());
        ffi::sqlite3_wal_hook(db, None, std::ptr::null_mut());
        drop(Box::from_raw(state as *mut Hooks));
    }
}

/// A row changed (called inside the statement, before its transaction commits).
unsafe extern "C" fn on_row(
    state: *mut c_void,
    _op: c_int,
    _db: *const c_char,
    table: *const c_char,
    _rowid: ffi::sqlite3_int64,
) {
    // SAFETY: `state` is the connection's `Hooks`, used only on the connection's thread.
    let hooks = unsafe { &*(state as *const Hooks) };
    let table = unsafe { CStr::from_ptr(table) }.to_str().unwrap_or("");
    hooks
        .pending
        .set(hooks.pending.get() | ANY | bits_for(table));
}

/// A transaction is about to commit: the WAL hook that will report it is (re)installed.
unsafe extern "C" fn before_commit(state: *mut c_void) -> c_int {
    // SAFETY: as in `on_row`; `db` is this connection, open while its hooks run.
    let hooks = unsafe { &*(state as *const Hooks) };
    unsafe { ffi::sqlite3_wal_hook(hooks.db, Some(on_commit), state) };
    // Zero: the commit goes on.
    0
}

unsafe extern "C" fn on_rollback(state: *mut c_void) {
    // SAFETY: as in `on_row`.
    let hooks = unsafe { &*(state as *const Hooks) };
    hooks.pending.set(0);
}

/// A transaction committed and is visible to every other connection (SQLite calls the WAL
/// hook after the commit, the write lock released). Also runs the checkpoint that setting
/// a WAL hook replaces (SQLite's default: once the log holds 1000 pages).
unsafe extern "C" fn on_commit(
    state: *mut c_void,
    db: *mut ffi::sqlite3,
    name: *const c_char,
    pages: c_int,
) -> c_int {
    // SAFETY: as in `on_row`; `db` and `name` are SQLite's own for this call.
    let hooks = unsafe { &*(state as *const Hooks) };
    let pending = hooks.pending.replace(0);
    // A commit that wrote pages without any row change the hook saw (a schema change, a
    // DELETE without WHERE, which SQLite truncates without reporting rows): assume all.
    let bits = if pending & ANY == 0 {
        SESSION | DATA
    } else {
        pending & (SESSION | DATA)
    };
    hooks.generations.bump(bits);
    hooks.generations.count_commit();
    if pages >= 1000 {
        unsafe {
            ffi::sqlite3_wal_checkpoint_v2(
                db,
                name,
                ffi::SQLITE_CHECKPOINT_PASSIVE,
                std::ptr::null_mut(),
                std::ptr::null_mut(),
            );
        }
    }
    ffi::SQLITE_OK
}

/// How often commits by programs other than Portée are looked for.
pub const POLL: Duration = Duration::from_millis(100);
/// How often a change that Portée's own commits may explain bumps everything anyway.
pub const DOUBT_EVERY: Duration = Duration::from_secs(1);

/// Watches `PRAGMA data_version` on a connection of its own: it changes when any other
/// connection commits. Portée's own processes (this server, `portee import` beside it)
/// report their commits through the shared counters; a change with no such commit comes
/// from another program (the `sqlite3` shell) and bumps everything within `POLL`; a change
/// that came with Portée's commits may hide another program's, and bumps everything within
/// `DOUBT_EVERY` (not at once: a session's touch would otherwise empty the caches each
/// time). When the counters are not shared, every change bumps everything. A failing poll
/// distrusts the caches until it works again.
pub fn spawn_poll(url: String, generations: Arc<Generations>) {
    tokio::spawn(async move {
        use sqlx::Connection;
        let mut conn: Option<sqlx::AnyConnection> = None;
        let mut last: Option<(i64, u64)> = None;
        let mut doubt = false;
        let mut doubted_at: Option<std::time::Instant> = None;
        loop {
            if conn.is_none() {
                conn = sqlx::AnyConnection::connect(&url).await.ok();
            }
            // Counted before the version is read: a commit in between looks foreign (and
            // bumps everything once more), never the reverse.
            let commits = generations.commits();
            let seen = match conn.as_mut() {
                Some(c) => sqlx::query_scalar::<_, i64>("pragma data_version")
                    .fetch_one(c)
                    .await
                    .ok(),
                None => None,
            };
            match seen {
                Some(version) => {
                    match last {
                        None => generations.trust(),
                        Some((v, c)) if v != version => {
                            if !generations.is_shared() || c == commits {
                                // Surely another program's: at once.
                                generations.bump(SESSION | DATA);
                                doubt = false;
                            } else {
                                // Portée committed too, which may hide another program.
                                doubt = true;
                            }
                        }
                        Some(_) => {}
                    }
                    // A doubt is settled by bumping everything, at most once a second (a
                    // session's touch would otherwise empty the caches each time).
                    if doubt && doubted_at.is_none_or(|at| at.elapsed() >= DOUBT_EVERY) {
                        generations.bump(SESSION | DATA);
                        doubt = false;
                        doubted_at = Some(std::time::Instant::now());
                    }
                    last = Some((version, commits));
                }
                None => {
                    conn = None;
                    last = None;
                    generations.distrust();
                }
            }
            tokio::time::sleep(POLL).await;
        }
    });
}

#[cfg(test)]
mod tests {
    #[tokio::test]
    async fn a_commit_on_any_connection_bumps_the_files_generations_and_a_rollback_does_not() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}?mode=rwc", dir.path().join("t.db").display());
        let pool = crate::db::connect(&url).await.unwrap();
        sqlx::query("create table family (id integer primary key)")
            .execute(&pool)
            .await
            .unwrap();
        let file = crate::db::sqlite_wal_file(&pool)
            .await
            .unwrap()
            .expect("WAL");
        let generations = super::generations_of(&file);
        let before = generations.snapshot().unwrap();
        sqlx::query("insert into family (id) values (1)")
            .execute(&pool)
            .await
            .unwrap();
        let after = generations.snapshot().unwrap();
        assert!(after.data > before.data, "{before:?} {after:?}");
        assert_eq!(after.session, before.session);
        let mut tx = pool.begin().await.unwrap();
        sqlx::query("insert into family (id) values (2)")
            .execute(&mut *tx)
            .await
            .unwrap();
        tx.rollback().await.unwrap();
        assert_eq!(generations.snapshot().unwrap(), after);
    }

    #[test]
    fn two_mappings_of_a_files_counters_see_each_others_bumps() {
        // Two mappings of one file behave as two processes' mappings do.
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.db").display().to_string();
        let a = super::Generations::shared(super::map_counters(&path).unwrap());
        let b = super::Generations::shared(super::map_counters(&path).unwrap());
        let before = b.snapshot().unwrap();
        a.bump(super::DATA);
        a.count_commit();
        assert_eq!(b.snapshot().unwrap().data, before.data + 1);
        assert_eq!(b.commits(), a.commits());
    }
}
