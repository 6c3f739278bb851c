//! The archive's error type.

use std::path::PathBuf;

/// Everything that can go wrong with an archive.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The SQLite store failed.
    #[error("store: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// The PostgreSQL store failed (the message never carries the password of
    /// the database URL: the driver does not echo it).
    #[error("store (PostgreSQL): {0}")]
    Postgres(#[from] postgres::Error),
    /// The tantivy index failed.
    #[error("index: {0}")]
    Tantivy(#[from] tantivy::TantivyError),
    /// A file could not be read or written.
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// A stored record is not valid JSON for a cable.
    #[error("stored record: {0}")]
    Json(#[from] serde_json::Error),
    /// The archive was written by a cablescope with another format version.
    #[error(
        "the archive at {} has format version {found}, this cablescope reads version {expected}: \
         {advice}",
        dir.display()
    )]
    FormatVersion {
        /// The archive directory.
        dir: PathBuf,
        /// The version found in the archive.
        found: u32,
        /// The version this build reads and writes.
        expected: u32,
        /// What the user should do.
        advice: String,
    },
    /// No cable or source matched.
    #[error("not found: {0}")]
    NotFound(String),
    /// A search query that does not parse (with the position of the problem).
    #[error(transparent)]
    Query(#[from] crate::query::QuerySyntaxError),
    /// A pagination cursor that this search did not print.
    #[error("bad cursor: {0}")]
    Cursor(String),
    /// Anything else.
    #[error("{0}")]
    Other(String),
}

/// Result with the archive's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
