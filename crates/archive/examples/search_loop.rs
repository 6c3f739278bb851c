//! The archive's own search, in process, on one thread: the row of the benchmark
//! table between bare tantivy (`tantivy_floor`) and the server, so that the cost
//! of the archive's search (clearance gates, class fields, hits) is told apart
//! from the cost of HTTP.
//!
//! ```text
//! cargo run --release -p cablescope-archive --example search_loop -- ARCHIVE QUERIES.txt
//! ```
//!
//! `QUERIES.txt` holds one query per line in the query language (a word, or a
//! `"quoted phrase"`); each is answered once, first page of 20 for a reader
//! cleared for everything, as the API answers by default (no facets or
//! snippets). Prints one JSON line `{"queries", "seconds", "qps", "p50_ms",
//! "p99_ms"}`, as `tantivy_floor search` does.

use std::time::Instant;

use cablescope_archive::{Archive, Scope, SearchOptions};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [archive, queries] = args.as_slice() else {
        return Err("usage: search_loop ARCHIVE QUERIES.txt".into());
    };
    let a = Archive::open_for_reading(archive)?;
    let queries: Vec<String> = std::fs::read_to_string(queries)?
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(str::to_string)
        .collect();
    if queries.is_empty() {
        return Err("no queries".into());
    }
    let opts = SearchOptions {
        limit: 20,
        ..SearchOptions::new(Scope::unrestricted())
    };
    let mut ms = Vec::with_capacity(queries.len());
    let start = Instant::now();
    for q in &queries {
        let t = Instant::now();
        let r = a.search_str(q, &opts)?;
        std::hint::black_box(r.total);
        ms.push(t.elapsed().as_secs_f64() * 1000.0);
    }
    let seconds = start.elapsed().as_secs_f64();
    ms.sort_by(f64::total_cmp);
    let pct = |p: usize| ms[(ms.len() * p / 100).min(ms.len() - 1)];
    println!(
        "{{\"queries\": {}, \"seconds\": {seconds}, \"qps\": {}, \"p50_ms\": {}, \"p99_ms\": {}}}",
        ms.len(),
        ms.len() as f64 / seconds,
        pct(50),
        pct(99)
    );
    Ok(())
}
