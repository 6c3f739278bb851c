//! Facet counts: how many matches of a search carry each value of a facet field
//! (origin, TAGS, classification, level, captions, year, month), counted in the
//! same pass over the matches as the page of hits.
//!
//! Hand-written rather than tantivy's aggregation framework, which builds its
//! request from JSON, keeps per-bucket state for every request and serialises its
//! result back to JSON: for these fixed keyword and integer columns a count per
//! term ordinal is several times cheaper, and the search with facets is the
//! search the web page asks for on every query.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::sync::{LazyLock, Mutex};

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::{Column, StrColumn};
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader};

/// A facet of search results.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Facet {
    /// The post that sent the cable.
    Origin,
    /// TAGS.
    Tag,
    /// The classification as written.
    Classification,
    /// The classification level.
    Level,
    /// Handling captions (NOFORN, EXDIS, ...).
    Caption,
    /// Year of creation.
    Year,
    /// Month of creation (`YYYY-MM`).
    Month,
}

impl Facet {
    /// Every facet.
    pub const ALL: [Facet; 7] = [
        Facet::Origin,
        Facet::Tag,
        Facet::Classification,
        Facet::Level,
        Facet::Caption,
        Facet::Year,
        Facet::Month,
    ];

    /// The facet's name (its index field, and its key in results).
    pub fn name(self) -> &'static str {
        match self {
            Facet::Origin => "origin",
            Facet::Tag => "tag",
            Facet::Classification => "classification",
            Facet::Level => "level",
            Facet::Caption => "caption",
            Facet::Year => "year",
            Facet::Month => "month",
        }
    }

    /// The facet named `name`.
    pub fn from_name(name: &str) -> Option<Facet> {
        Facet::ALL.into_iter().find(|f| f.name() == name)
    }

    /// Most buckets returned (the largest counts; `year` and `month` hold every
    /// value a collection can plausibly have).
    pub fn max_buckets(self) -> usize {
        match self {
            Facet::Origin | Facet::Tag => 50,
            Facet::Classification => 20,
            Facet::Level => 10,
            Facet::Caption => 30,
            Facet::Year => 200,
            Facet::Month => 2000,
        }
    }

    fn numeric(self) -> bool {
        matches!(self, Facet::Year | Facet::Month)
    }
}

/// A set of facets to count (none by default: facets cost a pass over every
/// match, and only pages that show them ask).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FacetSet(u8);

impl FacetSet {
    /// No facet.
    pub const NONE: FacetSet = FacetSet(0);
    /// Every facet.
    pub const ALL: FacetSet = FacetSet((1 << Facet::ALL.len()) - 1);

    /// The set of `facets`.
    pub fn of(facets: &[Facet]) -> FacetSet {
        FacetSet(facets.iter().fold(0, |m, f| m | (1 << *f as u8)))
    }

    /// True when `f` is in the set.
    pub fn contains(self, f: Facet) -> bool {
        self.0 & (1 << f as u8) != 0
    }

    /// True when the set is empty.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The facets of the set, in [`Facet::ALL`] order.
    pub fn iter(self) -> impl Iterator<Item = Facet> {
        Facet::ALL.into_iter().filter(move |f| self.contains(*f))
    }

    /// This set with `f` added.
    pub fn with(self, f: Facet) -> FacetSet {
        FacetSet(self.0 | (1 << f as u8))
    }
}

/// Buckets per facet name: (value, matches), largest count first (ties by value).
pub type FacetCounts = BTreeMap<String, Vec<(String, u64)>>;

/// Counts the facets of `set` over every document collected.
pub(crate) struct FacetCollector {
    pub set: FacetSet,
}

enum Counter {
    Keyword {
        column: Option<StrColumn>,
        by_ord: Vec<u64>,
    },
    Number {
        column: Option<Column<u64>>,
        by_value: HashMap<u64, u64>,
    },
}

pub(crate) struct FacetSegment {
    counters: Vec<(Facet, Counter)>,
}

/// Per facet, value → matches.
pub(crate) struct FacetFruit(Vec<(Facet, HashMap<String, u64>)>);

impl Collector for FacetCollector {
    type Fruit = FacetFruit;
    type Child = FacetSegment;

    fn for_segment(
        &self,
        _segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<FacetSegment> {
        let ff = reader.fast_fields();
        let mut counters = Vec::new();
        for f in self.set.iter() {
            let c = if f.numeric() {
                Counter::Number {
                    column: ff.column_opt::<u64>(f.name())?,
                    by_value: HashMap::new(),
                }
            } else {
                let column = ff.str(f.name())?;
                let n = column.as_ref().map_or(0, |c| c.num_terms());
                Counter::Keyword {
                    column,
                    by_ord: vec![0; n],
                }
            };
            counters.push((f, c));
        }
        Ok(FacetSegment { counters })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<FacetFruit>) -> tantivy::Result<FacetFruit> {
        let mut out: Vec<(Facet, HashMap<String, u64>)> =
            self.set.iter().map(|f| (f, HashMap::new())).collect();
        for fruit in fruits {
            for (f, counts) in fruit.0 {
                if let Some((_, into)) = out.iter_mut().find(|(g, _)| *g == f) {
                    for (k, n) in counts {
                        *into.entry(k).or_default() += n;
                    }
                }
            }
        }
        Ok(FacetFruit(out))
    }
}

impl SegmentCollector for FacetSegment {
    type Fruit = FacetFruit;

    fn collect(&mut self, doc: DocId, _score: Score) {
        for (_, c) in &mut self.counters {
            match c {
                Counter::Keyword {
                    column: Some(col),
                    by_ord,
                } => {
                    for ord in col.term_ords(doc) {
                        if let Some(n) = by_ord.get_mut(ord as usize) {
                            *n += 1;
                        }
                    }
                }
                Counter::Number {
                    column: Some(col),
                    by_value,
                } => {
                    for v in col.values_for_doc(doc) {
                        *by_value.entry(v).or_default() += 1;
                    }
                }
                _ => {}
            }
        }
    }

    fn harvest(self) -> FacetFruit {
        let mut out = Vec::with_capacity(self.counters.len());
        for (f, c) in self.counters {
            let mut counts = HashMap::new();
            match c {
                Counter::Keyword {
                    column: Some(col),
                    by_ord,
                } => {
                    let mut buf = String::new();
                    for (ord, n) in by_ord.into_iter().enumerate() {
                        buf.clear();
                        if n > 0 && col.ord_to_str(ord as u64, &mut buf).unwrap_or(false) {
                            counts.insert(buf.clone(), n);
                        }
                    }
                }
                Counter::Number { by_value, .. } => {
                    counts = by_value
                        .into_iter()
                        .map(|(v, n)| (v.to_string(), n))
                        .collect();
                }
                Counter::Keyword { column: None, .. } => {}
            }
            out.push((f, counts));
        }
        FacetFruit(out)
    }
}

impl FacetFruit {
    /// The buckets of each facet: largest count first, ties by value, at most
    /// [`Facet::max_buckets`].
    pub(crate) fn into_counts(self) -> FacetCounts {
        self.0
            .into_iter()
            .map(|(f, counts)| {
                let mut b: Vec<(String, u64)> = counts.into_iter().collect();
                b.sort_by(|x, y| y.1.cmp(&x.1).then_with(|| x.0.cmp(&y.0)));
                b.truncate(f.max_buckets());
                (f.name().to_string(), b)
            })
            .collect()
    }
}

/// Most facet results kept by [`memo_put`].
const MEMO_ENTRIES: usize = 256;

#[derive(Default)]
struct Memo {
    map: HashMap<String, (FacetCounts, u64)>,
    tick: u64,
}

/// Facet counts already computed, so that paging through one query's results (the
/// web page asks for facets on every page) counts them once. Keyed by the
/// restricted query as tantivy sees it (which names the reader class's gates), the
/// facets asked and the index's content (segment ids and delete opstamps): an
/// entry is exact for that content, and a commit changes the key. Queries seen
/// once gain nothing from it; the search itself is never cached.
static MEMO: LazyLock<Mutex<Memo>> = LazyLock::new(|| Mutex::new(Memo::default()));

fn memo() -> std::sync::MutexGuard<'static, Memo> {
    // Derived data only: valid after a panic elsewhere.
    MEMO.lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The memo key of counting `set` over the matches of `q` in `searcher`.
pub(crate) fn memo_key(
    q: &dyn tantivy::query::Query,
    set: FacetSet,
    searcher: &tantivy::Searcher,
) -> String {
    let mut k = format!("{set:?}|{q:?}|");
    for r in searcher.segment_readers() {
        let _ = write!(
            k,
            "{}:{:?},",
            r.segment_id().uuid_string(),
            r.delete_opstamp()
        );
    }
    k
}

/// The counts memoised under `key`.
pub(crate) fn memo_get(key: &str) -> Option<FacetCounts> {
    let mut m = memo();
    m.tick += 1;
    let tick = m.tick;
    m.map.get_mut(key).map(|(c, t)| {
        *t = tick;
        c.clone()
    })
}

/// Memoises `counts` under `key`, dropping the least recently used entries past
/// [`MEMO_ENTRIES`].
pub(crate) fn memo_put(key: String, counts: &FacetCounts) {
    let mut m = memo();
    m.tick += 1;
    let tick = m.tick;
    m.map.insert(key, (counts.clone(), tick));
    if m.map.len() > MEMO_ENTRIES {
        let mut ticks: Vec<u64> = m.map.values().map(|(_, t)| *t).collect();
        ticks.sort_unstable();
        let cut = ticks[ticks.len() / 2];
        m.map.retain(|_, (_, t)| *t > cut);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sets_hold_what_they_are_given() {
        let s = FacetSet::of(&[Facet::Tag, Facet::Year]);
        assert!(s.contains(Facet::Tag) && s.contains(Facet::Year));
        assert!(!s.contains(Facet::Origin));
        assert_eq!(s.iter().collect::<Vec<_>>(), [Facet::Tag, Facet::Year]);
        assert!(FacetSet::NONE.is_empty());
        assert_eq!(FacetSet::ALL.iter().count(), Facet::ALL.len());
        assert_eq!(
            FacetSet::NONE.with(Facet::Month),
            FacetSet::of(&[Facet::Month])
        );
        for f in Facet::ALL {
            assert_eq!(Facet::from_name(f.name()), Some(f));
        }
        assert_eq!(Facet::from_name("nope"), None);
    }
}
