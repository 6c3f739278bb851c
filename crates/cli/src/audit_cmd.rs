//! `cablescope audit verify|show`: check and read the hash-chained audit log.
//!
//! Like `users`, these need file-system access to the archive, not a token.
//! `verify` prints the head hash: keep a copy elsewhere (a ticket, a mail, another
//! machine) and later run `audit verify --expect-head HASH`. That is the only
//! defence against someone with write access to `access.db` who rewrites the whole
//! chain and its head; every other change (an edited, deleted or moved entry, a
//! deleted tail) `verify` finds by itself.

use std::io::{self, BufWriter, Write};
use std::process::ExitCode;

use cablescope_access::access_db;
use cablescope_access::audit::{
    parse_time_bound, Anchor, AuditFilter, AuditLog, AuditRecord, AuditReport, Timestamp,
    GENESIS_HASH,
};
use clap::{Args, Subcommand, ValueEnum};

use crate::archive_opts::{ok_on_broken_pipe, print_json, AccessArg, TextOrJson};

/// Arguments of `cablescope audit`.
#[derive(Debug, Args)]
pub struct AuditArgs {
    #[command(subcommand)]
    command: AuditCommand,
}

#[derive(Debug, Subcommand)]
enum AuditCommand {
    /// Recompute the hash chain: exit 0 when intact, 1 when broken (and where).
    Verify(VerifyArgs),
    /// Print audit entries, oldest first.
    Show(ShowArgs),
}

#[derive(Debug, Args)]
struct VerifyArgs {
    #[command(flatten)]
    archive: AccessArg,
    /// A head hash printed by an earlier verify and kept elsewhere: it must still
    /// be the hash of an entry in the chain (catches a rewritten log).
    #[arg(long, value_name = "HASH", value_parser = hash_arg)]
    expect_head: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = TextOrJson::Text)]
    format: TextOrJson,
}

/// Output format of `audit show`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ShowFormat {
    /// Aligned columns for people.
    Table,
    /// One JSON array.
    Json,
    /// One JSON object per line.
    Jsonl,
}

#[derive(Debug, Args)]
struct ShowArgs {
    #[command(flatten)]
    archive: AccessArg,
    /// Only this user's entries (`anonymous` for readers of an open archive).
    #[arg(long, value_name = "NAME")]
    who: Option<String>,
    /// Only this action (search, read, export, refs, graph, stats, login,
    /// login_failed, users, ...).
    #[arg(long, value_name = "ACTION")]
    action: Option<String>,
    /// Only entries at or after this time: 2024-06-01, "2024-06-01 10:00" (UTC)
    /// or 2024-06-01T10:00:00+02:00.
    #[arg(long, value_name = "DATE", value_parser = since_arg)]
    since: Option<Timestamp>,
    /// Only entries before this time; a bare date includes that whole day.
    #[arg(long, value_name = "DATE", value_parser = until_arg)]
    until: Option<Timestamp>,
    /// Only the last N matching entries.
    #[arg(long, value_name = "N")]
    limit: Option<usize>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ShowFormat::Table)]
    format: ShowFormat,
}

fn since_arg(s: &str) -> Result<Timestamp, String> {
    parse_time_bound(s, false).ok_or_else(|| {
        "use a date (2024-06-01), a date and time (\"2024-06-01 10:00\") or a timestamp".into()
    })
}

fn until_arg(s: &str) -> Result<Timestamp, String> {
    parse_time_bound(s, true).ok_or_else(|| {
        "use a date (2024-06-01), a date and time (\"2024-06-01 10:00\") or a timestamp".into()
    })
}

fn hash_arg(s: &str) -> Result<String, String> {
    let h = s.trim().to_ascii_lowercase();
    if h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(h)
    } else {
        Err("a head hash is 64 hex digits, as printed by `cablescope audit verify`".into())
    }
}

/// Runs `cablescope audit ...`.
pub fn run(args: AuditArgs) -> anyhow::Result<ExitCode> {
    match args.command {
        AuditCommand::Verify(a) => verify(a),
        AuditCommand::Show(a) => show(a),
    }
}

/// The report of an archive without `access.db` (not created by a verify).
fn empty_report(expect: Option<&str>) -> AuditReport {
    AuditReport {
        entries: 0,
        head_seq: 0,
        head_hash: GENESIS_HASH.to_string(),
        broken: None,
        anchor: expect.map(|h| Anchor {
            hash: h.to_string(),
            found_at: (h == GENESIS_HASH).then_some(0),
        }),
        keyed_from: None,
        unkeyed: 0,
    }
}

fn verify(a: VerifyArgs) -> anyhow::Result<ExitCode> {
    let at = a.archive.access()?;
    let report = if access_db::exists(&at) {
        let log = AuditLog::open(&at)?;
        match &a.expect_head {
            Some(h) => log.verify_anchored(h)?,
            None => log.verify()?,
        }
    } else {
        empty_report(a.expect_head.as_deref())
    };
    let code = if report.is_ok() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    };
    ok_on_broken_pipe((|| {
        match a.format {
            TextOrJson::Json => print_json(&report)?,
            TextOrJson::Text => print_verify(&at.describe(), &report)?,
        }
        Ok(code)
    })())
}

fn print_verify(what: &str, r: &AuditReport) -> anyhow::Result<()> {
    let mut out = io::stdout().lock();
    match &r.broken {
        None => writeln!(out, "audit log of {what} intact: {} entries", r.entries)?,
        Some(b) => writeln!(
            out,
            "audit log of {what} BROKEN at seq {}: {}",
            b.seq,
            b.reason.describe()
        )?,
    }
    writeln!(out, "head: seq {} hash {}", r.head_seq, r.head_hash)?;
    match r.keyed_from {
        Some(1) | None if r.unkeyed == 0 => {}
        Some(from) => writeln!(
            out,
            "notice: entries 1-{} were written before the audit key existed (keyed from seq {from}); a rewrite of those alone is caught only by an anchored head",
            from - 1
        )?,
        None => writeln!(
            out,
            "notice: this log has no audit key ({}) yet: its {} entries are checked unkeyed, and a rewrite of the whole log is caught only by an anchored head; the key is made with the next entry",
            cablescope_access::audit::KEY_FILE,
            r.unkeyed
        )?,
    }
    match &r.anchor {
        Some(Anchor {
            hash,
            found_at: Some(seq),
        }) => writeln!(out, "anchor {hash}: found at seq {seq}")?,
        Some(Anchor {
            hash,
            found_at: None,
        }) => writeln!(
            out,
            "anchor {hash}: NOT in the chain (the log was rewritten or truncated)"
        )?,
        None => {}
    }
    out.flush()?;
    if r.is_ok() && r.anchor.is_none() {
        eprintln!(
            "keep the head hash elsewhere and check it later with `cablescope audit verify --expect-head HASH`"
        );
    }
    Ok(())
}

fn show(a: ShowArgs) -> anyhow::Result<ExitCode> {
    let at = a.archive.access()?;
    let filter = AuditFilter {
        who: a.who,
        action: a.action,
        since: a.since,
        until: a.until,
        limit: a.limit,
    };
    let records = if access_db::exists(&at) {
        AuditLog::open(&at)?.entries(&filter)?
    } else {
        Vec::new()
    };
    if records.is_empty() {
        eprintln!("no audit entries match");
    }
    ok_on_broken_pipe((|| {
        match a.format {
            ShowFormat::Json => {
                let mut out = BufWriter::new(io::stdout().lock());
                writeln!(out, "{}", json_safe(&serde_json::to_string(&records)?))?;
                out.flush()?;
            }
            ShowFormat::Jsonl => {
                let mut out = BufWriter::new(io::stdout().lock());
                for r in &records {
                    writeln!(out, "{}", json_safe(&serde_json::to_string(r)?))?;
                }
                out.flush()?;
            }
            ShowFormat::Table => print_table(&records)?,
        }
        Ok(ExitCode::SUCCESS)
    })())
}

/// True for a character a terminal may act on rather than show: C0 controls,
/// DEL, C1 controls (U+0080–U+009F, `U+009B` is a one-character CSI) and the
/// bidirectional overrides and isolates (which reorder what is shown).
fn is_terminal_control(c: char) -> bool {
    matches!(c, '\0'..='\u{1f}' | '\u{7f}'..='\u{9f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// A field as the table shows it: one entry, one line (a newline or tab is a
/// space), and every other control character visible as an escape (`\x1b`,
/// `\u{202e}`) instead of acting on the terminal. Audited text comes from
/// anyone who can send a query.
pub fn terminal_safe(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\n' | '\t' => out.push(' '),
            c if is_terminal_control(c) && (c as u32) < 0x100 => {
                out.push_str(&format!("\\x{:02x}", c as u32));
            }
            c if is_terminal_control(c) => out.push_str(&format!("\\u{{{:04x}}}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

/// JSON text with the control characters JSON leaves raw (DEL, C1 controls,
/// bidirectional controls) written as `\u` escapes too: the same string to a
/// parser, inert on a terminal. (serde_json already escapes C0.)
pub fn json_safe(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        if is_terminal_control(c) && c as u32 >= 0x20 {
            out.push_str(&format!("\\u{:04x}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

fn print_table(records: &[AuditRecord]) -> anyhow::Result<()> {
    if records.is_empty() {
        return Ok(());
    }
    let head = [
        "SEQ",
        "AT (UTC)",
        "WHO",
        "ACTION",
        "RESULTS",
        "CLEARANCE",
        "WHAT",
    ];
    let rows: Vec<[String; 7]> = records
        .iter()
        .map(|r| {
            let mut what = r.entry.what.clone();
            if !r.entry.withheld.is_empty() {
                what.push_str(&format!("  [withheld: {}]", r.entry.withheld.join("; ")));
            }
            [
                r.seq.to_string(),
                r.entry.at.strftime("%Y-%m-%d %H:%M:%S").to_string(),
                terminal_safe(&r.entry.who),
                terminal_safe(&r.entry.action),
                r.entry.results.to_string(),
                terminal_safe(&r.entry.clearance),
                terminal_safe(&what),
            ]
        })
        .collect();
    let mut w = [0usize; 7];
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
            .map(|(i, c)| {
                if i == 0 || i == 4 {
                    format!("{c:>width$}", width = w[i])
                } else {
                    format!("{c:<width$}", width = w[i])
                }
            })
            .collect::<Vec<_>>()
            .join("  ");
        writeln!(out, "{}", line.trim_end())?;
    }
    out.flush()?;
    Ok(())
}
