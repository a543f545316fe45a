//! Security headers on every response.

use std::sync::Arc;

use poem::http::header::{self, HeaderName, HeaderValue};
use poem::{Endpoint, IntoResponse, Request, Response};

pub const CSP: &str = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; \
object-src 'none'";

pub async fn middleware<E: Endpoint>(ep: Arc<E>, req: Request) -> poem::Result<Response> {
    let mut resp = match ep.call(req).await {
        Ok(r) => r.into_response(),
        Err(e) => e.into_response(),
    };
    let h = resp.headers_mut();
    let set = |h: &mut poem::http::HeaderMap, name: HeaderName, value: &'static str| {
        h.insert(name, HeaderValue::from_static(value));
    };
    // A response with its own, stricter policy (an uploaded file: `sandbox`) keeps it.
    if !h.contains_key(header::CONTENT_SECURITY_POLICY) {
        set(h, header::CONTENT_SECURITY_POLICY, CSP);
    }
    set(h, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(h, header::X_FRAME_OPTIONS, "DENY");
    set(h, header::REFERRER_POLICY, "same-origin");
    set(
        h,
        HeaderName::from_static("permissions-policy"),
        "camera=(), microphone=(), geolocation=(), payment=()",
    );
    set(
        h,
        HeaderName::from_static("cross-origin-opener-policy"),
        "same-origin",
    );
    // Browsers ignore HSTS received over plain HTTP (RFC 6797 §8.1), so it is always sent:
    // behind a TLS proxy the portal may not know it is served over HTTPS.
    set(
        h,
        header::STRICT_TRANSPORT_SECURITY,
        "max-age=31536000; includeSubDomains",
    );
    // Ignored by current browsers (their XSS auditors are gone); "1; mode=block" is the one
    // value that never filtered selectively, for the old ones still around.
    set(
        h,
        HeaderName::from_static("x-xss-protection"),
        "1; mode=block",
    );
    if super::is_html(h) && !h.contains_key(header::CACHE_CONTROL) {
        // Pages hold personal data: never stored by shared caches or the back button.
        set(h, header::CACHE_CONTROL, "no-store");
    }
    Ok(resp)
}
