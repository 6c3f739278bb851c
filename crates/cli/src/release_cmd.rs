//! `cablescope release-copy PATH`: declare the copies read from an input an
//! official release (a declassified or FOIA copy), audited, and merge their cables
//! again. An official release governs the markings of what it holds when copies
//! merge (`cablescope_format::assemble`): it is the one way a copy may make text
//! readable that was not before, so it takes an admin (when the archive has users,
//! a token with the admin role; an open archive is administered by whoever has its
//! files). `--undo` takes the declaration back.

use std::io::Write;
use std::process::ExitCode;

use cablescope_access::users::Role;
use cablescope_access::{Auditor, Error};
use clap::Args;

use crate::archive_opts::{ok_on_broken_pipe, print_json, ArchiveArg, TextOrJson, EXIT_AUTH};

/// Arguments of `cablescope release-copy`.
#[derive(Debug, Args)]
pub struct ReleaseArgs {
    #[command(flatten)]
    archive: ArchiveArg,
    /// Take the declaration back: the copies are ordinary copies again.
    #[arg(long)]
    undo: bool,
    /// Output format.
    #[arg(long, value_enum, default_value_t = TextOrJson::Text)]
    format: TextOrJson,
    /// The input the copies were read from (a file, a folder, or an archive and
    /// its members), as ingested.
    path: String,
}

/// Runs `cablescope release-copy`: 0 done, 1 no copy read from PATH, 3 not an admin.
pub fn run(args: ReleaseArgs) -> anyhow::Result<ExitCode> {
    args.archive.check_exists()?;
    let viewer = args.archive.viewer()?;
    if viewer.name.is_some() && !viewer.has_role(Role::Admin) {
        eprintln!("cablescope: error: declaring an official release needs the admin role");
        return Ok(ExitCode::from(EXIT_AUTH));
    }
    // Inputs are recorded by absolute path.
    let path = std::fs::canonicalize(&args.path)
        .map(|p| p.to_string_lossy().into_owned())
        .unwrap_or_else(|_| args.path.clone());
    let mut admin = args.archive.open_admin()?;
    let auditor = Auditor::new(args.archive.access());
    let released = match admin.release_copy(&path, !args.undo, &viewer, &auditor) {
        Ok(r) => r,
        Err(Error::NotFound(what)) => {
            eprintln!("cablescope: error: no copy in the archive was read from {what}");
            return Ok(ExitCode::from(1));
        }
        Err(e) => return Err(e.into()),
    };
    admin.close_writer();
    ok_on_broken_pipe((|| {
        match args.format {
            TextOrJson::Json => print_json(&released)?,
            TextOrJson::Text => {
                let mut out = std::io::stdout().lock();
                writeln!(
                    out,
                    "{} {} cop{} of {}; merged again: {}",
                    if args.undo {
                        "no longer an official release:"
                    } else {
                        "official release:"
                    },
                    released.copies.len(),
                    if released.copies.len() == 1 {
                        "y"
                    } else {
                        "ies"
                    },
                    path,
                    released.cables.join(", ")
                )?;
            }
        }
        Ok(ExitCode::SUCCESS)
    })())
}
