//! The reference graph (cites / cited-by walks, missing cables) and archive
//! statistics.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use crate::archive::Archive;
use crate::error::Result;
use crate::index::Index;
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
    /// Cited ids not in the archive, most cited first (with how many cables cite them).
    pub most_cited_missing: Counts,
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

    /// Counts by year, origin, classification and level, and the `missing_limit`
    /// most-cited missing cables.
    pub fn stats(&self, missing_limit: usize) -> Result<Stats> {
        let mut by_year = self.store.count_by("year")?;
        by_year.sort();
        Ok(Stats {
            cables: self.store.count()?,
            by_year,
            by_origin: self.store.count_by("origin")?,
            by_classification: self.store.count_by("classification")?,
            by_level: self.store.count_by("level")?,
            most_cited_missing: self.store.most_cited_missing(missing_limit)?,
        })
    }
}
