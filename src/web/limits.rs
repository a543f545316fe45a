//! Every request body is bounded: an upload (multipart) to `MULTIPART_BYTES`, anything
//! else to `FORM_BYTES`. A body that says it is larger is refused before a byte of it is
//! read; one that grows larger while it is read (chunked) is cut there. Both get the 413
//! page. Inside an upload, each field has its own bound (`features::reenrolment`).

use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::task::{Context, Poll};

use bytes::Bytes;
use futures_util::Stream;
use poem::http::{StatusCode, header};
use poem::{Body, Endpoint, IntoResponse, Request, Response};

use super::{Ctx, layout};

/// The largest form (and any other non-upload body): 64 KB, far above any form of the
/// portal (the largest, the family record, is under 4 KB).
pub const FORM_BYTES: usize = 64 * 1024;
/// The largest upload body: the 2 Mo document, counted up to 20 Mo so the refusal can
/// say how large it was, and the form's few fields.
pub const MULTIPART_BYTES: usize = 20 * 1024 * 1024 + 64 * 1024;

type BodyStream = Pin<Box<dyn Stream<Item = Result<Bytes, std::io::Error>> + Send>>;

/// A body stream that fails once it has given more than `left` bytes.
struct Bounded {
    inner: BodyStream,
    left: usize,
    exceeded: Arc<AtomicBool>,
}

impl Stream for Bounded {
    type Item = Result<Bytes, std::io::Error>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        match self.inner.as_mut().poll_next(cx) {
            Poll::Ready(Some(Ok(chunk))) => {
                if chunk.len() > self.left {
                    self.exceeded.store(true, Ordering::Relaxed);
                    self.left = 0;
                    return Poll::Ready(Some(Err(std::io::Error::other("request body too large"))));
                }
                self.left -= chunk.len();
                Poll::Ready(Some(Ok(chunk)))
            }
            other => other,
        }
    }
}

fn too_large(ctx: Option<&Ctx>) -> Response {
    match ctx {
        Some(ctx) => layout::error_page(ctx, StatusCode::PAYLOAD_TOO_LARGE)
            .with_status(StatusCode::PAYLOAD_TOO_LARGE)
            .into_response(),
        None => layout::error_page_bare(StatusCode::PAYLOAD_TOO_LARGE),
    }
}

/// The bound of a request's body, from its content type.
pub fn bound(req: &Request) -> usize {
    let multipart = req
        .content_type()
        .is_some_and(|ct| ct.starts_with("multipart/form-data"));
    if multipart {
        MULTIPART_BYTES
    } else {
        FORM_BYTES
    }
}

/// Does the request say its body is over its bound? (Checked before anything else reads
/// it, the CSRF check included.)
pub fn declared_too_large(req: &Request) -> bool {
    req.headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
        .is_some_and(|n| n > bound(req) as u64)
}

/// The 413 page; the rest of the body is not read, so the connection closes after it.
pub fn refuse(ctx: Option<&Ctx>) -> Response {
    tracing::warn!("request body over its bound refused");
    let mut resp = too_large(ctx);
    resp.headers_mut().insert(
        header::CONNECTION,
        header::HeaderValue::from_static("close"),
    );
    resp
}

pub async fn middleware<E: Endpoint>(ep: Arc<E>, mut req: Request) -> poem::Result<Response> {
    let limit = bound(&req);
    if declared_too_large(&req) {
        return Ok(refuse(req.data::<Ctx>()));
    }
    let exceeded = Arc::new(AtomicBool::new(false));
    let ctx = req.data::<Ctx>().cloned();
    let body = req.take_body();
    req.set_body(Body::from_bytes_stream(Bounded {
        inner: Box::pin(body.into_bytes_stream()),
        left: limit,
        exceeded: exceeded.clone(),
    }));
    let resp = match ep.call(req).await {
        Ok(r) => r.into_response(),
        Err(e) => e.into_response(),
    };
    if exceeded.load(Ordering::Relaxed) {
        return Ok(refuse(ctx.as_ref()));
    }
    Ok(resp)
}
