//! `cablescope parse`: files, folders and archives in, JSON records out.

use std::collections::BTreeMap;
use std::io::{self, BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use cablescope_collect::{walk, Event, Limits};
use cablescope_format::assemble::assemble;
use cablescope_format::containers::{read_stream, ReadOptions};
use cablescope_format::Cable;
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
    /// Print every copy as found, without joining sections or merging copies of one
    /// cable. Records then stream out in bounded memory (merging must see every
    /// copy first, so it holds records until the end).
    #[arg(long)]
    no_merge: bool,
    /// Never take a record's id from its file name. By default a file named like a
    /// cable id (`03ABUDHABI2641.txt`) gives the id of a record whose text gives
    /// none (with an `id_from_file_name` diagnostic).
    #[arg(long)]
    no_file_name_ids: bool,
    /// No summary on standard error.
    #[arg(long, short)]
    quiet: bool,
    /// Files, folders or archives (.gz, .zip, .tar, .tar.gz) to read; `-` or nothing
    /// reads standard input.
    files: Vec<PathBuf>,
}

/// Counts for the closing summary.
#[derive(Default)]
struct Summary {
    files: usize,
    per_format: BTreeMap<&'static str, usize>,
    errors: usize,
}

/// Runs `cablescope parse`: exit status 0 when every input was read, 1 otherwise.
pub fn run(args: ParseArgs) -> anyhow::Result<ExitCode> {
    let inputs = if args.files.is_empty() {
        vec![PathBuf::from("-")]
    } else {
        args.files.clone()
    };
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let opts = ReadOptions {
        id: args.id.clone(),
        year: args.year,
        file_name_ids: !args.no_file_name_ids,
        ..ReadOptions::default()
    };
    let mut summary = Summary::default();
    let mut held: Vec<Cable> = Vec::new();
    let mut write_error: Option<io::Error> = None;

    walk(&inputs, &Limits::default(), &mut |event| match event {
        Event::File(mut entry) => {
            let name = entry.path().to_string();
            summary.files += 1;
            let mut on_cable = |r: Result<Cable, _>| match r {
                Ok(c) => {
                    *summary.per_format.entry(format_name(&c)).or_default() += 1;
                    if args.no_merge {
                        if write_error.is_none() {
                            if let Err(e) = write_record(&mut out, &c, args.format) {
                                write_error = Some(e);
                            }
                        }
                    } else {
                        held.push(c);
                    }
                }
                Err(e) => {
                    summary.errors += 1;
                    eprintln!("cablescope: error: {name}: {e}");
                }
            };
            if let Err(e) = read_stream(&name, &mut entry, &opts, &mut on_cable) {
                summary.errors += 1;
                eprintln!("cablescope: error: {name}: {e}");
            }
        }
        Event::Problem(p) => {
            summary.errors += 1;
            eprintln!("cablescope: error: {p}");
        }
    });

    if !args.no_merge {
        for c in assemble(held) {
            if write_error.is_some() {
                break;
            }
            if let Err(e) = write_record(&mut out, &c, args.format) {
                write_error = Some(e);
            }
        }
    }
    if let Some(e) = write_error {
        return broken_pipe_or(e);
    }
    if let Err(e) = out.flush() {
        return broken_pipe_or(e);
    }
    let several = summary.files > 1 || inputs.iter().any(|p| p.is_dir());
    if several && !args.quiet {
        let per: Vec<String> = summary
            .per_format
            .iter()
            .map(|(f, n)| format!("{n} {f}"))
            .collect();
        eprintln!(
            "cablescope: {} files read, {} cables found ({}), {} errors",
            summary.files,
            summary.per_format.values().sum::<usize>(),
            if per.is_empty() {
                "none".to_string()
            } else {
                per.join(", ")
            },
            summary.errors
        );
    }
    Ok(if summary.errors > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn format_name(c: &Cable) -> &'static str {
    match c.source.format.as_str() {
        "telegram" => "telegram",
        "wikileaks-html-2011" => "wikileaks-html-2011",
        "wikileaks-html-2010" => "wikileaks-html-2010",
        "cables-csv" => "cables-csv",
        "json-export" => "json-export",
        "body-text" => "body-text",
        "plusd-html" => "plusd-html",
        "republished-page" => "republished-page",
        _ => "other",
    }
}

fn write_record(out: &mut impl Write, c: &Cable, format: Format) -> io::Result<()> {
    match format {
        Format::Jsonl => serde_json::to_writer(&mut *out, c)?,
        Format::Pretty => serde_json::to_writer_pretty(&mut *out, c)?,
    }
    writeln!(out)
}

fn broken_pipe_or(e: io::Error) -> anyhow::Result<ExitCode> {
    if e.kind() == io::ErrorKind::BrokenPipe {
        Ok(ExitCode::SUCCESS)
    } else {
        Err(e).context("writing to standard output")
    }
}
