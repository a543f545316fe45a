//! Mail: messages are written to the `mail_outbox` table in the same transaction as
//! the action that causes them, and a worker sends them with retries, through SMTP or
//! into a folder of `.eml` files. A mail is never lost when the transport is down.

pub mod templates;

use std::sync::Arc;
use std::time::Duration;

use lettre::message::Mailbox;
use lettre::message::header::ContentType;
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use sqlx::AnyConnection;
use tokio::sync::Notify;

use crate::config::{MailTransport, Settings};
use crate::db::{self, Pool};

/// After this many failed attempts a mail is left in the outbox for staff to see.
pub const MAX_ATTEMPTS: i64 = 20;

/// A mail to queue.
pub struct Outgoing {
    pub to: String,
    pub subject: String,
    pub body: String,
}

/// Queues a mail of `site_id`'s school inside the caller's transaction.
pub async fn enqueue(
    conn: &mut AnyConnection,
    site_id: Option<i64>,
    mail: &Outgoing,
) -> sqlx::Result<()> {
    let now = db::now();
    sqlx::query(
        "insert into mail_outbox (mail_id, to_address, subject, body_text, created_at, next_attempt_at, site_id) \
         values ($1, $2, $3, $4, $5, $5, $6)",
    )
    .bind(db::new_id())
    .bind(&mail.to)
    .bind(&mail.subject)
    .bind(&mail.body)
    .bind(now)
    .bind(site_id)
    .execute(conn)
    .await?;
    Ok(())
}

enum Transport {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    Dir(AsyncFileTransport<Tokio1Executor>),
}

pub struct Mailer {
    transport: Transport,
    from: Mailbox,
}

impl Mailer {
    pub fn new(settings: &Settings) -> anyhow::Result<Self> {
        let transport = match &settings.mail {
            MailTransport::Smtp(url) => Transport::Smtp(
                AsyncSmtpTransport::<Tokio1Executor>::from_url(&url.0)
                    .map_err(|e| anyhow::anyhow!("PORTEE_SMTP_URL: {e}"))?
                    .timeout(Some(Duration::from_secs(20)))
                    .build(),
            ),
            MailTransport::Dir(dir) => {
                std::fs::create_dir_all(dir)
                    .map_err(|e| anyhow::anyhow!("PORTEE_MAIL_DIR {}: {e}", dir.display()))?;
                Transport::Dir(AsyncFileTransport::new(dir))
            }
        };
        Ok(Mailer {
            transport,
            from: settings.mail_from.parse()?,
        })
    }

    /// `mail_id` makes the `Message-ID`: a mail sent twice (a crash between sending and
    /// marking it sent) carries the same id, so mail clients recognise the duplicate.
    /// `sender`: the school's own name for its mails, else PORTEE_MAIL_FROM's.
    async fn send(
        &self,
        mail_id: i64,
        sender: Option<&str>,
        to: &str,
        subject: &str,
        body: &str,
    ) -> anyhow::Result<()> {
        let domain = self.from.email.domain().to_owned();
        let from = match sender {
            Some(name) => {
                lettre::message::Mailbox::new(Some(name.to_owned()), self.from.email.clone())
            }
            None => self.from.clone(),
        };
        let message = Message::builder()
            .message_id(Some(format!("<{mail_id}.portee@{domain}>")))
            .from(from)
            .to(to.parse()?)
            .subject(subject)
            .header(ContentType::TEXT_PLAIN)
            // lettre picks 7bit, quoted-printable or base64 to suit the text.
            .body(body.to_owned())?;
        match &self.transport {
            Transport::Smtp(t) => {
                t.send(message).await?;
            }
            Transport::Dir(t) => {
                t.send(message).await?;
            }
        }
        Ok(())
    }
}

/// A mail of a school not delivered yet after at least one attempt.
#[derive(Debug, sqlx::FromRow)]
pub struct Undelivered {
    pub mail_id: i64,
    pub to_address: String,
    pub subject: String,
    pub created_at: i64,
    pub attempts: i64,
    pub next_attempt_at: i64,
    pub last_error: Option<String>,
}

/// Mails of `site_id` that failed at least once and are not delivered, oldest first.
pub async fn undelivered(pool: &Pool, site_id: i64) -> sqlx::Result<Vec<Undelivered>> {
    sqlx::query_as(
        "select mail_id, to_address, subject, created_at, attempts, next_attempt_at, last_error from mail_outbox \
         where site_id = $1 and sent_at is null and attempts > 0 order by created_at, mail_id",
    )
    .bind(site_id)
    .fetch_all(pool)
    .await
}

/// Makes an undelivered mail of `site_id` due now (a mail given up on gets a fresh set of
/// attempts). Returns whether it was found.
pub async fn retry_now(pool: &Pool, site_id: i64, mail_id: i64) -> sqlx::Result<bool> {
    let done = sqlx::query(
        "update mail_outbox set next_attempt_at = $1, attempts = case when attempts >= $2 then 0 else attempts end \
         where mail_id = $3 and site_id = $4 and sent_at is null",
    )
    .bind(db::now())
    .bind(MAX_ATTEMPTS)
    .bind(mail_id)
    .bind(site_id)
    .execute(pool)
    .await?;
    Ok(done.rows_affected() == 1)
}

type Claimed = (i64, String, String, String, i64, Option<i64>);

/// Claims the due mails (one statement, so two instances never claim the same row)
/// and sends them. Returns how many were sent.
pub async fn send_due(pool: &Pool, mailer: &Mailer) -> anyhow::Result<usize> {
    let now = db::now();
    // One statement claims the rows, so two instances never send the same mail. PostgreSQL
    // skips rows another instance is claiming instead of waiting for it; SQLite has a single
    // writer, so its plain UPDATE is already exclusive.
    let sql = if db::is_postgres(pool) {
        "update mail_outbox set claimed_until = $1 where mail_id in ( \
           select mail_id from mail_outbox \
           where sent_at is null and next_attempt_at <= $2 and attempts < $3 \
             and (claimed_until is null or claimed_until < $2) \
           order by next_attempt_at limit 50 for update skip locked) \
         returning mail_id, to_address, subject, body_text, attempts, site_id"
    } else {
        "update mail_outbox set claimed_until = $1 \
         where sent_at is null and next_attempt_at <= $2 and attempts < $3 \
           and (claimed_until is null or claimed_until < $2) \
         returning mail_id, to_address, subject, body_text, attempts, site_id"
    };
    let claimed: Vec<Claimed> = sqlx::query_as(sql)
        .bind(now + 120)
        .bind(now)
        .bind(MAX_ATTEMPTS)
        .fetch_all(pool)
        .await?;
    let mut sent = 0;
    // The name each school's mails are sent under (its settings), read once a batch.
    let mut senders: std::collections::HashMap<i64, Option<String>> = Default::default();
    for (id, to, subject, body, attempts, site_id) in claimed {
        let sender = match site_id {
            Some(site) => match senders.get(&site) {
                Some(name) => name.clone(),
                None => {
                    let name = crate::site::sender_name(pool, site).await?;
                    senders.insert(site, name.clone());
                    name
                }
            },
            None => None,
        };
        match mailer
            .send(id, sender.as_deref(), &to, &subject, &body)
            .await
        {
            Ok(()) => {
                sqlx::query("update mail_outbox set sent_at = $1, claimed_until = null, attempts = $2 where mail_id = $3")
                    .bind(db::now())
                    .bind(attempts + 1)
                    .bind(id)
                    .execute(pool)
                    .await?;
                sent += 1;
            }
            Err(e) => {
                let attempts = attempts + 1;
                let delay = (30i64 << attempts.min(7)).min(3600);
                tracing::warn!(mail_id = id, attempts, error = %e, "mail not sent, will retry");
                sqlx::query(
                    "update mail_outbox set attempts = $1, next_attempt_at = $2, claimed_until = null, last_error = $3 \
                     where mail_id = $4",
                )
                .bind(attempts)
                .bind(db::now() + delay)
                .bind(e.to_string())
                .bind(id)
                .execute(pool)
                .await?;
            }
        }
    }
    Ok(sent)
}

/// The background worker: wakes when a mail is queued, and every few seconds anyway.
pub fn spawn_worker(pool: Pool, mailer: Mailer, wakeup: Arc<Notify>) {
    tokio::spawn(async move {
        // On SQLite only this process sends: claims left by a process that died (kill -9,
        // power cut) are released at once instead of waiting for them to lapse. On
        // PostgreSQL another instance may be sending them: their claims are left to lapse.
        if !db::is_postgres(&pool) {
            let released = sqlx::query(
                "update mail_outbox set claimed_until = null where sent_at is null and claimed_until is not null",
            )
            .execute(&pool)
            .await;
            if let Ok(r) = released
                && r.rows_affected() > 0
            {
                tracing::info!(
                    mails = r.rows_affected(),
                    "released the claims of a previous run"
                );
            }
        }
        loop {
            if let Err(e) = send_due(&pool, &mailer).await {
                tracing::error!(error = format!("{e:#}"), "outbox worker");
            }
            tokio::select! {
                _ = wakeup.notified() => {}
                _ = tokio::time::sleep(Duration::from_secs(5)) => {}
            }
        }
    });
}
