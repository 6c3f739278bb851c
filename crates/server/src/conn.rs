//! Connections: accepting them within caps, and closing the ones that stall.
//!
//! The server runs its own accept loop over hyper's HTTP/1 connection (rather than
//! `axum::serve`) so that a slow or hostile client costs a bounded amount:
//!
//! * **Caps.** At most [`ConnLimits::max_connections`] connections are served at
//!   once, and at most [`ConnLimits::max_per_address`] from one client address (an
//!   IPv6 client counts per /64, like the sign-in limits; a trusted proxy has no
//!   per-address cap, only the overall one). A connection over a cap is answered
//!   at once with `503` JSON (`too_many_connections`) and closed.
//! * **Timeouts.** A request head must arrive within
//!   [`ConnLimits::header_read_timeout`] of its first byte (of the connection's
//!   start, for the first request); a kept-alive connection with no request in
//!   flight is closed after [`ConnLimits::idle_timeout`]; and a response that the
//!   client stops reading is dropped once no byte could be written for
//!   `idle_timeout`. A request being handled is not timed here (the router's
//!   [`crate::Limits::request_timeout`] does that).
//! * **Memory.** A connection buffers at most [`ConnLimits::max_header_bytes`]
//!   of request head; a longer head is refused (`431`).
//! * **Errors as JSON.** The few answers hyper writes itself, for a request it
//!   could not parse (`400`, `414`, `431`), are replaced by the same JSON error
//!   body every other error has ([`json_error_bytes`]).

use std::collections::HashMap;
use std::future::Future;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode};
use futures_util::task::AtomicWaker;
use http_body_util::BodyExt;
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;
use tokio::time::{Instant, Sleep};
use tower::ServiceExt;

use crate::auth::limit::ClientKey;
use crate::auth::proxy::TrustedProxies;

/// Bounds on connections (see the module documentation).
#[derive(Debug, Clone)]
pub struct ConnLimits {
    /// Longest time from a request head's first byte (or the connection's start)
    /// to its end.
    pub header_read_timeout: Duration,
    /// Longest time a connection may wait with no request in flight, or a response
    /// may wait for the client to read.
    pub idle_timeout: Duration,
    /// Connections served at once.
    pub max_connections: usize,
    /// Connections served at once from one client address.
    pub max_per_address: usize,
    /// Largest request head (request line and headers), in bytes (at least 8192).
    pub max_header_bytes: usize,
}

impl Default for ConnLimits {
    fn default() -> Self {
        ConnLimits {
            header_read_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(60),
            max_connections: 4096,
            max_per_address: 256,
            max_header_bytes: 64 * 1024,
        }
    }
}

/// hyper's smallest allowed read buffer.
const MIN_HEADER_BYTES: usize = 8192;

/// Requests handed to the application and responses finished, per connection:
/// equal when the connection is between requests.
#[derive(Default)]
struct Activity {
    started: AtomicU64,
    finished: AtomicU64,
    /// The connection's reader, waiting while a request was in flight: woken when
    /// it finishes, so that the idle deadline starts.
    reader: AtomicWaker,
}

impl Activity {
    fn idle(&self) -> bool {
        self.finished.load(Ordering::Acquire) >= self.started.load(Ordering::Acquire)
    }
}

/// Counts a request finished when dropped (with its response body).
struct Finished(Arc<Activity>);

impl Drop for Finished {
    fn drop(&mut self) {
        self.0.finished.fetch_add(1, Ordering::AcqRel);
        self.0.reader.wake();
    }
}

/// Open connections per client address.
#[derive(Default)]
struct PerAddress(Mutex<HashMap<ClientKey, usize>>);

struct AddressSlot {
    table: Arc<PerAddress>,
    key: Option<ClientKey>,
}

impl PerAddress {
    /// A slot for `key`, unless it already holds `max`.
    fn take(self: &Arc<Self>, key: Option<ClientKey>, max: usize) -> Option<AddressSlot> {
        if let Some(k) = &key {
            let mut t = self.0.lock().unwrap_or_else(PoisonError::into_inner);
            let n = t.entry(k.clone()).or_insert(0);
            if *n >= max {
                return None;
            }
            *n += 1;
        }
        Some(AddressSlot {
            table: self.clone(),
            key,
        })
    }
}

impl Drop for AddressSlot {
    fn drop(&mut self) {
        if let Some(k) = &self.key {
            let mut t = self.table.0.lock().unwrap_or_else(PoisonError::into_inner);
            if let Some(n) = t.get_mut(k) {
                *n -= 1;
                if *n == 0 {
                    t.remove(k);
                }
            }
        }
    }
}

/// The bytes of a complete HTTP/1.1 answer with `status` and the JSON error body
/// `{"error": {"code", "message"}}`, closing the connection.
pub fn json_error_bytes(status: StatusCode, code: &str, message: &str) -> Vec<u8> {
    let body = serde_json::json!({"error": {"code": code, "message": message}}).to_string();
    format!(
        "HTTP/1.1 {} {}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\nx-content-type-options: nosniff\r\n\r\n{body}",
        status.as_u16(),
        status.canonical_reason().unwrap_or(""),
        body.len()
    )
    .into_bytes()
}

/// The JSON answer replacing hyper's own answer `head` to a request it could not
/// parse, if `head` is one: a lone head (`HTTP/1.1 400|414|431`, an empty body).
fn replace_parse_error(head: &[u8]) -> Option<Vec<u8>> {
    if head.len() > 512 || !head.starts_with(b"HTTP/1.1 ") || !head.ends_with(b"\r\n\r\n") {
        return None;
    }
    let text = std::str::from_utf8(head).ok()?;
    // Exactly one head, announcing no body.
    if text.matches("\r\n\r\n").count() != 1 || !text.contains("\r\ncontent-length: 0\r\n") {
        return None;
    }
    let (code, message) = match text.get(9..12)? {
        "400" => ("bad_request", "the request could not be parsed as HTTP/1.1"),
        "414" => ("uri_too_long", "the request's address is too long"),
        "431" => (
            "headers_too_large",
            "the request's headers are too large or too many",
        ),
        _ => return None,
    };
    let status = StatusCode::from_bytes(text.get(9..12)?.as_bytes()).ok()?;
    Some(json_error_bytes(status, code, message))
}

/// A TCP stream with the connection's deadlines, and hyper's parse-error answers
/// rewritten as JSON.
struct Guarded {
    stream: TcpStream,
    activity: Arc<Activity>,
    limits: ConnLimits,
    /// When the current wait for a request head runs out.
    read_deadline: Instant,
    /// Whether bytes of the awaited request head arrived.
    head_started: bool,
    /// Whether the connection was between requests at the last read.
    was_idle: bool,
    read_sleep: Pin<Box<Sleep>>,
    /// When the current stalled write gives up (`None`: not stalled).
    write_deadline: Option<Instant>,
    write_sleep: Pin<Box<Sleep>>,
    /// A JSON answer being written in place of hyper's own, and how much of it is out.
    replacement: Option<(Vec<u8>, usize)>,
}

impl Guarded {
    fn new(stream: TcpStream, activity: Arc<Activity>, limits: ConnLimits) -> Guarded {
        let deadline = Instant::now() + limits.header_read_timeout;
        Guarded {
            stream,
            activity,
            read_deadline: deadline,
            head_started: false,
            was_idle: true,
            read_sleep: Box::pin(tokio::time::sleep_until(deadline)),
            write_deadline: None,
            write_sleep: Box::pin(tokio::time::sleep_until(deadline)),
            limits,
            replacement: None,
        }
    }
}

fn timed_out(what: &str) -> io::Error {
    io::Error::new(io::ErrorKind::TimedOut, what.to_string())
}

impl AsyncRead for Guarded {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let idle = this.activity.idle();
        if !idle {
            // A request is being handled (or its body read): not timed here.
            this.was_idle = false;
            this.activity.reader.register(cx.waker());
            if this.activity.idle() {
                // Finished meanwhile: start over, timed.
                return Pin::new(this).poll_read(cx, buf);
            }
            return Pin::new(&mut this.stream).poll_read(cx, buf);
        }
        if !this.was_idle {
            // The last response is done: the connection is kept alive, idle.
            this.was_idle = true;
            this.head_started = false;
            this.read_deadline = Instant::now() + this.limits.idle_timeout;
        }
        let before = buf.filled().len();
        match Pin::new(&mut this.stream).poll_read(cx, buf) {
            Poll::Ready(Ok(())) => {
                if buf.filled().len() > before && !this.head_started {
                    this.head_started = true;
                    this.read_deadline = Instant::now() + this.limits.header_read_timeout;
                }
                Poll::Ready(Ok(()))
            }
            Poll::Ready(Err(e)) => Poll::Ready(Err(e)),
            Poll::Pending => {
                if this.read_sleep.deadline() != this.read_deadline {
                    this.read_sleep.as_mut().reset(this.read_deadline);
                }
                match this.read_sleep.as_mut().poll(cx) {
                    Poll::Ready(()) => Poll::Ready(Err(timed_out(if this.head_started {
                        "request head not received in time"
                    } else {
                        "idle connection"
                    }))),
                    Poll::Pending => Poll::Pending,
                }
            }
        }
    }
}

impl Guarded {
    /// Writes `buf`, giving up when no byte could be written for the idle timeout.
    fn write_timed(&mut self, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        match Pin::new(&mut self.stream).poll_write(cx, buf) {
            Poll::Pending => {
                let deadline = *self
                    .write_deadline
                    .get_or_insert_with(|| Instant::now() + self.limits.idle_timeout);
                if self.write_sleep.deadline() != deadline {
                    self.write_sleep.as_mut().reset(deadline);
                }
                match self.write_sleep.as_mut().poll(cx) {
                    Poll::Ready(()) => Poll::Ready(Err(timed_out("the client stopped reading"))),
                    Poll::Pending => Poll::Pending,
                }
            }
            other => {
                self.write_deadline = None;
                other
            }
        }
    }
}

impl AsyncWrite for Guarded {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        if this.replacement.is_none() && this.activity.idle() {
            // Between requests only hyper itself answers: a parse error.
            if let Some(json) = replace_parse_error(buf) {
                this.replacement = Some((json, 0));
            }
        }
        if let Some((json, mut done)) = this.replacement.take() {
            while done < json.len() {
                match this.write_timed(cx, &json[done..]) {
                    Poll::Ready(Ok(0)) => return Poll::Ready(Err(io::ErrorKind::WriteZero.into())),
                    Poll::Ready(Ok(n)) => done += n,
                    Poll::Ready(Err(e)) => return Poll::Ready(Err(e)),
                    Poll::Pending => {
                        this.replacement = Some((json, done));
                        return Poll::Pending;
                    }
                }
            }
            // hyper's head counts as written; what went out is ours.
            return Poll::Ready(Ok(buf.len()));
        }
        this.write_timed(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().stream).poll_shutdown(cx)
    }
}

/// Serves `app` on `listener` within `limits` until `shutdown` resolves; then
/// stops accepting, asks every connection to finish its request in flight and
/// close, and returns once all are closed. `trusted` are the proxies whose
/// connections have no per-address cap.
pub async fn serve(
    listener: TcpListener,
    app: axum::Router,
    limits: ConnLimits,
    trusted: TrustedProxies,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> io::Result<()> {
    let max = limits.max_connections.clamp(1, Semaphore::MAX_PERMITS);
    let slots = Arc::new(Semaphore::new(max));
    let per_address = Arc::new(PerAddress::default());
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    tokio::pin!(shutdown);
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        // Our own deadlines (above) replace hyper's single header timer.
        .header_read_timeout(None)
        .max_buf_size(limits.max_header_bytes.max(MIN_HEADER_BYTES))
        .keep_alive(true);
    let builder = Arc::new(builder);
    loop {
        let (stream, peer) = tokio::select! {
            _ = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    // Out of file descriptors and the like: wait a little rather
                    // than spin; the connections in flight go on.
                    tracing::warn!(error = %e, "cannot accept a connection");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        let Ok(slot) = slots.clone().try_acquire_owned() else {
            refuse(stream, "the server has too many connections; retry shortly");
            continue;
        };
        let key = (!trusted.contains(peer.ip())).then(|| ClientKey::of(Some(peer.ip())));
        let Some(addr_slot) = per_address.take(key, limits.max_per_address.max(1)) else {
            refuse(
                stream,
                "too many connections from this address; retry shortly",
            );
            continue;
        };
        let _ = stream.set_nodelay(true);
        let activity = Arc::new(Activity::default());
        let io = TokioIo::new(Guarded::new(stream, activity.clone(), limits.clone()));
        let app = app.clone();
        let service = hyper::service::service_fn(move |mut req: Request<Incoming>| {
            activity.started.fetch_add(1, Ordering::AcqRel);
            let done = Finished(activity.clone());
            req.extensions_mut().insert(ConnectInfo(peer));
            let app = app.clone();
            async move {
                let resp = app.oneshot(req.map(Body::new)).await?;
                // The request counts as finished once its body is sent (or dropped).
                Ok::<_, std::convert::Infallible>(resp.map(|b| {
                    Body::new(b.map_frame(move |f| {
                        let _ = &done;
                        f
                    }))
                }))
            }
        });
        let builder = builder.clone();
        let mut stop = stop_rx.clone();
        tokio::spawn(async move {
            let _slot = slot;
            let _addr_slot = addr_slot;
            let conn = builder.serve_connection(io, service);
            tokio::pin!(conn);
            tokio::select! {
                r = conn.as_mut() => {
                    if let Err(e) = r { tracing::debug!(error = %e, "connection ended"); }
                    return;
                }
                _ = stop.wait_for(|s| *s) => conn.as_mut().graceful_shutdown(),
            }
            if let Err(e) = conn.await {
                tracing::debug!(error = %e, "connection ended");
            }
        });
    }
    drop(listener);
    let _ = stop_tx.send(true);
    // Every connection holds a slot: all slots back means all are closed.
    let _ = slots.acquire_many(max as u32).await;
    Ok(())
}

/// Answers a connection over a cap with `503` JSON and closes it, without waiting
/// for the client (what does not fit in the socket's buffer now is dropped).
fn refuse(stream: TcpStream, why: &str) {
    let _ = stream.try_write(&json_error_bytes(
        StatusCode::SERVICE_UNAVAILABLE,
        "too_many_connections",
        why,
    ));
    tracing::warn!("connection refused: {why}");
}

/// The client address of a connection: its peer, as given to handlers in
/// [`ConnectInfo`].
pub fn peer_ip(req: &axum::extract::Request) -> Option<IpAddr> {
    req.extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_error_heads_become_json() {
        let head = b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-length: 0\r\ndate: Sun, 06 Dec 2026 09:00:00 GMT\r\n\r\n";
        let out = String::from_utf8(replace_parse_error(head).unwrap()).unwrap();
        assert!(out.starts_with("HTTP/1.1 431 "), "{out}");
        assert!(out.contains("content-type: application/json"), "{out}");
        assert!(out.ends_with(r#""code":"headers_too_large","message":"the request's headers are too large or too many"}}"#) || out.contains("headers_too_large"), "{out}");
        // A response of the application (a body follows, or another status) is left alone.
        assert!(replace_parse_error(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\n\r\n").is_none());
        assert!(
            replace_parse_error(b"HTTP/1.1 400 Bad Request\r\ncontent-length: 2\r\n\r\n{}")
                .is_none()
        );
        assert!(replace_parse_error(b"HTTP/1.1 431 x\r\ncontent-length: 0\r\n\r\nHTTP/1.1 431 x\r\ncontent-length: 0\r\n\r\n").is_none());
    }
}
