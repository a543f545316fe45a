//! Static assets, embedded in the binary and served under content-hashed URLs with
//! immutable cache headers (a repeat visit loads none of them again), gzip-compressed once
//! at first use for browsers that accept it (htmx: 52 KB → 17 KB).

use std::sync::OnceLock;

use std::io::Write;

use flate2::Compression;
use flate2::write::GzEncoder;
use poem::http::{StatusCode, header};
use poem::web::Path;
use poem::{IntoResponse, Request, Response, handler};
use sha2::{Digest, Sha256};

struct Asset {
    name: &'static str,
    content_type: &'static str,
    bytes: &'static [u8],
}

const ASSETS: &[Asset] = &[
    Asset {
        name: "portee.css",
        content_type: "text/css; charset=utf-8",
        bytes: include_bytes!("../../static/css/portee.css"),
    },
    Asset {
        name: "portee.js",
        content_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../../static/js/portee.js"),
    },
    Asset {
        // htmx 2.0.11 (npm `htmx.org`), 0BSD licence: see static/README.md.
        name: "htmx.min.js",
        content_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../../static/js/htmx-2.0.11.min.js"),
    },
    Asset {
        name: "favicon.svg",
        content_type: "image/svg+xml",
        bytes: include_bytes!("../../static/favicon.svg"),
    },
];

/// Each asset's short content hash, computed once.
fn versions() -> &'static Vec<String> {
    static V: OnceLock<Vec<String>> = OnceLock::new();
    V.get_or_init(|| {
        ASSETS
            .iter()
            .map(|a| {
                Sha256::digest(a.bytes)[..6]
                    .iter()
                    .map(|b| format!("{b:02x}"))
                    .collect()
            })
            .collect()
    })
}

/// Each asset gzipped at the best level, once (computed at first use).
fn gzipped() -> &'static Vec<Vec<u8>> {
    static G: OnceLock<Vec<Vec<u8>>> = OnceLock::new();
    G.get_or_init(|| {
        ASSETS
            .iter()
            .map(|a| {
                let mut enc = GzEncoder::new(Vec::new(), Compression::best());
                enc.write_all(a.bytes).expect("gzip into memory");
                enc.finish().expect("gzip into memory")
            })
            .collect()
    })
}

/// Each asset compressed with brotli at the best quality, once.
fn brotlied() -> &'static Vec<Vec<u8>> {
    static B: OnceLock<Vec<Vec<u8>>> = OnceLock::new();
    B.get_or_init(|| {
        ASSETS
            .iter()
            .map(|a| {
                let mut out = Vec::new();
                {
                    let mut w = brotli::CompressorWriter::new(&mut out, 4096, 11, 22);
                    w.write_all(a.bytes).expect("brotli into memory");
                }
                out
            })
            .collect()
    })
}

/// The URL of an asset, e.g. `/static/3fa2c1d09e4b/portee.css`.
pub fn url(name: &str) -> String {
    let i = ASSETS
        .iter()
        .position(|a| a.name == name)
        .unwrap_or_else(|| panic!("unknown asset {name}"));
    format!("/static/{}/{}", versions()[i], name)
}

#[handler]
pub fn serve(req: &Request, Path((version, name)): Path<(String, String)>) -> Response {
    let Some(i) = ASSETS.iter().position(|a| a.name == name) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let asset = &ASSETS[i];
    // An old version asked by a cached page gets today's file, but not for ever.
    let cache = if versions()[i] == version {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    let accepts = |coding: &str| super::compress::accepts(req.headers(), coding);
    let builder = Response::builder()
        .header(header::CONTENT_TYPE, asset.content_type)
        .header(header::CACHE_CONTROL, cache)
        .header(header::VARY, "Accept-Encoding");
    if accepts("br") {
        builder
            .header(header::CONTENT_ENCODING, "br")
            .body(brotlied()[i].clone())
    } else if accepts("gzip") {
        builder
            .header(header::CONTENT_ENCODING, "gzip")
            .body(gzipped()[i].clone())
    } else {
        builder.body(asset.bytes)
    }
}
