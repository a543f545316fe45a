//! Pages (HTML) compressed on the fly, with brotli at a low quality (or gzip), when the
//! browser accepts it and says the request was started by the portal's own pages or by the
//! user (`Sec-Fetch-Site: same-origin` or `none`).
//!
//! Why that condition: BREACH recovers a secret from a compressed page by making the victim's
//! browser send many requests that reflect the attacker's guesses next to the secret, and
//! watching the sizes. Those requests come from the attacker's site: the browser marks them
//! `cross-site` (or `same-site`), and they get the page uncompressed. Browsers too old to send
//! `Sec-Fetch-Site` get it uncompressed as well. `PORTEE_HTML_COMPRESSION=off` turns it off.

use std::io::Write;
use std::sync::Arc;

use flate2::Compression;
use flate2::write::GzEncoder;
use poem::http::{HeaderMap, HeaderValue, Method, header};
use poem::{Body, Endpoint, IntoResponse, Request, Response};

use crate::app::AppState;

/// Below this size a page goes as it is: compression would save less than a packet.
const MIN_BYTES: usize = 1024;
/// brotli quality 4: about as fast as gzip's level 6, and smaller.
const BROTLI_QUALITY: u32 = 4;
const GZIP_LEVEL: u32 = 6;

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

#[derive(Clone, Copy, Debug, PartialEq)]
enum Coding {
    Brotli,
    Gzip,
}

/// The coding to use for this request's page, if any.
fn coding_for(req: &Request) -> Option<Coding> {
    if req.method() == Method::HEAD {
        return None;
    }
    let started_here = req
        .headers()
        .get("sec-fetch-site")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v == "same-origin" || v == "none");
    if !started_here {
        return None;
    }
    if accepts(req.headers(), "br") {
        Some(Coding::Brotli)
    } else if accepts(req.headers(), "gzip") {
        Some(Coding::Gzip)
    } else {
        None
    }
}

fn compress(coding: Coding, bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len() / 3);
    match coding {
        Coding::Brotli => {
            let mut w = brotli::CompressorWriter::new(&mut out, 4096, BROTLI_QUALITY, 20);
            w.write_all(bytes).expect("brotli into memory");
            drop(w);
        }
        Coding::Gzip => {
            let mut enc = GzEncoder::new(&mut out, Compression::new(GZIP_LEVEL));
            enc.write_all(bytes).expect("gzip into memory");
            enc.finish().expect("gzip into memory");
        }
    }
    out
}

pub async fn middleware<E: Endpoint>(ep: Arc<E>, req: Request) -> poem::Result<Response> {
    let enabled = req
        .data::<Arc<AppState>>()
        .is_some_and(|s| s.settings.html_compression);
    let coding = if enabled { coding_for(&req) } else { None };
    let resp = match ep.call(req).await {
        Ok(r) => r.into_response(),
        Err(e) => e.into_response(),
    };
    let is_html = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    if !enabled || !is_html || resp.headers().contains_key(header::CONTENT_ENCODING) {
        return Ok(resp);
    }
    let (mut parts, body) = resp.into_parts();
    parts.headers.append(
        header::VARY,
        HeaderValue::from_static("Accept-Encoding, Sec-Fetch-Site"),
    );
    let Some(coding) = coding else {
        return Ok(Response::from_parts(parts, body));
    };
    let bytes = body.into_bytes().await?;
    if bytes.len() < MIN_BYTES {
        return Ok(Response::from_parts(parts, Body::from(bytes)));
    }
    let packed = compress(coding, &bytes);
    parts.headers.insert(
        header::CONTENT_ENCODING,
        HeaderValue::from_static(match coding {
            Coding::Brotli => "br",
            Coding::Gzip => "gzip",
        }),
    );
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
        assert_eq!(
            coding_for(&req(Some("same-origin"), "gzip, br")),
            Some(Coding::Brotli)
        );
        assert_eq!(coding_for(&req(Some("none"), "gzip")), Some(Coding::Gzip));
        assert_eq!(coding_for(&req(Some("cross-site"), "gzip, br")), None);
        assert_eq!(coding_for(&req(Some("same-site"), "gzip, br")), None);
        assert_eq!(coding_for(&req(None, "gzip, br")), None);
        assert_eq!(coding_for(&req(Some("same-origin"), "identity")), None);
    }

    #[test]
    fn both_codings_give_back_the_page() {
        let page = "<!DOCTYPE html><html lang=\"fr\"><p>Réinscription</p></html>".repeat(40);
        let br = compress(Coding::Brotli, page.as_bytes());
        let mut back = Vec::new();
        brotli::BrotliDecompress(&mut &br[..], &mut back).unwrap();
        assert_eq!(back, page.as_bytes());
        assert!(br.len() < page.len() / 10);
        let gz = compress(Coding::Gzip, page.as_bytes());
        let mut back = String::new();
        std::io::Read::read_to_string(&mut flate2::read::GzDecoder::new(&gz[..]), &mut back)
            .unwrap();
        assert_eq!(back, page);
    }
}
