//! A log sink that never drains (issue 13): the server goes on answering, also
//! after handler panics, which become logged `500`s. Its own test binary, since it
//! installs the process's global log subscriber and panic hook.

use std::io::Write;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::routing::get;
use cablescope_access::{Admin, IngestOptions};
use cablescope_server::{AppState, ServerConfig};
use cablescope_testkit::{write, Telegram};

/// A writer that takes its first line, then blocks forever (a pipe nobody reads).
struct Stalled(Arc<AtomicUsize>);

impl Write for Stalled {
    fn write(&mut self, _buf: &[u8]) -> std::io::Result<usize> {
        self.0.fetch_add(1, Ordering::SeqCst);
        loop {
            std::thread::park();
        }
        #[allow(unreachable_code)]
        Ok(_buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_stalled_log_sink_drops_lines_not_requests_and_panics_become_500() {
    let writes = Arc::new(AtomicUsize::new(0));
    let _guard = cablescope_server::logging::init_with(Stalled(writes.clone()), 8)
        .expect("the first subscriber of this process");

    let tmp = tempfile::tempdir().unwrap();
    let file = write(
        &tmp.path().join("in"),
        "08MOSCOW1599.txt",
        Telegram::new("MOSCOW", 1599)
            .subject("(U) WIDGET TALKS")
            .para("U", "The widget delegation arrived.")
            .text(),
    );
    let dir = tmp.path().join("arch");
    let mut a = Admin::open(&dir).unwrap();
    a.ingest(&[file], &IngestOptions::default(), &mut |_| {})
        .unwrap();
    a.close_writer();

    let state = AppState::open(&dir, ServerConfig::default()).unwrap();
    let extra = axum::Router::new().route(
        "/boom",
        get(|| async {
            if true {
                panic!("a handler bug");
            }
            "unreachable"
        }),
    );
    let app = cablescope_server::router_with(state.clone(), extra);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(cablescope_server::conn::serve(
        listener,
        app,
        state.limits().connections.clone(),
        Default::default(),
        async move {
            let _ = rx.await;
        },
    ));
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();
    // Far more log lines than the queue holds, panics among them.
    for i in 0..300 {
        let r = client
            .get(format!("http://{addr}/boom"))
            .send()
            .await
            .unwrap_or_else(|e| panic!("panic request {i} answered: {e}"));
        assert_eq!(r.status(), 500);
        let v: serde_json::Value = r.json().await.unwrap();
        assert_eq!(v["error"]["code"], "internal");
        let r = client
            .get(format!("http://{addr}/api/search?q=widget"))
            .send()
            .await
            .unwrap_or_else(|e| panic!("search {i} answered: {e}"));
        assert_eq!(r.status(), 200);
    }
    // The sink took one line and has been stuck on it since.
    assert_eq!(writes.load(Ordering::SeqCst), 1);
    let _ = stop.send(());
}
