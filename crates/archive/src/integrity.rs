//! Index integrity: finding damaged index files, and rebuilding the index from the
//! store.
//!
//! The index is derived from the store, so damage to it loses nothing: the cure is
//! a rebuild ([`repair`]). The danger is damage that goes unnoticed: a flipped byte
//! in a fast field shows one cable with another's subject, one in a term
//! dictionary makes searches panic, and tantivy reads files without checking them.
//! It does keep the means to check them, which this module uses:
//!
//! * every segment file ends in a footer holding the CRC-32 of its content and the
//!   index format version ([`tantivy::directory::footer::Footer`]);
//! * `meta.json` (no footer) names the schema, the segments and their delete
//!   files, and carries the commit payload (the store's change sequence the index
//!   holds, see [`crate::store`]): it must parse, match this build's schema and
//!   carry a change sequence;
//! * `.managed.json` lists the files tantivy wrote (its garbage collector deletes
//!   the listed files no commit uses): it must parse and list every file the last
//!   commit uses.
//!
//! Two depths: [`Depth::Quick`] reads `meta.json`, `.managed.json`, the footer of
//! every file and opens every segment: a few milliseconds, whatever the size (for
//! a server at start, or after a search failed). [`Depth::Full`] also checksums
//! every byte of every file (for `verify`; about a second per GB once the files
//! are in the page cache). Neither opens the index for writing or changes a file.
//!
//! [`check_index`] works on the folder alone, so it can name the damage of an
//! index that cannot be opened at all; [`repair`] builds a new index from the
//! store beside the damaged one and swaps it in, without ever opening the damaged
//! one.

use std::collections::BTreeSet;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

use tantivy::directory::footer::Footer;
use tantivy::directory::{Directory, MmapDirectory, INDEX_WRITER_LOCK};
use tantivy::index::SegmentComponent;

use crate::archive::{Archive, VerifyReport};
use crate::error::{Error, Result};
use crate::index::{TantivyIndex, INDEX_DIR};
use crate::store::{AnyStore, Store, StoreLocation};

/// How much of the index [`check_index`] reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Depth {
    /// `meta.json`, `.managed.json`, every file's footer, every segment opened: cheap.
    Quick,
    /// [`Depth::Quick`] and the checksum of every byte of every segment file.
    Full,
}

/// One damaged index file.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub struct Damage {
    /// The file, relative to the archive directory (`index/9f2c….fast`).
    pub file: String,
    /// What is wrong with it.
    pub problem: String,
}

impl std::fmt::Display for Damage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.file, self.problem)
    }
}

/// What [`check_index`] found.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct IndexHealth {
    /// Every damaged file (empty when the index is sound).
    pub damage: Vec<Damage>,
    /// True when tantivy can open the index (`meta.json` and `.managed.json` read).
    /// An index that cannot be opened is recreated empty by [`Archive::open`]; one
    /// that opens but is damaged must be repaired ([`repair`]).
    pub openable: bool,
    /// Segments of the last commit.
    pub segments: u64,
    /// Segment files checked.
    pub files: u64,
    /// Bytes checksummed ([`Depth::Full`]).
    pub bytes_checksummed: u64,
    /// The store change sequence the last commit holds, when readable.
    pub committed_seq: Option<u64>,
}

impl IndexHealth {
    /// True when nothing is damaged.
    pub fn ok(&self) -> bool {
        self.damage.is_empty()
    }

    /// One line: `ok` or the damaged files, for logs and health answers.
    pub fn summary(&self) -> String {
        if self.ok() {
            return format!("ok ({} segments, {} files)", self.segments, self.files);
        }
        let files: Vec<String> = self.damage.iter().map(Damage::to_string).collect();
        format!(
            "index damaged ({} problem(s); run `cablescope repair`): {}",
            self.damage.len(),
            files.join("; ")
        )
    }
}

/// The file tantivy keeps its list of written files in.
const MANAGED_FILE: &str = ".managed.json";
/// The file tantivy keeps its last commit in.
const META_FILE: &str = "meta.json";

/// Checks the index in `index_dir` (an archive's `index/` folder) without opening
/// it for writing: see the module docs for what each [`Depth`] reads. Problems
/// reading a file are damage too; the function itself does not fail.
pub fn check_index(index_dir: &Path, depth: Depth) -> IndexHealth {
    check_index_with(index_dir, depth, &BTreeSet::new()).health
}

/// What [`check_index_with`] found, and the segment files it read.
struct Checked {
    health: IndexHealth,
    /// The segment files checked (every one the last commit uses).
    checked: Vec<String>,
}

/// [`check_index`], reading the files in `quick_only` at [`Depth::Quick`]
/// whatever `depth` says (files already checksummed: see [`IndexMonitor`]).
fn check_index_with(index_dir: &Path, depth: Depth, quick_only: &BTreeSet<String>) -> Checked {
    let mut checked = Vec::new();
    let health = check_index_inner(index_dir, depth, quick_only, &mut checked);
    Checked { health, checked }
}

fn check_index_inner(
    index_dir: &Path,
    depth: Depth,
    quick_only: &BTreeSet<String>,
    checked: &mut Vec<String>,
) -> IndexHealth {
    let mut h = IndexHealth::default();
    let name = |f: &str| format!("{INDEX_DIR}/{f}");
    let damage = |h: &mut IndexHealth, file: &str, problem: String| {
        h.damage.push(Damage {
            file: name(file),
            problem,
        })
    };
    if !index_dir.join(META_FILE).exists() {
        let problem = if index_dir.is_dir() {
            "missing: the index holds no commit (opening the archive, or `cablescope repair`, \
             rebuilds it from the store)"
        } else {
            "missing (opening the archive, or `cablescope repair`, rebuilds it from the store)"
        };
        damage(&mut h, META_FILE, problem.into());
        return h;
    }
    // Both JSON files are read here first: tantivy's error on open names neither,
    // and the segment files can be checked even when tantivy cannot open the index.
    let managed: Option<BTreeSet<String>> = match read_json(&index_dir.join(MANAGED_FILE)) {
        Ok(v) => match serde_json::from_value::<BTreeSet<String>>(v) {
            Ok(list) => Some(list),
            Err(e) => {
                damage(&mut h, MANAGED_FILE, format!("not a list of files: {e}"));
                None
            }
        },
        Err(e) => {
            damage(&mut h, MANAGED_FILE, e);
            None
        }
    };
    let meta = match read_json(&index_dir.join(META_FILE)) {
        Ok(v) => v,
        Err(e) => {
            damage(&mut h, META_FILE, e);
            return h;
        }
    };
    let Some(segments) = segment_files(&meta) else {
        damage(
            &mut h,
            META_FILE,
            "does not describe the segments of a commit".into(),
        );
        return h;
    };
    match meta.get("payload") {
        // "SEQ STORE-ID" (or "SEQ" from an index written before stores had ids).
        Some(serde_json::Value::String(p)) => {
            match p.split(' ').next().unwrap_or("").parse::<u64>() {
                Ok(seq) => h.committed_seq = Some(seq),
                Err(_) => damage(
                    &mut h,
                    META_FILE,
                    format!("the commit payload {p:?} is not a store change sequence"),
                ),
            }
        }
        None | Some(serde_json::Value::Null) if segments.is_empty() => h.committed_seq = Some(0),
        other => damage(
            &mut h,
            META_FILE,
            format!("the commit does not name the store change it holds (payload {other:?})"),
        ),
    }
    if let Some(list) = &managed {
        if !list.contains(META_FILE) {
            damage(&mut h, MANAGED_FILE, format!("does not list {META_FILE}"));
        }
    }
    let dir = match MmapDirectory::open(index_dir) {
        Ok(d) => d,
        Err(e) => {
            damage(&mut h, "", format!("cannot be opened: {e}"));
            return h;
        }
    };
    h.segments = segments.len() as u64;
    for files in &segments {
        for file in files {
            h.files += 1;
            if let Some(list) = &managed {
                if !list.contains(file) {
                    damage(
                        &mut h,
                        MANAGED_FILE,
                        format!("does not list {}, which the last commit uses", name(file)),
                    );
                }
            }
            let depth = if quick_only.contains(file) {
                Depth::Quick
            } else {
                depth
            };
            checked.push(file.clone());
            if let Err(problem) = check_file(&dir, Path::new(file), depth, &mut h.bytes_checksummed)
            {
                damage(&mut h, file, problem);
            }
        }
    }
    if managed.is_none() {
        // tantivy refuses to open an index whose file list it cannot read.
        h.damage.sort();
        return h;
    }
    let index = match tantivy::Index::open(dir) {
        Ok(i) => i,
        Err(e) => {
            damage(&mut h, META_FILE, format!("tantivy cannot read it: {e}"));
            h.damage.sort();
            return h;
        }
    };
    h.openable = true;
    if index.schema() != crate::index::schema() {
        damage(
            &mut h,
            META_FILE,
            "the schema is not this version's (damaged, or written by another cablescope)".into(),
        );
    }
    if h.ok() {
        // Every file reads as written: the segments must open (what a searcher
        // does first). A panic is damage we did not foresee, not a crash.
        let opened = catch_unwind(AssertUnwindSafe(|| -> tantivy::Result<()> {
            for segment in index.searchable_segments()? {
                tantivy::SegmentReader::open(&segment)?;
            }
            Ok(())
        }));
        let problem = match opened {
            Ok(Ok(())) => None,
            Ok(Err(e)) => Some(e.to_string()),
            Err(_) => Some("opening a segment panicked".to_string()),
        };
        if let Some(p) = problem {
            damage(
                &mut h,
                META_FILE,
                format!("a segment cannot be opened: {p}"),
            );
        }
    }
    h.damage.sort();
    h.damage.dedup();
    h
}

/// Reads a JSON file, or says why it cannot be.
fn read_json(path: &Path) -> std::result::Result<serde_json::Value, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot be read: {e}"))?;
    let text = std::str::from_utf8(&bytes).map_err(|e| format!("not text (UTF-8): {e}"))?;
    serde_json::from_str(text).map_err(|e| format!("not valid JSON: {e}"))
}

/// The files of every segment `meta.json` names (as tantivy names them:
/// `SegmentMeta::relative_path`), or `None` when it names segments in no form
/// tantivy writes. Read from the JSON, not through tantivy, so that the files of an
/// index tantivy cannot open are checked too.
pub(crate) fn segment_files(meta: &serde_json::Value) -> Option<Vec<Vec<String>>> {
    let mut out = Vec::new();
    for seg in meta.get("segments")?.as_array()? {
        let id = seg.get("segment_id")?.as_str()?;
        let uuid: String = id.chars().filter(|c| *c != '-').collect();
        if uuid.len() != 32 || !uuid.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        seg.get("max_doc")?.as_u64()?;
        let del = match seg.get("deletes")? {
            serde_json::Value::Null => None,
            d => Some(d.get("opstamp")?.as_u64()?),
        };
        let mut files: Vec<String> = SegmentComponent::iterator()
            .filter_map(|c| {
                let ext = match c {
                    SegmentComponent::Postings => "idx".to_string(),
                    SegmentComponent::Positions => "pos".to_string(),
                    SegmentComponent::Terms => "term".to_string(),
                    SegmentComponent::Store => "store".to_string(),
                    SegmentComponent::FastFields => "fast".to_string(),
                    SegmentComponent::FieldNorms => "fieldnorm".to_string(),
                    SegmentComponent::TempStore => return None,
                    SegmentComponent::Delete => format!("{}.del", del?),
                };
                Some(format!("{uuid}.{ext}"))
            })
            .collect();
        files.sort();
        out.push(files);
    }
    Some(out)
}

/// Checks the archive in `dir` the way `cablescope verify` does: every index file
/// first ([`Depth::Full`], from the folder alone), then, when the index is sound,
/// store ⇄ index agreement ([`Archive::verify`]). A damaged index is never opened
/// (opening it would read the damaged files, and an index tantivy cannot open
/// would be recreated empty): the report then names the damage, with the store's
/// own counts and checks.
pub fn verify_dir(dir: &Path) -> Result<VerifyReport> {
    verify_dir_on(dir, &StoreLocation::Embedded)
}

/// [`verify_dir`] for a store at `location` (with a shared database, `dir` is a
/// node's index of it).
pub fn verify_dir_on(dir: &Path, location: &StoreLocation) -> Result<VerifyReport> {
    if !location.is_shared() && !dir.join(crate::store::DB_FILE).is_file() {
        return Err(Error::NotFound(format!("no archive at {}", dir.display())));
    }
    let health = check_index(&dir.join(INDEX_DIR), Depth::Full);
    if health.ok() {
        let archive = Archive::open_for_reading_on(dir, location)?;
        return archive.verify_with_damage(Vec::new());
    }
    let store = AnyStore::open(dir, location)?;
    // An ingest killed between creating the store and creating the index leaves
    // no index and nothing to index: not damage (the next open makes the index).
    let never_indexed = !dir.join(INDEX_DIR).join(META_FILE).exists();
    if never_indexed && store.count()? == 0 && store.last_seq()? == 0 {
        return Ok(VerifyReport {
            store_damage: store.check()?,
            ..VerifyReport::default()
        });
    }
    Ok(VerifyReport {
        store_count: store.count()?,
        index_count: 0,
        store_damage: store.check()?,
        index_damage: health.damage,
        index_seq: health.committed_seq.unwrap_or(0),
        store_seq: store.last_seq()?,
        ..VerifyReport::default()
    })
}

/// Watches the index of a long-running reader (a server) for damage, cheaply.
///
/// Segment files never change once written, so each is checksummed in full once,
/// the first time [`IndexMonitor::check`] sees it; after that only its presence and
/// footer are read ([`Depth::Quick`]), with `meta.json` and `.managed.json` read
/// every time. A check therefore costs milliseconds except right after a commit
/// (the new segments' bytes). Damage that strikes a file after it was checksummed
/// (a disk going bad under a running server) is found by `cablescope verify`, or
/// when a search fails on it.
///
/// A healthy answer is reused for [`IndexMonitor::REUSE`] while `meta.json` is
/// the file it was given for (same inode, length and time): a load balancer's
/// probe every few milliseconds then costs a `stat`, not an index open.
#[derive(Debug, Default)]
pub struct IndexMonitor {
    verified: std::sync::Mutex<BTreeSet<String>>,
    /// The last healthy check: `meta.json`'s stamp and when it was made.
    last_ok: std::sync::Mutex<Option<(crate::index::MetaStamp, std::time::Instant, IndexHealth)>>,
}

impl IndexMonitor {
    /// How long a healthy answer is reused while `meta.json` is unchanged.
    pub const REUSE: std::time::Duration = std::time::Duration::from_secs(1);

    /// A monitor that has checksummed nothing yet.
    pub fn new() -> IndexMonitor {
        IndexMonitor::default()
    }

    /// Checks the index folder `index_dir`: [`Depth::Quick`] for the files already
    /// checksummed, [`Depth::Full`] for the others (see the type's docs).
    pub fn check(&self, index_dir: &Path) -> IndexHealth {
        let stamp = crate::index::meta_stamp(index_dir);
        {
            let last = self
                .last_ok
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            if let (Some(now), Some((seen, at, health))) = (stamp, last.as_ref()) {
                if now == *seen && at.elapsed() < Self::REUSE {
                    return IndexHealth {
                        bytes_checksummed: 0,
                        ..health.clone()
                    };
                }
            }
        }
        let mut verified = self
            .verified
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let h = check_index_with(index_dir, Depth::Full, &verified);
        let mut last = self
            .last_ok
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if h.health.ok() {
            verified.extend(h.checked);
            *last = stamp.map(|s| (s, std::time::Instant::now(), h.health.clone()));
        } else {
            *last = None;
        }
        h.health
    }
}

/// Checks one segment file: present, a readable footer of a format this tantivy
/// reads, and (at [`Depth::Full`]) the checksum of its content.
fn check_file(
    dir: &MmapDirectory,
    rel: &Path,
    depth: Depth,
    checksummed: &mut u64,
) -> std::result::Result<(), String> {
    let slice = dir.open_read(rel).map_err(|e| match e {
        tantivy::directory::error::OpenReadError::FileDoesNotExist(_) => {
            "missing (the last commit uses it)".to_string()
        }
        e => format!("cannot be read: {e}"),
    })?;
    let (footer, body) =
        Footer::extract_footer(slice).map_err(|e| format!("no valid footer: {e}"))?;
    footer
        .is_compatible()
        .map_err(|e| format!("footer names another index format: {e:?}"))?;
    if depth == Depth::Full {
        let bytes = body
            .read_bytes()
            .map_err(|e| format!("cannot be read: {e}"))?;
        let mut hasher = crc32fast::Hasher::new();
        hasher.update(bytes.as_slice());
        let crc = hasher.finalize();
        *checksummed += bytes.len() as u64;
        if crc != footer.crc {
            return Err(format!(
                "checksum mismatch (CRC-32 {crc:08x}, written {:08x}): the content is not \
                 what tantivy wrote",
                footer.crc
            ));
        }
    }
    Ok(())
}

impl<S: Store> Archive<S, TantivyIndex> {
    /// The quick health check of the index ([`Depth::Quick`]): milliseconds, for a
    /// server at start and after a search failed (a damaged segment). A damaged
    /// index answers wrongly or fails; [`repair`] rebuilds it from the store.
    pub fn index_health(&self) -> IndexHealth {
        check_index(self.index().path(), Depth::Quick)
    }
}

/// What [`repair`] did.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RepairReport {
    /// The damage found before the rebuild (empty when the index was sound: it is
    /// rebuilt anyway).
    pub damage_before: Vec<Damage>,
    /// Cables in the store, now indexed.
    pub cables: u64,
    /// The store change sequence the new index holds.
    pub seq: u64,
    /// The check of the repaired archive.
    pub verify: VerifyReport,
}

/// Prefix of the folder a repair builds the new index in (inside the archive).
const REPAIR_PREFIX: &str = ".repair-";

/// Rebuilds the index of the archive in `dir` from its store: the store is the
/// truth, the index only a projection of it.
///
/// The damaged index is never opened: the new one is built in a folder of its own
/// beside it, from the store's records, then swapped in (two renames; a kill
/// between them leaves no index, which the next open rebuilds from the store
/// again), and the old one is deleted. The index's writer lock is held throughout,
/// so a repair refuses to run while an ingest writes (and no ingest can start
/// writing into the index being replaced); readers (a server) see the new index
/// on their next reload.
pub fn repair(dir: &Path) -> Result<RepairReport> {
    repair_on(dir, &StoreLocation::Embedded)
}

/// [`repair`] for a store at `location`: a node of a shared database rebuilds its
/// index from the database.
pub fn repair_on(dir: &Path, location: &StoreLocation) -> Result<RepairReport> {
    if !location.is_shared() && !dir.join(crate::store::DB_FILE).is_file() {
        return Err(Error::NotFound(format!("no archive at {}", dir.display())));
    }
    let index_dir = dir.join(INDEX_DIR);
    std::fs::create_dir_all(&index_dir)?;
    let before = check_index(&index_dir, Depth::Full);
    // The lock file is all tantivy needs of the folder: it works however damaged
    // the rest is.
    let lock_dir = MmapDirectory::open(&index_dir).map_err(|e| Error::Other(e.to_string()))?;
    let _lock = lock_dir
        .acquire_lock(&INDEX_WRITER_LOCK)
        .map_err(|e| match e {
            tantivy::directory::error::LockError::LockBusy => Error::Other(format!(
                "the index of {} is being written (an ingest is running); let it finish or \
                 stop it, then repair again",
                dir.display()
            )),
            e => Error::Other(format!("cannot lock the index: {e}")),
        })?;
    // Left over from a repair that was killed.
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        if entry
            .file_name()
            .to_string_lossy()
            .starts_with(REPAIR_PREFIX)
        {
            std::fs::remove_dir_all(entry.path())?;
        }
    }
    let work = dir.join(format!("{REPAIR_PREFIX}{}", std::process::id()));
    std::fs::create_dir_all(&work)?;
    let rebuilt = (|| -> Result<()> {
        let store = AnyStore::open(dir, location)?;
        let index = TantivyIndex::open(&work)?;
        let mut fresh = Archive::from_parts(dir.to_path_buf(), store, index);
        fresh.sync_index()?;
        fresh.close_writer();
        Ok(())
    })();
    if let Err(e) = rebuilt {
        let _ = std::fs::remove_dir_all(&work);
        return Err(e);
    }
    let old = dir.join(format!("{REPAIR_PREFIX}{}-old", std::process::id()));
    std::fs::rename(&index_dir, &old)?;
    std::fs::rename(work.join(INDEX_DIR), &index_dir)?;
    sync_dir(dir);
    drop(_lock);
    std::fs::remove_dir_all(&old)?;
    std::fs::remove_dir_all(&work)?;
    let archive = Archive::open_for_reading_on(dir, location)?;
    let verify = archive.verify()?;
    Ok(RepairReport {
        damage_before: before.damage,
        cables: verify.store_count,
        seq: verify.index_seq,
        verify,
    })
}

/// Makes renames in `dir` durable (best effort: not every platform can).
pub(crate) fn sync_dir(dir: &Path) {
    if let Ok(f) = std::fs::File::open(dir) {
        let _ = f.sync_all();
    }
}

/// The index folder of the archive in `dir`.
pub fn index_dir(dir: &Path) -> PathBuf {
    dir.join(INDEX_DIR)
}
