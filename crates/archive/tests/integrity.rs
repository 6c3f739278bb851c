//! Index integrity from the outside: damage each kind of index file of a real
//! archive and check that verification names the file and fails, that the health
//! check fails, and that a repair from the store restores the same search results.
//! Backup and restore of an archive while it is read.

mod common;

use std::path::{Path, PathBuf};

use cablescope_archive::integrity::{check_index, repair, verify_dir, Depth, IndexMonitor};
use cablescope_archive::{Archive, IngestOptions, Scope, SearchOptions, Sort};
use cablescope_testkit::{write, Telegram};

/// Cables enough that every segment file has a body worth damaging.
const CABLES: u32 = 60;

const QUERIES: &[&str] = &[
    "*",
    "wheat",
    "\"grain exports\"",
    "tag:EAGR",
    "origin:MOSCOW",
    "classification:CONFIDENTIAL",
    "created:[2008-06-01 TO 2008-06-15]",
];

fn corpus(src: &Path) {
    for i in 1..=CABLES {
        let station = if i % 2 == 0 { "MOSCOW" } else { "PARIS" };
        let t = Telegram::new(station, i)
            .dtg(&format!("{:02}1119Z JUN 08", 1 + i % 28))
            .class(if i % 3 == 0 { "CONFIDENTIAL" } else { "UNCLAS" })
            .tags(if i % 4 == 0 { "EAGR, ETRD" } else { "PREL, RS" })
            .subject(&format!("(U) MATTER NUMBER {i}"))
            .para(
                if i % 3 == 0 { "C" } else { "U" },
                &format!("Grain exports and wheat prices, note {i} of the series."),
            )
            .para("U", &format!("Second paragraph with the word harvest{i}."));
        write(src, format!("c{i:03}.txt"), t.text());
    }
}

/// A fresh archive of the corpus, its writer closed.
fn build(root: &Path) -> PathBuf {
    let src = root.join("src");
    corpus(&src);
    let dir = root.join("archive");
    let mut a = Archive::open(&dir).unwrap();
    a.ingest(&[src], &IngestOptions::default(), &mut |_| {})
        .unwrap();
    a.close_writer();
    dir
}

/// Every query's total and hit ids (by date, then id).
fn answers(dir: &Path) -> Vec<(u64, Vec<String>)> {
    let a = Archive::open_for_reading(dir).unwrap();
    QUERIES
        .iter()
        .map(|q| {
            let r = a
                .search_str(
                    q,
                    &SearchOptions {
                        limit: 100,
                        sort: Sort::Date,
                        facets: true,
                        ..SearchOptions::new(Scope::unrestricted())
                    },
                )
                .unwrap();
            let mut ids: Vec<String> = r.hits.iter().map(|h| h.id.clone()).collect();
            ids.sort();
            (r.total, ids)
        })
        .collect()
}

/// The largest file of the index whose name ends in `suffix`.
fn largest(dir: &Path, suffix: &str) -> PathBuf {
    std::fs::read_dir(dir.join("index"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(suffix))
        .max_by_key(|p| std::fs::metadata(p).unwrap().len())
        .unwrap_or_else(|| panic!("no {suffix} file"))
}

/// Flips 16 bytes in the middle of `file` (the content, not the footer).
fn flip(file: &Path) {
    let mut bytes = std::fs::read(file).unwrap();
    assert!(bytes.len() > 64, "{} too small to damage", file.display());
    let mid = bytes.len() / 2 - 8;
    for b in &mut bytes[mid..mid + 16] {
        *b ^= 0xA5;
    }
    std::fs::write(file, bytes).unwrap();
}

#[test]
fn each_damaged_file_kind_is_named_and_repaired() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = build(tmp.path());
    let sound = verify_dir(&dir).unwrap();
    assert!(sound.ok(), "{sound:?}");
    assert_eq!(sound.store_count, CABLES as u64);
    let want = answers(&dir);
    assert_eq!(want[0].0, CABLES as u64);
    assert!(want[1].0 > 0 && want[3].0 > 0 && want[6].0 > 0, "{want:?}");
    let monitor = IndexMonitor::new();
    assert!(monitor.check(&dir.join("index")).ok());

    for kind in [
        ".fast",
        ".term",
        ".idx",
        ".store",
        ".pos",
        ".fieldnorm",
        "meta.json",
    ] {
        let file = largest(&dir, kind);
        let name = format!("index/{}", file.file_name().unwrap().to_string_lossy());
        flip(&file);

        let r = verify_dir(&dir).unwrap();
        assert!(!r.ok(), "{kind}: damage not found");
        assert!(
            r.index_damage.iter().any(|d| d.file == name),
            "{kind}: {name} not named in {:?}",
            r.index_damage
        );
        // The store is sound and counted whatever the index's state.
        assert_eq!(r.store_count, CABLES as u64);
        assert!(r.store_damage.is_empty());
        // A fresh monitor (a server starting) checksums every file once.
        let h = IndexMonitor::new().check(&dir.join("index"));
        assert!(!h.ok(), "{kind}: health check passed");
        assert!(h.summary().contains(&name), "{kind}: {}", h.summary());

        let rep = repair(&dir).unwrap();
        assert!(
            rep.damage_before.iter().any(|d| d.file == name),
            "{kind}: {:?}",
            rep.damage_before
        );
        assert!(rep.verify.ok(), "{kind}: {:?}", rep.verify);
        assert_eq!(rep.cables, CABLES as u64);
        assert!(verify_dir(&dir).unwrap().ok());
        assert_eq!(answers(&dir), want, "{kind}: repaired answers differ");
        assert!(check_index(&dir.join("index"), Depth::Full).ok());
    }
}

#[test]
fn a_missing_segment_file_or_file_list_is_named() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = build(tmp.path());
    let want = answers(&dir);
    let file = largest(&dir, ".term");
    let name = format!("index/{}", file.file_name().unwrap().to_string_lossy());
    std::fs::remove_file(&file).unwrap();
    let r = verify_dir(&dir).unwrap();
    assert!(!r.ok());
    assert!(
        r.index_damage
            .iter()
            .any(|d| d.file == name && d.problem.contains("missing")),
        "{:?}",
        r.index_damage
    );
    repair(&dir).unwrap();
    assert_eq!(answers(&dir), want);

    std::fs::write(dir.join("index/.managed.json"), b"[\"meta.json\"").unwrap();
    let r = verify_dir(&dir).unwrap();
    assert!(
        r.index_damage
            .iter()
            .any(|d| d.file == "index/.managed.json"),
        "{:?}",
        r.index_damage
    );
    repair(&dir).unwrap();
    assert!(verify_dir(&dir).unwrap().ok());
    assert_eq!(answers(&dir), want);
}

#[test]
fn the_monitor_checksums_new_segments_and_catches_later_damage_on_a_fresh_start() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = build(tmp.path());
    let monitor = IndexMonitor::new();
    let first = monitor.check(&dir.join("index"));
    assert!(first.ok());
    assert!(first.bytes_checksummed > 0);
    // Files already checksummed are read by their footer only.
    let again = monitor.check(&dir.join("index"));
    assert!(again.ok());
    assert_eq!(again.bytes_checksummed, 0);
    // A commit adds a segment: only its files are checksummed.
    let src2 = tmp.path().join("src2");
    write(
        &src2,
        "extra.txt",
        common::simple("ROME", 900, "An extra cable about olives."),
    );
    let mut a = Archive::open(&dir).unwrap();
    a.ingest(&[src2], &IngestOptions::default(), &mut |_| {})
        .unwrap();
    a.close_writer();
    let after = monitor.check(&dir.join("index"));
    assert!(after.ok());
    assert!(after.bytes_checksummed > 0);
    let fresh = IndexMonitor::new().check(&dir.join("index"));
    assert!(
        after.bytes_checksummed < fresh.bytes_checksummed,
        "{} of {}",
        after.bytes_checksummed,
        fresh.bytes_checksummed
    );
}
