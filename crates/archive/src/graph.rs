//! The reference graph (cites / cited-by walks, missing cables) and archive
//! statistics, whole ([`Archive::refs`], [`Archive::stats`]) or as one reader's
//! [`Scope`] lets the index see them ([`Archive::graph_for`], [`Archive::stats_for`],
//! [`Archive::visible_ids`]).
//!
//! For a reader, a cable they may not see is exactly like a cable the archive does
//! not hold: a cited one is listed as missing, and it is never counted. Citation
//! edges come from REF lists, which are header text at the citing cable's overall
//! level: there are no edges out of a cable whose REF list the reader may not read
//! (see [`crate::gating`]).

use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};

use tantivy::collector::{Collector, SegmentCollector};
use tantivy::query::{AllQuery, Query as TQuery, TermSetQuery};
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader, Term};

use crate::archive::Archive;
use crate::error::Result;
use crate::gating::{Gate, ReaderView, Scope};
use crate::graph_format::{GraphEdge, GraphNode};
use crate::index::{terms_counts, Index, SearchOptions, Sort, TantivyIndex};
use crate::query::Query;
use crate::store::{Counts, Edge, Store};

/// Which edges a walk follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Direction {
    /// What the cable cites.
    Cites,
    /// What cites the cable.
    CitedBy,
    /// Both.
    #[default]
    Both,
}

/// A cable met by a walk.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Node {
    /// Cable id.
    pub id: String,
    /// Steps from the start.
    pub depth: u32,
    /// False when the id is cited but not in the archive.
    pub present: bool,
}

/// The result of a walk.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct RefWalk {
    /// Cables met, in order of discovery (the start first).
    pub nodes: Vec<Node>,
    /// Edges followed.
    pub edges: Vec<Edge>,
}

impl RefWalk {
    /// Cited ids that are not in the archive.
    pub fn missing(&self) -> Vec<&str> {
        self.nodes
            .iter()
            .filter(|n| !n.present)
            .map(|n| n.id.as_str())
            .collect()
    }
}

/// A citation graph of the cables a query matches ([`Archive::graph_for`]).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Graph {
    /// The matched cables (by id), then the cables they cite that were not matched.
    pub nodes: Vec<GraphNode>,
    /// Citations out of the matched cables.
    pub edges: Vec<GraphEdge>,
}

/// Archive statistics.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Stats {
    /// Cables.
    pub cables: u64,
    /// Counts by year.
    pub by_year: Counts,
    /// Counts by origin station.
    pub by_origin: Counts,
    /// Counts by classification string.
    pub by_classification: Counts,
    /// Counts by level (U, SBU, C, S, TS).
    pub by_level: Counts,
    /// Counts by TAGS entry, largest first (a cable counts once per tag; cables
    /// without tags are not counted).
    pub by_tag: Counts,
    /// Counts by month of creation (`YYYY-MM`), in date order; undated cables
    /// are not counted.
    pub by_month: Counts,
    /// Cited ids not in the archive, most cited first (with how many cables cite them).
    pub most_cited_missing: Counts,
    /// Every portion mark seen, as written, with how it reads: unreadable ones
    /// first, then by how many cables carry it ([`MarkCount`]).
    pub marks: Vec<MarkCount>,
}

/// A portion mark as written in the archive's records, and how the marking
/// vocabulary reads the mark the record keeps for it
/// (`cablescope_format::marking::read_mark`, the reading every clearance check
/// starts from).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct MarkCount {
    /// The mark as written (`S//OC/NF`, `S-NF`).
    pub written: String,
    /// The mark the record keeps for it (the parser's normalised form), when that
    /// differs from `written`.
    pub stored: Option<String>,
    /// True when the grammar cannot read it all: the portion is judged by the
    /// unreadable-mark rule (the cable's highest level and every control seen).
    pub unknown: bool,
    /// The normalised code of what could be read (`S/NF/OC`; empty when nothing).
    pub code: String,
    /// The level it names (`S`), if any.
    pub level: Option<String>,
    /// The controls it carries (`NOFORN`, `ORCON`).
    pub controls: Vec<String>,
    /// How many cables (that the reader may see) carry it.
    pub cables: u64,
}

impl MarkCount {
    /// How a mark reads, carried by `cables` cables: `key` is the stored mark, or
    /// `written<TAB>stored` when they differ (as the index keeps it).
    pub fn read(key: &str, cables: u64) -> MarkCount {
        use cablescope_format::marking::{read_mark, MarkReading, PortionMark};
        let (written, stored) = match key.split_once('\t') {
            Some((w, s)) => (w, Some(s)),
            None => (key, None),
        };
        let (unknown, m) = match read_mark(stored.unwrap_or(written)) {
            MarkReading::Known(m) => (false, m),
            MarkReading::Unknown(m) => (true, m),
            MarkReading::NotAMark => (true, PortionMark::default()),
        };
        MarkCount {
            written: written.to_string(),
            stored: stored.map(str::to_string),
            unknown,
            code: m.code(),
            level: m.level.map(|l| l.code().to_string()),
            controls: m.controls.iter().map(|c| c.name().to_string()).collect(),
            cables,
        }
    }
}

/// Most distinct marks listed by the statistics.
const MAX_MARKS: usize = 10_000;

/// The marks listing of `counts` (written mark, cables): unreadable first, then
/// most frequent, then by name.
fn marks_of(counts: Vec<(String, u64)>) -> Vec<MarkCount> {
    let mut v: Vec<MarkCount> = counts
        .into_iter()
        .filter(|(w, _)| !w.is_empty())
        .map(|(w, n)| MarkCount::read(&w, n))
        .collect();
    v.sort_by(|a, b| {
        b.unknown
            .cmp(&a.unknown)
            .then_with(|| b.cables.cmp(&a.cables))
            .then_with(|| a.written.cmp(&b.written))
    });
    v
}

impl<S: Store, I: Index> Archive<S, I> {
    /// Walks the reference graph from `id` up to `depth` steps. Missing cables (cited
    /// but not in the archive) are listed and not walked further.
    pub fn refs(&self, id: &str, direction: Direction, depth: u32) -> Result<RefWalk> {
        let mut out = RefWalk::default();
        let mut seen: BTreeMap<String, usize> = BTreeMap::new();
        let mut edges: BTreeSet<Edge> = BTreeSet::new();
        let present = |s: &S, id: &str| -> Result<bool> { Ok(s.cable(id)?.is_some()) };
        let start_present = present(&self.store, id)?;
        seen.insert(id.to_string(), 0);
        out.nodes.push(Node {
            id: id.to_string(),
            depth: 0,
            present: start_present,
        });
        let mut queue = VecDeque::from([(id.to_string(), 0u32)]);
        while let Some((cur, d)) = queue.pop_front() {
            if d >= depth {
                continue;
            }
            let mut next: Vec<(Edge, String)> = Vec::new();
            if matches!(direction, Direction::Cites | Direction::Both) {
                for e in self.store.cites(&cur)? {
                    let to = e.to.clone();
                    next.push((e, to));
                }
            }
            if matches!(direction, Direction::CitedBy | Direction::Both) {
                for e in self.store.cited_by(&cur)? {
                    let from = e.from.clone();
                    next.push((e, from));
                }
            }
            for (e, other) in next {
                edges.insert(e);
                if seen.contains_key(&other) {
                    continue;
                }
                let p = present(&self.store, &other)?;
                seen.insert(other.clone(), out.nodes.len());
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
        Ok(out)
    }
}

impl<S: Store> Archive<S, TantivyIndex> {
    /// Counts by year, origin, classification and level, the `missing_limit`
    /// most-cited missing cables, and every portion mark seen: the whole archive.
    pub fn stats(&self, missing_limit: usize) -> Result<Stats> {
        let (by_tag, by_month) =
            tags_and_months(&self.index.searcher(), &tantivy::query::AllQuery)?;
        let mut by_year = self.store.count_by("year")?;
        by_year.sort();
        Ok(Stats {
            cables: self.store.count()?,
            by_year,
            by_origin: self.store.count_by("origin")?,
            by_classification: self.store.count_by("classification")?,
            by_level: self.store.count_by("level")?,
            // The store keeps tags as JSON lists: the index counts them.
            by_tag,
            by_month,
            most_cited_missing: self.store.most_cited_missing(missing_limit)?,
            marks: self.marks_seen(&Scope::unrestricted())?,
        })
    }

    /// The portion marks of the cables the reader `scope` may see, with how many
    /// cables carry each ([`MarkCount`]).
    pub fn marks_seen(&self, scope: &Scope) -> Result<Vec<MarkCount>> {
        let view = ReaderView::new(self.index.fields(), scope);
        let searcher = self.index.searcher();
        let all = view.restrict(Box::new(AllQuery));
        let mut counts = terms_counts(&searcher, all.as_ref(), &[("mark_written", MAX_MARKS)])?;
        Ok(marks_of(counts.remove("mark_written").unwrap_or_default()))
    }

    /// The citation graph of the cables `q` matches for the reader `scope`: the matched
    /// cables, the cables they cite (`present` when the reader may see them), and
    /// the citations out of matched cables whose REF list the reader may read.
    pub fn graph_for(&self, q: &Query, scope: &Scope) -> Result<Graph> {
        let opts = SearchOptions::new(scope.clone());
        let mut nodes: BTreeMap<String, GraphNode> = BTreeMap::new();
        let mut cursor = None;
        loop {
            let r = self.search_query(
                q,
                &SearchOptions {
                    limit: 1000,
                    sort: Sort::Date,
                    cursor: cursor.take(),
                    ..opts.clone()
                },
            )?;
            for h in r.hits {
                nodes.insert(
                    h.id.clone(),
                    GraphNode {
                        id: h.id,
                        present: true,
                        matched: true,
                        created: h.created,
                        origin: h.origin,
                        classification: h.classification,
                        subject: h.subject,
                    },
                );
            }
            match r.next_cursor {
                Some(c) => cursor = Some(c),
                None => break,
            }
        }
        let with_refs: Option<BTreeSet<String>> = if scope.sees_everything() {
            None
        } else {
            let (view, t) = self.view_and_query(q, scope)?;
            let gated = view.restrict(view.gated(Gate::Header, t));
            Some(self.ids_matching(gated.as_ref())?.into_iter().collect())
        };
        let mut edges = Vec::new();
        let mut targets = BTreeSet::new();
        for id in nodes.keys() {
            if with_refs.as_ref().is_some_and(|s| !s.contains(id)) {
                continue;
            }
            for e in self.store.cites(id)? {
                targets.insert(e.to.clone());
                edges.push(GraphEdge {
                    from: e.from,
                    to: e.to,
                    label: e.label,
                });
            }
        }
        let targets: Vec<String> = targets
            .into_iter()
            .filter(|t| !nodes.contains_key(t))
            .collect();
        let present = self.visible_ids(&targets, scope)?;
        for t in targets {
            let p = present.contains(&t);
            nodes.insert(
                t.clone(),
                GraphNode {
                    id: t,
                    present: p,
                    ..GraphNode::default()
                },
            );
        }
        let (mut matched, cited): (Vec<GraphNode>, Vec<GraphNode>) =
            nodes.into_values().partition(|n| n.matched);
        matched.extend(cited);
        Ok(Graph {
            nodes: matched,
            edges,
        })
    }

    /// The ids among `ids` of cables the reader `scope` may see.
    pub fn visible_ids(&self, ids: &[String], scope: &Scope) -> Result<BTreeSet<String>> {
        if scope.sees_everything() {
            return Ok(self.store.present(ids)?.into_iter().collect());
        }
        let view = ReaderView::new(self.index.fields(), scope);
        let f = self.index.fields();
        let mut out = BTreeSet::new();
        for chunk in ids.chunks(1000) {
            let q: Box<dyn TQuery> = Box::new(TermSetQuery::new(
                chunk.iter().map(|i| Term::from_field_text(f.id, i)),
            ));
            out.extend(self.ids_matching(view.restrict(q).as_ref())?);
        }
        Ok(out)
    }

    /// [`Archive::stats`] over the cables the reader `scope` may see, from the index (so that
    /// nothing invisible is counted): counts by year, origin, classification and
    /// level (an empty key counts cables without the value), and the
    /// `missing_limit` most-cited cables the reader cannot see, counted over the
    /// citations they may read.
    pub fn stats_for(&self, missing_limit: usize, scope: &Scope) -> Result<Stats> {
        let view = ReaderView::new(self.index.fields(), scope);
        let searcher = self.index.searcher();
        let all = view.restrict(Box::new(AllQuery));
        let cables = searcher.search(all.as_ref(), &tantivy::collector::Count)? as u64;
        let mut counts = terms_counts(
            &searcher,
            all.as_ref(),
            &[
                ("year", 10_000),
                ("origin", 60_000),
                ("classification", 10_000),
                ("level", 10),
            ],
        )?;
        let (by_tag, by_month) = tags_and_months(&searcher, all.as_ref())?;
        let mut take = |name: &str| -> Counts {
            let mut c = counts.remove(name).unwrap_or_default();
            let known: u64 = c.iter().map(|x| x.1).sum();
            if known < cables {
                c.push((String::new(), cables - known));
            }
            c.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            c
        };
        let mut by_year = take("year");
        by_year.sort();
        let by_origin = take("origin");
        let by_classification = take("classification");
        let by_level = take("level");
        let most_cited_missing = if scope.sees_everything() {
            self.store.most_cited_missing(missing_limit)?
        } else {
            let citing = view.restrict(view.gated(Gate::Header, Box::new(AllQuery)));
            let counted = searcher.search(citing.as_ref(), &CitesCounter)?;
            let mut ranked: Vec<(String, u64)> = counted.into_iter().collect();
            ranked.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
            let mut out = Vec::new();
            for chunk in ranked.chunks(missing_limit.max(1) * 4) {
                if out.len() >= missing_limit {
                    break;
                }
                let ids: Vec<String> = chunk.iter().map(|x| x.0.clone()).collect();
                let seen = self.visible_ids(&ids, scope)?;
                out.extend(
                    chunk
                        .iter()
                        .filter(|x| !seen.contains(&x.0))
                        .take(missing_limit - out.len())
                        .cloned(),
                );
            }
            out
        };
        Ok(Stats {
            cables,
            by_year,
            by_origin,
            by_classification,
            by_level,
            by_tag,
            by_month,
            most_cited_missing,
            marks: self.marks_seen(scope)?,
        })
    }
}

/// Counts by TAGS entry (largest first) and by month (`YYYY-MM`, in order) over
/// the documents of `q`. Neither is one per cable, so there is no "unknown"
/// bucket: a cable without tags or date is counted in neither.
fn tags_and_months(
    searcher: &tantivy::Searcher,
    q: &dyn tantivy::query::Query,
) -> Result<(Counts, Counts)> {
    let mut counts = terms_counts(searcher, q, &[("tag", 10_000), ("month", 2_000)])?;
    let mut by_tag = counts.remove("tag").unwrap_or_default();
    by_tag.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    // Months are indexed as YYYYMM numbers.
    let mut by_month: Counts = counts
        .remove("month")
        .unwrap_or_default()
        .into_iter()
        .filter(|(k, _)| k.len() == 6 && k.bytes().all(|b| b.is_ascii_digit()))
        .map(|(k, n)| (format!("{}-{}", &k[..4], &k[4..]), n))
        .collect();
    by_month.sort();
    Ok((by_tag, by_month))
}

/// Counts, over the documents of a query, how many cite each id (the `cites` fast
/// field holds each cited id once per cable).
struct CitesCounter;

struct CitesSegment {
    col: Option<tantivy::columnar::StrColumn>,
    counts: HashMap<u64, u64>,
}

impl SegmentCollector for CitesSegment {
    type Fruit = HashMap<String, u64>;

    fn collect(&mut self, doc: DocId, _score: Score) {
        if let Some(col) = &self.col {
            for ord in col.term_ords(doc) {
                *self.counts.entry(ord).or_default() += 1;
            }
        }
    }

    fn harvest(self) -> HashMap<String, u64> {
        let mut out = HashMap::with_capacity(self.counts.len());
        let Some(col) = self.col else {
            return out;
        };
        let mut buf = String::new();
        for (ord, n) in self.counts {
            buf.clear();
            if col.ord_to_str(ord, &mut buf).is_ok() {
                out.insert(buf.clone(), n);
            }
        }
        out
    }
}

impl Collector for CitesCounter {
    type Fruit = HashMap<String, u64>;
    type Child = CitesSegment;

    fn for_segment(
        &self,
        _: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<CitesSegment> {
        Ok(CitesSegment {
            col: reader.fast_fields().str("cites")?,
            counts: HashMap::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<HashMap<String, u64>>) -> tantivy::Result<Self::Fruit> {
        let mut out: HashMap<String, u64> = HashMap::new();
        for f in fruits {
            for (k, n) in f {
                *out.entry(k).or_default() += n;
            }
        }
        Ok(out)
    }
}
