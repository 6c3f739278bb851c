//! `access.db`: the archive's users and audit log, in a SQLite file of their own.
//!
//! Kept apart from the cable store (`archive.sqlite3`) for two reasons: a sign-in or
//! an audit write must never wait behind an ingest's long write transactions, and
//! the cable store's format version stays untouched by identity changes.
//!
//! ```text
//! ARCHIVE/
//!   archive.sqlite3   the cable store
//!   index/            the tantivy index
//!   access.db         users, tokens (digests only) and the audit log (this module)
//! ```
//!
//! | table | columns | meaning |
//! |---|---|---|
//! | `users` | `name` PK, `role` (`reader`/`curator`/`admin`), `clearance` (`C+NOFORN`), `created_us`, `expires_us` (null = never), `revoked` (0/1), `token_id` (unique, public), `token_digest` (hex SHA-256 of the token's secret) | one row per user; the secret itself is never stored |
//! | `audit` | `seq` PK, `at_us`, `who`, `action`, `what`, `results`, `withheld` (JSON array), `clearance`, `prev_hash`, `hash` | the hash-chained, append-only audit log (see [`crate::audit`]) |
//! | `audit_head` | `id` = 1, `seq`, `hash` | the last entry's seq and hash, written in the same transaction as the entry: a deleted tail shows as a mismatch |
//!
//! Times are microseconds since the Unix epoch (UTC), so that range filters compare
//! integers. The schema version is SQLite's `user_version` (currently
//! [`ACCESS_SCHEMA_VERSION`]); the file is created on first use.
//!
//! Who may change this file is an administrator: anyone with write access to the
//! archive directory can add users or rewrite the log, which is why `audit verify`
//! prints a head hash to anchor elsewhere.

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, TransactionBehavior};

/// File name of the access database inside an archive directory.
pub const ACCESS_DB_FILE: &str = "access.db";

/// Schema version of `access.db` (SQLite `user_version`).
pub const ACCESS_SCHEMA_VERSION: u32 = 1;

/// How long a writer waits for another (CLI and server write the same file).
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

const SCHEMA_V1: &str = "
CREATE TABLE IF NOT EXISTS users (
    name         TEXT PRIMARY KEY,
    role         TEXT NOT NULL,
    clearance    TEXT NOT NULL,
    created_us   INTEGER NOT NULL,
    expires_us   INTEGER,
    revoked      INTEGER NOT NULL DEFAULT 0,
    token_id     TEXT NOT NULL UNIQUE,
    token_digest TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS audit (
    seq       INTEGER PRIMARY KEY,
    at_us     INTEGER NOT NULL,
    who       TEXT NOT NULL,
    action    TEXT NOT NULL,
    what      TEXT NOT NULL,
    results   INTEGER NOT NULL,
    withheld  TEXT NOT NULL,
    clearance TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash      TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_who ON audit (who, seq);
CREATE INDEX IF NOT EXISTS audit_at ON audit (at_us);
CREATE TABLE IF NOT EXISTS audit_head (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    seq  INTEGER NOT NULL,
    hash TEXT NOT NULL
);
";

/// What can go wrong with users, tokens and the audit log.
#[derive(Debug, thiserror::Error)]
pub enum AccessError {
    /// The access database failed.
    #[error("access database: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// The archive directory does not exist.
    #[error("no archive directory at {}", .0.display())]
    NoDirectory(PathBuf),
    /// `access.db` was written by a newer cablescope.
    #[error(
        "{} has schema version {found}, this cablescope reads version {expected}: use a newer cablescope",
        path.display()
    )]
    SchemaVersion {
        /// The file.
        path: PathBuf,
        /// The version found.
        found: u32,
        /// The version this build reads and writes.
        expected: u32,
    },
    /// A user name outside 1–64 characters of `[A-Za-z0-9._@-]`.
    #[error("invalid user name {0:?}: use 1-64 characters of A-Z a-z 0-9 . _ @ -")]
    InvalidName(String),
    /// `add` of a name that exists (revoked users keep their name).
    #[error("a user named {0} already exists")]
    NameTaken(String),
    /// No user of that name.
    #[error("no user named {0}")]
    NoSuchUser(String),
    /// `rotate` of a revoked user.
    #[error("{0} is revoked; a revoked user gets no new token")]
    UserRevoked(String),
    /// A clearance level or control that is not known.
    #[error("{0}")]
    InvalidClearance(String),
    /// An administrator granting (or taking the token of) a clearance above their
    /// own.
    #[error("{0}")]
    AboveOwnClearance(String),
    /// An expiry too far in the future to represent.
    #[error("expiry of {0} days is out of range")]
    ExpiryOutOfRange(u32),
    /// The operating system's random number generator failed.
    #[error("no randomness from the operating system: {0}")]
    Random(String),
    /// A stored row that does not read back (edited by hand?).
    #[error("damaged access database row: {0}")]
    Damaged(String),
}

/// The path of `access.db` in the archive directory `dir`.
pub fn path(dir: &Path) -> PathBuf {
    dir.join(ACCESS_DB_FILE)
}

/// True when the archive directory has an `access.db` (without creating one).
pub fn exists(dir: &Path) -> bool {
    path(dir).is_file()
}

/// Opens `access.db` in the archive directory `dir`, creating the file and its
/// tables on first use. The directory itself must exist (a typo must not create
/// a stray archive).
pub fn open(dir: &Path) -> Result<Connection, AccessError> {
    if !dir.is_dir() {
        return Err(AccessError::NoDirectory(dir.to_path_buf()));
    }
    let p = path(dir);
    // The file holds who may read what: private to the owner like the archive.
    crate::files::private_umask();
    let mut conn = Connection::open(&p)?;
    // The timeout first: switching to WAL itself can meet a busy database.
    conn.busy_timeout(BUSY_TIMEOUT)?;
    conn.pragma_update(None, "journal_mode", "WAL")?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    let found: u32 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if found == ACCESS_SCHEMA_VERSION {
        return Ok(conn);
    }
    if found > ACCESS_SCHEMA_VERSION {
        return Err(AccessError::SchemaVersion {
            path: p,
            found,
            expected: ACCESS_SCHEMA_VERSION,
        });
    }
    // First use. IMMEDIATE so that two processes creating it at once serialise;
    // the second one finds the version set and the tables there.
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let now: u32 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if now == 0 {
        tx.execute_batch(SCHEMA_V1)?;
        tx.pragma_update(None, "user_version", ACCESS_SCHEMA_VERSION)?;
    }
    tx.commit()?;
    Ok(conn)
}

/// Microseconds since the epoch of `t` (the stored form of every time).
pub(crate) fn to_us(t: jiff::Timestamp) -> i64 {
    t.as_microsecond()
}

/// The time stored as `us`.
pub(crate) fn from_us(us: i64) -> Result<jiff::Timestamp, AccessError> {
    jiff::Timestamp::from_microsecond(us)
        .map_err(|e| AccessError::Damaged(format!("time {us}: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn creates_once_and_refuses_newer() {
        let d = tempfile::tempdir().unwrap();
        assert!(!exists(d.path()));
        let c = open(d.path()).unwrap();
        drop(c);
        assert!(exists(d.path()));
        // Opening again keeps the tables.
        let c = open(d.path()).unwrap();
        let n: i64 = c
            .query_row("SELECT count(*) FROM users", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 0);
        c.pragma_update(None, "user_version", 99).unwrap();
        drop(c);
        assert!(matches!(
            open(d.path()),
            Err(AccessError::SchemaVersion { found: 99, .. })
        ));
    }

    #[test]
    fn missing_directory_is_an_error() {
        let d = tempfile::tempdir().unwrap();
        let gone = d.path().join("nope");
        assert!(matches!(open(&gone), Err(AccessError::NoDirectory(_))));
        assert!(!gone.exists());
    }
}
