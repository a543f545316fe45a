//! Throttles on password checks, designed so that an attacker can slow down their own
//! guesses but cannot keep a family out of its account (the README's Security section
//! explains the design).
//!
//! - A browser that logged in to an account before carries a signed device cookie for it
//!   (`DeviceCookie`). Its attempts are counted on that device alone: failures elsewhere
//!   never slow it down.
//! - Any other browser is counted per client network (an IPv4 address, or an IPv6 /64):
//!   an attacker's failures slow down the attacker's network only.
//! - The identifier is also counted across all untrusted networks, with a budget (30
//!   failures in 15 minutes) that one network cannot reach because of its own delays: only
//!   a guess spread over many networks slows down browsers the family never used, and
//!   never the ones it did.
//! - Staff and family forms count separately, so a staff form cannot throttle a family
//!   account of the same identifier. The current-password check of the password page is
//!   counted per account.
//!
//! Each counter allows a few free failures, then delays of 2, 4, 8… seconds capped at 60
//! (never a lockout), and forgets everything 15 minutes after its first failure.

use std::net::IpAddr;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use sqlx::AnyConnection;

use super::views::Audience;
use crate::db::{self, Pool};

/// The longest delay between two attempts.
pub const MAX_DELAY_SECONDS: i64 = 60;
/// A counter's window: it starts at its first failure.
const WINDOW_SECONDS: i64 = 15 * 60;
/// Failures allowed on one device, one network or one account's password page.
pub const FREE_FAILURES: i64 = 3;
/// Failures allowed for an identifier across every untrusted network.
pub const FREE_FAILURES_EVERYWHERE: i64 = 30;
/// A device cookie is trusted this long after the login that set it.
pub const DEVICE_SECONDS: i64 = 365 * 24 * 3600;

fn prefix(audience: Audience) -> &'static str {
    match audience {
        Audience::Family => "family",
        Audience::Staff => "staff",
    }
}

pub use crate::web::network;

/// What counts the attempts of one login form submission.
pub enum Keys {
    /// A browser that logged in to this account before.
    Device(String),
    /// Any other: its network, and the identifier everywhere.
    Untrusted { network: String, everywhere: String },
}

impl Keys {
    pub fn new(
        audience: Audience,
        site_id: i64,
        identifier: &str,
        device: Option<&str>,
        ip: Option<IpAddr>,
    ) -> Self {
        match device {
            Some(nonce) => Keys::Device(format!("device:{nonce}")),
            None => {
                let everywhere = format!("{}:{site_id}:{identifier}", prefix(audience));
                let net = ip.map(network).map(|n| n.to_string()).unwrap_or_default();
                Keys::Untrusted {
                    network: format!("{everywhere}:{net}"),
                    everywhere,
                }
            }
        }
    }

    fn with_allowance(&self) -> Vec<(&str, i64)> {
        match self {
            Keys::Device(k) => vec![(k, FREE_FAILURES)],
            Keys::Untrusted {
                network,
                everywhere,
            } => vec![
                (network, FREE_FAILURES),
                (everywhere, FREE_FAILURES_EVERYWHERE),
            ],
        }
    }

    /// Seconds to wait before this submission may be checked, if any.
    pub async fn delay(&self, pool: &Pool) -> sqlx::Result<Option<i64>> {
        let mut wait = None;
        for (key, free) in self.with_allowance() {
            if let Some(w) = delay(pool, key, free).await? {
                wait = Some(wait.unwrap_or(0).max(w));
            }
        }
        Ok(wait)
    }

    pub async fn record_failure(&self, pool: &Pool) -> sqlx::Result<()> {
        for (key, _) in self.with_allowance() {
            record_failure(pool, key).await?;
        }
        Ok(())
    }

    /// After a success: the device's or the network's counter is cleared. The count
    /// across networks stays (a success does not refill a distributed guesser's budget).
    pub async fn clear(&self, pool: &Pool) -> sqlx::Result<()> {
        let key = match self {
            Keys::Device(k) => k,
            Keys::Untrusted { network, .. } => network,
        };
        clear(pool, key).await
    }
}

/// The key of the current-password check of the password page.
pub fn password_page_key(account_id: i64) -> String {
    format!("password:{account_id}")
}

/// The delay still to wait on `key`, in seconds, after `free` failures.
pub async fn delay(pool: &Pool, key: &str, free: i64) -> sqlx::Result<Option<i64>> {
    let row: Option<(i64, i64, i64)> = sqlx::query_as(
        "select failures, first_failure_at, last_failure_at from login_throttle where throttle_key = $1",
    )
    .bind(key)
    .fetch_optional(pool)
    .await?;
    let now = db::now();
    Ok(row.and_then(|(failures, first, last)| {
        if failures <= free || now - first > WINDOW_SECONDS {
            return None;
        }
        let delay = (1i64 << (failures - free).min(10)).min(MAX_DELAY_SECONDS);
        let wait = last + delay - now;
        (wait > 0).then_some(wait)
    }))
}

pub async fn record_failure(pool: &Pool, key: &str) -> sqlx::Result<()> {
    let now = db::now();
    sqlx::query(
        "insert into login_throttle (throttle_key, failures, first_failure_at, last_failure_at) \
         values ($1, 1, $2, $2) \
         on conflict (throttle_key) do update set \
           failures = case when login_throttle.first_failure_at < $3 then 1 else login_throttle.failures + 1 end, \
           first_failure_at = case when login_throttle.first_failure_at < $3 then $2 else login_throttle.first_failure_at end, \
           last_failure_at = $2",
    )
    .bind(key)
    .bind(now)
    .bind(now - WINDOW_SECONDS)
    .execute(pool)
    .await?;
    Ok(())
}

pub async fn clear(pool: &Pool, key: &str) -> sqlx::Result<()> {
    sqlx::query("delete from login_throttle where throttle_key = $1")
        .bind(key)
        .execute(pool)
        .await?;
    Ok(())
}

/// A new password was set: every counter of the account's identifier starts afresh.
pub async fn clear_account(conn: &mut AnyConnection, account_id: i64) -> sqlx::Result<()> {
    let (site_id, identifier, crate::db::Flag(is_staff)): (i64, String, crate::db::Flag) =
        sqlx::query_as("select site_id, identifier, is_staff from account where account_id = $1")
            .bind(account_id)
            .fetch_one(&mut *conn)
            .await?;
    let audience = if is_staff {
        Audience::Staff
    } else {
        Audience::Family
    };
    let everywhere = format!("{}:{site_id}:{identifier}", prefix(audience));
    // The identifier's key, every network's key (the range of keys `everywhere:…`, as ':'
    // is followed by ';'), and the password page's.
    sqlx::query(
        "delete from login_throttle where throttle_key = $1 \
         or (throttle_key > $2 and throttle_key < $3) or throttle_key = $4",
    )
    .bind(&everywhere)
    .bind(format!("{everywhere}:"))
    .bind(format!("{everywhere};"))
    .bind(password_page_key(account_id))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The device cookie: `ACCOUNT.NONCE.MAC`, the MAC made with a key only the servers know.
pub struct DeviceCookie;

impl DeviceCookie {
    fn mac(secret: &str, account_id: i64, nonce: &str) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("any key length");
        mac.update(format!("device:{account_id}:{nonce}").as_bytes());
        URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
    }

    /// A fresh cookie value for an account that just logged in.
    pub fn issue(secret: &str, account_id: i64) -> String {
        let nonce = crate::tokens::random_token();
        format!(
            "{account_id}.{nonce}.{}",
            Self::mac(secret, account_id, &nonce)
        )
    }

    /// The nonce of a genuine cookie for `account_id` (None for anything else).
    pub fn nonce<'a>(secret: &str, value: &'a str, account_id: i64) -> Option<&'a str> {
        let mut parts = value.splitn(3, '.');
        let (account, nonce, mac) = (parts.next()?, parts.next()?, parts.next()?);
        let ok = account.parse::<i64>().ok() == Some(account_id)
            && crate::tokens::constant_time_eq(mac, &Self::mac(secret, account_id, nonce));
        ok.then_some(nonce)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ipv6_counts_by_64_and_mapped_ipv4_as_ipv4() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:ffff:1:2:3".parse().unwrap();
        let c: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert_eq!(network(a), network(b));
        assert_ne!(network(a), network(c));
        let mapped: IpAddr = "::ffff:192.0.2.7".parse().unwrap();
        assert_eq!(network(mapped), "192.0.2.7".parse::<IpAddr>().unwrap());
    }

    #[test]
    fn a_device_cookie_is_bound_to_its_account_and_key() {
        let v = DeviceCookie::issue("key", 42);
        assert!(DeviceCookie::nonce("key", &v, 42).is_some());
        assert!(DeviceCookie::nonce("key", &v, 43).is_none());
        assert!(DeviceCookie::nonce("other key", &v, 42).is_none());
        let forged = v.replacen("42.", "43.", 1);
        assert!(DeviceCookie::nonce("key", &forged, 43).is_none());
        assert!(DeviceCookie::nonce("key", "garbage", 42).is_none());
    }

    #[test]
    fn staff_and_family_forms_count_apart() {
        let ip = Some("192.0.2.1".parse().unwrap());
        let f = Keys::new(Audience::Family, 1, "torre1", None, ip);
        let s = Keys::new(Audience::Staff, 1, "torre1", None, ip);
        let keys = |k: &Keys| {
            k.with_allowance()
                .iter()
                .map(|(k, _)| k.to_string())
                .collect::<Vec<_>>()
        };
        assert!(keys(&f).iter().all(|k| !keys(&s).contains(k)));
        assert_eq!(keys(&f), ["family:1:torre1:192.0.2.1", "family:1:torre1"]);
    }
}
