//! `cablescope parse`: text in, JSON records out.

use std::fs::File;
use std::io::{self, BufWriter, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use cablescope_format::{decode, parse, Hints, Source};
use clap::{Args, ValueEnum};

/// Output layout.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// One JSON object per line.
    Jsonl,
    /// Indented JSON, one object after another.
    Pretty,
}

/// Arguments of `cablescope parse`.
#[derive(Debug, Args)]
pub struct ParseArgs {
    /// The cable's id, for text that does not carry it (any written form:
    /// "08 MOSCOW 01599" becomes 08MOSCOW1599).
    #[arg(long)]
    id: Option<String>,
    /// The cable's year, for text that does not carry it (a REF line needs the
    /// citing cable's year).
    #[arg(long, value_parser = clap::value_parser!(i32).range(1900..=2100))]
    year: Option<i32>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Jsonl)]
    format: Format,
    /// Files to parse; `-` or nothing reads standard input.
    files: Vec<PathBuf>,
}

/// Runs `cablescope parse`: exit status 0 when every input was read, 1 otherwise.
pub fn run(args: ParseArgs) -> anyhow::Result<ExitCode> {
    let inputs = if args.files.is_empty() { vec![PathBuf::from("-")] } else { args.files.clone() };
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let mut failed = 0usize;
    for path in &inputs {
        match read_input(path) {
            Ok(bytes) => {
                let decoded = match decode(&bytes) {
                    Ok(d) => d,
                    Err(e) => {
                        failed += 1;
                        eprintln!("cablescope: error: {}: {e}", path.display());
                        continue;
                    }
                };
                let hints = Hints {
                    id: args.id.clone(),
                    year: args.year,
                    source: Source {
                        path: Some(path.display().to_string()),
                        format: "telegram".into(),
                        encoding: decoded.encoding.into(),
                    },
                };
                let cable = parse(&decoded.text, &hints);
                let written = match args.format {
                    Format::Jsonl => serde_json::to_writer(&mut out, &cable),
                    Format::Pretty => serde_json::to_writer_pretty(&mut out, &cable),
                };
                written.context("writing a record")?;
                if let Err(e) = writeln!(out) {
                    return broken_pipe_or(e);
                }
            }
            Err(e) => {
                failed += 1;
                eprintln!("cablescope: error: {}: {e:#}", path.display());
            }
        }
    }
    if let Err(e) = out.flush() {
        return broken_pipe_or(e);
    }
    Ok(if failed > 0 { ExitCode::from(1) } else { ExitCode::SUCCESS })
}

fn broken_pipe_or(e: io::Error) -> anyhow::Result<ExitCode> {
    if e.kind() == io::ErrorKind::BrokenPipe {
        Ok(ExitCode::SUCCESS)
    } else {
        Err(e).context("writing to standard output")
    }
}

/// Reads a file (or standard input for `-`), refusing inputs over the size limit
/// without reading them whole.
fn read_input(path: &PathBuf) -> anyhow::Result<Vec<u8>> {
    let limit = cablescope_format::decode::MAX_INPUT_BYTES as u64;
    let reader: Box<dyn Read> = if path.as_os_str() == "-" {
        Box::new(io::stdin().lock())
    } else {
        let f = File::open(path).context("cannot open")?;
        let meta = f.metadata().context("cannot read metadata")?;
        if meta.is_dir() {
            anyhow::bail!("is a directory");
        }
        if meta.len() > limit {
            anyhow::bail!("input is {} bytes, over the limit of {limit} bytes", meta.len());
        }
        Box::new(f)
    };
    let mut bytes = Vec::new();
    reader.take(limit + 1).read_to_end(&mut bytes).context("cannot read")?;
    if bytes.len() as u64 > limit {
        anyhow::bail!("input is over the limit of {limit} bytes");
    }
    Ok(bytes)
}
