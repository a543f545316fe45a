//! Bounds on connections, below HTTP: how many are served at once, and how long a client
//! may take to send a request's head. Idle keep-alive connections are closed by poem's
//! idle timeout and slow requests by `request_timeout` (both set in `app.rs`).
//!
//! The head timer starts when a connection opens (a connection that sends nothing is
//! closed) and, on a kept-alive connection, at the first byte of each next request; the
//! head must be complete (`\r\n\r\n`) before it runs out, however slowly its bytes drip.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use poem::http::StatusCode;
use poem::listener::Acceptor;
use poem::web::{LocalAddr, RemoteAddr};
use poem::{Endpoint, IntoResponse, Request, Response};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::time::{Instant, Sleep};

/// An acceptor that serves at most `permits` connections at once (the next ones wait in
/// the listening socket's queue) and puts the head timer on each.
pub struct Bounded<A> {
    inner: A,
    permits: Arc<Semaphore>,
    head_timeout: Duration,
}

impl<A> Bounded<A> {
    pub fn new(inner: A, max_connections: usize, head_timeout: Duration) -> Self {
        Bounded {
            inner,
            permits: Arc::new(Semaphore::new(max_connections.max(1))),
            head_timeout,
        }
    }
}

impl<A: Acceptor> Acceptor for Bounded<A> {
    type Io = Timed<A::Io>;

    fn local_addr(&self) -> Vec<LocalAddr> {
        self.inner.local_addr()
    }

    async fn accept(
        &mut self,
    ) -> io::Result<(Self::Io, LocalAddr, RemoteAddr, poem::http::uri::Scheme)> {
        let permit = self
            .permits
            .clone()
            .acquire_owned()
            .await
            .map_err(io::Error::other)?;
        let (io, local, remote, scheme) = self.inner.accept().await?;
        Ok((
            Timed::new(io, permit, self.head_timeout),
            local,
            remote,
            scheme,
        ))
    }
}

/// A connection with its head timer.
pub struct Timed<T> {
    inner: T,
    _permit: OwnedSemaphorePermit,
    timeout: Duration,
    /// Waiting for a request's head: the deadline, once started.
    deadline: Option<Pin<Box<Sleep>>>,
    waiting_head: bool,
    /// The last bytes read, to find the end of a head split across reads.
    recent: [u8; 3],
    /// HTTP/2 (prior knowledge): frames, not heads; the idle timeout applies alone.
    http2: bool,
    first: bool,
}

impl<T> Timed<T> {
    fn new(inner: T, permit: OwnedSemaphorePermit, timeout: Duration) -> Self {
        Timed {
            inner,
            _permit: permit,
            timeout,
            deadline: Some(Box::pin(tokio::time::sleep(timeout))),
            waiting_head: true,
            recent: [0; 3],
            http2: false,
            first: true,
        }
    }

    fn saw(&mut self, bytes: &[u8]) {
        if bytes.is_empty() {
            return;
        }
        if self.first {
            self.first = false;
            if bytes.starts_with(b"PRI * HTTP/2") {
                self.http2 = true;
                self.waiting_head = false;
                self.deadline = None;
                return;
            }
        }
        if self.http2 || !self.waiting_head {
            return;
        }
        if self.deadline.is_none() {
            self.deadline = Some(Box::pin(tokio::time::sleep(self.timeout)));
        }
        // The end of a head (`\r\n\r\n`, or `\n\n` which parsers accept too), maybe
        // split between this read and the previous one.
        let mut joint = [0u8; 6];
        joint[..3].copy_from_slice(&self.recent);
        let k = bytes.len().min(3);
        joint[3..3 + k].copy_from_slice(&bytes[..k]);
        let ends =
            |b: &[u8]| b.windows(4).any(|w| w == b"\r\n\r\n") || b.windows(2).any(|w| w == b"\n\n");
        if ends(&joint[..3 + k]) || ends(bytes) {
            self.waiting_head = false;
            self.deadline = None;
        }
        let mut last = [0u8; 6];
        last[..3].copy_from_slice(&self.recent);
        last[3..3 + k].copy_from_slice(&bytes[bytes.len() - k..]);
        self.recent.copy_from_slice(&last[k..k + 3]);
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for Timed<T> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        match Pin::new(&mut self.inner).poll_read(cx, buf) {
            Poll::Ready(Ok(())) => {
                self.saw(&buf.filled()[before..]);
                Poll::Ready(Ok(()))
            }
            Poll::Ready(Err(e)) => Poll::Ready(Err(e)),
            Poll::Pending => {
                if self.waiting_head
                    && let Some(d) = self.deadline.as_mut()
                    && d.as_mut().poll(cx).is_ready()
                {
                    return Poll::Ready(Err(io::Error::new(
                        io::ErrorKind::TimedOut,
                        "request head not received in time",
                    )));
                }
                Poll::Pending
            }
        }
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for Timed<T> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        data: &[u8],
    ) -> Poll<io::Result<usize>> {
        // A response is being written: the next request's head will be timed from its
        // first byte.
        if !self.http2 && !self.waiting_head {
            self.waiting_head = true;
            self.deadline = None;
            self.recent = [0; 3];
        }
        Pin::new(&mut self.inner).poll_write(cx, data)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        if !self.http2 && !self.waiting_head {
            self.waiting_head = true;
            self.deadline = None;
            self.recent = [0; 3];
        }
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
}

/// The longest a request may take, body included (set in `app.rs`).
#[derive(Clone, Copy)]
pub struct RequestTimeout(pub Duration);

/// Answers 408 (and closes) when a request takes longer than `RequestTimeout`: a body
/// dripping a byte at a time, a client that stopped sending.
pub async fn request_timeout<E: Endpoint>(ep: Arc<E>, req: Request) -> poem::Result<Response> {
    let limit = req
        .data::<RequestTimeout>()
        .map(|t| t.0)
        .unwrap_or(Duration::from_secs(120));
    let started = Instant::now();
    match tokio::time::timeout(limit, ep.call(req)).await {
        Ok(r) => Ok(r?.into_response()),
        Err(_) => {
            tracing::warn!(
                seconds = started.elapsed().as_secs(),
                "request took too long: answered 408"
            );
            let mut resp = super::layout::error_page_bare(StatusCode::REQUEST_TIMEOUT);
            resp.headers_mut().insert(
                poem::http::header::CONNECTION,
                poem::http::HeaderValue::from_static("close"),
            );
            Ok(resp)
        }
    }
}
