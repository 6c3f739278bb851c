//! Parse throughput over the real viewer pages in `../shared/corpus/cablegate-html`
//! (HTML stripped first, so only telegram text is timed), at one and two threads,
//! beside a baseline that only reads the same bytes and splits them into lines.
//!
//! `cargo bench -p cablescope-format --bench parse`

use std::hint::black_box;

use cablescope_format::{parse, Hints};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};

#[path = "../tests/shared/mod.rs"]
mod shared;

fn corpus() -> Vec<String> {
    let Some(corpus) = shared::shared_dir("corpus") else {
        return Vec::new();
    };
    let mut texts = Vec::new();
    let mut stack = vec![corpus.join("cablegate-html")];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).expect("corpus folder").flatten() {
            let p = entry.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|e| e == "html") {
                let page = String::from_utf8_lossy(&std::fs::read(&p).unwrap()).into_owned();
                texts.push(shared::pre_blocks(&page).join("\n\n"));
            }
        }
    }
    texts.sort();
    texts
}

fn split_lines(texts: &[String]) -> usize {
    texts
        .iter()
        .map(|t| t.split('\n').map(|l| l.trim_end().len()).sum::<usize>())
        .sum()
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

fn bench(c: &mut Criterion) {
    let texts = corpus();
    if texts.is_empty() {
        eprintln!("no corpus: nothing to benchmark");
        return;
    }
    let bytes: u64 = texts.iter().map(|t| t.len() as u64).sum();
    eprintln!(
        "corpus: {} cables, {:.1} MB of telegram text",
        texts.len(),
        bytes as f64 / 1e6
    );
    for (name, throughput) in [
        ("bytes", Throughput::Bytes(bytes)),
        ("cables", Throughput::Elements(texts.len() as u64)),
    ] {
        let mut g = c.benchmark_group(format!("parse_{name}"));
        g.sample_size(10).throughput(throughput);
        g.bench_function("baseline_split_lines", |b| {
            b.iter(|| black_box(split_lines(black_box(&texts))))
        });
        g.bench_function("parse_1_thread", |b| {
            b.iter(|| black_box(parse_all(black_box(&texts))))
        });
        g.bench_function("parse_2_threads", |b| {
            b.iter(|| black_box(parse_threads(black_box(&texts), 2)))
        });
        g.finish();
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
