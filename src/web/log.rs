//! Request logging that never writes a secret: query strings (reset links carry their
//! token there) are left out, and the tokens in paths (calendar and news feeds, a pre-enrolment's follow-up) are masked.

use std::sync::Arc;
use std::time::Instant;

use poem::http::HeaderValue;
use poem::{Endpoint, IntoResponse, Request, Response};
use tracing::Instrument;

/// The path as logged.
pub fn redact(path: &str) -> String {
    if path.starts_with("/calendrier/") {
        "/calendrier/[jeton]".to_owned()
    } else if path.starts_with("/actualites/flux/") {
        "/actualites/flux/[jeton]".to_owned()
    } else if path.starts_with("/preinscription/suivi/") {
        "/preinscription/suivi/[jeton]".to_owned()
    } else {
        path.to_owned()
    }
}

/// Logs each request inside a span carrying a fresh request id (also sent back in
/// `X-Request-Id`), its method and path, so every line a request writes can be traced to it.
pub async fn middleware<E: Endpoint>(ep: Arc<E>, req: Request) -> poem::Result<Response> {
    let started = Instant::now();
    let method = req.method().clone();
    let path = redact(req.uri().path());
    let trusted = req
        .data::<Arc<crate::state::AppState>>()
        .map(|s| s.settings.trusted_proxies.clone())
        .unwrap_or_default();
    let remote = super::client_ip(&req, &trusted)
        .map(|a| a.to_string())
        .unwrap_or_default();
    let request_id = format!("{:016x}", rand::random::<u64>());
    // The span carries what was being asked, so an error logged deep inside says it too.
    let span = tracing::info_span!("request", request_id = %request_id, %method, path = %path);
    let mut resp = async {
        let resp = match ep.call(req).await {
            Ok(r) => r.into_response(),
            Err(e) => e.into_response(),
        };
        tracing::info!(
            remote,
            status = resp.status().as_u16(),
            ms = started.elapsed().as_millis() as u64,
            "request"
        );
        resp
    }
    .instrument(span)
    .await;
    if let Ok(v) = HeaderValue::from_str(&request_id) {
        resp.headers_mut().insert("x-request-id", v);
    }
    Ok(resp)
}

#[cfg(test)]
mod tests {
    #[test]
    fn calendar_tokens_are_masked() {
        assert_eq!(super::redact("/calendrier/abc.ics"), "/calendrier/[jeton]");
        assert_eq!(
            super::redact("/preinscription/suivi/abc"),
            "/preinscription/suivi/[jeton]"
        );
        assert_eq!(
            super::redact("/actualites/flux/abc.atom"),
            "/actualites/flux/[jeton]"
        );
        assert_eq!(super::redact("/reinitialisation"), "/reinitialisation");
    }
}
