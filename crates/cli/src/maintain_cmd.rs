//! `cablescope repair`, `cablescope backup` and `cablescope restore`: keeping an
//! archive sound. They need file access to the archive (no token: file access is
//! full access); what they do is in `cablescope_archive::integrity` and
//! `cablescope_archive::backup`, and how to use them in `docs/operations.md`.

use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use cablescope_access::Admin;
use clap::Args;

use crate::admin_cmd::write_verify;
use crate::archive_opts::{ok_on_broken_pipe, print_json, ArchiveDirArg, TextOrJson};

/// Arguments of `cablescope repair`.
#[derive(Debug, Args)]
pub struct RepairArgs {
    #[command(flatten)]
    archive: ArchiveDirArg,
    /// Output format.
    #[arg(long, value_enum, default_value_t = TextOrJson::Text)]
    format: TextOrJson,
}

/// Runs `cablescope repair`: rebuilds the index from the store (whatever its
/// state) and verifies the result. 0 when the archive then verifies, 1 otherwise
/// (store damage, which a rebuilt index cannot mend).
pub fn run_repair(args: RepairArgs) -> anyhow::Result<ExitCode> {
    let dir = args.archive.existing()?;
    crate::archive_opts::warn_if_exposed(&dir);
    let r = Admin::repair(&dir)
        .with_context(|| format!("cannot repair the archive {}", dir.display()))?;
    let code = exit_for(r.verify.ok());
    ok_on_broken_pipe((|| {
        match args.format {
            TextOrJson::Json => print_json(&r)?,
            TextOrJson::Text => {
                let mut out = io::stdout().lock();
                if r.damage_before.is_empty() {
                    writeln!(out, "the index had no damaged file")?;
                } else {
                    for d in &r.damage_before {
                        writeln!(out, "was damaged: {d}")?;
                    }
                }
                writeln!(
                    out,
                    "index rebuilt from the store: {} cables (change {})",
                    r.cables, r.seq
                )?;
                write_verify(&mut out, &r.verify)?;
            }
        }
        Ok(code)
    })())
}

/// Arguments of `cablescope backup`.
#[derive(Debug, Args)]
pub struct BackupArgs {
    #[command(flatten)]
    archive: ArchiveDirArg,
    /// The backup folder to create (it must not exist).
    dest: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = TextOrJson::Text)]
    format: TextOrJson,
}

/// Runs `cablescope backup`: a consistent copy while `serve` and `ingest` run.
pub fn run_backup(args: BackupArgs) -> anyhow::Result<ExitCode> {
    let dir = args.archive.existing()?;
    crate::archive_opts::warn_if_exposed(&dir);
    let r = Admin::backup(&dir, &args.dest).with_context(|| {
        format!(
            "cannot back up the archive {} into {}",
            dir.display(),
            args.dest.display()
        )
    })?;
    ok_on_broken_pipe((|| {
        match args.format {
            TextOrJson::Json => print_json(&r)?,
            TextOrJson::Text => {
                let mut out = io::stdout().lock();
                writeln!(
                    out,
                    "backed up {} cables (store change {}) into {}: {} bytes",
                    r.cables,
                    r.store_seq,
                    r.dest.display(),
                    r.bytes
                )?;
                match r.index_seq {
                    Some(seq) => writeln!(out, "index copied at change {seq}")?,
                    None => writeln!(
                        out,
                        "index not copied (it kept changing, or was damaged): \
                         `cablescope restore` rebuilds it from the store"
                    )?,
                }
            }
        }
        Ok(ExitCode::SUCCESS)
    })())
}

/// Arguments of `cablescope restore`.
#[derive(Debug, Args)]
pub struct RestoreArgs {
    /// The backup folder (made by `cablescope backup`).
    backup: PathBuf,
    /// The archive folder to create (it must not exist).
    dest: PathBuf,
    /// Output format.
    #[arg(long, value_enum, default_value_t = TextOrJson::Text)]
    format: TextOrJson,
}

/// Runs `cablescope restore`: a new archive from a backup, its index caught up
/// with its store, verified. 0 when it verifies, 1 otherwise.
pub fn run_restore(args: RestoreArgs) -> anyhow::Result<ExitCode> {
    let r = Admin::restore(&args.backup, &args.dest).with_context(|| {
        format!(
            "cannot restore {} into {}",
            args.backup.display(),
            args.dest.display()
        )
    })?;
    let code = exit_for(r.verify.ok());
    ok_on_broken_pipe((|| {
        match args.format {
            TextOrJson::Json => print_json(&r)?,
            TextOrJson::Text => {
                let mut out = io::stdout().lock();
                writeln!(
                    out,
                    "restored into {} ({} store change(s) indexed after the copy)",
                    r.dest.display(),
                    r.reindexed
                )?;
                write_verify(&mut out, &r.verify)?;
            }
        }
        Ok(code)
    })())
}

fn exit_for(ok: bool) -> ExitCode {
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
