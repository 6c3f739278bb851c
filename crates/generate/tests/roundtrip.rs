//! The key test: the parser gives back what the generator wrote, in every
//! container format.

mod common;

use std::fs;
use std::io::BufRead;

use cablescope_format::containers::{read_stream, ReadOptions};
use cablescope_format::{parse, Hints};
use cablescope_generate::{generate, Generator, OutputFormat, Truth};
use common::Tally;

const N: usize = 3000;
const SEED: u64 = 99;

fn truths(dir: &std::path::Path) -> Vec<Truth> {
    let f = fs::File::open(dir.join("truth.jsonl")).expect("truth.jsonl");
    std::io::BufReader::new(f)
        .lines()
        .map(|l| serde_json::from_str(&l.expect("line")).expect("truth line"))
        .collect()
}

#[test]
fn telegrams_parse_back_to_their_truth() {
    let g = Generator::new(N, SEED);
    let mut tally = Tally::default();
    for k in 0..g.len() {
        let cable = g.cable(k, OutputFormat::Telegram);
        let parsed = parse(&cable.telegram(), &Hints::default());
        tally.add(&cable.truth, &parsed);
    }
    tally.report("telegram");
    assert!(
        tally.key_share() >= 0.99,
        "key fields right in {:.2}%",
        100.0 * tally.key_share()
    );
}

#[test]
fn cables_csv_reads_back_to_its_truth() {
    let dir = tempfile::tempdir().expect("tempdir");
    generate(N, SEED, OutputFormat::CablesCsv, dir.path()).expect("generate");
    let truth = truths(dir.path());
    let mut parsed = Vec::new();
    let mut f = fs::File::open(dir.path().join("cables.csv")).expect("csv");
    read_stream("cables.csv", &mut f, &ReadOptions::default(), &mut |r| {
        parsed.push(r.expect("row"))
    })
    .expect("read");
    assert_eq!(parsed.len(), truth.len());
    let mut tally = Tally::default();
    for (t, c) in truth.iter().zip(&parsed) {
        assert_eq!(c.source.format, "cables-csv");
        tally.add(t, c);
    }
    tally.report("cables-csv");
    assert!(
        tally.key_share() >= 0.99,
        "key fields right in {:.2}%",
        100.0 * tally.key_share()
    );
}

#[test]
fn viewer_pages_read_back_to_their_truth() {
    let dir = tempfile::tempdir().expect("tempdir");
    generate(N, SEED, OutputFormat::Html, dir.path()).expect("generate");
    let truth = truths(dir.path());
    let mut tally = Tally::default();
    for t in &truth {
        let mut f = fs::File::open(dir.path().join(&t.file)).expect("page");
        let mut got = Vec::new();
        read_stream(&t.file, &mut f, &ReadOptions::default(), &mut |r| {
            got.push(r.expect("page"))
        })
        .expect("read");
        assert_eq!(got.len(), 1, "{}", t.file);
        assert_eq!(got[0].source.format, "wikileaks-html-2011");
        tally.add(t, &got[0]);
    }
    tally.report("html");
    assert!(
        tally.key_share() >= 0.99,
        "key fields right in {:.2}%",
        100.0 * tally.key_share()
    );
}
