//! Query translation (the query language's tree → a tantivy query) and search with
//! cursor pagination.
//!
//! [`Archive::search_str`] parses a query ([`crate::query::parse`]), translates it
//! with [`translate`] for the reader's [`Clearance`] (plan in [`crate::query`], fields in
//! `SCHEMA.md`), and runs it. Results are ordered by relevance (BM25, ties by id) or
//! by date (ties by id); a page ends with an opaque cursor that encodes the sort key
//! and the id of its last hit, and the next page is every match *after* that key
//! (search-after, not an offset): paging to any depth costs the same per page, and a
//! page never repeats or skips a hit while the index is unchanged.

use std::collections::{BTreeMap, BinaryHeap};
use std::ops::Bound;

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::query::{
    AllQuery, BooleanQuery, ConstScoreQuery, EmptyQuery, ExistsQuery, FuzzyTermQuery, Occur,
    PhrasePrefixQuery, PhraseQuery, Query as TQuery, RangeQuery, RegexQuery, TermQuery,
    TermSetQuery,
};
use tantivy::schema::{Field as TField, IndexRecordOption};
use tantivy::tokenizer::TextAnalyzer;
use tantivy::{DateTime, DocAddress, DocId, Score, SegmentOrdinal, SegmentReader, Term};

use crate::archive::Archive;
use crate::error::{Error, Result};
use crate::facets::{self, FacetCollector, FacetSet};
use crate::gating::{Gate, ReaderView, Scope, Snippets};
use crate::index::TantivyIndex;
use crate::index::{norm, Fields, SearchOptions, SearchResults, Sort};
use crate::query::{self, Field, FieldKind, IdPattern, Query};
use crate::store::Store;

/// Most ids a `cited_by:` clause expands to (a cable cites a few dozen at most).
const MAX_CITED_IDS: usize = 10_000;

/// What translation needs besides the tree: the index's fields and tokenizer, the
/// reader's view (clearance and releases), and a way to resolve `cited_by:` through
/// the citation graph.
///
/// Every clause on withheld text is restricted inside the query: a clause on a
/// field is gated to the documents where the reader may read that field
/// ([`ReaderView::field_gate`]), so a word found only in withheld text matches
/// nothing, whatever the query form (word, phrase, prefix, fuzzy, range, field).
pub struct Translator<'a> {
    /// The schema's fields.
    pub fields: &'a Fields,
    /// The text analyzer of the TEXT fields (tantivy's `default`).
    pub analyzer: TextAnalyzer,
    /// The reader's view.
    pub view: &'a ReaderView,
    /// Resolves `cited_by:ID`: the ids the cable(s) named by the pattern cite, among
    /// the cables the reader may see.
    /// `None` (for `cited_by:*`) asks for every id some visible cable cites.
    pub cited_by: &'a dyn Fn(Option<&IdPattern>) -> Result<Vec<String>>,
    /// The forms of a word to search for it: the word first, then the indexed
    /// words sharing its English stem ([`crate::stemming::forms`]); just the word
    /// for an index without dictionaries.
    pub forms: &'a dyn Fn(&str) -> Result<Vec<String>>,
    /// The word fields that hold any word ([`TantivyIndex::live_fields`]):
    /// clauses on the others are left out. `None`: every field.
    pub live: Option<&'a std::collections::HashSet<TField>>,
}

/// Score added to a cable that holds a word exactly as written, so that it ranks
/// above every cable found only through another form of the word (a word's BM25
/// score stays far below it).
const EXACT_FIRST: f32 = 1000.0;

/// A word and its other forms on one field: any form matches; the word as
/// written adds [`EXACT_FIRST`].
fn stemmed_q(f: TField, forms: &[String]) -> Box<dyn TQuery> {
    let mut clauses: Vec<(Occur, Box<dyn TQuery>)> = Vec::with_capacity(forms.len() + 1);
    clauses.push((
        Occur::Should,
        Box::new(ConstScoreQuery::new(term_q(f, &forms[0]), EXACT_FIRST)),
    ));
    for w in forms {
        clauses.push((Occur::Should, term_q(f, w)));
    }
    Box::new(BooleanQuery::new(clauses))
}

fn term_q(f: TField, s: &str) -> Box<dyn TQuery> {
    Box::new(TermQuery::new(
        Term::from_field_text(f, s),
        IndexRecordOption::WithFreqsAndPositions,
    ))
}

fn filter(q: Box<dyn TQuery>) -> Box<dyn TQuery> {
    Box::new(ConstScoreQuery::new(q, 1.0))
}

fn any_of(qs: Vec<Box<dyn TQuery>>) -> Box<dyn TQuery> {
    match qs.len() {
        0 => Box::new(EmptyQuery),
        1 => qs.into_iter().next().expect("one"),
        _ => Box::new(BooleanQuery::new(
            qs.into_iter().map(|q| (Occur::Should, q)).collect(),
        )),
    }
}

fn not(q: Box<dyn TQuery>) -> Box<dyn TQuery> {
    Box::new(BooleanQuery::new(vec![
        (Occur::Must, Box::new(AllQuery)),
        (Occur::MustNot, q),
    ]))
}

/// Escapes a literal for tantivy's regex syntax.
fn regex_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 2);
    for c in s.chars() {
        if matches!(
            c,
            '\\' | '.'
                | '+'
                | '*'
                | '?'
                | '('
                | ')'
                | '|'
                | '['
                | ']'
                | '{'
                | '}'
                | '^'
                | '$'
                | '#'
                | '&'
                | '-'
                | '~'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

fn regex_q(f: TField, pattern: &str) -> Result<Box<dyn TQuery>> {
    Ok(Box::new(RegexQuery::from_pattern(pattern, f)?))
}

impl Translator<'_> {
    /// Tokens of `text` as the index's `default` analyzer makes them.
    pub fn tokens(&mut self, text: &str) -> Vec<String> {
        let mut out = Vec::new();
        let mut ts = self.analyzer.token_stream(text);
        while ts.advance() {
            out.push(ts.token().text.clone());
        }
        out
    }

    /// The TEXT fields a `field` clause searches, each with its gate: the readable
    /// text fields (and, with the policy on, the others gated to released cables)
    /// for free words, else the field itself.
    fn text_fields(&self, field: Field) -> Vec<(TField, Gate)> {
        let f = self.fields;
        let one = |tf: TField| vec![(tf, self.view.field_gate(tf))];
        let mut v = match field {
            Field::Subject => one(f.subject),
            Field::Signer => one(f.signer),
            Field::ClassifiedBy => one(f.classified_by),
            _ => self.view.text_fields(),
        };
        if let Some(live) = self.live {
            v.retain(|(tf, _)| live.contains(tf));
        }
        v
    }

    /// One clause per field, each gated, OR'ed.
    fn per_field(
        &self,
        fields: &[(TField, Gate)],
        mut clause: impl FnMut(TField) -> Result<Box<dyn TQuery>>,
    ) -> Result<Box<dyn TQuery>> {
        Ok(any_of(
            fields
                .iter()
                .map(|&(tf, gate)| Ok(self.view.gated(gate, clause(tf)?)))
                .collect::<Result<_>>()?,
        ))
    }

    /// A keyword field's tantivy field and normalised value.
    fn keyword(&self, field: Field, text: &str) -> (TField, String) {
        let f = self.fields;
        match field {
            Field::Tag => (f.tag, norm::upper(text)),
            Field::Origin => (f.origin, norm::origin(text)),
            Field::Caption => (f.caption, norm::upper(text)),
            _ => (
                f.marking,
                norm::marking(text).unwrap_or_else(|| norm::upper(text)),
            ),
        }
    }

    /// Tokens as one text query on `fields`: a term, or a phrase with `slop`.
    fn token_query(
        &self,
        fields: &[(TField, Gate)],
        tokens: &[String],
        slop: u32,
    ) -> Box<dyn TQuery> {
        if tokens.is_empty() {
            return Box::new(EmptyQuery);
        }
        let clause = |tf: TField| -> Result<Box<dyn TQuery>> {
            Ok(if tokens.len() == 1 {
                term_q(tf, &tokens[0])
            } else {
                let terms = tokens
                    .iter()
                    .enumerate()
                    .map(|(i, t)| (i, Term::from_field_text(tf, t)))
                    .collect();
                Box::new(PhraseQuery::new_with_offset_and_slop(terms, slop))
            })
        };
        self.per_field(fields, clause)
            .unwrap_or_else(|_| Box::new(EmptyQuery))
    }

    /// Translates a parsed query.
    pub fn translate(&mut self, q: &Query) -> Result<Box<dyn TQuery>> {
        let f = self.fields;
        Ok(match q {
            Query::All => Box::new(AllQuery),
            Query::Term { field, text } | Query::Phrase { field, text, .. }
                if field.kind() == FieldKind::Keyword =>
            {
                let (tf, v) = self.keyword(*field, text);
                filter(term_q(tf, &v))
            }
            Query::Term { field, text } => {
                // `=word`: the word as written, no other form.
                let (exact, text) = match text.strip_prefix('=') {
                    Some(rest) => (true, rest),
                    None => (false, text.as_str()),
                };
                let toks = self.tokens(text);
                let forms = match toks.as_slice() {
                    [one] if !exact => (self.forms)(one)?,
                    _ => Vec::new(),
                };
                if forms.len() > 1 {
                    self.per_field(&self.text_fields(*field), |tf| Ok(stemmed_q(tf, &forms)))?
                } else {
                    self.token_query(&self.text_fields(*field), &toks, 0)
                }
            }
            Query::Phrase { field, text, slop } => {
                let toks = self.tokens(text);
                self.token_query(&self.text_fields(*field), &toks, *slop)
            }
            Query::Prefix { field, text } if field.kind() == FieldKind::Keyword => {
                let (tf, v) = self.keyword(*field, text);
                filter(regex_q(tf, &format!("{}.*", regex_escape(&v)))?)
            }
            Query::Prefix { field, text } => {
                let toks = self.tokens(text);
                let fields = self.text_fields(*field);
                // The expansion runs on each field's own term dictionary, and the
                // field's gate keeps matches inside text the reader may read.
                match toks.len() {
                    0 => Box::new(EmptyQuery) as Box<dyn TQuery>,
                    1 => {
                        let pat = format!("{}.*", regex_escape(&toks[0]));
                        self.per_field(&fields, |tf| regex_q(tf, &pat))?
                    }
                    _ => self.per_field(&fields, |tf| {
                        Ok(Box::new(PhrasePrefixQuery::new(
                            toks.iter().map(|t| Term::from_field_text(tf, t)).collect(),
                        )))
                    })?,
                }
            }
            Query::Fuzzy {
                field,
                text,
                distance,
            } if field.kind() == FieldKind::Keyword => {
                let (tf, v) = self.keyword(*field, text);
                filter(Box::new(FuzzyTermQuery::new(
                    Term::from_field_text(tf, &v),
                    *distance,
                    true,
                )))
            }
            Query::Fuzzy {
                field,
                text,
                distance,
            } => {
                let toks = self.tokens(text);
                let fields = self.text_fields(*field);
                if toks.len() == 1 {
                    self.per_field(&fields, |tf| {
                        Ok(Box::new(FuzzyTermQuery::new(
                            Term::from_field_text(tf, &toks[0]),
                            *distance,
                            true,
                        )))
                    })?
                } else {
                    self.token_query(&fields, &toks, 0)
                }
            }
            Query::Range {
                field,
                lower,
                upper,
            } => {
                let keyword = field.kind() == FieldKind::Keyword;
                let fields: Vec<(TField, Gate, Bound<String>, Bound<String>)> = if keyword {
                    let norm_b = |b: &Bound<String>| match b {
                        Bound::Included(s) => Bound::Included(self.keyword(*field, s).1),
                        Bound::Excluded(s) => Bound::Excluded(self.keyword(*field, s).1),
                        Bound::Unbounded => Bound::Unbounded,
                    };
                    let tf = self.keyword(*field, "").0;
                    vec![(tf, Gate::Visible, norm_b(lower), norm_b(upper))]
                } else {
                    let low = |b: &Bound<String>| match b {
                        Bound::Included(s) => Bound::Included(s.to_lowercase()),
                        Bound::Excluded(s) => Bound::Excluded(s.to_lowercase()),
                        Bound::Unbounded => Bound::Unbounded,
                    };
                    self.text_fields(*field)
                        .into_iter()
                        .map(|(tf, gate)| (tf, gate, low(lower), low(upper)))
                        .collect()
                };
                let qs = fields
                    .into_iter()
                    .map(|(tf, gate, lo, hi)| -> Box<dyn TQuery> {
                        let t = |b: Bound<String>| match b {
                            Bound::Included(s) => Bound::Included(Term::from_field_text(tf, &s)),
                            Bound::Excluded(s) => Bound::Excluded(Term::from_field_text(tf, &s)),
                            Bound::Unbounded => Bound::Unbounded,
                        };
                        let q: Box<dyn TQuery> = match (&lo, &hi) {
                            (Bound::Unbounded, Bound::Unbounded) => match regex_q(tf, ".+") {
                                Ok(q) => q,
                                Err(_) => Box::new(EmptyQuery),
                            },
                            _ => Box::new(RangeQuery::new(t(lo), t(hi))),
                        };
                        self.view.gated(gate, q)
                    })
                    .collect();
                filter(any_of(qs))
            }
            Query::DateRange { from, to } => {
                let day = |s: &Option<String>| -> Bound<Term> {
                    match s.as_deref().and_then(crate::index::parse_time) {
                        Some(t) => Bound::Included(Term::from_field_date_for_search(
                            f.created,
                            DateTime::from_timestamp_secs(t),
                        )),
                        None => Bound::Unbounded,
                    }
                };
                let lower = day(from);
                let upper = match day(to) {
                    Bound::Included(t) => Bound::Excluded(t),
                    other => other,
                };
                if matches!((&lower, &upper), (Bound::Unbounded, Bound::Unbounded)) {
                    filter(Box::new(ExistsQuery::new("created".into(), false)))
                } else {
                    filter(Box::new(RangeQuery::new(lower, upper)))
                }
            }
            Query::Classification(l) => filter(term_q(f.level, l.rank_code())),
            Query::ClassificationRange { min, max } => filter(any_of(
                query::LEVELS
                    .into_iter()
                    .filter(|l| l.rank() >= min.rank() && l.rank() <= max.rank())
                    .map(|l| term_q(f.level, l.rank_code()))
                    .collect(),
            )),
            Query::Id(p) => filter(id_query(f, p)),
            Query::Cites(p) => {
                let q = match p.canonical() {
                    Some(c) => {
                        let id = canonical_id(&c);
                        term_q(f.cites, &id)
                    }
                    None => {
                        let (_, noyear) = norm::id_terms(&p.without_year())
                            .unwrap_or(("id_noyear", p.without_year()));
                        regex_q(f.cites, &format!("[0-9][0-9]{}", regex_escape(&noyear)))?
                    }
                };
                // The REF list is header text, at the cable's overall level.
                filter(self.view.gated(Gate::Header, q))
            }
            Query::CitedBy(p) => {
                let ids = (self.cited_by)(Some(p))?;
                if ids.is_empty() {
                    Box::new(EmptyQuery)
                } else {
                    filter(Box::new(TermSetQuery::new(
                        ids.iter().map(|i| Term::from_field_text(f.id, i)),
                    )))
                }
            }
            Query::Exists(field) => filter(self.exists(*field)?),
            Query::And(qs) => {
                let mut clauses = Vec::with_capacity(qs.len());
                let mut positive = false;
                for c in qs {
                    match c {
                        Query::Not(inner) => clauses.push((Occur::MustNot, self.translate(inner)?)),
                        other => {
                            positive = true;
                            clauses.push((Occur::Must, self.translate(other)?));
                        }
                    }
                }
                if !positive {
                    clauses.push((Occur::Must, Box::new(AllQuery)));
                }
                Box::new(BooleanQuery::new(clauses))
            }
            Query::Or(qs) => {
                let mut clauses = Vec::with_capacity(qs.len());
                for c in qs {
                    clauses.push((Occur::Should, self.translate(c)?));
                }
                Box::new(BooleanQuery::new(clauses))
            }
            Query::Not(inner) => not(self.translate(inner)?),
        })
    }

    fn exists(&mut self, field: Field) -> Result<Box<dyn TQuery>> {
        let f = self.fields;
        Ok(match field {
            Field::Text | Field::Id => Box::new(AllQuery),
            Field::Tag => Box::new(ExistsQuery::new("tag".into(), false)),
            Field::Origin => Box::new(ExistsQuery::new("origin".into(), false)),
            Field::Caption => Box::new(ExistsQuery::new("caption".into(), false)),
            Field::Marking => Box::new(ExistsQuery::new("marking".into(), false)),
            Field::Classification => Box::new(ExistsQuery::new("classification".into(), false)),
            Field::Created => Box::new(ExistsQuery::new("created".into(), false)),
            Field::Subject => self.view.gated(Gate::Subject, regex_q(f.subject, ".+")?),
            Field::Signer => regex_q(f.signer, ".+")?,
            Field::ClassifiedBy => self
                .view
                .gated(Gate::Header, regex_q(f.classified_by, ".+")?),
            Field::Cites => self.view.gated(Gate::Header, regex_q(f.cites, ".+")?),
            // Cables something cites (that the reader may see).
            Field::CitedBy => {
                let ids = (self.cited_by)(None)?;
                Box::new(TermSetQuery::new(
                    ids.iter().map(|i| Term::from_field_text(f.id, i)),
                ))
            }
        })
    }
}

/// A canonical id as indexed (the format crate's station aliases applied).
fn canonical_id(c: &str) -> String {
    match norm::id_terms(c) {
        Some(("id", v)) => v,
        _ => c.to_string(),
    }
}

/// The `id:` query of a loose id: `id` with a year, `id_noyear` without.
fn id_query(f: &Fields, p: &IdPattern) -> Box<dyn TQuery> {
    match p.canonical() {
        // An alias with its year is an `id_noyear` term too (`crate::alias`).
        Some(c) => {
            let id = canonical_id(&c);
            any_of(vec![term_q(f.id, &id), term_q(f.id_noyear, &id)])
        }
        None => {
            let noyear = match norm::id_terms(&p.without_year()) {
                Some(("id_noyear", v)) => v,
                _ => p.without_year(),
            };
            term_q(f.id_noyear, &noyear)
        }
    }
}

/// Translates `q` for the reader of `view`, resolving `cited_by:` with `cited_by`
/// (see [`Translator`]). The visibility filter is not added here: the search adds
/// it.
pub fn translate(
    q: &Query,
    fields: &Fields,
    analyzer: TextAnalyzer,
    view: &ReaderView,
    cited_by: &dyn Fn(Option<&IdPattern>) -> Result<Vec<String>>,
    forms: &dyn Fn(&str) -> Result<Vec<String>>,
    live: Option<&std::collections::HashSet<TField>>,
) -> Result<Box<dyn TQuery>> {
    Translator {
        fields,
        analyzer,
        view,
        cited_by,
        forms,
        live,
    }
    .translate(q)
}

// ---------------------------------------------------------------------------
// Cursors

/// A position in a sorted result list: the sort key and id of the last hit shown.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Key {
    /// Sort key, ascending in result order.
    primary: i64,
    /// Cable id, the tie-breaker.
    id: String,
}

fn sort_tag(s: Sort) -> &'static str {
    match s {
        Sort::Relevance => "r",
        Sort::Date => "d",
        Sort::DateDesc => "D",
    }
}

fn encode_cursor(sort: Sort, k: &Key) -> String {
    let raw = format!("1|{}|{}|{}", sort_tag(sort), k.primary, k.id);
    raw.bytes().map(|b| format!("{b:02x}")).collect()
}

fn decode_cursor(sort: Sort, s: &str) -> Result<Key> {
    // The front end says how to start again (`--cursor` on the command line,
    // `cursor` in the API).
    let bad = |why: &str| Error::Cursor(why.to_string());
    if s.len() & 1 == 1 || s.len() > 2000 {
        return Err(bad("not a cursor this search printed"));
    }
    let bytes: Option<Vec<u8>> = (0..s.len())
        .step_by(2)
        .map(|i| s.get(i..i + 2).and_then(|h| u8::from_str_radix(h, 16).ok()))
        .collect();
    let raw = bytes
        .and_then(|b| String::from_utf8(b).ok())
        .ok_or_else(|| bad("not a cursor this search printed"))?;
    let mut parts = raw.splitn(4, '|');
    let (Some("1"), Some(tag), Some(p), Some(id)) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(bad("not a cursor this search printed"));
    };
    if tag != sort_tag(sort) {
        return Err(bad("the cursor belongs to a search with another --sort"));
    }
    let primary = p
        .parse()
        .map_err(|_| bad("not a cursor this search printed"))?;
    Ok(Key {
        primary,
        id: id.to_string(),
    })
}

/// A score as an `i64` that sorts best first (ascending).
fn score_key(s: Score) -> i64 {
    let bits = s.to_bits();
    let ord = if bits >> 31 == 1 {
        !bits
    } else {
        bits | 0x8000_0000
    };
    -(ord as i64)
}

// ---------------------------------------------------------------------------
// The search-after collector

struct AfterCollector {
    limit: usize,
    sort: Sort,
    after: Option<Key>,
}

#[derive(Default)]
struct AfterFruit {
    /// Every match.
    total: u64,
    /// Matches after the cursor.
    after_total: u64,
    /// The best `limit` matches after the cursor, in result order.
    top: Vec<(Key, DocAddress)>,
}

struct AfterSegment {
    segment: SegmentOrdinal,
    limit: usize,
    sort: Sort,
    /// The cursor's sort key, and the first id ordinal of this segment above its id.
    after: Option<(i64, u64)>,
    created: Option<tantivy::columnar::Column<DateTime>>,
    ids: Option<tantivy::columnar::StrColumn>,
    /// The best hits after the cursor: (sort key, id ordinal, doc). Id ordinals
    /// follow the ids' byte order within a segment, so strings are read only for the
    /// hits kept.
    heap: BinaryHeap<(i64, u64, DocId)>,
    total: u64,
    after_total: u64,
}

impl AfterSegment {
    fn primary(&self, doc: DocId, score: Score) -> i64 {
        let created = || {
            self.created
                .as_ref()
                .and_then(|c| c.first(doc))
                .map(|d| d.into_timestamp_secs())
        };
        match self.sort {
            Sort::Relevance => score_key(score),
            Sort::Date => created().unwrap_or(i64::MAX),
            // Undated cables come last in both orders.
            Sort::DateDesc => created().map(|t| -t).unwrap_or(i64::MAX),
        }
    }

    fn id_ord(&self, doc: DocId) -> u64 {
        self.ids
            .as_ref()
            .and_then(|c| c.ords().first(doc))
            .unwrap_or(0)
    }
}

impl SegmentCollector for AfterSegment {
    type Fruit = SegmentFruit;

    fn collect(&mut self, doc: DocId, score: Score) {
        self.total += 1;
        let primary = self.primary(doc, score);
        let mut ord: Option<u64> = None;
        if let Some((after_primary, first_ord_above)) = self.after {
            if primary < after_primary {
                return;
            }
            if primary == after_primary {
                let o = self.id_ord(doc);
                if o < first_ord_above {
                    return;
                }
                ord = Some(o);
            }
        }
        self.after_total += 1;
        if self.limit == 0 {
            return;
        }
        let full = self.heap.len() >= self.limit;
        if full && self.heap.peek().is_some_and(|w| primary > w.0) {
            return;
        }
        let ord = ord.unwrap_or_else(|| self.id_ord(doc));
        if full
            && self
                .heap
                .peek()
                .is_some_and(|w| (primary, ord) >= (w.0, w.1))
        {
            return;
        }
        self.heap.push((primary, ord, doc));
        if self.heap.len() > self.limit {
            self.heap.pop();
        }
    }

    fn harvest(self) -> SegmentFruit {
        let seg = self.segment;
        SegmentFruit {
            total: self.total,
            after_total: self.after_total,
            top: self
                .heap
                .into_sorted_vec()
                .into_iter()
                .map(|(primary, ord, d)| (primary, ord, DocAddress::new(seg, d)))
                .collect(),
            ids: self.ids,
        }
    }
}

/// One segment's share of an [`AfterFruit`]: its best hits with their ids as
/// ordinals of its id column, turned into strings only for the hits that can
/// make the merged page.
struct SegmentFruit {
    total: u64,
    after_total: u64,
    top: Vec<(i64, u64, DocAddress)>,
    ids: Option<tantivy::columnar::StrColumn>,
}

impl Collector for AfterCollector {
    type Fruit = AfterFruit;
    type Child = AfterSegment;

    fn for_segment(
        &self,
        segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<AfterSegment> {
        let created = match self.sort {
            Sort::Relevance => None,
            _ => reader.fast_fields().column_opt::<DateTime>("created")?,
        };
        let ids = reader.fast_fields().str("id")?;
        let after = match (&self.after, &ids) {
            (Some(k), Some(col)) => {
                let (lower, _) = col
                    .dictionary()
                    .term_bounds_to_ord(Bound::Excluded(k.id.as_bytes()), Bound::Unbounded)?;
                let first_above = match lower {
                    Bound::Included(o) => o,
                    Bound::Excluded(o) => o.saturating_add(1),
                    Bound::Unbounded => 0,
                };
                Some((k.primary, first_above))
            }
            (Some(k), None) => Some((k.primary, u64::MAX)),
            (None, _) => None,
        };
        Ok(AfterSegment {
            segment,
            limit: self.limit,
            sort: self.sort,
            after,
            created,
            ids,
            heap: BinaryHeap::new(),
            total: 0,
            after_total: 0,
        })
    }

    fn requires_scoring(&self) -> bool {
        self.sort == Sort::Relevance
    }

    fn merge_fruits(&self, fruits: Vec<SegmentFruit>) -> tantivy::Result<AfterFruit> {
        let mut out = AfterFruit::default();
        // (primary, segment fruit, id ordinal, doc): the page is the `limit` best
        // by (primary, id); ids are read only for the hits whose primary key is
        // within the best `limit` (ties included), not for every segment's page.
        let mut cands: Vec<(i64, usize, u64, DocAddress)> = Vec::new();
        for (i, f) in fruits.iter().enumerate() {
            out.total += f.total;
            out.after_total += f.after_total;
            cands.extend(f.top.iter().map(|&(p, o, a)| (p, i, o, a)));
        }
        cands.sort_unstable_by_key(|c| c.0);
        if let Some(&(cut, ..)) = cands.get(self.limit.saturating_sub(1)) {
            cands.retain(|c| c.0 <= cut);
        }
        let mut buf = String::new();
        out.top = cands
            .into_iter()
            .map(|(primary, i, ord, addr)| {
                buf.clear();
                if let Some(col) = &fruits[i].ids {
                    let _ = col.ord_to_str(ord, &mut buf);
                }
                (
                    Key {
                        primary,
                        id: buf.clone(),
                    },
                    addr,
                )
            })
            .collect();
        out.top.sort_by(|a, b| a.0.cmp(&b.0));
        out.top.truncate(self.limit);
        Ok(out)
    }
}

// ---------------------------------------------------------------------------
// The archive's search entry points

/// Facets shown by the CLI, in order; `year` and `month` (`YYYY-MM`) are histograms
/// sorted by key, the others are sorted by count, largest first.
pub const FACETS: &[&str] = &[
    "origin",
    "tag",
    "classification",
    "caption",
    "year",
    "month",
];

impl<S: Store> Archive<S, TantivyIndex> {
    /// Translates a parsed query for the reader `scope` (clearance, date and
    /// policy); the visibility filter is added by the search.
    pub fn translate_for(&self, q: &Query, scope: &Scope) -> Result<Box<dyn TQuery>> {
        let view = ReaderView::new(self.index.fields(), scope);
        self.translate_view(q, &view)
    }

    fn translate_view(&self, q: &Query, view: &ReaderView) -> Result<Box<dyn TQuery>> {
        let fields = self.index.fields();
        let analyzer = self
            .index
            .tantivy()
            .tokenizers()
            .get("default")
            .ok_or_else(|| Error::Other("index lacks the default tokenizer".into()))?;
        let resolve = |p: Option<&IdPattern>| self.cited_ids(p, view);
        // The forms are looked up over all text (withheld included): each form's
        // clause is gated like the word's, so a form found only in withheld text
        // matches nothing for this reader.
        let searcher = self.index.searcher();
        let live = self.index.live_fields(&searcher);
        let text_fields: Vec<TField> = fields
            .all_text()
            .into_iter()
            .filter(|f| live.contains(f))
            .collect();
        let forms = |w: &str| crate::stemming::forms(&searcher, &text_fields, w);
        translate(q, fields, analyzer, view, &resolve, &forms, Some(&live))
    }

    /// Resolves `cited_by:`: the ids cited by the cable(s) `p` names (every cable
    /// when `None`), among the cables the reader sees whose REF list they may read.
    fn cited_ids(&self, p: Option<&IdPattern>, view: &ReaderView) -> Result<Vec<String>> {
        let f = self.index.fields();
        let searcher = self.index.searcher();
        let mut out = Vec::new();
        if p.is_none() && view.everything() {
            for seg in searcher.segment_readers() {
                let inv = seg.inverted_index(f.cites)?;
                let mut stream = inv.terms().stream()?;
                while stream.advance() {
                    if let Ok(s) = std::str::from_utf8(stream.key()) {
                        out.push(s.to_string());
                    }
                }
            }
            out.sort();
            out.dedup();
            return Ok(out);
        }
        let q = match p {
            Some(p) => id_query(f, p),
            None => regex_q(f.cites, ".+")?,
        };
        let q = view.restrict(view.gated(Gate::Header, q));
        let limit = match p {
            Some(_) => 100,
            None => searcher.search(q.as_ref(), &tantivy::collector::Count)?,
        };
        let found = searcher.search(
            q.as_ref(),
            &AfterCollector {
                limit,
                sort: Sort::Date,
                after: None,
            },
        )?;
        for (k, _) in found.top {
            out.extend(self.cites_of(&k.id)?);
            if p.is_some() && out.len() > MAX_CITED_IDS {
                break;
            }
        }
        out.sort();
        out.dedup();
        Ok(out)
    }

    /// The reader's view for `opts` and the translation of `q` for it (not yet
    /// restricted to the visible cables: see [`ReaderView::restrict`]).
    pub(crate) fn view_and_query(
        &self,
        q: &Query,
        scope: &Scope,
    ) -> Result<(ReaderView, Box<dyn TQuery>)> {
        let view = ReaderView::new(self.index.fields(), scope);
        let t = self.translate_view(q, &view)?;
        Ok((view, t))
    }

    /// The ids of every document `q` matches, as it stands (no restriction added).
    pub(crate) fn ids_matching(&self, q: &dyn TQuery) -> Result<Vec<String>> {
        let searcher = self.index.searcher();
        let n = searcher.search(q, &tantivy::collector::Count)?;
        let found = searcher.search(
            q,
            &AfterCollector {
                limit: n,
                sort: Sort::Date,
                after: None,
            },
        )?;
        Ok(found.top.into_iter().map(|(k, _)| k.id).collect())
    }

    /// Parses and runs a query in the query language ([`crate::query`]), for the
    /// reader of `opts` (clearance, `as_of` date, declassification policy). A query
    /// that does not parse is [`Error::Query`] (with the position); a cursor that
    /// this search did not print is [`Error::Cursor`]. `opts.cursor` continues after
    /// the page that printed it; `opts.offset` is ignored.
    pub fn search_str(&self, q: &str, opts: &SearchOptions) -> Result<SearchResults> {
        let parsed = query::parse(q)?;
        self.search_query(&parsed, opts)
    }

    /// Runs a parsed query (see [`Archive::search_str`]).
    pub fn search_query(&self, q: &Query, opts: &SearchOptions) -> Result<SearchResults> {
        let view = ReaderView::new(self.index.fields(), &opts.scope);
        let translated = self.translate_view(q, &view)?;
        self.search_view(translated.as_ref(), opts, &view)
    }

    /// Runs a tantivy query with cursor pagination, facets and snippets, restricted
    /// to what the reader of `opts` may see.
    pub fn search_after(&self, q: &dyn TQuery, opts: &SearchOptions) -> Result<SearchResults> {
        let view = ReaderView::new(self.index.fields(), &opts.scope);
        self.search_view(q, opts, &view)
    }

    fn search_view(
        &self,
        q: &dyn TQuery,
        opts: &SearchOptions,
        view: &ReaderView,
    ) -> Result<SearchResults> {
        let searcher = self.index.searcher();
        let restricted = view.restrict(q.box_clone());
        let q: &dyn TQuery = restricted.as_ref();
        let after = opts
            .cursor
            .as_deref()
            .map(|c| decode_cursor(opts.sort, c))
            .transpose()?;
        // Scores use the statistics of what this reader may read (ViewStats).
        let stats = view.stats(&searcher);
        // Facets counted for this query before (an earlier page) are reused.
        let memo_key =
            (!opts.facets.is_empty()).then(|| facets::memo_key(q, opts.facets, &searcher));
        let memoised = memo_key.as_deref().and_then(facets::memo_get);
        let count = if memoised.is_some() {
            FacetSet::NONE
        } else {
            opts.facets
        };
        // One pass over the matches: the page and, when asked, the facets.
        let (fruit, facet_fruit) = searcher.search_with_statistics_provider(
            q,
            &(
                AfterCollector {
                    limit: opts.limit,
                    sort: opts.sort,
                    after,
                },
                FacetCollector { set: count },
            ),
            &stats,
        )?;
        let snippets = if opts.snippets {
            view.snippets(&searcher, q, &stats, 200)?
        } else {
            Snippets::default()
        };
        let addrs: Vec<DocAddress> = fruit.top.iter().map(|(_, addr)| *addr).collect();
        let ids = fruit.top.iter().map(|(key, _)| key.id.clone()).collect();
        let mut hits = crate::hits::page(
            &searcher,
            view,
            &addrs,
            Some(ids),
            opts.snippets.then_some(&snippets),
        )?;
        for (hit, (key, _)) in hits.iter_mut().zip(&fruit.top) {
            if opts.sort == Sort::Relevance {
                hit.score = key_score(key.primary);
            }
        }
        let facets = if let Some(fc) = memoised {
            fc
        } else if !opts.facets.is_empty() {
            let mut fc = facet_fruit.into_counts();
            for name in ["year", "month"] {
                if let Some(b) = fc.get_mut(name) {
                    b.sort();
                }
            }
            // Months as `YYYY-MM`.
            if let Some(b) = fc.get_mut("month") {
                for (k, _) in b.iter_mut() {
                    if k.len() == 6 && k.bytes().all(|c| c.is_ascii_digit()) {
                        *k = format!("{}-{}", &k[..4], &k[4..]);
                    }
                }
            }
            if let Some(key) = memo_key {
                facets::memo_put(key, &fc);
            }
            fc
        } else {
            BTreeMap::new()
        };
        let next_cursor = match fruit.top.last() {
            Some((k, _)) if fruit.after_total > fruit.top.len() as u64 => {
                Some(encode_cursor(opts.sort, k))
            }
            _ => None,
        };
        Ok(SearchResults {
            total: fruit.total,
            hits,
            facets,
            next_offset: None,
            next_cursor,
        })
    }
}

/// Inverse of [`score_key`].
fn key_score(k: i64) -> Score {
    let ord = (-k) as u32;
    let bits = if ord >> 31 == 1 {
        ord & 0x7fff_ffff
    } else {
        !ord
    };
    f32::from_bits(bits)
}

#[cfg(test)]
mod tests;
