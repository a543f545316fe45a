//! Cross-cutting HTTP: the request context (session, CSRF), the page shell, form
//! components, security headers, rate limits, static assets and error pages.

pub mod assets;
pub mod components;
pub mod compress;
pub mod connections;
pub mod context;
pub mod errors;
pub mod files;
pub mod headers;
pub mod health;
pub mod htmx;
pub mod ids;
pub mod layout;
pub mod limits;
pub mod log;
pub mod multipart;
pub mod rate_limit;
pub mod resume;
pub mod rich;
pub mod schools;
pub mod session;
pub mod table;

pub use context::{AdminUser, Ctx, CurrentUser, FamilyUser, StaffUser};
pub use errors::{AppError, AppResult};
pub use ids::Ids;

use poem::http::{StatusCode, header};
use poem::{IntoResponse, Response};

/// Is this response a page (HTML)?
pub fn is_html(headers: &poem::http::HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"))
}

/// Post/redirect/get: the answer to a successful POST.
pub fn see_other(location: &str) -> Response {
    Response::builder()
        .status(StatusCode::SEE_OTHER)
        .header(header::LOCATION, location)
        .finish()
}

/// A page re-rendered after a failed POST keeps what was typed and says why.
pub fn unprocessable(page: maud::Markup) -> Response {
    page.with_status(StatusCode::UNPROCESSABLE_ENTITY)
        .into_response()
}

/// A search box's text kept within sensible bounds (it is echoed in the page): spaces
/// collapsed, at most 100 characters.
pub fn clean_search(q: &str) -> String {
    q.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .take(100)
        .collect()
}

/// Does `haystack` (already lower-cased) contain every word of the search?
pub fn matches_search(haystack: &str, q: &str) -> bool {
    q.to_lowercase()
        .split_whitespace()
        .all(|w| haystack.contains(w))
}

/// A local path safe to redirect to (no scheme, no `//host`, no backslash tricks).
pub fn safe_return_path(raw: &str) -> &str {
    let ok = raw.starts_with('/')
        && !raw.starts_with("//")
        && !raw.contains('\\')
        && !raw.chars().any(char::is_control);
    if ok { raw } else { "/" }
}

/// The client's address: the peer, or, when the peer is a trusted reverse proxy, the
/// right-most address of `X-Forwarded-For` that is not itself a trusted proxy.
pub fn client_ip(req: &poem::Request, trusted: &[std::net::IpAddr]) -> Option<std::net::IpAddr> {
    let peer = req.remote_addr().as_socket_addr().map(|a| a.ip())?;
    if !trusted.contains(&peer) {
        return Some(peer);
    }
    let forwarded = req
        .headers()
        .get("x-forwarded-for")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    forwarded
        .split(',')
        .rev()
        .filter_map(|a| a.trim().parse::<std::net::IpAddr>().ok())
        .find(|a| !trusted.contains(a))
        .or(Some(peer))
}

/// Does `path` match a route pattern such as `/eleves/:id/identite` (a `:name` segment
/// matches one non-empty segment)?
pub fn route_matches(pattern: &str, path: &str) -> bool {
    let mut p = pattern.split('/');
    let mut q = path.split('/');
    loop {
        match (p.next(), q.next()) {
            (None, None) => return true,
            (Some(a), Some(b)) if a.starts_with(':') && !b.is_empty() => {}
            (Some(a), Some(b)) if a == b => {}
            _ => return false,
        }
    }
}

/// The network a client address counts in: the address itself for IPv4, its /64 for IPv6
/// (one subscriber usually holds a whole /64). Shared with the per-address rate limiter.
pub fn network(ip: std::net::IpAddr) -> std::net::IpAddr {
    match ip {
        std::net::IpAddr::V4(_) => ip,
        std::net::IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => std::net::IpAddr::V4(v4),
            None => {
                let s = v6.segments();
                std::net::IpAddr::V6(std::net::Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
            }
        },
    }
}
