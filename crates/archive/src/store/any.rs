//! Whichever store an archive was opened on: the embedded SQLite file in the
//! archive directory, or a shared PostgreSQL database.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use super::{Change, CopyRow, Counts, Edge, InputRecord, PgStore, SqliteStore, Store, WriteBatch};
use crate::error::Result;

/// Where an archive's truth (its store) lives. The index and `access.db` are
/// always in the archive directory.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum StoreLocation {
    /// `archive.sqlite3` in the archive directory (the default).
    #[default]
    Embedded,
    /// A PostgreSQL database (`postgres://user@host:port/db`), shared by every node
    /// that keeps an index of it.
    Postgres(String),
}

impl StoreLocation {
    /// `Postgres(url)` when `url` is given, else `Embedded`.
    pub fn from_url(url: Option<&str>) -> Self {
        match url {
            Some(u) if !u.trim().is_empty() => StoreLocation::Postgres(u.trim().to_string()),
            _ => StoreLocation::Embedded,
        }
    }

    /// True for a shared database.
    pub fn is_shared(&self) -> bool {
        matches!(self, StoreLocation::Postgres(_))
    }

    /// A description for messages (the password of a URL redacted).
    pub fn describe(&self, dir: &Path) -> String {
        match self {
            StoreLocation::Embedded => dir.display().to_string(),
            StoreLocation::Postgres(url) => super::postgres::redact_url(url),
        }
    }
}

/// The store of an archive: embedded or shared.
#[derive(Debug)]
pub enum AnyStore {
    /// The embedded SQLite store.
    Sqlite(SqliteStore),
    /// A PostgreSQL store.
    Postgres(PgStore),
}

impl std::fmt::Debug for SqliteStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteStore").finish_non_exhaustive()
    }
}

impl AnyStore {
    /// Opens the store at `location` (the embedded one in `dir`).
    pub fn open(dir: &Path, location: &StoreLocation) -> Result<Self> {
        Ok(match location {
            StoreLocation::Embedded => AnyStore::Sqlite(SqliteStore::open(dir)?),
            StoreLocation::Postgres(url) => AnyStore::Postgres(PgStore::connect(url)?),
        })
    }

    /// The embedded store, if this is one (backups, the SQLite file's own checks).
    pub fn as_sqlite(&self) -> Option<&SqliteStore> {
        match self {
            AnyStore::Sqlite(s) => Some(s),
            AnyStore::Postgres(_) => None,
        }
    }

    /// The PostgreSQL store, if this is one.
    pub fn as_postgres(&self) -> Option<&PgStore> {
        match self {
            AnyStore::Postgres(s) => Some(s),
            AnyStore::Sqlite(_) => None,
        }
    }
}

/// Forwards each [`Store`] method to the store inside.
macro_rules! forward {
    (
        reads { $( fn $name:ident(&self $(, $arg:ident: $ty:ty)*) -> $ret:ty; )* }
        writes { $( fn $wname:ident(&mut self $(, $warg:ident: $wty:ty)*) -> $wret:ty; )* }
    ) => {
        impl Store for AnyStore {
            $(
                fn $name(&self $(, $arg: $ty)*) -> $ret {
                    match self {
                        AnyStore::Sqlite(s) => s.$name($($arg),*),
                        AnyStore::Postgres(s) => s.$name($($arg),*),
                    }
                }
            )*
            $(
                fn $wname(&mut self $(, $warg: $wty)*) -> $wret {
                    match self {
                        AnyStore::Sqlite(s) => s.$wname($($warg),*),
                        AnyStore::Postgres(s) => s.$wname($($warg),*),
                    }
                }
            )*
        }
    };
}

forward! {
    reads {
    fn inputs(&self) -> Result<BTreeMap<String, InputRecord>>;
    fn copies_of(&self, id: &str) -> Result<Vec<CopyRow>>;
    fn distinct_copies(&self, id: &str, skip: &BTreeSet<String>) -> Result<Vec<(String, CopyRow)>>;
    fn merge_state(&self, ids: &[String], skip: &BTreeSet<String>) -> Result<super::MergeStates>;
    fn ids_from_source(&self, path: &str) -> Result<Vec<String>>;
    fn sources_matching(&self, path: &str) -> Result<Vec<String>>;
    fn cable(&self, id: &str) -> Result<Option<cablescope_format::Cable>>;
    fn canonical_id(&self, id: &str) -> Result<Option<String>>;
    fn has_noid(&self) -> Result<bool>;
    fn band_candidates(&self, bands: &[i64], noid_only: bool, limit: usize) -> Result<Vec<String>>;
    fn changes_since(&self, after: u64, limit: usize) -> Result<Vec<Change>>;
    fn last_seq(&self) -> Result<u64>;
    fn store_id(&self) -> Result<String>;
    fn ids(&self) -> Result<Vec<String>>;
    fn id_seqs(&self) -> Result<Vec<(String, u64)>>;
    fn count(&self) -> Result<u64>;
    fn present(&self, ids: &[String]) -> Result<Vec<String>>;
    fn cites(&self, id: &str) -> Result<Vec<Edge>>;
    fn cited_by(&self, id: &str) -> Result<Vec<Edge>>;
    fn count_by(&self, column: &str) -> Result<Counts>;
    fn most_cited_missing(&self, limit: usize) -> Result<Counts>;
    fn check(&self) -> Result<Vec<String>>;
    fn meta(&self, key: &str) -> Result<Option<String>>;
    }
    writes {
        fn write(&mut self, batch: &WriteBatch) -> Result<u64>;
        fn set_meta(&mut self, key: &str, value: &str) -> Result<()>;
    }
}
