//! `cablescope generate`: a synthetic, realistic corpus of cables with a truth
//! sidecar, for demos, tests and benchmarks.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Context;
use cablescope_generate::{generate, OutputFormat, DEFAULT_SEED};
use clap::{Args, ValueEnum};

/// Output layout of the generated corpus.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GenFormat {
    /// One raw telegram per file, in YYYY/MM/ folders.
    Telegram,
    /// One `cables.csv` in the September 2011 dump's layout.
    CablesCsv,
    /// One cable-viewer page (2011 template shape) per file, in cable/YYYY/MM/.
    Html,
}

/// Arguments of `cablescope generate`.
#[derive(Debug, Args)]
pub struct GenerateArgs {
    /// Number of cables (Cablegate had 251,287).
    #[arg(long)]
    count: usize,
    /// Output folder (created if missing); `truth.jsonl` goes beside the cables.
    #[arg(long)]
    out: PathBuf,
    /// Output layout.
    #[arg(long, value_enum, default_value_t = GenFormat::Telegram)]
    format: GenFormat,
    /// Random seed: the same count, format and seed give byte-identical output.
    #[arg(long, default_value_t = DEFAULT_SEED)]
    seed: u64,
    /// No summary on standard error.
    #[arg(long, short)]
    quiet: bool,
}

/// Runs `cablescope generate`: exit status 0 when the corpus was written.
pub fn run(args: GenerateArgs) -> anyhow::Result<ExitCode> {
    let format = match args.format {
        GenFormat::Telegram => OutputFormat::Telegram,
        GenFormat::CablesCsv => OutputFormat::CablesCsv,
        GenFormat::Html => OutputFormat::Html,
    };
    let start = Instant::now();
    let stats = generate(args.count, args.seed, format, &args.out)
        .with_context(|| format!("writing the corpus to {}", args.out.display()))?;
    if !args.quiet {
        eprintln!(
            "cablescope: {} cables in {} files ({:.1} MB) and truth.jsonl ({:.1} MB) under {} in {:.1} s",
            stats.cables,
            stats.files,
            stats.bytes as f64 / 1e6,
            stats.truth_bytes as f64 / 1e6,
            args.out.display(),
            start.elapsed().as_secs_f64()
        );
    }
    Ok(ExitCode::SUCCESS)
}
