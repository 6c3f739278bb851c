//! Index integrity from the outside: damage each kind of index file of a real
//! archive and check that verification names the file and fails, that the health
//! check fails, and that a repair from the store restores the same search results.
//! Backup and restore of an archive while it is read.

mod common;

use cablescope_archive::FacetSet;
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
                        facets: FacetSet::ALL,
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
fn a_lost_index_is_damage_unless_there_was_nothing_to_index() {
    // An ingest killed after creating the store and before creating the index
    // leaves an empty store and no index: nothing is lost, verify says ok.
    let tmp = tempfile::tempdir().unwrap();
    let empty = tmp.path().join("empty");
    drop(Archive::open(&empty).unwrap());
    std::fs::remove_dir_all(empty.join("index")).unwrap();
    let r = verify_dir(&empty).unwrap();
    assert!(r.ok(), "{r:?}");
    // The same loss with cables in the store is damage, named.
    let dir = build(tmp.path());
    std::fs::remove_dir_all(dir.join("index")).unwrap();
    let r = verify_dir(&dir).unwrap();
    assert!(!r.ok());
    assert!(
        r.index_damage.iter().any(|d| d.file == "index/meta.json"),
        "{:?}",
        r.index_damage
    );
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
    // Segments as the commit left them (not merged with the others).
    let opts = IngestOptions {
        compact: false,
        ..IngestOptions::default()
    };
    a.ingest(&[src2], &opts, &mut |_| {}).unwrap();
    a.close_writer();
    // The commit replaced meta.json: the healthy answer of a moment ago is not
    // reused for it.
    let after = monitor.check(&dir.join("index"));
    assert!(after.ok());
    assert!(after.bytes_checksummed > 0);
    assert!(after.segments > again.segments || after.files > again.files);
    let fresh = IndexMonitor::new().check(&dir.join("index"));
    assert!(
        after.bytes_checksummed < fresh.bytes_checksummed,
        "{} of {}",
        after.bytes_checksummed,
        fresh.bytes_checksummed
    );
}

#[test]
fn backups_taken_during_an_ingest_restore_to_archives_that_verify() {
    use cablescope_archive::backup::{backup, restore};
    use std::sync::mpsc;
    let tmp = tempfile::tempdir().unwrap();
    let dir = build(tmp.path());
    let more = tmp.path().join("more");
    for i in 1..=400u32 {
        write(
            &more,
            format!("m{i:03}.txt"),
            common::simple("ROME", 1000 + i, &format!("Olive harvest report {i}.")),
        );
    }
    let (at_batch, paused) = mpsc::channel::<()>();
    let (resume, go_on) = mpsc::channel::<()>();
    let ingest_dir = dir.clone();
    let writer = std::thread::spawn(move || {
        let mut a = Archive::open(&ingest_dir).unwrap();
        let opts = IngestOptions {
            batch_files: 20,
            ..IngestOptions::default()
        };
        let mut signalled = false;
        a.ingest(&[more], &opts, &mut |p| {
            // Between two commits, hold still once while a backup is taken.
            if p.batches == 3 && !signalled {
                signalled = true;
                at_batch.send(()).unwrap();
                go_on.recv().unwrap();
            }
        })
        .unwrap();
    });
    paused.recv().unwrap();
    let mut backups = vec![backup(&dir, &tmp.path().join("b0")).unwrap()];
    resume.send(()).unwrap();
    // More while the ingest runs on, committing as it goes.
    let mut n = 1;
    while !writer.is_finished() && n < 4 {
        backups.push(backup(&dir, &tmp.path().join(format!("b{n}"))).unwrap());
        n += 1;
    }
    writer.join().unwrap();
    let first = &backups[0];
    assert!(first.cables > u64::from(CABLES) && first.cables < u64::from(CABLES) + 400);
    for (i, b) in backups.iter().enumerate() {
        assert!(b.index_seq.is_none_or(|s| s <= b.store_seq), "{b:?}");
        let restored = tmp.path().join(format!("r{i}"));
        let r = restore(&b.dest, &restored).unwrap();
        assert!(r.verify.ok(), "backup {i}: {:?}", r.verify);
        assert_eq!(r.verify.store_count, b.cables, "backup {i}");
        let a = Archive::open_for_reading(&restored).unwrap();
        let all = a
            .search_str("*", &SearchOptions::new(Scope::unrestricted()))
            .unwrap();
        assert_eq!(all.total, b.cables, "backup {i}");
    }
    // The finished archive and a backup of it answer the same.
    let last = backup(&dir, &tmp.path().join("final")).unwrap();
    assert_eq!(last.cables, u64::from(CABLES) + 400);
    let restored = tmp.path().join("final-restored");
    assert!(restore(&last.dest, &restored).unwrap().verify.ok());
    assert_eq!(answers(&restored), answers(&dir));
}
