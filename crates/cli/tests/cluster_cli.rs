//! Two `cablescope serve` nodes on one PostgreSQL database, the CLI writing to it
//! from a third index directory: what one writes, the others serve within
//! seconds; users, sessions and the audit log are the database's (one user and
//! token for every node, a sign-in on one node is a session on the other, one
//! audit chain); clearance holds on every node; a writer killed mid-ingest loses
//! nothing and stops no node.
//!
//! Needs `CABLESCOPE_TEST_DATABASE` (see `cablescope_testkit::pg`): skipped with a
//! notice locally without it, a failure in CI.

mod common;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, ChildStdout, Stdio};
use std::time::{Duration, Instant};

use cablescope_testkit::{write, Telegram};
use common::{bin, code, stderr, stdout};
use serde_json::Value;

/// A serving node: its process and `HOST:PORT`; killed when dropped.
struct Node {
    child: Child,
    addr: String,
}

impl Drop for Node {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(index_dir: &Path, db: &str) -> Node {
    serve_with(index_dir, db, &[])
}

/// [`serve`] with more `serve` options (`--read-database URL`).
fn serve_with(index_dir: &Path, db: &str, extra: &[&str]) -> Node {
    let mut child = bin()
        .args(["serve", "--archive", index_dir.to_str().unwrap()])
        .args(["--database", db, "--addr", "127.0.0.1:0"])
        .args(extra)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn serve");
    let mut out = BufReader::new(child.stdout.take().expect("stdout"));
    let addr = wait_for_url(&mut out);
    // Keep draining stdout so the node never blocks on a full pipe.
    std::thread::spawn(move || std::io::copy(&mut out, &mut std::io::sink()));
    Node { child, addr }
}

fn wait_for_url(out: &mut BufReader<ChildStdout>) -> String {
    loop {
        let mut line = String::new();
        let n = out.read_line(&mut line).expect("read stdout");
        assert!(n > 0, "serve exited before serving");
        if line.starts_with("Serving ") {
            let rest = line.split("at http://").nth(1).expect("url");
            return rest.split('/').next().expect("host:port").to_string();
        }
    }
}

/// GET `path` with a bearer token: (status, JSON body).
fn get(addr: &str, path: &str, token: &str) -> (u16, Value) {
    let mut s = TcpStream::connect(addr).expect("connect");
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\nConnection: close\r\n\r\n"
    )
    .expect("send");
    let mut resp = String::new();
    s.read_to_string(&mut resp).expect("read");
    let (head, body) = resp.split_once("\r\n\r\n").expect("head and body");
    let status = head.split_whitespace().nth(1).unwrap().parse().unwrap();
    // Chunked bodies: the JSON object sits between the chunk sizes.
    let json = body
        .find('{')
        .and_then(|a| body.rfind('}').map(|b| &body[a..=b]))
        .unwrap_or("null");
    (status, serde_json::from_str(json).unwrap_or(Value::Null))
}

fn total(addr: &str, q: &str, token: &str) -> u64 {
    let (status, v) = get(addr, &format!("/api/search?q={q}&limit=1"), token);
    assert_eq!(status, 200, "{v}");
    v["total"].as_u64().expect("total")
}

/// The binary running `cmd` on the index in `dir` of the database `db`.
fn on_db(cmd: &str, dir: &Path, db: &str) -> std::process::Command {
    let mut c = bin();
    c.args([cmd, "--archive", dir.to_str().unwrap(), "--database", db]);
    c
}

/// Polls until `f` is true, for at most `limit`; returns how long it took.
fn within(limit: Duration, what: &str, mut f: impl FnMut() -> bool) -> Duration {
    let start = Instant::now();
    while !f() {
        assert!(start.elapsed() < limit, "{what}: not within {limit:?}");
        std::thread::sleep(Duration::from_millis(100));
    }
    start.elapsed()
}

/// One HTTP/1.1 exchange: (status, the `Set-Cookie` values, the body).
fn exchange(addr: &str, request: &str) -> (u16, Vec<String>, String) {
    let mut s = TcpStream::connect(addr).expect("connect");
    s.write_all(request.as_bytes()).expect("send");
    let mut resp = String::new();
    s.read_to_string(&mut resp).expect("read");
    let (head, body) = resp.split_once("\r\n\r\n").expect("head and body");
    let status = head.split_whitespace().nth(1).unwrap().parse().unwrap();
    let cookies = head
        .lines()
        .filter_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case("set-cookie")
                .then(|| v.trim().split(';').next().unwrap_or("").to_string())
        })
        .collect();
    (status, cookies, body.to_string())
}

/// A browser's sign-in on `addr` with `token` (the form's CSRF cookie and field,
/// a same-origin post): the session cookie (`cablescope_session=...`).
fn sign_in(addr: &str, token: &str) -> String {
    let (status, cookies, body) = exchange(
        addr,
        &format!("GET /login HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"),
    );
    assert_eq!(status, 200, "{body}");
    let login = cookies
        .iter()
        .find(|c| c.starts_with("cablescope_login="))
        .expect("the form's cookie")
        .clone();
    let csrf = login.trim_start_matches("cablescope_login=");
    let form = format!("token={token}&csrf={csrf}&next=%2F");
    let (status, cookies, body) = exchange(
        addr,
        &format!(
            "POST /login HTTP/1.1\r\nHost: {addr}\r\nOrigin: http://{addr}\r\nCookie: {login}\r\n\
             Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\
             Connection: close\r\n\r\n{form}",
            form.len()
        ),
    );
    assert_eq!(status, 303, "sign-in refused: {body}");
    cookies
        .into_iter()
        .find(|c| c.starts_with("cablescope_session="))
        .expect("a session cookie")
}

/// GET `path` on `addr` with the session cookie `session`: (status, body).
fn get_with_session(addr: &str, path: &str, session: &str) -> (u16, String) {
    let (status, _, body) = exchange(
        addr,
        &format!(
            "GET {path} HTTP/1.1\r\nHost: {addr}\r\nCookie: {session}\r\nConnection: close\r\n\r\n"
        ),
    );
    (status, body)
}

/// Adds a user to the database's users (through the CLI's node directory) and
/// gives each node directory the audit key the CLI's first entry made: nodes
/// write one audit chain, so they hold one key (the deployment guide's step).
fn add_user(cli_dir: &Path, db: &str, nodes: &[&Path], name: &str, clearance: &str) -> String {
    let o = bin()
        .args(["users", "add", name, "--clearance", clearance])
        .args(["--archive", cli_dir.to_str().unwrap(), "--database", db])
        .output()
        .unwrap();
    assert_eq!(code(&o), 0, "users add: {}", stderr(&o));
    for node in nodes {
        std::fs::create_dir_all(node).unwrap();
        std::fs::copy(cli_dir.join("audit.key"), node.join("audit.key")).unwrap();
    }
    stdout(&o).trim().to_string()
}

#[test]
fn two_nodes_serve_what_the_cli_writes_to_one_database() {
    let tmp = tempfile::tempdir().unwrap();
    let Some(db) = cablescope_testkit::pg::database_for(tmp.path()) else {
        return;
    };
    let (a_dir, b_dir, cli_dir) = (
        tmp.path().join("a"),
        tmp.path().join("b"),
        tmp.path().join("cli"),
    );
    let node_a = serve(&a_dir, &db);
    let node_b = serve(&b_dir, &db);
    // Users live in the database: one user, one token for every node.
    let token = add_user(&cli_dir, &db, &[&a_dir, &b_dir], "reader", "C");
    let (ta, tb) = (token.clone(), token.clone());
    assert_eq!(total(&node_a.addr, "*", &ta), 0);
    let (status, _) = get(&node_b.addr, "/api/search?q=*", "cst_0_0");
    assert_eq!(status, 401, "node B knows the archive is closed");

    let src = tmp.path().join("src");
    write(
        &src,
        "08OSLO512.txt",
        Telegram::new("OSLO", 512)
            .class("SECRET")
            .subject("(C) HADDOCK QUOTAS")
            .para("C", "The haddock quota talks resumed.")
            .para("S/NF", "The zqcanary position stays with us.")
            .text(),
    );
    let o = on_db("ingest", &cli_dir, &db).arg(&src).output().unwrap();
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    // Searchable on both nodes within 5 s of the CLI's commit.
    for (node, token) in [(&node_a, &ta), (&node_b, &tb)] {
        let took = within(Duration::from_secs(5), "the cable reaches the node", || {
            total(&node.addr, "haddock", token) == 1
        });
        eprintln!("node {}: searchable after {took:?}", node.addr);
        // The reader cleared C without NOFORN sees the cable but never the
        // S/NF paragraph, on either node.
        assert_eq!(
            total(&node.addr, "zqcanary", token),
            0,
            "leaked on {}",
            node.addr
        );
        let (status, page) = get(&node.addr, "/api/cables/08OSLO512", token);
        assert_eq!(status, 200, "{page}");
        assert!(
            !page.to_string().contains("zqcanary"),
            "leaked on {}: {page}",
            node.addr
        );
    }

    // A browser signed in on node A is signed in on node B: the session is the
    // database's, and B applies the same clearance to it.
    let session = sign_in(&node_a.addr, &ta);
    let (status, body) = get_with_session(&node_b.addr, "/api/search?q=haddock", &session);
    assert_eq!(status, 200, "the session is unknown on node B: {body}");
    assert!(body.contains("\"total\":1"), "{body}");
    let (status, body) = get_with_session(&node_b.addr, "/api/search?q=zqcanary", &session);
    assert_eq!(status, 200, "{body}");
    assert!(
        body.contains("\"total\":0"),
        "leaked through a session: {body}"
    );
    // Both nodes wrote to one audit chain, which verifies from any node.
    let o = bin()
        .args(["audit", "verify", "--format", "json"])
        .args(["--archive", b_dir.to_str().unwrap(), "--database", &db])
        .output()
        .unwrap();
    assert_eq!(code(&o), 0, "{}{}", stdout(&o), stderr(&o));
    let report: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert!(report["entries"].as_u64().unwrap() >= 6, "{report}");
    let o = bin()
        .args(["audit", "show", "--action", "login", "--format", "json"])
        .args(["--archive", a_dir.to_str().unwrap(), "--database", &db])
        .output()
        .unwrap();
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stdout(&o).contains("web sign-in"), "{}", stdout(&o));

    // A writer killed mid-ingest: nothing it committed is lost, the nodes serve
    // on, and the same ingest run again completes the archive.
    let corpus = tmp.path().join("corpus");
    let g = bin()
        .args([
            "generate",
            "--count",
            "300",
            "--out",
            corpus.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(code(&g), 0, "{}", stderr(&g));
    std::fs::remove_file(corpus.join("truth.jsonl")).unwrap();
    let ingest = || {
        on_db("ingest", &cli_dir, &db)
            .arg(&corpus)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap()
    };
    let mut writer = ingest();
    std::thread::sleep(Duration::from_millis(700));
    writer.kill().unwrap(); // SIGKILL
    writer.wait().unwrap();
    let mid = total(&node_b.addr, "*", &tb);
    assert!(get(&node_a.addr, "/healthz", &ta).0 == 200);
    let o = on_db("ingest", &cli_dir, &db)
        .arg(&corpus)
        .output()
        .unwrap();
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    // What the same reader sees through the CLI's own index of the database is
    // what both nodes serve, within 5 s.
    let tc = ta.clone();
    let o = bin()
        .args(["search", "*", "--format", "json", "--token", &tc])
        .args(["--archive", cli_dir.to_str().unwrap(), "--database", &db])
        .output()
        .unwrap();
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let expected = serde_json::from_str::<Value>(&stdout(&o)).unwrap()["total"]
        .as_u64()
        .unwrap();
    assert!(expected > 100, "{expected}");
    for (node, token) in [(&node_a, &ta), (&node_b, &tb)] {
        within(
            Duration::from_secs(5),
            "the whole corpus reaches the node",
            || total(&node.addr, "*", token) == expected,
        );
    }
    assert!(mid <= expected, "{mid} then {expected}");
    // Every index agrees with the database.
    for dir in [&a_dir, &b_dir, &cli_dir] {
        let o = on_db("verify", dir, &db).output().unwrap();
        assert_eq!(
            code(&o),
            0,
            "{}: {}{}",
            dir.display(),
            stdout(&o),
            stderr(&o)
        );
    }
}

#[test]
fn a_replica_backed_node_sees_writes_after_replication() {
    let tmp = tempfile::tempdir().unwrap();
    let Some(db) = cablescope_testkit::pg::database_for(tmp.path()) else {
        return;
    };
    let Some(replica) = cablescope_testkit::pg::replica_of(&db) else {
        return;
    };
    let (node_dir, cli_dir, src) = (
        tmp.path().join("node"),
        tmp.path().join("cli"),
        tmp.path().join("src"),
    );
    let cable = |id: u32, word: &str| {
        write(
            &src,
            format!("{id}.txt"),
            Telegram::new("QUITO", id)
                .class("CONFIDENTIAL")
                .para("C", &format!("The {word} talks went on."))
                .para("S/NF", "The zqreplica canary stays with us.")
                .text(),
        )
    };
    let first = cable(41, "banana");
    let o = on_db("ingest", &cli_dir, &db).arg(&first).output().unwrap();
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let token = add_user(&cli_dir, &db, &[&node_dir], "reader", "C");
    // The node starts once the replica has replayed the primary's first ingest.
    cablescope_testkit::pg::wait_for_row(
        &replica,
        "SELECT 1 FROM cables WHERE id = '08QUITO41'",
        Duration::from_secs(20),
    );
    let node = serve_with(&node_dir, &db, &["--read-database", &replica]);
    assert_eq!(total(&node.addr, "banana", &token), 1);
    assert_eq!(total(&node.addr, "zqreplica", &token), 0, "leaked");
    // A write on the primary reaches the node through the replica (polled).
    let second = cable(42, "mango");
    let o = on_db("ingest", &cli_dir, &db)
        .arg(&second)
        .output()
        .unwrap();
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let took = within(
        Duration::from_secs(10),
        "the write reaches the node",
        || total(&node.addr, "mango", &token) == 1,
    );
    eprintln!("replica-backed node: searchable after {took:?}");
    // Sessions are written to the primary: signing in works on a node that
    // reads from a read-only replica.
    let session = sign_in(&node.addr, &token);
    let (status, body) = get_with_session(&node.addr, "/api/search?q=mango", &session);
    assert_eq!(status, 200, "{body}");
    assert!(body.contains("\"total\":1"), "{body}");
}

#[test]
fn a_node_index_that_is_lost_is_rebuilt_from_the_database() {
    let tmp = tempfile::tempdir().unwrap();
    let Some(db) = cablescope_testkit::pg::database_for(tmp.path()) else {
        return;
    };
    let src = tmp.path().join("src");
    for i in 0..5u32 {
        write(
            &src,
            format!("{i}.txt"),
            Telegram::new("ROME", 100 + i)
                .para("U", "Pasta diplomacy notes.")
                .text(),
        );
    }
    let node = tmp.path().join("node");
    let run = |args: &[&str]| {
        let o = bin()
            .args(args)
            .args(["--archive", node.to_str().unwrap(), "--database", &db])
            .output()
            .unwrap();
        assert_eq!(code(&o), 0, "{args:?}: {}", stderr(&o));
        stdout(&o)
    };
    let o = on_db("ingest", &node, &db).arg(&src).output().unwrap();
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    std::fs::remove_dir_all(node.join("index")).unwrap();
    let found = run(&["search", "pasta", "--format", "json"]);
    let v: Value = serde_json::from_str(&found).unwrap();
    assert_eq!(v["total"], 5, "{v}");
    run(&["verify"]);
    // Without the database, the same directory is no archive.
    let o = bin()
        .args(["search", "pasta", "--archive", node.to_str().unwrap()])
        .env_remove("CABLESCOPE_DATABASE")
        .output()
        .unwrap();
    assert_ne!(code(&o), 0);
}

#[test]
fn migrate_moves_an_archive_to_the_database_and_back() {
    let tmp = tempfile::tempdir().unwrap();
    let Some(db) = cablescope_testkit::pg::database_for(tmp.path()) else {
        return;
    };
    let src = tmp.path().join("src");
    for i in 0..4u32 {
        write(
            &src,
            format!("{i}.txt"),
            Telegram::new("LIMA", 10 + i)
                .class("CONFIDENTIAL")
                .para("C", "Ceviche policy.")
                .text(),
        );
    }
    let here = tmp.path().join("here");
    let o = bin()
        .args(["ingest", "--archive", here.to_str().unwrap()])
        .arg(&src)
        .output()
        .unwrap();
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    // A user and an audit trail move with the cables.
    let token = common::add_user(here.to_str().unwrap(), "historian", &["--clearance", "C"]);
    let o = bin()
        .args(["search", "ceviche", "--token", &token])
        .args(["--archive", here.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let audit_verify = |extra: &[&str]| -> Value {
        let o = bin()
            .args(["audit", "verify", "--format", "json"])
            .args(extra)
            .output()
            .unwrap();
        assert_eq!(code(&o), 0, "{}{}", stdout(&o), stderr(&o));
        serde_json::from_str(&stdout(&o)).unwrap()
    };
    let before = audit_verify(&["--archive", here.to_str().unwrap()]);
    let migrate = |from: &str, to: &str| {
        bin()
            .args(["migrate", "--from", from, "--to", to, "--format", "json"])
            .output()
            .unwrap()
    };
    let o = migrate(here.to_str().unwrap(), &db);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(
        (v["ok"].as_bool(), v["cables"].as_u64()),
        (Some(true), Some(4)),
        "{v}"
    );
    assert_eq!(v["access"]["users"], 1, "{v}");
    assert_eq!(v["access"]["audit_entries"], before["entries"], "{v}");
    assert_eq!(
        v["access"]["audit"]["head_hash"], before["head_hash"],
        "{v}"
    );
    // Never into an archive that holds cables.
    let o = migrate(here.to_str().unwrap(), &db);
    assert_eq!(code(&o), 1);
    // (refused before anything is written: its users and log are checked first)
    assert!(stderr(&o).contains("already has users"), "{}", stderr(&o));
    let back = tmp.path().join("back");
    // Out of a database, the log's key is named (it is on the nodes, not in it).
    let o = migrate(&db, back.to_str().unwrap());
    assert_eq!(code(&o), 1);
    assert!(stderr(&o).contains("--audit-key"), "{}", stderr(&o));
    assert!(!back.exists(), "nothing written before the refusal");
    let key = here.join("audit.key");
    let o = bin()
        .args(["migrate", "--from", &db, "--to", back.to_str().unwrap()])
        .args(["--audit-key", key.to_str().unwrap(), "--format", "json"])
        .output()
        .unwrap();
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["verify"]["index_count"], 4, "{v}");
    let after = audit_verify(&["--archive", back.to_str().unwrap()]);
    assert_eq!(
        (&after["entries"], &after["head_hash"]),
        (&before["entries"], &before["head_hash"]),
        "the chain moved whole: {after}"
    );
    // The same searches on all three.
    let search = |extra: &[&str]| {
        let o = bin()
            .args(["search", "ceviche", "--format", "json", "--token", &token])
            .args(extra)
            .output()
            .unwrap();
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        common::hit_ids(&serde_json::from_str(&stdout(&o)).unwrap())
    };
    // The same token on all three; a node of the database holds the log's key.
    let node = tmp.path().join("node");
    std::fs::create_dir_all(&node).unwrap();
    std::fs::copy(&key, node.join("audit.key")).unwrap();
    let a = search(&["--archive", here.to_str().unwrap()]);
    assert_eq!(a.len(), 4);
    assert_eq!(a, search(&["--archive", back.to_str().unwrap()]));
    assert_eq!(
        a,
        search(&["--archive", node.to_str().unwrap(), "--database", &db])
    );
}

#[test]
fn records_partitioned_across_two_servers_are_served_as_before() {
    let tmp = tempfile::tempdir().unwrap();
    let Some(db) = cablescope_testkit::pg::database_for(tmp.path()) else {
        return;
    };
    let Some([shard0, shard1]) = cablescope_testkit::pg::shards_for(&db) else {
        return;
    };
    let (cli_dir, node_dir) = (tmp.path().join("cli"), tmp.path().join("node"));
    let src = tmp.path().join("src");
    let stations = ["ROME", "OSLO", "LIMA", "HANOI"];
    for i in 0..40u32 {
        let station = stations[i as usize % 4];
        write(
            &src,
            format!("{i}.txt"),
            Telegram::new(station, 200 + i)
                .class("CONFIDENTIAL")
                .subject("(U) PASTA DIPLOMACY")
                .para("U", &format!("Pasta diplomacy notes, part {i}."))
                .text(),
        );
    }
    let o = on_db("ingest", &cli_dir, &db).arg(&src).output().unwrap();
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let run = |args: &[&str]| {
        let o = on_db(args[0], &cli_dir, &db)
            .args(&args[1..])
            .output()
            .unwrap();
        assert_eq!(code(&o), 0, "{args:?}: {}", stderr(&o));
        stdout(&o)
    };
    let ids = || -> Vec<String> {
        let v: Value =
            serde_json::from_str(&run(&["search", "*", "--limit", "100", "--format", "json"]))
                .unwrap();
        let mut ids: Vec<String> = v["hits"]
            .as_array()
            .expect("hits")
            .iter()
            .map(|h| h["id"].as_str().unwrap().to_string())
            .collect();
        ids.sort();
        ids
    };
    let records = |ids: &[String]| -> Vec<String> {
        ids.iter()
            .map(|id| run(&["show", id, "--format", "json"]))
            .collect()
    };
    let (stats_before, ids_before) = (run(&["stats", "--format", "json"]), ids());
    assert_eq!(ids_before.len(), 40);
    let records_before = records(&ids_before);

    let partition = |shards: &[&str]| {
        let mut c = bin();
        c.args(["partition", "--database", &db, "--format", "json"]);
        for s in shards {
            c.args(["--shard", s]);
        }
        c.output().unwrap()
    };
    // A shard that cannot be reached changes nothing.
    let o = partition(&[&shard0, "postgres://postgres@127.0.0.1:1/nowhere"]);
    assert_ne!(code(&o), 0);
    assert!(
        stderr(&o).contains("cannot connect to shard 1"),
        "{}",
        stderr(&o)
    );
    assert_eq!(
        stdout(&partition(&[])).trim(),
        "[]",
        "still not partitioned"
    );

    let o = partition(&[&shard0, &shard1]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let layout: Value = serde_json::from_str(&stdout(&o)).unwrap();
    let counts: Vec<u64> = layout
        .as_array()
        .expect("a partition per shard")
        .iter()
        .map(|p| p["cables"].as_u64().unwrap())
        .collect();
    assert_eq!(counts.len(), 2, "{layout}");
    assert_eq!(counts.iter().sum::<u64>(), 40, "{layout}");
    assert!(
        counts.iter().all(|&n| n > 0),
        "both shards hold records: {layout}"
    );
    // The rows really are on the second server, in its own database.
    let on_second = cablescope_testkit::pg::query_i64(
        &shard1,
        "SELECT count(*) FROM pg_tables WHERE tablename LIKE 'cs\\_%\\_cables\\_1'",
    );
    assert_eq!(on_second, 1, "one cables table on the second server");
    // Same layout again: nothing to do; another layout: refused.
    assert_eq!(stdout(&partition(&[&shard0, &shard1])), stdout(&o));
    let o = partition(&[&shard1, &shard0]);
    assert_ne!(code(&o), 0);
    assert!(stderr(&o).contains("already partitioned"), "{}", stderr(&o));

    // Every command reads the same archive as before.
    assert_eq!(run(&["stats", "--format", "json"]), stats_before);
    assert_eq!(ids(), ids_before);
    assert_eq!(records(&ids_before), records_before);
    run(&["verify"]);

    // A node whose index is built from the partitioned store serves it, follows
    // writes made after partitioning, and withholds what a reader may not see.
    let node = serve(&node_dir, &db);
    let token = add_user(&cli_dir, &db, &[&node_dir], "reader", "C");
    within(
        Duration::from_secs(5),
        "the node serves the records",
        || total(&node.addr, "pasta", &token) == 40,
    );
    let more = tmp.path().join("more");
    write(
        &more,
        "08ROME200.txt",
        Telegram::new("ROME", 200)
            .class("SECRET")
            .subject("(U) PASTA DIPLOMACY")
            .para("U", "Pasta diplomacy notes, part 0, revised.")
            .para("S/NF", "The zqcanary stays with us.")
            .text(),
    );
    let o = on_db("ingest", &cli_dir, &db).arg(&more).output().unwrap();
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    within(
        Duration::from_secs(5),
        "the new copy reaches the node",
        || total(&node.addr, "revised", &token) == 1,
    );
    assert_eq!(total(&node.addr, "zqcanary", &token), 0, "leaked");
    assert_eq!(total(&node.addr, "pasta", &token), 40);
    // Ingesting the same files again writes nothing.
    let o = on_db("ingest", &cli_dir, &db)
        .args([&src, &more])
        .output()
        .unwrap();
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let said = format!("{}{}", stdout(&o), stderr(&o));
    assert!(said.contains(", 0 written,"), "{said}");
    run(&["verify"]);
}
