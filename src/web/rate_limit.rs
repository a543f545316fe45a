//! Per-client-address rate limits on POSTs, in two buckets: the forms that check a
//! password or send mail to an address typed in them (strict), and every other POST (a
//! looser bound on forms that mail the account's own address, uploads, payments). IPv6
//! addresses count by /64. In memory and per instance by design: the cheap first line.
//! The per-account throttles that hold across instances live in the database (see
//! `features::auth::throttle`).

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use maud::html;
use poem::http::{Method, StatusCode};
use poem::{Endpoint, IntoResponse, Request, Response};

use super::{Ctx, layout};

/// Paths whose POSTs check a password or send mail: the strict bucket.
pub const STRICT: &[&str] = &[
    "/connexion",
    "/gestion/connexion",
    "/mot-de-passe-perdu",
    "/mot-de-passe",
    "/reinitialisation",
    "/accessibilite/signalement",
    "/preinscription/suivi",
];

/// Prefixes whose POSTs are in the strict bucket too: the public pre-enrolment form of each
/// school (`/preinscription/{ecole}`) sends mail.
pub const STRICT_PREFIXES: &[&str] = &["/preinscription/"];

/// The two buckets.
pub struct Limiters {
    pub strict: Arc<IpLimiter>,
    pub other: Arc<IpLimiter>,
}

pub struct IpLimiter {
    limiter: DefaultKeyedRateLimiter<IpAddr>,
}

impl IpLimiter {
    pub fn new(per_minute: u32) -> Arc<Self> {
        let n = NonZeroU32::new(per_minute).unwrap_or(NonZeroU32::MIN);
        let limiter = Arc::new(IpLimiter {
            limiter: RateLimiter::keyed(Quota::per_minute(n)),
        });
        // Forget idle clients so memory stays bounded.
        let weak = Arc::downgrade(&limiter);
        tokio::spawn(async move {
            loop {
                tokio::time::sleep(Duration::from_secs(60)).await;
                match weak.upgrade() {
                    Some(l) => l.limiter.retain_recent(),
                    None => break,
                }
            }
        });
        limiter
    }

    /// `Err(seconds)` to wait when the client's network is over its quota.
    pub fn check(&self, ip: IpAddr) -> Result<(), u64> {
        let key = super::network(ip);
        self.limiter.check_key(&key).map_err(|not_until| {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            wait.as_secs().max(1)
        })
    }
}

/// The accessible 429 page: says how long to wait.
pub fn too_many(ctx: &Ctx, seconds: u64) -> Response {
    let when = if seconds < 60 {
        format!(
            "{seconds}\u{a0}seconde{}",
            if seconds > 1 { "s" } else { "" }
        )
    } else {
        let m = seconds.div_ceil(60);
        format!("{m}\u{a0}minute{}", if m > 1 { "s" } else { "" })
    };
    layout::page(ctx, "Trop de tentatives", html! {
            h1 { "Trop de tentatives" }
            p { "Par sécurité, le portail limite le nombre de tentatives. Vous pourrez réessayer dans " strong { (when) } "." }
            p { "Si vous avez oublié votre mot de passe, vous pourrez en choisir un nouveau depuis la page " a href="/mot-de-passe-perdu" { "Mot de passe perdu" } "." }
        })
    .with_status(StatusCode::TOO_MANY_REQUESTS)
    .with_header("Retry-After", seconds.to_string())
    .into_response()
}

pub async fn middleware<E: Endpoint>(ep: Arc<E>, req: Request) -> poem::Result<Response> {
    if req.method() == Method::POST {
        let trusted = req
            .data::<Arc<crate::state::AppState>>()
            .map(|s| s.settings.trusted_proxies.clone())
            .unwrap_or_default();
        let ip = super::client_ip(&req, &trusted);
        let limiter = req.data::<Arc<Limiters>>().map(|l| {
            let path = req.uri().path();
            if STRICT.contains(&path) || STRICT_PREFIXES.iter().any(|p| path.starts_with(p)) {
                &l.strict
            } else {
                &l.other
            }
        });
        if let (Some(ip), Some(limiter)) = (ip, limiter)
            && let Err(wait) = limiter.check(ip)
        {
            tracing::warn!(%ip, path = req.uri().path(), "rate limited");
            let ctx = req.data::<Ctx>().cloned();
            return Ok(match ctx {
                Some(c) => too_many(&c, wait),
                None => StatusCode::TOO_MANY_REQUESTS.into_response(),
            });
        }
    }
    Ok(ep.call(req).await?.into_response())
}
