//! The one read path: a [`Library`] (an archive opened for reading, its records
//! out of reach) and a [`Session`] (one viewer reading it at one date under the
//! archive's declassification policy). Every front end reads through a session,
//! and every read a session makes is redacted for the viewer and written to the
//! audit log (when the archive has users) before it is returned: a read that
//! cannot be recorded is not shown.
//!
//! What a session returns never holds what the viewer may not read: redacted
//! records ([`crate::redact`]), searches gated inside the index
//! (`cablescope_archive::gating`), walks and graphs that treat a cable the viewer
//! may not see exactly like one the archive does not hold.

use cablescope_archive::FacetSet;
use std::collections::{BTreeSet, HashMap, VecDeque};
use std::path::Path;

use cablescope_archive::graph::Graph;
use cablescope_archive::integrity::{IndexHealth, IndexMonitor};
use cablescope_archive::query::{IdPattern, Query};
use cablescope_archive::store::{Edge, Store};
use cablescope_archive::StoreLocation;
use cablescope_archive::{
    Archive, Direction, Error, Hit, Node, RefWalk, Result, SearchOptions, SearchResults, Sort,
    Stats,
};
use cablescope_format::Cable;

use crate::audit::{AuditEntry, Auditor};
use crate::declass::{Date, DeclassPolicy, Due};
use crate::redact::{withheld_list, Access};
use crate::viewer::Viewer;

/// Most withheld items written in one audit entry (an export can withhold from
/// thousands of cables); the rest are counted.
pub const MAX_AUDIT_WITHHELD: usize = 1000;

/// Most citing cables read for their subjects on a cable page (the rest by id).
const CITED_BY_DETAILED: usize = 200;

/// Most candidates listed for an id without a year.
const MAX_CANDIDATES: usize = 50;

/// True when `dir` holds an archive (its store).
pub fn archive_exists(dir: &Path) -> bool {
    dir.join(cablescope_archive::store::DB_FILE).is_file()
}

/// An archive opened for reading. Its records are reachable only through a
/// [`Session`]: this type offers nothing that reads a cable.
pub struct Library {
    archive: Archive,
    /// Checks the index for damage, checksumming each file once
    /// ([`Library::health`]).
    monitor: IndexMonitor,
}

impl std::fmt::Debug for Library {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Library")
            .field("dir", &self.archive.dir())
            .finish_non_exhaustive()
    }
}

impl Library {
    /// Opens the archive in `dir` for reading: usable while an ingest runs (the
    /// cables committed so far are seen). An absent archive is an error (nothing is
    /// created where a typo points).
    pub fn open_for_reading(dir: impl AsRef<Path>) -> Result<Library> {
        Library::open_for_reading_on(dir, &StoreLocation::Embedded)
    }

    /// [`Library::open_for_reading`] for a store at `location`. With a shared
    /// database, `dir` is this node's index of it (created when absent: the
    /// database is the archive, and a lost index is rebuilt from it).
    pub fn open_for_reading_on(dir: impl AsRef<Path>, location: &StoreLocation) -> Result<Library> {
        let dir = dir.as_ref();
        if !location.is_shared() && !archive_exists(dir) {
            return Err(Error::NotFound(format!("no archive at {}", dir.display())));
        }
        Ok(Library {
            archive: Archive::open_for_reading_on(dir, location)?,
            monitor: IndexMonitor::new(),
        })
    }

    /// The archive directory.
    pub fn dir(&self) -> &Path {
        self.archive.dir()
    }

    /// Makes commits by other handles or processes visible (cheap when none).
    pub fn reload(&self) -> Result<()> {
        self.archive.index().reload()
    }

    /// The health of the index: [`IndexHealth::ok`], or the damaged files and
    /// what is wrong with them ([`IndexHealth::summary`]: the reason a server's
    /// `/healthz` gives with its 503). Every index file is checksummed the first
    /// time it is seen (at the first call, and after each commit for the new
    /// segments), then only its presence and footer are read: milliseconds once
    /// warm (`cablescope_archive::integrity::IndexMonitor`).
    pub fn health(&self) -> IndexHealth {
        self.monitor.check(self.archive.index().path())
    }

    /// How many cables the archive holds (for health checks and metrics: shown
    /// only to those who may see totals).
    pub fn cable_count(&self) -> Result<u64> {
        self.archive.store().count()
    }

    /// The archive's declassification policy.
    pub fn declass_policy(&self) -> Result<DeclassPolicy> {
        self.archive.declass_policy()
    }

    /// A session of `viewer` reading at `as_of` (today when `None`) under the
    /// archive's declassification policy, audited by `auditor`.
    pub fn session<'a>(
        &'a self,
        viewer: &Viewer,
        as_of: Option<Date>,
        auditor: &'a Auditor,
    ) -> Result<Session<'a>> {
        let access = Access::new(
            viewer.clearance.clone(),
            as_of.unwrap_or_else(crate::declass::today),
            self.archive.declass_policy()?,
        );
        Ok(Session {
            archive: &self.archive,
            viewer: viewer.clone(),
            access,
            as_of,
            auditor,
            full_paths: true,
        })
    }
}

/// A page of a search: how many hits, in which order, from which cursor, and
/// whether facets and snippets are wanted. Says nothing of the reader (the
/// session does).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    /// Most hits.
    pub limit: usize,
    /// Order.
    pub sort: Sort,
    /// Continue after the page that printed this cursor.
    pub cursor: Option<String>,
    /// The facets to count (none by default).
    pub facets: FacetSet,
    /// Make highlighted snippets.
    pub snippets: bool,
}

impl Default for Page {
    fn default() -> Self {
        Page {
            limit: 20,
            sort: Sort::Relevance,
            cursor: None,
            facets: FacetSet::NONE,
            snippets: false,
        }
    }
}

/// How a loosely written id resolved for a viewer ([`Session::resolve`]).
#[derive(Debug, Clone, PartialEq)]
pub enum Resolved {
    /// The canonical id of a cable the viewer may see.
    Id(String),
    /// An id without a year that names several cables the viewer may see.
    Ambiguous {
        /// The id as canonicalised, without a year (`MOSCOW1500`).
        id: String,
        /// How many.
        total: u64,
        /// The first of them, by date.
        hits: Vec<Hit>,
    },
    /// No cable the viewer may see (unknown and invisible look the same).
    NotFound,
}

/// What a read of a loosely written id found.
#[derive(Debug, Clone, PartialEq)]
pub enum Lookup<T> {
    /// The cable, as the viewer may see it.
    Found(T),
    /// An id without a year that names several cables.
    Ambiguous {
        /// The id as canonicalised, without a year (`MOSCOW1500`).
        id: String,
        /// How many.
        total: u64,
        /// The first of them, by date.
        hits: Vec<Hit>,
    },
    /// No cable the viewer may see.
    NotFound,
}

/// One cable as the viewer may read it.
#[derive(Debug, Clone, PartialEq)]
pub struct CableRead {
    /// Its canonical id.
    pub id: String,
    /// The merged record, redacted.
    pub cable: Cable,
    /// The ids its (readable) REF list cites that the viewer may see.
    pub present: BTreeSet<String>,
}

/// A cable citing another one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Citing {
    /// Its id.
    pub id: String,
    /// Its subject, when the viewer may read it.
    pub subject: Option<String>,
    /// Its creation time.
    pub created: Option<String>,
}

/// A stored copy of a cable as the viewer may read it.
#[derive(Debug, Clone, PartialEq)]
pub struct CopyView {
    /// The input it was read from.
    pub path: String,
    /// Its position in that input, from 1.
    pub item: u64,
    /// The copy's record, redacted by the join of its own markings and the merged
    /// record's ([`Access::judge_copy`]).
    pub record: Cable,
}

/// Everything the cable page shows.
#[derive(Debug, Clone, PartialEq)]
pub struct CablePage {
    /// The cable.
    pub read: CableRead,
    /// The cables the viewer may see whose readable REF lists cite it, oldest
    /// first.
    pub cited_by: Vec<Citing>,
    /// Its stored copies.
    pub copies: Vec<CopyView>,
}

/// A cable met by a walk, with what the viewer may read of its envelope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeView {
    /// Its id.
    pub id: String,
    /// Steps from the start.
    pub depth: u32,
    /// False when the archive does not hold it or the viewer may not see it.
    pub present: bool,
    /// Creation time.
    pub created: Option<String>,
    /// Origin station.
    pub origin: Option<String>,
    /// Classification string.
    pub classification: Option<String>,
    /// Subject, when readable.
    pub subject: Option<String>,
}

/// The citation neighbourhood of a cable ([`Session::neighbourhood`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Neighbourhood {
    /// The start's canonical id.
    pub id: String,
    /// The cables met, the start first.
    pub nodes: Vec<NodeView>,
    /// The citations followed.
    pub edges: Vec<Edge>,
}

/// A query that finds fewer cables than this gets [`Session::suggestions`].
pub const SUGGEST_BELOW: u64 = 10;
/// Words of a query tried for respelling, from the first.
const SUGGEST_WORDS: usize = 4;
/// Respellings tried per word, the commonest in the index first.
const SUGGEST_CANDIDATES: usize = 3;

/// A respelt query and how many cables it finds for the viewer.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Suggestion {
    /// The query, as the viewer wrote it but for one word.
    pub query: String,
    /// How many cables it finds for the viewer.
    pub total: u64,
}

/// One viewer reading one archive: the only way to read its cables.
pub struct Session<'a> {
    archive: &'a Archive,
    viewer: Viewer,
    access: Access,
    /// The date asked for (`--as-of`), named in the audit log.
    as_of: Option<Date>,
    auditor: &'a Auditor,
    /// Whether input paths are shown as stored (where the operator keeps the
    /// files) or by file name only ([`Session::hiding_paths`]).
    full_paths: bool,
}

impl<'a> Session<'a> {
    /// This session showing each input by its file name only (an archive member
    /// as `archive.zip!member`), never by the folder it lies in on the server:
    /// how a server reads for anyone but an administrator. A session starts with
    /// paths as stored (the command line, run by whoever holds the files).
    pub fn hiding_paths(mut self, hide: bool) -> Session<'a> {
        self.full_paths = !hide;
        self
    }

    /// `path` as this session shows it.
    fn shown_path(&self, path: &str) -> String {
        if self.full_paths {
            path.to_string()
        } else {
            public_path(path)
        }
    }

    /// `cable` with its sources' paths as this session shows them.
    fn with_shown_paths(&self, mut cable: Cable) -> Cable {
        if !self.full_paths {
            for s in std::iter::once(&mut cable.source).chain(cable.sources.iter_mut()) {
                s.path = s.path.as_deref().map(public_path);
            }
        }
        cable
    }
}

/// An input path without the folders it lies in: `/srv/in/2008/a.html` is
/// `a.html`, `/srv/in/dump.zip!cables/b.html` is `dump.zip!cables/b.html` (the
/// member's path is the publisher's, not the server's).
pub fn public_path(path: &str) -> String {
    let (outer, member) = match path.split_once('!') {
        Some((o, m)) => (o, Some(m)),
        None => (path, None),
    };
    let name = outer
        .rsplit(['/', '\\'])
        .find(|p| !p.is_empty())
        .unwrap_or(outer);
    match member {
        Some(m) => format!("{name}!{m}"),
        None => name.to_string(),
    }
}

impl Session<'_> {
    /// Who reads.
    pub fn viewer(&self) -> &Viewer {
        &self.viewer
    }

    /// What they may read: clearance, date and declassification policy.
    pub fn access(&self) -> &Access {
        &self.access
    }

    fn options(&self, page: &Page) -> SearchOptions {
        SearchOptions {
            limit: page.limit,
            sort: page.sort,
            cursor: page.cursor.clone(),
            facets: page.facets,
            snippets: page.snippets,
            ..self.access.search_options()
        }
    }

    /// Writes the audit entry of a read (when the archive has users). An error
    /// means the read must not be shown.
    fn audit(
        &self,
        action: &str,
        what: &str,
        results: u64,
        mut withheld: Vec<String>,
    ) -> Result<()> {
        if withheld.len() > MAX_AUDIT_WITHHELD {
            let more = withheld.len() - MAX_AUDIT_WITHHELD;
            withheld.truncate(MAX_AUDIT_WITHHELD);
            withheld.push(format!("... and {more} more"));
        }
        let what = match self.as_of {
            Some(d) => format!("{what} (as of {d})"),
            None => what.to_string(),
        };
        let mut e = AuditEntry::for_viewer(&self.viewer, action, &what);
        e.results = results;
        e.withheld = withheld;
        self.auditor
            .record_read(&e)
            .map_err(|e| Error::Other(format!("cannot write the audit log: {e}")))?;
        Ok(())
    }

    /// Checks that the audit log can be written, before a streamed read whose
    /// entry is written at its end.
    pub fn audit_ready(&self) -> Result<()> {
        self.auditor
            .ready()
            .map_err(|e| Error::Other(format!("cannot open the audit log: {e}")))
    }

    // ---------------------------------------------------------------------------
    // Searches

    fn run(&self, action: &str, text: &str, q: &Query, page: &Page) -> Result<SearchResults> {
        let r = self.archive.search_query(q, &self.options(page))?;
        self.audit(action, text, r.total, Vec::new())?;
        Ok(r)
    }

    /// A page of hits of `q` (written as `text`, for the audit log).
    pub fn search(&self, text: &str, q: &Query, page: &Page) -> Result<SearchResults> {
        self.run("search", text, q, page)
    }

    /// Queries that find more than `text` did ("did you mean"): `text` with one
    /// of its plain words respelt as a word of the index one edit away, for a query
    /// that found fewer than [`SUGGEST_BELOW`] cables (`total`), most matches
    /// first, at most `limit`.
    ///
    /// The candidate words come from the whole index, withheld text included;
    /// each is offered only when this viewer's own (gated, audited) search of the
    /// respelt query finds more than `total` cables, so a word the viewer could
    /// not find is never shown to them.
    pub fn suggestions(&self, text: &str, total: u64, limit: usize) -> Result<Vec<Suggestion>> {
        use cablescope_archive::index::Index as _;
        use cablescope_archive::query::{parse, plain_words, with_word};
        if total >= SUGGEST_BELOW || limit == 0 {
            return Ok(Vec::new());
        }
        let count = Page {
            limit: 0,
            ..Page::default()
        };
        let mut out: Vec<Suggestion> = Vec::new();
        for word in plain_words(text).iter().take(SUGGEST_WORDS) {
            let similar = self
                .archive
                .index()
                .similar_words(&word.text, SUGGEST_CANDIDATES)?;
            for (candidate, _) in similar.candidates {
                let query = with_word(text, word, &candidate);
                let Ok(parsed) = parse(&query) else { continue };
                let found = self.run("suggest", &query, &parsed, &count)?.total;
                if found > total && !out.iter().any(|s| s.query == query) {
                    out.push(Suggestion {
                        query,
                        total: found,
                    });
                }
            }
        }
        out.sort_by(|a, b| b.total.cmp(&a.total).then_with(|| a.query.cmp(&b.query)));
        out.truncate(limit);
        Ok(out)
    }

    /// The facet counts of every match of `q`.
    pub fn facets(&self, text: &str, q: &Query) -> Result<SearchResults> {
        let page = Page {
            limit: 0,
            facets: FacetSet::ALL,
            ..Page::default()
        };
        self.run("facets", text, q, &page)
    }

    /// The matches of `q` per month (the `month` facet).
    pub fn timeline(&self, text: &str, q: &Query) -> Result<SearchResults> {
        let page = Page {
            limit: 0,
            facets: FacetSet::of(&[cablescope_archive::Facet::Month]),
            ..Page::default()
        };
        self.run("timeline", text, q, &page)
    }

    /// How many cables the viewer may see.
    pub fn count(&self) -> Result<u64> {
        let page = Page {
            limit: 0,
            ..Page::default()
        };
        Ok(self.run("count", "*", &Query::All, &page)?.total)
    }

    /// Every match of `q` the viewer may see, redacted, in `sort` order, given to
    /// `each` (an export). `start` is called first with how many cables match (a
    /// server sends its response head then; an error from it stops the export).
    /// The audit log must be writable before anything is given; the entry is
    /// written when the export ends, however it ends (what was given was read),
    /// with what was withheld.
    pub fn export<E: From<Error>>(
        &self,
        text: &str,
        q: &Query,
        sort: Sort,
        start: &mut dyn FnMut(u64) -> std::result::Result<(), E>,
        each: &mut dyn FnMut(Cable) -> std::result::Result<(), E>,
    ) -> std::result::Result<u64, E> {
        self.audit_ready()?;
        let total = self
            .archive
            .search_query(
                q,
                &SearchOptions {
                    limit: 0,
                    ..self.access.search_options()
                },
            )?
            .total;
        let mut withheld = Vec::new();
        let mut shown = 0u64;
        let result = start(total).and_then(|()| {
            self.export_inner(q, sort, &mut |c: Cable| {
                withheld.extend(withheld_list(&c));
                shown += 1;
                each(c)
            })
        });
        // A failed entry is reported first: the stream was shown, and the log must
        // say so.
        self.audit("export", text, shown, withheld)?;
        result
    }

    fn export_inner<E: From<Error>>(
        &self,
        q: &Query,
        sort: Sort,
        each: &mut dyn FnMut(Cable) -> std::result::Result<(), E>,
    ) -> std::result::Result<u64, E> {
        let mut cursor = None;
        let mut n = 0;
        loop {
            let r = self.archive.search_query(
                q,
                &SearchOptions {
                    limit: 500,
                    sort,
                    cursor: cursor.take(),
                    ..self.access.search_options()
                },
            )?;
            for h in &r.hits {
                if let Some(c) = self.record(&h.id)? {
                    each(c)?;
                    n += 1;
                }
            }
            match r.next_cursor {
                Some(c) => cursor = Some(c),
                None => return Ok(n),
            }
        }
    }

    // ---------------------------------------------------------------------------
    // Records

    /// The redacted record of `id`, `None` when unknown or invisible.
    fn record(&self, id: &str) -> Result<Option<Cable>> {
        Ok(self
            .archive
            .store()
            .cable(id)?
            .and_then(|c| self.access.redact(&c))
            .map(|c| self.with_shown_paths(c)))
    }

    /// True when the archive holds `id` and the viewer may see it.
    fn visible(&self, id: &str) -> Result<bool> {
        Ok(self
            .archive
            .visible_ids(&[id.to_string()], &self.access.scope())?
            .contains(id))
    }

    /// The canonical id of `id` when it is an alias (an id a cable was published
    /// under, `cablescope_archive::alias`), else `id`.
    fn canonical(&self, id: &str) -> Result<String> {
        Ok(self
            .archive
            .store()
            .canonical_id(id)?
            .unwrap_or_else(|| id.to_string()))
    }

    /// Resolution without an audit entry (every caller writes its own).
    fn resolve_quiet(&self, written: &str) -> Result<Resolved> {
        let raw = written.trim();
        if raw.is_empty() {
            return Ok(Resolved::NotFound);
        }
        let exact = self.canonical(raw)?;
        if self.visible(&exact)? {
            return Ok(Resolved::Id(exact));
        }
        let Some(p) = IdPattern::parse(raw) else {
            return Ok(Resolved::NotFound);
        };
        if let Some(c) = p.canonical() {
            let id = match cablescope_archive::index::norm::id_terms(&c) {
                Some(("id", v)) => v,
                _ => c,
            };
            let id = self.canonical(&id)?;
            return Ok(if self.visible(&id)? {
                Resolved::Id(id)
            } else {
                Resolved::NotFound
            });
        }
        let without_year = p.without_year();
        let r = self.archive.search_query(
            &Query::Id(p),
            &SearchOptions {
                limit: MAX_CANDIDATES,
                sort: Sort::Date,
                ..self.access.search_options()
            },
        )?;
        Ok(match r.hits.len() {
            0 => Resolved::NotFound,
            1 => Resolved::Id(r.hits[0].id.clone()),
            _ => Resolved::Ambiguous {
                id: without_year,
                total: r.total,
                hits: r.hits,
            },
        })
    }

    /// The canonical id of the cable `written` (loosely: `08 MOSCOW 01599`,
    /// `MOSCOW 1599`) names among those the viewer may see.
    pub fn resolve(&self, written: &str) -> Result<Resolved> {
        let r = self.resolve_quiet(written)?;
        let (what, n) = match &r {
            Resolved::Id(id) => (id.as_str(), 1),
            Resolved::Ambiguous { total, .. } => (written.trim(), *total),
            Resolved::NotFound => (written.trim(), 0),
        };
        self.audit("resolve", what, n, Vec::new())?;
        Ok(r)
    }

    /// Resolves `written` and reads it with `read`, auditing the whole as `action`
    /// (on the canonical id when found, else on the id as written).
    fn lookup<T>(
        &self,
        action: &str,
        written: &str,
        read: impl FnOnce(&str) -> Result<Option<(T, u64, Vec<String>)>>,
    ) -> Result<Lookup<T>> {
        match self.resolve_quiet(written)? {
            Resolved::Id(id) => match read(&id)? {
                Some((t, n, withheld)) => {
                    self.audit(action, &id, n, withheld)?;
                    Ok(Lookup::Found(t))
                }
                None => {
                    self.audit(action, &id, 0, Vec::new())?;
                    Ok(Lookup::NotFound)
                }
            },
            Resolved::Ambiguous { id, total, hits } => {
                self.audit(action, written.trim(), 0, Vec::new())?;
                Ok(Lookup::Ambiguous { id, total, hits })
            }
            Resolved::NotFound => {
                self.audit(action, written.trim(), 0, Vec::new())?;
                Ok(Lookup::NotFound)
            }
        }
    }

    fn read_cable(&self, id: &str) -> Result<Option<CableRead>> {
        let Some(cable) = self.record(id)? else {
            return Ok(None);
        };
        let refs: Vec<String> = cable
            .references
            .iter()
            .filter_map(|r| r.id.clone())
            .collect();
        let present = self.archive.visible_ids(&refs, &self.access.scope())?;
        Ok(Some(CableRead {
            id: id.to_string(),
            cable,
            present,
        }))
    }

    /// The cable `written` names, as the viewer may read it.
    pub fn cable(&self, written: &str) -> Result<Lookup<CableRead>> {
        self.lookup("read", written, |id| {
            Ok(self.read_cable(id)?.map(|r| {
                let w = withheld_list(&r.cable);
                (r, 1, w)
            }))
        })
    }

    /// The cable `written` names with the cables citing it and its stored copies,
    /// as the viewer may read them (the web page), in one audited read.
    pub fn cable_page(&self, written: &str) -> Result<Lookup<CablePage>> {
        self.lookup("read", written, |id| {
            let Some(read) = self.read_cable(id)? else {
                return Ok(None);
            };
            let cited_by = self.citing(id)?;
            let copies = self.copies_of(id)?.unwrap_or_default();
            let w = withheld_list(&read.cable);
            Ok(Some((
                CablePage {
                    read,
                    cited_by,
                    copies,
                },
                1,
                w,
            )))
        })
    }

    /// The stored copies of the cable `written` names, each redacted by the join
    /// of its own markings and the merged record's ([`Access::judge_copy`]).
    pub fn copies(&self, written: &str) -> Result<Lookup<Vec<CopyView>>> {
        self.lookup("copies", written, |id| {
            Ok(self.copies_of(id)?.map(|c| {
                let n = c.len() as u64;
                (c, n, Vec::new())
            }))
        })
    }

    fn copies_of(&self, id: &str) -> Result<Option<Vec<CopyView>>> {
        let Some(merged) = self.archive.store().cable(id)? else {
            return Ok(None);
        };
        if !self.access.judge(&merged).visible {
            return Ok(None);
        }
        let mut out = Vec::new();
        for row in self.archive.store().copies_of(id)? {
            if let Some(record) = self.access.redact_copy(&row.record, &merged) {
                out.push(CopyView {
                    path: self.shown_path(&row.path),
                    item: row.item,
                    record: self.with_shown_paths(record),
                });
            }
        }
        Ok(Some(out))
    }

    /// The cables the viewer may see whose REF lists (readable to them) cite `id`.
    fn citing(&self, id: &str) -> Result<Vec<Citing>> {
        let mut from: Vec<String> = Vec::new();
        for e in self.archive.store().cited_by(id)? {
            if let Some(c) = self.archive.store().cable(&e.from)? {
                let v = self.access.judge(&c);
                if v.visible && v.header {
                    from.push(e.from);
                }
            }
        }
        from.sort();
        from.dedup();
        let mut out = Vec::with_capacity(from.len());
        for (i, f) in from.into_iter().enumerate() {
            let c = if i < CITED_BY_DETAILED {
                self.record(&f)?
            } else {
                None
            };
            out.push(Citing {
                id: f,
                subject: c.as_ref().and_then(|c| c.subject.clone()),
                created: c.and_then(|c| c.created),
            });
        }
        out.sort_by(|x, y| x.created.cmp(&y.created).then_with(|| x.id.cmp(&y.id)));
        Ok(out)
    }

    // ---------------------------------------------------------------------------
    // The citation graph

    /// The walk of `Archive::refs` as the viewer may see it (`None` when the start
    /// is invisible). Edges come only out of cables whose REF list the viewer may
    /// read; a cable they may not see is listed like a missing one
    /// (`present: false`) and not walked through.
    fn walk(&self, id: &str, direction: Direction, depth: u32) -> Result<Option<RefWalk>> {
        let store = self.archive.store();
        // id → (visible, REF list readable)
        let mut seen_as: HashMap<String, (bool, bool)> = HashMap::new();
        let mut judge = |id: &str| -> Result<(bool, bool)> {
            if let Some(v) = seen_as.get(id) {
                return Ok(*v);
            }
            let v = match store.cable(id)? {
                Some(c) => {
                    let v = self.access.judge(&c);
                    (v.visible, v.visible && v.header)
                }
                None => (false, false),
            };
            seen_as.insert(id.to_string(), v);
            Ok(v)
        };
        if !judge(id)?.0 {
            return Ok(None);
        }
        let mut out = RefWalk::default();
        let mut seen: BTreeSet<String> = BTreeSet::from([id.to_string()]);
        let mut edges: BTreeSet<Edge> = BTreeSet::new();
        out.nodes.push(Node {
            id: id.to_string(),
            depth: 0,
            present: true,
        });
        let mut queue = VecDeque::from([(id.to_string(), 0u32)]);
        while let Some((cur, d)) = queue.pop_front() {
            if d >= depth {
                continue;
            }
            let mut next: Vec<(Edge, String)> = Vec::new();
            if matches!(direction, Direction::Cites | Direction::Both) && judge(&cur)?.1 {
                for e in store.cites(&cur)? {
                    let to = e.to.clone();
                    next.push((e, to));
                }
            }
            if matches!(direction, Direction::CitedBy | Direction::Both) {
                for e in store.cited_by(&cur)? {
                    if judge(&e.from)?.1 {
                        let from = e.from.clone();
                        next.push((e, from));
                    }
                }
            }
            for (e, other) in next {
                edges.insert(e);
                if !seen.insert(other.clone()) {
                    continue;
                }
                let p = judge(&other)?.0;
                out.nodes.push(Node {
                    id: other.clone(),
                    depth: d + 1,
                    present: p,
                });
                if p {
                    queue.push_back((other, d + 1));
                }
            }
        }
        out.edges = edges.into_iter().collect();
        Ok(Some(out))
    }

    /// The reference walk from the cable `written` names, up to `depth` steps.
    pub fn refs(&self, written: &str, direction: Direction, depth: u32) -> Result<Lookup<RefWalk>> {
        self.lookup("refs", written, |id| {
            Ok(self.walk(id, direction, depth)?.map(|w| {
                let n = w.nodes.len() as u64;
                (w, n, Vec::new())
            }))
        })
    }

    /// The citation neighbourhood of the cable `written` names, each cable with
    /// what the viewer may read of its envelope and subject (graph views).
    pub fn neighbourhood(
        &self,
        written: &str,
        direction: Direction,
        depth: u32,
    ) -> Result<Lookup<Neighbourhood>> {
        self.lookup("graph", written, |id| {
            let Some(w) = self.walk(id, direction, depth)? else {
                return Ok(None);
            };
            let mut nodes = Vec::with_capacity(w.nodes.len());
            for n in &w.nodes {
                let c = if n.present { self.record(&n.id)? } else { None };
                nodes.push(NodeView {
                    id: n.id.clone(),
                    depth: n.depth,
                    present: c.is_some(),
                    created: c.as_ref().and_then(|c| c.created.clone()),
                    origin: c.as_ref().and_then(|c| c.origin.station.clone()),
                    classification: c.as_ref().and_then(|c| c.classification.clone()),
                    subject: c.and_then(|c| c.subject),
                });
            }
            let n = nodes.len() as u64;
            Ok(Some((
                Neighbourhood {
                    id: id.to_string(),
                    nodes,
                    edges: w.edges,
                },
                n,
                Vec::new(),
            )))
        })
    }

    /// The citation graph of the cables `q` matches (written as `text`).
    pub fn graph(&self, text: &str, q: &Query) -> Result<Graph> {
        let g = self.archive.graph_for(q, &self.access.scope())?;
        let matched = g.nodes.iter().filter(|n| n.matched).count() as u64;
        self.audit("graph", text, matched, Vec::new())?;
        Ok(g)
    }

    // ---------------------------------------------------------------------------
    // Statistics

    /// Counts over the cables the viewer may see, the `missing` most-cited cables
    /// they cannot see, and every portion mark seen.
    pub fn stats(&self, missing: usize) -> Result<Stats> {
        let s = self.archive.stats_for(missing, &self.access.scope())?;
        self.audit("stats", "", s.cables, Vec::new())?;
        Ok(s)
    }

    /// The cables the viewer may see due for release after their date and before
    /// `before`.
    pub fn declass_due(&self, before: Date) -> Result<Vec<Due>> {
        let due = self.archive.declass_due(before, &self.access.scope())?;
        self.audit(
            "declass_due",
            &format!("before {before}"),
            due.len() as u64,
            Vec::new(),
        )?;
        Ok(due)
    }
}

#[cfg(test)]
mod path_tests {
    use super::public_path;

    #[test]
    fn public_paths_keep_the_file_and_the_archive_member() {
        assert_eq!(public_path("/srv/in/2008/06/a.html"), "a.html");
        assert_eq!(public_path("a.html"), "a.html");
        assert_eq!(
            public_path("/srv/in/dump.zip!cable/2008/b.html"),
            "dump.zip!cable/2008/b.html"
        );
        assert_eq!(public_path("C:\\data\\c.txt"), "c.txt");
        assert_eq!(public_path("/srv/in/dir/"), "dir");
    }
}
