//! Ingest: walk inputs, read cables in parallel, merge them with the copies the
//! archive holds, and write store and index in batches.
//!
//! One thread walks the inputs (`cablescope-collect`) and reads each file's bytes;
//! worker threads hash and parse them; the calling thread merges and writes. A
//! batch is one store transaction (inputs, copies, merged cables, tombstones)
//! followed by one index commit, so a kill at any point loses at most the batch in
//! flight, and the next run re-reads exactly those files.
//!
//! Idempotency: a file whose path, size and modification time match the recorded
//! ones is skipped unread; one whose bytes hash the same is not parsed again; a
//! changed file replaces its copies, and the cables concerned are merged again.
//!
//! Copies without an id: a copy whose text gives no id is filed under the cable
//! whose text it is, stored or in the same batch, and a copy with an id takes the
//! stored `NOID-` records that copy it ([`crate::nearcopy`]); workers compute each
//! copy's shingles, the writer decides in [`crate::nearcopy::place`], and the moves
//! are part of the batch's one transaction. A copy that matches nothing is stored
//! under `NOID-` and the first 16 hex digits of the SHA-256 of its file's bytes and
//! its item, stable across runs.

use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::path::PathBuf;
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use cablescope_collect::{walk, Event, Limits};
use cablescope_format::containers::{read_stream, ReadOptions};
use cablescope_format::Cable;

use crate::archive::Archive;
use crate::error::Result;
use crate::index::Index;
use crate::nearcopy::{self, NewCopy, Sketch};
use crate::store::{sha256_hex, CopyRow, InputRecord, Store, WriteBatch};

/// How an ingest runs.
#[derive(Debug, Clone)]
pub struct IngestOptions {
    /// Hints and size limit for the parser.
    pub read: ReadOptions,
    /// Limits for the walker (archives, sizes).
    pub limits: Limits,
    /// Files per batch (one store transaction and one index commit).
    pub batch_files: usize,
    /// Cables per batch (a batch closes at whichever limit comes first).
    pub batch_cables: usize,
    /// Parser threads; 0 for one per core.
    pub threads: usize,
    /// Read every file again, even those recorded unchanged.
    pub force: bool,
    /// Merge the index's segments at the end ([`crate::index::Index::compact`]);
    /// on by default, off only where a test needs segments as the commits left
    /// them.
    pub compact: bool,
}

impl Default for IngestOptions {
    fn default() -> Self {
        IngestOptions {
            read: ReadOptions::default(),
            limits: Limits::default(),
            // Each batch costs a store transaction, an index commit and the
            // queries of its merge and near-copy placement: 49,566 generated
            // cables took 17.7 s in batches of 5,000 cables against 20.1 s in
            // batches of 2,000 files (peak RSS 370 MB against 258 MB).
            batch_files: 10_000,
            batch_cables: 5000,
            threads: 0,
            force: false,
            compact: true,
        }
    }
}

/// Progress of an ingest, reported after every file and at the end.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct Progress {
    /// Files met by the walker.
    pub files_seen: u64,
    /// Files read and parsed.
    pub files_parsed: u64,
    /// Files skipped as unchanged.
    pub files_unchanged: u64,
    /// Files that failed.
    pub files_failed: u64,
    /// Cables read (copies).
    pub cables_read: u64,
    /// Cables added or changed in the archive.
    pub cables_written: u64,
    /// Cables removed (a changed file no longer holds them, or a record without id
    /// was taken into the cable it copies).
    pub cables_removed: u64,
    /// Copies without an id filed under the cable whose text they are.
    pub copies_matched: u64,
    /// Items of containers that could not be read (a bad CSV row).
    pub item_errors: u64,
    /// Files parsed per container format.
    pub per_format: BTreeMap<String, u64>,
    /// The first errors (at most 100), `path: message`.
    pub errors: Vec<String>,
    /// Batches committed.
    pub batches: u64,
    /// Copies fed to merges, summed over batches: the merge work. Identical copies
    /// of a cable count once per batch (`ingest::merge_inputs`), so N identical files
    /// cost O(N) in all, not O(N²).
    pub merge_inputs: u64,
    /// Time since the start.
    #[serde(skip)]
    pub elapsed: Duration,
    /// True in the last report.
    pub done: bool,
}

impl Progress {
    /// Cables read per second so far.
    pub fn cables_per_sec(&self) -> f64 {
        let s = self.elapsed.as_secs_f64();
        if s > 0.0 {
            self.cables_read as f64 / s
        } else {
            0.0
        }
    }

    fn error(&mut self, e: String) {
        if self.errors.len() < 100 {
            self.errors.push(e);
        }
    }
}

struct FileJob {
    path: String,
    size: Option<u64>,
    mtime: Option<i64>,
    bytes: Vec<u8>,
}

enum Msg {
    /// Recorded unchanged: nothing to do.
    Unchanged,
    /// The path could not be read (wholly or partly).
    Problem(String, String),
    /// A file read and (unless its bytes were unchanged) parsed.
    File(Box<FileOutcome>),
}

struct FileOutcome {
    input: InputRecord,
    /// `None` when the bytes are those already recorded (only size/mtime change).
    copies: Option<Vec<NewCopy>>,
    item_errors: Vec<String>,
}

fn mtime_ns(p: &std::path::Path) -> Option<i64> {
    let m = std::fs::metadata(p).ok()?.modified().ok()?;
    let d = m.duration_since(std::time::UNIX_EPOCH).ok()?;
    i64::try_from(d.as_nanos()).ok()
}

/// Which files a run reads.
enum Selection<'a> {
    /// Everything under the inputs.
    All,
    /// Only these recorded paths (and members of them).
    Only(&'a BTreeSet<String>),
}

impl Selection<'_> {
    fn wants(&self, path: &str) -> bool {
        match self {
            Selection::All => true,
            Selection::Only(set) => {
                set.contains(path)
                    || path
                        .match_indices('!')
                        .any(|(i, _)| set.contains(&path[..i]))
            }
        }
    }
}

fn process(job: FileJob, known: &BTreeMap<String, InputRecord>, opts: &IngestOptions) -> Msg {
    let hash = sha256_hex(&job.bytes);
    let mut input = InputRecord {
        path: job.path.clone(),
        size: job.size.or(Some(job.bytes.len() as u64)),
        mtime: job.mtime,
        hash: hash.clone(),
        ok: true,
        error: None,
        format: None,
        cables: 0,
    };
    if let Some(k) = known.get(&job.path) {
        // A file that held cables and now holds nothing is most likely caught
        // mid-rewrite (truncated, not yet written): its cables are kept and the
        // input fails, to be read again. Taking them out is `remove --source`.
        if k.cables > 0 && job.bytes.iter().all(u8::is_ascii_whitespace) {
            input.ok = false;
            input.cables = k.cables;
            input.format = k.format.clone();
            input.error = Some(format!(
                "empty now, though it held {} cable(s) when last read: they are kept \
                 (read it again once written, or take them out with `cablescope remove \
                 --source`)",
                k.cables
            ));
            return Msg::File(Box::new(FileOutcome {
                input,
                copies: None,
                item_errors: Vec::new(),
            }));
        }
        if k.ok && k.hash == hash && !opts.force {
            input.format = k.format.clone();
            input.cables = k.cables;
            return Msg::File(Box::new(FileOutcome {
                input,
                copies: None,
                item_errors: Vec::new(),
            }));
        }
    }
    let mut cables: Vec<Cable> = Vec::new();
    let mut item_errors = Vec::new();
    let mut reader: &[u8] = &job.bytes;
    let res = read_stream(&job.path, &mut reader, &opts.read, &mut |r| match r {
        Ok(c) => cables.push(c),
        Err(e) => item_errors.push(e.to_string()),
    });
    match res {
        Ok(format) => {
            input.format = Some(format.name().to_string());
            if cables.is_empty() && !item_errors.is_empty() {
                input.ok = false;
                input.error = Some(item_errors[0].clone());
            }
        }
        Err(e) => {
            input.ok = false;
            input.error = Some(e.to_string());
            return Msg::File(Box::new(FileOutcome {
                input,
                copies: None,
                item_errors,
            }));
        }
    }
    let copies: Vec<NewCopy> = cables
        .into_iter()
        .enumerate()
        .map(|(i, mut c)| {
            let item = c.source.item.unwrap_or(i + 1) as u64;
            let id = match &c.id {
                Some(id) => id.clone(),
                None => {
                    let h = sha256_hex(format!("{hash}:{item}").as_bytes());
                    let id = format!("{}{}", nearcopy::NOID_PREFIX, &h[..16]);
                    c.id = Some(id.clone());
                    id
                }
            };
            let sketch = Sketch::of(&c);
            // Hashed here, on the parse workers, rather than by the one writer.
            let hash = crate::store::copy_content_hash(&c).ok();
            NewCopy {
                row: CopyRow {
                    path: job.path.clone(),
                    item,
                    cable_id: id,
                    record: c,
                },
                sketch,
                hash,
            }
        })
        .collect();
    input.cables = copies.len() as u64;
    Msg::File(Box::new(FileOutcome {
        input,
        copies: Some(copies),
        item_errors,
    }))
}

impl<S: Store, I: Index> Archive<S, I> {
    /// Ingests every file under `paths` (files, folders, archives, `-`), reporting
    /// progress through `progress`. Returns the final progress.
    ///
    /// Paths on disk are made absolute and canonical first, so `./cables` and
    /// `cables` name the same inputs on every run.
    pub fn ingest(
        &mut self,
        paths: &[PathBuf],
        opts: &IngestOptions,
        progress: &mut dyn FnMut(&Progress),
    ) -> Result<Progress> {
        let paths: Vec<PathBuf> = paths
            .iter()
            .map(|p| {
                if p.as_os_str() == cablescope_collect::STDIN {
                    p.clone()
                } else {
                    std::fs::canonicalize(p).unwrap_or_else(|_| p.clone())
                }
            })
            .collect();
        self.run(&paths, Selection::All, opts, progress)
    }

    /// `opts` with the archive's own folder among the folders the walk skips (an
    /// ingest of a folder holding the archive must not read the archive's files
    /// as cables).
    fn skipping_self(&self, opts: &IngestOptions) -> IngestOptions {
        let mut opts = opts.clone();
        opts.limits.skip_dirs.push(self.dir().to_path_buf());
        opts
    }

    /// Reads again only the inputs recorded as failed.
    pub fn retry_failed(
        &mut self,
        opts: &IngestOptions,
        progress: &mut dyn FnMut(&Progress),
    ) -> Result<Progress> {
        let failed: BTreeSet<String> = self
            .store
            .inputs()?
            .into_values()
            .filter(|i| !i.ok)
            .map(|i| i.path)
            .collect();
        let roots: BTreeSet<String> = failed
            .iter()
            .map(|p| p.split('!').next().unwrap_or(p).to_string())
            .collect();
        let roots: Vec<PathBuf> = roots.into_iter().map(PathBuf::from).collect();
        let opts = IngestOptions {
            force: true,
            ..opts.clone()
        };
        self.run(&roots, Selection::Only(&failed), &opts, progress)
    }

    fn run(
        &mut self,
        paths: &[PathBuf],
        selection: Selection<'_>,
        opts: &IngestOptions,
        progress: &mut dyn FnMut(&Progress),
    ) -> Result<Progress> {
        let start = Instant::now();
        let opts = &self.skipping_self(opts);
        let known = self.store.inputs()?;
        let threads = if opts.threads == 0 {
            std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(1)
        } else {
            opts.threads
        };
        let mut prog = Progress::default();
        let (job_tx, job_rx) = sync_channel::<FileJob>(threads * 4);
        // Room for a batch of parsed files: while this thread writes one batch (the
        // store's transaction, the index's commit), the workers parse the next
        // instead of stopping at a full channel. With 32 slots they stood idle
        // through every flush: 25,000 cables 9.0 s → 7.0 s, peak RSS +60 MB.
        let (msg_tx, msg_rx) = sync_channel::<Msg>(opts.batch_cables.max(threads * 16));
        let job_rx = Arc::new(Mutex::new(job_rx));
        let result = std::thread::scope(|scope| -> Result<()> {
            {
                let msg_tx = msg_tx.clone();
                let known = &known;
                let selection = &selection;
                scope.spawn(move || walker(paths, known, selection, opts, job_tx, msg_tx));
            }
            for _ in 0..threads {
                let rx = Arc::clone(&job_rx);
                let tx = msg_tx.clone();
                let known = &known;
                scope.spawn(move || worker(rx, tx, known, opts));
            }
            drop(msg_tx);
            self.write_loop(msg_rx, opts, &mut prog, start, progress)
        });
        // Everything is committed: a failed merge loses nothing, and is reported.
        if result.is_ok() && prog.batches > 0 && opts.compact {
            if let Err(e) = self.index.compact() {
                prog.error(format!("merging the index's segments: {e}"));
            }
        }
        prog.elapsed = start.elapsed();
        prog.done = true;
        progress(&prog);
        result.map(|()| prog)
    }

    fn write_loop(
        &mut self,
        rx: Receiver<Msg>,
        opts: &IngestOptions,
        prog: &mut Progress,
        start: Instant,
        progress: &mut dyn FnMut(&Progress),
    ) -> Result<()> {
        let mut pending: Vec<FileOutcome> = Vec::new();
        let mut pending_cables = 0usize;
        let mut problems: BTreeMap<String, String> = BTreeMap::new();
        let mut problem_inputs: Vec<InputRecord> = Vec::new();
        // Drain everything even after an error, so the producer threads finish.
        let mut failure: Option<crate::Error> = None;
        for msg in rx {
            if failure.is_some() {
                continue;
            }
            match msg {
                Msg::Unchanged => {
                    prog.files_seen += 1;
                    prog.files_unchanged += 1;
                }
                Msg::Problem(path, message) => {
                    prog.error(format!("{path}: {message}"));
                    let fresh = !problems.contains_key(&path);
                    problems.insert(path.clone(), message.clone());
                    if fresh {
                        prog.files_failed += 1;
                    }
                    problem_inputs.push(InputRecord {
                        path,
                        size: None,
                        mtime: None,
                        hash: String::new(),
                        ok: false,
                        error: Some(message),
                        format: None,
                        cables: 0,
                    });
                }
                Msg::File(mut f) => {
                    prog.files_seen += 1;
                    // A problem already reported for this path was counted as a failure.
                    let had_problem = match problems.get(&f.input.path) {
                        Some(p) => {
                            f.input.ok = false;
                            f.input.error = Some(p.clone());
                            true
                        }
                        None => false,
                    };
                    prog.item_errors += f.item_errors.len() as u64;
                    for e in f.item_errors.iter().take(3) {
                        prog.error(format!("{}: {e}", f.input.path));
                    }
                    match &f.copies {
                        None if f.input.ok => prog.files_unchanged += 1,
                        None if had_problem => {}
                        None => {
                            prog.files_failed += 1;
                            prog.error(format!(
                                "{}: {}",
                                f.input.path,
                                f.input.error.as_deref().unwrap_or("failed")
                            ));
                        }
                        Some(c) => {
                            prog.files_parsed += 1;
                            prog.cables_read += c.len() as u64;
                            pending_cables += c.len();
                            if let Some(fm) = &f.input.format {
                                *prog.per_format.entry(fm.clone()).or_default() += 1;
                            }
                            if !f.input.ok && !had_problem {
                                prog.files_failed += 1;
                            }
                        }
                    }
                    pending.push(*f);
                }
            }
            if pending.len() >= opts.batch_files || pending_cables >= opts.batch_cables {
                if let Err(e) = self.flush(&mut pending, &mut problem_inputs, prog) {
                    failure = Some(e);
                }
                pending_cables = 0;
            }
            prog.elapsed = start.elapsed();
            progress(prog);
        }
        if let Some(e) = failure {
            return Err(e);
        }
        self.flush(&mut pending, &mut problem_inputs, prog)
    }

    fn flush(
        &mut self,
        pending: &mut Vec<FileOutcome>,
        problem_inputs: &mut Vec<InputRecord>,
        prog: &mut Progress,
    ) -> Result<()> {
        if pending.is_empty() && problem_inputs.is_empty() {
            return Ok(());
        }
        // The last outcome of a path wins (a path given twice).
        let mut by_path: BTreeMap<String, FileOutcome> = BTreeMap::new();
        for f in pending.drain(..) {
            by_path.insert(f.input.path.clone(), f);
        }
        let mut batch = WriteBatch::default();
        let mut dropped = BTreeSet::new();
        let mut affected = BTreeSet::new();
        let mut new: BTreeMap<String, Vec<CopyRow>> = BTreeMap::new();
        let mut copies: Vec<NewCopy> = Vec::new();
        for (path, f) in by_path {
            if let Some(c) = f.copies {
                affected.extend(self.store.ids_from_source(&path)?);
                dropped.insert(path.clone());
                batch.drop_sources_of.push(path.clone());
                copies.extend(c);
            }
            batch.inputs.push(f.input);
        }
        // Copies without id go to the cable whose text they are; stored records
        // without id that a new copy matches are taken into its cable.
        let placement = nearcopy::place(&self.store, &mut copies, &dropped)?;
        prog.copies_matched += placement.matched;
        for c in copies {
            affected.insert(c.row.cable_id.clone());
            batch
                .copy_bands
                .insert((c.row.path.clone(), c.row.item), c.sketch.bands().to_vec());
            if let Some(h) = c.hash {
                batch
                    .copy_hashes
                    .insert((c.row.path.clone(), c.row.item), h);
            }
            new.entry(c.row.cable_id.clone())
                .or_default()
                .push(c.row.clone());
            batch.add_sources.push(c.row);
        }
        for (noid, id) in &placement.absorbed {
            affected.remove(noid);
            affected.insert(id.clone());
            batch.drop_copies_of.push(noid.clone());
            if self.store.canonical_id(noid)?.as_deref() == Some(noid.as_str()) {
                batch.delete.push(noid.clone());
            }
        }
        for c in placement.refiled {
            new.entry(c.cable_id.clone()).or_default().push(c.clone());
            batch.add_sources.push(c);
        }
        // Problems reported for paths without a file outcome in this batch.
        let seen: HashSet<String> = batch.inputs.iter().map(|i| i.path.clone()).collect();
        for p in problem_inputs.drain(..) {
            match batch.inputs.iter_mut().find(|i| i.path == p.path) {
                Some(i) => {
                    i.ok = false;
                    i.error = p.error;
                }
                None if !seen.contains(&p.path) => batch.inputs.push(p),
                None => {}
            }
        }
        prog.merge_inputs += self.recompute(&affected, &dropped, &new, &mut batch)?;
        prog.cables_written += batch.upsert.len() as u64;
        prog.cables_removed += batch.delete.len() as u64;
        if batch.is_empty() {
            return Ok(());
        }
        self.write_and_index(batch)?;
        prog.batches += 1;
        Ok(())
    }
}

/// The copies a merge of a cable takes: the `stored` ones (as
/// [`Store::distinct_copies`] gives them) and the `new` ones, each content once
/// ([`crate::store::copy_content_hash`]; the copy first by path and item stands
/// for its identical twins, so the choice does not depend on batches or order).
///
/// Why: N identical files (one cable under N names, a hostile archive of copies)
/// would otherwise make every batch merge every copy so far (quadratic), and the
/// merged record list all N as sources. The `sources` table keeps every copy, so
/// removing one input leaves the cable as long as a twin remains.
pub(crate) fn merge_inputs(
    stored: Vec<(String, CopyRow)>,
    new: Option<&Vec<CopyRow>>,
    batch: &WriteBatch,
) -> Result<Vec<Cable>> {
    let mut by_content: BTreeMap<String, CopyRow> = BTreeMap::new();
    let mut keep = |hash: String, row: CopyRow| match by_content.get(&hash) {
        Some(have) if (&have.path, have.item) <= (&row.path, row.item) => {}
        _ => {
            by_content.insert(hash, row);
        }
    };
    for (hash, row) in stored {
        keep(hash, row);
    }
    for row in new.into_iter().flatten() {
        keep(batch.copy_hash(row)?, row.clone());
    }
    let mut rows: Vec<CopyRow> = by_content.into_values().collect();
    rows.sort_by(|a, b| (&a.path, a.item).cmp(&(&b.path, b.item)));
    Ok(rows.into_iter().map(|r| r.record).collect())
}

fn walker(
    paths: &[PathBuf],
    known: &BTreeMap<String, InputRecord>,
    selection: &Selection<'_>,
    opts: &IngestOptions,
    jobs: SyncSender<FileJob>,
    msgs: SyncSender<Msg>,
) {
    let mut mtimes: BTreeMap<PathBuf, Option<i64>> = BTreeMap::new();
    walk(paths, &opts.limits, &mut |ev| match ev {
        Event::File(mut e) => {
            let path = e.path().to_string();
            if !selection.wants(&path) {
                return;
            }
            let mtime = e
                .disk_path()
                .and_then(|p| *mtimes.entry(p.to_path_buf()).or_insert_with(|| mtime_ns(p)));
            let size = e.size();
            if !opts.force {
                if let Some(k) = known.get(&path) {
                    if k.ok
                        && mtime.is_some()
                        && k.mtime == mtime
                        && size.is_some()
                        && k.size == size
                    {
                        let _ = msgs.send(Msg::Unchanged);
                        return;
                    }
                }
            }
            let mut bytes = Vec::new();
            match e.read_to_end_capped(&mut bytes) {
                Ok(_) => {
                    let _ = jobs.send(FileJob {
                        path,
                        size,
                        mtime,
                        bytes,
                    });
                }
                Err(err) => {
                    let _ = msgs.send(Msg::Problem(path, err.to_string()));
                }
            }
        }
        Event::Problem(p) => {
            if selection.wants(&p.path) || matches!(selection, Selection::Only(_)) {
                let _ = msgs.send(Msg::Problem(p.path.clone(), p.message.clone()));
            }
        }
    });
}

fn worker(
    rx: Arc<Mutex<Receiver<FileJob>>>,
    tx: SyncSender<Msg>,
    known: &BTreeMap<String, InputRecord>,
    opts: &IngestOptions,
) {
    loop {
        let job = {
            let Ok(guard) = rx.lock() else { return };
            guard.recv()
        };
        let Ok(job) = job else { return };
        if tx.send(process(job, known, opts)).is_err() {
            return;
        }
    }
}
