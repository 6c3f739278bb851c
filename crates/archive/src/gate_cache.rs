//! The documents each clearance gate opens, computed once per (reader class,
//! segment) instead of once per query.
//!
//! A reader's gates ([`crate::gating::ReaderView`]) are filters that depend only on
//! who reads (clearance, date, declassification policy) and on the index, never on
//! the query. Evaluated per query they cost more than the query itself: the
//! visibility filter is a union over class terms with a `TermSetQuery` (an FST built
//! per query) and the restricted reader's ranking statistics walk every document's
//! field norm. Here each gate is evaluated once per segment into a bit set, kept in
//! a process-wide cache keyed by the reader class, the gate, the segment's id and
//! its delete opstamp, and searched as a [`CachedSetQuery`] whose scorer walks the
//! shared bits.
//!
//! The cache is never a result cache: it holds what a reader may see, not what a
//! query found, and a segment's entry is exact for that segment's content (segment
//! ids are random UUIDs, never reused; deletes change the opstamp). Entries of
//! merged-away segments age out when the cache passes its byte budget.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};

use tantivy::query::{ConstScorer, EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::{DocId, DocSet, Score, SegmentReader, TantivyError, TERMINATED};

/// Most bytes of bit sets the cache keeps before it drops the least recently used
/// half (a set is one bit per document of a segment: 31 KB per 251,287 documents).
const BUDGET_BYTES: usize = 128 << 20;

/// What identifies an entry: the filter's meaning (reader class and gate, written
/// by the caller) and the segment's content.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
struct EntryKey {
    filter: Arc<str>,
    segment: tantivy::index::SegmentId,
    deletes: Option<u64>,
}

#[derive(Default)]
struct Cache {
    sets: HashMap<EntryKey, (Arc<[u64]>, u64)>,
    numbers: HashMap<EntryKey, (u64, u64)>,
    bytes: usize,
    tick: u64,
}

impl Cache {
    fn shrink(&mut self) {
        if self.bytes <= BUDGET_BYTES {
            return;
        }
        let mut ticks: Vec<u64> = self.sets.values().map(|(_, t)| *t).collect();
        ticks.sort_unstable();
        let cut = ticks[ticks.len() / 2];
        self.sets.retain(|_, (_, t)| *t > cut);
        self.numbers.retain(|_, (_, t)| *t > cut);
        self.bytes = self.sets.values().map(|(b, _)| b.len() * 8).sum();
    }
}

static CACHE: LazyLock<Mutex<Cache>> = LazyLock::new(|| Mutex::new(Cache::default()));

fn key(filter: &Arc<str>, reader: &SegmentReader) -> EntryKey {
    EntryKey {
        filter: filter.clone(),
        segment: reader.segment_id(),
        deletes: reader.delete_opstamp(),
    }
}

fn lock() -> std::sync::MutexGuard<'static, Cache> {
    // The cache holds only derived data: after a panic elsewhere it is still valid.
    CACHE
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The live documents of `reader` that the filter named `name` matches, as bit
/// words (bit `d % 64` of word `d / 64`), from the cache or computed now (the
/// filter is built by `filter` only then).
pub(crate) fn segment_bits(
    name: &Arc<str>,
    reader: &SegmentReader,
    filter: impl FnOnce() -> Box<dyn Query>,
) -> tantivy::Result<Arc<[u64]>> {
    let k = key(name, reader);
    {
        let mut c = lock();
        c.tick += 1;
        let tick = c.tick;
        if let Some((bits, t)) = c.sets.get_mut(&k) {
            *t = tick;
            return Ok(bits.clone());
        }
    }
    // Computed outside the lock: two threads may compute the same set once each.
    let weight = filter().weight(EnableScoring::disabled_from_schema(reader.schema()))?;
    let mut bits = vec![0u64; (reader.max_doc() as usize).div_ceil(64)];
    weight.for_each_no_score(reader, &mut |docs| {
        for &d in docs {
            if !reader.is_deleted(d) {
                bits[d as usize / 64] |= 1 << (d % 64);
            }
        }
    })?;
    let bits: Arc<[u64]> = bits.into();
    let mut c = lock();
    c.tick += 1;
    let tick = c.tick;
    c.bytes += bits.len() * 8;
    c.sets.insert(k, (bits.clone(), tick));
    c.shrink();
    Ok(bits)
}

/// A number derived from one segment (a field's token total over a gate), from
/// the cache under `name` or computed by `compute` now.
pub(crate) fn segment_number(
    name: &Arc<str>,
    reader: &SegmentReader,
    compute: impl FnOnce() -> tantivy::Result<u64>,
) -> tantivy::Result<u64> {
    let k = key(name, reader);
    {
        let mut c = lock();
        c.tick += 1;
        let tick = c.tick;
        if let Some((n, t)) = c.numbers.get_mut(&k) {
            *t = tick;
            return Ok(*n);
        }
    }
    let n = compute()?;
    let mut c = lock();
    c.tick += 1;
    let tick = c.tick;
    c.numbers.insert(k, (n, tick));
    Ok(n)
}

/// True when bit `d` is set.
pub(crate) fn has(bits: &[u64], d: DocId) -> bool {
    bits.get(d as usize / 64)
        .is_some_and(|w| w & (1 << (d % 64)) != 0)
}

/// A filter query that matches what `filter` matches, evaluated once per segment
/// and reader class through the cache (see the module documentation). `name` must
/// determine `filter`'s meaning: two queries under one name share their sets.
#[derive(Clone, Debug)]
pub(crate) struct CachedSetQuery {
    name: Arc<str>,
    filter: Arc<dyn Query>,
}

impl CachedSetQuery {
    /// `filter` cached under `name`.
    pub(crate) fn new(name: impl Into<Arc<str>>, filter: Box<dyn Query>) -> CachedSetQuery {
        CachedSetQuery {
            name: name.into(),
            filter: filter.into(),
        }
    }
}

impl Query for CachedSetQuery {
    fn weight(&self, _scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        // The filter's own weight is built only for a segment the cache lacks.
        Ok(Box::new(CachedSetWeight(self.clone())))
    }
}

struct CachedSetWeight(CachedSetQuery);

impl Weight for CachedSetWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let bits = segment_bits(&self.0.name, reader, || self.0.filter.box_clone())?;
        Ok(Box::new(ConstScorer::new(BitsDocSet::new(bits), boost)))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let bits = segment_bits(&self.0.name, reader, || self.0.filter.box_clone())?;
        if has(&bits, doc) {
            Ok(Explanation::new("in the reader's gate", 1.0))
        } else {
            Err(TantivyError::InvalidArgument(format!(
                "document {doc} is not in the gate {}",
                self.0.name
            )))
        }
    }
}

/// A doc set over shared bit words. Hand-written because tantivy's
/// `BitSetDocSet` owns its set: sharing one set between concurrent queries would
/// otherwise cost a copy per query and segment.
struct BitsDocSet {
    bits: Arc<[u64]>,
    /// The word holding `doc`, and its bits above `doc` still to visit.
    word: usize,
    rest: u64,
    doc: DocId,
}

impl BitsDocSet {
    fn new(bits: Arc<[u64]>) -> BitsDocSet {
        let mut s = BitsDocSet {
            rest: bits.first().copied().unwrap_or(0),
            bits,
            word: 0,
            doc: 0,
        };
        s.advance();
        s
    }
}

impl DocSet for BitsDocSet {
    fn advance(&mut self) -> DocId {
        loop {
            if self.rest != 0 {
                let low = self.rest.trailing_zeros();
                self.rest &= self.rest - 1;
                self.doc = (self.word as u32) * 64 + low;
                return self.doc;
            }
            self.word += 1;
            match self.bits.get(self.word) {
                Some(w) => self.rest = *w,
                None => {
                    self.word = self.bits.len();
                    self.doc = TERMINATED;
                    return TERMINATED;
                }
            }
        }
    }

    fn seek(&mut self, target: DocId) -> DocId {
        if self.doc >= target {
            return self.doc;
        }
        let w = target as usize / 64;
        if w >= self.bits.len() {
            self.word = self.bits.len();
            self.rest = 0;
            self.doc = TERMINATED;
            return TERMINATED;
        }
        if w > self.word {
            self.word = w;
            self.rest = self.bits[w];
        }
        // Drop the bits below the target within its word.
        let shift = target % 64;
        self.rest &= !((1u64 << shift) - 1);
        self.advance()
    }

    fn doc(&self) -> DocId {
        self.doc
    }

    fn size_hint(&self) -> u32 {
        self.bits.iter().map(|w| w.count_ones()).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn bits_of(docs: &[u32], max: u32) -> Arc<[u64]> {
        let mut b = vec![0u64; (max as usize).div_ceil(64).max(1)];
        for &d in docs {
            b[d as usize / 64] |= 1 << (d % 64);
        }
        b.into()
    }

    proptest! {
        /// Advancing and seeking visit exactly the set's documents, in order.
        #[test]
        fn walks_and_seeks_like_a_sorted_list(
            mut docs in proptest::collection::vec(0u32..700, 0..80),
            seeks in proptest::collection::vec(0u32..760, 0..20),
        ) {
            docs.sort_unstable();
            docs.dedup();
            let bits = bits_of(&docs, 700);
            let mut s = BitsDocSet::new(bits.clone());
            let mut seen = Vec::new();
            while s.doc() != TERMINATED {
                seen.push(s.doc());
                s.advance();
            }
            prop_assert_eq!(&seen, &docs);
            let mut s = BitsDocSet::new(bits);
            let mut seeks = seeks;
            seeks.sort_unstable();
            for t in seeks {
                let cur = s.doc();
                let want = if cur >= t {
                    cur
                } else {
                    docs.iter().copied().find(|&d| d >= t).unwrap_or(TERMINATED)
                };
                prop_assert_eq!(s.seek(t), want);
                prop_assert_eq!(s.doc(), want);
            }
        }
    }

    #[test]
    fn an_empty_set_is_terminated() {
        let s = BitsDocSet::new(bits_of(&[], 0));
        assert_eq!(s.doc(), TERMINATED);
        let mut s = BitsDocSet::new(bits_of(&[], 130));
        assert_eq!(s.doc(), TERMINATED);
        assert_eq!(s.seek(5), TERMINATED);
    }
}
