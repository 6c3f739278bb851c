//! Graceful shutdown: stop on SIGINT (Ctrl-C) or SIGTERM, let the requests in
//! flight finish, but not forever.

use std::future::Future;
use std::time::Duration;

/// How long requests in flight may run on after a shutdown signal.
pub const GRACE: Duration = Duration::from_secs(30);

/// Resolves when the process receives SIGINT or SIGTERM. If a handler cannot be
/// installed, that signal is simply not awaited (the process keeps its default
/// behaviour for it).
pub async fn signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {}
        _ = term => {}
    }
}

/// Serves `app` on `listener` until `stop()` resolves; then stops accepting and
/// lets the requests in flight finish, for at most `grace`, or until `stop()`
/// resolves a second time: a stuck request or a client reading an export slowly
/// cannot keep the process alive after it was asked to stop.
pub async fn serve_until<T, F>(
    listener: tokio::net::TcpListener,
    state: crate::AppState,
    mut stop: F,
    grace: Duration,
) -> std::io::Result<()>
where
    T: Future<Output = ()> + Send + 'static,
    F: FnMut() -> T,
{
    let (tx, rx) = tokio::sync::watch::channel(false);
    let first = stop();
    let limits = state.limits().connections.clone();
    let trusted = state.config().trusted_proxies.clone();
    let server = crate::conn::serve(
        listener,
        crate::router(state),
        limits,
        trusted,
        async move {
            let mut rx = rx;
            // An error means the sender is gone: stop as well.
            let _ = rx.wait_for(|stopping| *stopping).await;
        },
    );
    let watch = async move {
        first.await;
        let _ = tx.send(true);
        tracing::warn!(
            "stopping; requests in flight may finish within {} s (signal again to stop now)",
            grace.as_secs()
        );
        tokio::select! {
            _ = tokio::time::sleep(grace) => {
                tracing::warn!(
                    "requests still running after {} s; stopping anyway",
                    grace.as_secs()
                );
            }
            _ = stop() => tracing::warn!("stopping now"),
        }
    };
    tokio::select! {
        r = server => r,
        _ = watch => Ok(()),
    }
}
