//! Slow and hostile clients against the real server over TCP (issue 13): half-open
//! connections, floods from one address, idle keep-alive connections, oversized
//! and malformed request heads. Time bounds here are generous failure bounds, not
//! measurements.

use std::net::{IpAddr, SocketAddr};
use std::path::Path;
use std::time::Duration;

use cablescope_access::{Admin, IngestOptions};
use cablescope_server::conn::ConnLimits;
use cablescope_server::{AppState, Limits, ServerConfig};
use cablescope_testkit::{write, Telegram};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};

/// How long anything that should happen "at once" may take before the test fails.
const BOUND: Duration = Duration::from_secs(30);

/// A small archive: two cables mentioning widgets.
fn archive() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    let files = vec![
        write(
            &tmp.path().join("in"),
            "08MOSCOW1599.txt",
            Telegram::new("MOSCOW", 1599)
                .subject("(U) WIDGET TALKS")
                .para("U", "The widget delegation arrived on Tuesday.")
                .text(),
        ),
        write(
            &tmp.path().join("in"),
            "08PARIS100.txt",
            Telegram::new("PARIS", 100)
                .subject("(U) MORE WIDGETS")
                .para("U", "Widgets again.")
                .text(),
        ),
    ];
    let mut a = Admin::open(tmp.path().join("arch")).unwrap();
    let s = a
        .ingest(&files, &IngestOptions::default(), &mut |_| {})
        .unwrap();
    assert_eq!(s.files_failed, 0, "{:?}", s.errors);
    a.close_writer();
    tmp
}

/// Starts the real server with `conn` limits; returns its address and the trigger
/// that stops it.
async fn start(dir: &Path, conn: ConnLimits) -> (SocketAddr, tokio::sync::oneshot::Sender<()>) {
    let limits = Limits {
        connections: conn,
        ..Limits::default()
    };
    let state = AppState::open_with_limits(dir, ServerConfig::default(), limits).unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(cablescope_server::serve(listener, state, async move {
        let _ = rx.await;
    }));
    (addr, tx)
}

/// A connection from `from` (another loopback address counts as another client).
async fn connect_from(from: &str, to: SocketAddr) -> TcpStream {
    let s = TcpSocket::new_v4().unwrap();
    s.bind(format!("{from}:0").parse().unwrap()).unwrap();
    s.connect(to).await.unwrap()
}

/// Opens a connection and sends half a request head.
async fn half_open(from: &str, to: SocketAddr) -> TcpStream {
    let mut s = connect_from(from, to).await;
    s.write_all(b"GET /api/search?q=widget HTTP/1.1\r\nHost: x\r\nX-Slow: ")
        .await
        .unwrap();
    s
}

/// Everything the server sends until it closes the connection, within [`BOUND`].
async fn read_to_close(s: &mut TcpStream) -> String {
    let mut out = Vec::new();
    let r = tokio::time::timeout(BOUND, s.read_to_end(&mut out)).await;
    match r {
        Ok(Ok(_)) => {}
        // A reset also means closed.
        Ok(Err(e)) if e.kind() == std::io::ErrorKind::ConnectionReset => {}
        Ok(Err(e)) => panic!("read failed: {e}"),
        Err(_) => panic!("the server did not close the connection within {BOUND:?}"),
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A normal search from `from`, with a generous timeout: the status and body.
async fn search(from: &str, to: SocketAddr) -> (u16, Value) {
    try_search(from, to).await.expect("the search is answered")
}

/// [`search`], or the error of a refused connection.
async fn try_search(from: &str, to: SocketAddr) -> Result<(u16, Value), reqwest::Error> {
    let client = reqwest::Client::builder()
        .local_address(from.parse::<IpAddr>().unwrap())
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    let r = client
        .get(format!("http://{to}/api/search?q=widget"))
        .send()
        .await?;
    let status = r.status().as_u16();
    Ok((status, r.json().await.unwrap_or(Value::Null)))
}

fn json_body(response: &str) -> Value {
    let (head, body) = response.split_once("\r\n\r\n").expect("a response");
    assert!(
        head.to_ascii_lowercase()
            .contains("content-type: application/json"),
        "{head}"
    );
    serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {body}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_search_is_answered_while_2000_half_open_connections_are_held() {
    let tmp = archive();
    let (addr, _stop) = start(
        &tmp.path().join("arch"),
        ConnLimits {
            header_read_timeout: Duration::from_secs(120),
            max_connections: 4096,
            max_per_address: 4096,
            ..ConnLimits::default()
        },
    )
    .await;
    let mut held = Vec::new();
    for _ in 0..2000 {
        held.push(half_open("127.0.0.1", addr).await);
    }
    let (status, body) = search("127.0.0.1", addr).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["hits"][0]["id"], "08MOSCOW1599", "{body}");
    // The half-open connections are still held, not dropped to make room.
    let mut probe = [0u8; 1];
    let still_open =
        tokio::time::timeout(Duration::from_millis(200), held[0].read(&mut probe)).await;
    assert!(
        still_open.is_err(),
        "the first half-open connection is still open"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_flood_from_one_address_is_capped_and_others_are_served() {
    let tmp = archive();
    let (addr, _stop) = start(
        &tmp.path().join("arch"),
        ConnLimits {
            header_read_timeout: Duration::from_secs(120),
            max_per_address: 50,
            ..ConnLimits::default()
        },
    )
    .await;
    let mut held = Vec::new();
    for _ in 0..50 {
        held.push(half_open("127.0.0.1", addr).await);
    }
    // The 51st connection from the same address is answered 503 JSON and closed.
    let mut extra = half_open("127.0.0.1", addr).await;
    let r = read_to_close(&mut extra).await;
    assert!(r.starts_with("HTTP/1.1 503"), "{r}");
    assert_eq!(json_body(&r)["error"]["code"], "too_many_connections");
    // Another client is served.
    let (status, body) = search("127.0.0.2", addr).await;
    assert_eq!(status, 200, "{body}");
    // Once the flood goes, its address is served again.
    drop(held);
    let mut answered = false;
    for _ in 0..100 {
        if try_search("127.0.0.1", addr)
            .await
            .is_ok_and(|r| r.0 == 200)
        {
            answered = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(
        answered,
        "the address is served once its connections closed"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_overall_cap_refuses_more_connections() {
    let tmp = archive();
    let (addr, _stop) = start(
        &tmp.path().join("arch"),
        ConnLimits {
            header_read_timeout: Duration::from_secs(120),
            max_connections: 20,
            ..ConnLimits::default()
        },
    )
    .await;
    let mut held = Vec::new();
    for i in 0..20 {
        held.push(half_open(&format!("127.0.1.{}", i + 1), addr).await);
    }
    let mut extra = half_open("127.0.2.1", addr).await;
    let r = read_to_close(&mut extra).await;
    assert!(r.starts_with("HTTP/1.1 503"), "{r}");
    assert_eq!(json_body(&r)["error"]["code"], "too_many_connections");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_half_open_connection_is_closed_after_the_header_timeout() {
    let tmp = archive();
    let (addr, _stop) = start(
        &tmp.path().join("arch"),
        ConnLimits {
            header_read_timeout: Duration::from_secs(1),
            ..ConnLimits::default()
        },
    )
    .await;
    let mut s = half_open("127.0.0.1", addr).await;
    let r = read_to_close(&mut s).await;
    assert!(!r.contains("200 OK"), "{r}");
    // So is a connection that never sends a byte.
    let mut silent = connect_from("127.0.0.1", addr).await;
    read_to_close(&mut silent).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_idle_kept_alive_connection_is_closed_after_the_idle_timeout() {
    let tmp = archive();
    let (addr, _stop) = start(
        &tmp.path().join("arch"),
        ConnLimits {
            idle_timeout: Duration::from_secs(1),
            header_read_timeout: Duration::from_secs(120),
            ..ConnLimits::default()
        },
    )
    .await;
    let mut s = connect_from("127.0.0.1", addr).await;
    s.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    // The answer, then (kept alive, idle) the close.
    let r = read_to_close(&mut s).await;
    assert!(r.starts_with("HTTP/1.1 200"), "{r}");
    assert_eq!(r.matches("HTTP/1.1").count(), 1, "{r}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oversized_and_malformed_heads_are_answered_with_json() {
    let tmp = archive();
    let (addr, _stop) = start(&tmp.path().join("arch"), ConnLimits::default()).await;

    // Headers larger than the buffer: 431.
    let mut s = connect_from("127.0.0.1", addr).await;
    let big = format!(
        "GET /api/search?q=x HTTP/1.1\r\nHost: x\r\nX-Big: {}\r\n\r\n",
        "a".repeat(200 * 1024)
    );
    // The server may close before it has read everything.
    let _ = s.write_all(big.as_bytes()).await;
    let r = read_to_close(&mut s).await;
    assert!(r.starts_with("HTTP/1.1 431"), "{r}");
    assert_eq!(json_body(&r)["error"]["code"], "headers_too_large");

    // Not HTTP at all: 400.
    let mut s = connect_from("127.0.0.1", addr).await;
    s.write_all(b"GET / HTTP/1.1\r\nHo st: x\r\n\r\n")
        .await
        .unwrap();
    let r = read_to_close(&mut s).await;
    assert!(r.starts_with("HTTP/1.1 400"), "{r}");
    assert_eq!(json_body(&r)["error"]["code"], "bad_request");

    // The server goes on serving.
    assert_eq!(search("127.0.0.1", addr).await.0, 200);
}
