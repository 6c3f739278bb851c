//! Kill a real ingest process (SIGKILL) at several points, resume, and check that
//! nothing committed is lost, nothing is duplicated, and the index equals the store.
//!
//! The child process is this test binary itself, running the ignored test
//! `child_ingest` with the archive and source folder in an environment variable.

mod common;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use cablescope_archive::index::Index;
use cablescope_archive::store::Store;
use cablescope_archive::{Archive, IngestOptions, SqliteStore, TantivyIndex};
use cablescope_testkit::{write, Telegram};

const CHILD_ENV: &str = "CABLESCOPE_CRASH_CHILD";
const FILES: usize = 3000;

#[test]
#[ignore = "the child process of kill_and_resume"]
fn child_ingest() {
    let Ok(spec) = std::env::var(CHILD_ENV) else {
        return;
    };
    let (archive, src) = spec.split_once('\n').expect("archive\\nsource");
    let mut a = Archive::open(archive).expect("open");
    let opts = IngestOptions {
        batch_files: 100,
        ..IngestOptions::default()
    };
    let mut last = 0;
    a.ingest(&[PathBuf::from(src)], &opts, &mut |p| {
        if p.batches != last {
            last = p.batches;
            eprintln!("BATCH {last}");
        }
    })
    .expect("ingest");
    eprintln!("DONE");
}

fn spawn(archive: &Path, src: &Path) -> Child {
    Command::new(std::env::current_exe().unwrap())
        .args([
            "child_ingest",
            "--exact",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(
            CHILD_ENV,
            format!("{}\n{}", archive.display(), src.display()),
        )
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn child")
}

/// Reads the child's progress until `batches` batches were committed (or it ends),
/// waits `delay`, then kills it. Returns false when the child finished first.
fn kill_after(mut child: Child, batches: u64, delay: Duration) -> bool {
    let stderr = child.stderr.take().unwrap();
    let mut finished = false;
    for line in BufReader::new(stderr).lines() {
        let Ok(line) = line else { break };
        if line == "DONE" {
            finished = true;
            break;
        }
        if let Some(n) = line.strip_prefix("BATCH ") {
            if n.parse::<u64>().unwrap_or(0) >= batches {
                break;
            }
        }
    }
    std::thread::sleep(delay);
    let _ = child.kill();
    let _ = child.wait();
    !finished
}

fn generate(src: &Path) {
    for i in 0..FILES {
        // Every tenth cable cites the one before it, so the reference table grows too.
        let serial = i as u32 + 1;
        let text = if i % 10 == 9 {
            Telegram::new("MOSCOW", serial)
                .dtg(&format!("{:02}1119Z JUN 08", 1 + i % 28))
                .class("CONFIDENTIAL")
                .subject("(C) FOLLOW-UP")
                .refs(&format!("08 MOSCOW {}", serial - 1))
                .para("C", "Following up on the previous message.")
                .text()
        } else {
            common::simple("MOSCOW", serial, &format!("Fixture cable number {serial}."))
        };
        write(src, format!("d{:02}/c{serial:05}.txt", i / 100), &text);
    }
}

/// Checks the archive after a kill: the raw index never holds what the store does
/// not, and once opened (which catches the index up) both agree exactly.
fn check(archive: &Path, previous: u64) -> u64 {
    {
        let store = SqliteStore::open(archive).unwrap();
        let index = TantivyIndex::open(archive).unwrap();
        assert!(index.committed_seq().unwrap() <= store.last_seq().unwrap());
        let store_ids = store.ids().unwrap();
        for (id, _) in index.ids().unwrap() {
            assert!(
                store_ids.binary_search(&id).is_ok(),
                "{id} indexed, not stored"
            );
        }
    }
    let a = Archive::open(archive).unwrap();
    let v = a.verify().unwrap();
    assert!(v.ok(), "{v:?}");
    let count = a.store().count().unwrap();
    assert!(count >= previous, "lost cables: {count} < {previous}");
    let conn = a.store().as_sqlite().expect("embedded").connection();
    let sources: u64 = conn
        .query_row("SELECT count(*) FROM sources", [], |r| r.get::<_, i64>(0))
        .unwrap() as u64;
    assert_eq!(sources, count, "one copy per cable");
    let ok_inputs: u64 = conn
        .query_row(
            "SELECT coalesce(sum(cables), 0) FROM inputs WHERE status='ok'",
            [],
            |r| r.get::<_, i64>(0),
        )
        .unwrap() as u64;
    assert_eq!(ok_inputs, count, "every recorded input's cables are stored");
    count
}

#[test]
fn kill_and_resume() {
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("src");
    let archive = tmp.path().join("archive");
    generate(&src);
    let mut count = 0;
    let mut kills = 0;
    for (batches, delay_ms) in [(1, 0), (2, 3), (3, 15), (4, 60), (2, 120)] {
        let child = spawn(&archive, &src);
        if kill_after(child, batches, Duration::from_millis(delay_ms)) {
            kills += 1;
        }
        count = check(&archive, count);
        eprintln!("after kill {kills}: {count} cables");
    }
    assert!(kills >= 3, "the child finished before it could be killed");
    assert!(count < FILES as u64, "kills happened before the end");
    let status = Command::new(std::env::current_exe().unwrap())
        .args(["child_ingest", "--exact", "--ignored", "--test-threads=1"])
        .env(
            CHILD_ENV,
            format!("{}\n{}", archive.display(), src.display()),
        )
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
    let count = check(&archive, count);
    assert_eq!(count, FILES as u64);
    let a = Archive::open(&archive).unwrap();
    assert_eq!(a.index().count().unwrap(), FILES as u64);
    assert_eq!(
        a.store()
            .inputs()
            .unwrap()
            .values()
            .filter(|i| i.ok)
            .count(),
        FILES
    );
    assert_eq!(
        a.refs("08MOSCOW10", cablescope_archive::Direction::Cites, 1)
            .unwrap()
            .nodes
            .len(),
        2
    );
}
