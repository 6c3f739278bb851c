//! # cablescope-access
//!
//! The security model of a cablescope archive, in one crate, and the one audited
//! read path every front end goes through:
//!
//! * [`users`]: users, their roles and clearances, and the tokens they read with;
//!   [`sessions`]: the browser sessions they sign in with; both kept in
//!   `access.db` or the shared database ([`access_db`], [`AccessLocation`]);
//!   [`viewer`]: who reads; [`signin`]: who reads with a token, outside the
//!   server;
//! * [`audit`]: the hash-chained, append-only audit log, and the [`Auditor`] that
//!   writes an entry for every read of a closed archive;
//! * [`declass`]: the declassification policy;
//! * [`redact`]: what a reader may see of a record ([`Access::judge`],
//!   [`Access::redact`], [`Access::judge_copy`]);
//! * [`session`]: a [`Library`] (an archive opened for reading, its records out of
//!   reach) and a [`Session`] (one viewer reading it): search, facets, timeline,
//!   snippets, a cable, its copies, refs, graphs, statistics, export and id
//!   resolution, each redacted and audited;
//! * [`admin`]: the administrator's handle ([`Admin`]: ingest, removal,
//!   verification, policy), which reads no record;
//! * [`files`]: the archive's files are private to their owner.
//!
//! Layering: `cablescope-format` (the record, the marking vocabulary and the
//! effective-marking rule) ← `cablescope-archive` (store, index, search gating for a
//! given clearance, ingest, query language) ← `cablescope-access` (this crate) ←
//! `cablescope-server`, `cablescope` (CLI). The front ends depend on this crate
//! only: the unredacted store is not reachable from them.
//!
//! ```no_run
//! use cablescope_access::{Auditor, Library, Page, Viewer};
//!
//! let lib = Library::open_for_reading("cablescope-data")?;
//! let auditor = Auditor::new(lib.dir());
//! let session = lib.session(&Viewer::anonymous(), None, &auditor)?;
//! let q = cablescope_access::query::parse("tag:PREL")?;
//! let page = session.search("tag:PREL", &q, &Page::default())?;
//! println!("{} cables", page.total);
//! # Ok::<(), cablescope_access::Error>(())
//! ```
#![warn(missing_docs)]

pub mod access_db;
pub mod admin;
pub mod audit;
pub mod declass;
pub mod files;
pub mod redact;
pub mod session;
pub mod sessions;
pub mod signin;
pub mod table_row;
pub mod throttle;
pub mod transfer;
pub mod users;
pub mod viewer;

pub use access_db::AccessLocation;
pub use admin::Admin;
pub use audit::Auditor;
pub use redact::{Access, Verdict};
pub use session::{
    archive_exists, CablePage, CableRead, Citing, CopyView, Library, Lookup, Neighbourhood,
    NodeView, Page, Resolved, Session, Suggestion, SUGGEST_BELOW,
};
pub use users::{Role, User, Users};
pub use viewer::Viewer;

pub use cablescope_archive::backup::{BackupReport, RestoreReport};
pub use cablescope_archive::graph::Graph;
pub use cablescope_archive::graph_format::{self, GraphEdge, GraphNode};
pub use cablescope_archive::ingest::{IngestOptions, Progress};
pub use cablescope_archive::integrity::{Damage, IndexHealth, RepairReport};
pub use cablescope_archive::migrate::MigrateReport;
pub use cablescope_archive::search::FACETS;
pub use cablescope_archive::store::Edge;
pub use cablescope_archive::store::{partition, partitions, Partition};
pub use cablescope_archive::{
    render, Direction, Error, Facet, FacetSet, FollowOptions, Follower, Hit, MarkCount, Node,
    RefWalk, Removed, Result, SearchResults, Sort, Stats, StoreLocation, VerifyReport,
};
pub use cablescope_format::marking::{Clearance, Control, Level, Marking};

/// The query language (`crates/archive/src/query`): parse a query string for a
/// [`Session`].
pub mod query {
    pub use cablescope_archive::query::{hints, parse, Field, IdPattern, Query, QuerySyntaxError};
}
