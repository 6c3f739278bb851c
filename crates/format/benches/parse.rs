//! Parse throughput, each figure beside a baseline from the same run:
//!
//! - `generated`: 2,000 cables of `cablescope-generate` (the default seed), the
//!   corpus the project's benchmark table parses;
//! - `shared`: the telegram text of the real viewer pages in
//!   `../shared/corpus/cablegate-html` (HTML stripped first, so only telegram text is
//!   timed; skipped when the data is missing).
//!
//! Baselines: `baseline_memchr_lines` finds every line of the same text with
//! `memchr` (the least a line-based parser must do), `baseline_copy` copies the bytes
//! (about what `cat` does per byte). Timed beside them, per hot path:
//!
//! - `classify_lines`: every line put to the per-line classifier the parser runs on
//!   each line ([`read_classification_line`], with its cheap tests first);
//! - `parse_1_thread`, `parse_2_threads`: the whole parser;
//! - `parse_typical_cable`: one cable of median length, parsed alone (in
//!   `generated` only; its throughput is that cable's bytes);
//! - `record_json`: `serde_json` of each parsed [`Cable`], as `cablescope parse`
//!   prints it.
//!
//! `cargo bench -p cablescope-format --bench parse` (add a filter such as
//! `generated` to run one group; `-- --profile-time 20 generated/parse_1_thread`
//! runs one function under a profiler without the analysis).

use std::hint::black_box;

use cablescope_format::{parse, read_classification_line, Cable, Hints};
use cablescope_generate::{Generator, OutputFormat, DEFAULT_SEED};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};

#[path = "../tests/shared/mod.rs"]
mod shared;

fn generated() -> Vec<String> {
    let g = Generator::new(2_000, DEFAULT_SEED);
    (0..g.len())
        .map(|i| g.cable(i, OutputFormat::Telegram).telegram())
        .collect()
}

fn shared_pages() -> Vec<String> {
    let Some(corpus) = shared::shared_dir("corpus") else {
        return Vec::new();
    };
    let mut texts: Vec<String> = cablescope_testkit::files_under(&corpus.join("cablegate-html"))
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "html"))
        .map(|p| {
            let page = String::from_utf8_lossy(&std::fs::read(&p).unwrap()).into_owned();
            shared::pre_blocks(&page).join("\n\n")
        })
        .collect();
    texts.sort();
    texts
}

fn memchr_lines(texts: &[String]) -> usize {
    texts
        .iter()
        .map(|t| memchr::memchr_iter(b'\n', t.as_bytes()).count())
        .sum()
}

fn copy_bytes(texts: &[String], buf: &mut Vec<u8>) -> usize {
    let mut n = 0;
    for t in texts {
        buf.clear();
        buf.extend_from_slice(t.as_bytes());
        n += buf.len();
    }
    n
}

fn classify_lines(texts: &[String]) -> usize {
    texts
        .iter()
        .flat_map(|t| t.split('\n'))
        .filter(|l| read_classification_line(l).is_some())
        .count()
}

fn parse_all(texts: &[String]) -> usize {
    texts
        .iter()
        .map(|t| parse(t, &Hints::default()).paragraphs.len())
        .sum()
}

fn parse_threads(texts: &[String], threads: usize) -> usize {
    let chunk = texts.len().div_ceil(threads);
    std::thread::scope(|s| {
        let handles: Vec<_> = texts
            .chunks(chunk.max(1))
            .map(|c| s.spawn(move || parse_all(c)))
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).sum()
    })
}

fn to_json(cables: &[Cable], buf: &mut Vec<u8>) -> usize {
    let mut n = 0;
    for c in cables {
        buf.clear();
        serde_json::to_writer(&mut *buf, c).unwrap();
        n += buf.len();
    }
    n
}

fn bench_corpus(c: &mut Criterion, name: &str, texts: &[String]) {
    if texts.is_empty() {
        eprintln!("{name}: no corpus, nothing to benchmark");
        return;
    }
    let bytes: u64 = texts.iter().map(|t| t.len() as u64).sum();
    eprintln!(
        "{name}: {} cables, {:.1} MB of telegram text ({:.0} bytes per cable)",
        texts.len(),
        bytes as f64 / 1e6,
        bytes as f64 / texts.len() as f64
    );
    let mut g = c.benchmark_group(name);
    g.sample_size(10).throughput(Throughput::Bytes(bytes));
    let mut buf = Vec::new();
    g.bench_function("baseline_copy", |b| {
        b.iter(|| black_box(copy_bytes(black_box(texts), &mut buf)))
    });
    g.bench_function("baseline_memchr_lines", |b| {
        b.iter(|| black_box(memchr_lines(black_box(texts))))
    });
    g.bench_function("classify_lines", |b| {
        b.iter(|| black_box(classify_lines(black_box(texts))))
    });
    g.bench_function("parse_1_thread", |b| {
        b.iter(|| black_box(parse_all(black_box(texts))))
    });
    g.bench_function("parse_2_threads", |b| {
        b.iter(|| black_box(parse_threads(black_box(texts), 2)))
    });
    let cables: Vec<Cable> = texts.iter().map(|t| parse(t, &Hints::default())).collect();
    g.bench_function("record_json", |b| {
        b.iter(|| black_box(to_json(black_box(&cables), &mut buf)))
    });
    g.finish();
    if name == "generated" {
        let mut by_len: Vec<&String> = texts.iter().collect();
        by_len.sort_by_key(|t| t.len());
        let typical = by_len[by_len.len() / 2];
        let mut g = c.benchmark_group(name);
        g.throughput(Throughput::Bytes(typical.len() as u64));
        g.bench_function("parse_typical_cable", |b| {
            b.iter(|| black_box(parse(black_box(typical), &Hints::default())))
        });
        g.finish();
    }
}

fn bench(c: &mut Criterion) {
    bench_corpus(c, "generated", &generated());
    bench_corpus(c, "shared", &shared_pages());
}

criterion_group!(benches, bench);
criterion_main!(benches);
