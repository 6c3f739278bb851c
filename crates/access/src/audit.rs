//! The audit log: who read what, append-only and hash-chained (issue 7).
//!
//! Every entry is a row of `audit` in `access.db` (see [`crate::access_db`]). Entry
//! `seq` stores `hash = SHA-256(prev_hash ‖ canonical(seq, entry))`, where
//! `prev_hash` is the previous entry's hash (64 zeros before the first) and the
//! canonical form is a JSON array of the seq and the entry's fields in a fixed
//! order. [`AuditLog::verify`] recomputes the chain and names the first entry that
//! does not fit: an edited row (its hash no longer matches), a deleted row (a gap
//! in the seqs), rows swapped or moved (a broken link).
//!
//! A deleted tail leaves a shorter chain that is valid in itself, so a head row
//! (last seq and hash) is written in the same transaction as every entry; a tail
//! deleted without updating the head is caught.
//!
//! **Keyed.** The chain is keyed: `hash = HMAC-SHA-256(key, prev_hash ‖
//! canonical(...))`, with a random 256-bit key kept apart from `access.db`, in
//! [`KEY_FILE`] beside it (created 0600 with the first entry written; see
//! [`AuditKey`]). Someone with write access to `access.db` alone who rewrites the
//! whole chain (and the head) cannot compute the hashes, and `verify` reports the
//! first rewritten entry as edited.
//!
//! **Logs written before the key** (by an older cablescope) are not rewritten:
//! their entries keep their plain `SHA-256(prev_hash ‖ canonical)` hashes (so
//! head hashes anchored earlier stay valid), the key file records the first seq
//! written with the key (`keyed-from`), and the chain goes on keyed from there.
//! `verify` checks the older entries the old way and says how many there are
//! ([`AuditReport::unkeyed`]): a rewrite of those alone is caught only by an
//! anchored head. A log without a key file is checked unkeyed throughout (with
//! that notice); deleting the key file makes the next entry start a new key from
//! there, and every earlier keyed entry then fails to verify.
//!
//! **What this does not catch:** someone who can read the key file (then they
//! can rewrite the chain as well as cablescope can). A copy of the head kept
//! elsewhere still catches that: `cablescope audit verify` prints the head hash,
//! and `--expect-head HASH` checks that an anchored hash is still part of the
//! chain ([`AuditLog::verify_anchored`]).
//!
//! Appends take SQLite's write lock before reading the previous hash (an IMMEDIATE
//! transaction), so the CLI and a server writing at once never fork the chain.
//!
//! ```no_run
//! use cablescope_access::audit::{AuditEntry, AuditLog};
//!
//! let log = AuditLog::open(std::path::Path::new("cablescope-data"))?;
//! let mut e = AuditEntry::new("alice", "search", "tag:PREL");
//! e.results = 12;
//! e.clearance = "C+NOFORN".into();
//! let seq = log.record(&e)?;
//! assert!(log.verify()?.is_ok());
//! # let _ = seq;
//! # Ok::<(), cablescope_access::users::AccessError>(())
//! ```

use std::path::Path;

use hmac::{Hmac, Mac};
/// The time type of [`AuditEntry::at`] and [`AuditFilter`] (re-exported so that
/// callers need no direct dependency on `jiff`).
pub use jiff::Timestamp;
use serde::Serialize;
use sha2::{Digest, Sha256};

use crate::access_db::{
    self, from_us, to_us, AccessError, AccessLocation, AccessStore, AuditRow as Row, AuditSelect,
    KeyRecord,
};
use crate::viewer::Viewer;
pub use crate::viewer::ANONYMOUS;

/// The `prev_hash` of the first entry.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One thing that happened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditEntry {
    /// When (stored to the microsecond).
    pub at: Timestamp,
    /// The user's name, or [`ANONYMOUS`].
    pub who: String,
    /// What kind of act: `search`, `read`, `export`, `refs`, `graph`, `stats`,
    /// `login`, `login_failed`, `users`, ...
    pub action: String,
    /// The query string, the cable id, or what was changed.
    pub what: String,
    /// How many results were returned.
    pub results: u64,
    /// What was held back from this reader (`08MOSCOW1599 ¶3 (S/NF)`).
    pub withheld: Vec<String>,
    /// The reader's clearance (`C+NOFORN`).
    pub clearance: String,
}

impl AuditEntry {
    /// An entry made now, with no results, nothing withheld and no clearance.
    pub fn new(who: &str, action: &str, what: &str) -> AuditEntry {
        AuditEntry {
            at: Timestamp::now(),
            who: who.to_string(),
            action: action.to_string(),
            what: what.to_string(),
            results: 0,
            withheld: Vec::new(),
            clearance: String::new(),
        }
    }

    /// An entry made now for `viewer` (their name and clearance filled in).
    pub fn for_viewer(viewer: &Viewer, action: &str, what: &str) -> AuditEntry {
        AuditEntry {
            clearance: viewer.clearance_label(),
            ..AuditEntry::new(viewer.who(), action, what)
        }
    }
}

/// An entry as stored: its seq and hash too.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditRecord {
    /// Position in the log, from 1, without gaps.
    pub seq: u64,
    /// The entry.
    #[serde(flatten)]
    pub entry: AuditEntry,
    /// The chain hash of this entry (hex SHA-256).
    pub hash: String,
}

/// Which entries [`AuditLog::entries`] returns. Empty fields select everything.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    /// Only this user's entries.
    pub who: Option<String>,
    /// Only this action.
    pub action: Option<String>,
    /// Only entries at or after this time.
    pub since: Option<Timestamp>,
    /// Only entries before this time.
    pub until: Option<Timestamp>,
    /// Only the last this many matching entries.
    pub limit: Option<usize>,
}

/// Where and why the chain breaks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChainBreak {
    /// The first seq that does not verify (for a deleted row: the missing seq).
    pub seq: u64,
    /// What is wrong there.
    pub reason: BreakReason,
}

/// The kinds of break [`AuditLog::verify`] tells apart.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BreakReason {
    /// The entry's contents differ from what was hashed (edited row).
    Edited,
    /// The entry does not follow the one before it (rows swapped, moved or replaced).
    BrokenLink,
    /// No entry with this seq, but later ones exist (deleted row).
    Missing,
    /// The head records more entries than there are (deleted tail).
    Truncated,
    /// The head's hash is not the last entry's.
    HeadMismatch,
    /// Entries exist but the head row is gone.
    HeadMissing,
    /// A stored field that does not read back (e.g. `withheld` not a JSON list).
    Unreadable,
}

impl BreakReason {
    /// A sentence for people.
    pub fn describe(&self) -> &'static str {
        match self {
            BreakReason::Edited => "the entry was changed after it was written",
            BreakReason::BrokenLink => {
                "the entry does not follow the one before it (rows swapped, moved or replaced)"
            }
            BreakReason::Missing => "the entry is missing (deleted)",
            BreakReason::Truncated => "the entry and any after it are missing (tail deleted)",
            BreakReason::HeadMismatch => "the head hash does not match the last entry",
            BreakReason::HeadMissing => "the head row is missing",
            BreakReason::Unreadable => "a stored field of the entry does not read back",
        }
    }
}

/// The result of checking the chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditReport {
    /// Entries read.
    pub entries: u64,
    /// The last seq according to the head row (0 for an empty log).
    pub head_seq: u64,
    /// The head hash to anchor elsewhere ([`GENESIS_HASH`] for an empty log).
    pub head_hash: String,
    /// The first break, if any.
    pub broken: Option<ChainBreak>,
    /// With [`AuditLog::verify_anchored`]: the anchored hash and the seq it was
    /// found at in the verified chain (`None`: not found, the chain was rewritten).
    pub anchor: Option<Anchor>,
    /// The first seq keyed with the archive's audit key (`None`: no key yet).
    pub keyed_from: Option<u64>,
    /// Entries checked with plain SHA-256 (written before the key existed): a
    /// rewrite of these alone is caught only by an anchored head.
    pub unkeyed: u64,
}

/// An externally kept head hash and where it was found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Anchor {
    /// The hash that was expected.
    pub hash: String,
    /// The seq whose hash it is, in the intact part of the chain.
    pub found_at: Option<u64>,
}

impl AuditReport {
    /// True when the chain is intact and any anchor was found in it.
    pub fn is_ok(&self) -> bool {
        self.broken.is_none() && self.anchor.as_ref().is_none_or(|a| a.found_at.is_some())
    }
}

/// The audit log of one archive.
pub struct AuditLog {
    db: Box<dyn AccessStore>,
    /// Where the log is: its directory holds the key file.
    at: AccessLocation,
    /// The chain's key, once loaded or made.
    key: std::sync::Mutex<Option<AuditKey>>,
}

impl std::fmt::Debug for AuditLog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuditLog").finish_non_exhaustive()
    }
}

/// The canonical bytes hashed for an entry: a JSON array of the seq and the fields
/// in a fixed order (JSON escaping makes the field boundaries unambiguous).
#[allow(clippy::too_many_arguments)] // one argument per hashed field, in hash order
fn canonical(
    seq: u64,
    at_us: i64,
    who: &str,
    action: &str,
    what: &str,
    results: u64,
    withheld: &[String],
    clearance: &str,
) -> String {
    serde_json::json!([seq, at_us, who, action, what, results, withheld, clearance]).to_string()
}

fn hex(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        use std::fmt::Write;
        let _ = write!(s, "{b:02x}");
    }
    s
}

/// The hash of an entry: keyed with `key` (HMAC-SHA-256), or the plain SHA-256 of
/// entries written before the archive had a key.
fn chain_hash(key: Option<&[u8; 32]>, prev: &str, canonical: &str) -> String {
    match key {
        Some(k) => {
            let mut m =
                <Hmac<Sha256> as Mac>::new_from_slice(k).expect("HMAC takes a key of any length");
            m.update(prev.as_bytes());
            m.update(canonical.as_bytes());
            hex(&m.finalize().into_bytes())
        }
        None => {
            let mut h = Sha256::new();
            h.update(prev.as_bytes());
            h.update(canonical.as_bytes());
            hex(&h.finalize())
        }
    }
}

/// The audit key's file, beside `access.db` in the archive directory.
pub const KEY_FILE: &str = "audit.key";

/// The first line of [`KEY_FILE`].
const KEY_MAGIC: &str = "cablescope audit key v1";

/// The key of an archive's audit chain and the first seq hashed with it.
///
/// The file ([`KEY_FILE`]) is text: `cablescope audit key v1`, `key <64 hex>`,
/// `keyed-from <seq>`, one a line. It is created with mode 0600 and never
/// rewritten. Back it up with the archive, and keep it from anyone who must not
/// be able to rewrite the log.
#[derive(Clone)]
pub struct AuditKey {
    key: [u8; 32],
    /// The first seq hashed with the key; earlier entries are plain SHA-256.
    pub keyed_from: u64,
}

impl std::fmt::Debug for AuditKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuditKey")
            .field("keyed_from", &self.keyed_from)
            .finish_non_exhaustive()
    }
}

impl AuditKey {
    /// The key of the archive in `dir`, `None` when it has none yet.
    pub fn load(dir: &Path) -> Result<Option<AuditKey>, AccessError> {
        AuditKey::load_file(&dir.join(KEY_FILE))
    }

    /// The key in the file `path`, `None` when there is no such file.
    pub fn load_file(path: &Path) -> Result<Option<AuditKey>, AccessError> {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => {
                return Err(AccessError::Damaged(format!(
                    "cannot read the audit key {}: {e}",
                    path.display()
                )))
            }
        };
        AuditKey::parse(&text).map(Some).ok_or_else(|| {
            AccessError::Damaged(format!(
                "the audit key {} is not a cablescope audit key",
                path.display()
            ))
        })
    }

    fn parse(text: &str) -> Option<AuditKey> {
        let mut lines = text.lines();
        if lines.next()? != KEY_MAGIC {
            return None;
        }
        let key_hex = lines.next()?.strip_prefix("key ")?;
        let from = lines.next()?.strip_prefix("keyed-from ")?.parse().ok()?;
        if key_hex.len() != 64 {
            return None;
        }
        let mut key = [0u8; 32];
        for (i, b) in key.iter_mut().enumerate() {
            *b = u8::from_str_radix(key_hex.get(2 * i..2 * i + 2)?, 16).ok()?;
        }
        Some(AuditKey {
            key,
            keyed_from: from,
        })
    }

    /// Creates the key of the archive in `dir`, first used for seq `keyed_from`;
    /// if another process created it first, that one.
    fn create(dir: &Path, keyed_from: u64) -> Result<AuditKey, AccessError> {
        let mut key = [0u8; 32];
        getrandom::fill(&mut key).map_err(|e| AccessError::Random(e.to_string()))?;
        let text = format!("{KEY_MAGIC}\nkey {}\nkeyed-from {keyed_from}\n", hex(&key));
        let path = dir.join(KEY_FILE);
        // Written whole under a temporary name, then linked into place: a reader
        // never sees half a key, and of two creators one wins.
        // The temporary name is random: writers of one process (threads) and of
        // several (CLI and server) may create it at once.
        let mut salt = [0u8; 8];
        getrandom::fill(&mut salt).map_err(|e| AccessError::Random(e.to_string()))?;
        let tmp = dir.join(format!(".{KEY_FILE}.{}.tmp", hex(&salt)));
        let damaged = |e: std::io::Error| {
            AccessError::Damaged(format!(
                "cannot write the audit key {}: {e}",
                path.display()
            ))
        };
        {
            let mut o = std::fs::OpenOptions::new();
            o.write(true).create_new(true);
            #[cfg(unix)]
            {
                use std::os::unix::fs::OpenOptionsExt;
                o.mode(0o600);
            }
            let _ = std::fs::remove_file(&tmp);
            let mut f = o.open(&tmp).map_err(damaged)?;
            use std::io::Write;
            f.write_all(text.as_bytes()).map_err(damaged)?;
            f.sync_all().map_err(damaged)?;
        }
        let linked = std::fs::hard_link(&tmp, &path);
        let _ = std::fs::remove_file(&tmp);
        match linked {
            Ok(()) => Ok(AuditKey { key, keyed_from }),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => AuditKey::load(dir)?
                .ok_or_else(|| AccessError::Damaged("the audit key vanished".into())),
            Err(e) => Err(damaged(e)),
        }
    }

    /// What a shared database records of the key: an HMAC of a fixed text under
    /// it, which names the key without revealing it.
    pub(crate) fn fingerprint(&self) -> String {
        chain_hash(Some(&self.key), "", "cablescope audit key fingerprint v1")
    }

    /// The key to hash seq `seq` with: `None` before [`AuditKey::keyed_from`].
    fn for_seq(&self, seq: u64) -> Option<&[u8; 32]> {
        (seq >= self.keyed_from).then_some(&self.key)
    }
}

impl Row {
    fn withheld(&self) -> Option<Vec<String>> {
        serde_json::from_str(&self.withheld).ok()
    }

    fn into_record(self) -> Result<AuditRecord, AccessError> {
        let withheld = self
            .withheld()
            .ok_or_else(|| AccessError::Damaged(format!("audit entry {}: withheld", self.seq)))?;
        Ok(AuditRecord {
            seq: self.seq as u64,
            entry: AuditEntry {
                at: from_us(self.at_us)?,
                who: self.who,
                action: self.action,
                what: self.what,
                results: self.results as u64,
                withheld,
                clearance: self.clearance,
            },
            hash: self.hash,
        })
    }
}

impl AuditLog {
    /// Opens the audit log of the archive in `dir` (which must exist), creating
    /// `access.db` on first use.
    pub fn open(at: impl Into<AccessLocation>) -> Result<AuditLog, AccessError> {
        let at = at.into();
        Ok(AuditLog {
            db: access_db::open(&at)?,
            at,
            key: std::sync::Mutex::new(None),
        })
    }

    /// The chain's key: loaded once; made when `writing` and the archive has none
    /// (first used for the seq after the last entry: entries only ever follow it,
    /// so every entry at or after that seq is hashed with the key by every
    /// writer, which all load the same file). On a shared database the key
    /// must be the one the chain is recorded as written with (see the module
    /// docs): a node without it, or with another, gets
    /// [`AccessError::KeyMismatch`] and writes nothing.
    fn key(&self, writing: bool) -> Result<Option<AuditKey>, AccessError> {
        let mut k = self
            .key
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if k.is_some() {
            return Ok(k.clone());
        }
        let dir = self.at.dir();
        let recorded = self.db.audit_key()?;
        let mut loaded = AuditKey::load(dir)?;
        if loaded.is_none() && writing && recorded.is_none() {
            let next = self.db.last_audit_seq()? + 1;
            loaded = Some(AuditKey::create(dir, next)?);
        }
        match (&loaded, recorded) {
            (Some(key), recorded) if self.at.is_shared() => {
                let mine = KeyRecord {
                    fingerprint: key.fingerprint(),
                    keyed_from: key.keyed_from,
                };
                let recorded = match recorded {
                    Some(r) => r,
                    None => self.db.record_audit_key(&mine)?,
                };
                if recorded != mine {
                    return Err(AccessError::KeyMismatch(format!(
                        "the audit key {} is not the key the shared audit log is written with: \
                         copy the audit key of the node that wrote the log first into {}",
                        dir.join(KEY_FILE).display(),
                        dir.display()
                    )));
                }
            }
            (None, Some(_)) if writing => {
                return Err(AccessError::KeyMismatch(format!(
                    "the shared audit log is keyed and {} has no audit key: copy {KEY_FILE} \
                     from the node that wrote the log first into {}",
                    dir.display(),
                    dir.display()
                )));
            }
            _ => {}
        }
        *k = loaded;
        Ok(k.clone())
    }

    /// Checks that an entry can be written: on a shared database, that this
    /// node's audit key is the chain's (making the key when nobody has one yet).
    /// Commands that change something call it first, so a node that could not
    /// record the change does not make it.
    pub fn ready_to_write(&self) -> Result<(), AccessError> {
        self.key(true).map(|_| ())
    }

    /// Appends an entry and returns its seq. The time is kept to the microsecond.
    pub fn record(&self, e: &AuditEntry) -> Result<u64, AccessError> {
        let at_us = to_us(e.at);
        // Stored as i64: clamp (a count never gets near it).
        let results = e.results.min(i64::MAX as u64);
        let withheld =
            serde_json::to_string(&e.withheld).map_err(|e| AccessError::Damaged(e.to_string()))?;
        let key = self.key(true)?;
        // The store holds its write lock from the read of the previous hash to the
        // commit, so two writers (CLI and server, or two nodes) never both append
        // after the same entry.
        self.db.append_audit(&mut |prev_seq, prev_hash| {
            let seq = prev_seq + 1;
            let canon = canonical(
                seq,
                at_us,
                &e.who,
                &e.action,
                &e.what,
                results,
                &e.withheld,
                &e.clearance,
            );
            let hash = chain_hash(key.as_ref().and_then(|k| k.for_seq(seq)), prev_hash, &canon);
            Ok(Row {
                seq: seq as i64,
                at_us,
                who: e.who.clone(),
                action: e.action.clone(),
                what: e.what.clone(),
                results: results as i64,
                withheld: withheld.clone(),
                clearance: e.clearance.clone(),
                prev_hash: prev_hash.to_string(),
                hash,
            })
        })
    }

    /// Recomputes the chain and reports the first break.
    pub fn verify(&self) -> Result<AuditReport, AccessError> {
        self.check(None)
    }

    /// [`AuditLog::verify`], and also checks that `anchor` (a head hash printed
    /// earlier and kept elsewhere) is the hash of an entry in the intact chain.
    pub fn verify_anchored(&self, anchor: &str) -> Result<AuditReport, AccessError> {
        self.check(Some(anchor.trim().to_ascii_lowercase()))
    }

    fn check(&self, anchor: Option<String>) -> Result<AuditReport, AccessError> {
        let key = self.key(false)?;
        let mut unkeyed = 0u64;
        let mut anchor = anchor.map(|hash| Anchor {
            found_at: (hash == GENESIS_HASH).then_some(0),
            hash,
        });
        let mut entries = 0u64;
        let mut broken = None;
        let mut expected_seq = 1u64;
        let mut prev = GENESIS_HASH.to_string();
        // One read snapshot: a concurrent append cannot make the rows and the head
        // disagree mid-check.
        let head = self.db.scan_audit(&mut |row| {
            entries += 1;
            if broken.is_some() {
                return Ok(());
            }
            let seq = row.seq as u64;
            if row.seq < 1 || seq != expected_seq {
                broken = Some(ChainBreak {
                    seq: expected_seq,
                    reason: BreakReason::Missing,
                });
                return Ok(());
            }
            if row.prev_hash != prev {
                broken = Some(ChainBreak {
                    seq,
                    reason: BreakReason::BrokenLink,
                });
                return Ok(());
            }
            let Some(withheld) = row.withheld() else {
                broken = Some(ChainBreak {
                    seq,
                    reason: BreakReason::Unreadable,
                });
                return Ok(());
            };
            let canon = canonical(
                seq,
                row.at_us,
                &row.who,
                &row.action,
                &row.what,
                row.results as u64,
                &withheld,
                &row.clearance,
            );
            let k = key.as_ref().and_then(|k| k.for_seq(seq));
            if k.is_none() {
                unkeyed += 1;
            }
            if chain_hash(k, &prev, &canon) != row.hash {
                broken = Some(ChainBreak {
                    seq,
                    reason: BreakReason::Edited,
                });
                return Ok(());
            }
            if let Some(a) = anchor.as_mut() {
                if a.found_at.is_none() && a.hash == row.hash {
                    a.found_at = Some(seq);
                }
            }
            prev = row.hash;
            expected_seq += 1;
            Ok(())
        })?;
        let last_seq = expected_seq - 1;
        let has_head = head.is_some();
        let (head_seq, head_hash) = match head {
            Some((s, h)) => (s.max(0) as u64, h),
            None => (0, GENESIS_HASH.to_string()),
        };
        if broken.is_none() {
            broken = if !has_head && entries > 0 {
                Some(ChainBreak {
                    seq: last_seq,
                    reason: BreakReason::HeadMissing,
                })
            } else if head_seq > last_seq {
                Some(ChainBreak {
                    seq: last_seq + 1,
                    reason: BreakReason::Truncated,
                })
            } else if head_seq < last_seq || head_hash != prev {
                // The head trails the rows (rows added without it) or names
                // another chain: either way not what was written.
                Some(ChainBreak {
                    seq: head_seq.min(last_seq).max(1),
                    reason: BreakReason::HeadMismatch,
                })
            } else {
                None
            };
        }
        Ok(AuditReport {
            entries,
            head_seq,
            head_hash,
            broken,
            anchor,
            keyed_from: key.map(|k| k.keyed_from),
            unkeyed,
        })
    }

    /// The entries a filter selects, oldest first (with a limit: the last that many).
    pub fn entries(&self, f: &AuditFilter) -> Result<Vec<AuditRecord>, AccessError> {
        let rows = self.db.select_audit(&AuditSelect {
            who: f.who.clone(),
            action: f.action.clone(),
            since_us: f.since.map(to_us),
            until_us: f.until.map(to_us),
            limit: f.limit.map(|n| n.min(i64::MAX as usize) as i64),
        })?;
        let mut out = rows
            .into_iter()
            .map(Row::into_record)
            .collect::<Result<Vec<_>, _>>()?;
        out.reverse();
        Ok(out)
    }
}

/// Parses a time bound for [`AuditFilter`]: a timestamp (`2024-06-01T10:00:00Z`),
/// a civil date-time taken as UTC (`2024-06-01T10:00`, `2024-06-01 10:00`) or a
/// date (`2024-06-01`). With `end_of_day`, a bare date means the end of that day
/// (so `--until 2024-06-01` includes the whole day).
pub fn parse_time_bound(s: &str, end_of_day: bool) -> Option<Timestamp> {
    let s = s.trim();
    if let Ok(t) = s.parse::<Timestamp>() {
        return Some(t);
    }
    if let Ok(dt) = s.replacen(' ', "T", 1).parse::<jiff::civil::DateTime>() {
        if s.len() > 10 {
            return dt
                .to_zoned(jiff::tz::TimeZone::UTC)
                .ok()
                .map(|z| z.timestamp());
        }
    }
    let d = s.parse::<jiff::civil::Date>().ok()?;
    let d = if end_of_day { d.tomorrow().ok()? } else { d };
    d.to_zoned(jiff::tz::TimeZone::UTC)
        .ok()
        .map(|z| z.timestamp())
}

/// The audit sink of one archive, shared by every reader of a process (the CLI's
/// one command, every request of a server): it writes an entry for each read once
/// the archive has users (it is *closed*), and nothing on an open archive (whose
/// readers have no names). Once seen closed it stays closed for the life of the
/// process (users are revoked, never deleted; a deleted `access.db` must not open
/// it).
pub struct Auditor {
    at: AccessLocation,
    closed: std::sync::atomic::AtomicBool,
    /// The log, opened on first write; one writer at a time.
    log: std::sync::Mutex<Option<AuditLog>>,
}

impl std::fmt::Debug for Auditor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Auditor")
            .field("at", &self.at)
            .field(
                "closed",
                &self.closed.load(std::sync::atomic::Ordering::Relaxed),
            )
            .finish_non_exhaustive()
    }
}

impl Auditor {
    /// The audit sink of the archive in `dir` (nothing is opened yet).
    pub fn new(at: impl Into<AccessLocation>) -> Auditor {
        Auditor {
            at: at.into(),
            closed: std::sync::atomic::AtomicBool::new(false),
            log: std::sync::Mutex::new(None),
        }
    }

    /// The archive directory.
    pub fn dir(&self) -> &Path {
        self.at.dir()
    }

    /// True once the archive was seen closed (no file access; see
    /// [`Auditor::is_closed`]).
    pub fn known_closed(&self) -> bool {
        self.closed.load(std::sync::atomic::Ordering::Acquire)
    }

    /// True when the archive has users (blocking). Cheap once closed; on an open
    /// archive a file check, and a query only when `access.db` exists (on a
    /// shared database, a query on the log's connection).
    pub fn is_closed(&self) -> Result<bool, AccessError> {
        if self.known_closed() {
            return Ok(true);
        }
        let closed = if self.at.is_shared() {
            // A shared database always has the tables: ask on the log's own
            // connection rather than connect anew for each read.
            self.with_log(|l| l.db.has_users())?
        } else {
            crate::users::has_users(&self.at)?
        };
        if closed {
            self.closed
                .store(true, std::sync::atomic::Ordering::Release);
        }
        Ok(closed)
    }

    /// Opens the log when the archive is closed: a streamed read (an export) checks
    /// this before it starts, since its entry is written at the end.
    pub fn ready(&self) -> Result<(), AccessError> {
        if !self.is_closed()? {
            return Ok(());
        }
        self.with_log(|_| Ok(()))
    }

    /// Appends `entry` to the log, whether or not the archive is closed (sign-ins,
    /// user changes); returns its seq.
    pub fn record(&self, entry: &AuditEntry) -> Result<u64, AccessError> {
        self.with_log(|l| l.record(entry))
    }

    /// Runs `f` on the log, opened on first use; one caller at a time.
    fn with_log<T>(
        &self,
        f: impl FnOnce(&AuditLog) -> Result<T, AccessError>,
    ) -> Result<T, AccessError> {
        let mut log = self
            .log
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if log.is_none() {
            *log = Some(AuditLog::open(&self.at)?);
        }
        match log.as_ref() {
            Some(l) => f(l),
            None => unreachable!("opened above"),
        }
    }

    /// Appends `entry` when the archive is closed; `None` when it is open (nothing
    /// written).
    pub fn record_read(&self, entry: &AuditEntry) -> Result<Option<u64>, AccessError> {
        if !self.is_closed()? {
            return Ok(None);
        }
        self.record(entry).map(Some)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_form_separates_fields() {
        // Moving text between adjacent fields changes the canonical form.
        let a = canonical(1, 0, "ab", "c", "", 0, &[], "");
        let b = canonical(1, 0, "a", "bc", "", 0, &[], "");
        assert_ne!(a, b);
        assert_eq!(chain_hash(None, GENESIS_HASH, &a).len(), 64);
        assert_ne!(
            chain_hash(Some(&[7; 32]), GENESIS_HASH, &a),
            chain_hash(None, GENESIS_HASH, &a)
        );
    }

    #[test]
    fn time_bounds() {
        let t = parse_time_bound("2024-06-01", false).unwrap();
        assert_eq!(t.to_string(), "2024-06-01T00:00:00Z");
        let t = parse_time_bound("2024-06-01", true).unwrap();
        assert_eq!(t.to_string(), "2024-06-02T00:00:00Z");
        let t = parse_time_bound("2024-06-01 10:30", true).unwrap();
        assert_eq!(t.to_string(), "2024-06-01T10:30:00Z");
        let t = parse_time_bound("2024-06-01T10:30:00+02:00", false).unwrap();
        assert_eq!(t.to_string(), "2024-06-01T08:30:00Z");
        assert!(parse_time_bound("yesterday", false).is_none());
    }
}
