//! The full-text index: one tantivy document per cable (fields in `SCHEMA.md`),
//! behind the [`Index`] trait, with the tantivy implementation [`TantivyIndex`].
//!
//! The index is derived from the store. Each commit carries the highest change
//! sequence it holds as its payload ([`Index::committed_seq`]); the archive re-applies
//! newer changes on open.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use cablescope_format::marking::{effective_marks, PortionClass};
use cablescope_format::Cable;
use tantivy::collector::{Count, TopDocs};
use tantivy::directory::MmapDirectory;
use tantivy::query::{AllQuery, Query};
use tantivy::schema::TantivyDocument;
use tantivy::{DateTime, DocAddress, IndexReader, IndexWriter, Order, ReloadPolicy, Term};

use crate::declass;
use crate::error::{Error, Result};
use crate::facets::{FacetCollector, FacetCounts, FacetSet};
use crate::gating::{marking_terms, ReaderView, Scope, Snippets};
pub use crate::schema::{norm, parse_time, schema, text_field_name, Fields};
use crate::store::Change;

/// Name of the index folder inside the archive directory.
pub const INDEX_DIR: &str = "index";

/// Version of what the index holds (its schema and how documents are built from
/// records). Kept in `index/cablescope-index-version`; an index of another version
/// (or none) is rebuilt from the store on open. 3: portions filed by
/// `cablescope_format::marking::effective_marks` into fifteen class fields, with
/// `pclass`, `subject_class` and `xgate`. 4: `subject_line`, `subject_class` and
/// `xgate` fast columns (hits without the stored document).
pub const INDEX_VERSION: u32 = 4;

/// The file holding [`INDEX_VERSION`] inside the index folder.
pub const INDEX_VERSION_FILE: &str = "cablescope-index-version";

/// How results are ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Sort {
    /// By BM25 relevance, best first.
    #[default]
    Relevance,
    /// By creation time, oldest first.
    Date,
    /// By creation time, newest first.
    DateDesc,
}

/// What a search returns and how, and for whom. There is no default reader:
/// [`SearchOptions::new`] takes the [`Scope`] (the unrestricted view only when
/// asked for, with [`Scope::unrestricted`]).
#[derive(Debug, Clone)]
pub struct SearchOptions {
    /// Most hits returned.
    pub limit: usize,
    /// Hits skipped (used by [`Index::search`]; the cursor search ignores it).
    pub offset: usize,
    /// Continue after the page that printed this cursor
    /// ([`SearchResults::next_cursor`]; used by `Archive::search_str`).
    pub cursor: Option<String>,
    /// Order of the hits.
    pub sort: Sort,
    /// The facets to count (none by default).
    pub facets: FacetSet,
    /// Make highlighted snippets.
    pub snippets: bool,
    /// The reader: the query is restricted to what they may read.
    pub scope: Scope,
}

impl SearchOptions {
    /// 20 hits by relevance, no facets, no snippets, for the reader `scope`.
    pub fn new(scope: Scope) -> SearchOptions {
        SearchOptions {
            limit: 20,
            offset: 0,
            cursor: None,
            sort: Sort::Relevance,
            facets: FacetSet::NONE,
            snippets: false,
            scope,
        }
    }
}

/// One hit.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Hit {
    /// Cable id.
    pub id: String,
    /// BM25 score (0 when sorted by date).
    pub score: f32,
    /// Creation time, ISO 8601, when known.
    pub created: Option<String>,
    /// Subject line.
    pub subject: Option<String>,
    /// Highlighted snippet (HTML with `<b>`), from readable text only.
    pub snippet: Option<String>,
    /// Classification string (`SECRET//NOFORN`): envelope, shown to every reader
    /// who sees the cable (filled by the cursor search).
    pub classification: Option<String>,
    /// Origin station (filled by the cursor search, like `classification`).
    pub origin: Option<String>,
    /// TAGS (filled by the cursor search, like `classification`).
    pub tags: Vec<String>,
}

/// Results of one search.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct SearchResults {
    /// How many cables match.
    pub total: u64,
    /// The page of hits.
    pub hits: Vec<Hit>,
    /// Facet counts by facet name (`origin`, `tag`, `classification`, `level`,
    /// `caption`, `year`, `month`), largest first.
    pub facets: BTreeMap<String, Vec<(String, u64)>>,
    /// Offset of the next page, when there is one ([`Index::search`]).
    pub next_offset: Option<usize>,
    /// Opaque cursor of the next page, when there is one (the cursor search).
    pub next_cursor: Option<String>,
}

/// The operations the archive needs from an index.
pub trait Index {
    /// The highest change sequence of the last commit (0 for a new index).
    fn committed_seq(&self) -> Result<u64>;
    /// The id of the store ([`crate::store::Store::store_id`]) the last commit was
    /// made from; `None` for a new index, or one written before stores had ids.
    fn committed_store(&self) -> Result<Option<String>>;
    /// Stages changes (visible after [`Index::commit`]).
    fn apply(&mut self, changes: &[Change]) -> Result<()>;
    /// Commits the staged changes atomically, recording `seq` and the id of the
    /// store they came from.
    fn commit(&mut self, seq: u64, store_id: &str) -> Result<()>;
    /// Removes every document (staged; for a rebuild).
    fn clear(&mut self) -> Result<()>;
    /// Every id in the index with the change sequence of its document, sorted,
    /// duplicates kept.
    fn ids(&self) -> Result<Vec<(String, u64)>>;
    /// How many documents.
    fn count(&self) -> Result<u64>;
    /// Runs `query` restricted to the reader of `opts.scope`.
    fn search(&self, query: &dyn Query, opts: &SearchOptions) -> Result<SearchResults>;
    /// Damaged index files, found by the index's own checksums and file lists
    /// ([`crate::integrity`]); empty when sound or when the backend has none.
    fn file_damage(&self) -> Result<Vec<crate::integrity::Damage>> {
        Ok(Vec::new())
    }
    /// Merges segments after a run of writes so that searches visit few
    /// ([`TantivyIndex::compact_segments`]); nothing for a backend without segments.
    fn compact(&mut self) -> Result<()> {
        Ok(())
    }
    /// Indexed words one edit away from `word`, over all text, withheld text
    /// included ([`crate::spelling`]: they rank candidates that the reader's own
    /// search must confirm); none for a backend without term dictionaries.
    fn similar_words(&self, word: &str, limit: usize) -> Result<crate::spelling::Similar> {
        let _ = (word, limit);
        Ok(crate::spelling::Similar {
            count: 0,
            candidates: Vec::new(),
        })
    }
}

/// Builds the document of a cable: each portion filed by its effective marking
/// (`cablescope_format::marking::effective_marks`, see [`crate::gating`]).
pub fn document(f: &Fields, c: &Cable, seq: u64) -> TantivyDocument {
    let mut d = TantivyDocument::default();
    let id = c.id.clone().unwrap_or_default();
    d.add_text(f.id, &id);
    d.add_text(f.id_noyear, norm::noyear(&id));
    for a in crate::alias::index_terms(c) {
        d.add_text(f.id_noyear, a);
    }
    let marks = effective_marks(c);
    let mut texts: BTreeMap<PortionClass, String> = BTreeMap::new();
    let mut classes: BTreeSet<String> = BTreeSet::new();
    let mut marking: BTreeSet<String> = BTreeSet::new();
    let mut push = |m: &cablescope_format::marking::Marking, text: &str| {
        let buf = texts.entry(m.class()).or_default();
        if !buf.is_empty() {
            buf.push_str("\n\n");
        }
        buf.push_str(text);
        classes.insert(m.class().code());
        marking.extend(marking_terms(m));
    };
    if let (Some(s), Some(m)) = (&c.subject, &marks.subject) {
        push(m, s);
        d.add_text(f.subject, s);
        d.add_text(f.subject_line, s);
        d.add_text(f.subject_mark, m.code());
        d.add_text(f.subject_class, m.class().code());
    }
    for (p, m) in c.paragraphs.iter().zip(&marks.paragraphs) {
        let text = match &p.heading {
            Some(h) => format!("{h}\n{}", p.text),
            None => p.text.clone(),
        };
        push(m, &text);
    }
    for (class, text) in &texts {
        d.add_text(f.text[class], text);
    }
    // A cable without portions is read by its header.
    if classes.is_empty() {
        let header = marks.header();
        classes.insert(header.class().code());
        marking.extend(marking_terms(&header));
    }
    for cl in &classes {
        d.add_text(f.pclass, cl);
    }
    for m in &marking {
        d.add_text(f.marking, m);
    }
    for g in &marks.group {
        d.add_text(f.xgate, g.name());
    }
    // Marks for the statistics: `stored` alone, or `written<TAB>stored` when the
    // parser normalised what was written.
    let mut written: BTreeSet<String> = BTreeSet::new();
    if c.subject.is_some() {
        if let Some(m) = c.subject_marking.as_deref().map(str::trim) {
            if !m.is_empty() {
                written.insert(m.to_string());
            }
        }
    }
    for p in &c.paragraphs {
        if let Some(m) = p
            .marking
            .as_deref()
            .map(str::trim)
            .filter(|m| !m.is_empty())
        {
            match p.marking_as_written.as_deref().map(str::trim) {
                Some(w) if !w.is_empty() && w != m => written.insert(format!("{w}\t{m}")),
                _ => written.insert(m.to_string()),
            };
        }
    }
    for w in &written {
        d.add_text(f.mark_written, w);
    }
    let level = marks.overall.rank_code();
    d.add_text(f.header_mark, level);
    d.add_text(f.level, level);
    for t in &c.tags {
        d.add_text(f.tag, norm::upper(t));
    }
    if let Some(o) = &c.origin.station {
        d.add_text(f.origin, norm::upper(o));
    }
    if let Some(cl) = &c.classification {
        d.add_text(f.classification, norm::upper(cl));
    }
    let mut captions: Vec<String> = c.captions.iter().map(|s| norm::upper(s)).collect();
    for cv in &marks.cable {
        let cv = cv.name().replace('_', " ");
        if !captions.contains(&cv) {
            captions.push(cv);
        }
    }
    for cap in &captions {
        d.add_text(f.caption, cap);
    }
    for cv in &marks.cable {
        d.add_text(f.caveat, cv.name());
    }
    for s in &c.signers {
        d.add_text(f.signer, s);
    }
    for s in &c.classified_by {
        d.add_text(f.classified_by, s);
    }
    let mut cited: Vec<&str> = c
        .references
        .iter()
        .filter_map(|r| r.id.as_deref())
        .collect();
    cited.sort_unstable();
    cited.dedup();
    for id in cited {
        d.add_text(f.cites, id);
    }
    if let Some(t) = c.created.as_deref().and_then(parse_time) {
        d.add_date(f.created, DateTime::from_timestamp_secs(t));
    }
    if let Some(s) = declass::schedule(c) {
        d.add_date(
            f.release,
            DateTime::from_timestamp_secs(declass::date_secs(s.date)),
        );
        for code in &s.codes {
            d.add_text(f.decl_code, code);
        }
    }
    if let Some(created) = &c.created {
        if let Some(y) = created.get(..4).and_then(|y| y.parse::<u64>().ok()) {
            d.add_u64(f.year, y);
            if let Some(m) = created.get(5..7).and_then(|m| m.parse::<u64>().ok()) {
                d.add_u64(f.month, y * 100 + m);
            }
        }
    }
    let mut formats: Vec<&str> = c.sources.iter().map(|s| s.format.as_str()).collect();
    if formats.is_empty() {
        formats.push(&c.source.format);
    }
    formats.sort_unstable();
    formats.dedup();
    for fm in formats {
        d.add_text(f.format, fm);
    }
    d.add_u64(f.seq, seq);
    d
}

/// `meta.json`'s inode, length and modification time: tantivy replaces the file
/// by a rename on every commit, so an unchanged stamp means an unchanged index.
pub(crate) type MetaStamp = (u64, u64, std::time::SystemTime);

/// The [`MetaStamp`] of the index folder `index_dir` (`None` when unreadable).
pub(crate) fn meta_stamp(index_dir: &Path) -> Option<MetaStamp> {
    use std::os::unix::fs::MetadataExt;
    let m = std::fs::metadata(index_dir.join("meta.json")).ok()?;
    Some((m.ino(), m.len(), m.modified().ok()?))
}

/// The tantivy index of an archive.
pub struct TantivyIndex {
    dir: PathBuf,
    index: tantivy::Index,
    fields: Fields,
    reader: IndexReader,
    writer: Option<IndexWriter>,
    /// True when the index was (re)created and must be filled from the store.
    fresh: bool,
    /// `meta.json` as last seen by [`TantivyIndex::reload`] (inode, length,
    /// modification time): unchanged, the reader is current.
    meta_seen: std::sync::Mutex<Option<MetaStamp>>,
    /// How long to wait for another writer's lock ([`TantivyIndex::wait_for_writer`]).
    writer_wait: std::time::Duration,
    /// [`TantivyIndex::live_fields`] of the last searcher generation asked about.
    live: std::sync::Mutex<Option<(u64, std::sync::Arc<LiveFields>)>>,
}

/// The word fields that hold at least one word in some segment.
pub type LiveFields = std::collections::HashSet<tantivy::schema::Field>;

impl TantivyIndex {
    /// Makes taking the writer wait up to `d` for another process's writer lock
    /// instead of failing at once. Writers (an ingest) wait a little, so that a
    /// node's follower applying a few changes does not fail them; readers never
    /// wait (they use the index as last committed).
    pub fn wait_for_writer(&mut self, d: std::time::Duration) {
        self.writer_wait = d;
    }

    /// Opens the index in `dir/index`, creating it when absent. An index with
    /// another schema (an older format) or that cannot be opened is recreated empty
    /// and [`TantivyIndex::is_fresh`] says so: the caller fills it from the store.
    pub fn open(dir: &Path) -> Result<TantivyIndex> {
        let path = dir.join(INDEX_DIR);
        std::fs::create_dir_all(&path)?;
        let want = schema();
        let version_file = path.join(INDEX_VERSION_FILE);
        let version_ok = std::fs::read_to_string(&version_file)
            .ok()
            .and_then(|v| v.trim().parse::<u32>().ok())
            == Some(INDEX_VERSION);
        let existing = if version_ok
            && tantivy::Index::exists(&MmapDirectory::open(&path).map_err(to_err)?).unwrap_or(false)
        {
            tantivy::Index::open_in_dir(&path)
                .ok()
                .filter(|i| i.schema() == want)
        } else {
            None
        };
        let (index, fresh) = match existing {
            Some(i) => (i, false),
            None => {
                std::fs::remove_dir_all(&path)?;
                std::fs::create_dir_all(&path)?;
                // The stored text (what snippets and hits are read from) is over
                // half the index; zstd keeps it in about two thirds of LZ4's room
                // and decompresses a block in microseconds. Indexes made before
                // keep their LZ4 segments until merged (each segment's store
                // names its compressor).
                let settings = tantivy::IndexSettings {
                    docstore_compression: tantivy::store::Compressor::Zstd(
                        tantivy::store::ZstdCompressor {
                            compression_level: Some(1),
                        },
                    ),
                    ..Default::default()
                };
                let index = tantivy::Index::builder()
                    .schema(want.clone())
                    .settings(settings)
                    .create_in_dir(&path)?;
                std::fs::write(&version_file, format!("{INDEX_VERSION}\n"))?;
                (index, true)
            }
        };
        let fields = Fields::new(&index.schema())?;
        let reader = index
            .reader_builder()
            .reload_policy(ReloadPolicy::Manual)
            .try_into()?;
        Ok(TantivyIndex {
            dir: path,
            index,
            fields,
            reader,
            writer: None,
            fresh,
            meta_seen: std::sync::Mutex::new(None),
            writer_wait: std::time::Duration::ZERO,
            live: std::sync::Mutex::new(None),
        })
    }

    /// The word fields (text of each portion class, subject, signer, classified
    /// by) that hold at least one word in some segment of `searcher`, computed
    /// once per searcher generation.
    ///
    /// Why: a collection rarely has text of every portion class (no TS//NF text,
    /// say), and tantivy opens an empty field's dictionary anew on every look-up
    /// (only non-empty ones are cached), so a clause on a field that holds
    /// nothing costs a dictionary open per segment and finds nothing. The
    /// translation leaves such fields out; a field wrongly taken for empty would
    /// only lose matches, never show withheld text.
    pub fn live_fields(&self, searcher: &tantivy::Searcher) -> std::sync::Arc<LiveFields> {
        let generation = searcher.generation().generation_id();
        let mut slot = self
            .live
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some((g, live)) = slot.as_ref() {
            if *g == generation {
                return live.clone();
            }
        }
        let mut candidates = self.fields.all_text();
        candidates.extend([self.fields.signer, self.fields.classified_by]);
        let live: LiveFields = candidates
            .into_iter()
            .filter(|f| {
                searcher.segment_readers().iter().any(|seg| {
                    // An error reads as live: the look-up then says what is wrong.
                    seg.inverted_index(*f)
                        .map(|i| i.terms().num_terms() > 0)
                        .unwrap_or(true)
                })
            })
            .collect();
        let live = std::sync::Arc::new(live);
        *slot = Some((generation, live.clone()));
        live
    }

    /// True when the index was just created (or recreated) empty.
    pub fn is_fresh(&self) -> bool {
        self.fresh
    }

    /// The index folder.
    pub fn path(&self) -> &Path {
        &self.dir
    }

    /// A searcher on the last commit.
    pub fn searcher(&self) -> tantivy::Searcher {
        self.reader.searcher()
    }

    /// Makes commits by other handles or processes (an ingest running beside a
    /// server) visible to this reader. Cheap when nothing changed: it reads
    /// `meta.json` and compares its segments with the current searcher's, and only
    /// reopens the reader when they differ.
    pub fn reload(&self) -> Result<()> {
        // tantivy replaces meta.json by a rename on every commit: while its inode,
        // length and time are those seen last, nothing changed (a stat instead of
        // reading and parsing the file on every request).
        let stamp = meta_stamp(&self.dir);
        let mut seen = self
            .meta_seen
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if stamp.is_some() && *seen == stamp {
            return Ok(());
        }
        let metas = self.index.load_metas()?;
        let mut latest: Vec<_> = metas
            .segments
            .iter()
            .map(|s| (s.id(), s.delete_opstamp()))
            .collect();
        let mut current: Vec<_> = self
            .reader
            .searcher()
            .segment_readers()
            .iter()
            .map(|r| (r.segment_id(), r.delete_opstamp()))
            .collect();
        latest.sort();
        current.sort();
        if latest != current {
            self.reader.reload()?;
        }
        *seen = stamp;
        Ok(())
    }

    /// The schema's fields.
    pub fn fields(&self) -> &Fields {
        &self.fields
    }

    /// The tantivy index (for query translation: tokenizers, schema).
    pub fn tantivy(&self) -> &tantivy::Index {
        &self.index
    }

    /// Closes the writer, releasing the index lock, once the segment merges it
    /// started have finished (dropped, it would abandon them and leave the index
    /// in many small segments, each adding to every search).
    pub fn close_writer(&mut self) {
        if let Some(w) = self.writer.take() {
            // A merge that fails leaves the committed segments as they were:
            // nothing is lost, and `verify` checks what is there.
            let _ = w.wait_merging_threads();
        }
    }

    /// See [`Index::compact`]: after an ingest the index is left in at most two
    /// segments. The segments besides the largest are merged into one; when
    /// together they hold an eighth of the largest's documents or more, the
    /// largest joins the merge, so a collection ingested at once ends as one
    /// segment and small later ingests do not rewrite a large segment each time
    /// (a document is rewritten a bounded number of times: at most about nine).
    ///
    /// Why: every search visits every segment (term look-ups in each live text
    /// field, a scorer each), and an ingest committed in batches leaves a dozen
    /// (251,287 cables: 12 segments, 501 searches/s through the server; merged
    /// into one, 609/s). Merging them took 7 s for those 251,287 cables, against
    /// about 135 s of ingest. The merge keeps the commit's payload (the store
    /// sequence), and a failed merge leaves the committed segments as they were.
    pub fn compact_segments(&mut self) -> Result<()> {
        self.close_writer();
        let Some(merge) = self.segments_to_merge()? else {
            return Ok(());
        };
        self.writer()?.merge(&merge).wait()?;
        // The merged segments' files are deleted once nothing in this process
        // holds their segments (tantivy tracks every live `SegmentMeta`): reload
        // (this reader held them), then collect.
        self.reader.reload()?;
        self.writer()?.garbage_collect_files().wait()?;
        self.close_writer();
        Ok(())
    }

    /// The segments [`TantivyIndex::compact_segments`] merges, if any. Returns
    /// ids only: a `SegmentMeta` kept alive keeps its files from collection.
    fn segments_to_merge(&self) -> Result<Option<Vec<tantivy::index::SegmentId>>> {
        let mut metas = self.index.searchable_segment_metas()?;
        if metas.len() <= 1 {
            return Ok(None);
        }
        metas.sort_by_key(|m| std::cmp::Reverse(m.num_docs()));
        let largest = u64::from(metas[0].num_docs());
        let rest: u64 = metas[1..].iter().map(|m| u64::from(m.num_docs())).sum();
        Ok(if rest * 8 >= largest {
            Some(metas.iter().map(|m| m.id()).collect())
        } else if metas.len() > 2 {
            Some(metas[1..].iter().map(|m| m.id()).collect())
        } else {
            None
        })
    }

    fn writer(&mut self) -> Result<&mut IndexWriter> {
        if self.writer.is_none() {
            let threads = std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(1)
                .clamp(1, 4);
            // Another writer of this index may hold the lock for a moment (a
            // node's follower applying a few changes): wait a little for it
            // before failing. A long holder (an ingest) still fails fast enough.
            let deadline = std::time::Instant::now() + self.writer_wait;
            let w = loop {
                match self
                    .index
                    .writer_with_num_threads(threads, 64 * 1024 * 1024 * threads)
                {
                    Err(tantivy::TantivyError::LockFailure(..))
                        if std::time::Instant::now() < deadline =>
                    {
                        std::thread::sleep(std::time::Duration::from_millis(50));
                    }
                    r => break r?,
                }
            };
            self.writer = Some(w);
        }
        Ok(self.writer.as_mut().expect("writer"))
    }
}

fn to_err(e: impl std::fmt::Display) -> Error {
    Error::Other(format!("index: {e}"))
}

impl Index for TantivyIndex {
    fn compact(&mut self) -> Result<()> {
        self.compact_segments()
    }

    fn similar_words(&self, word: &str, limit: usize) -> Result<crate::spelling::Similar> {
        let searcher = self.reader.searcher();
        let live = self.live_fields(&searcher);
        let fields: Vec<tantivy::schema::Field> = self
            .fields
            .all_text()
            .into_iter()
            .filter(|f| live.contains(f))
            .collect();
        crate::spelling::similar(&searcher, &fields, word, limit)
    }

    fn committed_seq(&self) -> Result<u64> {
        let metas = self.index.load_metas()?;
        Ok(metas
            .payload
            .as_deref()
            .and_then(|p| p.split(' ').next()?.parse().ok())
            .unwrap_or(0))
    }

    fn committed_store(&self) -> Result<Option<String>> {
        let metas = self.index.load_metas()?;
        Ok(metas
            .payload
            .as_deref()
            .and_then(|p| p.split_once(' '))
            .map(|(_, id)| id.to_string()))
    }

    fn apply(&mut self, changes: &[Change]) -> Result<()> {
        let fields = self.fields.clone();
        let w = self.writer()?;
        for ch in changes {
            match ch {
                Change::Upsert { cable, seq } => {
                    let id = cable.id.clone().unwrap_or_default();
                    w.delete_term(Term::from_field_text(fields.id, &id));
                    w.add_document(document(&fields, cable, *seq))?;
                }
                Change::Delete { id, .. } => {
                    w.delete_term(Term::from_field_text(fields.id, id));
                }
            }
        }
        Ok(())
    }

    fn commit(&mut self, seq: u64, store_id: &str) -> Result<()> {
        let w = self.writer()?;
        let mut prepared = w.prepare_commit()?;
        prepared.set_payload(&format!("{seq} {store_id}"));
        prepared.commit()?;
        self.reader.reload()?;
        self.fresh = false;
        Ok(())
    }

    fn clear(&mut self) -> Result<()> {
        self.writer()?.delete_all_documents()?;
        Ok(())
    }

    fn ids(&self) -> Result<Vec<(String, u64)>> {
        let searcher = self.reader.searcher();
        let mut out = Vec::new();
        let mut buf = String::new();
        for seg in searcher.segment_readers() {
            let Some(col) = seg.fast_fields().str("id")? else {
                continue;
            };
            let seqs = seg.fast_fields().u64("seq")?;
            for doc in 0..seg.max_doc() {
                if seg.is_deleted(doc) {
                    continue;
                }
                let seq = seqs.first(doc).unwrap_or(0);
                for ord in col.term_ords(doc) {
                    buf.clear();
                    col.ord_to_str(ord, &mut buf)?;
                    out.push((buf.clone(), seq));
                }
            }
        }
        out.sort();
        Ok(out)
    }

    fn count(&self) -> Result<u64> {
        Ok(self.reader.searcher().num_docs())
    }

    fn file_damage(&self) -> Result<Vec<crate::integrity::Damage>> {
        Ok(crate::integrity::check_index(&self.dir, crate::integrity::Depth::Full).damage)
    }

    fn search(&self, query: &dyn Query, opts: &SearchOptions) -> Result<SearchResults> {
        let searcher = self.reader.searcher();
        let f = &self.fields;
        let view = ReaderView::new(f, &opts.scope);
        let restricted = view.restrict(query.box_clone());
        let q: &dyn Query = restricted.as_ref();
        let stats = view.stats(&searcher);
        let limit = opts.limit.max(1);
        let top = TopDocs::with_limit(limit).and_offset(opts.offset);
        let (addrs, total): (Vec<(f32, DocAddress)>, usize) = match opts.sort {
            Sort::Relevance => {
                searcher.search_with_statistics_provider(q, &(top, Count), &stats)?
            }
            Sort::Date | Sort::DateDesc => {
                let order = if opts.sort == Sort::Date {
                    Order::Asc
                } else {
                    Order::Desc
                };
                let (v, n): (Vec<(DateTime, DocAddress)>, usize) = searcher.search(
                    q,
                    &(top.order_by_fast_field::<DateTime>("created", order), Count),
                )?;
                (v.into_iter().map(|(_, a)| (0.0, a)).collect(), n)
            }
        };
        let snippets = if opts.snippets {
            view.snippets(&searcher, q, &stats, 150)?
        } else {
            Snippets::default()
        };
        let addrs: Vec<(f32, DocAddress)> = addrs.into_iter().take(opts.limit).collect();
        let at: Vec<DocAddress> = addrs.iter().map(|(_, a)| *a).collect();
        let mut hits = crate::hits::page(
            &searcher,
            &view,
            &at,
            None,
            opts.snippets.then_some(&snippets),
        )?;
        for (hit, (score, _)) in hits.iter_mut().zip(&addrs) {
            hit.score = *score;
        }
        let facets = if opts.facets.is_empty() {
            BTreeMap::new()
        } else {
            facet_counts(&searcher, q, opts.facets)?
        };
        let next = opts.offset + hits.len();
        Ok(SearchResults {
            total: total as u64,
            next_offset: (next < total && opts.limit > 0).then_some(next),
            next_cursor: None,
            hits,
            facets,
        })
    }
}

/// The counts of the facets `set` over every document `q` matches.
pub(crate) fn facet_counts(
    searcher: &tantivy::Searcher,
    q: &dyn Query,
    set: FacetSet,
) -> Result<FacetCounts> {
    Ok(searcher.search(q, &FacetCollector { set })?.into_counts())
}

/// Counts of the values of fast fields (`(name, most buckets)`) over the documents
/// `q` matches, largest first.
pub(crate) fn terms_counts(
    searcher: &tantivy::Searcher,
    q: &dyn Query,
    terms: &[(&str, usize)],
) -> Result<BTreeMap<String, Vec<(String, u64)>>> {
    use tantivy::aggregation::agg_req::Aggregations;
    use tantivy::aggregation::{AggregationCollector, AggregationLimitsGuard};
    let mut req = serde_json::Map::new();
    for &(name, size) in terms {
        req.insert(
            name.to_string(),
            serde_json::json!({"terms": {"field": name, "size": size}}),
        );
    }
    let aggs: Aggregations = serde_json::from_value(serde_json::Value::Object(req))?;
    let coll = AggregationCollector::from_aggs(aggs, AggregationLimitsGuard::default());
    let res = searcher.search(q, &coll)?;
    let v = serde_json::to_value(&res)?;
    let mut out = BTreeMap::new();
    if let Some(obj) = v.as_object() {
        for (name, agg) in obj {
            let mut buckets = Vec::new();
            for b in agg["buckets"].as_array().into_iter().flatten() {
                let key = match &b["key"] {
                    serde_json::Value::String(s) => s.clone(),
                    serde_json::Value::Number(n) => n
                        .as_f64()
                        .map(|f| format!("{}", f as i64))
                        .unwrap_or_else(|| n.to_string()),
                    other => other.to_string(),
                };
                buckets.push((key, b["doc_count"].as_u64().unwrap_or(0)));
            }
            out.insert(name.clone(), buckets);
        }
    }
    Ok(out)
}

/// Matches every document (the query `*`).
pub fn all_query() -> Box<dyn Query> {
    Box::new(AllQuery)
}
