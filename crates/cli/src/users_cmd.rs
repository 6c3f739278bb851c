//! `cablescope users add|list|revoke|rotate`: who may read a closed archive.
//!
//! Managing users needs no token: it needs file-system access to the archive
//! directory, which is admin access anyway (whoever can write `access.db` could
//! add themselves). Each change is written to the audit log as action `users`,
//! by `local:$USER`.

use std::io::{self, BufWriter, Write};
use std::process::ExitCode;

use cablescope_access::audit::{AuditEntry, AuditLog};
use cablescope_access::users::{self, clearance_label, Role, User, Users};
use cablescope_access::AccessLocation;
use cablescope_access::Clearance;
use clap::{Args, Subcommand, ValueEnum};

use crate::archive_opts::{ok_on_broken_pipe, print_json, AccessArg};

/// Arguments of `cablescope users`.
#[derive(Debug, Args)]
pub struct UsersArgs {
    #[command(subcommand)]
    command: UsersCommand,
}

#[derive(Debug, Subcommand)]
enum UsersCommand {
    /// Add a user; prints their token, and only it, on standard output (once:
    /// only a digest is kept).
    Add(AddArgs),
    /// List the users, with their status (active, expired, revoked).
    List(ListArgs),
    /// Revoke a user: their token stops working; the name stays taken and the
    /// archive stays closed.
    Revoke(NameArgs),
    /// Give a user a new token and print it; the old token stops working.
    Rotate(NameArgs),
}

/// A role on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum RoleArg {
    /// Reads what the clearance allows.
    Reader,
    /// Also curates (declassification).
    Curator,
    /// Also administers.
    Admin,
}

impl From<RoleArg> for Role {
    fn from(r: RoleArg) -> Role {
        match r {
            RoleArg::Reader => Role::Reader,
            RoleArg::Curator => Role::Curator,
            RoleArg::Admin => Role::Admin,
        }
    }
}

#[derive(Debug, Args)]
struct AddArgs {
    /// The user name: 1-64 characters of A-Z a-z 0-9 . _ @ -
    #[arg(value_parser = name_arg)]
    name: String,
    #[command(flatten)]
    archive: AccessArg,
    /// Clearance level: U, SBU (LOU), C, S, TS, or the full names (secret,
    /// "Top Secret"), any case.
    #[arg(long, value_name = "LEVEL", value_parser = level_arg)]
    clearance: u8,
    /// A caveat the user holds (repeat, or give a comma list): NOFORN, EXDIS,
    /// NODIS, NODIF, LIMDIS, STADIS, CHEROKEE, ROGER, EYES_ONLY.
    #[arg(long, value_name = "CAVEAT", value_delimiter = ',', value_parser = caveat_arg)]
    caveat: Vec<cablescope_format::marking::Control>,
    /// What the user may do.
    #[arg(long, value_enum, default_value_t = RoleArg::Reader)]
    role: RoleArg,
    /// The token stops working this many days from now (default: never).
    #[arg(long, value_name = "DAYS", value_parser = clap::value_parser!(u32).range(1..=36_500))]
    expires: Option<u32>,
}

/// Output format of `users list`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ListFormat {
    /// Aligned columns for people.
    Table,
    /// One JSON array of users.
    Json,
}

#[derive(Debug, Args)]
struct ListArgs {
    #[command(flatten)]
    archive: AccessArg,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ListFormat::Table)]
    format: ListFormat,
}

#[derive(Debug, Args)]
struct NameArgs {
    /// The user name.
    #[arg(value_parser = name_arg)]
    name: String,
    #[command(flatten)]
    archive: AccessArg,
}

fn name_arg(s: &str) -> Result<String, String> {
    if users::valid_name(s) {
        Ok(s.to_string())
    } else {
        Err("use 1-64 characters of A-Z a-z 0-9 . _ @ -".into())
    }
}

fn level_arg(s: &str) -> Result<u8, String> {
    users::parse_level(s)
        .ok_or_else(|| "use U, SBU (or LOU), C, S or TS, or a full name such as secret".into())
}

fn caveat_arg(s: &str) -> Result<cablescope_format::marking::Control, String> {
    users::parse_caveat(s).ok_or_else(|| {
        format!(
            "unknown control {:?}; use one of {}",
            s.trim(),
            users::control_names()
        )
    })
}

/// Runs `cablescope users ...`.
pub fn run(args: UsersArgs) -> anyhow::Result<ExitCode> {
    match args.command {
        UsersCommand::Add(a) => add(a),
        UsersCommand::List(a) => list(a),
        UsersCommand::Revoke(a) => revoke(a),
        UsersCommand::Rotate(a) => rotate(a),
    }
}

/// The `who` of the audit entries of user management: the local account, marked
/// with a `:` that no user name can contain.
fn local_admin() -> String {
    let who = std::env::var("USER")
        .or_else(|_| std::env::var("LOGNAME"))
        .or_else(|_| std::env::var("USERNAME"))
        .unwrap_or_else(|_| "unknown".into());
    format!("local:{who}")
}

/// The audit log of `at`, ready to take an entry: opened, and its key checked
/// before any change is made (on a shared database a node without the log's key
/// must fail before the change, not after it).
fn audit_log(at: &AccessLocation) -> anyhow::Result<AuditLog> {
    let log = AuditLog::open(at)?;
    log.ready_to_write()?;
    Ok(log)
}

fn audit(log: &AuditLog, what: &str) -> anyhow::Result<()> {
    log.record(&AuditEntry::new(&local_admin(), "users", what))?;
    Ok(())
}

fn describe_expiry(u: &User) -> String {
    match u.expires {
        Some(t) => t.strftime("%Y-%m-%d %H:%M UTC").to_string(),
        None => "never".into(),
    }
}

fn add(a: AddArgs) -> anyhow::Result<ExitCode> {
    let at = a.archive.access()?;
    let log = audit_log(&at)?;
    let clearance = Clearance {
        rank: a.clearance,
        controls: a.caveat.into_iter().collect(),
    };
    let label = clearance_label(&clearance);
    let role = Role::from(a.role);
    let users = Users::open(&at)?;
    let first = !users.has_users()?;
    let token = users.add(&a.name, &clearance, role, a.expires)?;
    let user = users
        .get(&a.name)?
        .ok_or_else(|| anyhow::anyhow!("{} vanished after being added", a.name))?;
    audit(
        &log,
        &format!(
            "add {} role={role} clearance={label} expires={}",
            a.name,
            describe_expiry(&user)
        ),
    )?;
    // The token alone on stdout, so `TOKEN=$(cablescope users add ...)` works.
    let mut out = io::stdout().lock();
    writeln!(out, "{token}")?;
    out.flush()?;
    eprintln!(
        "added {} ({role}, {label}, expires {}); the token above is shown once",
        a.name,
        describe_expiry(&user)
    );
    if first {
        eprintln!(
            "{} now has users: every reading command needs a token (--token or $CABLESCOPE_TOKEN)",
            at.describe()
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn list(a: ListArgs) -> anyhow::Result<ExitCode> {
    let at = a.archive.access()?;
    // Listing creates nothing: an archive without access.db has no users.
    let all = if cablescope_access::access_db::exists(&at) {
        Users::open(&at)?.list()?
    } else {
        Vec::new()
    };
    if all.is_empty() {
        eprintln!("no users: the archive is open to every reader");
    }
    ok_on_broken_pipe((|| {
        match a.format {
            ListFormat::Json => {
                let rows: Vec<serde_json::Value> = all
                    .iter()
                    .map(|u| {
                        serde_json::json!({
                            "name": u.name,
                            "role": u.role.as_str(),
                            "clearance": clearance_label(&u.clearance),
                            "level": u.clearance.level().code(),
                            "caveats": u.clearance.controls.iter().map(|c| c.name()).collect::<Vec<_>>(),
                            "created": u.created.to_string(),
                            "expires": u.expires.map(|t| t.to_string()),
                            "status": u.status().as_str(),
                            "token_id": u.token_id,
                        })
                    })
                    .collect();
                print_json(&rows)?;
            }
            ListFormat::Table => {
                if all.is_empty() {
                    return Ok(ExitCode::SUCCESS);
                }
                let rows: Vec<[String; 6]> = all
                    .iter()
                    .map(|u| {
                        [
                            u.name.clone(),
                            u.role.to_string(),
                            clearance_label(&u.clearance),
                            u.created.strftime("%Y-%m-%d %H:%M").to_string(),
                            u.expires
                                .map(|t| t.strftime("%Y-%m-%d %H:%M").to_string())
                                .unwrap_or_else(|| "never".into()),
                            u.status().to_string(),
                        ]
                    })
                    .collect();
                let head = [
                    "NAME",
                    "ROLE",
                    "CLEARANCE",
                    "CREATED (UTC)",
                    "EXPIRES",
                    "STATUS",
                ];
                let mut w = [0usize; 6];
                for r in rows
                    .iter()
                    .map(|r| r.each_ref().map(String::as_str))
                    .chain([head])
                {
                    for (i, c) in r.iter().enumerate() {
                        w[i] = w[i].max(c.chars().count());
                    }
                }
                let mut out = BufWriter::new(io::stdout().lock());
                for r in [head.map(str::to_string)].iter().chain(&rows) {
                    let line = r
                        .iter()
                        .enumerate()
                        .map(|(i, c)| format!("{c:<width$}", width = w[i]))
                        .collect::<Vec<_>>()
                        .join("  ");
                    writeln!(out, "{}", line.trim_end())?;
                }
                out.flush()?;
            }
        }
        Ok(ExitCode::SUCCESS)
    })())
}

fn revoke(a: NameArgs) -> anyhow::Result<ExitCode> {
    let at = a.archive.access()?;
    let users = open_existing_users(&at, &a.name)?;
    let log = audit_log(&at)?;
    if users.revoke(&a.name)? {
        audit(&log, &format!("revoke {}", a.name))?;
        eprintln!("revoked {}: their token no longer works", a.name);
    } else {
        eprintln!("{} was already revoked", a.name);
    }
    Ok(ExitCode::SUCCESS)
}

fn rotate(a: NameArgs) -> anyhow::Result<ExitCode> {
    let at = a.archive.access()?;
    let users = open_existing_users(&at, &a.name)?;
    let log = audit_log(&at)?;
    let token = users.rotate(&a.name)?;
    audit(&log, &format!("rotate {}", a.name))?;
    let mut out = io::stdout().lock();
    writeln!(out, "{token}")?;
    out.flush()?;
    eprintln!(
        "new token for {}; the old one no longer works; the token above is shown once",
        a.name
    );
    Ok(ExitCode::SUCCESS)
}

/// The users of an archive that must have them (revoke and rotate name one):
/// without `access.db` the answer is "no such user", and no file is created.
fn open_existing_users(at: &AccessLocation, name: &str) -> anyhow::Result<Users> {
    if !cablescope_access::access_db::exists(at) {
        anyhow::bail!("no user named {name} (the archive has no users)");
    }
    Ok(Users::open(at)?)
}
