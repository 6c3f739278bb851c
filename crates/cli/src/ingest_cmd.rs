//! `cablescope ingest`: files, folders and archives into the archive, with a
//! progress bar and a closing summary.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;
use cablescope_access::{IngestOptions, Progress};
use clap::Args;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::archive_opts::{print_json, ArchiveArg, TextOrJson, EXIT_USAGE};

/// Arguments of `cablescope ingest`.
#[derive(Debug, Args)]
pub struct IngestArgs {
    #[command(flatten)]
    archive: ArchiveArg,
    /// Read again only the inputs recorded as failed.
    #[arg(long)]
    retry_failed: bool,
    /// Read every file again, even those recorded unchanged.
    #[arg(long)]
    force: bool,
    /// Parser threads (0: one per core).
    #[arg(long, default_value_t = 0)]
    threads: usize,
    /// Files per batch (one store transaction and one index commit). Hidden: for
    /// tests that need many commits from a small corpus (the crash test).
    #[arg(long, hide = true)]
    batch_files: Option<usize>,
    /// No progress bar.
    #[arg(long, short)]
    quiet: bool,
    /// The closing summary as text (standard error) or JSON (standard output).
    #[arg(long, value_enum, default_value_t = TextOrJson::Text)]
    format: TextOrJson,
    /// Files, folders or archives (.gz, .zip, .tar, .tar.gz) to ingest.
    paths: Vec<PathBuf>,
}

fn message(p: &Progress) -> String {
    let mut m = format!(
        "{} cables ({:.0}/s), {} written",
        p.cables_read,
        p.cables_per_sec(),
        p.cables_written
    );
    for (fmt, n) in &p.per_format {
        m.push_str(&format!(", {fmt} {n}"));
    }
    if p.files_unchanged > 0 {
        m.push_str(&format!(", {} unchanged", p.files_unchanged));
    }
    if p.files_failed > 0 || p.item_errors > 0 {
        m.push_str(&format!(", {} errors", p.files_failed + p.item_errors));
    }
    m
}

/// Runs `cablescope ingest`: 0 when every input was read, 1 when some failed, 2
/// for a usage error.
pub fn run(args: IngestArgs) -> anyhow::Result<ExitCode> {
    if args.paths.is_empty() && !args.retry_failed {
        eprintln!("cablescope: error: ingest needs at least one PATH (or --retry-failed)");
        return Ok(ExitCode::from(EXIT_USAGE));
    }
    if !args.paths.is_empty() && args.retry_failed {
        eprintln!("cablescope: error: --retry-failed takes no PATH");
        return Ok(ExitCode::from(EXIT_USAGE));
    }
    let mut archive = args.archive.open()?;
    let opts = IngestOptions {
        threads: args.threads,
        force: args.force,
        batch_files: args
            .batch_files
            .unwrap_or(IngestOptions::default().batch_files)
            .max(1),
        ..IngestOptions::default()
    };
    let bar = ProgressBar::new(0);
    if args.quiet || !std::io::stderr().is_terminal() {
        bar.set_draw_target(ProgressDrawTarget::hidden());
    }
    bar.set_style(
        ProgressStyle::with_template(
            "{spinner} [{elapsed_precise}] {bar:30} {pos}/{len} files, ETA {eta} | {msg}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar.enable_steady_tick(Duration::from_millis(200));
    let mut report = |p: &Progress| {
        bar.set_length(p.files_seen);
        bar.set_position(p.files_parsed + p.files_unchanged + p.files_failed);
        bar.set_message(message(p));
    };
    let result = if args.retry_failed {
        archive.retry_failed(&opts, &mut report)
    } else {
        archive.ingest(&args.paths, &opts, &mut report)
    };
    bar.finish_and_clear();
    let p = result.with_context(|| format!("ingest into {}", archive.dir().display()))?;
    archive.close_writer();
    match args.format {
        TextOrJson::Json => print_json(&p)?,
        TextOrJson::Text => {
            for e in &p.errors {
                eprintln!("cablescope: error: {e}");
            }
            eprintln!(
                "ingested {} files ({} unchanged, {} failed) in {:.1}s: {} cables read, {} written, {} removed",
                p.files_seen,
                p.files_unchanged,
                p.files_failed,
                p.elapsed.as_secs_f64(),
                p.cables_read,
                p.cables_written,
                p.cables_removed
            );
            if !p.per_format.is_empty() {
                let per: Vec<String> = p
                    .per_format
                    .iter()
                    .map(|(f, n)| format!("{f} {n}"))
                    .collect();
                eprintln!("files per format: {}", per.join(", "));
            }
        }
    }
    Ok(if p.files_failed > 0 || p.item_errors > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
