//! Tokens, cookies and the database side of sessions.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::tokens::{hash_token, random_token};

use crate::db::{self, Pool};

/// A session ends after this long without a request (OWASP ASVS 3.3.2, level 2).
pub const IDLE_SECONDS: i64 = 30 * 60;
/// And in any case this long after login.
pub const ABSOLUTE_SECONDS: i64 = 12 * 60 * 60;
/// `last_seen_at` is written at most this often, so reads stay reads.
pub const TOUCH_EVERY_SECONDS: i64 = 60;

/// The CSRF token of an anonymous visitor: bound to their pre-session cookie by a key
/// only the servers know, so another site can neither read nor forge it.
pub fn anonymous_csrf(secret: &str, pre_token: &str) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("any key length");
    mac.update(b"csrf:");
    mac.update(pre_token.as_bytes());
    URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
}

/// Cookie names: `__Host-` prefixed when cookies are Secure (the browser then also
/// refuses them from subdomains and insecure pages).
#[derive(Clone, Debug)]
pub struct CookieNames {
    pub session: &'static str,
    pub pre: &'static str,
    pub mode: &'static str,
    /// "off" when this browser's user turned the keyboard shortcuts off.
    pub shortcuts: &'static str,
    /// The token of a form kept after its session expired (`web::resume`).
    pub resume: &'static str,
    /// The signed proof that this browser logged in to an account before
    /// (`features::auth::throttle`).
    pub device: &'static str,
}

impl CookieNames {
    pub fn new(secure: bool) -> Self {
        if secure {
            CookieNames {
                session: "__Host-portee_session",
                pre: "__Host-portee_pre",
                mode: "__Host-portee_mode",
                shortcuts: "__Host-portee_raccourcis",
                resume: "__Host-portee_reprise",
                device: "__Host-portee_appareil",
            }
        } else {
            CookieNames {
                session: "portee_session",
                pre: "portee_pre",
                mode: "portee_mode",
                shortcuts: "portee_raccourcis",
                resume: "portee_reprise",
                device: "portee_appareil",
            }
        }
    }
}

/// A `Set-Cookie` value. `max_age` None: until the browser closes; Some(0): delete.
pub fn set_cookie(name: &str, value: &str, secure: bool, max_age: Option<i64>) -> String {
    let mut c = format!("{name}={value}; Path=/; HttpOnly; SameSite=Lax");
    if secure {
        c.push_str("; Secure");
    }
    if let Some(age) = max_age {
        c.push_str(&format!("; Max-Age={age}"));
    }
    c
}

/// A `Set-Cookie` value that deletes the cookie.
pub fn clear_cookie(name: &str, secure: bool) -> String {
    set_cookie(name, "", secure, Some(0))
}

/// Reads one cookie from a `Cookie` header.
pub fn read_cookie<'a>(header: &'a str, name: &str) -> Option<&'a str> {
    header.split(';').find_map(|pair| {
        let (k, v) = pair.trim().split_once('=')?;
        (k == name).then_some(v)
    })
}

/// Creates a session for `account_id` opened by `user_agent`, and returns its token (for
/// the cookie).
pub async fn create(pool: &Pool, account_id: i64, user_agent: &str) -> sqlx::Result<String> {
    let token = random_token();
    let now = db::now();
    // Only what names the browser is kept, within bounds.
    let agent: String = user_agent
        .chars()
        .filter(|c| !c.is_control())
        .take(300)
        .collect();
    sqlx::query(
        "insert into session (token_hash, account_id, csrf_token, created_at, last_seen_at, expires_at, \
         session_id, user_agent) values ($1, $2, $3, $4, $4, $5, $6, $7)",
    )
    .bind(hash_token(&token))
    .bind(account_id)
    .bind(random_token())
    .bind(now)
    .bind(now + ABSOLUTE_SECONDS)
    .bind(db::new_id())
    .bind(agent)
    .execute(pool)
    .await?;
    Ok(token)
}

/// The session (by its token's hash) counts as used at `now`. False: it no longer exists.
pub async fn touch(pool: &Pool, token_hash: &str, now: i64) -> sqlx::Result<bool> {
    let done = sqlx::query("update session set last_seen_at = $1 where token_hash = $2")
        .bind(now)
        .bind(token_hash)
        .execute(pool)
        .await?;
    Ok(done.rows_affected() > 0)
}

/// Destroys one session (logout, rotation at login).
pub async fn destroy(pool: &Pool, token: &str) -> sqlx::Result<()> {
    sqlx::query("delete from session where token_hash = $1")
        .bind(hash_token(token))
        .execute(pool)
        .await?;
    Ok(())
}
