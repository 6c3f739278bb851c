//! The server's log: [`tracing`] events written by a background thread, so that a
//! log sink that stalls (a full pipe nobody reads, a hung terminal) costs log
//! lines, never requests.
//!
//! [`init`] installs a subscriber writing through `tracing-appender`'s
//! non-blocking writer in lossy mode: request threads hand lines to a bounded
//! queue ([`BUFFERED_LINES`]) and a worker thread writes them out; when the queue
//! is full, new lines are dropped. It also replaces the panic hook, which would
//! otherwise write a panic's message to standard error from the panicking worker
//! itself (and block it on a full pipe): a panic becomes an `error` event, and a
//! panic in a handler a `500` ([`crate::router`] catches it).
//!
//! Each answered request is one `info` event with its method, route template
//! (`/api/cables/{id}`, never the path or query), status, latency, the user's name
//! (or `-`) and the client's address. Tokens, cookies and query text are never
//! logged.

use std::io::Write;

use tracing_appender::non_blocking::{NonBlockingBuilder, WorkerGuard};

/// Lines queued for the writer thread before new ones are dropped.
pub const BUFFERED_LINES: usize = 16_384;

/// Keeps the log's writer thread alive; dropping it flushes what is queued (for
/// at most about a second) and stops the thread.
#[must_use = "the log stops when the guard is dropped"]
pub struct LogGuard(#[allow(dead_code)] WorkerGuard);

/// Who made a request, noted by the authentication layer in the response for the
/// request log.
#[derive(Debug, Clone)]
pub struct RequestIdentity {
    /// The signed-in user's name, if any.
    pub user: Option<String>,
    /// The client's address (IPv6 by /64), as counted by the sign-in limits.
    pub client: String,
}

/// Logs to `writer` from a background thread (see the module documentation), at
/// `info` level, and routes panics to the log. Returns `None` when a global
/// subscriber was already installed (then nothing changes).
pub fn init<W: Write + Send + 'static>(writer: W) -> Option<LogGuard> {
    init_with(writer, BUFFERED_LINES)
}

/// [`init`] with a queue of `lines` lines.
pub fn init_with<W: Write + Send + 'static>(writer: W, lines: usize) -> Option<LogGuard> {
    let (nb, guard) = NonBlockingBuilder::default()
        .lossy(true)
        .buffered_lines_limit(lines.max(1))
        .thread_name("cablescope-log")
        .finish(writer);
    tracing_subscriber::fmt()
        .with_writer(nb)
        .with_max_level(tracing::Level::INFO)
        .with_target(false)
        .try_init()
        .ok()?;
    std::panic::set_hook(Box::new(|info| {
        let thread = std::thread::current();
        tracing::error!(thread = thread.name().unwrap_or("unnamed"), "panic: {info}");
    }));
    Some(LogGuard(guard))
}

/// [`init`] on standard error.
pub fn init_stderr() -> Option<LogGuard> {
    init(std::io::stderr())
}
