//! Ingest and search over the real viewer pages in `../shared/corpus/cablegate-html`
//! (1,715 pages): ingest into a fresh archive, then search latency per query kind
//! (term, phrase, fielded, facets on, date-sorted, a deep page via cursor) on one
//! archive built once. Each search benchmark runs one query per iteration, cycling
//! through its list of 20+ queries; p50/p99 over the list are printed beside it.
//! Hits carry highlighted snippets, as the CLI shows them; `NO_SNIPPETS=1` times the
//! searches without.
//!
//! `cargo bench -p cablescope-archive --bench archive` (about two minutes). Skipped with
//! a notice when `../shared/corpus` is absent.

use std::hint::black_box;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use cablescope_archive::{Archive, IngestOptions, SearchOptions, Sort};
use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};

fn corpus() -> Option<PathBuf> {
    let dir =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/corpus/cablegate-html");
    if dir.is_dir() {
        Some(dir)
    } else {
        eprintln!(
            "notice: {} not found; skipping the archive benchmarks",
            dir.display()
        );
        None
    }
}

fn ingest(dir: &PathBuf) -> (Archive, tempfile::TempDir, u64) {
    let tmp = tempfile::tempdir().unwrap();
    let mut a = Archive::open(tmp.path()).unwrap();
    let p = a
        .ingest(
            std::slice::from_ref(dir),
            &IngestOptions::default(),
            &mut |_| {},
        )
        .unwrap();
    assert_eq!(p.files_failed, 0);
    (a, tmp, p.cables_written)
}

const TERMS: &[&str] = &[
    "nuclear",
    "iran",
    "election",
    "oil",
    "military",
    "president",
    "corruption",
    "border",
    "refugees",
    "terrorism",
    "minister",
    "parliament",
    "opposition",
    "visa",
    "trade",
    "energy",
    "police",
    "investment",
    "china",
    "sanctions",
    "drug",
    "russia",
];

const PHRASES: &[&str] = &[
    "\"nuclear program\"",
    "\"prime minister\"",
    "\"human rights\"",
    "\"foreign minister\"",
    "\"united nations\"",
    "\"security council\"",
    "\"european union\"",
    "\"middle east\"",
    "\"civil society\"",
    "\"free trade\"",
    "\"national security\"",
    "\"armed forces\"",
    "\"political party\"",
    "\"drug trafficking\"",
    "\"climate change\"",
    "\"death penalty\"",
    "\"rule of law\"",
    "\"press freedom\"",
    "\"supreme court\"",
    "\"oil prices\"",
];

const FIELDED: &[&str] = &[
    "tag:PREL",
    "tag:PGOV",
    "tag:ECON AND tag:ETRD",
    "origin:MOSCOW",
    "origin:BAGHDAD",
    "classification:SECRET",
    "classification:CONFIDENTIAL",
    "caption:NOFORN",
    "caption:SIPDIS",
    "created:2008-06",
    "created:[2008-01-01 TO 2008-06-30]",
    "created:2009",
    "subject:iran",
    "subject:election*",
    "tag:PREL AND classification:SECRET",
    "tag:PTER -caption:NOFORN",
    "origin:LONDON OR origin:PARIS",
    "marking:S",
    "id:08MOSCOW1599",
    "tag:KNNP AND nuclear",
    "(tag:PHUM OR tag:KDEM) AND created:2009",
];

/// Broad queries for deep cursor pages.
const DEEP: &[&str] = &[
    "*",
    "tag:PREL",
    "tag:PGOV",
    "classification:CONFIDENTIAL",
    "classification:SECRET",
    "caption:SIPDIS",
    "created:2009",
    "created:2008",
    "minister",
    "government",
    "embassy",
    "president",
    "ambassador",
    "security",
    "support",
    "economic",
    "political",
    "officials",
    "meeting",
    "country",
    "foreign",
];

fn opts(sort: Sort, facets: bool) -> SearchOptions {
    SearchOptions {
        limit: 20,
        sort,
        facets: if facets {
            cablescope_archive::FacetSet::ALL
        } else {
            cablescope_archive::FacetSet::NONE
        },
        snippets: std::env::var_os("NO_SNIPPETS").is_none(),
        ..SearchOptions::new(cablescope_archive::Scope::unrestricted())
    }
}

/// A kind of search: the queries with their options (cursor included).
type Case = (String, SearchOptions);

fn percentiles(a: &Archive, name: &str, cases: &[Case]) {
    let mut times = Vec::new();
    for _ in 0..10 {
        for (q, o) in cases {
            let t = Instant::now();
            black_box(a.search_str(q, o).unwrap());
            times.push(t.elapsed());
        }
    }
    times.sort();
    let at = |p: f64| times[((times.len() - 1) as f64 * p).round() as usize];
    eprintln!(
        "search/{name}: {} queries x 10: p50 {:.3} ms, p99 {:.3} ms, max {:.3} ms",
        cases.len(),
        at(0.5).as_secs_f64() * 1e3,
        at(0.99).as_secs_f64() * 1e3,
        times.last().unwrap().as_secs_f64() * 1e3
    );
}

fn benches(c: &mut Criterion) {
    let Some(dir) = corpus() else {
        return;
    };

    let mut g = c.benchmark_group("ingest");
    g.sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(40))
        .throughput(Throughput::Elements(1715));
    g.bench_function("cablegate-html 1715 pages", |b| {
        b.iter_batched(|| (), |()| ingest(&dir), BatchSize::PerIteration)
    });
    g.finish();

    let (a, _tmp, cables) = ingest(&dir);
    eprintln!("search archive: {cables} cables");
    let list = |qs: &[&str], sort: Sort, facets: bool| -> Vec<Case> {
        qs.iter()
            .map(|q| (q.to_string(), opts(sort, facets)))
            .collect()
    };
    let mut kinds: Vec<(&str, Vec<Case>)> = vec![
        ("term", list(TERMS, Sort::Relevance, false)),
        ("phrase", list(PHRASES, Sort::Relevance, false)),
        ("fielded", list(FIELDED, Sort::Relevance, false)),
        ("facets", list(TERMS, Sort::Relevance, true)),
        ("date-sorted", list(TERMS, Sort::DateDesc, false)),
    ];
    // Deep pages: follow each query's cursor 25 pages down (hits 481-500), then time
    // the page after that cursor.
    let mut deep = Vec::new();
    for q in DEEP {
        let mut o = opts(Sort::Relevance, false);
        o.snippets = false;
        for _ in 0..24 {
            let r = a.search_str(q, &o).unwrap();
            match r.next_cursor {
                Some(c) => o.cursor = Some(c),
                None => break,
            }
        }
        o.snippets = opts(Sort::Relevance, false).snippets;
        deep.push((q.to_string(), o));
    }
    kinds.push(("deep-cursor", deep));
    for (_, cases) in &kinds {
        assert!(cases.len() >= 20);
        for (q, o) in cases {
            a.search_str(q, o).unwrap_or_else(|e| panic!("{q}: {e}"));
        }
    }

    let mut g = c.benchmark_group("search");
    g.warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(3));
    for (name, cases) in &kinds {
        percentiles(&a, name, cases);
        let mut i = 0;
        g.bench_function(*name, |b| {
            b.iter(|| {
                let (q, o) = &cases[i % cases.len()];
                i += 1;
                black_box(a.search_str(q, o).unwrap())
            })
        });
    }
    g.finish();
}

criterion_group!(archive, benches);
criterion_main!(archive);
