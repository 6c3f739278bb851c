//! # cablescope-server
//!
//! The HTTP face of a cablescope archive: a JSON API under `/api` (see [`api`],
//! documented at `/api/openapi.json` and `/api/docs`) and a server-rendered web UI
//! (see [`ui`]), both served by one axum router over one [`AppState`]. All assets
//! are embedded in the binary; nothing is fetched from the network.
//!
//! Who may read what is decided once per request by [`gate`] (rules in [`auth`]):
//! an archive without
//! users is open to everyone; once it has users, every request needs a token
//! (`Authorization: Bearer`) or a browser session (`POST /login`), readers see
//! what their clearance allows, curators also ingest (`POST /api/ingest`), admins
//! also manage users (`/api/users`), and every read is written to the archive's
//! audit log. [`ServerConfig::public`] serves everything read-only to anyone.
//!
//! Connections are served by [`conn`]: header-read and idle timeouts, caps on
//! connections overall and per address, a bounded request head, and hyper's own
//! error answers rewritten as JSON. The log ([`logging`]) is written by a
//! background thread that drops lines rather than stall a request.
//!
//! Handlers read the archive only through a `cablescope_access::Session`
//! ([`AppState::with_session`]): the crate does not depend on
//! `cablescope-archive`, so the unredacted store is out of its reach.
//!
//! ```no_run
//! use cablescope_server::{AppState, ServerConfig};
//!
//! let state = AppState::open("cablescope-data", ServerConfig::default())?;
//! // Blocks until SIGINT or SIGTERM, then lets requests in flight finish.
//! cablescope_server::run("127.0.0.1:8080".parse()?, state, |addr| {
//!     println!("serving at http://{addr}/");
//! })?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![warn(missing_docs)]

pub mod api;
pub mod auth;
pub mod conn;
pub mod error;
pub mod gate;
pub mod logging;
pub mod metrics;
pub mod openapi;
pub mod shutdown;
pub mod state;
pub mod ui;
pub mod viewer;

use std::future::Future;
use std::net::SocketAddr;
use std::time::Duration;

use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::set_header::SetResponseHeaderLayer;

pub use error::ApiError;
pub use state::{AppState, Limits, ServerConfig};
pub use viewer::{Standing, Viewer};

/// The whole application: API routes, UI routes and their shared state, behind
/// authentication ([`auth`]), the server's limits (URI and body size, timeout),
/// panic catching, security headers and metrics.
pub fn router(state: AppState) -> axum::Router {
    router_with(state, axum::Router::new())
}

/// [`router`] with `extra` routes beside the application's, behind the same layers
/// (authentication, limits, panic catching, headers, metrics and the request log).
pub fn router_with(state: AppState, extra: axum::Router<AppState>) -> axum::Router {
    let limits = state.limits().clone();
    // Forms and JSON bodies are small; uploads to `POST /api/ingest` have their
    // own, much larger limit (the handler streams them to disk).
    let small = axum::Router::new()
        .merge(api::router())
        .merge(ui::router())
        .merge(extra)
        .layer(DefaultBodyLimit::max(limits.max_body_bytes))
        .layer(RequestBodyLimitLayer::new(limits.max_body_bytes));
    let uploads = api::upload_router()
        .layer(DefaultBodyLimit::disable())
        .layer(RequestBodyLimitLayer::new(
            usize::try_from(limits.max_upload_bytes).unwrap_or(usize::MAX),
        ));
    axum::Router::new()
        .merge(small)
        .merge(uploads)
        .route_layer(middleware::from_fn(metrics::tag_route))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            gate::authenticate,
        ))
        .layer(middleware::from_fn_with_state(state.clone(), guard))
        .layer(CatchPanicLayer::custom(|_| {
            ApiError::internal("a request handler panicked").into_response()
        }))
        .layer(middleware::from_fn(json_errors))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(auth::CSP),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("no-referrer"),
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            metrics::track,
        ))
        .with_state(state)
}

/// Rejects over-long query strings (`414`) and bounds the time to a response's
/// head (`503 timeout`; a streamed body may take longer). An ingest is not timed:
/// it answers when the upload is in the archive, however long that takes.
async fn guard(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let limits = state.limits();
    let query_len = req.uri().query().map_or(0, str::len);
    if query_len > limits.max_uri_query_bytes {
        return ApiError::new(
            StatusCode::URI_TOO_LONG,
            "uri_too_long",
            format!(
                "the query string is {query_len} bytes long; the limit is {}",
                limits.max_uri_query_bytes
            ),
        )
        .into_response();
    }
    if req.uri().path() == api::ingest::PATH {
        return next.run(req).await;
    }
    let timeout = limits.request_timeout;
    match tokio::time::timeout(timeout, next.run(req)).await {
        Ok(r) => r,
        Err(_) => ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "timeout",
            format!(
                "the request took longer than {} s; try a narrower query",
                timeout.as_secs()
            ),
        )
        .into_response(),
    }
}

/// Longest body of a framework's error answer kept as the JSON error's message.
const MAX_ERROR_MESSAGE: usize = 1024;

/// Error answers made by the framework rather than a handler (a body over the
/// limit: 413; a malformed JSON or form body: 400, 415, 422; a wrong method: 405)
/// come as plain text or empty: they are rewritten as the JSON error every
/// handler answers (`{"error": {"code", "message"}}`). JSON answers and the web
/// UI's HTML pages are left as they are.
async fn json_errors(req: Request, next: Next) -> Response {
    let resp = next.run(req).await;
    let status = resp.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return resp;
    }
    let kind = resp
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    if kind.starts_with("application/json") || kind.starts_with("text/html") {
        return resp;
    }
    let (parts, body) = resp.into_parts();
    let text = match axum::body::to_bytes(body, MAX_ERROR_MESSAGE * 4).await {
        Ok(b) => String::from_utf8_lossy(&b).trim().to_string(),
        Err(_) => String::new(),
    };
    let mut message: String = text.chars().take(MAX_ERROR_MESSAGE).collect();
    if message.is_empty() {
        message = status.canonical_reason().unwrap_or("error").to_lowercase();
    }
    let code = match status {
        StatusCode::PAYLOAD_TOO_LARGE => "payload_too_large",
        StatusCode::URI_TOO_LONG => "uri_too_long",
        StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE => "headers_too_large",
        StatusCode::METHOD_NOT_ALLOWED => "method_not_allowed",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported_media_type",
        StatusCode::UNPROCESSABLE_ENTITY => "unprocessable",
        StatusCode::NOT_FOUND => "not_found",
        StatusCode::REQUEST_TIMEOUT => "timeout",
        s if s.is_server_error() => "internal",
        _ => "bad_request",
    };
    let mut out = ApiError::new(status, code, message).into_response();
    // Keep what the framework said beside the body (`Allow`, `Retry-After`, ...).
    let own: Vec<header::HeaderName> = out.headers().keys().cloned().collect();
    for (name, value) in parts.headers.iter() {
        if !own.contains(name) && name != header::CONTENT_LENGTH {
            out.headers_mut().append(name.clone(), value.clone());
        }
    }
    out
}

/// Serves the application on `listener` until `shutdown` resolves, then stops
/// accepting connections and returns once the requests in flight have finished.
/// Connections are bounded by [`Limits::connections`] (see [`conn`]).
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let limits = state.limits().connections.clone();
    let trusted = state.config().trusted_proxies.clone();
    conn::serve(listener, router(state), limits, trusted, shutdown).await
}

/// Serves on `listener` until SIGINT or SIGTERM; then lets requests in flight
/// finish for up to [`shutdown::GRACE`] (a second signal stops at once).
pub async fn serve_until_signal(
    listener: tokio::net::TcpListener,
    state: AppState,
) -> std::io::Result<()> {
    shutdown::serve_until(listener, state, shutdown::signal, shutdown::GRACE).await
}

/// Binds `addr`, calls `on_listening` with the address bound (the port chosen when
/// `addr` has port 0), and serves until SIGINT or SIGTERM. Blocking: it runs its
/// own tokio runtime (for callers without one, like the CLI).
pub fn run(
    addr: SocketAddr,
    state: AppState,
    on_listening: impl FnOnce(SocketAddr),
) -> std::io::Result<()> {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    let result = rt.block_on(async {
        let listener = tokio::net::TcpListener::bind(addr).await?;
        on_listening(listener.local_addr()?);
        serve_until_signal(listener, state).await
    });
    // Reads still running on blocking threads (after the grace period) are not
    // waited for.
    rt.shutdown_timeout(Duration::from_secs(1));
    result
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;
    use axum::routing::get;
    use tower::ServiceExt;

    #[tokio::test]
    async fn slow_requests_time_out_with_a_json_error() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("archive");
        drop(cablescope_access::Admin::open(&dir).unwrap());
        let limits = Limits {
            request_timeout: Duration::from_millis(20),
            ..Limits::default()
        };
        let state = AppState::open_with_limits(&dir, ServerConfig::default(), limits).unwrap();
        let app: axum::Router = axum::Router::new()
            .route("/never", get(std::future::pending::<&'static str>))
            .route("/now", get(|| async { "done" }))
            .layer(middleware::from_fn_with_state(state.clone(), guard))
            .with_state(state);
        let call = |uri: &'static str| {
            app.clone()
                .oneshot(Request::get(uri).body(Body::empty()).unwrap())
        };
        let r = call("/never").await.unwrap();
        assert_eq!(r.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(r.headers()["retry-after"], "1");
        let body = axum::body::to_bytes(r.into_body(), 1 << 16).await.unwrap();
        let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(v["error"]["code"], "timeout");
        assert_eq!(call("/now").await.unwrap().status(), StatusCode::OK);
    }
}
