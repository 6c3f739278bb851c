//! What the archive commands share: the `--archive` option, `--format text|json`,
//! opening the archive, resolving loose ids, and the exit statuses.

use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use cablescope_archive::query::IdPattern;
use cablescope_archive::{Archive, SearchOptions};
use clap::{Args, ValueEnum};

/// Environment variable naming the archive when `--archive` is not given.
pub const ARCHIVE_ENV: &str = "CABLESCOPE_ARCHIVE";
/// The archive used when neither `--archive` nor `$CABLESCOPE_ARCHIVE` is set.
pub const DEFAULT_ARCHIVE: &str = "cablescope-data";

/// Exit status for a usage or query error.
pub const EXIT_USAGE: u8 = 2;

/// The `--archive DIR` option of every archive command.
#[derive(Debug, Clone, Args)]
pub struct ArchiveArg {
    /// The archive directory (wins over $CABLESCOPE_ARCHIVE, which wins over
    /// ./cablescope-data).
    #[arg(long, value_name = "DIR")]
    pub archive: Option<PathBuf>,
}

impl ArchiveArg {
    /// The directory: `--archive`, else `$CABLESCOPE_ARCHIVE`, else `./cablescope-data`.
    pub fn dir(&self) -> PathBuf {
        if let Some(d) = &self.archive {
            return d.clone();
        }
        match std::env::var_os(ARCHIVE_ENV) {
            Some(v) if !v.is_empty() => PathBuf::from(v),
            _ => PathBuf::from(DEFAULT_ARCHIVE),
        }
    }

    /// Opens (or creates) the archive.
    pub fn open(&self) -> anyhow::Result<Archive> {
        let dir = self.dir();
        Archive::open(&dir).with_context(|| format!("cannot open the archive {}", dir.display()))
    }

    /// Fails when there is no archive in the directory (rather than creating an
    /// empty one where a typo points).
    pub fn check_exists(&self) -> anyhow::Result<()> {
        let dir = self.dir();
        if !dir.join(cablescope_archive::store::DB_FILE).is_file() {
            anyhow::bail!(
                "no archive at {} (create one with `cablescope ingest --archive {} PATH...`)",
                dir.display(),
                dir.display()
            );
        }
        Ok(())
    }

    /// Opens an existing archive for reading: usable while an ingest runs (the
    /// cables committed so far are seen).
    pub fn open_existing(&self) -> anyhow::Result<Archive> {
        self.check_exists()?;
        let dir = self.dir();
        Archive::open_for_reading(&dir)
            .with_context(|| format!("cannot open the archive {}", dir.display()))
    }
}

/// `--format text|json` of the commands that print a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum TextOrJson {
    /// Lines for people.
    #[default]
    Text,
    /// One JSON object.
    Json,
}

/// Prints a value as one line of JSON on standard output.
pub fn print_json<T: serde::Serialize>(v: &T) -> anyhow::Result<()> {
    let mut out = io::stdout().lock();
    serde_json::to_writer(&mut out, v)?;
    writeln!(out)?;
    Ok(())
}

/// The canonical id of the cable a user named loosely (`08 MOSCOW 1599`,
/// `MOSCOW 1599`), when the archive holds exactly one; else the id as canonicalised
/// (which may be missing from the archive).
pub fn resolve_id(a: &Archive, written: &str) -> anyhow::Result<String> {
    let Some(p) = IdPattern::parse(written) else {
        return Ok(written.trim().to_string());
    };
    if let Some(c) = p.canonical() {
        if let Some(("id", v)) = cablescope_archive::index::norm::id_terms(&c) {
            return Ok(v);
        }
        return Ok(c);
    }
    let q = cablescope_archive::query::Query::Id(p.clone());
    let r = a.search_query(
        &q,
        &SearchOptions {
            limit: 2,
            ..SearchOptions::default()
        },
    )?;
    match r.hits.as_slice() {
        [one] => Ok(one.id.clone()),
        [] => Ok(p.without_year()),
        _ => anyhow::bail!(
            "{written} names {} cables; add the year (e.g. {})",
            r.total,
            r.hits[0].id
        ),
    }
}

/// Ends a command whose output pipe was closed early (`| head`): success.
pub fn ok_on_broken_pipe(r: anyhow::Result<ExitCode>) -> anyhow::Result<ExitCode> {
    match r {
        Err(e) if is_broken_pipe(&e) => Ok(ExitCode::SUCCESS),
        other => other,
    }
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<io::Error>()
            .is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe)
            || c.downcast_ref::<serde_json::Error>()
                .and_then(serde_json::Error::io_error_kind)
                == Some(io::ErrorKind::BrokenPipe)
    })
}
