//! `cablescope stats`, `cablescope remove` and `cablescope verify [--repair]`.

use std::io::{self, BufWriter, Write};
use std::process::ExitCode;

use anyhow::Context;
use cablescope_access::declass::Date;
use cablescope_access::Error;
use clap::Args;

use crate::archive_opts::{ok_on_broken_pipe, print_json, ArchiveArg, TextOrJson};
use crate::search_cmd::{parse_date_arg, Reader};

/// Arguments of `cablescope stats`.
#[derive(Debug, Args)]
pub struct StatsArgs {
    #[command(flatten)]
    archive: ArchiveArg,
    /// How many of the most-cited missing cables to list.
    #[arg(long, default_value_t = 20)]
    missing: usize,
    /// Output format.
    #[arg(long, value_enum, default_value_t = TextOrJson::Text)]
    format: TextOrJson,
    /// Read the archive as of this date (declassification; default today).
    #[arg(long, value_name = "DATE", value_parser = parse_date_arg)]
    as_of: Option<Date>,
}

/// Tags listed by the text output of `stats`.
const TOP_TAGS: usize = 20;

/// Runs `cablescope stats`: counts over the cables the reader may see (a cable
/// they may not see is counted nowhere; cited ones they may not see count as
/// missing).
pub fn run_stats(args: StatsArgs) -> anyhow::Result<ExitCode> {
    let reader = Reader::open(&args.archive, args.as_of)?;
    let s = reader.session()?.stats(args.missing)?;
    ok_on_broken_pipe((|| {
        match args.format {
            TextOrJson::Json => print_json(&s)?,
            TextOrJson::Text => {
                let mut out = BufWriter::new(io::stdout().lock());
                writeln!(out, "cables: {}", s.cables)?;
                // Tags run to hundreds: the text lists the commonest (the JSON has
                // them all, and the months).
                let top_tags: Vec<(String, u64)> =
                    s.by_tag.iter().take(TOP_TAGS).cloned().collect();
                let tags_title = format!("top {TOP_TAGS} tags");
                for (name, counts) in [
                    ("by year", &s.by_year),
                    ("by origin", &s.by_origin),
                    ("by classification", &s.by_classification),
                    ("by level", &s.by_level),
                    (tags_title.as_str(), &top_tags),
                    ("most-cited missing cables", &s.most_cited_missing),
                ] {
                    writeln!(out, "\n{name}:")?;
                    if counts.is_empty() {
                        writeln!(out, "  (none)")?;
                    }
                    let label = |k: &str| if k.is_empty() { "(unknown)" } else { k }.to_string();
                    // Columns as wide as this section's longest value (a
                    // classification with its caveats runs past any fixed width).
                    let w = column_width(counts.iter().map(|(k, _)| label(k)));
                    for (k, n) in counts {
                        writeln!(out, "  {:<w$} {n:>8}", label(k))?;
                    }
                }
                writeln!(
                    out,
                    "\nportion marks (as written -> as read; unreadable first):"
                )?;
                if s.marks.is_empty() {
                    writeln!(out, "  (none)")?;
                }
                // The count first, right-aligned; the mark after it, unpadded: an
                // unreadable mark as written can be long, and padding every line
                // to it would overflow any terminal.
                let w = column_width(s.marks.iter().map(|m| m.cables.to_string()));
                for m in &s.marks {
                    let written = match &m.stored {
                        Some(st) => format!("{} ({st})", m.written),
                        None => m.written.clone(),
                    };
                    let read = if m.unknown {
                        format!("unreadable, read as far as {}", or_dash(&m.code))
                    } else {
                        m.code.clone()
                    };
                    let controls = if m.controls.is_empty() {
                        "-".to_string()
                    } else {
                        m.controls.join(",")
                    };
                    writeln!(
                        out,
                        "  {:>w$} cables  {written} -> {read}  (level {}, controls {controls})",
                        m.cables,
                        m.level.as_deref().unwrap_or("-"),
                    )?;
                }
                out.flush()?;
            }
        }
        Ok(ExitCode::SUCCESS)
    })())
}

/// The width of a text column: its longest value in characters, up to
/// [`MAX_COLUMN`] (a longer value runs past its column on its own line instead of
/// widening every line).
fn column_width(values: impl Iterator<Item = String>) -> usize {
    values
        .map(|v| v.chars().count())
        .max()
        .unwrap_or(0)
        .min(MAX_COLUMN)
}

/// Widest text column of `stats`.
const MAX_COLUMN: usize = 40;

/// Arguments of `cablescope remove`.
#[derive(Debug, Args)]
pub struct RemoveArgs {
    #[command(flatten)]
    archive: ArchiveArg,
    /// Remove every copy read from this input (a file, a folder, an archive)
    /// instead of one cable.
    #[arg(long, value_name = "PATH", conflicts_with = "id")]
    source: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = TextOrJson::Text)]
    format: TextOrJson,
    /// The cable id, written loosely.
    #[arg(required_unless_present = "source", num_args = 1..)]
    id: Vec<String>,
}

/// Runs `cablescope remove`: 0 when something was removed, 1 when nothing matched.
pub fn run_remove(args: RemoveArgs) -> anyhow::Result<ExitCode> {
    let mut archive = args.archive.open_admin()?;
    let result = match &args.source {
        Some(p) => {
            // Inputs are recorded by absolute path.
            let abs = std::fs::canonicalize(p)
                .map(|p| p.to_string_lossy().into_owned())
                .unwrap_or_else(|_| p.clone());
            archive.remove_source(&abs)
        }
        None => {
            let id = archive.resolve_id(&args.id.join(" "))?;
            archive.remove_id(&id)
        }
    };
    let removed = match result {
        Ok(r) => r,
        Err(Error::NotFound(what)) => {
            eprintln!("cablescope: error: nothing to remove: {what} is not in the archive");
            return Ok(ExitCode::from(1));
        }
        Err(e) => return Err(e.into()),
    };
    archive.close_writer();
    ok_on_broken_pipe((|| {
        match args.format {
            TextOrJson::Json => print_json(&removed)?,
            TextOrJson::Text => {
                let mut out = io::stdout().lock();
                writeln!(
                    out,
                    "removed {} cable(s){}{}",
                    removed.cables.len(),
                    if removed.cables.is_empty() { "" } else { ": " },
                    removed.cables.join(", ")
                )?;
                if !removed.updated.is_empty() {
                    writeln!(
                        out,
                        "rebuilt from their other copies: {}",
                        removed.updated.join(", ")
                    )?;
                }
                if !removed.sources.is_empty() {
                    writeln!(out, "forgot {} input(s)", removed.sources.len())?;
                }
            }
        }
        Ok(ExitCode::SUCCESS)
    })())
}

/// Arguments of `cablescope verify`.
#[derive(Debug, Args)]
pub struct VerifyArgs {
    #[command(flatten)]
    archive: ArchiveArg,
    /// When the index is damaged or disagrees with the store, rebuild it from the
    /// store (`cablescope repair`) and verify again.
    #[arg(long)]
    repair: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = TextOrJson::Text)]
    format: TextOrJson,
}

/// Runs `cablescope verify`: every index file against tantivy's checksums, then
/// store ⇄ index agreement and the store's own checks. 0 when all is sound, 1
/// otherwise (each damaged file named); with `--repair`, the status of the
/// archive after the repair.
pub fn run_verify(args: VerifyArgs) -> anyhow::Result<ExitCode> {
    args.archive.check_exists()?;
    let dir = args.archive.dir();
    crate::archive_opts::warn_if_exposed(&dir);
    let location = args.archive.location();
    let shown = args.archive.describe();
    let mut r = cablescope_access::Admin::verify_dir_on(&dir, &location)
        .with_context(|| format!("cannot verify the archive {shown}"))?;
    let mut repaired = None;
    if args.repair && !r.ok() {
        let rep = cablescope_access::Admin::repair_on(&dir, &location)
            .with_context(|| format!("cannot repair the archive {shown}"))?;
        repaired = Some((r, rep.cables));
        r = rep.verify;
    }
    let code = if r.ok() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    };
    ok_on_broken_pipe((|| {
        match args.format {
            TextOrJson::Json => {
                #[derive(serde::Serialize)]
                struct Out<'a> {
                    ok: bool,
                    #[serde(flatten)]
                    report: &'a cablescope_access::VerifyReport,
                    #[serde(skip_serializing_if = "Option::is_none")]
                    before_repair: Option<&'a cablescope_access::VerifyReport>,
                }
                print_json(&Out {
                    ok: r.ok(),
                    report: &r,
                    before_repair: repaired.as_ref().map(|(b, _)| b),
                })?;
            }
            TextOrJson::Text => {
                let mut out = io::stdout().lock();
                if let Some((before, cables)) = &repaired {
                    write_verify(&mut out, before)?;
                    writeln!(
                        out,
                        "repaired: index rebuilt from the store ({cables} cables)"
                    )?;
                }
                write_verify(&mut out, &r)?;
            }
        }
        Ok(code)
    })())
}

/// The text form of a verification report, ending in `ok` or `DAMAGED`.
pub fn write_verify(
    out: &mut impl Write,
    r: &cablescope_access::VerifyReport,
) -> anyhow::Result<()> {
    if r.index_damage.is_empty() {
        writeln!(
            out,
            "store: {} cables (change {}); index: {} documents (change {})",
            r.store_count, r.store_seq, r.index_count, r.index_seq
        )?;
    } else {
        writeln!(
            out,
            "store: {} cables (change {}); index: DAMAGED, {} damaged file(s) \
             (run `cablescope repair` to rebuild it from the store)",
            r.store_count,
            r.store_seq,
            r.index_damage.len()
        )?;
        for d in &r.index_damage {
            writeln!(out, "  damaged: {d}")?;
        }
    }
    for (name, ids) in [
        ("missing in the index", &r.missing_in_index),
        ("in the index but not the store", &r.extra_in_index),
        ("indexed more than once", &r.duplicated_in_index),
        ("indexed at an old version", &r.stale_in_index),
        ("store damage", &r.store_damage),
    ] {
        if !ids.is_empty() {
            writeln!(out, "{name} ({}): {}", ids.len(), ids.join(", "))?;
        }
    }
    if r.index_damage.is_empty() && r.index_seq != r.store_seq {
        writeln!(
            out,
            "the index is at change {}, the store at {} (an ingest is running, or \
             `cablescope repair` catches it up)",
            r.index_seq, r.store_seq
        )?;
    }
    writeln!(out, "{}", if r.ok() { "ok" } else { "DAMAGED" })?;
    Ok(())
}

/// `-` for an empty string.
fn or_dash(s: &str) -> &str {
    if s.is_empty() {
        "-"
    } else {
        s
    }
}
