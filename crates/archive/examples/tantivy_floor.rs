//! The floor the benchmark table measures cablescope against: bare tantivy, with
//! the same version and tokenizer, indexing the same paragraph text and answering
//! the same queries, with nothing of cablescope around it (no parsing, no store, no
//! clearance, no HTTP).
//!
//! ```text
//! cargo run --release -p cablescope-archive --example tantivy_floor -- index DOCS.jsonl DIR [THREADS]
//! cargo run --release -p cablescope-archive --example tantivy_floor -- search DIR QUERIES.txt
//! ```
//!
//! `DOCS.jsonl` holds one `{"id": ..., "text": ...}` object per line; `index` builds
//! one index with positions (phrases work) in one commit and prints one JSON line
//! `{"docs", "seconds", "bytes"}`. `QUERIES.txt` holds one query per line (a word,
//! or a `"quoted phrase"`); `search` answers them on one thread, top 20 by BM25
//! plus the total count (what a search page shows), and prints
//! `{"queries", "seconds", "qps", "p50_ms", "p99_ms"}`. `bench/bench.py` runs both.

use std::io::{BufRead, BufReader};
use std::time::Instant;

use tantivy::collector::{Count, TopDocs};
use tantivy::query::QueryParser;
use tantivy::schema::{Schema, STORED, STRING, TEXT};
use tantivy::{doc, Index};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args
        .iter()
        .map(String::as_str)
        .collect::<Vec<_>>()
        .as_slice()
    {
        ["index", docs, dir, rest @ ..] => {
            let threads = rest.first().map_or(Ok(2), |t| t.parse())?;
            index(docs, dir, threads)
        }
        ["search", dir, queries] => search(dir, queries),
        _ => Err(
            "usage: tantivy_floor index DOCS.jsonl DIR [THREADS] | search DIR QUERIES.txt".into(),
        ),
    }
}

fn schema() -> Schema {
    let mut b = Schema::builder();
    b.add_text_field("id", STRING | STORED);
    b.add_text_field("text", TEXT);
    b.build()
}

fn index(docs: &str, dir: &str, threads: usize) -> Result<(), Box<dyn std::error::Error>> {
    std::fs::create_dir_all(dir)?;
    let schema = schema();
    let (id, text) = (schema.get_field("id")?, schema.get_field("text")?);
    let started = Instant::now();
    let index = Index::create_in_dir(dir, schema)?;
    let mut writer = index.writer_with_num_threads(threads, threads * 200_000_000)?;
    let mut n = 0u64;
    for line in BufReader::new(std::fs::File::open(docs)?).lines() {
        let v: serde_json::Value = serde_json::from_str(&line?)?;
        writer.add_document(doc!(
            id => v["id"].as_str().unwrap_or_default(),
            text => v["text"].as_str().unwrap_or_default(),
        ))?;
        n += 1;
    }
    writer.commit()?;
    writer.wait_merging_threads()?;
    let seconds = started.elapsed().as_secs_f64();
    let bytes: u64 = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok()?.metadata().ok())
        .map(|m| m.len())
        .sum();
    println!(
        "{}",
        serde_json::json!({"docs": n, "seconds": seconds, "bytes": bytes})
    );
    Ok(())
}

fn search(dir: &str, queries: &str) -> Result<(), Box<dyn std::error::Error>> {
    let index = Index::open_in_dir(dir)?;
    let text = index.schema().get_field("text")?;
    let reader = index.reader()?;
    let searcher = reader.searcher();
    let mut parser = QueryParser::for_index(&index, vec![text]);
    // cablescope's query language ANDs words; so does the floor.
    parser.set_conjunction_by_default();
    let qs: Vec<String> = std::fs::read_to_string(queries)?
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(str::to_string)
        .collect();
    let mut lat = Vec::with_capacity(qs.len());
    let started = Instant::now();
    for q in &qs {
        let t = Instant::now();
        let query = parser.parse_query(q)?;
        let (top, count) = searcher.search(&query, &(TopDocs::with_limit(20), Count))?;
        std::hint::black_box((top, count));
        lat.push(t.elapsed().as_secs_f64());
    }
    let seconds = started.elapsed().as_secs_f64();
    lat.sort_by(f64::total_cmp);
    let pct = |p: f64| lat[((p * lat.len() as f64).ceil() as usize).clamp(1, lat.len()) - 1];
    println!(
        "{}",
        serde_json::json!({
            "queries": qs.len(),
            "seconds": seconds,
            "qps": qs.len() as f64 / seconds,
            "p50_ms": pct(0.5) * 1e3,
            "p99_ms": pct(0.99) * 1e3,
        })
    );
    Ok(())
}
