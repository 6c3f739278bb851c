//! `cablescope show ID`: one cable's header fields and its text with portion marks.

use std::io::{self, BufWriter, Write};
use std::process::ExitCode;

use cablescope_archive::store::Store;
use cablescope_format::Cable;
use clap::Args;

use crate::archive_opts::{ok_on_broken_pipe, print_json, resolve_id, ArchiveArg, TextOrJson};

/// Arguments of `cablescope show`.
#[derive(Debug, Args)]
pub struct ShowArgs {
    #[command(flatten)]
    archive: ArchiveArg,
    /// Text for people, or the full record as JSON.
    #[arg(long, value_enum, default_value_t = TextOrJson::Text)]
    format: TextOrJson,
    /// The cable id, written loosely (`08MOSCOW1599`, `08 MOSCOW 1599`,
    /// `MOSCOW 1599`).
    #[arg(required = true, num_args = 1..)]
    id: Vec<String>,
}

fn field(out: &mut dyn Write, name: &str, value: &str) -> io::Result<()> {
    if value.is_empty() {
        return Ok(());
    }
    writeln!(out, "{name:<15} {value}")
}

fn recipients(rs: &[cablescope_format::record::Recipient]) -> String {
    rs.iter()
        .map(|r| r.name.clone())
        .collect::<Vec<_>>()
        .join("; ")
}

fn write_cable(out: &mut dyn Write, c: &Cable, present: &dyn Fn(&str) -> bool) -> io::Result<()> {
    let id = c.id.as_deref().unwrap_or("");
    match &c.id_as_written {
        Some(w) if w != id => field(out, "ID", &format!("{id} (written {w})"))?,
        _ => field(out, "ID", id)?,
    }
    field(out, "CREATED", c.created.as_deref().unwrap_or(""))?;
    field(out, "PRECEDENCE", c.precedence.as_deref().unwrap_or(""))?;
    let origin = match (&c.origin.station, &c.origin.name) {
        (Some(s), Some(n)) if n != s => format!("{s} ({n})"),
        (Some(s), _) => s.clone(),
        (None, Some(n)) => n.clone(),
        (None, None) => String::new(),
    };
    field(out, "ORIGIN", &origin)?;
    field(
        out,
        "CLASSIFICATION",
        c.classification.as_deref().unwrap_or(""),
    )?;
    field(out, "CAPTIONS", &c.captions.join(", "))?;
    field(out, "TO", &recipients(&c.recipients))?;
    field(out, "INFO", &recipients(&c.info_recipients))?;
    let eo = c.eo.as_deref().unwrap_or("");
    field(out, "E.O.", eo.strip_prefix("E.O.").unwrap_or(eo).trim())?;
    field(
        out,
        "DECLASSIFY ON",
        c.declassify_on.as_deref().unwrap_or(""),
    )?;
    field(out, "CLASSIFIED BY", &c.classified_by.join("; "))?;
    field(out, "REASONS", &c.reasons.join(", "))?;
    field(out, "TAGS", &c.tags.join(", "))?;
    let subject = match (&c.subject_marking, &c.subject) {
        (Some(m), Some(s)) => format!("({m}) {s}"),
        (None, Some(s)) => s.clone(),
        _ => String::new(),
    };
    field(out, "SUBJECT", &subject)?;
    for (i, r) in c.references.iter().enumerate() {
        let label = r.label.as_deref().unwrap_or("");
        let status = match r.id.as_deref() {
            Some(rid) if present(rid) => format!("{rid} (in archive)"),
            Some(rid) => format!("{rid} (missing)"),
            None => r.text.clone(),
        };
        let name = if i == 0 { "REF" } else { "" };
        let line = if label.is_empty() {
            status
        } else {
            format!("{label}. {status}")
        };
        field(out, name, &line)?;
    }
    writeln!(out)?;
    for p in &c.paragraphs {
        let mark = p
            .marking
            .as_deref()
            .map(|m| format!("({m}) "))
            .unwrap_or_default();
        let number = if p.number > 0 {
            format!("{}. ", p.number)
        } else {
            String::new()
        };
        if let Some(h) = &p.heading {
            writeln!(out, "{h}")?;
        }
        writeln!(out, "{number}{mark}{}", p.text)?;
        writeln!(out)?;
    }
    field(out, "SIGNED", &c.signers.join("; "))?;
    let sources: Vec<String> = if c.sources.is_empty() {
        vec![c.source.path.clone().unwrap_or_default()]
    } else {
        c.sources
            .iter()
            .map(|s| format!("{} ({})", s.path.as_deref().unwrap_or("-"), s.format))
            .collect()
    };
    for (i, s) in sources.iter().enumerate() {
        field(out, if i == 0 { "SOURCES" } else { "" }, s)?;
    }
    if !c.diagnostics.is_empty() {
        field(out, "DIAGNOSTICS", &c.diagnostics.len().to_string())?;
    }
    Ok(())
}

/// Runs `cablescope show`: 0 when found, 1 when the archive does not hold it.
pub fn run(args: ShowArgs) -> anyhow::Result<ExitCode> {
    let archive = args.archive.open_existing()?;
    let written = args.id.join(" ");
    let id = resolve_id(&archive, &written)?;
    let Some(cable) = archive.cable(&id)? else {
        eprintln!("cablescope: error: no cable {written} in the archive");
        return Ok(ExitCode::from(1));
    };
    ok_on_broken_pipe((|| {
        match args.format {
            TextOrJson::Json => print_json(&cable)?,
            TextOrJson::Text => {
                let mut out = BufWriter::new(io::stdout().lock());
                let store = archive.store();
                let present = |rid: &str| store.cable(rid).ok().flatten().is_some();
                write_cable(&mut out, &cable, &present)?;
                out.flush()?;
            }
        }
        Ok(ExitCode::SUCCESS)
    })())
}
