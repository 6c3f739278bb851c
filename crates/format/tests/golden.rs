//! Golden hashes of the parser's output: every record's JSON (`serde_json` of the
//! [`Cable`], what `cablescope parse` prints), hashed, against the committed files in
//! `tests/golden/`. It pins the output byte for byte, so that work on the parser's
//! speed or structure cannot change a record unnoticed.
//!
//! - `generated.tsv`: a fixed corpus of `cablescope-generate` (seed and count
//!   below, with its share of damage), each cable parsed as a raw telegram, and
//!   every fifth also read as a viewer page through the container reader.
//! - `shared.tsv`: every file of the real corpus in `../shared/corpus` read through
//!   the container reader as `cablescope parse --no-merge` reads it, and the telegram
//!   text of each viewer page (its `<pre>` blocks) parsed directly. Only hashes and
//!   file names are committed, never text of the corpus. Missing data fails in CI
//!   and skips elsewhere (the testkit's rule).
//!
//! An intended change of output is accepted by rewriting the files:
//! `CABLESCOPE_BLESS=1 cargo test -p cablescope-format --test golden`. To see what
//! changed, `CABLESCOPE_GOLDEN_JSON=DIR` writes every record's JSON (key, tab, JSON)
//! to `DIR/generated.jsonl` and `DIR/shared.jsonl`; run it before and after and
//! diff. On a mismatch the test also writes the hashes it got beside the target
//! folder and names the file.

mod shared;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use cablescope_format::containers::{read_stream, ReadOptions};
use cablescope_format::{parse, Cable, Hints};
use cablescope_generate::{Generator, OutputFormat};
use sha2::{Digest, Sha256};

/// The generated corpus: its seed and size.
const SEED: u64 = 1_205;
const COUNT: usize = 2_000;

/// One record's key and the hash of its JSON (or of its error).
type Entry = (String, String);

fn hash(json: &str) -> String {
    let d = Sha256::digest(json.as_bytes());
    d[..8].iter().fold(String::with_capacity(16), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

fn record(key: String, json: String, out: &mut Vec<(String, String, String)>) {
    let h = hash(&json);
    out.push((key, h, json));
}

fn cable_json(c: &Cable) -> String {
    serde_json::to_string(c).expect("a record serialises")
}

/// Every record `read_stream` gives for one input, keyed `name#n` in order.
fn read_all(name: &str, bytes: &[u8], out: &mut Vec<(String, String, String)>) {
    let mut n = 0;
    let mut input = bytes;
    let opts = ReadOptions::default();
    let result = read_stream(name, &mut input, &opts, &mut |r| {
        let json = match r {
            Ok(c) => cable_json(&c),
            Err(e) => format!("error: {e}"),
        };
        record(format!("{name}#{n}"), json, out);
        n += 1;
    });
    if let Err(e) = result {
        record(format!("{name}#input"), format!("error: {e}"), out);
    }
}

/// Runs `work` over `items` on two threads, keeping the items' order.
fn in_parallel<T: Sync>(
    items: &[T],
    work: impl Fn(&T, &mut Vec<(String, String, String)>) + Sync,
) -> Vec<(String, String, String)> {
    let chunk = items.len().div_ceil(2).max(1);
    std::thread::scope(|s| {
        let handles: Vec<_> = items
            .chunks(chunk)
            .map(|c| {
                let work = &work;
                s.spawn(move || {
                    let mut out = Vec::new();
                    for item in c {
                        work(item, &mut out);
                    }
                    out
                })
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("worker"))
            .collect()
    })
}

fn golden_path(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name)
}

fn write_tsv(path: &Path, entries: &[Entry]) {
    let mut s = String::new();
    for (k, h) in entries {
        let _ = writeln!(s, "{k}\t{h}");
    }
    std::fs::write(path, s).unwrap_or_else(|e| panic!("writing {}: {e}", path.display()));
}

/// Compares the records with the golden file `name`, or rewrites it when blessing.
fn check(name: &str, records: Vec<(String, String, String)>) {
    if let Ok(dir) = std::env::var("CABLESCOPE_GOLDEN_JSON") {
        let mut s = String::new();
        for (k, _, json) in &records {
            let _ = writeln!(s, "{k}\t{json}");
        }
        let stem = name.trim_end_matches(".tsv");
        std::fs::create_dir_all(&dir).expect("JSON dump folder");
        std::fs::write(Path::new(&dir).join(format!("{stem}.jsonl")), s).expect("JSON dump");
    }
    let got: Vec<Entry> = records.into_iter().map(|(k, h, _)| (k, h)).collect();
    let path = golden_path(name);
    if std::env::var("CABLESCOPE_BLESS").is_ok_and(|v| v == "1") {
        write_tsv(&path, &got);
        eprintln!("blessed {} ({} records)", path.display(), got.len());
        return;
    }
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!(
            "reading {}: {e} (CABLESCOPE_BLESS=1 writes it)",
            path.display()
        )
    });
    let want: BTreeMap<&str, &str> = text.lines().filter_map(|l| l.split_once('\t')).collect();
    let have: BTreeMap<&str, &str> = got.iter().map(|(k, h)| (k.as_str(), h.as_str())).collect();
    let mut problems = Vec::new();
    for (k, h) in &have {
        match want.get(k) {
            None => problems.push(format!("new record {k}")),
            Some(w) if w != h => problems.push(format!("changed {k}")),
            Some(_) => {}
        }
    }
    for k in want.keys() {
        if !have.contains_key(k) {
            problems.push(format!("lost record {k}"));
        }
    }
    if !problems.is_empty() {
        let actual = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
        write_tsv(&actual, &got);
        panic!(
            "{} of {} records differ from {} (hashes got: {}); first ones:\n{}",
            problems.len(),
            have.len(),
            path.display(),
            actual.display(),
            problems[..problems.len().min(30)].join("\n")
        );
    }
    assert!(!have.is_empty(), "no records at all");
}

#[test]
fn generated_corpus_parses_as_before() {
    let g = Generator::new(COUNT, SEED);
    let indices: Vec<usize> = (0..g.len()).collect();
    let records = in_parallel(&indices, |&i, out| {
        let telegram = g.cable(i, OutputFormat::Telegram).telegram();
        let c = parse(&telegram, &Hints::default());
        record(format!("gen/{i}.txt"), cable_json(&c), out);
        if i % 5 == 0 {
            let page = g.cable(i, OutputFormat::Html);
            let html = cablescope_generate::output::viewer_page(g.plan(), i, &page);
            read_all(&format!("gen/{i}.html"), html.as_bytes(), out);
        }
    });
    check("generated.tsv", records);
}

#[test]
fn shared_corpus_parses_as_before() {
    let Some(corpus) = shared::shared_dir("corpus") else {
        return;
    };
    let files = cablescope_testkit::files_under(&corpus);
    let records = in_parallel(&files, |path, out| {
        let name = path
            .strip_prefix(&corpus)
            .expect("below the corpus")
            .to_string_lossy()
            .replace('\\', "/");
        let bytes =
            std::fs::read(path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
        read_all(&name, &bytes, out);
        if name.ends_with(".html") {
            let page = String::from_utf8_lossy(&bytes);
            let blocks = shared::pre_blocks(&page);
            if !blocks.is_empty() {
                let c = parse(&blocks.join("\n\n"), &Hints::default());
                record(format!("{name}|text"), cable_json(&c), out);
            }
        }
    });
    check("shared.tsv", records);
}
