//! SQL of message threads. A family's queries are bound to its `family_id`, staff's to their
//! school's `site_id`: another family's thread, or another school's, is simply not found.
//! Unread messages are counts (each side's messages, and how many of them the other side has
//! seen), so reading a thread is one update and the menu's count one indexed sum.

use crate::audit::audit;
use crate::db::{self, Pool};
use crate::mail::Outgoing;
use crate::web::files::StoredFile;

/// A thread as listed.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Thread {
    pub thread_id: i64,
    pub family_id: i64,
    /// The family's first guardian (« ABARRE Jérémie »), for staff.
    pub family_name: Option<String>,
    pub subject: String,
    pub status: String,
    pub updated_at: i64,
    /// Messages of the other side not yet seen by whoever asks.
    pub unread: i64,
    pub messages: i64,
}

impl Thread {
    pub fn is_open(&self) -> bool {
        self.status == "open"
    }
}

/// Who reads: the family (its own threads) or the school's staff (their school's).
#[derive(Clone, Copy, Debug)]
pub enum Reader {
    Family(i64),
    Staff(i64),
}

fn columns(reader: Reader) -> &'static str {
    match reader {
        Reader::Family(_) => {
            "t.thread_id, t.family_id, null as family_name, t.subject, t.status, t.updated_at, \
             t.staff_messages - t.family_seen as unread, t.family_messages + t.staff_messages as messages"
        }
        Reader::Staff(_) => {
            "t.thread_id, t.family_id, \
             (select p.last_name || ' ' || p.first_name from person p where p.family_id = t.family_id \
              and p.is_guardian = 1 order by p.last_name, p.first_name, p.person_id limit 1) as family_name, \
             t.subject, t.status, t.updated_at, \
             t.family_messages - t.staff_seen as unread, t.family_messages + t.staff_messages as messages"
        }
    }
}

fn owner(reader: Reader) -> (&'static str, i64) {
    match reader {
        Reader::Family(f) => ("t.family_id = $1", f),
        Reader::Staff(s) => ("t.site_id = $1", s),
    }
}

/// Which threads a list shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Shown {
    Open,
    Closed,
    All,
}

/// The reader's threads, the most recent first; `q` (words, any case) searches subjects,
/// messages and, for staff, the family's names.
pub async fn list(pool: &Pool, reader: Reader, q: &str, shown: Shown) -> sqlx::Result<Vec<Thread>> {
    let (own, id) = owner(reader);
    let status = match shown {
        Shown::Open => "and t.status = 'open'",
        Shown::Closed => "and t.status = 'closed'",
        Shown::All => "",
    };
    let mut sql = format!(
        "select {} from message_thread t where {own} {status}",
        columns(reader)
    );
    let words: Vec<String> = q
        .split_whitespace()
        .take(8)
        .map(|w| format!("%{}%", like_escape(&w.to_lowercase())))
        .collect();
    for i in 0..words.len() {
        let n = i + 2;
        let names = match reader {
            Reader::Family(_) => String::new(),
            Reader::Staff(_) => format!(
                " or exists (select 1 from person p where p.family_id = t.family_id \
                 and lower(p.last_name || ' ' || p.first_name) like ${n} escape '\\')"
            ),
        };
        sql.push_str(&format!(
            " and (lower(t.subject) like ${n} escape '\\' \
             or exists (select 1 from message m where m.thread_id = t.thread_id \
                        and lower(m.body) like ${n} escape '\\'){names})"
        ));
    }
    sql.push_str(" order by t.updated_at desc, t.thread_id desc limit 200");
    let mut query = sqlx::query_as(sqlx::AssertSqlSafe(sql)).bind(id);
    for w in &words {
        query = query.bind(w.clone());
    }
    query.fetch_all(pool).await
}

/// `%`, `_` and `\` typed in a search are looked for as such.
fn like_escape(w: &str) -> String {
    w.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

/// One thread of the reader.
pub async fn thread(pool: &Pool, reader: Reader, thread_id: i64) -> sqlx::Result<Option<Thread>> {
    let (own, id) = owner(reader);
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "select {} from message_thread t where {own} and t.thread_id = $2",
        columns(reader)
    )))
    .bind(id)
    .bind(thread_id)
    .fetch_optional(pool)
    .await
}

/// A message of a thread.
#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Message {
    pub message_id: i64,
    #[sqlx(try_from = "crate::db::Flag")]
    pub from_staff: bool,
    /// The family member's « Prénom NOM », or the staff member's name.
    pub author: String,
    pub body: String,
    pub created_at: i64,
    pub file_name: Option<String>,
    pub content_type: Option<String>,
    pub size_bytes: Option<i64>,
}

/// A thread's messages, oldest first (the thread was found for its reader first).
pub async fn messages(pool: &Pool, thread_id: i64) -> sqlx::Result<Vec<Message>> {
    sqlx::query_as(
        "select m.message_id, m.from_staff, \
                coalesce(p.first_name || ' ' || p.last_name, a.display_name, a.identifier) as author, \
                m.body, m.created_at, m.file_name, m.content_type, m.size_bytes \
         from message m join account a on a.account_id = m.author_account \
         left join person p on p.person_id = a.person_id \
         where m.thread_id = $1 order by m.seq",
    )
    .bind(thread_id)
    .fetch_all(pool)
    .await
}

/// What the reader has seen of the thread: everything the other side wrote so far.
pub async fn mark_seen(pool: &Pool, reader: Reader, thread_id: i64) -> sqlx::Result<()> {
    let sql = match reader {
        Reader::Family(_) => {
            "update message_thread set family_seen = staff_messages \
             where family_id = $1 and thread_id = $2 and family_seen <> staff_messages"
        }
        Reader::Staff(_) => {
            "update message_thread set staff_seen = family_messages \
             where site_id = $1 and thread_id = $2 and staff_seen <> family_messages"
        }
    };
    let (_, id) = owner(reader);
    sqlx::query(sql)
        .bind(id)
        .bind(thread_id)
        .execute(pool)
        .await?;
    Ok(())
}

/// A message to store, with its optional attachment (checked by `web::multipart`).
pub struct NewMessage<'a> {
    pub site_id: i64,
    pub account_id: i64,
    pub body: &'a str,
    /// Name, type and bytes of the attachment.
    pub file: Option<(&'a str, &'a str, &'a [u8])>,
}

async fn insert_message(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    thread_id: i64,
    from_staff: bool,
    m: &NewMessage<'_>,
    now: i64,
) -> sqlx::Result<i64> {
    let id = db::new_id();
    // Its place in the thread: the thread's count, just raised in this transaction.
    let (seq,): (i64,) = sqlx::query_as(
        "select family_messages + staff_messages from message_thread where thread_id = $1",
    )
    .bind(thread_id)
    .fetch_one(&mut **tx)
    .await?;
    let (name, kind, bytes) = match m.file {
        Some((n, k, b)) => (Some(n), Some(k), Some(b)),
        None => (None, None, None),
    };
    sqlx::query(
        "insert into message (message_id, thread_id, author_account, from_staff, seq, body, created_at, \
         file_name, content_type, size_bytes, content) values ($1, $2, $3, $4, $11, $5, $6, $7, $8, $9, $10)",
    )
    .bind(id)
    .bind(thread_id)
    .bind(m.account_id)
    .bind(i64::from(from_staff))
    .bind(m.body)
    .bind(now)
    .bind(name)
    .bind(kind)
    .bind(bytes.map(|b| b.len() as i64))
    .bind(bytes)
    .bind(seq)
    .execute(&mut **tx)
    .await?;
    Ok(id)
}

/// A family starts a thread; its mail to the school is queued in the same transaction.
pub async fn start(
    pool: &Pool,
    id: i64,
    family_id: i64,
    subject: &str,
    m: &NewMessage<'_>,
    mails: &[Outgoing],
) -> sqlx::Result<i64> {
    let mut tx = db::begin(pool).await?;
    let now = db::now();
    sqlx::query(
        "insert into message_thread (thread_id, site_id, family_id, subject, status, created_at, \
         updated_at, family_messages) values ($1, $2, $3, $4, 'open', $5, $5, 1)",
    )
    .bind(id)
    .bind(m.site_id)
    .bind(family_id)
    .bind(subject)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    insert_message(&mut tx, id, false, m, now).await?;
    for mail in mails {
        crate::mail::enqueue(&mut tx, Some(m.site_id), mail).await?;
    }
    audit(
        &mut tx,
        Some(m.site_id),
        Some(m.account_id),
        "message_thread_started",
        &format!("thread {id}"),
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Adds an answer to a thread of the reader. A family answers open threads only (false on a
/// closed one); a staff answer reopens a closed thread. Who writes has read what came before.
pub async fn answer(
    pool: &Pool,
    reader: Reader,
    thread_id: i64,
    m: &NewMessage<'_>,
    mails: &[Outgoing],
) -> sqlx::Result<bool> {
    let mut tx = db::begin(pool).await?;
    let now = db::now();
    let (sql, staff) = match reader {
        Reader::Family(_) => (
            "update message_thread set family_messages = family_messages + 1, \
             family_seen = staff_messages, updated_at = $3 \
             where family_id = $1 and thread_id = $2 and status = 'open'",
            false,
        ),
        Reader::Staff(_) => (
            "update message_thread set staff_messages = staff_messages + 1, \
             staff_seen = family_messages, updated_at = $3, status = 'open', closed_at = null, \
             closed_by = null where site_id = $1 and thread_id = $2",
            true,
        ),
    };
    let (_, id) = owner(reader);
    let n = sqlx::query(sql)
        .bind(id)
        .bind(thread_id)
        .bind(now)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    if n == 0 {
        return Ok(false);
    }
    insert_message(&mut tx, thread_id, staff, m, now).await?;
    for mail in mails {
        crate::mail::enqueue(&mut tx, Some(m.site_id), mail).await?;
    }
    audit(
        &mut tx,
        Some(m.site_id),
        Some(m.account_id),
        if staff {
            "message_answered_by_staff"
        } else {
            "message_answered_by_family"
        },
        &format!("thread {thread_id}"),
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}

/// Staff close (or reopen) a thread of their school. False when it was already so.
pub async fn set_closed(
    pool: &Pool,
    site_id: i64,
    account_id: i64,
    thread_id: i64,
    closed: bool,
) -> sqlx::Result<bool> {
    let mut tx = db::begin(pool).await?;
    let n = if closed {
        sqlx::query(
            "update message_thread set status = 'closed', closed_at = $3, closed_by = $4, \
             staff_seen = family_messages where site_id = $1 and thread_id = $2 and status = 'open'",
        )
        .bind(site_id)
        .bind(thread_id)
        .bind(db::now())
        .bind(account_id)
        .execute(&mut *tx)
        .await?
        .rows_affected()
    } else {
        sqlx::query(
            "update message_thread set status = 'open', closed_at = null, closed_by = null \
             where site_id = $1 and thread_id = $2 and status = 'closed'",
        )
        .bind(site_id)
        .bind(thread_id)
        .execute(&mut *tx)
        .await?
        .rows_affected()
    };
    if n == 1 {
        audit(
            &mut tx,
            Some(site_id),
            Some(account_id),
            if closed {
                "message_thread_closed"
            } else {
                "message_thread_reopened"
            },
            &format!("thread {thread_id}"),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(n == 1)
}

/// A message's attachment, for the reader of its thread.
pub async fn attachment(
    pool: &Pool,
    reader: Reader,
    thread_id: i64,
    message_id: i64,
) -> sqlx::Result<Option<StoredFile>> {
    let (own, id) = owner(reader);
    sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "select m.file_name, m.content_type, m.content from message m \
         join message_thread t on t.thread_id = m.thread_id \
         where {own} and t.thread_id = $2 and m.message_id = $3 and m.content is not null"
    )))
    .bind(id)
    .bind(thread_id)
    .bind(message_id)
    .fetch_optional(pool)
    .await
}
