//! The archive: a store and an index kept in agreement, and the operations that
//! change both (removal) or check them (verify).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use cablescope_format::assemble::{assemble, merge_copies};
use cablescope_format::Cable;

use crate::error::Result;
use crate::index::{Index, SearchOptions, SearchResults, TantivyIndex};
use crate::store::{AnyStore, Change, CopyRow, MergeState, Store, StoreLocation, WriteBatch};

/// How many changes are applied to the index per read from the store while it
/// catches up.
const SYNC_CHUNK: usize = 2000;

/// How long an archive opened for writing waits for another writer's index lock
/// (a node's follower applying a few changes) before failing.
const WRITER_LOCK_WAIT: std::time::Duration = std::time::Duration::from_secs(3);

/// An archive directory: the store (the truth) and the index (derived from it).
pub struct Archive<S: Store = AnyStore, I: Index = TantivyIndex> {
    dir: PathBuf,
    pub(crate) store: S,
    pub(crate) index: I,
}

impl Archive {
    /// Opens the embedded archive in `dir`, creating it when absent, and brings the
    /// index up to date with the store (after a crash, or when the index had to be
    /// rebuilt).
    pub fn open(dir: impl AsRef<Path>) -> Result<Archive> {
        Archive::open_on(dir, &StoreLocation::Embedded)
    }

    /// Opens the archive whose store is at `location` and whose index is in `dir`
    /// (creating both when absent), and brings the index up to date with the store.
    /// With a shared database, `dir` is this node's own index of it.
    pub fn open_on(dir: impl AsRef<Path>, location: &StoreLocation) -> Result<Archive> {
        let dir = dir.as_ref().to_path_buf();
        let store = AnyStore::open(&dir, location)?;
        let mut index = TantivyIndex::open(&dir)?;
        index.wait_for_writer(WRITER_LOCK_WAIT);
        let mut a = Archive { dir, store, index };
        a.sync_index()?;
        Ok(a)
    }

    /// Opens an existing embedded archive for reading. Like [`Archive::open`], but
    /// when another process holds the index writer (an ingest in progress), the
    /// index is used as last committed instead of failing: searches then see the
    /// cables committed so far.
    pub fn open_for_reading(dir: impl AsRef<Path>) -> Result<Archive> {
        Archive::open_for_reading_on(dir, &StoreLocation::Embedded)
    }

    /// [`Archive::open_for_reading`] for a store at `location`.
    pub fn open_for_reading_on(dir: impl AsRef<Path>, location: &StoreLocation) -> Result<Archive> {
        let dir = dir.as_ref().to_path_buf();
        let store = AnyStore::open(&dir, location)?;
        let index = TantivyIndex::open(&dir)?;
        let mut a = Archive { dir, store, index };
        match a.sync_index() {
            Ok(_) | Err(crate::Error::Tantivy(tantivy::TantivyError::LockFailure(..))) => {}
            Err(e) => return Err(e),
        }
        a.close_writer();
        Ok(a)
    }
}

impl<S: Store> Archive<S, TantivyIndex> {
    /// Releases the index writer lock (other processes may then write).
    pub fn close_writer(&mut self) {
        self.index.close_writer();
    }
}

/// What [`Archive::verify`] found.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct VerifyReport {
    /// Cables in the store.
    pub store_count: u64,
    /// Documents in the index.
    pub index_count: u64,
    /// Ids in the store but not the index.
    pub missing_in_index: Vec<String>,
    /// Ids in the index but not the store.
    pub extra_in_index: Vec<String>,
    /// Ids indexed more than once.
    pub duplicated_in_index: Vec<String>,
    /// Ids whose indexed version is not the stored one.
    pub stale_in_index: Vec<String>,
    /// Damage reported by the store's own checks.
    pub store_damage: Vec<String>,
    /// Damaged index files ([`crate::integrity`]); a damaged index is not compared
    /// with the store (`cablescope repair` rebuilds it).
    pub index_damage: Vec<crate::integrity::Damage>,
    /// Change sequence of the index's last commit.
    pub index_seq: u64,
    /// Last change sequence of the store.
    pub store_seq: u64,
}

impl VerifyReport {
    /// True when store and index agree and nothing is damaged.
    pub fn ok(&self) -> bool {
        self.store_count == self.index_count
            && self.missing_in_index.is_empty()
            && self.extra_in_index.is_empty()
            && self.duplicated_in_index.is_empty()
            && self.stale_in_index.is_empty()
            && self.store_damage.is_empty()
            && self.index_damage.is_empty()
            && self.index_seq == self.store_seq
    }
}

/// What [`Archive::set_official_release`] changed.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Released {
    /// The copies flagged (or unflagged), as `path` and `item`.
    pub copies: Vec<(String, u64)>,
    /// The cables merged again from their copies (whether or not their record
    /// changed).
    pub cables: Vec<String>,
}

/// What a removal took out.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct Removed {
    /// Cables removed from the archive.
    pub cables: Vec<String>,
    /// Cables kept but rebuilt from their remaining copies.
    pub updated: Vec<String>,
    /// Input paths forgotten.
    pub sources: Vec<String>,
}

impl<S: Store, I: Index> Archive<S, I> {
    /// Builds an archive from a store and an index (other backends); call
    /// [`Archive::sync_index`] before use.
    pub fn from_parts(dir: PathBuf, store: S, index: I) -> Self {
        Archive { dir, store, index }
    }

    /// The archive directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The store.
    pub fn store(&self) -> &S {
        &self.store
    }

    /// The index.
    pub fn index(&self) -> &I {
        &self.index
    }

    /// Applies to the index every store change newer than its last commit, and
    /// commits. An index ahead of its store (a store restored from a backup) is
    /// rebuilt. Returns how many changes were applied.
    pub fn sync_index(&mut self) -> Result<u64> {
        let store_seq = self.store.last_seq()?;
        let store_id = self.store.store_id()?;
        let mut after = self.index.committed_seq()?;
        // Change sequences count in one store only: an index made from another
        // store (a node directory pointed at another database, a store replaced
        // by a migration) is rebuilt, never caught up from the wrong place.
        let recorded = self.index.committed_store()?;
        let foreign = recorded.as_deref().is_some_and(|r| r != store_id);
        if after > store_seq || foreign {
            self.index.clear()?;
            after = 0;
        }
        let mut applied = 0;
        loop {
            let changes = self.store.changes_since(after, SYNC_CHUNK)?;
            let Some(last) = changes.last().map(|c| c.seq()) else {
                break;
            };
            self.index.apply(&changes)?;
            applied += changes.len() as u64;
            after = last;
        }
        if applied > 0 || foreign || recorded.is_none() || self.index.committed_seq()? != store_seq
        {
            self.index.commit(store_seq, &store_id)?;
        }
        Ok(applied)
    }

    /// Writes `batch` in one store transaction, then brings the index up to date
    /// and commits it.
    ///
    /// The index is fed the batch's own records when it was in step with the store
    /// before the write and the write took exactly the next sequences (no other
    /// writer came between: every store gives a batch's upserts the next sequences
    /// in batch order, then its deletes). Reading the records just written back
    /// from the store (decompressing and decoding each) cost about an eighth of an
    /// ingest's CPU. Otherwise the changes are read back ([`Archive::sync_index`]).
    /// Either way the store is written first and the index commit records the
    /// store's sequence, so a kill between the two is caught up on the next open.
    pub(crate) fn write_and_index(&mut self, mut batch: WriteBatch) -> Result<()> {
        let store_id = self.store.store_id()?;
        let before = self.store.last_seq()?;
        let in_step = self.index.committed_seq()? == before
            && self.index.committed_store()?.as_deref() == Some(store_id.as_str());
        let last = self.store.write(&batch)?;
        let changed = (batch.upsert.len() + batch.delete.len()) as u64;
        if !in_step || changed == 0 || last != before + changed {
            self.sync_index()?;
            return Ok(());
        }
        let mut seq = before;
        let mut changes = Vec::with_capacity(changed as usize);
        for cable in batch.upsert.drain(..) {
            seq += 1;
            changes.push(Change::Upsert {
                cable: Box::new(cable),
                seq,
            });
        }
        for id in batch.delete.drain(..) {
            seq += 1;
            changes.push(Change::Delete { id, seq });
        }
        self.index.apply(&changes)?;
        self.index.commit(last, &store_id)?;
        Ok(())
    }

    /// The merged record of a cable.
    pub fn cable(&self, id: &str) -> Result<Option<Cable>> {
        self.store.cable(id)
    }

    /// Runs a query (see [`Index::search`]).
    pub fn search(
        &self,
        query: &dyn tantivy::query::Query,
        opts: &SearchOptions,
    ) -> Result<SearchResults> {
        self.index.search(query, opts)
    }

    /// The ids `id` cites (for translating `cited_by:ID`).
    pub fn cites_of(&self, id: &str) -> Result<Vec<String>> {
        let mut v: Vec<String> = self.store.cites(id)?.into_iter().map(|e| e.to).collect();
        v.sort();
        v.dedup();
        Ok(v)
    }

    /// Recomputes the merged records of `ids` from their stored copies, leaving out
    /// copies from `dropped` paths and adding `new`: fills `batch.upsert` and
    /// `batch.delete`. Ids whose merged record is unchanged are left alone. Returns
    /// the copies merged (each distinct content once per cable: the merge work).
    pub(crate) fn recompute(
        &self,
        ids: &BTreeSet<String>,
        dropped: &BTreeSet<String>,
        new: &BTreeMap<String, Vec<CopyRow>>,
        batch: &mut WriteBatch,
    ) -> Result<u64> {
        let mut inputs = 0;
        let list: Vec<String> = ids.iter().cloned().collect();
        let mut state = self.store.merge_state(&list, dropped)?;
        for id in ids {
            let MergeState {
                record: existing,
                copies: stored,
            } = state.remove(id).unwrap_or_default();
            // Each content once: identical copies cost one merge input.
            let copies = crate::ingest::merge_inputs(stored, new.get(id), batch)?;
            inputs += copies.len() as u64;
            if copies.is_empty() {
                if existing.is_some() {
                    batch.delete.push(id.clone());
                }
                continue;
            }
            let mut merged = assemble(copies);
            let mut cable = if merged.len() == 1 {
                merged.pop().expect("one")
            } else {
                merge_copies(merged)
            };
            cable.id = Some(id.clone());
            if existing.as_ref() != Some(&cable) {
                batch.upsert.push(cable);
            }
        }
        Ok(inputs)
    }

    /// Flags every stored copy read from `path` (a file, a folder prefix, or an
    /// archive and its members, like [`Archive::remove_source`]) as an official
    /// release (`Source::official_release`: a declassified or FOIA copy, which
    /// governs the markings of what it holds when copies merge; see
    /// `cablescope_format::assemble`), or clears the flag, and merges their cables
    /// again. The flag stays with the copy while its input is unchanged; a changed
    /// input is read anew, unflagged.
    pub fn set_official_release(&mut self, path: &str, official: bool) -> Result<Released> {
        let paths: BTreeSet<String> = self.store.sources_matching(path)?.into_iter().collect();
        if paths.is_empty() {
            return Err(crate::Error::NotFound(path.to_string()));
        }
        let mut ids = BTreeSet::new();
        for p in &paths {
            ids.extend(self.store.ids_from_source(p)?);
        }
        let mut batch = WriteBatch::default();
        let mut new: BTreeMap<String, Vec<CopyRow>> = BTreeMap::new();
        let mut copies = Vec::new();
        for id in &ids {
            for mut row in self.store.copies_of(id)? {
                if !paths.contains(&row.path) {
                    continue;
                }
                row.record.source.official_release = official;
                copies.push((row.path.clone(), row.item));
                batch.add_sources.push(row.clone());
                new.entry(id.clone()).or_default().push(row);
            }
        }
        self.recompute(&ids, &paths, &new, &mut batch)?;
        self.write_and_index(batch)?;
        copies.sort();
        Ok(Released {
            copies,
            cables: ids.into_iter().collect(),
        })
    }

    /// Takes a cable out (a takedown): its record, its copies and its index
    /// document. The inputs stay recorded, so re-ingesting the same files does not
    /// bring it back.
    pub fn remove_id(&mut self, id: &str) -> Result<Removed> {
        // An alias (a published id, `crate::alias`) names its cable.
        let id = &self
            .store
            .canonical_id(id)?
            .unwrap_or_else(|| id.to_string());
        let copies = self.store.copies_of(id)?;
        let exists = self.store.cable(id)?.is_some();
        if !exists && copies.is_empty() {
            return Err(crate::Error::NotFound(id.to_string()));
        }
        let mut batch = WriteBatch::default();
        batch.drop_copies_of.push(id.to_string());
        if exists {
            batch.delete.push(id.to_string());
        }
        self.write_and_index(batch)?;
        Ok(Removed {
            cables: vec![id.to_string()],
            ..Removed::default()
        })
    }

    /// Takes out every copy read from `path` (a file, a folder prefix, or an
    /// archive and its members) and forgets those inputs; cables left without
    /// copies are removed, the others rebuilt from their remaining copies.
    pub fn remove_source(&mut self, path: &str) -> Result<Removed> {
        let paths: BTreeSet<String> = self.store.sources_matching(path)?.into_iter().collect();
        if paths.is_empty() {
            return Err(crate::Error::NotFound(path.to_string()));
        }
        let mut ids = BTreeSet::new();
        for p in &paths {
            ids.extend(self.store.ids_from_source(p)?);
        }
        let mut batch = WriteBatch {
            drop_sources_of: paths.iter().cloned().collect(),
            forget_inputs: paths.iter().cloned().collect(),
            ..WriteBatch::default()
        };
        self.recompute(&ids, &paths, &BTreeMap::new(), &mut batch)?;
        let removed = Removed {
            cables: batch.delete.clone(),
            updated: batch.upsert.iter().filter_map(|c| c.id.clone()).collect(),
            sources: paths.into_iter().collect(),
        };
        self.write_and_index(batch)?;
        Ok(removed)
    }

    /// Checks that store and index agree (same ids, once each; same count; index
    /// up to date) and that the store is sound.
    pub fn verify(&self) -> Result<VerifyReport> {
        let index_damage = self.index.file_damage()?;
        self.verify_with_damage(index_damage)
    }

    /// [`Archive::verify`] with the index files already checked (`index_damage`:
    /// what [`crate::integrity::check_index`] found).
    pub(crate) fn verify_with_damage(
        &self,
        index_damage: Vec<crate::integrity::Damage>,
    ) -> Result<VerifyReport> {
        let store_ids = self.store.id_seqs()?;
        // Damaged files are not read (what they hold is not what was written): the
        // store is then compared with itself, and the damage is the finding.
        let index_ids = if index_damage.is_empty() {
            self.index.ids()?
        } else {
            store_ids.clone()
        };
        let mut duplicated: Vec<String> = index_ids
            .windows(2)
            .filter(|w| w[0].0 == w[1].0)
            .map(|w| w[0].0.clone())
            .collect();
        duplicated.dedup();
        let s: BTreeMap<&String, u64> = store_ids.iter().map(|(i, q)| (i, *q)).collect();
        let i: BTreeMap<&String, u64> = index_ids.iter().map(|(i, q)| (i, *q)).collect();
        let stale = s
            .iter()
            .filter(|(id, seq)| i.get(*id).is_some_and(|q| q != *seq))
            .map(|(id, _)| (*id).clone())
            .collect();
        Ok(VerifyReport {
            store_count: store_ids.len() as u64,
            index_count: self.index.count()?,
            missing_in_index: s
                .keys()
                .filter(|id| !i.contains_key(*id))
                .map(|x| (*x).clone())
                .collect(),
            extra_in_index: i
                .keys()
                .filter(|id| !s.contains_key(*id))
                .map(|x| (*x).clone())
                .collect(),
            duplicated_in_index: duplicated,
            stale_in_index: stale,
            store_damage: self.store.check()?,
            index_damage,
            index_seq: self.index.committed_seq()?,
            store_seq: self.store.last_seq()?,
        })
    }
}
