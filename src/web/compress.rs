//! Pages (HTML) compressed on the fly with gzip at level 1, when the browser accepts it and
//! says the request was started by the portal's own pages or by the user
//! (`Sec-Fetch-Site: same-origin` or `none`).
//!
//! Why gzip 1 (measured on a 7 KB page, `bench/run` and a micro-benchmark): with its
//! compressor reused per thread it costs about 18 µs and sends 3.2 KB; gzip 3 costs 32 µs for
//! 2.8 KB, brotli quality 1 31 µs for 3.1 KB, quality 4 75 µs for 2.7 KB — and a fresh
//! compressor per page costs 100 µs or more (allocating and clearing its tables). A page
//! costs the server 50 to 150 µs; every page already fits 14 KB once compressed at level 1.
//!
//! Why that condition: BREACH recovers a secret from a compressed page by making the victim's
//! browser send many requests that reflect the attacker's guesses next to the secret, and
//! watching the sizes. Those requests come from the attacker's site: the browser marks them
//! `cross-site` (or `same-site`), and they get the page uncompressed. Browsers too old to send
//! `Sec-Fetch-Site` get it uncompressed as well. `PORTEE_HTML_COMPRESSION=off` turns it off.

use std::cell::RefCell;
use std::sync::Arc;

use flate2::{Compress, Compression, Crc, FlushCompress, Status};
use poem::http::{HeaderMap, HeaderValue, Method, header};
use poem::{Body, Endpoint, IntoResponse, Request, Response};

use crate::state::AppState;

/// Below this size a page goes as it is: compression would save less than a packet.
pub const MIN_BYTES: usize = 1024;
const GZIP_LEVEL: u32 = 1;

/// Does this `Accept-Encoding` accept `coding` (listed, and not with `q=0`)?
pub fn accepts(headers: &HeaderMap, coding: &str) -> bool {
    headers
        .get(header::ACCEPT_ENCODING)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.split(',').any(|e| {
                let mut parts = e.trim().split(';');
                parts.next().map(str::trim) == Some(coding)
                    && !parts.any(|p| {
                        p.trim()
                            .replace(' ', "")
                            .strip_prefix("q=")
                            .and_then(|q| q.parse::<f32>().ok())
                            .is_some_and(|q| q == 0.0)
                    })
            })
        })
}

/// Should this request's page be compressed?
pub fn wants_gzip(req: &Request) -> bool {
    if req.method() == Method::HEAD {
        return false;
    }
    let started_here = req
        .headers()
        .get("sec-fetch-site")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v == "same-origin" || v == "none");
    started_here && accepts(req.headers(), "gzip")
}

thread_local! {
    /// Each thread's compressor, reset between pages: its tables are allocated once.
    static DEFLATE: RefCell<Compress> = RefCell::new(Compress::new(Compression::new(GZIP_LEVEL), false));
}

/// The page in gzip format (RFC 1952): header, raw deflate, CRC-32 and length.
pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len() / 2 + 64);
    // No name, no time, unknown OS.
    out.extend_from_slice(&[0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255]);
    DEFLATE.with(|c| {
        let mut c = c.borrow_mut();
        c.reset();
        loop {
            let read = c.total_in() as usize;
            out.reserve(4096);
            match c.compress_vec(&bytes[read..], &mut out, FlushCompress::Finish) {
                Ok(Status::StreamEnd) => break,
                Ok(_) => continue,
                Err(e) => unreachable!("deflate into memory cannot fail: {e}"),
            }
        }
    });
    let mut crc = Crc::new();
    crc.update(bytes);
    out.extend_from_slice(&crc.sum().to_le_bytes());
    out.extend_from_slice(&(bytes.len() as u32).to_le_bytes());
    out
}

pub async fn middleware<E: Endpoint>(ep: Arc<E>, req: Request) -> poem::Result<Response> {
    let enabled = req
        .data::<Arc<AppState>>()
        .is_some_and(|s| s.settings.html_compression);
    let compress = enabled && wants_gzip(&req);
    let resp = match ep.call(req).await {
        Ok(r) => r.into_response(),
        Err(e) => e.into_response(),
    };
    if !enabled || !super::is_html(resp.headers()) {
        return Ok(resp);
    }
    // A kept page comes compressed already (`web::context`, under the same condition).
    let packed = resp.headers().contains_key(header::CONTENT_ENCODING);
    let (mut parts, body) = resp.into_parts();
    // One Vary header: what the page already varies on (htmx's headers), and this.
    let vary = match parts
        .headers
        .get(header::VARY)
        .and_then(|v| v.to_str().ok())
    {
        Some(v) => format!("{v}, Accept-Encoding, Sec-Fetch-Site"),
        None => "Accept-Encoding, Sec-Fetch-Site".to_owned(),
    };
    if let Ok(v) = HeaderValue::from_str(&vary) {
        parts.headers.insert(header::VARY, v);
    }
    if !compress || packed {
        return Ok(Response::from_parts(parts, body));
    }
    let bytes = body.into_bytes().await?;
    if bytes.len() < MIN_BYTES {
        return Ok(Response::from_parts(parts, Body::from(bytes)));
    }
    let packed = gzip(&bytes);
    parts
        .headers
        .insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
    parts.headers.remove(header::CONTENT_LENGTH);
    Ok(Response::from_parts(parts, Body::from(packed)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(accept: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(
            header::ACCEPT_ENCODING,
            HeaderValue::from_str(accept).unwrap(),
        );
        h
    }

    #[test]
    fn accept_encoding_is_read_with_its_weights() {
        assert!(accepts(&headers("gzip, deflate, br, zstd"), "br"));
        assert!(accepts(&headers("gzip;q=0.5"), "gzip"));
        assert!(!accepts(&headers("br;q=0, gzip"), "br"));
        assert!(!accepts(&headers("br ; q=0.0"), "br"));
        assert!(!accepts(&headers("gzip"), "br"));
        assert!(!accepts(&HeaderMap::new(), "gzip"));
    }

    #[test]
    fn only_requests_started_by_the_portal_or_the_user_are_compressed() {
        let req = |site: Option<&str>, accept: &str| {
            let mut b = Request::builder().header(header::ACCEPT_ENCODING, accept);
            if let Some(s) = site {
                b = b.header("sec-fetch-site", s);
            }
            b.finish()
        };
        assert!(wants_gzip(&req(Some("same-origin"), "gzip, br")));
        assert!(wants_gzip(&req(Some("none"), "gzip")));
        assert!(!wants_gzip(&req(Some("cross-site"), "gzip, br")));
        assert!(!wants_gzip(&req(Some("same-site"), "gzip, br")));
        assert!(!wants_gzip(&req(None, "gzip, br")));
        assert!(!wants_gzip(&req(Some("same-origin"), "br")));
    }

    #[test]
    fn pages_come_back_whole_from_the_reused_compressor() {
        use std::io::Read;
        for page in [
            "<!DOCTYPE html><html lang=\"fr\"><p>Réinscription</p></html>".repeat(40),
            "x".repeat(70_000),
            String::new(),
        ] {
            for _ in 0..2 {
                let gz = gzip(page.as_bytes());
                let mut back = String::new();
                flate2::read::GzDecoder::new(&gz[..])
                    .read_to_string(&mut back)
                    .unwrap();
                assert_eq!(back, page);
            }
        }
        assert!(gzip("abc".repeat(1000).as_bytes()).len() < 100);
    }
}
