//! The store: the archive's truth (cables, their copies, reference edges, inputs),
//! behind the [`Store`] trait, with two implementations: [`SqliteStore`] (the
//! embedded default, `sqlite.rs`) and [`PgStore`] (PostgreSQL, for shared
//! deployments, `postgres.rs`); [`AnyStore`] is whichever of them an archive was
//! opened on (`any.rs`). Both keep the same tables and the same invariants, and the
//! archive's test suites run against both.
//!
//! Every change to a cable takes the next value of a global change sequence
//! (`cables.seq`, `tombstones.seq`): the index records the last sequence it holds and
//! catches up from [`Store::changes_since`]. See `SCHEMA.md` for the tables.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use cablescope_format::Cable;

use crate::error::{Error, Result};
use crate::nearcopy;

mod any;
mod postgres;
mod sqlite;

pub use any::{AnyStore, StoreLocation};
pub use postgres::partition::{partition, partitions, Partition};
pub use postgres::{
    apply_migrations, redact_url, ConnectError, PgConnection, PgStore, SchemaVersions,
};
pub use sqlite::SqliteStore;

/// The format version this build reads and writes.
pub const FORMAT_VERSION: u32 = 3;

/// File name of the SQLite database inside the archive directory.
pub const DB_FILE: &str = "archive.sqlite3";

/// What the archive knows about one input file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputRecord {
    /// Path (virtual path for archive members, `a.zip!x.html`).
    pub path: String,
    /// Size in bytes.
    pub size: Option<u64>,
    /// Modification time in nanoseconds since the epoch (files on disk only).
    pub mtime: Option<i64>,
    /// SHA-256 of the bytes, hex (empty when the file could not be read).
    pub hash: String,
    /// True when the file was read; false when it failed.
    pub ok: bool,
    /// The error, for a failed input.
    pub error: Option<String>,
    /// The detected container format.
    pub format: Option<String>,
    /// How many cables it gave.
    pub cables: u64,
}

/// One copy of a cable as read from one input.
#[derive(Debug, Clone, PartialEq)]
pub struct CopyRow {
    /// The input path.
    pub path: String,
    /// Position in the input, from 1.
    pub item: u64,
    /// The cable id the copy is filed under.
    pub cable_id: String,
    /// The copy's record.
    pub record: Cable,
}

/// A change the index must apply.
#[derive(Debug, Clone, PartialEq)]
pub enum Change {
    /// The cable was added or changed.
    Upsert {
        /// The merged record (its `id` is set).
        cable: Box<Cable>,
        /// The change sequence.
        seq: u64,
    },
    /// The cable was removed.
    Delete {
        /// The removed id.
        id: String,
        /// The change sequence.
        seq: u64,
    },
}

impl Change {
    /// The change sequence.
    pub fn seq(&self) -> u64 {
        match self {
            Change::Upsert { seq, .. } | Change::Delete { seq, .. } => *seq,
        }
    }
}

/// One transaction's worth of writes.
#[derive(Debug, Default, Clone)]
pub struct WriteBatch {
    /// Inputs to record (replacing what was recorded for the same path).
    pub inputs: Vec<InputRecord>,
    /// Input paths whose stored copies are dropped first (changed or removed files).
    pub drop_sources_of: Vec<String>,
    /// Copies to add.
    pub add_sources: Vec<CopyRow>,
    /// Merged cables to insert or replace (each gets a new change sequence).
    pub upsert: Vec<Cable>,
    /// Cable ids to delete (each gets a tombstone with a new change sequence).
    pub delete: Vec<String>,
    /// Inputs to forget entirely (a source removed by path).
    pub forget_inputs: Vec<String>,
    /// Cable ids whose stored copies are dropped (a takedown, or a record without
    /// id whose copies are filed under the cable they copy).
    pub drop_copies_of: Vec<String>,
    /// Band hashes ([`Sketch::bands`]) of copies in `add_sources`, by (path, item),
    /// when the caller computed them already; the others are computed from the
    /// records.
    pub copy_bands: HashMap<(String, u64), Vec<i64>>,
    /// Content hashes ([`copy_content_hash`]) of copies in `add_sources`, by
    /// (path, item), when the caller computed them already (ingest hashes each
    /// copy on its parse workers, beside its sketch); the others are computed
    /// from the records.
    pub copy_hashes: HashMap<(String, u64), String>,
}

impl WriteBatch {
    /// The content hash of `row`, one of `add_sources`: as computed by the caller,
    /// else from its record.
    pub fn copy_hash(&self, row: &CopyRow) -> Result<String> {
        match self.copy_hashes.get(&(row.path.clone(), row.item)) {
            Some(h) => {
                debug_assert_eq!(
                    Some(h),
                    copy_content_hash(&row.record).ok().as_ref(),
                    "a precomputed copy hash is stale"
                );
                Ok(h.clone())
            }
            None => copy_content_hash(&row.record),
        }
    }
}

impl WriteBatch {
    /// True when the batch writes nothing.
    pub fn is_empty(&self) -> bool {
        self.inputs.is_empty()
            && self.drop_sources_of.is_empty()
            && self.add_sources.is_empty()
            && self.upsert.is_empty()
            && self.delete.is_empty()
            && self.forget_inputs.is_empty()
            && self.drop_copies_of.is_empty()
    }
}

/// A reference edge.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub struct Edge {
    /// The citing cable.
    pub from: String,
    /// The cited cable.
    pub to: String,
    /// The bullet (`A`, `B`), empty when none.
    pub label: String,
    /// The reference kind (`cable`).
    pub kind: String,
}

/// Counts grouped by one column.
pub type Counts = Vec<(String, u64)>;

/// One cable's stored state as a merge needs it ([`Store::merge_state`]).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MergeState {
    /// The stored merged record, if any.
    pub record: Option<Cable>,
    /// The distinct stored copies with their content hashes, first by path and
    /// item within each content, in content-hash order.
    pub copies: Vec<(String, CopyRow)>,
}

/// [`MergeState`] by cable id.
pub type MergeStates = BTreeMap<String, MergeState>;

/// The operations the archive needs from a store. A PostgreSQL backend implements
/// the same trait.
pub trait Store {
    /// Every input recorded, by path.
    fn inputs(&self) -> Result<BTreeMap<String, InputRecord>>;
    /// The stored copies of a cable.
    fn copies_of(&self, id: &str) -> Result<Vec<CopyRow>>;
    /// The stored copies of a cable that a merge needs, with their content hashes
    /// ([`copy_content_hash`]): one per distinct content (the first by path and
    /// item), leaving out copies read from the `skip` paths. Identical copies (the
    /// same file under many names) then cost one merge input, not one each.
    fn distinct_copies(&self, id: &str, skip: &BTreeSet<String>) -> Result<Vec<(String, CopyRow)>>;
    /// What merging `ids` again needs, for each id that has either: its stored
    /// record (under exactly that id: an alias does not count) and its
    /// [`distinct_copies`](Store::distinct_copies). The default asks cable by
    /// cable; a server store answers the whole batch in two statements, where two
    /// round trips per cable were most of an ingest's time.
    fn merge_state(&self, ids: &[String], skip: &BTreeSet<String>) -> Result<MergeStates> {
        let mut out = MergeStates::new();
        for id in ids {
            let record = self
                .cable(id)?
                .filter(|c| c.id.as_deref() == Some(id.as_str()));
            let copies = self.distinct_copies(id, skip)?;
            if record.is_some() || !copies.is_empty() {
                out.insert(id.clone(), MergeState { record, copies });
            }
        }
        Ok(out)
    }
    /// The ids of the copies read from `path`.
    fn ids_from_source(&self, path: &str) -> Result<Vec<String>>;
    /// The input paths equal to `path` or inside it (`path!...`, `path/...`).
    fn sources_matching(&self, path: &str) -> Result<Vec<String>>;
    /// Applies a batch in one transaction; returns the last change sequence used.
    fn write(&mut self, batch: &WriteBatch) -> Result<u64>;
    /// The merged record of a cable. When no cable has the id, an alias (an id the
    /// cable was published under, see [`crate::alias`]) names it: the record
    /// returned then carries its canonical id.
    fn cable(&self, id: &str) -> Result<Option<Cable>>;
    /// The id of the cable `id` names: `id` itself when a cable has it, else the
    /// cable it is an alias of (the smallest id when several are), else `None`.
    fn canonical_id(&self, id: &str) -> Result<Option<String>>;
    /// True when some stored record is one of a cable without id (`NOID-…`).
    fn has_noid(&self) -> Result<bool>;
    /// Cables sharing a band hash with `bands` (see [`crate::nearcopy`]), most
    /// shared bands first (ties by id), at most `limit`; only `NOID-` records when
    /// `noid_only`.
    fn band_candidates(&self, bands: &[i64], noid_only: bool, limit: usize) -> Result<Vec<String>>;
    /// Changes with a sequence above `after`, in sequence order, at most `limit`.
    fn changes_since(&self, after: u64, limit: usize) -> Result<Vec<Change>>;
    /// A random id made when the store was created. Change sequences count in one
    /// store only, so an index records the id beside the sequence it holds and is
    /// rebuilt when opened on another store.
    fn store_id(&self) -> Result<String>;
    /// The highest change sequence used so far (0 for a new store).
    fn last_seq(&self) -> Result<u64>;
    /// Every cable id, sorted.
    fn ids(&self) -> Result<Vec<String>>;
    /// Every cable id with its change sequence, sorted by id.
    fn id_seqs(&self) -> Result<Vec<(String, u64)>>;
    /// How many cables.
    fn count(&self) -> Result<u64>;
    /// Which of `ids` are in the store (as a cable's id or one of its aliases).
    fn present(&self, ids: &[String]) -> Result<Vec<String>>;
    /// Edges out of `id` (what it cites).
    fn cites(&self, id: &str) -> Result<Vec<Edge>>;
    /// Edges into `id` (what cites it).
    fn cited_by(&self, id: &str) -> Result<Vec<Edge>>;
    /// Counts of cables grouped by `column` (`year`, `origin`, `classification`,
    /// `level`, `month`), largest first.
    fn count_by(&self, column: &str) -> Result<Counts>;
    /// Cited ids that are not in the store, most cited first.
    fn most_cited_missing(&self, limit: usize) -> Result<Counts>;
    /// Damage found by the store's own checks (empty when sound).
    fn check(&self) -> Result<Vec<String>>;
    /// A setting kept in the store (`meta` table; the declassification policy), or
    /// `None` when unset.
    fn meta(&self, key: &str) -> Result<Option<String>>;
    /// Keeps a setting in the store. The store's own keys (`format_version`,
    /// `next_seq`) are refused.
    fn set_meta(&mut self, key: &str, value: &str) -> Result<()>;
}

/// Largest decompressed record accepted: far above any real cable (the parser
/// refuses inputs over 64 MiB), small enough that a damaged length prefix cannot
/// make us allocate gigabytes.
const MAX_RECORD_BYTES: usize = 256 << 20;

/// Tag in front of a record written since format 3: a zstd frame follows. As the
/// length prefix of a format-2 (LZ4) record it would read as over 800 MiB, above
/// [`MAX_RECORD_BYTES`], so neither reading can be taken for the other, and an
/// older build refuses the record as damaged rather than misreading it.
const ZSTD_TAG: [u8; 4] = *b"\xffZS1";

/// zstd level for records: level 1 compresses the JSON of real and generated
/// cables about 3x (LZ4, used until format 2, about 2x) at a few hundred MB/s.
const ZSTD_LEVEL: i32 = 1;

thread_local! {
    /// One compression context per writer thread: a fresh context per record
    /// costs an allocation of a few hundred KiB.
    static COMPRESSOR: std::cell::RefCell<Option<zstd::bulk::Compressor<'static>>> =
        const { std::cell::RefCell::new(None) };
}

/// A record as stored: [`ZSTD_TAG`], then its JSON as one zstd frame (which
/// carries the JSON's length). zstd rather than LZ4: at level 1 it is about as
/// fast to write and the records take a third less room (`BENCHMARKS.md`,
/// archive size).
fn encode_record(json: &str) -> Result<Vec<u8>> {
    COMPRESSOR.with(|cell| {
        let mut slot = cell.borrow_mut();
        if slot.is_none() {
            *slot = Some(zstd::bulk::Compressor::new(ZSTD_LEVEL)?);
        }
        let c = slot.as_mut().expect("set above");
        let mut out = Vec::with_capacity(json.len() / 2 + 64);
        out.extend_from_slice(&ZSTD_TAG);
        let frame = c.compress(json.as_bytes())?;
        out.extend_from_slice(&frame);
        Ok(out)
    })
}

/// Reads a record stored by [`encode_record`] (or by format 2: the JSON
/// LZ4-compressed with its length prepended), refusing a damaged length before
/// it allocates.
fn decode_record_bytes(b: &[u8]) -> Result<Cable> {
    let json = if let Some(frame) = b.strip_prefix(&ZSTD_TAG) {
        let len = match zstd::zstd_safe::get_frame_content_size(frame) {
            Ok(Some(n)) if n as usize <= MAX_RECORD_BYTES => n as usize,
            _ => return Err(Error::Other("damaged record: bad length".into())),
        };
        let json = zstd::bulk::decompress(frame, len)
            .map_err(|e| Error::Other(format!("damaged record: {e}")))?;
        if json.len() != len {
            return Err(Error::Other("damaged record: short".into()));
        }
        json
    } else {
        let len = b
            .get(..4)
            .map(|h| u32::from_le_bytes([h[0], h[1], h[2], h[3]]) as usize)
            .unwrap_or(usize::MAX);
        if len > MAX_RECORD_BYTES {
            return Err(Error::Other("damaged record: bad length".into()));
        }
        lz4_flex::decompress_size_prepended(b)
            .map_err(|e| Error::Other(format!("damaged record: {e}")))?
    };
    Ok(serde_json::from_slice(&json)?)
}

/// The columns of a `cables` row that both backends derive from the merged
/// record, so that grouping and counting agree between them.
struct CableColumns {
    json: String,
    year: Option<i64>,
    month: Option<String>,
    level: &'static str,
    captions: String,
    tags: String,
}

impl CableColumns {
    fn of(c: &Cable) -> Result<Self> {
        Ok(CableColumns {
            json: serde_json::to_string(c)?,
            year: c
                .created
                .as_deref()
                .and_then(|t| t.get(..4)?.parse::<i64>().ok()),
            month: c
                .created
                .as_deref()
                .and_then(|t| t.get(..7))
                .map(str::to_string),
            level: cablescope_format::marking::effective_marks(c)
                .overall
                .rank_code(),
            captions: serde_json::to_string(&c.captions)?,
            tags: serde_json::to_string(&c.tags)?,
        })
    }
}

/// The reference edges a merged record gives: (to, label, kind) per reference
/// with an id.
fn edges_of(c: &Cable) -> Result<Vec<(String, String, String)>> {
    let mut out = Vec::new();
    for r in &c.references {
        if let Some(to) = &r.id {
            let kind = serde_json::to_value(r.kind)?
                .as_str()
                .unwrap_or("other")
                .to_string();
            out.push((to.clone(), r.label.clone().unwrap_or_default(), kind));
        }
    }
    Ok(out)
}

/// The columns [`Store::count_by`] may group by (anything else is refused before
/// it reaches SQL).
fn count_column(column: &str) -> Result<&str> {
    match column {
        "year" | "origin" | "classification" | "level" | "month" => Ok(column),
        _ => Err(Error::Other(format!("cannot count by {column}"))),
    }
}

/// Settings of the store's own that [`Store::set_meta`] refuses.
fn own_meta_key(key: &str) -> bool {
    matches!(
        key,
        "format_version" | "next_seq" | "sketch_version" | "copy_hash" | "store_id"
    )
}

/// The content hash of a copy (`sources.content_hash`): the SHA-256 of its
/// record's JSON with the source's path and item left out, so that one cable read
/// from identical files (or identical members of archives) hashes the same, and
/// any difference in what was read from them does not.
pub fn copy_content_hash(record: &Cable) -> Result<String> {
    let mut anonymous = record.clone();
    anonymous.source.path = None;
    anonymous.source.item = None;
    Ok(sha256_hex(serde_json::to_string(&anonymous)?.as_bytes()))
}

/// SHA-256 of `bytes`, lower-case hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    let d = sha2::Sha256::digest(bytes);
    let mut s = String::with_capacity(64);
    for b in d {
        s.push_str(&format!("{b:02x}"));
    }
    s
}

/// The first string after every `NOID-` id (`.` follows `-` in ASCII).
fn noid_end() -> String {
    format!("{}.", nearcopy::NOID_PREFIX.trim_end_matches('-'))
}
