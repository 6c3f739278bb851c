//! Where an archive's users, sessions and audit log are kept: `access.db` beside an
//! embedded archive ([`sqlite`]), or tables in the shared PostgreSQL database
//! beside the cable store ([`postgres`]), behind one trait ([`AccessStore`]).
//!
//! [`users`](crate::users), [`audit`](crate::audit) and [`sessions`](crate::sessions)
//! hold the rules (token digests, the hash chain, session expiry); the stores
//! below only keep rows, so both places behave alike by construction.
//!
//! ## The embedded form: `access.db`
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
//! | `signin_failures` | `at_us`, `address`, `account` | failed sign-ins within the window (schema version 3): the budgets every node of a shared database counts together |
//! | `signin_known` | `address`, `account` PK, `at_us` | the last successful sign-in of each (address, account) pair |
//! | `sessions` | `id_digest` PK (hex SHA-256 of the cookie's session id), `user_name`, `token_id`, `csrf`, `created_us`, `last_seen_us` | signed-in browsers (schema version 2); a copy of the table yields no usable cookie |
//!
//! Times are microseconds since the Unix epoch (UTC), so that range filters compare
//! integers. The schema version is SQLite's `user_version` (currently
//! [`ACCESS_SCHEMA_VERSION`]); the file is created on first use.
//!
//! ## The shared form: PostgreSQL
//!
//! With `--database URL` the same tables live in the shared database (versioned
//! in `cablescope_access_schema`), so every node sees the same users, a sign-in on
//! one node is a session on all, and every node appends to one audit chain. One
//! more table, `audit_key` (`id` = 1, `fingerprint`, `keyed_from`), records which
//! audit key the chain is written with (an HMAC of a fixed text under the key, not
//! the key): the key file itself stays on the nodes, and a node holding another
//! key (or none, once the chain is keyed) refuses to write rather than fork the
//! chain. See [`crate::audit`].
//!
//! Who may change this file is an administrator: anyone with write access to the
//! archive directory can add users or rewrite the log, which is why `audit verify`
//! prints a head hash to anchor elsewhere.

mod postgres;
mod sqlite;

use std::path::{Path, PathBuf};

use cablescope_archive::StoreLocation;

/// File name of the access database inside an archive directory.
pub const ACCESS_DB_FILE: &str = "access.db";

/// Schema version of `access.db` (SQLite `user_version`) and of the access
/// tables in a shared database.
pub const ACCESS_SCHEMA_VERSION: u32 = 3;

/// What can go wrong with users, tokens and the audit log.
#[derive(Debug, thiserror::Error)]
pub enum AccessError {
    /// The access database failed.
    #[error("access database: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// The shared database failed (connecting, or a statement).
    #[error("access database: {0}")]
    Postgres(String),
    /// The archive directory does not exist.
    #[error("no archive directory at {}", .0.display())]
    NoDirectory(PathBuf),
    /// The access tables were written by a newer cablescope.
    #[error(
        "{} has schema version {found}, this cablescope reads version {expected}: use a newer cablescope",
        path.display()
    )]
    SchemaVersion {
        /// The file (or the database, password redacted).
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
    /// A move of users and the audit log into a place that already has some.
    #[error("{0}")]
    NotEmpty(String),
    /// This node's audit key is not the one the shared chain is written with.
    #[error("{0}")]
    KeyMismatch(String),
    /// A stored row that does not read back (edited by hand?).
    #[error("damaged access database row: {0}")]
    Damaged(String),
}

impl From<::postgres::Error> for AccessError {
    fn from(e: ::postgres::Error) -> Self {
        AccessError::Postgres(e.to_string())
    }
}

/// Where an archive's users, sessions and audit log live: `access.db` in the
/// archive directory, or the shared database. The directory is needed either way:
/// it holds the audit key ([`crate::audit::KEY_FILE`]).
///
/// Made from a directory (`&Path`, `&PathBuf`) for an embedded archive, so the
/// functions that take `impl Into<AccessLocation>` read the same as before shared
/// databases existed.
#[derive(Clone, PartialEq, Eq)]
pub struct AccessLocation {
    dir: PathBuf,
    database: Option<String>,
}

impl AccessLocation {
    /// `access.db` in the archive directory `dir`.
    pub fn embedded(dir: &Path) -> Self {
        AccessLocation {
            dir: dir.to_path_buf(),
            database: None,
        }
    }

    /// Beside the store at `store`: `access.db` in `dir` for an embedded store, the
    /// same database for a shared one (`dir` is then the node's directory).
    pub fn beside(dir: &Path, store: &StoreLocation) -> Self {
        AccessLocation {
            dir: dir.to_path_buf(),
            database: match store {
                StoreLocation::Embedded => None,
                StoreLocation::Postgres(url) => Some(url.clone()),
            },
        }
    }

    /// The archive (or node) directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The shared database's URL, when there is one.
    pub fn database(&self) -> Option<&str> {
        self.database.as_deref()
    }

    /// True for a shared database.
    pub fn is_shared(&self) -> bool {
        self.database.is_some()
    }

    /// For messages: `DIR/access.db`, or the database (password redacted).
    pub fn describe(&self) -> String {
        match &self.database {
            None => path(&self.dir).display().to_string(),
            Some(url) => cablescope_archive::store::redact_url(url),
        }
    }
}

impl std::fmt::Debug for AccessLocation {
    // By hand: a database URL may hold a password.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AccessLocation")
            .field("dir", &self.dir)
            .field(
                "database",
                &self
                    .database
                    .as_deref()
                    .map(cablescope_archive::store::redact_url),
            )
            .finish()
    }
}

impl From<&Path> for AccessLocation {
    fn from(dir: &Path) -> Self {
        AccessLocation::embedded(dir)
    }
}

impl From<&PathBuf> for AccessLocation {
    fn from(dir: &PathBuf) -> Self {
        AccessLocation::embedded(dir)
    }
}

impl From<&AccessLocation> for AccessLocation {
    fn from(l: &AccessLocation) -> Self {
        l.clone()
    }
}

/// The path of `access.db` in the archive directory `dir`.
pub fn path(dir: &Path) -> PathBuf {
    dir.join(ACCESS_DB_FILE)
}

/// True when the archive has its access tables (without creating them): an
/// `access.db` in its directory; always for a shared database (whose tables are
/// made when the first node connects).
pub fn exists(at: impl Into<AccessLocation>) -> bool {
    let at = at.into();
    at.is_shared() || path(&at.dir).is_file()
}

/// A `users` row as stored (text columns unchecked).
#[derive(Debug, Clone)]
pub(crate) struct UserRow {
    pub name: String,
    pub role: String,
    pub clearance: String,
    pub created_us: i64,
    pub expires_us: Option<i64>,
    pub revoked: bool,
    pub token_id: String,
    pub token_digest: String,
}

/// An `audit` row as stored.
#[derive(Debug, Clone)]
pub(crate) struct AuditRow {
    pub seq: i64,
    pub at_us: i64,
    pub who: String,
    pub action: String,
    pub what: String,
    pub results: i64,
    pub withheld: String,
    pub clearance: String,
    pub prev_hash: String,
    pub hash: String,
}

/// Which audit rows to select (times in microseconds), newest first.
#[derive(Debug, Clone, Default)]
pub(crate) struct AuditSelect {
    pub who: Option<String>,
    pub action: Option<String>,
    pub since_us: Option<i64>,
    pub until_us: Option<i64>,
    pub limit: Option<i64>,
}

/// A `sessions` row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SessionRow {
    pub user: String,
    pub token_id: String,
    pub csrf: String,
    pub created_us: i64,
    pub last_seen_us: i64,
}

/// The audit key a shared chain is written with (see the module docs).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct KeyRecord {
    pub fingerprint: String,
    pub keyed_from: u64,
}

/// Makes the next audit row from the previous entry's seq (0 before the first)
/// and hash; runs inside the append's write transaction.
pub(crate) type MakeRow<'a> = dyn FnMut(u64, &str) -> Result<AuditRow, AccessError> + Send + 'a;

/// Sees each audit row in seq order.
pub(crate) type VisitRow<'a> = dyn FnMut(AuditRow) -> Result<(), AccessError> + Send + 'a;

/// The rows of users, sessions and the audit log, kept by `access.db` or by the
/// shared database. Rules live in the callers; every method is one statement or
/// one transaction.
pub(crate) trait AccessStore: Send {
    /// Inserts a user; false when the name is taken.
    fn insert_user(&self, u: &UserRow) -> Result<bool, AccessError>;
    /// Every user, by name.
    fn users(&self) -> Result<Vec<UserRow>, AccessError>;
    /// The user called `name`.
    fn user(&self, name: &str) -> Result<Option<UserRow>, AccessError>;
    /// The user whose token id is `token_id`.
    fn user_by_token(&self, token_id: &str) -> Result<Option<UserRow>, AccessError>;
    /// Marks `name` revoked; false when no unrevoked user has the name.
    fn revoke(&self, name: &str) -> Result<bool, AccessError>;
    /// Gives the unrevoked user `name` a new token; false when there is none.
    fn set_token(&self, name: &str, token_id: &str, digest: &str) -> Result<bool, AccessError>;
    /// True when any user exists.
    fn has_users(&self) -> Result<bool, AccessError>;

    /// Appends the row `make` builds after the current head, and moves the head
    /// to it, in one write transaction that excludes other appenders from the
    /// read of the head to the commit. Returns the new seq.
    fn append_audit(&self, make: &mut MakeRow<'_>) -> Result<u64, AccessError>;
    /// In one read snapshot: the head row (seq, hash) and every row in seq order
    /// through `visit`.
    fn scan_audit(&self, visit: &mut VisitRow<'_>) -> Result<Option<(i64, String)>, AccessError>;
    /// The last entry's seq (0 for an empty log): the head's, or the last row's
    /// when the head row is missing.
    fn last_audit_seq(&self) -> Result<u64, AccessError>;
    /// Stores audit rows as they are (hashes included) and the head, in one
    /// transaction: the move of a whole log into an empty one (`migrate`).
    fn import_audit(
        &self,
        rows: &[AuditRow],
        head: Option<&(i64, String)>,
    ) -> Result<(), AccessError>;
    /// The rows `sel` selects, newest first.
    fn select_audit(&self, sel: &AuditSelect) -> Result<Vec<AuditRow>, AccessError>;
    /// The audit key the chain is recorded as written with (shared databases).
    fn audit_key(&self) -> Result<Option<KeyRecord>, AccessError>;
    /// Records `key` unless one is recorded; returns the one recorded.
    fn record_audit_key(&self, key: &KeyRecord) -> Result<KeyRecord, AccessError>;

    /// In one statement (it runs before every token check of a shared node):
    /// failed sign-ins since `since_us` of the (`address`, `account`) pair, of the
    /// account from any address, of the address on any account; and the pair's
    /// last successful sign-in.
    fn signin_counts(
        &self,
        address: &str,
        account: &str,
        since_us: i64,
    ) -> Result<(u64, u64, u64, Option<i64>), AccessError>;
    /// Records a failed sign-in at `at_us`, dropping failures before `drop_before_us`.
    fn record_signin_failure(
        &self,
        address: &str,
        account: &str,
        at_us: i64,
        drop_before_us: i64,
    ) -> Result<(), AccessError>;
    /// Records a successful sign-in of the pair at `at_us`.
    fn record_signin_success(
        &self,
        address: &str,
        account: &str,
        at_us: i64,
    ) -> Result<(), AccessError>;

    /// Stores a session under `id_digest`, first dropping sessions last seen
    /// before `stale_before_us` or created before `old_before_us`, then the least
    /// recently seen ones beyond `max - 1`.
    fn insert_session(
        &self,
        id_digest: &str,
        row: &SessionRow,
        stale_before_us: i64,
        old_before_us: i64,
        max: usize,
    ) -> Result<(), AccessError>;
    /// The session stored under `id_digest`.
    fn session(&self, id_digest: &str) -> Result<Option<SessionRow>, AccessError>;
    /// Sets a session's last-seen time.
    fn touch_session(&self, id_digest: &str, now_us: i64) -> Result<(), AccessError>;
    /// Deletes a session; true when it existed.
    fn delete_session(&self, id_digest: &str) -> Result<bool, AccessError>;
}

/// Opens the access tables at `at`, creating them on first use. An embedded
/// archive's directory must exist (a typo must not create a stray archive).
pub(crate) fn open(at: &AccessLocation) -> Result<Box<dyn AccessStore>, AccessError> {
    match &at.database {
        None => Ok(Box::new(sqlite::SqliteAccess::open(&at.dir)?)),
        Some(url) => Ok(Box::new(postgres::PgAccess::connect(url)?)),
    }
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
