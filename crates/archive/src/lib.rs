//! # cablescope-archive
//!
//! The embedded cable archive: a SQLite store (the truth), a tantivy index derived
//! from it, parallel and resumable ingest, removal, verification, the reference
//! graph and statistics, the query language, and the index-side half of the
//! clearance rule (every search gated for a reader's [`Scope`], see [`gating`]).
//! Field names and their meanings are in `SCHEMA.md`.
//!
//! This crate reads records unredacted ([`Archive::cable`]): front ends never use it
//! directly, but through the `cablescope-access` crate, which holds the security
//! model (users, tokens, the audit log, redaction, the declassification policy)
//! and the one audited read path (`Session`).
//!
//! ```no_run
//! use cablescope_archive::{Archive, IngestOptions, Scope, SearchOptions};
//!
//! let mut archive = Archive::open("cablescope-data")?;
//! let summary = archive.ingest(&["cables/".into()], &IngestOptions::default(), &mut |p| {
//!     eprint!("\r{} files, {:.0} cables/s", p.files_seen, p.cables_per_sec());
//! })?;
//! println!("{} cables written", summary.cables_written);
//! let all = cablescope_archive::index::all_query();
//! // Searches are for a reader; here one cleared for everything, by name.
//! let everything = SearchOptions::new(Scope::unrestricted());
//! let results = archive.search(all.as_ref(), &everything)?;
//! println!("{} cables", results.total);
//! // The query language, with cursor pagination (see [`search`]).
//! let page = archive.search_str("tag:PREL created:2008-06 -caption:NOFORN", &everything)?;
//! let next = SearchOptions { cursor: page.next_cursor.clone(), ..everything.clone() };
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

pub mod alias;
pub mod archive;
pub mod backup;
pub mod declass;
pub mod due;
pub mod error;
pub mod facets;
pub mod follow;
mod gate_cache;
pub mod gating;
pub mod graph;
pub mod graph_format;
mod hits;
pub mod index;
pub mod ingest;
pub mod integrity;
pub mod migrate;
pub mod nearcopy;
pub mod query;
pub mod render;
pub mod schema;
pub mod search;
pub mod spelling;
pub mod stemming;
pub mod store;

pub use archive::{Archive, Released, Removed, VerifyReport};
pub use cablescope_format::marking::{Clearance, Control, Level};
pub use declass::DeclassPolicy;
pub use error::{Error, Result};
pub use facets::{Facet, FacetSet};
pub use follow::{FollowOptions, Follower};
pub use gating::Scope;
pub use graph::{Direction, MarkCount, Node, RefWalk, Stats};
pub use index::{Hit, Index, SearchOptions, SearchResults, Sort, TantivyIndex};
pub use ingest::{IngestOptions, Progress};
pub use store::{AnyStore, PgStore, SqliteStore, Store, StoreLocation, FORMAT_VERSION};
