//! `cablescope declass`: the archive's declassification policy (E.O. 13526; rules
//! in `cablescope_archive::declass`) and the cables due for release.
//!
//! ```text
//! cablescope declass policy                      show the policy
//! cablescope declass policy on [--exempt 25X1,25X6]
//! cablescope declass policy off
//! cablescope declass due [--before DATE] [--as-of DATE] [--format table|json]
//! ```
//!
//! With the policy on, a cable releases to everyone, in full, on its release date;
//! `--as-of DATE` on the reading commands evaluates the archive at another date.
//! Changing the policy needs the curator role when the archive has users.

use std::io::{self, BufWriter, Write};
use std::process::ExitCode;

use cablescope_access::declass::{Date, DeclassPolicy, Due, ReleaseRule};
use cablescope_access::users::Role;
use cablescope_access::Auditor;
use clap::{Args, Subcommand, ValueEnum};

use crate::archive_opts::{ok_on_broken_pipe, print_json, ArchiveArg, TextOrJson, EXIT_AUTH};
use crate::search_cmd::{parse_date_arg, Reader};

/// Arguments of `cablescope declass`.
#[derive(Debug, Args)]
pub struct DeclassArgs {
    #[command(subcommand)]
    command: DeclassCommand,
}

#[derive(Debug, Subcommand)]
enum DeclassCommand {
    /// Show the declassification policy, or turn it on or off.
    Policy(PolicyArgs),
    /// List the cables whose release date falls after the as-of date and before
    /// --before, soonest first.
    Due(DueArgs),
}

/// `on` or `off`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Switch {
    /// Honour release dates.
    On,
    /// Ignore them (the default: cables read as published).
    Off,
}

#[derive(Debug, Args)]
struct PolicyArgs {
    #[command(flatten)]
    archive: ArchiveArg,
    /// Turn the policy on or off; without it, print the policy.
    #[arg(value_enum)]
    switch: Option<Switch>,
    /// Exemption codes that keep a cable classified past 25 years, comma-separated
    /// (`25X1,25X6`, or `none`); default every code, 25X1-25X9, 50X1, 50X2.
    #[arg(long, value_name = "CODES")]
    exempt: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = TextOrJson::Text)]
    format: TextOrJson,
}

/// Output of `declass due`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum TableOrJson {
    /// Aligned columns.
    Table,
    /// One object `{as_of, before, policy, due}`.
    Json,
}

#[derive(Debug, Args)]
struct DueArgs {
    #[command(flatten)]
    archive: ArchiveArg,
    /// List releases before this date (default: one year after the as-of date).
    #[arg(long, value_name = "DATE", value_parser = parse_date_arg)]
    before: Option<Date>,
    /// Count from this date instead of today.
    #[arg(long, value_name = "DATE", value_parser = parse_date_arg)]
    as_of: Option<Date>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = TableOrJson::Table)]
    format: TableOrJson,
}

/// Runs `cablescope declass`.
pub fn run(args: DeclassArgs) -> anyhow::Result<ExitCode> {
    match args.command {
        DeclassCommand::Policy(a) => run_policy(a),
        DeclassCommand::Due(a) => run_due(a),
    }
}

fn describe(p: &DeclassPolicy) -> String {
    let exempt = if p.exempt.is_empty() {
        "none".to_string()
    } else {
        p.exempt.iter().cloned().collect::<Vec<_>>().join(",")
    };
    format!(
        "declassification: {}; exempt from the 25-year rule: {exempt}",
        if p.enabled { "on" } else { "off" }
    )
}

fn run_policy(args: PolicyArgs) -> anyhow::Result<ExitCode> {
    args.archive.check_exists()?;
    let viewer = args.archive.viewer()?;
    let exempt = match args.exempt.as_deref().map(DeclassPolicy::parse_exempt) {
        None => None,
        Some(Ok(e)) => Some(e),
        Some(Err(e)) => {
            eprintln!("cablescope: error: --exempt: {e}");
            return Ok(ExitCode::from(crate::archive_opts::EXIT_USAGE));
        }
    };
    let policy = match args.switch {
        None => {
            if exempt.is_some() {
                eprintln!("cablescope: error: --exempt goes with `policy on` or `policy off`");
                return Ok(ExitCode::from(crate::archive_opts::EXIT_USAGE));
            }
            args.archive.open_existing()?.declass_policy()?
        }
        Some(switch) => {
            if viewer.name.is_some() && !viewer.has_role(Role::Curator) {
                eprintln!(
                    "cablescope: error: changing the declassification policy needs the curator role"
                );
                return Ok(ExitCode::from(EXIT_AUTH));
            }
            // The policy lives in the store only (applied at query time): no index
            // writer is needed, so this works while an ingest runs.
            let mut archive = cablescope_access::Admin::open_read_only_on(
                args.archive.dir(),
                &args.archive.location(),
            )?;
            let mut policy = archive.declass_policy()?;
            policy.enabled = switch == Switch::On;
            if let Some(e) = exempt {
                policy.exempt = e;
            }
            // Audited first (a change that cannot be recorded is not made).
            archive.set_declass_policy(&policy, &viewer, &Auditor::new(args.archive.access()))?;
            policy
        }
    };
    ok_on_broken_pipe((|| {
        match args.format {
            TextOrJson::Json => print_json(&policy)?,
            TextOrJson::Text => println!("{}", describe(&policy)),
        }
        Ok(ExitCode::SUCCESS)
    })())
}

fn run_due(args: DueArgs) -> anyhow::Result<ExitCode> {
    let reader = Reader::open(&args.archive, args.as_of)?;
    let session = reader.session()?;
    let as_of = session.access().as_of;
    let before = match args.before {
        Some(b) => b,
        // One year on; February 29 becomes the 28th.
        None => Date::new(as_of.year() + 1, as_of.month(), as_of.day())
            .or_else(|_| Date::new(as_of.year() + 1, as_of.month(), 28))?,
    };
    let due = session.declass_due(before)?;
    ok_on_broken_pipe((|| {
        match args.format {
            TableOrJson::Json => {
                #[derive(serde::Serialize)]
                struct Out<'a> {
                    as_of: String,
                    before: String,
                    policy: &'a DeclassPolicy,
                    due: &'a [Due],
                }
                print_json(&Out {
                    as_of: as_of.to_string(),
                    before: before.to_string(),
                    policy: &session.access().policy,
                    due: &due,
                })?;
            }
            TableOrJson::Table => {
                let mut out = BufWriter::new(io::stdout().lock());
                let idw = due.iter().map(|d| d.id.len()).max().unwrap_or(2).max(2);
                writeln!(
                    out,
                    "{:idw$}  {:10}  {:5}  {:10}  {:14}  CLASSIFICATION",
                    "ID", "CREATED", "LEVEL", "RELEASE", "RULE"
                )?;
                for d in &due {
                    let rule = match d.rule {
                        ReleaseRule::DeclDate => "DECL date",
                        ReleaseRule::TwentyFiveYears => "25 years",
                    };
                    writeln!(
                        out,
                        "{:idw$}  {:10}  {:5}  {:10}  {:14}  {}",
                        d.id,
                        d.created.as_deref().and_then(|c| c.get(..10)).unwrap_or(""),
                        d.level,
                        d.release.to_string(),
                        rule,
                        d.classification.as_deref().unwrap_or("")
                    )?;
                }
                writeln!(out)?;
                writeln!(
                    out,
                    "{} cables release after {as_of} and before {before}; {}",
                    due.len(),
                    describe(&session.access().policy)
                )?;
                out.flush()?;
            }
        }
        Ok(ExitCode::SUCCESS)
    })())
}
