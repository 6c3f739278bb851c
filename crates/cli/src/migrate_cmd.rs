//! `cablescope migrate --from SRC --to DEST`: moves an archive between the
//! embedded form (a folder) and a PostgreSQL database, either way: the store
//! (`cablescope_archive::migrate`: what moves and how it is checked), and the
//! users and the audit log (`cablescope_access::transfer`).

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
    /// The audit log's key file, when it is not in the source folder (a
    /// database's log is keyed with the file its nodes hold).
    #[arg(long, value_name = "FILE")]
    audit_key: Option<PathBuf>,
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
    let (report, verify, moved) = Admin::migrate(
        (&from_dir, &from),
        (&to_dir, &to),
        args.audit_key.as_deref(),
        &mut |done, total| {
            if done >= last + 5000 || done == total {
                eprintln!("migrate: {done} of {total} cables");
                last = done;
            }
        },
    )
    .with_context(|| format!("cannot migrate {from_shown} to {to_shown}"))?;
    let audit_ok = moved.audit.as_ref().is_none_or(|a| a.is_ok());
    let ok = verify.as_ref().is_none_or(|v| v.ok()) && audit_ok;
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
                    access: &'a cablescope_access::transfer::Transfer,
                }
                print_json(&Out {
                    ok,
                    report: &report,
                    verify: verify.as_ref(),
                    access: &moved,
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
                writeln!(
                    out,
                    "moved {} users and {} audit entries",
                    moved.users, moved.audit_entries
                )?;
                if let Some(a) = &moved.audit {
                    match &a.broken {
                        None => writeln!(out, "audit log: intact, head {}", a.head_hash)?,
                        Some(b) => writeln!(
                            out,
                            "audit log: BROKEN at seq {}: {}",
                            b.seq,
                            b.reason.describe()
                        )?,
                    }
                }
                match (&moved.key_file, to.is_shared()) {
                    (Some(k), true) => writeln!(
                        out,
                        "the audit log is keyed with {}: copy it into each node's folder (--archive DIR of serve)",
                        k.display()
                    )?,
                    (Some(k), false) => writeln!(out, "audit key copied to {}", k.display())?,
                    (None, _) => {}
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
