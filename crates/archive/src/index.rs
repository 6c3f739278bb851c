//! The full-text index: one tantivy document per cable (fields in `SCHEMA.md`),
//! behind the [`Index`] trait, with the tantivy implementation [`TantivyIndex`].
//!
//! The index is derived from the store. Each commit carries the highest change
//! sequence it holds as its payload ([`Index::committed_seq`]); the archive re-applies
//! newer changes on open.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use cablescope_format::Cable;
use tantivy::collector::{Count, TopDocs};
use tantivy::directory::MmapDirectory;
use tantivy::query::{AllQuery, BooleanQuery, Occur, Query, TermQuery};
use tantivy::schema::{
    Field, IndexRecordOption, Schema, TantivyDocument, Value, FAST, INDEXED, STORED, STRING, TEXT,
};
use tantivy::snippet::SnippetGenerator;
use tantivy::{DateTime, DocAddress, DocSet, IndexReader, IndexWriter, Order, ReloadPolicy, Term};

use crate::access::Access;
use crate::declass::{self, DeclassPolicy};
use crate::error::{Error, Result};
use crate::marking::{self, Clearance, PortionMark};
use crate::store::Change;

/// Name of the index folder inside the archive directory.
pub const INDEX_DIR: &str = "index";

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

/// What a search returns and how.
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
    /// Compute facet counts.
    pub facets: bool,
    /// Make highlighted snippets.
    pub snippets: bool,
    /// The reader's clearance: the query is restricted to what they may read.
    pub clearance: Clearance,
    /// The date the archive is read at, for declassification (`None`: today).
    pub as_of: Option<jiff::civil::Date>,
    /// The archive's declassification policy (off by default, which only ever
    /// withholds more; [`crate::Archive::access`] loads the stored one).
    pub policy: DeclassPolicy,
}

impl SearchOptions {
    /// These options for the reader `access` (clearance, date and policy).
    pub fn with_access(self, access: &Access) -> SearchOptions {
        SearchOptions {
            clearance: access.clearance.clone(),
            as_of: Some(access.as_of),
            policy: access.policy.clone(),
            ..self
        }
    }

    /// The reader these options search for.
    pub fn access(&self) -> Access {
        Access::new(
            self.clearance.clone(),
            self.as_of.unwrap_or_else(declass::today),
            self.policy.clone(),
        )
    }
}

impl Default for SearchOptions {
    fn default() -> Self {
        SearchOptions {
            limit: 20,
            offset: 0,
            cursor: None,
            sort: Sort::Relevance,
            facets: false,
            snippets: false,
            clearance: Clearance::all(),
            as_of: None,
            policy: DeclassPolicy::default(),
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
    /// Stages changes (visible after [`Index::commit`]).
    fn apply(&mut self, changes: &[Change]) -> Result<()>;
    /// Commits the staged changes atomically, recording `seq`.
    fn commit(&mut self, seq: u64) -> Result<()>;
    /// Removes every document (staged; for a rebuild).
    fn clear(&mut self) -> Result<()>;
    /// Every id in the index with the change sequence of its document, sorted,
    /// duplicates kept.
    fn ids(&self) -> Result<Vec<(String, u64)>>;
    /// How many documents.
    fn count(&self) -> Result<u64>;
    /// Runs `query` restricted to `opts.clearance`.
    fn search(&self, query: &dyn Query, opts: &SearchOptions) -> Result<SearchResults>;
    /// Damaged index files, found by the index's own checksums and file lists
    /// ([`crate::integrity`]); empty when sound or when the backend has none.
    fn file_damage(&self) -> Result<Vec<crate::integrity::Damage>> {
        Ok(Vec::new())
    }
}

/// The schema's fields.
#[derive(Debug, Clone)]
pub struct Fields {
    /// Canonical id.
    pub id: Field,
    /// Station + serial.
    pub id_noyear: Field,
    /// Text per marking, by field name (`text_c`, `text_s_nf`, ...).
    pub text: HashMap<String, Field>,
    /// Subject.
    pub subject: Field,
    /// Subject marking.
    pub subject_mark: Field,
    /// Tags.
    pub tag: Field,
    /// Origin station.
    pub origin: Field,
    /// Full classification string.
    pub classification: Field,
    /// Overall level code.
    pub level: Field,
    /// Captions.
    pub caption: Field,
    /// Cable-wide caveats.
    pub caveat: Field,
    /// Portion markings.
    pub marking: Field,
    /// The header's marking (the cable's overall level).
    pub header_mark: Field,
    /// Signers.
    pub signer: Field,
    /// Classifying officers.
    pub classified_by: Field,
    /// Ids cited.
    pub cites: Field,
    /// Scheduled release date ([`crate::declass::schedule`]).
    pub release: Field,
    /// Exemption codes on the DECL line of 25-year-rule cables.
    pub decl_code: Field,
    /// Creation time.
    pub created: Field,
    /// Year.
    pub year: Field,
    /// `YYYYMM`.
    pub month: Field,
    /// Container formats.
    pub format: Field,
    /// Change sequence.
    pub seq: Field,
}

/// Builds the index schema (see `SCHEMA.md`).
pub fn schema() -> Schema {
    let mut b = Schema::builder();
    b.add_text_field("id", STRING | STORED | FAST);
    b.add_text_field("id_noyear", STRING);
    for f in marking::all_text_fields() {
        b.add_text_field(&f, TEXT | STORED);
    }
    b.add_text_field("subject", TEXT | STORED);
    b.add_text_field("subject_mark", STRING | STORED);
    b.add_text_field("tag", STRING | FAST);
    b.add_text_field("origin", STRING | FAST);
    b.add_text_field("classification", STRING | FAST);
    b.add_text_field("level", STRING | FAST);
    b.add_text_field("caption", STRING | FAST);
    b.add_text_field("caveat", STRING);
    b.add_text_field("marking", STRING | FAST);
    b.add_text_field("header_mark", STRING);
    b.add_text_field("signer", TEXT);
    b.add_text_field("classified_by", TEXT);
    b.add_text_field("cites", STRING | FAST);
    b.add_date_field("release", INDEXED | STORED | FAST);
    b.add_text_field("decl_code", STRING | FAST);
    b.add_date_field("created", INDEXED | STORED | FAST);
    b.add_u64_field("year", INDEXED | FAST);
    b.add_u64_field("month", INDEXED | FAST);
    b.add_text_field("format", STRING);
    b.add_u64_field("seq", STORED | FAST);
    b.build()
}

impl Fields {
    /// Looks the fields up in `schema`.
    pub fn new(schema: &Schema) -> Result<Fields> {
        let f = |n: &str| {
            schema
                .get_field(n)
                .map_err(|_| Error::Other(format!("index schema lacks field {n}")))
        };
        let mut text = HashMap::new();
        for n in marking::all_text_fields() {
            text.insert(n.clone(), f(&n)?);
        }
        Ok(Fields {
            id: f("id")?,
            id_noyear: f("id_noyear")?,
            text,
            subject: f("subject")?,
            subject_mark: f("subject_mark")?,
            tag: f("tag")?,
            origin: f("origin")?,
            classification: f("classification")?,
            level: f("level")?,
            caption: f("caption")?,
            caveat: f("caveat")?,
            marking: f("marking")?,
            header_mark: f("header_mark")?,
            signer: f("signer")?,
            classified_by: f("classified_by")?,
            cites: f("cites")?,
            release: f("release")?,
            decl_code: f("decl_code")?,
            created: f("created")?,
            year: f("year")?,
            month: f("month")?,
            format: f("format")?,
            seq: f("seq")?,
        })
    }

    /// The text fields `c` may read.
    pub fn readable_text(&self, c: &Clearance) -> Vec<Field> {
        c.text_fields().iter().map(|n| self.text[n]).collect()
    }

    /// The query that keeps only cables `c` may see by clearance alone (releases
    /// aside, see [`ReaderView::visible`]): a readable portion (`marking`; a cable
    /// without portions is indexed with its header's marking there) and no
    /// cable-wide caveat the reader lacks. `None` for a reader cleared for
    /// everything.
    pub fn visibility_filter(&self, c: &Clearance) -> Option<Box<dyn Query>> {
        if *c == Clearance::all() {
            return None;
        }
        let mut any: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for m in c.readable_markings() {
            any.push((Occur::Should, term_query(self.marking, &m.code())));
        }
        let mut clauses: Vec<(Occur, Box<dyn Query>)> =
            vec![(Occur::Must, Box::new(BooleanQuery::new(any)))];
        for cv in c.lacks() {
            clauses.push((Occur::MustNot, term_query(self.caveat, cv)));
        }
        Some(Box::new(BooleanQuery::new(clauses)))
    }
}

fn term_query(f: Field, s: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(
        Term::from_field_text(f, s),
        IndexRecordOption::Basic,
    ))
}

/// Normalisation shared by indexing and query translation.
pub mod norm {
    use cablescope_format::{parse_id, CableId};

    /// The (field, term) pair that finds a written cable id: `("id", "08MOSCOW1599")`
    /// for `08 MOSCOW 01599` or `08MOSCOW1599`, `("id_noyear", "MOSCOW1599")` for
    /// `MOSCOW 1599`. `None` when the text is not an id.
    pub fn id_terms(s: &str) -> Option<(&'static str, String)> {
        let t = s.trim();
        let starts_with_year = t.len() > 2 && t.as_bytes()[..2].iter().all(u8::is_ascii_digit);
        if starts_with_year {
            if let Some(id) = parse_id(t, None) {
                return Some(("id", id.to_string()));
            }
        }
        let up = t.to_ascii_uppercase();
        let split = up.rfind(|c: char| !c.is_ascii_digit())? + 1;
        let (station, serial) = up.split_at(split);
        let serial: u64 = serial.parse().ok()?;
        let station: String = station
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .collect();
        if station.is_empty() {
            return None;
        }
        let id = CableId::new(2000, &station, serial);
        Some(("id_noyear", format!("{}{}", id.station, id.serial)))
    }

    /// An `origin:` value as indexed: a station code (`MOSCOW`); plain-language
    /// names (`AMEMBASSY MOSCOW`, `Embassy Moscow`) are mapped to their station.
    pub fn origin(s: &str) -> String {
        let t = s.trim();
        if t.contains(char::is_whitespace) {
            let st = cablescope_format::station::station_from_name(t);
            if !st.is_empty() {
                return st;
            }
        }
        upper(t)
    }

    /// The `id_noyear` term of a canonical id (`08MOSCOW1599` → `MOSCOW1599`).
    pub fn noyear(id: &str) -> String {
        id.get(2..).unwrap_or("").to_string()
    }

    /// A tag, origin, caption or classification value as indexed: upper-case, trimmed.
    pub fn upper(s: &str) -> String {
        s.trim().to_uppercase()
    }

    /// A `classification:` value as a `level` term (`SECRET` → `S`, `LOU` → `SBU`).
    pub fn level(s: &str) -> Option<&'static str> {
        let l = cablescope_format::marking::Level::parse(s)?;
        Some(crate::marking::LEVELS[l.rank() as usize])
    }

    /// A `marking:` value as indexed (`s//nf` → `S/NF`, `LOU` → `SBU`).
    pub fn marking(s: &str) -> Option<String> {
        let compact = s.replace("//", "/");
        crate::marking::PortionMark::parse(&compact).map(|m| m.code())
    }
}

/// Seconds since the epoch of an ISO 8601 time (or date).
pub fn parse_time(s: &str) -> Option<i64> {
    if let Ok(t) = s.parse::<jiff::Timestamp>() {
        return Some(t.as_second());
    }
    let d: jiff::civil::Date = s.get(..10)?.parse().ok()?;
    Some(
        d.to_zoned(jiff::tz::TimeZone::UTC)
            .ok()?
            .timestamp()
            .as_second(),
    )
}

/// Builds the document of a cable.
pub fn document(f: &Fields, c: &Cable, seq: u64) -> TantivyDocument {
    let mut d = TantivyDocument::default();
    let id = c.id.clone().unwrap_or_default();
    d.add_text(f.id, &id);
    d.add_text(f.id_noyear, norm::noyear(&id));
    for a in crate::alias::index_terms(c) {
        d.add_text(f.id_noyear, a);
    }
    let mut texts: BTreeMap<String, String> = BTreeMap::new();
    let mut marks: Vec<String> = Vec::new();
    let mut push = |m: PortionMark, text: &str, texts: &mut BTreeMap<String, String>| {
        let buf = texts.entry(m.text_field()).or_default();
        if !buf.is_empty() {
            buf.push_str("\n\n");
        }
        buf.push_str(text);
        let code = m.code();
        if !marks.contains(&code) {
            marks.push(code);
        }
    };
    if let Some(s) = &c.subject {
        let m = marking::effective(c.subject_marking.as_deref(), c);
        push(m, s, &mut texts);
        d.add_text(f.subject, s);
        d.add_text(f.subject_mark, m.code());
    }
    for p in &c.paragraphs {
        let m = marking::effective(p.marking.as_deref(), c);
        let text = match &p.heading {
            Some(h) => format!("{h}\n{}", p.text),
            None => p.text.clone(),
        };
        push(m, &text, &mut texts);
    }
    for (name, text) in &texts {
        d.add_text(f.text[name], text);
    }
    let level = marking::cable_level(c);
    // A cable without portions is read by its header (access::Access::judge).
    if marks.is_empty() {
        marks.push(marking::LEVELS[level.rank() as usize].to_string());
    }
    for m in &marks {
        d.add_text(f.marking, m);
    }
    d.add_text(f.header_mark, marking::LEVELS[level.rank() as usize]);
    d.add_text(f.level, marking::LEVELS[level.rank() as usize]);
    for t in &c.tags {
        d.add_text(f.tag, norm::upper(t));
    }
    if let Some(o) = &c.origin.station {
        d.add_text(f.origin, norm::upper(o));
    }
    if let Some(cl) = &c.classification {
        d.add_text(f.classification, norm::upper(cl));
    }
    let caveats = marking::cable_caveats(c);
    let mut captions: Vec<String> = c.captions.iter().map(|s| norm::upper(s)).collect();
    for cv in &caveats {
        let cv = cv.replace('_', " ");
        if !captions.contains(&cv) {
            captions.push(cv);
        }
    }
    for cap in &captions {
        d.add_text(f.caption, cap);
    }
    for cv in &caveats {
        d.add_text(f.caveat, cv);
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

/// The tantivy index of an archive.
pub struct TantivyIndex {
    dir: PathBuf,
    index: tantivy::Index,
    fields: Fields,
    reader: IndexReader,
    writer: Option<IndexWriter>,
    /// True when the index was (re)created and must be filled from the store.
    fresh: bool,
}

impl TantivyIndex {
    /// Opens the index in `dir/index`, creating it when absent. An index with
    /// another schema (an older format) or that cannot be opened is recreated empty
    /// and [`TantivyIndex::is_fresh`] says so: the caller fills it from the store.
    pub fn open(dir: &Path) -> Result<TantivyIndex> {
        let path = dir.join(INDEX_DIR);
        std::fs::create_dir_all(&path)?;
        let want = schema();
        let existing = if tantivy::Index::exists(&MmapDirectory::open(&path).map_err(to_err)?)
            .unwrap_or(false)
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
                (tantivy::Index::create_in_dir(&path, want.clone())?, true)
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
        })
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

    /// Drops the writer, releasing the index lock.
    pub fn close_writer(&mut self) {
        self.writer = None;
    }

    fn writer(&mut self) -> Result<&mut IndexWriter> {
        if self.writer.is_none() {
            let threads = std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(1)
                .clamp(1, 4);
            let w = self
                .index
                .writer_with_num_threads(threads, 64 * 1024 * 1024 * threads)?;
            self.writer = Some(w);
        }
        Ok(self.writer.as_mut().expect("writer"))
    }
}

fn to_err(e: impl std::fmt::Display) -> Error {
    Error::Other(format!("index: {e}"))
}

impl Index for TantivyIndex {
    fn committed_seq(&self) -> Result<u64> {
        let metas = self.index.load_metas()?;
        Ok(metas
            .payload
            .as_deref()
            .and_then(|p| p.parse().ok())
            .unwrap_or(0))
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

    fn commit(&mut self, seq: u64) -> Result<()> {
        let w = self.writer()?;
        let mut prepared = w.prepare_commit()?;
        prepared.set_payload(&seq.to_string());
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
        let view = ReaderView::new(f, opts);
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
        let mut hits = Vec::with_capacity(addrs.len());
        for (score, addr) in addrs.into_iter().take(opts.limit) {
            let doc: TantivyDocument = searcher.doc(addr)?;
            let id = doc
                .get_first(f.id)
                .and_then(|v| v.as_str())
                .unwrap_or("")
                .to_string();
            let created = doc
                .get_first(f.created)
                .and_then(|v| v.as_datetime())
                .and_then(|d| jiff::Timestamp::from_second(d.into_timestamp_secs()).ok())
                .map(|t| t.to_string());
            let released = view.doc_released(&searcher, addr);
            let subject = if released || view.subject_readable(&doc) {
                doc.get_first(f.subject)
                    .and_then(|v| v.as_str())
                    .map(str::to_string)
            } else {
                None
            };
            hits.push(Hit {
                id,
                score,
                created,
                subject,
                snippet: snippets.for_doc(&doc, released),
                classification: None,
                origin: None,
                tags: Vec::new(),
            });
        }
        let facets = if opts.facets {
            facet_counts(&searcher, q)?
        } else {
            BTreeMap::new()
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

/// Facet counts of the search results: the buckets of every matching document.
pub(crate) fn facet_counts(
    searcher: &tantivy::Searcher,
    q: &dyn Query,
) -> Result<BTreeMap<String, Vec<(String, u64)>>> {
    terms_counts(
        searcher,
        q,
        &[
            ("origin", 50),
            ("tag", 50),
            ("classification", 20),
            ("level", 10),
            ("caption", 30),
            ("year", 200),
            ("month", 2000),
        ],
    )
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

// ---------------------------------------------------------------------------
// A reader's view of the index

/// Which documents a field's text may be matched and counted in, besides the
/// document being visible ([`ReaderView::field_gate`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Gate {
    /// Every visible document.
    Visible,
    /// Visible documents released at the reader's date (text fields above the
    /// reader's clearance).
    Released,
    /// Visible documents whose subject is readable (or released).
    Subject,
    /// Visible documents whose header text is readable (or released).
    Header,
    /// No document (a text field above the clearance with the policy off).
    Never,
}

/// A reader's view of the index: the queries that keep a search inside what they
/// may read, for their clearance and, when the declassification policy is on, the
/// cables released at their date. Built from [`SearchOptions`]; every search,
/// facet, snippet, graph and statistic goes through it.
pub struct ReaderView {
    fields: Fields,
    clearance: Clearance,
    /// With the policy on: the `as_of` date (seconds, midnight UTC) and the exempt
    /// codes.
    release: Option<(i64, Vec<String>)>,
}

impl ReaderView {
    /// The view of the reader `opts` searches for.
    pub fn new(fields: &Fields, opts: &SearchOptions) -> ReaderView {
        let release = opts.policy.enabled.then(|| {
            let as_of = opts.as_of.unwrap_or_else(declass::today);
            (
                declass::date_secs(as_of),
                opts.policy.exempt.iter().cloned().collect(),
            )
        });
        ReaderView {
            fields: fields.clone(),
            clearance: opts.clearance.clone(),
            release,
        }
    }

    /// True when the reader may read everything (no restriction is added).
    pub fn everything(&self) -> bool {
        self.clearance == Clearance::all()
    }

    /// The reader's clearance.
    pub fn clearance(&self) -> &Clearance {
        &self.clearance
    }

    /// The cables released at the reader's date (`None` with the policy off).
    pub fn released(&self) -> Option<Box<dyn Query>> {
        let (as_of, exempt) = self.release.as_ref()?;
        let upper = Term::from_field_date_for_search(
            self.fields.release,
            DateTime::from_timestamp_secs(*as_of),
        );
        let range: Box<dyn Query> = Box::new(tantivy::query::RangeQuery::new(
            std::ops::Bound::Unbounded,
            std::ops::Bound::Included(upper),
        ));
        if exempt.is_empty() {
            return Some(range);
        }
        let codes: Box<dyn Query> = Box::new(tantivy::query::TermSetQuery::new(
            exempt
                .iter()
                .map(|c| Term::from_field_text(self.fields.decl_code, c)),
        ));
        Some(Box::new(BooleanQuery::new(vec![
            (Occur::Must, range),
            (Occur::MustNot, codes),
        ])))
    }

    /// The cables the reader may see: by clearance, or released. `None` when that
    /// is every cable.
    pub fn visible(&self) -> Option<Box<dyn Query>> {
        let by_clearance = self.fields.visibility_filter(&self.clearance)?;
        Some(match self.released() {
            Some(r) => Box::new(BooleanQuery::new(vec![
                (Occur::Should, by_clearance),
                (Occur::Should, r),
            ])),
            None => by_clearance,
        })
    }

    /// `q` restricted to the visible cables (the restriction adds nothing to scores).
    pub fn restrict(&self, q: Box<dyn Query>) -> Box<dyn Query> {
        match self.visible() {
            Some(v) => Box::new(BooleanQuery::new(vec![
                (Occur::Must, q),
                (Occur::Must, zero(v)),
            ])),
            None => q,
        }
    }

    /// The gate of a field's text for this reader.
    pub fn field_gate(&self, field: Field) -> Gate {
        if self.everything() {
            return Gate::Visible;
        }
        let f = &self.fields;
        if field == f.subject {
            return Gate::Subject;
        }
        if field == f.classified_by || field == f.cites {
            return Gate::Header;
        }
        match f.text.iter().find(|(_, &tf)| tf == field) {
            Some((name, _)) if self.clearance.text_fields().contains(name) => Gate::Visible,
            Some(_) if self.release.is_some() => Gate::Released,
            Some(_) => Gate::Never,
            None => Gate::Visible,
        }
    }

    /// The condition a gate adds to visibility (`None`: none).
    pub fn gate_query(&self, gate: Gate) -> Option<Box<dyn Query>> {
        if self.everything() {
            return None;
        }
        let f = &self.fields;
        let marks = |field: Field, levels_only: bool| -> Box<dyn Query> {
            let qs: Vec<(Occur, Box<dyn Query>)> = self
                .clearance
                .readable_markings()
                .into_iter()
                .filter(|m| !levels_only || !m.noforn)
                .map(|m| (Occur::Should, term_query(field, &m.code())))
                .collect();
            Box::new(BooleanQuery::new(qs))
        };
        let or_released = |q: Box<dyn Query>| -> Box<dyn Query> {
            match self.released() {
                Some(r) => Box::new(BooleanQuery::new(vec![
                    (Occur::Should, q),
                    (Occur::Should, r),
                ])),
                None => q,
            }
        };
        match gate {
            Gate::Visible => None,
            Gate::Released => Some(
                self.released()
                    .unwrap_or_else(|| Box::new(tantivy::query::EmptyQuery)),
            ),
            Gate::Never => Some(Box::new(tantivy::query::EmptyQuery)),
            Gate::Subject => Some(or_released(marks(f.subject_mark, false))),
            Gate::Header => Some(or_released(marks(f.header_mark, true))),
        }
    }

    /// `q` (a clause on a field with this gate) restricted to the documents where
    /// the gate opens; the gate adds nothing to scores.
    pub fn gated(&self, gate: Gate, q: Box<dyn Query>) -> Box<dyn Query> {
        match self.gate_query(gate) {
            Some(g) => Box::new(BooleanQuery::new(vec![
                (Occur::Must, q),
                (Occur::Must, zero(g)),
            ])),
            None => q,
        }
    }

    /// The text fields a free-text clause searches, each with its gate (never
    /// [`Gate::Never`]): the readable ones, and with the policy on the others,
    /// gated to released cables.
    pub fn text_fields(&self) -> Vec<(Field, Gate)> {
        marking::all_text_fields()
            .iter()
            .map(|n| self.fields.text[n])
            .map(|tf| (tf, self.field_gate(tf)))
            .filter(|(_, g)| *g != Gate::Never)
            .collect()
    }

    /// True when the document at `addr` is released at the reader's date.
    pub fn doc_released(&self, searcher: &tantivy::Searcher, addr: DocAddress) -> bool {
        let Some((as_of, exempt)) = &self.release else {
            return false;
        };
        let seg = searcher.segment_reader(addr.segment_ord);
        let ff = seg.fast_fields();
        let Ok(Some(col)) = ff.column_opt::<DateTime>("release") else {
            return false;
        };
        let due = col
            .first(addr.doc_id)
            .is_some_and(|d| d.into_timestamp_secs() <= *as_of);
        if !due || exempt.is_empty() {
            return due;
        }
        let Ok(Some(codes)) = ff.str("decl_code") else {
            return true;
        };
        let mut buf = String::new();
        for ord in codes.term_ords(addr.doc_id) {
            buf.clear();
            if codes.ord_to_str(ord, &mut buf).is_ok() && exempt.contains(&buf) {
                return false;
            }
        }
        true
    }

    /// True when the stored document's subject is readable by clearance.
    pub fn subject_readable(&self, doc: &TantivyDocument) -> bool {
        self.everything()
            || doc
                .get_first(self.fields.subject_mark)
                .and_then(|v| v.as_str())
                .and_then(PortionMark::parse)
                .is_some_and(|m| self.clearance.may_read(m))
    }

    /// Ranking statistics of the documents this reader may read ([`ViewStats`]).
    pub fn stats<'s>(&'s self, searcher: &'s tantivy::Searcher) -> ViewStats<'s> {
        ViewStats {
            searcher,
            view: self,
            sets: Mutex::new(HashMap::new()),
        }
    }

    /// Snippet generators for the text fields of `q`, with term weights from the
    /// reader's statistics.
    pub fn snippets(
        &self,
        searcher: &tantivy::Searcher,
        q: &dyn Query,
        stats: &ViewStats<'_>,
        max_chars: usize,
    ) -> Result<Snippets> {
        let mut out = Snippets::default();
        for name in marking::all_text_fields() {
            let field = self.fields.text[&name];
            let gate = self.field_gate(field);
            if gate == Gate::Never {
                continue;
            }
            let mut terms: BTreeMap<String, tantivy::Score> = BTreeMap::new();
            let mut found: Vec<Term> = Vec::new();
            q.query_terms(&mut |t, _| {
                if t.field() == field {
                    found.push(t.clone());
                }
            });
            for t in found {
                let Some(text) = t.value().as_str().map(str::to_string) else {
                    continue;
                };
                let df = tantivy::query::Bm25StatisticsProvider::doc_freq(stats, &t)?;
                if df > 0 {
                    terms.insert(text, 1.0 / (1.0 + df as tantivy::Score));
                }
            }
            let tokenizer = searcher.index().tokenizer_for_field(field)?;
            let g = SnippetGenerator::new(terms, tokenizer, field, max_chars);
            out.generators.push((gate == Gate::Released, g));
        }
        Ok(out)
    }
}

/// A clause that only filters: it matches like `q` and scores 0.
fn zero(q: Box<dyn Query>) -> Box<dyn Query> {
    Box::new(tantivy::query::ConstScoreQuery::new(q, 0.0))
}

/// Snippet generators of a search, one per text field the reader may match.
#[derive(Default)]
pub struct Snippets {
    /// (only for released cables, generator), readable fields first.
    generators: Vec<(bool, SnippetGenerator)>,
}

impl Snippets {
    /// The first non-empty snippet of `doc` from the fields the reader may read in
    /// it (all text fields when it is `released`).
    pub fn for_doc(&self, doc: &TantivyDocument, released: bool) -> Option<String> {
        self.generators
            .iter()
            .filter(|(only_released, _)| released || !only_released)
            .map(|(_, g)| g.snippet_from_doc(doc))
            .find(|s| !s.is_empty())
            .map(|s| s.to_html())
    }
}

/// BM25 statistics computed over what one reader may read, so that scores depend
/// on nothing withheld from them: the document count is the visible cables, and a
/// field's document frequencies and total length count only the documents where
/// the field's [`Gate`] opens (a text field above the clearance: released cables;
/// `subject`: readable subjects). For a reader cleared for everything it is the
/// index's own statistics. Average field lengths come from tantivy's field norms,
/// which are exact up to 40 tokens and rounded above.
pub struct ViewStats<'s> {
    searcher: &'s tantivy::Searcher,
    view: &'s ReaderView,
    /// Per gate, per segment: the documents where it opens (bitset words).
    sets: Mutex<HashMap<Gate, std::sync::Arc<Vec<Vec<u64>>>>>,
}

impl ViewStats<'_> {
    /// The documents (per segment) where `gate` opens, alive and visible.
    fn set(&self, gate: Gate) -> tantivy::Result<std::sync::Arc<Vec<Vec<u64>>>> {
        if let Some(s) = self.sets.lock().expect("stats lock").get(&gate) {
            return Ok(s.clone());
        }
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, Box::new(AllQuery))];
        if let Some(v) = self.view.visible() {
            clauses.push((Occur::Must, v));
        }
        if let Some(g) = self.view.gate_query(gate) {
            clauses.push((Occur::Must, g));
        }
        let q = BooleanQuery::new(clauses);
        let weight = q.weight(tantivy::query::EnableScoring::disabled_from_searcher(
            self.searcher,
        ))?;
        let mut out = Vec::with_capacity(self.searcher.segment_readers().len());
        for seg in self.searcher.segment_readers() {
            let mut bits = vec![0u64; (seg.max_doc() as usize).div_ceil(64)];
            weight.for_each_no_score(seg, &mut |docs| {
                for &d in docs {
                    if !seg.is_deleted(d) {
                        bits[d as usize / 64] |= 1 << (d % 64);
                    }
                }
            })?;
            out.push(bits);
        }
        let out = std::sync::Arc::new(out);
        self.sets
            .lock()
            .expect("stats lock")
            .insert(gate, out.clone());
        Ok(out)
    }
}

fn has(bits: &[u64], d: u32) -> bool {
    bits.get(d as usize / 64)
        .is_some_and(|w| w & (1 << (d % 64)) != 0)
}

impl tantivy::query::Bm25StatisticsProvider for ViewStats<'_> {
    fn total_num_tokens(&self, field: Field) -> tantivy::Result<u64> {
        if self.view.everything() {
            return self.searcher.total_num_tokens(field);
        }
        let set = self.set(self.view.field_gate(field))?;
        let mut total = 0u64;
        for (seg, bits) in self.searcher.segment_readers().iter().zip(set.iter()) {
            let norms = seg.get_fieldnorms_reader(field)?;
            for (w, word) in bits.iter().enumerate() {
                let mut word = *word;
                while word != 0 {
                    let d = (w * 64) as u32 + word.trailing_zeros();
                    total += u64::from(norms.fieldnorm(d));
                    word &= word - 1;
                }
            }
        }
        Ok(total)
    }

    fn total_num_docs(&self) -> tantivy::Result<u64> {
        if self.view.everything() {
            return tantivy::query::Bm25StatisticsProvider::total_num_docs(self.searcher);
        }
        let set = self.set(Gate::Visible)?;
        Ok(set
            .iter()
            .flat_map(|b| b.iter())
            .map(|w| u64::from(w.count_ones()))
            .sum())
    }

    fn doc_freq(&self, term: &Term) -> tantivy::Result<u64> {
        if self.view.everything() {
            return self.searcher.doc_freq(term);
        }
        let set = self.set(self.view.field_gate(term.field()))?;
        let mut n = 0u64;
        for (seg, bits) in self.searcher.segment_readers().iter().zip(set.iter()) {
            let inv = seg.inverted_index(term.field())?;
            if let Some(mut postings) = inv.read_postings(term, IndexRecordOption::Basic)? {
                let mut d = postings.doc();
                while d != tantivy::TERMINATED {
                    if has(bits, d) {
                        n += 1;
                    }
                    d = postings.advance();
                }
            }
        }
        Ok(n)
    }
}
