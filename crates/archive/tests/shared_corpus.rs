//! Ingest the 1,715 real viewer pages of `../shared/corpus/cablegate-html` and check
//! the counts against the truth file.

mod common;

use std::collections::BTreeMap;

use cablescope_archive::index::{all_query, Index};
use cablescope_archive::store::Store;
use cablescope_archive::{Archive, IngestOptions, SearchOptions};

#[test]
fn ingests_the_cablegate_pages() {
    let Some(shared) = common::shared_dir() else {
        return;
    };
    let corpus = shared.join("corpus");
    let truth = std::fs::read_to_string(corpus.join("cablegate-html-truth.jsonl")).unwrap();
    let mut ids = std::collections::BTreeSet::new();
    let mut by_class: BTreeMap<String, u64> = BTreeMap::new();
    for line in truth.lines().filter(|l| !l.trim().is_empty()) {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        ids.insert(v["id"].as_str().unwrap().to_string());
        *by_class
            .entry(v["classification"].as_str().unwrap().to_string())
            .or_default() += 1;
    }
    let tmp = tempfile::tempdir().unwrap();
    let mut a = Archive::open(tmp.path()).unwrap();
    let start = std::time::Instant::now();
    let p = a
        .ingest(
            &[corpus.join("cablegate-html")],
            &IngestOptions::default(),
            &mut |_| {},
        )
        .unwrap();
    eprintln!(
        "ingested {} files, {} cables in {:.2}s ({:.0} cables/s), {} batches",
        p.files_seen,
        p.cables_read,
        start.elapsed().as_secs_f64(),
        p.cables_per_sec(),
        p.batches
    );
    assert_eq!(p.files_seen, 1715);
    assert_eq!(p.files_failed, 0, "{:?}", p.errors);
    assert_eq!(p.per_format.values().sum::<u64>(), 1715);
    let stored: Vec<String> = a.store().ids().unwrap();
    // Pages quoting other cables give extra records; ids the parser reads with an
    // EFTO prefix are compared without it (as the parser's accuracy test does).
    assert!(stored.len() >= ids.len() - 10, "{} stored", stored.len());
    let efto = |id: &str| match id.get(2..6) {
        Some("EFTO") => format!("{}{}", &id[..2], &id[6..]),
        _ => id.to_string(),
    };
    let found: Vec<&String> = ids
        .iter()
        .filter(|id| stored.binary_search(id).is_ok() || stored.binary_search(&efto(id)).is_ok())
        .collect();
    let missing: Vec<&String> = ids.iter().filter(|id| !found.contains(id)).collect();
    eprintln!("truth ids not stored (parser misses): {missing:?}");
    assert!(missing.len() * 200 <= ids.len(), "{missing:?}");
    let v = a.verify().unwrap();
    assert!(v.ok(), "{v:?}");
    assert_eq!(a.index().count().unwrap(), stored.len() as u64);
    let inputs = a.store().inputs().unwrap();
    assert_eq!(inputs.len(), 1715);
    assert!(inputs.values().all(|i| i.ok && i.cables >= 1));

    // The published classification (the viewer page's table) of the truth's cables
    // agrees with the truth.
    let mut published: BTreeMap<String, u64> = BTreeMap::new();
    for id in &found {
        let c = a
            .cable(id)
            .unwrap()
            .or_else(|| a.cable(&efto(id)).unwrap())
            .unwrap();
        let p = c
            .published
            .and_then(|p| p.classification)
            .unwrap_or_default();
        *published.entry(p).or_default() += 1;
    }
    let agree: u64 = by_class
        .iter()
        .map(|(k, n)| (*n).min(published.get(k).copied().unwrap_or(0)))
        .sum();
    assert!(
        agree + missing.len() as u64 >= 1715,
        "{published:?} vs {by_class:?}"
    );

    // The classification facet (from the text) is close to the truth.
    let q = all_query();
    let res = a
        .search(
            q.as_ref(),
            &SearchOptions {
                facets: true,
                ..SearchOptions::default()
            },
        )
        .unwrap();
    assert_eq!(res.total, stored.len() as u64);
    let facet: BTreeMap<String, u64> = res.facets["classification"].iter().cloned().collect();
    let agree: u64 = by_class
        .iter()
        .map(|(k, n)| (*n).min(facet.get(k).copied().unwrap_or(0)))
        .sum();
    assert!(
        agree * 100 >= 1715 * 97,
        "facet {facet:?} vs truth {by_class:?}"
    );

    // Re-ingesting adds nothing.
    let p = a
        .ingest(
            &[corpus.join("cablegate-html")],
            &IngestOptions::default(),
            &mut |_| {},
        )
        .unwrap();
    assert_eq!(p.files_unchanged, 1715);
    assert_eq!(p.cables_written, 0);
}
