//! `cablescope ingest` killed with SIGKILL at ten points spread over its run: after
//! each kill `cablescope verify` passes and no committed cable is lost or stored
//! twice; a last ingest completes, and the archive then holds exactly what an
//! uninterrupted ingest of the same files holds (every exported record equal).
//!
//! The kill points are fractions of the time an uninterrupted ingest took on this
//! machine (measured in the test, never asserted on), so they spread over the run
//! whatever the machine's speed. A kill that meets an ingest already finished
//! checks nothing new; the test asks that at least half of them meet a running one.

#![cfg(unix)]

mod common;

use std::path::Path;
use std::process::Stdio;
use std::time::Instant;

use cablescope_testkit::{write, Telegram};
use common::{bin, code, run, stderr, stdout};

const FILES: u32 = 800;
const KILLS: u32 = 10;
/// Files per batch: many commits, so kills land before, during and after them.
const BATCH: &str = "25";

fn corpus(src: &Path) {
    for i in 1..=FILES {
        let mut t = Telegram::new(if i % 3 == 0 { "ROME" } else { "MOSCOW" }, i)
            .dtg(&format!("{:02}1119Z JUN 08", 1 + i % 28))
            .subject(&format!("(U) CRASH FIXTURE {i}"))
            .para("U", &format!("Fixture cable {i} for the crash test."));
        if i % 10 == 0 {
            t = t.refs(&format!("08 MOSCOW {}", i - 1));
        }
        write(src, format!("d{:02}/c{i:05}.txt", i / 100), t.text());
    }
}

fn ingest_cmd(archive: &Path, src: &Path) -> std::process::Command {
    let mut c = bin();
    c.args([
        "ingest",
        "--quiet",
        "--threads",
        "2",
        "--batch-files",
        BATCH,
        "--archive",
        archive.to_str().unwrap(),
        src.to_str().unwrap(),
    ]);
    c
}

/// Cables in the store and copies in `sources`, read with SQLite directly.
fn counts(archive: &Path) -> (i64, i64) {
    let conn = rusqlite::Connection::open_with_flags(
        archive.join("archive.sqlite3"),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )
    .unwrap();
    let n = |sql: &str| conn.query_row(sql, [], |r| r.get::<_, i64>(0)).unwrap();
    (
        n("SELECT count(*) FROM cables"),
        n("SELECT count(*) FROM sources"),
    )
}

/// Every record, one JSON line each, sorted.
fn export(archive: &Path) -> Vec<String> {
    let o = run(&[
        "export",
        "--archive",
        archive.to_str().unwrap(),
        "--format",
        "jsonl",
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let mut lines: Vec<String> = stdout(&o).lines().map(str::to_string).collect();
    lines.sort();
    lines
}

fn verify(archive: &Path) {
    let o = run(&["verify", "--archive", archive.to_str().unwrap()]);
    assert_eq!(
        code(&o),
        0,
        "verify after a kill: {}{}",
        stdout(&o),
        stderr(&o)
    );
}

#[test]
fn ingest_killed_at_ten_points_loses_and_doubles_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("src");
    corpus(&src);

    // The reference: one uninterrupted ingest, timed to place the kill points.
    let reference = tmp.path().join("reference");
    let start = Instant::now();
    let o = ingest_cmd(&reference, &src).output().unwrap();
    let full = start.elapsed();
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let want = export(&reference);
    assert_eq!(want.len(), FILES as usize);

    let archive = tmp.path().join("archive");
    let mut previous = 0;
    let mut killed_running = 0;
    for k in 1..=KILLS {
        let mut child = ingest_cmd(&archive, &src)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // Each run resumes where the last was killed, so each gets a slice of the
        // whole: ten slices of a half, three quarters or a whole twelfth (about
        // two thirds of the run in all), each ending at another phase of a batch.
        let slice = [0.5, 0.75, 1.0][k as usize % 3] / f64::from(KILLS + 2);
        std::thread::sleep(full.mul_f64(slice));
        if child.try_wait().unwrap().is_none() {
            killed_running += 1;
        }
        // Child::kill sends SIGKILL.
        child.kill().unwrap();
        child.wait().unwrap();
        if !archive.join("archive.sqlite3").is_file() {
            continue;
        }
        verify(&archive);
        let (cables, sources) = counts(&archive);
        assert!(
            cables >= previous,
            "kill {k}: lost cables ({cables} < {previous})"
        );
        assert_eq!(sources, cables, "kill {k}: a copy stored twice or lost");
        previous = cables;
        eprintln!("kill {k}: {cables} cables committed, verify ok");
    }
    eprintln!("{killed_running} of {KILLS} kills met a running ingest");
    assert!(
        killed_running >= KILLS / 2,
        "only {killed_running} of {KILLS} kills met a running ingest"
    );

    let o = ingest_cmd(&archive, &src).output().unwrap();
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    verify(&archive);
    assert_eq!(counts(&archive), (i64::from(FILES), i64::from(FILES)));
    assert_eq!(export(&archive), want, "the resumed archive differs");
}
