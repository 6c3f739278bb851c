//! Ingests paths into an archive: `ingest ARCHIVE PATH... [--batch N] [--retry-failed]`.
//! Prints the final progress as JSON on stdout and per-batch lines on stderr.
//! Used by the crash test (killed mid-run) and for timings.

use std::path::PathBuf;

use cablescope_archive::{Archive, IngestOptions};

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(dir) = args.next() else {
        eprintln!("usage: ingest ARCHIVE PATH... [--batch N] [--retry-failed]");
        std::process::exit(2);
    };
    let mut paths = Vec::new();
    let mut opts = IngestOptions::default();
    let mut retry = false;
    while let Some(a) = args.next() {
        match a.as_str() {
            "--batch" => {
                opts.batch_files = args.next().and_then(|n| n.parse().ok()).unwrap_or(100);
            }
            "--retry-failed" => retry = true,
            _ => paths.push(PathBuf::from(a)),
        }
    }
    let start = std::time::Instant::now();
    let mut archive = match Archive::open(&dir) {
        Ok(a) => a,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
    };
    let mut batches = 0;
    let mut report = |p: &cablescope_archive::Progress| {
        if p.batches != batches {
            batches = p.batches;
            eprintln!(
                "batch {} files {} cables {}",
                p.batches, p.files_seen, p.cables_read
            );
        }
    };
    let res = if retry {
        archive.retry_failed(&opts, &mut report)
    } else {
        archive.ingest(&paths, &opts, &mut report)
    };
    match res {
        Ok(p) => {
            eprintln!(
                "done in {:.2}s: {} files ({} parsed, {} unchanged, {} failed), {} cables, {:.0} cables/s",
                start.elapsed().as_secs_f64(),
                p.files_seen,
                p.files_parsed,
                p.files_unchanged,
                p.files_failed,
                p.cables_read,
                p.cables_per_sec()
            );
            println!("{}", serde_json::to_string(&p).unwrap_or_default());
        }
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
    }
}
