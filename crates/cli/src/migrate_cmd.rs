//! `cablescope migrate --from SRC --to DEST`: moves an archive's store between the
//! embedded form (a folder) and a PostgreSQL database, either way. What moves and
//! how it is checked is in `cablescope_archive::migrate`.

use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use cablescope_access::{Admin, StoreLocation};
use clap::Args;

use crate::archive_opts::{ok_on_broken_pipe, print_json, TextOrJson};

/// Arguments of `cablescope migrate`.
#[derive(Debug, Args)]
pub struct MigrateArgs {
    /// The archive to copy: a folder, or a database URL (postgres://...).
    #[arg(long, value_name = "DIR|URL")]
    from: String,
    /// Where to copy it: a new folder, or an empty database (postgres://...).
    #[arg(long, value_name = "DIR|URL")]
    to: String,
    /// Output format.
    #[arg(long, value_enum, default_value_t = TextOrJson::Text)]
    format: TextOrJson,
}

/// A folder or a database, as the user named it.
fn place(arg: &str) -> (PathBuf, StoreLocation) {
    let is_url = arg.starts_with("postgres://")
        || arg.starts_with("postgresql://")
        || arg.contains("dbname=")
        || arg.contains("host=");
    if is_url {
        // No index is written for a database here: the nodes build their own.
        (PathBuf::from("."), StoreLocation::Postgres(arg.to_string()))
    } else {
        (PathBuf::from(arg), StoreLocation::Embedded)
    }
}

/// Runs `cablescope migrate`: 0 when every record, copy and input moved and the
/// two stores compare equal.
pub fn run(args: MigrateArgs) -> anyhow::Result<ExitCode> {
    let (from_dir, from) = place(&args.from);
    let (to_dir, to) = place(&args.to);
    if from == to && from_dir == to_dir {
        anyhow::bail!("--from and --to name the same archive");
    }
    let shown = |dir: &PathBuf, l: &StoreLocation| l.describe(dir);
    let (from_shown, to_shown) = (shown(&from_dir, &from), shown(&to_dir, &to));
    let mut last = 0;
    let (report, verify) =
        Admin::migrate((&from_dir, &from), (&to_dir, &to), &mut |done, total| {
            if done >= last + 5000 || done == total {
                eprintln!("migrate: {done} of {total} cables");
                last = done;
            }
        })
        .with_context(|| format!("cannot migrate {from_shown} to {to_shown}"))?;
    let ok = verify.as_ref().is_none_or(|v| v.ok());
    ok_on_broken_pipe((|| {
        match args.format {
            TextOrJson::Json => {
                #[derive(serde::Serialize)]
                struct Out<'a> {
                    ok: bool,
                    #[serde(flatten)]
                    report: &'a cablescope_access::MigrateReport,
                    #[serde(skip_serializing_if = "Option::is_none")]
                    verify: Option<&'a cablescope_access::VerifyReport>,
                }
                print_json(&Out {
                    ok,
                    report: &report,
                    verify: verify.as_ref(),
                })?;
            }
            TextOrJson::Text => {
                let mut out = io::stdout().lock();
                writeln!(
                    out,
                    "migrated {from_shown} to {to_shown}: {} cables, {} copies, {} inputs{}",
                    report.cables,
                    report.copies,
                    report.inputs,
                    if report.settings.is_empty() {
                        String::new()
                    } else {
                        format!(", settings: {}", report.settings.join(", "))
                    }
                )?;
                match &verify {
                    Some(v) if v.ok() => {
                        writeln!(out, "verify: ok ({} cables indexed)", v.index_count)?
                    }
                    Some(v) => writeln!(out, "verify: FAILED {v:?}")?,
                    None => writeln!(
                        out,
                        "the stores compare equal; each node builds its index at `serve --database`"
                    )?,
                }
                if !from.is_shared() {
                    writeln!(
                        out,
                        "users and the audit log stay in {}/access.db",
                        from_dir.display()
                    )?;
                }
            }
        }
        Ok(if ok {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(1)
        })
    })())
}
