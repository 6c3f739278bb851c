//! Ingest edge cases an attack found (issue 13): many identical files, a file
//! emptied between two ingests, an archive inside the folder being ingested, and
//! a FIFO named as an input.

mod common;

use std::path::Path;

use cablescope_archive::store::Store;
use cablescope_archive::{Archive, IngestOptions};
use cablescope_testkit::write;

fn ingest(a: &mut Archive, paths: &[&Path], opts: &IngestOptions) -> cablescope_archive::Progress {
    let paths: Vec<_> = paths.iter().map(|p| p.to_path_buf()).collect();
    a.ingest(&paths, opts, &mut |_| {}).unwrap()
}

#[test]
fn identical_files_cost_linear_merge_work() {
    const N: usize = 5000;
    const BATCH: usize = 100;
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("src");
    let text = common::simple("MOSCOW", 1599, "One cable copied under many names.");
    for i in 0..N {
        write(&src, format!("d{:02}/copy{i:05}.txt", i / 500), &text);
    }
    let mut a = Archive::open(tmp.path().join("archive")).unwrap();
    let opts = IngestOptions {
        batch_files: BATCH,
        ..IngestOptions::default()
    };
    let p = ingest(&mut a, &[&src], &opts);
    assert_eq!(p.cables_read, N as u64);
    assert_eq!(a.store().count().unwrap(), 1);
    // Every copy is kept (removing one input leaves the cable)...
    let sources: i64 = a
        .store()
        .as_sqlite()
        .expect("embedded")
        .connection()
        .query_row("SELECT count(*) FROM sources", [], |r| r.get(0))
        .unwrap();
    assert_eq!(sources, N as i64);
    // ...but each batch merges the one content once (the stored copy and the
    // batch's identical ones), not every copy so far: N / BATCH batches, at most
    // two merge inputs each. Without the content dedupe this is about
    // N² / (2 · BATCH) = 125,000.
    let batches = N.div_ceil(BATCH) as u64;
    eprintln!(
        "{N} identical files: {} batches, {} merge inputs, {sources} copies kept",
        p.batches, p.merge_inputs
    );
    assert!(p.batches <= batches, "{} batches", p.batches);
    assert!(
        p.merge_inputs <= 2 * batches,
        "merge work {} for {N} identical files in {} batches",
        p.merge_inputs,
        p.batches
    );
    let cable = a.cable("08MOSCOW1599").unwrap().unwrap();
    assert!(
        cable.sources.len() <= 2,
        "{} sources merged",
        cable.sources.len()
    );
    assert!(a.verify().unwrap().ok());
}

#[test]
fn an_emptied_file_keeps_its_cable_and_fails_until_written_again() {
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("src");
    let file = write(
        &src,
        "c.txt",
        common::simple("PARIS", 7, "Kept across a rewrite."),
    );
    let mut a = Archive::open(tmp.path().join("archive")).unwrap();
    let p = ingest(&mut a, &[&src], &IngestOptions::default());
    assert_eq!(p.files_failed, 0);
    assert!(a.cable("08PARIS7").unwrap().is_some());

    // Caught mid-rewrite: truncated, nothing written yet.
    std::fs::write(&file, b"").unwrap();
    let p = ingest(&mut a, &[&src], &IngestOptions::default());
    assert_eq!(p.files_failed, 1, "{p:?}");
    assert_eq!(p.cables_removed, 0);
    assert!(p.errors[0].contains("empty now"), "{:?}", p.errors);
    assert!(
        a.cable("08PARIS7").unwrap().is_some(),
        "the cable was removed"
    );
    assert!(a.verify().unwrap().ok());

    // Written again: read again, no failure.
    write(
        &src,
        "c.txt",
        common::simple("PARIS", 7, "Rewritten in full."),
    );
    let p = ingest(&mut a, &[&src], &IngestOptions::default());
    assert_eq!(p.files_failed, 0, "{p:?}");
    let c = a.cable("08PARIS7").unwrap().unwrap();
    assert!(c.paragraphs[0].text.contains("Rewritten"));
}

#[test]
fn the_archives_own_folder_is_not_ingested() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    write(
        root,
        "cables/c.txt",
        common::simple("ROME", 3, "A cable beside the archive."),
    );
    let mut a = Archive::open(root.join("archive")).unwrap();
    // Twice: the second run finds the index and store files the first wrote.
    for _ in 0..2 {
        let p = ingest(&mut a, &[root], &IngestOptions::default());
        assert_eq!(p.files_failed, 0, "{:?}", p.errors);
        assert!(p.errors.is_empty(), "{:?}", p.errors);
    }
    let inputs = a.store().inputs().unwrap();
    assert_eq!(inputs.len(), 1, "{:?}", inputs.keys().collect::<Vec<_>>());
    assert!(inputs.keys().all(|k| k.ends_with("cables/c.txt")));
    assert_eq!(a.store().count().unwrap(), 1);
}

#[cfg(unix)]
#[test]
fn a_fifo_named_as_an_input_is_refused_and_the_rest_ingested() {
    let tmp = tempfile::tempdir().unwrap();
    let fifo = tmp.path().join("pipe");
    let ok = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .expect("mkfifo runs")
        .success();
    assert!(ok);
    let after = write(
        tmp.path(),
        "c.txt",
        common::simple("OSLO", 9, "After the pipe."),
    );
    let mut a = Archive::open(tmp.path().join("archive")).unwrap();
    // Opening a FIFO nobody writes to blocks forever: returning is the test.
    let p = ingest(&mut a, &[&fifo, &after], &IngestOptions::default());
    assert_eq!(p.files_failed, 1, "{p:?}");
    assert!(p.errors[0].contains("not a regular file"), "{:?}", p.errors);
    assert!(a.cable("08OSLO9").unwrap().is_some());
}

#[test]
fn created_ranges_beyond_the_index_span_mean_from_the_start_or_to_the_end() {
    use cablescope_archive::{Scope, SearchOptions};
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("src");
    write(
        &src,
        "c.txt",
        common::simple("MOSCOW", 1599, "Dated June 2008."),
    );
    let mut a = Archive::open(tmp.path().join("archive")).unwrap();
    ingest(&mut a, &[&src], &IngestOptions::default());
    let total = |q: &str| {
        a.search_str(q, &SearchOptions::new(Scope::unrestricted()))
            .unwrap_or_else(|e| panic!("{q}: {e}"))
            .total
    };
    // tantivy holds 1677 to 2262; these used to overflow (a panic in a debug
    // build, nothing found in a release one).
    assert_eq!(total("created:[1000 TO 2010]"), 1);
    assert_eq!(total("created:[2000 TO 9000]"), 1);
    assert_eq!(total("created:{1000 TO *]"), 1);
    assert_eq!(total("created:[1000 TO 1500]"), 0);
    assert_eq!(total("created:3000"), 0);
    assert_eq!(total("created:1200"), 0);
    // Malformed or reversed ranges are query errors, never silently nothing.
    for bad in [
        "created:[2010 TO 2000]",
        "created:[2008 TO 2007-13]",
        "created:999",
    ] {
        let e = a
            .search_str(bad, &SearchOptions::new(Scope::unrestricted()))
            .unwrap_err();
        assert!(
            matches!(e, cablescope_archive::Error::Query(_)),
            "{bad}: {e}"
        );
    }
}
