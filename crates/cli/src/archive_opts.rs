//! What the archive commands share: the `--archive` and `--token` options,
//! `--format text|json`, opening the archive, who is reading ([`ArchiveArg::viewer`]),
//! resolving loose ids, and the exit statuses.
//!
//! ## Who reads
//!
//! An archive without users is open: every reader is anonymous and cleared for
//! everything. Once `cablescope users add` has made a user, every reading command
//! needs a token (`--token`, else `$CABLESCOPE_TOKEN`; the variable is better, a
//! command line is visible to other local users), and a missing, malformed,
//! unknown, expired or revoked token ends the command with exit status 3.
//! Managing users (`cablescope users`) and reading the audit log
//! (`cablescope audit`) need no token: they take file-system access to the archive
//! directory, which is admin access anyway (whoever can write `access.db` can add
//! themselves).

use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use cablescope_access::signin::{self, SignInError};
use cablescope_access::users::AuthError;
use cablescope_access::Viewer;
use cablescope_access::{AccessLocation, Admin, Library, StoreLocation};
use clap::{Args, ValueEnum};

/// Environment variable naming the archive when `--archive` is not given.
pub const ARCHIVE_ENV: &str = "CABLESCOPE_ARCHIVE";
/// The archive used when neither `--archive` nor `$CABLESCOPE_ARCHIVE` is set.
pub const DEFAULT_ARCHIVE: &str = "cablescope-data";
/// Environment variable naming a shared PostgreSQL store when `--database` is not
/// given.
pub const DATABASE_ENV: &str = "CABLESCOPE_DATABASE";
/// Environment variable naming a streaming replica for `serve` to read from when
/// `--read-database` is not given.
pub const READ_DATABASE_ENV: &str = "CABLESCOPE_READ_DATABASE";
/// Environment variable holding the reader's token when `--token` is not given.
pub const TOKEN_ENV: &str = "CABLESCOPE_TOKEN";

/// Exit status for a usage or query error.
pub const EXIT_USAGE: u8 = 2;
/// Exit status when the archive has users and the token is missing or refused.
pub const EXIT_AUTH: u8 = 3;

/// The archive directory: `explicit`, else `$CABLESCOPE_ARCHIVE`, else
/// `./cablescope-data`.
pub fn archive_dir(explicit: Option<&Path>) -> PathBuf {
    if let Some(d) = explicit {
        return d.to_path_buf();
    }
    match std::env::var_os(ARCHIVE_ENV) {
        Some(v) if !v.is_empty() => PathBuf::from(v),
        _ => PathBuf::from(DEFAULT_ARCHIVE),
    }
}

/// Where the store is: `--database URL`, else `$CABLESCOPE_DATABASE`, else the
/// embedded store in the archive directory.
pub fn store_location(explicit: Option<&str>) -> StoreLocation {
    match explicit {
        Some(u) => StoreLocation::from_url(Some(u)),
        None => StoreLocation::from_url(std::env::var(DATABASE_ENV).ok().as_deref()),
    }
}

/// Fails when there is no archive in `dir` (rather than creating an empty one, or
/// an `access.db`, where a typo points).
pub fn check_archive_exists(dir: &Path) -> anyhow::Result<()> {
    if !cablescope_access::archive_exists(dir) {
        anyhow::bail!(
            "no archive at {} (create one with `cablescope ingest --archive {} PATH...`)",
            dir.display(),
            dir.display()
        );
    }
    Ok(())
}

/// The `--archive DIR` and `--token TOKEN` options of every archive command.
#[derive(Debug, Clone, Args)]
pub struct ArchiveArg {
    /// The archive directory (wins over $CABLESCOPE_ARCHIVE, which wins over
    /// ./cablescope-data).
    #[arg(long, value_name = "DIR")]
    pub archive: Option<PathBuf>,
    /// Your token, when the archive has users (wins over $CABLESCOPE_TOKEN, which
    /// is safer: a command line is visible to other local users).
    #[arg(long, value_name = "TOKEN")]
    pub token: Option<String>,
    /// A shared PostgreSQL store (postgres://USER@HOST:PORT/DB; wins over
    /// $CABLESCOPE_DATABASE). The archive directory then holds this machine's
    /// index of it, its users and its audit log.
    #[arg(long, value_name = "URL")]
    pub database: Option<String>,
}

/// The `--archive DIR` option alone, for the commands that need file access to
/// the archive rather than a token (`users`, `audit`).
#[derive(Debug, Clone, Args)]
pub struct ArchiveDirArg {
    /// The archive directory (wins over $CABLESCOPE_ARCHIVE, which wins over
    /// ./cablescope-data).
    #[arg(long, value_name = "DIR")]
    pub archive: Option<PathBuf>,
}

impl ArchiveDirArg {
    /// The directory, as [`archive_dir`] finds it.
    pub fn dir(&self) -> PathBuf {
        archive_dir(self.archive.as_deref())
    }

    /// The directory, when it holds an archive, or a node's index of a shared
    /// database (whose users and audit log live beside it).
    pub fn existing(&self) -> anyhow::Result<PathBuf> {
        let dir = self.dir();
        if !dir.join("index").join("meta.json").is_file() {
            check_archive_exists(&dir)?;
        }
        Ok(dir)
    }
}

/// `--archive DIR` and `--database URL`, for the commands that manage users and
/// read the audit log with file (or database) access rather than a token
/// (`users`, `audit`).
#[derive(Debug, Clone, Args)]
pub struct AccessArg {
    /// The archive directory (wins over $CABLESCOPE_ARCHIVE, which wins over
    /// ./cablescope-data); with --database, the node directory that holds the
    /// audit key.
    #[arg(long, value_name = "DIR")]
    pub archive: Option<PathBuf>,
    /// A shared PostgreSQL store (postgres://USER@HOST:PORT/DB; wins over
    /// $CABLESCOPE_DATABASE), whose users and audit log every node shares.
    #[arg(long, value_name = "URL")]
    pub database: Option<String>,
}

impl AccessArg {
    /// Where the users and the audit log are: beside an existing embedded
    /// archive, or in the shared database (the directory, which then holds only
    /// this machine's index and the audit key, is created private when absent).
    pub fn access(&self) -> anyhow::Result<AccessLocation> {
        let dir = archive_dir(self.archive.as_deref());
        let store = store_location(self.database.as_deref());
        if store.is_shared() {
            cablescope_access::files::private_umask();
            cablescope_access::files::create_private_dir(&dir)
                .with_context(|| format!("cannot create the node directory {}", dir.display()))?;
        } else if !dir.join("index").join("meta.json").is_file() {
            check_archive_exists(&dir)?;
        }
        Ok(AccessLocation::beside(&dir, &store))
    }
}

/// The error of a refused token: `main` turns it into exit status 3 and one line.
#[derive(Debug)]
pub struct AuthFailed {
    /// The archive.
    pub dir: PathBuf,
    /// Why.
    pub source: AuthError,
}

impl std::fmt::Display for AuthFailed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // One line with the reason: main prints the chain with `{:#}`, so the
        // reason is not given as a source too (it would print twice).
        write!(
            f,
            "not allowed to read {}: {}",
            self.dir.display(),
            self.source
        )
    }
}

impl std::error::Error for AuthFailed {}

/// True when `e` is (or wraps) a refused token: exit status 3.
pub fn is_auth_error(e: &anyhow::Error) -> bool {
    e.chain().any(|c| c.is::<AuthFailed>())
}

/// Who reads the archive at `at` with `token` (see the module docs). A refused
/// token is recorded in the audit log as `login_failed` and returned as
/// [`AuthFailed`].
pub fn viewer_for(at: impl Into<AccessLocation>, token: Option<&str>) -> anyhow::Result<Viewer> {
    let at = at.into();
    match signin::viewer_for(&at, token, "cli") {
        Ok(v) => Ok(v),
        Err(SignInError::Store(e)) => Err(anyhow::Error::new(e)
            .context(format!("cannot check the token for {}", at.dir().display()))),
        Err(SignInError::Refused(source)) => Err(AuthFailed {
            dir: at.dir().to_path_buf(),
            source,
        }
        .into()),
    }
}

/// Warns on standard error, once per process, when the archive in `dir` is
/// readable by other users (file access is full access).
pub fn warn_if_exposed(dir: &Path) {
    static WARNED: std::sync::Once = std::sync::Once::new();
    if let Some(w) = cablescope_access::files::exposure(dir) {
        WARNED.call_once(|| eprintln!("cablescope: warning: {w}"));
    }
}

impl ArchiveArg {
    /// The directory: `--archive`, else `$CABLESCOPE_ARCHIVE`, else `./cablescope-data`.
    pub fn dir(&self) -> PathBuf {
        archive_dir(self.archive.as_deref())
    }

    /// The token: `--token`, else `$CABLESCOPE_TOKEN` (empty counts as unset).
    pub fn token(&self) -> Option<String> {
        if let Some(t) = &self.token {
            return Some(t.clone());
        }
        std::env::var(TOKEN_ENV)
            .ok()
            .filter(|t| !t.trim().is_empty())
    }

    /// Who reads this archive, and their clearance: anonymous with everything when
    /// the archive has no users; else the token's user, or an [`AuthFailed`] error
    /// (exit status 3) when the token is missing, malformed, unknown, expired or
    /// revoked.
    pub fn viewer(&self) -> anyhow::Result<Viewer> {
        viewer_for(self.access(), self.token().as_deref())
    }

    /// Where the users, sessions and audit log are: beside the store.
    pub fn access(&self) -> AccessLocation {
        AccessLocation::beside(&self.dir(), &self.location())
    }

    /// Where the store is ([`store_location`]).
    pub fn location(&self) -> StoreLocation {
        store_location(self.database.as_deref())
    }

    /// The archive as messages name it: its directory, or the database (password
    /// redacted).
    pub fn describe(&self) -> String {
        self.location().describe(&self.dir())
    }

    /// Opens (or creates, private to its owner) the archive for writing.
    pub fn open(&self) -> anyhow::Result<Admin> {
        let dir = self.dir();
        let a = Admin::open_on(&dir, &self.location())
            .with_context(|| format!("cannot open the archive {}", self.describe()))?;
        warn_if_exposed(&dir);
        Ok(a)
    }

    /// Fails when there is no archive in the directory (rather than creating an
    /// empty one where a typo points).
    /// With a shared database there is nothing to check here: the database is
    /// the archive, and the directory only this machine's index of it.
    pub fn check_exists(&self) -> anyhow::Result<()> {
        if self.location().is_shared() {
            return Ok(());
        }
        check_archive_exists(&self.dir())
    }

    /// Opens an existing archive for reading: usable while an ingest runs (the
    /// cables committed so far are seen). Its records are read through a session.
    pub fn open_existing(&self) -> anyhow::Result<Library> {
        self.check_exists()?;
        let dir = self.dir();
        if self.location().is_shared() {
            // This machine's index of the database may be made here: private,
            // like an archive (file access to an index is read access to it).
            cablescope_access::files::private_umask();
        }
        let lib = Library::open_for_reading_on(&dir, &self.location())
            .with_context(|| format!("cannot open the archive {}", self.describe()))?;
        warn_if_exposed(&dir);
        Ok(lib)
    }

    /// Opens an existing archive for writing (an absent one is an error).
    pub fn open_admin(&self) -> anyhow::Result<Admin> {
        self.check_exists()?;
        self.open()
    }
}

/// `--format text|json` of the commands that print a report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub enum TextOrJson {
    /// Lines for people.
    #[default]
    Text,
    /// One JSON object.
    Json,
}

/// Prints a value as one line of JSON on standard output.
pub fn print_json<T: serde::Serialize>(v: &T) -> anyhow::Result<()> {
    let mut out = io::stdout().lock();
    serde_json::to_writer(&mut out, v)?;
    writeln!(out)?;
    Ok(())
}

/// Ends a command whose output pipe was closed early (`| head`): success.
pub fn ok_on_broken_pipe(r: anyhow::Result<ExitCode>) -> anyhow::Result<ExitCode> {
    match r {
        Err(e) if is_broken_pipe(&e) => Ok(ExitCode::SUCCESS),
        other => other,
    }
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<io::Error>()
            .is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe)
            || c.downcast_ref::<serde_json::Error>()
                .and_then(serde_json::Error::io_error_kind)
                == Some(io::ErrorKind::BrokenPipe)
    })
}
