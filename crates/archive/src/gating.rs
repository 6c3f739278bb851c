//! What one reader may match, count and rank in the index: the index-side half of
//! the clearance rule (the record-side half, redaction, is in the `cablescope-access`
//! crate; both derive from `cablescope_format::marking::effective_marks` and
//! [`Clearance::may_read`] and nothing else).
//!
//! # How portions are filed (`crate::index::document`)
//!
//! Every portion (the subject, each paragraph) has an effective marking
//! ([`effective_marks`]), and the marking's [`PortionClass`] (a level rank and
//! plain / NOFORN / special) names the text field it is indexed in: `text_s`,
//! `text_s_nf`, `text_s_x`, ... (fifteen fields). Special controls (ORCON, PROPIN,
//! SCI, ...) are judged as one group per cable, so every special portion of a
//! cable carries exactly the cable's group, which is indexed in `xgate`. Hence, for
//! a reader of rank `r` holding controls `K`, a portion of class `P` in a cable is
//! readable exactly when
//!
//! * `P.rank <= r`, and
//! * `P` is plain, or `P` is NOFORN and `NOFORN ∈ K`, or `P` is special and the
//!   cable has no `xgate` term outside `K`
//!
//! which is [`Clearance::may_read`] of the portion's effective marking. The same
//! condition on `pclass` (the classes of a cable's portions) and `subject_class`
//! gives visibility and the subject gate; `header_mark` (the overall level) gives
//! the header gate (REF list, classified-by).
//!
//! # Visibility
//!
//! A cable is visible when the reader holds every cable-wide control (`caveat`)
//! and some portion is readable (a cable without portions: its header), or when it
//! is released under the declassification policy at the reader's date. Everything a
//! search returns, counts or ranks is restricted to visible cables, and every
//! clause on a field to the documents where that field is readable
//! ([`ReaderView::field_gate`]).

use std::collections::BTreeSet;
use std::sync::Arc;

use cablescope_format::marking::{ClassKind, Clearance, Control, PortionClass};
use cablescope_format::Cable;
use jiff::civil::Date;
use tantivy::query::{AllQuery, BooleanQuery, Occur, Query, TermQuery, TermSetQuery};
use tantivy::schema::{Field, IndexRecordOption, TantivyDocument};
use tantivy::snippet::SnippetGenerator;
use tantivy::{DateTime, DocAddress, DocSet, Term};

use crate::declass::{self, DeclassPolicy};
use crate::error::Result;
use crate::gate_cache::{self, CachedSetQuery};
use crate::schema::Fields;

/// Whom a search is for: what they are cleared for, the date releases are
/// evaluated at, and the declassification policy. There is no default: a reader
/// cleared for everything is asked for by name ([`Scope::unrestricted`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    /// What the reader is cleared for.
    pub clearance: Clearance,
    /// The date releases are evaluated at.
    pub as_of: Date,
    /// The archive's declassification policy.
    pub policy: DeclassPolicy,
}

impl Scope {
    /// A reader with `clearance` at `as_of` under `policy`.
    pub fn new(clearance: Clearance, as_of: Date, policy: DeclassPolicy) -> Scope {
        Scope {
            clearance,
            as_of,
            policy,
        }
    }

    /// The unrestricted view: cleared for everything, today, policy off. For an
    /// archive without users and for maintenance, never implied.
    pub fn unrestricted() -> Scope {
        Scope::new(Clearance::all(), declass::today(), DeclassPolicy::default())
    }

    /// A reader cleared for nothing above UNCLASSIFIED, holding no control.
    pub fn nothing() -> Scope {
        Scope::new(
            Clearance::none(),
            declass::today(),
            DeclassPolicy::default(),
        )
    }

    /// True when the reader is cleared for everything (nothing can be withheld).
    pub fn sees_everything(&self) -> bool {
        self.clearance.is_all()
    }

    /// True when `c` is released (declassified) at this reader's date.
    pub fn released(&self, c: &Cable) -> bool {
        declass::is_released(c, &self.policy, self.as_of)
    }
}

/// How a reader may read portions of one class ([`class_access`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClassAccess {
    /// In every cable.
    Open,
    /// In the cables whose special-control group (`xgate`) the reader holds.
    IfGroupHeld,
    /// Never (unless released).
    Closed,
}

/// How `c` may read portions of class `p` (see the module documentation).
pub fn class_access(c: &Clearance, p: PortionClass) -> ClassAccess {
    if p.rank > c.rank {
        return ClassAccess::Closed;
    }
    match p.kind {
        ClassKind::Plain => ClassAccess::Open,
        ClassKind::Noforn if c.controls.contains(&Control::Noforn) => ClassAccess::Open,
        ClassKind::Noforn => ClassAccess::Closed,
        ClassKind::Special if c.holds_all(Control::ALL.iter().filter(|k| k.is_special())) => {
            if c.controls.contains(&Control::Noforn) {
                ClassAccess::Open
            } else {
                // A group may carry NOFORN too.
                ClassAccess::IfGroupHeld
            }
        }
        ClassKind::Special => ClassAccess::IfGroupHeld,
    }
}

/// Which documents a field's text may be matched and counted in, besides the
/// document being visible ([`ReaderView::field_gate`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Gate {
    /// Every visible document.
    Visible,
    /// Visible documents whose special-control group the reader holds, or released
    /// (special text fields at or below the reader's level).
    Group,
    /// Visible documents released at the reader's date (text fields the reader
    /// may never read).
    Released,
    /// Visible documents whose subject is readable (or released).
    Subject,
    /// Visible documents whose header text is readable (or released).
    Header,
    /// No document (a text field the reader may never read, with the policy off).
    Never,
}

/// A clause that only filters: it matches like `q` and scores 0.
pub(crate) fn zero(q: Box<dyn Query>) -> Box<dyn Query> {
    Box::new(tantivy::query::ConstScoreQuery::new(q, 0.0))
}

fn term_query(f: Field, s: &str) -> Box<dyn Query> {
    Box::new(TermQuery::new(
        Term::from_field_text(f, s),
        IndexRecordOption::Basic,
    ))
}

fn any_of(qs: Vec<Box<dyn Query>>) -> Box<dyn Query> {
    if qs.is_empty() {
        return Box::new(tantivy::query::EmptyQuery);
    }
    Box::new(BooleanQuery::new(
        qs.into_iter().map(|q| (Occur::Should, q)).collect(),
    ))
}

/// A reader's view of the index: the queries that keep a search inside what they
/// may read, for their clearance and, when the declassification policy is on, the
/// cables released at their date. Every search, facet, snippet, graph and
/// statistic goes through it.
pub struct ReaderView {
    fields: Fields,
    clearance: Clearance,
    /// The controls the reader lacks (names, as indexed in `caveat`/`xgate`).
    lacking: Vec<&'static str>,
    /// With the policy on: the `as_of` date (seconds, midnight UTC) and the exempt
    /// codes.
    release: Option<(i64, Vec<String>)>,
    /// Names the reader class (clearance and release date/policy) for the gate
    /// cache ([`crate::gate_cache`]): views with one name have the same gates.
    class: Arc<str>,
}

impl ReaderView {
    /// The view of the reader `scope` describes.
    pub fn new(fields: &Fields, scope: &Scope) -> ReaderView {
        let release = scope.policy.enabled.then(|| {
            (
                declass::date_secs(scope.as_of),
                scope.policy.exempt.iter().cloned().collect(),
            )
        });
        let class: Arc<str> = format!("{:?}|{:?}", scope.clearance, release).into();
        ReaderView {
            class,
            fields: fields.clone(),
            lacking: scope
                .clearance
                .lacks()
                .into_iter()
                .map(|c| c.name())
                .collect(),
            clearance: scope.clearance.clone(),
            release,
        }
    }

    /// True when the reader may read everything (no restriction is added).
    pub fn everything(&self) -> bool {
        self.clearance.is_all()
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
        let codes: Box<dyn Query> = Box::new(TermSetQuery::new(
            exempt
                .iter()
                .map(|c| Term::from_field_text(self.fields.decl_code, c)),
        ));
        Some(Box::new(BooleanQuery::new(vec![
            (Occur::Must, range),
            (Occur::MustNot, codes),
        ])))
    }

    /// The documents without a term of `field` naming a control the reader lacks
    /// (`None`: every document).
    fn holds_all_of(&self, field: Field) -> Option<Box<dyn Query>> {
        if self.lacking.is_empty() {
            return None;
        }
        Some(Box::new(BooleanQuery::new(vec![
            (Occur::Must, Box::new(AllQuery)),
            (
                Occur::MustNot,
                Box::new(TermSetQuery::new(
                    self.lacking.iter().map(|c| Term::from_field_text(field, c)),
                )),
            ),
        ])))
    }

    /// The documents where a term of `field` (a class code: `pclass`,
    /// `subject_class`) names a class the reader may read there.
    fn readable_class(&self, field: Field) -> Box<dyn Query> {
        let mut open = Vec::new();
        let mut group = Vec::new();
        for p in PortionClass::all() {
            match class_access(&self.clearance, p) {
                ClassAccess::Open => open.push(term_query(field, &p.code())),
                ClassAccess::IfGroupHeld => group.push(term_query(field, &p.code())),
                ClassAccess::Closed => {}
            }
        }
        if !group.is_empty() {
            let g = any_of(group);
            open.push(match self.holds_all_of(self.fields.xgate) {
                Some(held) => Box::new(BooleanQuery::new(vec![
                    (Occur::Must, g),
                    (Occur::Must, held),
                ])),
                None => g,
            });
        }
        any_of(open)
    }

    /// The query that keeps only cables the reader may see by clearance alone
    /// (releases aside): every cable-wide control held, and a readable portion
    /// (`pclass`; a cable without portions is filed there under its header's
    /// class). `None` for a reader cleared for everything.
    pub fn by_clearance(&self) -> Option<Box<dyn Query>> {
        if self.everything() {
            return None;
        }
        let mut clauses: Vec<(Occur, Box<dyn Query>)> =
            vec![(Occur::Must, self.readable_class(self.fields.pclass))];
        if let Some(held) = self.holds_all_of(self.fields.caveat) {
            clauses.push((Occur::Must, held));
        }
        Some(Box::new(BooleanQuery::new(clauses)))
    }

    /// The cables the reader may see: by clearance, or released. `None` when that
    /// is every cable.
    pub fn visible(&self) -> Option<Box<dyn Query>> {
        let by_clearance = self.by_clearance()?;
        let q: Box<dyn Query> = match self.released() {
            Some(r) => Box::new(BooleanQuery::new(vec![
                (Occur::Should, by_clearance),
                (Occur::Should, r),
            ])),
            None => by_clearance,
        };
        Some(self.cached("visible", q))
    }

    /// `q` (a filter that depends on the reader class alone, named `what`),
    /// evaluated once per segment for this class ([`crate::gate_cache`]).
    fn cached(&self, what: &str, q: Box<dyn Query>) -> Box<dyn Query> {
        Box::new(CachedSetQuery::new(format!("{}|{what}", self.class), q))
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

    /// The class of a text field, when `field` is one.
    fn text_class(&self, field: Field) -> Option<PortionClass> {
        self.fields
            .text
            .iter()
            .find(|(_, &tf)| tf == field)
            .map(|(p, _)| *p)
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
        match self.text_class(field) {
            None => Gate::Visible,
            Some(p) => match class_access(&self.clearance, p) {
                ClassAccess::Open => Gate::Visible,
                ClassAccess::IfGroupHeld => Gate::Group,
                ClassAccess::Closed if self.release.is_some() => Gate::Released,
                ClassAccess::Closed => Gate::Never,
            },
        }
    }

    fn or_released(&self, q: Box<dyn Query>) -> Box<dyn Query> {
        match self.released() {
            Some(r) => Box::new(BooleanQuery::new(vec![
                (Occur::Should, q),
                (Occur::Should, r),
            ])),
            None => q,
        }
    }

    /// The condition a gate adds to visibility (`None`: none).
    pub fn gate_query(&self, gate: Gate) -> Option<Box<dyn Query>> {
        if self.everything() {
            return None;
        }
        let q = self.gate_filter(gate)?;
        Some(self.cached(&format!("{gate:?}"), q))
    }

    /// [`ReaderView::gate_query`], uncached.
    fn gate_filter(&self, gate: Gate) -> Option<Box<dyn Query>> {
        let f = &self.fields;
        match gate {
            Gate::Visible => None,
            Gate::Group => Some(
                self.or_released(
                    self.holds_all_of(f.xgate)
                        .unwrap_or_else(|| Box::new(AllQuery)),
                ),
            ),
            Gate::Released => Some(
                self.released()
                    .unwrap_or_else(|| Box::new(tantivy::query::EmptyQuery)),
            ),
            Gate::Never => Some(Box::new(tantivy::query::EmptyQuery)),
            Gate::Subject => Some(self.or_released(self.readable_class(f.subject_class))),
            Gate::Header => {
                let levels: Vec<Box<dyn Query>> = (0..=self.clearance.rank.min(4))
                    .map(|r| {
                        term_query(
                            f.header_mark,
                            cablescope_format::marking::Level::from_rank(r).code(),
                        )
                    })
                    .collect();
                Some(self.or_released(any_of(levels)))
            }
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
    /// [`Gate::Never`]): the readable ones, the special ones gated to the cables
    /// whose group the reader holds, and with the policy on the others, gated to
    /// released cables.
    pub fn text_fields(&self) -> Vec<(Field, Gate)> {
        PortionClass::all()
            .into_iter()
            .map(|p| self.fields.text[&p])
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

    /// True when the reader holds the special-control group of the document
    /// whose gates are `gates`.
    pub fn doc_group_held(&self, gates: &DocGates) -> bool {
        gates
            .groups
            .iter()
            .all(|c| !self.lacking.contains(&c.as_str()))
    }

    /// True when the subject of the document whose gates are `gates` is readable
    /// by clearance.
    pub fn subject_readable(&self, gates: &DocGates) -> bool {
        if self.everything() {
            return true;
        }
        let Some(code) = gates.subject_class.as_deref() else {
            return false;
        };
        let Some(p) = PortionClass::all().into_iter().find(|p| p.code() == code) else {
            return false;
        };
        match class_access(&self.clearance, p) {
            ClassAccess::Open => true,
            ClassAccess::IfGroupHeld => self.doc_group_held(gates),
            ClassAccess::Closed => false,
        }
    }

    /// Ranking statistics of the documents this reader may read ([`ViewStats`]).
    pub fn stats<'s>(&'s self, searcher: &'s tantivy::Searcher) -> ViewStats<'s> {
        ViewStats {
            searcher,
            view: self,
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
        for p in PortionClass::all() {
            let field = self.fields.text[&p];
            let gate = self.field_gate(field);
            if gate == Gate::Never {
                continue;
            }
            let mut terms: std::collections::BTreeMap<String, tantivy::Score> =
                std::collections::BTreeMap::new();
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
            out.generators.push((gate, g));
        }
        Ok(out)
    }
}

/// What the per-document gates of a hit depend on: the class of its subject
/// (`subject_class`) and its special-control group (`xgate`).
///
/// Read from the fast columns ([`crate::hits`]), so a page of hits needs no
/// stored document. The schema declares both fields FAST, and the index refuses
/// to open with any other schema, so an absent column means that no document of
/// the segment has a value: no subject class (the subject stays withheld) or no
/// group (nothing to hold).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DocGates {
    /// The portion class code of the subject, if it has one.
    pub subject_class: Option<String>,
    /// The special controls of the cable's group.
    pub groups: Vec<String>,
}

/// Snippet generators of a search, one per text field the reader may match.
#[derive(Default)]
pub struct Snippets {
    /// (the field's gate, generator), lowest class first.
    generators: Vec<(Gate, SnippetGenerator)>,
}

impl Snippets {
    /// The first non-empty snippet of `doc` from the fields the reader may read in
    /// it (all text fields when it is `released`).
    pub fn for_doc(
        &self,
        view: &ReaderView,
        doc: &TantivyDocument,
        gates: &DocGates,
        released: bool,
    ) -> Option<String> {
        let group = view.doc_group_held(gates);
        self.generators
            .iter()
            .filter(|(gate, _)| match gate {
                Gate::Visible => true,
                Gate::Group => released || group,
                _ => released,
            })
            .map(|(_, g)| g.snippet_from_doc(doc))
            .find(|s| !s.is_empty())
            .map(|s| s.to_html())
    }
}

/// BM25 statistics computed over what one reader may read, so that scores depend
/// on nothing withheld from them: the document count is the visible cables, and a
/// field's document frequencies and total length count only the documents where
/// the field's [`Gate`] opens (a special field: cables whose group the reader
/// holds; a field above the clearance: released cables; `subject`: readable
/// subjects). For a reader cleared for everything it is the index's own
/// statistics. Average field lengths come from tantivy's field norms, which are
/// exact up to 40 tokens and rounded above.
pub struct ViewStats<'s> {
    searcher: &'s tantivy::Searcher,
    view: &'s ReaderView,
}

impl ViewStats<'_> {
    /// The live, visible documents of `seg` where `gate` opens.
    fn set(&self, gate: Gate, seg: &tantivy::SegmentReader) -> tantivy::Result<Arc<[u64]>> {
        let name: Arc<str> = format!("{}|stats|{gate:?}", self.view.class).into();
        // The filter is built only when the cache lacks this segment.
        gate_cache::segment_bits(&name, seg, || {
            let mut clauses: Vec<(Occur, Box<dyn Query>)> = vec![(Occur::Must, Box::new(AllQuery))];
            if let Some(v) = self.view.visible() {
                clauses.push((Occur::Must, v));
            }
            if let Some(g) = self.view.gate_query(gate) {
                clauses.push((Occur::Must, g));
            }
            Box::new(BooleanQuery::new(clauses))
        })
    }
}

impl tantivy::query::Bm25StatisticsProvider for ViewStats<'_> {
    fn total_num_tokens(&self, field: Field) -> tantivy::Result<u64> {
        if self.view.everything() {
            return self.searcher.total_num_tokens(field);
        }
        let gate = self.view.field_gate(field);
        let name: Arc<str> =
            format!("{}|tokens|{}|{gate:?}", self.view.class, field.field_id()).into();
        let mut total = 0u64;
        for seg in self.searcher.segment_readers() {
            total += gate_cache::segment_number(&name, seg, || {
                let bits = self.set(gate, seg)?;
                let norms = seg.get_fieldnorms_reader(field)?;
                let mut n = 0u64;
                for (w, word) in bits.iter().enumerate() {
                    let mut word = *word;
                    while word != 0 {
                        let d = (w * 64) as u32 + word.trailing_zeros();
                        n += u64::from(norms.fieldnorm(d));
                        word &= word - 1;
                    }
                }
                Ok(n)
            })?;
        }
        Ok(total)
    }

    fn total_num_docs(&self) -> tantivy::Result<u64> {
        if self.view.everything() {
            return tantivy::query::Bm25StatisticsProvider::total_num_docs(self.searcher);
        }
        let mut n = 0u64;
        for seg in self.searcher.segment_readers() {
            let bits = self.set(Gate::Visible, seg)?;
            n += bits.iter().map(|w| u64::from(w.count_ones())).sum::<u64>();
        }
        Ok(n)
    }

    fn doc_freq(&self, term: &Term) -> tantivy::Result<u64> {
        if self.view.everything() {
            return self.searcher.doc_freq(term);
        }
        let gate = self.view.field_gate(term.field());
        let mut n = 0u64;
        for seg in self.searcher.segment_readers() {
            let bits = self.set(gate, seg)?;
            let inv = seg.inverted_index(term.field())?;
            if let Some(mut postings) = inv.read_postings(term, IndexRecordOption::Basic)? {
                let mut d = postings.doc();
                while d != tantivy::TERMINATED {
                    if gate_cache::has(&bits, d) {
                        n += 1;
                    }
                    d = postings.advance();
                }
            }
        }
        Ok(n)
    }
}

/// The index terms of `marking:` for one portion's effective marking: the level
/// (its rank code) joined with every subset of its controls (`S`, `S/NF`, `S/OC`,
/// `S/NF/OC`), and every non-empty subset alone (`NF`, `NF/OC`), so that a
/// `marking:` value matches a portion at that level carrying at least those
/// controls. A marking with more than [`MAX_SUBSET_CONTROLS`] controls (an
/// unreadable mark in a cable full of controls) gets its whole code, the level
/// alone and the level with each single control.
pub fn marking_terms(m: &cablescope_format::marking::Marking) -> BTreeSet<String> {
    let level = m.level.rank_code();
    let controls: Vec<Control> = Control::ALL
        .into_iter()
        .filter(|c| m.controls.contains(c))
        .collect();
    let code =
        |cs: &[Control]| -> String { cs.iter().map(|c| c.code()).collect::<Vec<_>>().join("/") };
    let mut out = BTreeSet::new();
    out.insert(level.to_string());
    if controls.len() > MAX_SUBSET_CONTROLS {
        out.insert(format!("{level}/{}", code(&controls)));
        for c in &controls {
            out.insert(format!("{level}/{}", c.code()));
            out.insert(c.code().to_string());
        }
        return out;
    }
    for mask in 1u32..(1 << controls.len()) {
        let subset: Vec<Control> = controls
            .iter()
            .enumerate()
            .filter(|(i, _)| mask & (1 << i) != 0)
            .map(|(_, c)| *c)
            .collect();
        let s = code(&subset);
        out.insert(format!("{level}/{s}"));
        out.insert(s);
    }
    out
}

/// Most controls of a marking whose every subset is indexed in `marking`.
pub const MAX_SUBSET_CONTROLS: usize = 6;

#[cfg(test)]
mod tests {
    use super::*;
    use cablescope_format::marking::{Level, Marking};

    #[test]
    fn class_access_is_may_read() {
        let readers = [
            Clearance::none(),
            Clearance::parse("C", &[]).unwrap(),
            Clearance::parse("S", &["NOFORN"]).unwrap(),
            Clearance::parse("S", &["ORCON"]).unwrap(),
            Clearance::parse("TS", &["NOFORN", "ORCON", "PROPIN"]).unwrap(),
            Clearance::all(),
        ];
        let groups: Vec<BTreeSet<Control>> = vec![
            [Control::Orcon].into(),
            [Control::Orcon, Control::Noforn].into(),
            [Control::Si, Control::Noforn].into(),
        ];
        for r in &readers {
            for level in Level::ALL {
                let plain = Marking::level(level);
                let nf = Marking {
                    level,
                    controls: [Control::Noforn].into(),
                };
                for m in [&plain, &nf] {
                    let ok = class_access(r, m.class()) == ClassAccess::Open;
                    assert_eq!(ok, r.may_read(m), "{} {}", r.describe(), m.code());
                }
                for g in &groups {
                    let m = Marking {
                        level,
                        controls: g.clone(),
                    };
                    let ok = match class_access(r, m.class()) {
                        ClassAccess::Open => true,
                        ClassAccess::IfGroupHeld => r.holds_all(g),
                        ClassAccess::Closed => false,
                    };
                    assert_eq!(ok, r.may_read(&m), "{} {}", r.describe(), m.code());
                }
            }
        }
    }

    #[test]
    fn marking_terms_hold_every_subset() {
        let m = Marking {
            level: Level::Lou,
            controls: [Control::Orcon, Control::Noforn].into(),
        };
        let t: Vec<String> = marking_terms(&m).into_iter().collect();
        assert_eq!(
            t,
            ["NF", "NF/OC", "OC", "SBU", "SBU/NF", "SBU/NF/OC", "SBU/OC"]
        );
    }
}
