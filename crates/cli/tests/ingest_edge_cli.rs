//! `cablescope ingest` edge cases from the command line: a FIFO named as an input
//! is refused without being opened (the rest ingested, exit 1), and ingesting a
//! folder that holds the archive skips the archive's own files.

#![cfg(unix)]

mod common;

use std::time::{Duration, Instant};

use cablescope_testkit::{write, Telegram};
use common::{bin, code, run, stderr, stdout};

#[test]
fn a_fifo_named_on_the_command_line_is_refused_at_once() {
    let tmp = tempfile::tempdir().unwrap();
    let fifo = tmp.path().join("pipe");
    assert!(std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap()
        .success());
    let file = write(
        tmp.path(),
        "c.txt",
        Telegram::new("OSLO", 9).para("U", "After the pipe.").text(),
    );
    let archive = tmp.path().join("archive");
    let mut child = bin()
        .args([
            "ingest",
            "--archive",
            archive.to_str().unwrap(),
            fifo.to_str().unwrap(),
            file.to_str().unwrap(),
        ])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Opening a FIFO nobody writes to blocks forever; a hang guard, not a timing
    // assertion: a refused FIFO returns at once, a hang never does.
    let start = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if start.elapsed() > Duration::from_secs(120) {
            child.kill().unwrap();
            panic!("ingest hung on a FIFO named as an input");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let mut err = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err).unwrap();
    assert_eq!(status.code(), Some(1), "{err}");
    assert!(err.contains("not a regular file"), "{err}");
    let o = run(&["show", "--archive", archive.to_str().unwrap(), "08OSLO9"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
}

#[test]
fn ingesting_the_folder_that_holds_the_archive_skips_the_archive() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    write(
        root,
        "cables/c.txt",
        Telegram::new("ROME", 3)
            .para("U", "Beside the archive.")
            .text(),
    );
    let archive = root.join("archive");
    for _ in 0..2 {
        let o = run(&[
            "ingest",
            "--archive",
            archive.to_str().unwrap(),
            "--format",
            "json",
            root.to_str().unwrap(),
        ]);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
        assert_eq!(v["files_failed"], 0, "{v}");
    }
    let o = run(&["verify", "--archive", archive.to_str().unwrap()]);
    assert_eq!(code(&o), 0, "{}", stdout(&o));
    assert!(stdout(&o).starts_with("store: 1 cables"), "{}", stdout(&o));
}
