//! Helpers shared by the server's integration tests.
#![allow(dead_code)]

pub mod webdriver;

/// A server on a free local port, serving `state` until [`Served::stop`].
pub struct Served {
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    stop: tokio::sync::oneshot::Sender<()>,
    task: tokio::task::JoinHandle<std::io::Result<()>>,
}

/// Starts `cablescope_server::serve` on `127.0.0.1:0` (the browser tests drive it
/// over real TCP).
pub async fn serve(state: cablescope_server::AppState) -> Served {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(cablescope_server::serve(listener, state, async {
        let _ = stopped.await;
    }));
    Served { base, stop, task }
}

impl Served {
    /// Stops the server and waits until it has stopped cleanly.
    pub async fn stop(self) {
        let _ = self.stop.send(());
        self.task.await.unwrap().unwrap();
    }
}
