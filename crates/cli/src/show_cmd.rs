//! `cablescope show ID`: one cable's header fields and its text with portion marks,
//! as the reader may see it (withheld paragraphs as placeholders that keep their
//! number and marking).

use std::io::{self, BufWriter, Write};
use std::process::ExitCode;

use cablescope_access::declass::Date;
use cablescope_access::render::write_cable;
use cablescope_access::Lookup;
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
/// The value of a lookup that found one cable, or the exit status of one that did
/// not (its error printed): 1 for an id naming several cables or none.
pub fn found<T>(written: &str, l: Lookup<T>) -> Result<T, ExitCode> {
    match l {
        Lookup::Found(t) => Ok(t),
        Lookup::Ambiguous { total, hits, .. } => {
            let example = hits.first().map(|h| h.id.as_str()).unwrap_or("");
            eprintln!(
                "cablescope: error: {written} names {total} cables; add the year (e.g. {example})"
            );
            Err(ExitCode::from(1))
        }
        Lookup::NotFound => Err(not_found(written)),
    }
}

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
    let read = match found(&written, reader.session()?.cable(&written)?) {
        Ok(r) => r,
        Err(code) => return Ok(code),
    };
    let cable = &read.cable;
    ok_on_broken_pipe((|| {
        match args.format {
            TextOrJson::Json => print_json(cable)?,
            TextOrJson::Text => {
                let mut out = BufWriter::new(io::stdout().lock());
                write_cable(&mut out, cable, &|rid| read.present.contains(rid))?;
                out.flush()?;
            }
        }
        Ok(ExitCode::SUCCESS)
    })())
}
