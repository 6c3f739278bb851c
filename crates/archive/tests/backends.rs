//! The two stores agree: the same ingests, changes and removals on the embedded
//! store and on PostgreSQL leave the same records, copies, edges, counts, change
//! log and search results (for every reader), and a second node's index follows a
//! shared database.
//!
//! The PostgreSQL half needs `CABLESCOPE_TEST_DATABASE` (see
//! `cablescope_testkit::pg`): skipped with a notice locally without it, a failure in
//! CI.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use cablescope_archive::store::{Change, Store};
use cablescope_archive::{
    Archive, Clearance, Direction, IngestOptions, Scope, SearchOptions, StoreLocation,
};
use cablescope_testkit::pg::database_for;
use cablescope_testkit::{write, Telegram};
use common::widget;

fn sources(src: &Path) {
    write(src, "a/08MOSCOW1599.txt", widget().text());
    // The same cable at a lower classification, with the secret paragraph gone:
    // its copies merge at the higher marking.
    write(
        src,
        "b/copy-1599.txt",
        Telegram::new("MOSCOW", 1599)
            .class("CONFIDENTIAL")
            .tags("PREL, PGOV, RS")
            .subject("(C) WIDGET TALKS WITH THE MINISTRY")
            .para("U", "The widget delegation arrived on Tuesday.")
            .para("C", "Confidential paragraph about zebra crossings.")
            .text(),
    );
    write(
        src,
        "a/08MOSCOW1500.txt",
        Telegram::new("MOSCOW", 1500)
            .dtg("011119Z JUN 08")
            .class("CONFIDENTIAL")
            .subject("(C) EARLIER WIDGET NOTE")
            .para("C", "An earlier note on widgets and zebra matters.")
            .text(),
    );
    for (i, station) in ["PARIS", "LONDON", "TOKYO", "BERLIN"].iter().enumerate() {
        write(
            src,
            format!("c/{station}.txt"),
            Telegram::new(station, 100 + i as u32)
                .refs("A. 08 MOSCOW 1599")
                .para(
                    "U",
                    &format!("Unclassified note {i} about widgets from {station}."),
                )
                .text(),
        );
    }
}

/// Everything a store answers, gathered for comparison.
#[derive(Debug, PartialEq)]
struct Answers {
    ids: Vec<String>,
    count: u64,
    records: Vec<String>,
    copies: Vec<(String, u64, String)>,
    cites: Vec<String>,
    cited_by: Vec<String>,
    counts: Vec<Vec<(String, u64)>>,
    missing: Vec<(String, u64)>,
    present: Vec<String>,
    inputs: Vec<(String, bool, u64)>,
    matching: Vec<String>,
    changes: Vec<String>,
    search: Vec<Vec<String>>,
    walk: Vec<String>,
    verify_ok: bool,
}

fn answers(a: &Archive, src: &Path) -> Answers {
    let s = a.store();
    let ids = s.ids().unwrap();
    let rel = |p: &str| p.replace(&src.display().to_string(), "SRC");
    let records = ids
        .iter()
        .map(|id| rel(&serde_json::to_string(&s.cable(id).unwrap().unwrap()).unwrap()))
        .collect();
    let copies = ids
        .iter()
        .flat_map(|id| s.copies_of(id).unwrap())
        .map(|c| (rel(&c.path), c.item, c.cable_id))
        .collect();
    let mut changes: Vec<String> = s
        .changes_since(0, 10_000)
        .unwrap()
        .into_iter()
        .map(|c| match c {
            Change::Upsert { cable, .. } => format!("+{}", cable.id.unwrap_or_default()),
            Change::Delete { id, .. } => format!("-{id}"),
        })
        .collect();
    // Sequence numbers and the order of cables within one ingest may differ
    // (files are parsed in parallel); what the log holds may not.
    changes.sort();
    let readers = [
        Clearance::parse("U", &[]).unwrap(),
        Clearance::parse("C", &[]).unwrap(),
        Clearance::parse("S", &["NOFORN"]).unwrap(),
    ];
    let mut search = Vec::new();
    for c in &readers {
        for q in [
            "widget",
            "canarysecret",
            "zebra",
            "tag:PREL",
            "origin:PARIS",
        ] {
            let scope = Scope {
                clearance: c.clone(),
                ..Scope::unrestricted()
            };
            let res = a
                .search_str(q, &SearchOptions::new(scope))
                .unwrap_or_else(|e| panic!("{q}: {e}"));
            let mut hits: Vec<String> = res.hits.into_iter().map(|h| h.id).collect();
            hits.sort();
            hits.insert(
                0,
                format!(
                    "{q} {}: {}",
                    ["U", "SBU", "C", "S", "TS"][c.rank as usize],
                    res.total
                ),
            );
            search.push(hits);
        }
    }
    let walk = a
        .refs("08MOSCOW1599", Direction::Both, 2)
        .unwrap()
        .nodes
        .into_iter()
        .map(|n| format!("{n:?}"))
        .collect();
    Answers {
        count: s.count().unwrap(),
        records,
        copies,
        cites: s
            .cites("08MOSCOW1599")
            .unwrap()
            .into_iter()
            .map(|e| e.to)
            .collect(),
        cited_by: s
            .cited_by("08MOSCOW1599")
            .unwrap()
            .into_iter()
            .map(|e| e.from)
            .collect(),
        counts: ["year", "origin", "classification", "level", "month"]
            .iter()
            .map(|c| s.count_by(c).unwrap())
            .collect(),
        missing: s.most_cited_missing(10).unwrap(),
        present: s
            .present(&[
                "08STATE12345".into(),
                "08MOSCOW1599".into(),
                "08moscow1500".into(),
                "08MOSCOW1500".into(),
            ])
            .unwrap(),
        inputs: s
            .inputs()
            .unwrap()
            .into_values()
            .map(|i| (rel(&i.path), i.ok, i.cables))
            .collect(),
        matching: s
            .sources_matching(&src.join("a").display().to_string())
            .unwrap()
            .iter()
            .map(|p| rel(p))
            .collect(),
        changes,
        search,
        walk,
        verify_ok: a.verify().unwrap().ok(),
        ids,
    }
}

/// Runs the same history on an archive at `location` and returns what it answers
/// after each step.
fn history(root: &Path, location: &StoreLocation) -> Vec<Answers> {
    let src = root.join("src");
    sources(&src);
    let dir = root.join("archive");
    let opts = IngestOptions {
        batch_files: 2,
        ..IngestOptions::default()
    };
    let ingest = |a: &mut Archive, p: &[PathBuf]| {
        a.ingest(p, &opts, &mut |_| {}).expect("ingest");
    };
    let mut out = Vec::new();
    let mut a = Archive::open_on(&dir, location).expect("open");
    ingest(&mut a, std::slice::from_ref(&src));
    out.push(answers(&a, &src));
    // Idempotent: the same sources again change nothing.
    ingest(&mut a, std::slice::from_ref(&src));
    out.push(answers(&a, &src));
    // A changed file, then a removed source, then a takedown.
    write(
        &src,
        "c/PARIS.txt",
        Telegram::new("PARIS", 100)
            .para("U", "Rewritten note about croissants.")
            .text(),
    );
    ingest(&mut a, std::slice::from_ref(&src));
    out.push(answers(&a, &src));
    a.remove_source(&src.join("b").display().to_string())
        .expect("remove source");
    out.push(answers(&a, &src));
    a.remove_id("08LONDON101").expect("takedown");
    out.push(answers(&a, &src));
    drop(a);
    // Reopened: the index and the store still agree.
    let a = Archive::open_on(&dir, location).expect("reopen");
    out.push(answers(&a, &src));
    // The index the writes fed (from each batch's own records) holds exactly the
    // documents an index rebuilt from the store holds.
    let fed = index_documents(&a);
    assert!(fed.len() > 4, "{fed:?}");
    drop(a);
    cablescope_archive::integrity::repair_on(&dir, location).expect("repair");
    let rebuilt = index_documents(&Archive::open_on(&dir, location).expect("reopen"));
    assert_eq!(
        fed, rebuilt,
        "the fed index differs from one rebuilt from the store"
    );
    out
}

/// Every document of the index, stored fields as JSON, in order.
fn index_documents(a: &Archive) -> Vec<String> {
    use tantivy::collector::DocSetCollector;
    use tantivy::schema::Value;
    let index = a.index();
    let searcher = index.searcher();
    let addresses = searcher
        .search(&cablescope_archive::index::all_query(), &DocSetCollector)
        .expect("all documents");
    let schema = index.tantivy().schema();
    let mut docs: Vec<String> = addresses
        .into_iter()
        .map(|at| {
            let doc: tantivy::TantivyDocument = searcher.doc(at).expect("stored document");
            // Fields in a fixed order: a document's values keep the order added.
            let mut fields: Vec<String> = doc
                .field_values()
                .map(|(f, v)| format!("{}={:?}", schema.get_field_name(f), v.as_value()))
                .collect();
            fields.sort();
            fields.join("\n")
        })
        .collect();
    docs.sort();
    docs
}

/// The index each write feeds from the batch's own records (not read back from
/// the store) ends as an index rebuilt from the store (checked inside `history`,
/// here on the embedded store; the PostgreSQL half runs it on the database).
#[test]
fn the_index_fed_by_writes_equals_one_rebuilt_from_the_store() {
    let tmp = tempfile::tempdir().unwrap();
    let steps = history(tmp.path(), &StoreLocation::Embedded);
    assert!(steps.iter().all(|s| s.verify_ok));
}

#[test]
fn postgres_and_the_embedded_store_answer_alike() {
    let tmp = tempfile::tempdir().unwrap();
    let pg_root = tmp.path().join("pg");
    std::fs::create_dir_all(&pg_root).unwrap();
    let Some(url) = database_for(&pg_root) else {
        return;
    };
    // The same source paths on both sides, so paths compare as they are.
    let embedded = history(&tmp.path().join("embedded"), &StoreLocation::Embedded);
    let shared = history(&pg_root, &StoreLocation::Postgres(url));
    assert_eq!(embedded.len(), shared.len());
    for (step, (e, p)) in embedded.iter().zip(&shared).enumerate() {
        assert!(e.verify_ok && p.verify_ok, "step {step}: verify");
        if e != p {
            // The first differing line of the two answers, not two pages of them.
            let (el, pl) = (format!("{e:#?}"), format!("{p:#?}"));
            let diff = el
                .lines()
                .zip(pl.lines())
                .find(|(a, b)| a != b)
                .map(|(a, b)| format!("embedded: {a}\npostgres: {b}"));
            panic!(
                "step {step}: the stores disagree\n{}",
                diff.unwrap_or_default()
            );
        }
    }
    // The history did something worth comparing.
    let first = &embedded[0];
    assert!(first.ids.contains(&"08MOSCOW1599".to_string()));
    assert_eq!(first.cited_by.len(), 4, "{:?}", first.cited_by);
    assert!(first.copies.len() > first.ids.len(), "copies were merged");
    assert!(!embedded[4].ids.contains(&"08LONDON101".to_string()));
    let secret_for_c = first
        .search
        .iter()
        .find(|h| h[0].starts_with("canarysecret C"))
        .unwrap();
    assert_eq!(
        secret_for_c.len(),
        1,
        "withheld from a C reader: {secret_for_c:?}"
    );
}

#[test]
fn a_second_node_follows_the_shared_database() {
    let tmp = tempfile::tempdir().unwrap();
    let Some(url) = database_for(tmp.path()) else {
        return;
    };
    let location = StoreLocation::Postgres(url);
    let src = tmp.path().join("src");
    sources(&src);
    let mut a = Archive::open_on(tmp.path().join("node-a"), &location).unwrap();
    let mut b = Archive::open_on(tmp.path().join("node-b"), &location).unwrap();
    let find = |x: &Archive, q: &str| -> BTreeSet<String> {
        x.search_str(q, &SearchOptions::new(Scope::unrestricted()))
            .unwrap()
            .hits
            .into_iter()
            .map(|h| h.id)
            .collect()
    };
    assert!(find(&b, "tag:PREL").is_empty());
    a.ingest(
        std::slice::from_ref(&src),
        &IngestOptions::default(),
        &mut |_| {},
    )
    .unwrap();
    // Node B learns of the change by notification, then catches up.
    let notified = b
        .store()
        .as_postgres()
        .unwrap()
        .wait_for_changes(std::time::Duration::from_millis(10));
    notified.expect("listen");
    let applied = b.sync_index().unwrap();
    assert!(applied >= 6, "applied {applied}");
    assert_eq!(find(&a, "tag:PREL"), find(&b, "tag:PREL"));
    assert_eq!(find(&b, "tag:PREL").len(), 6);
    // A takedown on B reaches A.
    b.remove_id("08PARIS100").unwrap();
    a.sync_index().unwrap();
    assert!(!find(&a, "tag:PREL").contains("08PARIS100"));
    assert!(a.verify().unwrap().ok() && b.verify().unwrap().ok());
    // A node's index can be dropped and rebuilt from the database.
    drop(b);
    std::fs::remove_dir_all(tmp.path().join("node-b")).unwrap();
    let b = Archive::open_on(tmp.path().join("node-b"), &location).unwrap();
    assert_eq!(find(&a, "tag:PREL"), find(&b, "tag:PREL"));
    assert_eq!(find(&b, "tag:PREL").len(), 5);
    assert!(b.verify().unwrap().ok());
}

#[test]
fn concurrent_writers_commit_changes_in_sequence_order() {
    // Two writers on one database: a follower reading the change log as they go
    // must never see a sequence appear below one it has already read.
    let tmp = tempfile::tempdir().unwrap();
    let Some(url) = database_for(tmp.path()) else {
        return;
    };
    let location = StoreLocation::Postgres(url.clone());
    let writers: Vec<_> = (0..2)
        .map(|w| {
            let root = tmp.path().join(format!("w{w}"));
            let location = location.clone();
            std::thread::spawn(move || {
                let src = root.join("src");
                for i in 0..30u32 {
                    write(
                        &src,
                        format!("{i}.txt"),
                        Telegram::new(if w == 0 { "ROME" } else { "MADRID" }, 1000 + i)
                            .para("U", &format!("note {i}"))
                            .text(),
                    );
                }
                let mut a = Archive::open_on(root.join("archive"), &location).unwrap();
                for i in 0..30u32 {
                    a.ingest(
                        &[src.join(format!("{i}.txt"))],
                        &IngestOptions::default(),
                        &mut |_| {},
                    )
                    .unwrap();
                }
            })
        })
        .collect();
    let follower = cablescope_archive::PgStore::connect(&url).unwrap();
    let mut seen = 0u64;
    let mut got: BTreeSet<u64> = BTreeSet::new();
    let mut done = false;
    while !done {
        done = writers.iter().all(|w| w.is_finished());
        for c in follower.changes_since(seen, 1000).unwrap() {
            assert!(c.seq() > seen);
            seen = c.seq();
            got.insert(seen);
        }
    }
    for w in writers {
        w.join().unwrap();
    }
    // Everything committed was read, with no gap left behind.
    let all: BTreeSet<u64> = follower
        .changes_since(0, 10_000)
        .unwrap()
        .iter()
        .map(Change::seq)
        .collect();
    assert_eq!(all.len(), 60);
    assert!(
        all.is_subset(&got),
        "a change appeared below the follower's mark"
    );
}

#[test]
fn an_index_opened_on_another_store_is_rebuilt_not_caught_up() {
    // Change sequences count in one store only: a node directory pointed at
    // another database must not keep the first database's cables.
    let tmp = tempfile::tempdir().unwrap();
    let (one, two) = (tmp.path().join("db1"), tmp.path().join("db2"));
    std::fs::create_dir_all(&one).unwrap();
    std::fs::create_dir_all(&two).unwrap();
    let (Some(url1), Some(url2)) = (database_for(&one), database_for(&two)) else {
        return;
    };
    let src = tmp.path().join("src");
    sources(&src);
    let node = tmp.path().join("node");
    let mut a = Archive::open_on(&node, &StoreLocation::Postgres(url1)).unwrap();
    a.ingest(&[src], &IngestOptions::default(), &mut |_| {})
        .unwrap();
    assert_eq!(a.verify().unwrap().index_count, 6);
    drop(a);
    // The second database holds more changes than the first: catching up from
    // the index's sequence would add only the last few and keep the first
    // database's cables.
    let other = tmp.path().join("other");
    for i in 0..12u32 {
        write(
            &other,
            format!("{i}.txt"),
            Telegram::new("OSLO", 1 + i).para("U", "Herring.").text(),
        );
    }
    let mut b =
        Archive::open_on(tmp.path().join("b"), &StoreLocation::Postgres(url2.clone())).unwrap();
    b.ingest(&[other], &IngestOptions::default(), &mut |_| {})
        .unwrap();
    drop(b);
    let a = Archive::open_on(&node, &StoreLocation::Postgres(url2)).unwrap();
    let v = a.verify().unwrap();
    assert!(v.ok(), "{v:?}");
    assert_eq!(v.index_count, 12);
    let all = a
        .search_str("*", &SearchOptions::new(Scope::unrestricted()))
        .unwrap();
    assert_eq!(all.total, 12);
}

#[test]
fn migrating_moves_every_record_copy_and_input_both_ways() {
    let tmp = tempfile::tempdir().unwrap();
    let Some(url) = database_for(tmp.path()) else {
        return;
    };
    let src = tmp.path().join("src");
    sources(&src);
    let embedded = tmp.path().join("embedded");
    let mut a = Archive::open(&embedded).unwrap();
    a.ingest(
        std::slice::from_ref(&src),
        &IngestOptions::default(),
        &mut |_| {},
    )
    .unwrap();
    let before = answers(&a, &src);
    drop(a);
    // Embedded → PostgreSQL.
    let from = cablescope_archive::SqliteStore::open(&embedded).unwrap();
    let mut to = cablescope_archive::PgStore::connect(&url).unwrap();
    let r = cablescope_archive::migrate::migrate(&from, &mut to, &mut |_, _| {}).unwrap();
    assert_eq!((r.cables, r.copies, r.inputs), (6, 7, 7), "{r:?}");
    // A second migration into the same database is refused.
    let again = cablescope_archive::migrate::migrate(&from, &mut to, &mut |_, _| {});
    assert!(again.unwrap_err().to_string().contains("already holds"));
    drop(to);
    let shared = StoreLocation::Postgres(url.clone());
    let mut on_pg = Archive::open_on(tmp.path().join("node"), &shared).unwrap();
    let moved = answers(&on_pg, &src);
    assert_eq!(moved.records, before.records);
    assert_eq!(moved.copies, before.copies);
    assert_eq!(moved.search, before.search);
    assert_eq!(moved.inputs, before.inputs);
    // The inputs moved too: ingesting the same files again changes nothing.
    let p = on_pg
        .ingest(
            std::slice::from_ref(&src),
            &IngestOptions::default(),
            &mut |_| {},
        )
        .unwrap();
    assert_eq!(p.cables_written, 0, "{p:?}");
    drop(on_pg);
    // And back: PostgreSQL → a new embedded archive.
    let back_dir = tmp.path().join("back");
    let from = cablescope_archive::PgStore::connect(&url).unwrap();
    let mut to = cablescope_archive::SqliteStore::open(&back_dir).unwrap();
    cablescope_archive::migrate::migrate(&from, &mut to, &mut |_, _| {}).unwrap();
    drop(to);
    let back = Archive::open(&back_dir).unwrap();
    let returned = answers(&back, &src);
    assert_eq!(returned.records, before.records);
    assert_eq!(returned.search, before.search);
    assert!(returned.verify_ok);
}
