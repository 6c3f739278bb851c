//! PostgreSQL's own full-text search beside tantivy, on the same cables and the
//! same queries: the figures behind keeping search in tantivy on every node of a
//! shared deployment (issue 14, BENCHMARKS.md).
//!
//! ```sh
//! cargo run --release -p cablescope-archive --example pg_fts -- URL INDEX_DIR [QUERIES]
//! ```
//!
//! `URL` is a database that `cablescope ingest --database URL` filled; `INDEX_DIR`
//! a node's index folder of it (built on first use). The example adds a table
//! `fts_bench(id, tsv)` (the paragraph text of every merged record as an English
//! `tsvector`, with a GIN index, and a RUM index when the `rum` extension is
//! installed), then times, one query at a time on one connection and one thread:
//!
//! - tantivy: the archive's own search for an unrestricted reader (top 20 by BM25
//!   and the count of matches, as the API answers);
//! - GIN: `@@` with `ts_rank` ordering, top 20, plus `count(*)`;
//! - RUM: `@@` ordered by `<=>` (the index's own ranking), top 20, plus `count(*)`.
//!
//! Queries: single words and two-word phrases taken at a fixed stride from the
//! cables' paragraphs (the same every run).

use std::time::{Duration, Instant};

use cablescope_archive::store::Store;
use cablescope_archive::{Archive, Scope, SearchOptions, StoreLocation};
use postgres::{Client, NoTls};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(url), Some(dir)) = (args.first(), args.get(1)) else {
        eprintln!("usage: pg_fts URL INDEX_DIR [QUERIES]");
        std::process::exit(2);
    };
    let n: usize = args.get(2).and_then(|v| v.parse().ok()).unwrap_or(200);
    let t = Instant::now();
    let archive = Archive::open_on(dir, &StoreLocation::Postgres(url.clone()))?;
    eprintln!("index of the database ready in {:.1?}", t.elapsed());
    let mut pg = Client::connect(url, NoTls)?;

    // The text, and the queries drawn from it.
    let ids = archive.store().ids()?;
    let mut texts: Vec<(String, String)> = Vec::with_capacity(ids.len());
    for id in &ids {
        if let Some(c) = archive.store().cable(id)? {
            let text: Vec<&str> = c.paragraphs.iter().map(|p| p.text.as_str()).collect();
            texts.push((id.clone(), text.join("\n")));
        }
    }
    let (terms, phrases) = queries(&texts, n);

    let have: bool = pg
        .query_one("SELECT to_regclass('fts_bench') IS NOT NULL", &[])?
        .get(0);
    if !have {
        let t = Instant::now();
        pg.batch_execute("CREATE TABLE fts_bench (id TEXT PRIMARY KEY, tsv TSVECTOR NOT NULL)")?;
        for chunk in texts.chunks(2000) {
            let (i, x): (Vec<&str>, Vec<&str>) =
                chunk.iter().map(|(a, b)| (a.as_str(), b.as_str())).unzip();
            pg.execute(
                "INSERT INTO fts_bench SELECT id, to_tsvector('english', t)
                 FROM unnest($1::text[], $2::text[]) AS u(id, t)",
                &[&i, &x],
            )?;
        }
        pg.batch_execute(
            "CREATE INDEX fts_bench_gin ON fts_bench USING gin (tsv); ANALYZE fts_bench",
        )?;
        eprintln!("tsvector table and GIN index built in {:.1?}", t.elapsed());
        let t = Instant::now();
        match pg.batch_execute(
            "CREATE EXTENSION IF NOT EXISTS rum;
             CREATE INDEX fts_bench_rum ON fts_bench USING rum (tsv rum_tsvector_ops)",
        ) {
            Ok(()) => eprintln!("RUM index built in {:.1?}", t.elapsed()),
            Err(e) => eprintln!("no RUM index ({e})"),
        }
    }
    let rum: bool = pg
        .query_one("SELECT to_regclass('fts_bench_rum') IS NOT NULL", &[])?
        .get(0);

    println!(
        "{} cables, {} term and {} phrase queries, one at a time, top 20 + count",
        texts.len(),
        terms.len(),
        phrases.len()
    );
    println!("| kind | engine | p50 | p99 | mean |");
    println!("|---|---|---|---|---|");
    for (kind, qs, phrase) in [("term", &terms, false), ("phrase", &phrases, true)] {
        let tsq = if phrase {
            "phraseto_tsquery('english', $1)"
        } else {
            "plainto_tsquery('english', $1)"
        };
        let gin_top = format!(
            "SELECT id FROM fts_bench, {tsq} q WHERE tsv @@ q ORDER BY ts_rank(tsv, q) DESC LIMIT 20"
        );
        let rum_top =
            format!("SELECT id FROM fts_bench, {tsq} q WHERE tsv @@ q ORDER BY tsv <=> q LIMIT 20");
        let count = format!("SELECT count(*) FROM fts_bench WHERE tsv @@ {tsq}");
        let opts = SearchOptions::new(Scope::unrestricted());
        let mut tantivy = Vec::new();
        let mut gin = Vec::new();
        let mut rumt = Vec::new();
        for q in qs.iter() {
            let query = if phrase {
                format!("\"{q}\"")
            } else {
                q.clone()
            };
            let t = Instant::now();
            let r = archive.search_str(&query, &opts)?;
            std::hint::black_box(r.total);
            tantivy.push(t.elapsed());
            let t = Instant::now();
            pg.query(&gin_top, &[q])?;
            pg.query_one(&count, &[q])?;
            gin.push(t.elapsed());
            if rum {
                let t = Instant::now();
                pg.query(&rum_top, &[q])?;
                pg.query_one(&count, &[q])?;
                rumt.push(t.elapsed());
            }
        }
        row(kind, "tantivy (cablescope)", &mut tantivy);
        row(kind, "PostgreSQL tsvector + GIN", &mut gin);
        if rum {
            row(kind, "PostgreSQL tsvector + RUM", &mut rumt);
        }
    }
    Ok(())
}

fn row(kind: &str, engine: &str, v: &mut [Duration]) {
    v.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let p = |q: f64| ms(v[((v.len() as f64 - 1.0) * q).round() as usize]);
    let mean = v.iter().map(|d| ms(*d)).sum::<f64>() / v.len().max(1) as f64;
    println!(
        "| {kind} | {engine} | {:.2} ms | {:.2} ms | {:.2} ms |",
        p(0.5),
        p(0.99),
        mean
    );
}

/// Words of 5+ letters and pairs of consecutive such words, taken at a fixed
/// stride through the texts: `n` of each at most.
fn queries(texts: &[(String, String)], n: usize) -> (Vec<String>, Vec<String>) {
    let mut terms = Vec::new();
    let mut phrases = Vec::new();
    let stride = (texts.len() / n.max(1)).max(1);
    for (_, text) in texts.iter().step_by(stride) {
        let words: Vec<&str> = text
            .split(|c: char| !c.is_alphabetic())
            .filter(|w| w.len() >= 5 && w.chars().any(|c| c.is_lowercase()))
            .collect();
        if let Some(w) = words.get(words.len() / 2) {
            terms.push(w.to_lowercase());
        }
        let line_words: Vec<&str> = text
            .lines()
            .find(|l| l.split_whitespace().count() > 6)
            .unwrap_or("")
            .split_whitespace()
            .filter(|w| w.chars().all(char::is_alphabetic))
            .collect();
        if let Some(pair) = line_words.windows(2).nth(2) {
            phrases.push(format!("{} {}", pair[0], pair[1]).to_lowercase());
        }
        if terms.len() >= n && phrases.len() >= n {
            break;
        }
    }
    terms.truncate(n);
    phrases.truncate(n);
    (terms, phrases)
}
