//! Request logging that never writes a secret: query strings (reset links carry their
//! token there) are left out, and calendar tokens in paths are masked.

use std::sync::Arc;
use std::time::Instant;

use poem::{Endpoint, IntoResponse, Request, Response};

/// The path as logged.
pub fn redact(path: &str) -> String {
    if path.starts_with("/calendrier/") {
        "/calendrier/[jeton]".to_owned()
    } else {
        path.to_owned()
    }
}

pub async fn middleware<E: Endpoint>(ep: Arc<E>, req: Request) -> poem::Result<Response> {
    let started = Instant::now();
    let method = req.method().clone();
    let path = redact(req.uri().path());
    let remote = req
        .remote_addr()
        .as_socket_addr()
        .map(|a| a.ip().to_string())
        .unwrap_or_default();
    let resp = match ep.call(req).await {
        Ok(r) => r.into_response(),
        Err(e) => e.into_response(),
    };
    tracing::info!(
        %method,
        path,
        remote,
        status = resp.status().as_u16(),
        ms = started.elapsed().as_millis() as u64,
        "request"
    );
    Ok(resp)
}

#[cfg(test)]
mod tests {
    #[test]
    fn calendar_tokens_are_masked() {
        assert_eq!(super::redact("/calendrier/abc.ics"), "/calendrier/[jeton]");
        assert_eq!(super::redact("/reinitialisation"), "/reinitialisation");
    }
}
