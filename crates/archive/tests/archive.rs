//! Archive behaviour over small hand-written fixtures.

mod backend;
mod common;

use cablescope_archive::FacetSet;
use std::path::{Path, PathBuf};

use cablescope_archive::index::{all_query, norm, Index};
use cablescope_archive::store::Store;
use cablescope_archive::{
    Archive, Clearance, Direction, Error, IngestOptions, Progress, Scope, SearchOptions, Sort,
};
use cablescope_testkit::{write, Telegram};
use common::{simple, widget};
use tantivy::query::{BooleanQuery, Occur, Query, TermQuery};
use tantivy::schema::IndexRecordOption;
use tantivy::Term;

fn cited() -> Telegram {
    Telegram::new("MOSCOW", 1500)
        .dtg("011119Z JUN 08")
        .class("CONFIDENTIAL")
        .subject("(C) EARLIER WIDGET NOTE")
        .para("C", "An earlier note on widgets and zebra matters.")
}

fn opts() -> IngestOptions {
    IngestOptions {
        batch_files: 2,
        ..IngestOptions::default()
    }
}

fn ingest(a: &mut Archive, paths: &[&Path]) -> Progress {
    let paths: Vec<PathBuf> = paths.iter().map(|p| p.to_path_buf()).collect();
    a.ingest(&paths, &opts(), &mut |_| {}).expect("ingest")
}

fn word_query(a: &Archive, word: &str, c: &Clearance) -> Box<dyn Query> {
    let f = a.index().fields();
    let scope = cablescope_archive::Scope {
        clearance: c.clone(),
        ..cablescope_archive::Scope::unrestricted()
    };
    let view = cablescope_archive::gating::ReaderView::new(f, &scope);
    let clauses: Vec<(Occur, Box<dyn Query>)> = view
        .text_fields()
        .into_iter()
        .map(|(field, gate)| {
            let q: Box<dyn Query> = Box::new(TermQuery::new(
                Term::from_field_text(field, word),
                IndexRecordOption::WithFreqs,
            ));
            (Occur::Should, view.gated(gate, q))
        })
        .collect();
    Box::new(BooleanQuery::new(clauses))
}

fn hits(a: &Archive, word: &str, c: &Clearance) -> Vec<String> {
    let q = word_query(a, word, c);
    let opts = SearchOptions {
        scope: cablescope_archive::Scope {
            clearance: c.clone(),
            ..cablescope_archive::Scope::unrestricted()
        },
        ..SearchOptions::new(cablescope_archive::Scope::unrestricted())
    };
    let mut ids: Vec<String> = a
        .search(q.as_ref(), &opts)
        .unwrap()
        .hits
        .into_iter()
        .map(|h| h.id)
        .collect();
    ids.sort();
    ids
}

fn setup() -> (tempfile::TempDir, PathBuf, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("src");
    write(&src, "a/08MOSCOW1599.txt", widget().text());
    write(&src, "a/08MOSCOW1500.txt", cited().text());
    write(
        &src,
        "b/08PARIS77.txt",
        simple("PARIS", 77, "Croissants and policy."),
    );
    let archive = tmp.path().join("archive");
    (tmp, src, archive)
}

#[test]
fn ingest_then_reingest_adds_nothing() {
    let (_tmp, src, dir) = setup();
    let mut a = backend::open(&dir);
    let p = ingest(&mut a, &[&src]);
    assert_eq!(p.files_seen, 3);
    assert_eq!(p.files_parsed, 3);
    assert_eq!(p.cables_written, 3);
    assert_eq!(p.per_format.get("telegram"), Some(&3));
    assert!(p.done);
    assert_eq!(a.store().count().unwrap(), 3);
    let v = a.verify().unwrap();
    assert!(v.ok(), "{v:?}");
    assert_eq!(v.index_count, 3);

    let c = a.cable("08MOSCOW1599").unwrap().unwrap();
    assert_eq!(c.classification.as_deref(), Some("SECRET"));
    let seq = a.store().last_seq().unwrap();

    // Same files again, same process.
    let p = ingest(&mut a, &[&src]);
    assert_eq!(p.files_unchanged, 3);
    assert_eq!(p.cables_written, 0);
    assert_eq!(a.store().last_seq().unwrap(), seq);
    drop(a);

    // And after reopening, with a fresh mtime but the same bytes.
    let path = src.join("b/08PARIS77.txt");
    let text = std::fs::read_to_string(&path).unwrap();
    std::thread::sleep(std::time::Duration::from_millis(20));
    std::fs::write(&path, text).unwrap();
    let mut a = backend::open(&dir);
    let p = ingest(&mut a, &[&src]);
    assert_eq!(p.files_unchanged, 3, "{p:?}");
    assert_eq!(p.files_parsed, 0);
    assert_eq!(a.store().last_seq().unwrap(), seq);
    assert_eq!(a.index().count().unwrap(), 3);
    assert!(a.verify().unwrap().ok());
}

#[test]
fn changed_file_updates_its_records() {
    let (_tmp, src, dir) = setup();
    let mut a = backend::open(&dir);
    ingest(&mut a, &[&src]);
    let all = Clearance::all();
    assert_eq!(hits(&a, "croissants", &all), ["08PARIS77"]);
    write(
        &src,
        "b/08PARIS77.txt",
        simple("PARIS", 77, "Baguettes replaced them."),
    );
    let p = ingest(&mut a, &[&src]);
    assert_eq!(p.files_parsed, 1);
    assert_eq!(p.cables_written, 1);
    assert!(hits(&a, "croissants", &all).is_empty());
    assert_eq!(hits(&a, "baguettes", &all), ["08PARIS77"]);
    // The file now holds another cable: the old one goes.
    write(
        &src,
        "b/08PARIS77.txt",
        simple("PARIS", 78, "Another serial."),
    );
    let p = ingest(&mut a, &[&src]);
    assert_eq!(p.cables_removed, 1);
    assert!(a.cable("08PARIS77").unwrap().is_none());
    assert!(a.cable("08PARIS78").unwrap().is_some());
    let v = a.verify().unwrap();
    assert!(v.ok(), "{v:?}");
    assert_eq!(v.store_count, 3);
}

#[test]
fn copies_merge_and_remove_by_source_keeps_the_rest() {
    let (_tmp, src, dir) = setup();
    // A second copy of the Paris cable, in another folder, differing in its
    // signature (identical copies are merged once: `edge_cases.rs`).
    write(
        &src,
        "c/copy.txt",
        Telegram::new("PARIS", 77)
            .para("U", "Croissants and policy.")
            .signature("HARTLEY")
            .text(),
    );
    let mut a = backend::open(&dir);
    ingest(&mut a, &[&src]);
    assert_eq!(a.store().count().unwrap(), 3);
    assert_eq!(a.store().copies_of("08PARIS77").unwrap().len(), 2);
    assert_eq!(a.cable("08PARIS77").unwrap().unwrap().sources.len(), 2);

    let copy = src.join("c/copy.txt");
    let r = a.remove_source(copy.to_str().unwrap()).unwrap();
    assert_eq!(r.updated, ["08PARIS77"]);
    assert!(r.cables.is_empty());
    assert_eq!(a.store().copies_of("08PARIS77").unwrap().len(), 1);

    // A folder prefix takes out everything under it.
    let r = a.remove_source(src.join("a").to_str().unwrap()).unwrap();
    assert_eq!(r.cables.len(), 2);
    assert_eq!(r.sources.len(), 2);
    let v = a.verify().unwrap();
    assert!(v.ok(), "{v:?}");
    assert_eq!(v.store_count, 1);
    assert!(matches!(
        a.remove_source("/nowhere"),
        Err(Error::NotFound(_))
    ));
}

#[test]
fn remove_by_id_is_a_takedown() {
    let (_tmp, src, dir) = setup();
    let mut a = backend::open(&dir);
    ingest(&mut a, &[&src]);
    a.remove_id("08MOSCOW1599").unwrap();
    assert!(a.cable("08MOSCOW1599").unwrap().is_none());
    assert!(hits(&a, "widget", &Clearance::all()) == ["08MOSCOW1500"]);
    let v = a.verify().unwrap();
    assert!(v.ok(), "{v:?}");
    // Re-ingesting the unchanged files does not bring it back.
    ingest(&mut a, &[&src]);
    assert!(a.cable("08MOSCOW1599").unwrap().is_none());
    assert!(matches!(
        a.remove_id("08MOSCOW1599"),
        Err(Error::NotFound(_))
    ));
}

#[test]
fn graph_and_stats() {
    let (_tmp, src, dir) = setup();
    let mut a = backend::open(&dir);
    ingest(&mut a, &[&src]);
    let w = a.refs("08MOSCOW1599", Direction::Cites, 1).unwrap();
    let ids: Vec<&str> = w.nodes.iter().map(|n| n.id.as_str()).collect();
    assert_eq!(ids, ["08MOSCOW1599", "08MOSCOW1500", "08STATE12345"]);
    assert_eq!(w.missing(), ["08STATE12345"]);
    assert_eq!(w.edges.len(), 2);
    let back = a.refs("08MOSCOW1500", Direction::CitedBy, 3).unwrap();
    assert_eq!(back.nodes.len(), 2);
    assert!(back.missing().is_empty());
    let both = a.refs("08MOSCOW1500", Direction::Both, 2).unwrap();
    assert_eq!(both.nodes.len(), 3);
    assert_eq!(both.missing(), ["08STATE12345"]);
    assert_eq!(
        a.cites_of("08MOSCOW1599").unwrap(),
        ["08MOSCOW1500", "08STATE12345"]
    );

    let s = a.stats(10).unwrap();
    assert_eq!(s.cables, 3);
    assert_eq!(s.by_year, [("2008".to_string(), 3)]);
    assert_eq!(s.by_origin[0], ("MOSCOW".to_string(), 2));
    assert_eq!(s.most_cited_missing, [("08STATE12345".to_string(), 1)]);
    assert_eq!(s.by_level.iter().map(|x| x.1).sum::<u64>(), 3);
}

#[test]
fn search_respects_clearance_inside_the_query() {
    let (_tmp, src, dir) = setup();
    let mut a = backend::open(&dir);
    ingest(&mut a, &[&src]);
    let all = Clearance::all();
    let u = Clearance::parse("U", &[]).unwrap();
    let c = Clearance::parse("CONFIDENTIAL", &[]).unwrap();
    let s = Clearance::parse("S", &[]).unwrap();
    let snf = Clearance::parse("S", &["NOFORN"]).unwrap();
    assert_eq!(hits(&a, "canarysecret", &all), ["08MOSCOW1599"]);
    assert!(hits(&a, "canarysecret", &c).is_empty());
    assert!(hits(&a, "canarysecret", &s).is_empty());
    assert_eq!(hits(&a, "canarysecret", &snf), ["08MOSCOW1599"]);
    assert_eq!(hits(&a, "zebra", &c), ["08MOSCOW1500", "08MOSCOW1599"]);
    assert!(hits(&a, "zebra", &u).is_empty());
    // The (C) subject is withheld from a U reader, but the (U) paragraph is not.
    assert_eq!(hits(&a, "delegation", &u), ["08MOSCOW1599"]);
    assert!(hits(&a, "ministry", &u).is_empty());
    assert_eq!(hits(&a, "ministry", &c), ["08MOSCOW1599"]);

    // `*` for a U reader counts only cables with something readable: the
    // CONFIDENTIAL cable has no U portion and a C header.
    let q = all_query();
    let res = a
        .search(
            q.as_ref(),
            &SearchOptions {
                scope: cablescope_archive::Scope {
                    clearance: u.clone(),
                    ..cablescope_archive::Scope::unrestricted()
                },
                facets: FacetSet::ALL,
                ..SearchOptions::new(cablescope_archive::Scope::unrestricted())
            },
        )
        .unwrap();
    assert_eq!(res.total, 2, "{res:?}");
    let levels = &res.facets["level"];
    assert!(levels.iter().all(|(k, _)| k != "C"), "{levels:?}");

    // Snippets come from readable text only.
    let q = word_query(&a, "widget", &c);
    let res = a
        .search(
            q.as_ref(),
            &SearchOptions {
                scope: cablescope_archive::Scope {
                    clearance: c.clone(),
                    ..cablescope_archive::Scope::unrestricted()
                },
                snippets: true,
                sort: Sort::DateDesc,
                ..SearchOptions::new(cablescope_archive::Scope::unrestricted())
            },
        )
        .unwrap();
    assert_eq!(res.total, 2);
    assert_eq!(res.hits[0].id, "08MOSCOW1599", "newest first");
    let snip = res.hits[0].snippet.clone().unwrap();
    assert!(snip.contains("<b>widget</b>"), "{snip}");
    assert!(!snip.contains("canarysecret"));
}

#[test]
fn facets_ids_and_pages() {
    let (_tmp, src, dir) = setup();
    let mut a = backend::open(&dir);
    ingest(&mut a, &[&src]);
    let f = a.index().fields().clone();
    for (written, field, term) in [
        ("08 MOSCOW 01599", "id", "08MOSCOW1599"),
        ("08MOSCOW1599", "id", "08MOSCOW1599"),
        ("MOSCOW 1599", "id_noyear", "MOSCOW1599"),
    ] {
        assert_eq!(
            norm::id_terms(written),
            Some((field, term.to_string())),
            "{written}"
        );
        let fld = if field == "id" { f.id } else { f.id_noyear };
        let q = TermQuery::new(Term::from_field_text(fld, term), IndexRecordOption::Basic);
        let res = a
            .search(
                &q,
                &SearchOptions::new(cablescope_archive::Scope::unrestricted()),
            )
            .unwrap();
        assert_eq!(res.total, 1, "{written}");
    }
    assert_eq!(norm::level("secret"), Some("S"));
    assert_eq!(norm::marking("s//nf").as_deref(), Some("S/NF"));

    let q = TermQuery::new(
        Term::from_field_text(f.cites, "08MOSCOW1500"),
        IndexRecordOption::Basic,
    );
    assert_eq!(
        a.search(
            &q,
            &SearchOptions::new(cablescope_archive::Scope::unrestricted())
        )
        .unwrap()
        .total,
        1
    );

    let q = all_query();
    let res = a
        .search(
            q.as_ref(),
            &SearchOptions {
                limit: 2,
                facets: FacetSet::ALL,
                sort: Sort::Date,
                ..SearchOptions::new(cablescope_archive::Scope::unrestricted())
            },
        )
        .unwrap();
    assert_eq!(res.total, 3);
    assert_eq!(res.hits.len(), 2);
    assert_eq!(res.hits[0].id, "08MOSCOW1500", "oldest first");
    assert_eq!(res.next_offset, Some(2));
    assert_eq!(res.facets["origin"][0], ("MOSCOW".to_string(), 2));
    assert_eq!(res.facets["year"], [("2008".to_string(), 3)]);
    assert!(res.facets["tag"].contains(&("PREL".to_string(), 3)));
    assert!(res.facets["caption"].contains(&("SIPDIS".to_string(), 3)));
    let page2 = a
        .search(
            q.as_ref(),
            &SearchOptions {
                limit: 2,
                offset: 2,
                sort: Sort::Date,
                ..SearchOptions::new(cablescope_archive::Scope::unrestricted())
            },
        )
        .unwrap();
    assert_eq!(page2.hits.len(), 1);
    assert_eq!(page2.next_offset, None);
}

#[test]
fn failed_inputs_are_recorded_and_retried() {
    let (_tmp, src, dir) = setup();
    let bad = write(&src, "b/broken.txt", "");
    std::fs::write(&bad, [0u8, 159, 146, 150, 0, 0, 1, 2, 3, 0, 0, 0]).unwrap();
    let mut a = backend::open(&dir);
    let p = ingest(&mut a, &[&src]);
    assert_eq!(p.files_failed, 1, "{p:?}");
    assert_eq!(p.errors.len(), 1);
    let inputs = a.store().inputs().unwrap();
    let rec = &inputs[bad.to_str().unwrap()];
    assert!(!rec.ok);
    assert!(rec.error.is_some());

    // Retrying reads only the failed file.
    std::fs::write(&bad, simple("ROME", 5, "Fixed now.")).unwrap();
    let p = a.retry_failed(&opts(), &mut |_| {}).unwrap();
    assert_eq!(p.files_seen, 1, "{p:?}");
    assert_eq!(p.files_failed, 0);
    assert!(a.cable("08ROME5").unwrap().is_some());
    assert!(a.store().inputs().unwrap().values().all(|i| i.ok));
    // Nothing left to retry.
    let p = a.retry_failed(&opts(), &mut |_| {}).unwrap();
    assert_eq!(p.files_seen, 0);
    assert!(a.verify().unwrap().ok());
}

#[test]
fn another_format_version_is_refused_clearly() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("archive");
    // The embedded store's own version row (PostgreSQL versions its schema
    // in a table of its own).
    drop(Archive::open(&dir).unwrap());
    let conn = rusqlite::Connection::open(dir.join("archive.sqlite3")).unwrap();
    conn.execute("UPDATE meta SET value='99' WHERE key='format_version'", [])
        .unwrap();
    drop(conn);
    let err = Archive::open(&dir).err().expect("refused");
    let msg = err.to_string();
    assert!(matches!(
        err,
        Error::FormatVersion {
            found: 99,
            expected: cablescope_archive::FORMAT_VERSION,
            ..
        }
    ));
    assert!(msg.contains("format version 99"), "{msg}");
    assert!(msg.contains("newer cablescope"), "{msg}");
}

#[test]
fn a_lost_index_is_rebuilt_from_the_store() {
    let (_tmp, src, dir) = setup();
    let mut a = backend::open(&dir);
    ingest(&mut a, &[&src]);
    drop(a);
    std::fs::remove_dir_all(dir.join("index")).unwrap();
    let a = backend::open(&dir);
    let v = a.verify().unwrap();
    assert!(v.ok(), "{v:?}");
    assert_eq!(v.index_count, 3);
}

#[test]
fn a_store_ahead_of_its_index_is_caught_up_on_open() {
    // What a kill between the store commit and the index commit leaves behind.
    let (_tmp, src, dir) = setup();
    let mut a = backend::open(&dir);
    ingest(&mut a, &[&src]);
    let mut cable = a.cable("08PARIS77").unwrap().unwrap();
    drop(a);
    cable.paragraphs[0].text = "Macarons arrived instead.".into();
    {
        let mut store = cablescope_archive::AnyStore::open(&dir, &backend::location(&dir)).unwrap();
        let batch = cablescope_archive::store::WriteBatch {
            upsert: vec![cable],
            delete: vec!["08MOSCOW1500".into()],
            drop_copies_of: vec!["08MOSCOW1500".into()],
            ..Default::default()
        };
        store.write(&batch).unwrap();
        let index = cablescope_archive::TantivyIndex::open(&dir).unwrap();
        assert!(index.committed_seq().unwrap() < store.last_seq().unwrap());
        // Before catching up, verify reports the disagreement.
        let lagging = Archive::from_parts(dir.clone(), store, index);
        let v = lagging.verify().unwrap();
        assert!(!v.ok());
        assert_eq!(v.stale_in_index, ["08PARIS77"]);
        assert_eq!(v.extra_in_index, ["08MOSCOW1500"]);
    }
    let a = backend::open(&dir);
    let v = a.verify().unwrap();
    assert!(v.ok(), "{v:?}");
    assert_eq!(v.store_count, 2);
    assert_eq!(hits(&a, "macarons", &Clearance::all()), ["08PARIS77"]);
    assert!(hits(&a, "croissants", &Clearance::all()).is_empty());
}

#[test]
fn paths_are_canonical_so_another_spelling_adds_nothing() {
    let (_tmp, src, dir) = setup();
    let mut a = backend::open(&dir);
    ingest(&mut a, &[&src]);
    let other = src.join("a").join("..").join(".");
    let p = ingest(&mut a, &[&other]);
    assert_eq!(p.files_unchanged, 3, "{p:?}");
    assert_eq!(a.store().copies_of("08PARIS77").unwrap().len(), 1);
    assert_eq!(norm::origin("AMEMBASSY MOSCOW"), "MOSCOW");
    assert_eq!(norm::origin("moscow"), "MOSCOW");
}

/// Every record of the store as the store API reads it: the merged records by
/// id, and each copy's record by (path, item).
type Records = (
    Vec<(String, cablescope_format::Cable)>,
    Vec<((String, u64), cablescope_format::Cable)>,
);

fn all_records(a: &Archive) -> Records {
    let mut cables = Vec::new();
    let mut copies = Vec::new();
    for id in a.store().ids().unwrap() {
        cables.push((id.clone(), a.cable(&id).unwrap().expect("listed")));
        for c in a.store().copies_of(&id).unwrap() {
            copies.push(((c.path, c.item), c.record));
        }
    }
    (cables, copies)
}

/// Rewrites the embedded store as format `version` wrote it: every record,
/// each copy's included (older formats stored every copy's in full), stored as
/// `encode` makes it of the record's JSON.
fn rewrite_as_format(
    dir: &Path,
    version: u32,
    records: &Records,
    encode: impl Fn(String) -> rusqlite::types::Value,
) {
    let conn = rusqlite::Connection::open(dir.join("archive.sqlite3")).unwrap();
    for (id, c) in &records.0 {
        let v = encode(serde_json::to_string(c).unwrap());
        conn.execute(
            "UPDATE cables SET record=?1 WHERE id=?2",
            rusqlite::params![v, id],
        )
        .unwrap();
    }
    for ((path, item), c) in &records.1 {
        let v = encode(serde_json::to_string(c).unwrap());
        let n = conn
            .execute(
                "UPDATE sources SET record=?1 WHERE path=?2 AND item=?3",
                rusqlite::params![v, path, *item as i64],
            )
            .unwrap();
        assert_eq!(n, 1);
    }
    conn.execute(
        "UPDATE meta SET value=?1 WHERE key='format_version'",
        [version.to_string()],
    )
    .unwrap();
}

fn format_version(dir: &Path) -> String {
    rusqlite::Connection::open(dir.join("archive.sqlite3"))
        .unwrap()
        .query_row(
            "SELECT value FROM meta WHERE key='format_version'",
            [],
            |r| r.get(0),
        )
        .unwrap()
}

#[test]
fn stores_of_older_formats_are_migrated_and_read_as_written() {
    use rusqlite::types::Value;
    type Encode = fn(String) -> Value;
    let formats: [(u32, Encode); 2] = [
        // Version 1: JSON text.
        (1, Value::Text),
        // Version 2: LZ4 with the length prepended.
        (2, |json| {
            Value::Blob(lz4_flex::compress_prepend_size(json.as_bytes()))
        }),
    ];
    for (version, encode) in formats {
        let (_tmp, src, dir) = setup();
        let mut a = Archive::open(&dir).unwrap();
        a.ingest(&[src], &opts(), &mut |_| {}).unwrap();
        let before = all_records(&a);
        assert_eq!(before.0.len(), 3);
        assert_eq!(before.1.len(), 3);
        drop(a);
        rewrite_as_format(&dir, version, &before, encode);
        let a = Archive::open(&dir).unwrap();
        assert_eq!(all_records(&a), before, "format {version}");
        assert!(a.verify().unwrap().ok(), "format {version}");
        assert_eq!(
            format_version(&dir),
            cablescope_archive::FORMAT_VERSION.to_string()
        );
    }
}

/// Copies stored as "the same as the merged record" (empty BLOBs), counted.
fn copies_stored_once(dir: &Path) -> i64 {
    rusqlite::Connection::open(dir.join("archive.sqlite3"))
        .unwrap()
        .query_row(
            "SELECT count(*) FROM sources WHERE length(record) = 0",
            [],
            |r| r.get(0),
        )
        .unwrap()
}

#[test]
fn a_copy_stored_once_with_its_cable_keeps_its_record_when_the_cable_changes() {
    let (_tmp, src, dir) = setup();
    let mut a = Archive::open(&dir).unwrap();
    ingest(&mut a, &[&src]);
    // Three cables, each from one copy: each copy's record is its cable's and is
    // stored once.
    assert_eq!(copies_stored_once(&dir), 3);
    let first = a.store().copies_of("08PARIS77").unwrap();
    assert_eq!(first.len(), 1);
    assert_eq!(
        Some(&first[0].record),
        a.cable("08PARIS77").unwrap().as_ref()
    );

    // A second copy, differing in its signature: the merged record changes and
    // is no longer the first copy's, which must still read as it was parsed.
    write(
        &src,
        "c/copy.txt",
        Telegram::new("PARIS", 77)
            .para("U", "Croissants and policy.")
            .signature("HARTLEY")
            .text(),
    );
    ingest(&mut a, &[&src]);
    let both = a.store().copies_of("08PARIS77").unwrap();
    assert_eq!(both.len(), 2);
    let kept = both.iter().find(|c| c.path == first[0].path).unwrap();
    assert_eq!(kept.record, first[0].record);
    let merged = a.cable("08PARIS77").unwrap().unwrap();
    assert_ne!(merged, first[0].record);
    assert_eq!(merged.sources.len(), 2);
    assert_eq!(copies_stored_once(&dir), 2);
    assert!(a.verify().unwrap().ok());

    // The second copy goes: the cable is merged from the first alone again.
    a.remove_source(src.join("c/copy.txt").to_str().unwrap())
        .unwrap();
    let again = a.store().copies_of("08PARIS77").unwrap();
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].record, first[0].record);
    assert!(a.verify().unwrap().ok());

    // Re-ingesting changes nothing, and a takedown leaves no copy behind.
    let p = ingest(&mut a, &[&src]);
    assert_eq!(p.files_unchanged, 3, "{p:?}");
    a.remove_id("08PARIS77").unwrap();
    assert!(a.store().copies_of("08PARIS77").unwrap().is_empty());
    assert!(a.verify().unwrap().ok());
}

#[test]
fn an_index_of_an_older_version_is_rebuilt_on_open() {
    let (_tmp, src, dir) = setup();
    write(&src, "a.txt", widget().text());
    {
        let mut a = backend::open(&dir);
        ingest(&mut a, &[&src]);
    }
    // Archives indexed before index version 3 have no version file (and another
    // schema): they open, and are re-indexed from the store.
    let version = dir
        .join(cablescope_archive::index::INDEX_DIR)
        .join(cablescope_archive::index::INDEX_VERSION_FILE);
    std::fs::remove_file(&version).unwrap();
    let a = backend::open(&dir);
    assert!(a.verify().unwrap().ok());
    assert_eq!(
        std::fs::read_to_string(&version).unwrap().trim(),
        cablescope_archive::index::INDEX_VERSION.to_string()
    );
    let u = Clearance::parse("U", &[]).unwrap();
    assert_eq!(hits(&a, "widget", &u), ["08MOSCOW1599"]);
}

#[test]
fn marking_matches_a_portion_with_at_least_the_controls_named() {
    let tmp = tempfile::tempdir().unwrap();
    let (src, dir) = (tmp.path().join("src"), tmp.path().join("archive"));
    let t = Telegram::new("PARIS", 7)
        .class("SECRET")
        .subject("(U) MARKS")
        .para("S//OC/NF", "Originator controlled.")
        .para("C", "Confidential.");
    write(&src, "a.txt", t.text());
    write(&src, "b.txt", widget().text());
    let mut a = backend::open(&dir);
    ingest(&mut a, &[&src]);
    let all = SearchOptions::new(cablescope_archive::Scope::unrestricted());
    let get = |q: &str| {
        let mut v: Vec<String> = a
            .search_str(q, &all)
            .unwrap()
            .hits
            .into_iter()
            .map(|h| h.id)
            .collect();
        v.sort();
        v
    };
    assert_eq!(get("marking:S/NF"), ["08MOSCOW1599", "08PARIS7"]);
    assert_eq!(get("marking:\"S//ORCON/NOFORN\""), ["08PARIS7"]);
    assert_eq!(get("marking:S/OC"), ["08PARIS7"]);
    assert_eq!(get("marking:OC"), ["08PARIS7"]);
    assert_eq!(get("marking:C"), ["08MOSCOW1599", "08PARIS7"]);
    assert_eq!(get("marking:TS"), Vec::<String>::new());
}

#[test]
fn stats_list_every_mark_unreadable_first() {
    let tmp = tempfile::tempdir().unwrap();
    let (src, dir) = (tmp.path().join("src"), tmp.path().join("archive"));
    let t = Telegram::new("PARIS", 8)
        .class("SECRET")
        .subject("(U) MARKS")
        .para("S//XYZ", "Unreadable.")
        .para("S//OC/NF", "Originator controlled.");
    write(&src, "a.txt", t.text());
    write(&src, "b.txt", widget().text());
    let mut a = backend::open(&dir);
    ingest(&mut a, &[&src]);
    let s = a.stats(10).unwrap();
    assert!(s.marks[0].unknown, "{:?}", s.marks);
    assert_eq!(s.marks[0].level.as_deref(), Some("S"));
    assert!(s.marks.iter().skip(1).all(|m| !m.unknown), "{:?}", s.marks);
    let oc = s
        .marks
        .iter()
        .find(|m| m.code == "S/NF/OC")
        .unwrap_or_else(|| panic!("{:?}", s.marks));
    assert_eq!(oc.controls, ["NOFORN", "ORCON"]);
    assert_eq!(oc.cables, 1);
    let u = s.marks.iter().find(|m| m.code == "U").unwrap();
    assert_eq!(u.cables, 2);
    // Over what a reader may see only: a U reader sees the widget cable by its (U)
    // paragraph, and the other by its (U) subject.
    let scope = cablescope_archive::Scope {
        clearance: Clearance::parse("U", &[]).unwrap(),
        ..cablescope_archive::Scope::unrestricted()
    };
    assert_eq!(a.stats_for(10, &scope).unwrap().marks, s.marks);
}

#[test]
fn a_word_finds_its_other_forms_and_the_exact_form_ranks_first() {
    let tmp = tempfile::tempdir().unwrap();
    let (src, dir) = (tmp.path().join("src"), tmp.path().join("archive"));
    let cables = [
        (
            "PARIS",
            1,
            "U",
            "New sanctions were announced, sanctions on sanctions.",
        ),
        ("PARIS", 2, "U", "The ministry sanctioned the bank."),
        ("PARIS", 3, "U", "One sanction only."),
        ("PARIS", 4, "U", "Sanctuary and sanctity are other words."),
        ("PARIS", 5, "S", "Secret sanctioning of the firm."),
    ];
    for (station, serial, mark, text) in cables {
        let mut t = Telegram::new(station, serial)
            .class(if mark == "S" {
                "SECRET"
            } else {
                "UNCLASSIFIED"
            })
            .subject("(U) NOTE")
            .para(mark, text);
        if mark == "U" {
            t = t.para("U", "Filler.");
        }
        write(&src, format!("{serial}.txt"), t.text());
    }
    let mut a = backend::open(&dir);
    ingest(&mut a, &[&src]);
    let run = |q: &str, c: &Clearance| -> Vec<String> {
        let opts = SearchOptions::new(cablescope_archive::Scope {
            clearance: c.clone(),
            ..cablescope_archive::Scope::unrestricted()
        });
        a.search_str(q, &opts)
            .unwrap()
            .hits
            .into_iter()
            .map(|h| h.id)
            .collect()
    };
    let all = Clearance::all();
    // Every form of the stem, the exact form first; other words sharing only
    // letters (sanctuary, sanctity) are not forms.
    let found = run("sanction", &all);
    assert_eq!(found.len(), 4, "{found:?}");
    assert_eq!(found[0], "08PARIS3", "the exact form first: {found:?}");
    let mut rest = found[1..].to_vec();
    rest.sort();
    assert_eq!(rest, ["08PARIS1", "08PARIS2", "08PARIS5"]);
    let found = run("sanctions", &all);
    assert_eq!(found[0], "08PARIS1", "{found:?}");
    assert_eq!(found.len(), 4);
    // As written: `=word` or a quoted word.
    assert_eq!(run("=sanction", &all), ["08PARIS3"]);
    assert_eq!(run("\"sanctioned\"", &all), ["08PARIS2"]);
    // A form found only in text the reader may not read matches nothing for them.
    let u = Clearance::parse("U", &[]).unwrap();
    let mut found = run("sanction", &u);
    found.sort();
    assert_eq!(found, ["08PARIS1", "08PARIS2", "08PARIS3"]);
    assert!(run("sanctioning", &u).iter().all(|id| id != "08PARIS5"));
    // Fielded and combined queries expand too.
    assert_eq!(run("sanctioned AND NOT =sanctioned", &all).len(), 3);
}

#[test]
fn an_ingest_leaves_the_index_in_at_most_two_segments() {
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("src");
    for i in 0..40u32 {
        write(
            &src,
            format!("c{i:02}.txt"),
            simple("PARIS", 100 + i, &format!("Note {i} about wheat.")),
        );
    }
    let dir = tmp.path().join("archive");
    let mut a = backend::open(&dir);
    // Two files a batch: twenty commits, each adding segments.
    let p = ingest(&mut a, &[&src]);
    assert!(p.batches >= 20, "{p:?}");
    assert!(p.errors.is_empty(), "{p:?}");
    let segments = |a: &Archive| a.index().tantivy().searchable_segment_ids().unwrap();
    assert_eq!(
        segments(&a).len(),
        1,
        "a collection ingested at once ends as one segment"
    );
    // The merged segments' files are gone, not left beside the merged one.
    let strays = |a: &Archive| -> Vec<String> {
        let live: Vec<String> = segments(a).iter().map(|s| s.uuid_string()).collect();
        std::fs::read_dir(dir.join("index"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|name| {
                let stem = name.split('.').next().unwrap_or("");
                stem.len() == 32
                    && stem.bytes().all(|b| b.is_ascii_hexdigit())
                    && !live.iter().any(|l| l == stem)
            })
            .collect()
    };
    assert_eq!(
        strays(&a),
        Vec::<String>::new(),
        "files of merged segments left"
    );
    let wheat = |a: &Archive| {
        a.search_str("wheat", &SearchOptions::new(Scope::unrestricted()))
            .unwrap()
            .total
    };
    assert_eq!(wheat(&a), 40);
    // A small later ingest adds a segment and leaves the large one as it is.
    let large = segments(&a)[0];
    let late = tmp.path().join("late");
    write(
        &late,
        "late.txt",
        simple("ROME", 1, "A late note about wheat."),
    );
    ingest(&mut a, &[&late]);
    let now = segments(&a);
    assert!(now.len() <= 2 && now.contains(&large), "{now:?}");
    assert_eq!(wheat(&a), 41);
    // Two more: the small segments are merged together, the large one kept.
    for n in 2..=3 {
        let late = tmp.path().join(format!("late{n}"));
        write(
            &late,
            "late.txt",
            simple("ROME", n, "Another late note about wheat."),
        );
        ingest(&mut a, &[&late]);
    }
    let now = segments(&a);
    assert!(now.len() == 2 && now.contains(&large), "{now:?}");
    assert_eq!(
        strays(&a),
        Vec::<String>::new(),
        "files of merged segments left"
    );
    assert_eq!(wheat(&a), 43);
    assert!(a.verify().unwrap().ok());
    drop(a);
    // Reopened, the merged index is the committed one.
    let a = backend::open(&dir);
    assert_eq!(wheat(&a), 43);
    assert!(a.verify().unwrap().ok());
}
