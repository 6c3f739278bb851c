//! `cablescope show ID`: one cable's header fields and its text with portion marks,
//! as the reader may see it (withheld paragraphs as placeholders that keep their
//! number and marking).

use std::io::{self, BufWriter, Write};
use std::process::ExitCode;

use cablescope_archive::access::{withheld_list, Resolved};
use cablescope_archive::declass::Date;
use cablescope_archive::render::write_cable;
use clap::Args;

use crate::archive_opts::{ok_on_broken_pipe, print_json, ArchiveArg, TextOrJson};
use crate::search_cmd::{parse_date_arg, Reader};

/// Arguments of `cablescope show`.
#[derive(Debug, Args)]
pub struct ShowArgs {
    #[command(flatten)]
    archive: ArchiveArg,
    /// Text for people, or the full (redacted) record as JSON.
    #[arg(long, value_enum, default_value_t = TextOrJson::Text)]
    format: TextOrJson,
    /// Read the archive as of this date (declassification; default today).
    #[arg(long, value_name = "DATE", value_parser = parse_date_arg)]
    as_of: Option<Date>,
    /// The cable id, written loosely (`08MOSCOW1599`, `08 MOSCOW 1599`,
    /// `MOSCOW 1599`).
    #[arg(required = true, num_args = 1..)]
    id: Vec<String>,
}

/// The id `written` names for `reader`, or the exit status after an error message
/// (an id without a year that names several cables).
pub fn resolve(reader: &Reader, written: &str) -> anyhow::Result<Result<String, ExitCode>> {
    Ok(
        match reader.archive.resolve_id_for(written, &reader.access)? {
            Resolved::Id(id) => Ok(id),
            Resolved::Ambiguous { total, example } => {
                eprintln!(
                    "cablescope: error: {written} names {total} cables; add the year (e.g. {example})"
                );
                Err(ExitCode::from(1))
            }
        },
    )
}

/// The message for a cable the reader cannot have: the same whether the archive
/// lacks it or the reader may not see it.
pub fn not_found(written: &str) -> ExitCode {
    eprintln!("cablescope: error: no cable {written} in the archive");
    ExitCode::from(1)
}

/// Runs `cablescope show`: 0 when found, 1 when the archive does not hold it (or
/// the reader may not see it).
pub fn run(args: ShowArgs) -> anyhow::Result<ExitCode> {
    let reader = Reader::open(&args.archive, args.as_of)?;
    let written = args.id.join(" ");
    let id = match resolve(&reader, &written)? {
        Ok(id) => id,
        Err(code) => return Ok(code),
    };
    let Some(cable) = reader.archive.cable_for(&id, &reader.access)? else {
        reader.audit("read", &id, 0, Vec::new())?;
        return Ok(not_found(&written));
    };
    reader.audit("read", &id, 1, withheld_list(&cable))?;
    ok_on_broken_pipe((|| {
        match args.format {
            TextOrJson::Json => print_json(&cable)?,
            TextOrJson::Text => {
                let cited: Vec<String> = cable
                    .references
                    .iter()
                    .filter_map(|r| r.id.clone())
                    .collect();
                let present = reader.archive.visible_ids(&cited, &reader.access.scope())?;
                let mut out = BufWriter::new(io::stdout().lock());
                write_cable(&mut out, &cable, &|rid| present.contains(rid))?;
                out.flush()?;
            }
        }
        Ok(ExitCode::SUCCESS)
    })())
}
