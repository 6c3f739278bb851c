//! # cablescope-archive
//!
//! The embedded cable archive: a SQLite store (the truth), a tantivy index derived
//! from it, parallel and resumable ingest, removal, verification, the reference
//! graph and statistics. Field names and their meanings are in `SCHEMA.md`.
//!
//! ```no_run
//! use cablescope_archive::{Archive, IngestOptions, SearchOptions};
//!
//! let mut archive = Archive::open("cablescope-data")?;
//! let summary = archive.ingest(&["cables/".into()], &IngestOptions::default(), &mut |p| {
//!     eprint!("\r{} files, {:.0} cables/s", p.files_seen, p.cables_per_sec());
//! })?;
//! println!("{} cables written", summary.cables_written);
//! let all = cablescope_archive::index::all_query();
//! let results = archive.search(all.as_ref(), &SearchOptions::default())?;
//! println!("{} cables", results.total);
//! // The query language, with cursor pagination (see [`search`]).
//! let page = archive.search_str("tag:PREL created:2008-06 -caption:NOFORN", &SearchOptions::default())?;
//! let next = SearchOptions { cursor: page.next_cursor.clone(), ..SearchOptions::default() };
//! let page2 = archive.search_str("tag:PREL created:2008-06 -caption:NOFORN", &next)?;
//! # let _ = page2;
//! # Ok::<(), cablescope_archive::Error>(())
//! ```
//!
//! ## Consistency
//!
//! Every store change takes a new change sequence; each index commit records the
//! highest sequence it holds. [`Archive::open`] re-applies newer changes, so after a
//! kill at any point the index agrees with the store again (see [`ingest`]).
#![warn(missing_docs)]

pub mod access;
pub mod access_db;
pub mod alias;
pub mod archive;
pub mod audit;
pub mod declass;
pub mod error;
pub mod graph;
pub mod graph_format;
pub mod index;
pub mod ingest;
pub mod integrity;
pub mod marking;
pub mod nearcopy;
pub mod query;
pub mod render;
pub mod search;
pub mod store;
pub mod users;

pub use access::Access;
pub use archive::{Archive, Removed, VerifyReport};
pub use declass::DeclassPolicy;
pub use error::{Error, Result};
pub use graph::{Direction, Node, RefWalk, Stats};
pub use index::{Hit, Index, SearchOptions, SearchResults, Sort, TantivyIndex};
pub use ingest::{IngestOptions, Progress};
pub use marking::Clearance;
pub use store::{SqliteStore, Store, FORMAT_VERSION};
pub use users::{Role, User, Users, Viewer};
