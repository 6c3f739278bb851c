//! `cablescope serve` and `cablescope demo` (serving) end to end: the real binary
//! on an ephemeral port, spoken to over TCP, stopped with SIGTERM.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, ChildStdout, Command, Output, Stdio};

fn cablescope(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cablescope"))
        .args(args)
        .env_remove("CABLESCOPE_ARCHIVE")
        .output()
        .expect("run cablescope")
}

fn spawn(args: &[&str]) -> Child {
    Command::new(env!("CARGO_BIN_EXE_cablescope"))
        .args(args)
        .env_remove("CABLESCOPE_ARCHIVE")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn cablescope")
}

/// Reads standard output until the `Serving ... at http://HOST:PORT/` line and
/// returns `HOST:PORT` (and the lines before it). Ends with a panic naming what was
/// printed when the process exits first.
fn wait_for_url(out: &mut BufReader<ChildStdout>) -> (String, Vec<String>) {
    let mut seen = Vec::new();
    loop {
        let mut line = String::new();
        let n = out.read_line(&mut line).expect("read stdout");
        assert!(n > 0, "exited before serving; stdout:\n{}", seen.join(""));
        if let Some(rest) = line.split("at http://").nth(1) {
            if line.starts_with("Serving ") {
                let addr = rest.split('/').next().expect("host:port").to_string();
                return (addr, seen);
            }
        }
        seen.push(line);
    }
}

/// A GET over a fresh connection: (status, body).
fn http_get(addr: &str, path: &str) -> (u16, String) {
    let mut s = TcpStream::connect(addr).expect("connect");
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .expect("send");
    let mut resp = String::new();
    s.read_to_string(&mut resp).expect("read response");
    let (head, body) = resp.split_once("\r\n\r\n").expect("head and body");
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .expect("status");
    (status, body.to_string())
}

/// A GET with `Authorization: Bearer token`: (status, body).
fn http_get_auth(addr: &str, path: &str, token: &str) -> (u16, String) {
    let mut s = TcpStream::connect(addr).expect("connect");
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\nConnection: close\r\n\r\n"
    )
    .expect("send");
    let mut resp = String::new();
    s.read_to_string(&mut resp).expect("read response");
    let (head, body) = resp.split_once("\r\n\r\n").expect("head and body");
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .expect("status");
    (status, body.to_string())
}

fn sigterm(child: &Child) {
    let ok = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("run kill");
    assert!(ok.success());
}

fn build_archive(dir: &Path) -> String {
    let corpus = dir.join("corpus");
    let archive = dir.join("archive");
    let g = cablescope(&[
        "generate",
        "--count",
        "40",
        "--out",
        corpus.to_str().unwrap(),
    ]);
    assert!(g.status.success(), "{}", String::from_utf8_lossy(&g.stderr));
    // The truth sidecar is not a cable.
    std::fs::remove_file(corpus.join("truth.jsonl")).unwrap();
    let i = cablescope(&[
        "ingest",
        "--archive",
        archive.to_str().unwrap(),
        corpus.to_str().unwrap(),
    ]);
    assert!(i.status.success(), "{}", String::from_utf8_lossy(&i.stderr));
    archive.to_str().unwrap().to_string()
}

#[test]
fn serve_answers_over_http_and_stops_cleanly_on_sigterm() {
    let tmp = tempfile::tempdir().unwrap();
    let archive = build_archive(tmp.path());
    let mut child = spawn(&["serve", "--archive", &archive, "--addr", "127.0.0.1:0"]);
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let (addr, _) = wait_for_url(&mut out);

    let (status, body) = http_get(&addr, "/healthz");
    assert_eq!(status, 200, "{body}");
    let v: serde_json::Value = serde_json::from_str(&body).expect("json");
    assert_eq!(v["status"], "ok");
    let cables = v["cables"].as_u64().unwrap();
    assert!(cables > 0);
    let (status, body) = http_get(&addr, "/api/search?q=*&limit=3");
    assert_eq!(status, 200, "{body}");
    let v: serde_json::Value = serde_json::from_str(&body).expect("json");
    assert_eq!(v["total"].as_u64(), Some(cables));
    let (status, body) = http_get(&addr, "/api/search?q=(");
    assert_eq!(status, 400, "{body}");

    sigterm(&child);
    let status = child.wait().expect("wait");
    assert!(status.success(), "exit status after SIGTERM: {status:?}");
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    assert!(err.contains("stopping"), "{err}");
}

#[test]
fn serve_refuses_a_missing_archive_and_a_busy_port() {
    let tmp = tempfile::tempdir().unwrap();
    let missing = tmp.path().join("nothing-here");
    let o = cablescope(&["serve", "--archive", missing.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("no archive at"), "{err}");
    assert!(!missing.exists(), "serve must not create an archive");

    let o = cablescope(&["serve", "--addr", "not-an-address"]);
    assert_eq!(o.status.code(), Some(2), "a usage error");

    let archive = build_archive(tmp.path());
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port();
    let o = cablescope(&[
        "serve",
        "--archive",
        &archive,
        "--addr",
        &format!("127.0.0.1:{port}"),
    ]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("cannot serve on"), "{err}");
}

#[test]
fn demo_ends_by_serving_its_archive() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("demo");
    let mut child = spawn(&[
        "demo",
        "--count",
        "60",
        "--dir",
        dir.to_str().unwrap(),
        "--addr",
        "127.0.0.1:0",
    ]);
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let (addr, before) = wait_for_url(&mut out);
    let report = before.join("");
    assert!(report.contains("Built a demo archive at"), "{report}");
    assert!(report.contains("cablescope serve --archive"), "{report}");
    // The archive has users before the example commands are printed: each
    // carries a token and, pasted as printed, finds what the demo showed.
    let examples: Vec<&str> = report
        .lines()
        .filter_map(|l| l.trim_start().strip_prefix("$ CABLESCOPE_TOKEN="))
        .filter(|l| l.contains(" cablescope search ") && !l.contains("YOUR QUERY"))
        .collect();
    assert!(examples.len() >= 5, "{report}");
    for e in &examples {
        let (token, command) = e.split_once(' ').unwrap();
        let args = common::shell_words(command.strip_prefix("cablescope ").unwrap());
        let o = Command::new(env!("CARGO_BIN_EXE_cablescope"))
            .args(&args)
            .env("CABLESCOPE_TOKEN", token)
            .env_remove("CABLESCOPE_ARCHIVE")
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&o.stdout);
        assert!(
            o.status.success(),
            "{e}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
        assert!(!text.contains("0 of 0 matches"), "{e}: {text}");
    }

    // Beside the URL: the demo readers, their clearances and tokens.
    let mut users = Vec::new();
    while users.len() < 3 {
        let mut line = String::new();
        assert!(
            out.read_line(&mut line).expect("read stdout") > 0,
            "{users:?}"
        );
        let words: Vec<&str> = line.split_whitespace().collect();
        if let [name, clearance, token] = words.as_slice() {
            if token.starts_with("cst_") {
                users.push((name.to_string(), clearance.to_string(), token.to_string()));
            }
        }
    }
    let names: Vec<&str> = users.iter().map(|u| u.0.as_str()).collect();
    assert_eq!(names, ["reader-u", "reader-c", "reader-s-nf"]);
    assert_eq!(users[2].1, "S+NOFORN");

    // The archive is closed now: no token, no answer; each token its own view.
    let (status, _) = http_get(&addr, "/api/stats");
    assert_eq!(status, 401);
    let mut counts = Vec::new();
    for (_, _, token) in &users {
        let (status, body) = http_get_auth(&addr, "/api/stats", token);
        assert_eq!(status, 200, "{body}");
        let v: serde_json::Value = serde_json::from_str(&body).expect("json");
        counts.push(v["cables"].as_u64().expect("a count"));
    }
    assert!(
        counts[0] > 0 && counts.windows(2).all(|w| w[0] <= w[1]),
        "{counts:?}"
    );
    assert!(counts[2] <= 60, "{counts:?}");

    sigterm(&child);
    let status = child.wait().expect("wait");
    assert!(status.success(), "exit status after SIGTERM: {status:?}");
}

#[test]
fn serve_goes_on_answering_when_nobody_reads_its_log() {
    // Standard error is a pipe nobody reads: once its buffer (64 KiB on Linux) is
    // full, log lines are dropped, never requests.
    let tmp = tempfile::tempdir().unwrap();
    let archive = build_archive(tmp.path());
    let mut child = spawn(&["serve", "--archive", &archive, "--addr", "127.0.0.1:0"]);
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let (addr, _) = wait_for_url(&mut out);
    // About 100 bytes of log per request: well past the pipe's buffer.
    for i in 0..2000 {
        let (status, body) = http_get(&addr, "/api/search?q=*&limit=1");
        assert_eq!(status, 200, "request {i}: {body}");
    }
    sigterm(&child);
    let status = child.wait().expect("wait");
    assert!(status.success(), "exit status after SIGTERM: {status:?}");
    // What was logged names routes, never the query.
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    let start = &err[..err.len().min(2000)];
    assert!(
        err.lines().any(|l| l.contains("answered")
            && l.contains("/api/search")
            && l.contains("status=200")),
        "{start}"
    );
    assert!(!err.contains("q=*"), "the query is not logged");
}

#[test]
fn serve_refuses_a_malformed_trusted_proxy() {
    let tmp = tempfile::tempdir().unwrap();
    let archive = tmp.path().join("none");
    for bad in ["nope", "10.0.0.0/33", "10.0.0.1/x"] {
        let o = cablescope(&[
            "serve",
            "--archive",
            archive.to_str().unwrap(),
            "--trusted-proxy",
            bad,
        ]);
        assert_eq!(o.status.code(), Some(2), "{bad}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains("not an IP address or network"), "{err}");
    }
}
