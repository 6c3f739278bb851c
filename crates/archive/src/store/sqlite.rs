//! The embedded store: one SQLite file (`archive.sqlite3`) in the archive
//! directory. See `SCHEMA.md` for the tables.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use cablescope_format::Cable;
use rusqlite::{params, Connection, OptionalExtension, Transaction};

use super::{
    copy_content_hash, count_column, decode_record_bytes, edges_of, encode_record, noid_end,
    own_meta_key, CableColumns, Change, CopyRow, Counts, Edge, InputRecord, Store, WriteBatch,
    DB_FILE, FORMAT_VERSION,
};
use crate::alias;
use crate::error::{Error, Result};
use crate::nearcopy::{self, Sketch};

/// The SQLite store.
pub struct SqliteStore {
    conn: Connection,
}

const SCHEMA_V1: &str = "
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS cables (
    id TEXT PRIMARY KEY,
    record TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    created TEXT,
    year INTEGER,
    month TEXT,
    origin TEXT,
    classification TEXT,
    level TEXT,
    captions TEXT NOT NULL,
    tags TEXT NOT NULL,
    subject TEXT,
    seq INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS cables_seq ON cables(seq);
CREATE TABLE IF NOT EXISTS sources (
    path TEXT NOT NULL,
    item INTEGER NOT NULL,
    format TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    cable_id TEXT NOT NULL,
    record TEXT NOT NULL,
    PRIMARY KEY (path, item)
);
CREATE INDEX IF NOT EXISTS sources_cable ON sources(cable_id);
CREATE TABLE IF NOT EXISTS refs (
    from_id TEXT NOT NULL,
    to_id TEXT NOT NULL,
    label TEXT NOT NULL,
    kind TEXT NOT NULL,
    PRIMARY KEY (from_id, to_id, label)
);
CREATE INDEX IF NOT EXISTS refs_to ON refs(to_id);
CREATE TABLE IF NOT EXISTS inputs (
    path TEXT PRIMARY KEY,
    size INTEGER,
    mtime INTEGER,
    hash TEXT NOT NULL,
    status TEXT NOT NULL,
    error TEXT,
    format TEXT,
    cables INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS tombstones (id TEXT NOT NULL, seq INTEGER PRIMARY KEY);
";

/// Tables derived from the records, added to version 2 in place (created on open
/// when missing, and rebuilt when `meta.sketch_version` is not
/// [`nearcopy::SKETCH_VERSION`]): a store without them reads as before, and an
/// older binary that writes the store leaves them behind, which only costs
/// lookups (a stale alias names nothing, a stale band adds a candidate that the
/// exact comparison turns away) until the next rebuild.
const DERIVED_SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS aliases (
    alias TEXT NOT NULL COLLATE NOCASE,
    cable_id TEXT NOT NULL,
    PRIMARY KEY (alias, cable_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS aliases_cable ON aliases(cable_id);
CREATE TABLE IF NOT EXISTS bands (
    band INTEGER NOT NULL,
    cable_id TEXT NOT NULL,
    PRIMARY KEY (band, cable_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS bands_cable ON bands(cable_id);
";

/// Copies of one cable by content ([`Store::distinct_copies`] seeks from one
/// content hash to the next through it).
const SOURCES_CONTENT_INDEX: &str =
    "CREATE INDEX IF NOT EXISTS sources_content ON sources(cable_id, content_hash, path, item)";

/// `meta.copy_hash`: what `sources.content_hash` hashes. Absent in stores written
/// before copies were compared by content (the hash then covered the source path
/// too, so no two copies shared it); those rows are hashed again on open.
const COPY_HASH_VERSION: &str = "content-without-path-1";

/// Migrations: `MIGRATIONS[i]` takes a store from version `i + 1` to `i + 2`.
///
/// 1 → 2: records are written LZ4-compressed (BLOB) instead of JSON text. Version 1
/// rows stay readable as they are ([`decode_record`] takes both), so the migration
/// only bumps the version (which stops older binaries from misreading new rows).
///
/// 2 → 3: records are written zstd-compressed ([`super::encode_record`]), and a
/// copy whose record is its cable's merged record (a cable known from one copy,
/// most of any collection) is stored once: the copy's `record` is an empty BLOB
/// that reads as the cable's ([`COPY_RECORD`]). Version 2 rows stay as they are.
const MIGRATIONS: &[&str] = &["SELECT 1", "SELECT 1"];

/// A copy's record, read from `sources` aliased `s`: its own, or, when stored as
/// the empty BLOB ("the same as the merged record"), its cable's. Every read of
/// a copy's record goes through this expression; [`SqliteStore::write`] keeps
/// the rule true (it writes the merged record out into such copies before the
/// merged record changes or goes).
const COPY_RECORD: &str = "CASE WHEN length(s.record) > 0 THEN s.record
     ELSE (SELECT c.record FROM cables c WHERE c.id = s.cable_id) END";
/// A fresh store id: unique enough to tell two stores apart (the time, the
/// process, the directory), without a random-number crate.
fn new_store_id(dir: &Path) -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    let seed = format!("{now} {} {}", std::process::id(), dir.display());
    super::sha256_hex(seed.as_bytes())[..32].to_string()
}

/// Reads a stored record: a compressed BLOB, or JSON text from a version 1 store.
fn decode_record(v: rusqlite::types::ValueRef<'_>) -> Result<Cable> {
    use rusqlite::types::ValueRef;
    match v {
        ValueRef::Text(t) => Ok(serde_json::from_slice(t)?),
        ValueRef::Blob(b) => decode_record_bytes(b),
        _ => Err(Error::Other("damaged record: not text or blob".into())),
    }
}

impl SqliteStore {
    /// Opens (creating when absent) the store of the archive directory `dir`.
    /// A store of an older format version is migrated; one of a newer version is
    /// refused with [`Error::FormatVersion`].
    pub fn open(dir: &Path) -> Result<Self> {
        std::fs::create_dir_all(dir)?;
        let path = dir.join(DB_FILE);
        let conn = Connection::open(&path)?;
        // Compressed records are 2-4 KB: on 4 KB pages most rows would take a page
        // each and waste a third of it. Takes effect only when the file is new
        // (and must come before WAL mode is entered).
        conn.pragma_update(None, "page_size", 16384)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.busy_timeout(std::time::Duration::from_secs(10))?;
        let has_meta: bool = conn
            .query_row(
                "SELECT count(*) FROM sqlite_master WHERE type='table' AND name='meta'",
                [],
                |r| r.get::<_, i64>(0),
            )
            .map(|n| n > 0)?;
        let found: Option<u32> = if has_meta {
            conn.query_row(
                "SELECT value FROM meta WHERE key='format_version'",
                [],
                |r| r.get::<_, String>(0),
            )
            .optional()?
            .and_then(|v| v.parse().ok())
        } else {
            None
        };
        let mut store = SqliteStore { conn };
        match found {
            None => {
                let tx = store.conn.transaction()?;
                tx.execute_batch(SCHEMA_V1)?;
                tx.execute(
                    "INSERT OR REPLACE INTO meta(key, value) VALUES ('format_version', ?1)",
                    [FORMAT_VERSION.to_string()],
                )?;
                tx.execute(
                    "INSERT OR IGNORE INTO meta(key, value) VALUES ('next_seq', '1')",
                    [],
                )?;
                tx.commit()?;
            }
            Some(v) if v == FORMAT_VERSION => {}
            Some(v) if v < FORMAT_VERSION && (v as usize) <= MIGRATIONS.len() + 1 && v >= 1 => {
                let tx = store.conn.transaction()?;
                for m in &MIGRATIONS[(v as usize - 1)..] {
                    tx.execute_batch(m)?;
                }
                tx.execute(
                    "UPDATE meta SET value=?1 WHERE key='format_version'",
                    [FORMAT_VERSION.to_string()],
                )?;
                tx.commit()?;
            }
            Some(v) => {
                let advice = if v > FORMAT_VERSION {
                    "it was written by a newer cablescope; upgrade cablescope, or ingest \
                     into a new archive with --archive DIR"
                        .to_string()
                } else {
                    "no migration exists from that version; ingest the sources again into \
                     a new archive with --archive DIR"
                        .to_string()
                };
                return Err(Error::FormatVersion {
                    dir: PathBuf::from(dir),
                    found: v,
                    expected: FORMAT_VERSION,
                    advice,
                });
            }
        }
        store.ensure_derived()?;
        store.ensure_copy_hashes()?;
        // Once per store (a store written before ids gets one on its next open);
        // checked first, so that opening for reading writes nothing.
        let has_id: bool = store
            .conn
            .query_row("SELECT count(*) FROM meta WHERE key='store_id'", [], |r| {
                r.get::<_, i64>(0)
            })
            .map(|n| n > 0)?;
        if !has_id {
            store.conn.execute(
                "INSERT OR IGNORE INTO meta(key, value) VALUES ('store_id', ?1)",
                [new_store_id(dir)],
            )?;
        }
        Ok(store)
    }

    /// Hashes every copy by its content ([`copy_content_hash`]) when the store was
    /// written before copies were compared by content, and creates the index that
    /// [`Store::distinct_copies`] reads. Once per store.
    fn ensure_copy_hashes(&mut self) -> Result<()> {
        let version: Option<String> = self
            .conn
            .query_row("SELECT value FROM meta WHERE key='copy_hash'", [], |r| {
                r.get(0)
            })
            .optional()?;
        if version.as_deref() == Some(COPY_HASH_VERSION) {
            return Ok(());
        }
        let tx = self.conn.transaction()?;
        {
            let mut update =
                tx.prepare("UPDATE sources SET content_hash=?1 WHERE path=?2 AND item=?3")?;
            let mut st = tx.prepare(&format!(
                "SELECT s.path, s.item, {COPY_RECORD} FROM sources s"
            ))?;
            let mut rows = st.query([])?;
            while let Some(r) = rows.next()? {
                let path: String = r.get(0)?;
                let item: i64 = r.get(1)?;
                let hash = copy_content_hash(&decode_record(r.get_ref(2)?)?)?;
                update.execute(params![hash, path, item])?;
            }
        }
        tx.execute_batch(SOURCES_CONTENT_INDEX)?;
        tx.execute(
            "INSERT OR REPLACE INTO meta(key, value) VALUES ('copy_hash', ?1)",
            [COPY_HASH_VERSION],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Creates the derived tables when missing and rebuilds them when they were
    /// written by another sketch version (or never): aliases from every record,
    /// bands from every copy. Cables that have aliases take a new change sequence,
    /// so the index adds their alias terms when it catches up.
    fn ensure_derived(&mut self) -> Result<()> {
        let version: Option<String> = self
            .conn
            .query_row(
                "SELECT value FROM meta WHERE key='sketch_version'",
                [],
                |r| r.get(0),
            )
            .optional()?;
        if version.as_deref() == Some(nearcopy::SKETCH_VERSION) {
            return Ok(());
        }
        let tx = self.conn.transaction()?;
        // Dropped, not emptied: another version may have laid them out otherwise.
        tx.execute_batch("DROP TABLE IF EXISTS aliases; DROP TABLE IF EXISTS bands;")?;
        tx.execute_batch(DERIVED_SCHEMA)?;
        let mut with_aliases: Vec<String> = Vec::new();
        {
            let mut add_alias =
                tx.prepare("INSERT OR IGNORE INTO aliases(alias, cable_id) VALUES (?1, ?2)")?;
            let mut st = tx.prepare("SELECT id, record FROM cables")?;
            let mut rows = st.query([])?;
            while let Some(r) = rows.next()? {
                let id: String = r.get(0)?;
                let cable = decode_record(r.get_ref(1)?)?;
                let aliases = alias::aliases(&cable);
                for a in &aliases {
                    add_alias.execute(params![a, id])?;
                }
                if !aliases.is_empty() {
                    with_aliases.push(id);
                }
            }
            let mut add_band =
                tx.prepare("INSERT OR IGNORE INTO bands(band, cable_id) VALUES (?1, ?2)")?;
            let mut st = tx.prepare(&format!("SELECT s.cable_id, {COPY_RECORD} FROM sources s"))?;
            let mut rows = st.query([])?;
            while let Some(r) = rows.next()? {
                let id: String = r.get(0)?;
                let copy = decode_record(r.get_ref(1)?)?;
                for b in Sketch::of(&copy).bands() {
                    add_band.execute(params![b, id])?;
                }
            }
            let mut reseq = tx.prepare("UPDATE cables SET seq=?1 WHERE id=?2")?;
            for id in &with_aliases {
                let seq = Self::next_seq(&tx)?;
                reseq.execute(params![seq as i64, id])?;
            }
        }
        tx.execute(
            "INSERT OR REPLACE INTO meta(key, value) VALUES ('sketch_version', ?1)",
            [nearcopy::SKETCH_VERSION],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// The underlying connection (for tests and tools).
    pub fn connection(&self) -> &Connection {
        &self.conn
    }

    fn next_seq(tx: &Transaction<'_>) -> Result<u64> {
        let v: String = tx.query_row("SELECT value FROM meta WHERE key='next_seq'", [], |r| {
            r.get(0)
        })?;
        let n: u64 = v.parse().map_err(|_| Error::Other("bad next_seq".into()))?;
        tx.execute(
            "UPDATE meta SET value=?1 WHERE key='next_seq'",
            [(n + 1).to_string()],
        )?;
        Ok(n)
    }
}

fn row_to_copy(r: &rusqlite::Row<'_>) -> rusqlite::Result<(String, u64, String, Result<Cable>)> {
    Ok((
        r.get(0)?,
        r.get::<_, i64>(1)? as u64,
        r.get(2)?,
        decode_record(r.get_ref(3)?),
    ))
}

impl Store for SqliteStore {
    fn inputs(&self) -> Result<BTreeMap<String, InputRecord>> {
        let mut st = self
            .conn
            .prepare("SELECT path, size, mtime, hash, status, error, format, cables FROM inputs")?;
        let rows = st.query_map([], |r| {
            Ok(InputRecord {
                path: r.get(0)?,
                size: r.get::<_, Option<i64>>(1)?.map(|v| v as u64),
                mtime: r.get(2)?,
                hash: r.get(3)?,
                ok: r.get::<_, String>(4)? == "ok",
                error: r.get(5)?,
                format: r.get(6)?,
                cables: r.get::<_, i64>(7)? as u64,
            })
        })?;
        let mut out = BTreeMap::new();
        for r in rows {
            let r = r?;
            out.insert(r.path.clone(), r);
        }
        Ok(out)
    }

    fn copies_of(&self, id: &str) -> Result<Vec<CopyRow>> {
        let mut st = self.conn.prepare_cached(&format!(
            "SELECT s.path, s.item, s.cable_id, {COPY_RECORD} FROM sources s
                 WHERE s.cable_id=?1 ORDER BY s.path, s.item"
        ))?;
        let rows = st.query_map([id], row_to_copy)?;
        let mut out = Vec::new();
        for r in rows {
            let (path, item, cable_id, record) = r?;
            out.push(CopyRow {
                path,
                item,
                cable_id,
                record: record?,
            });
        }
        Ok(out)
    }

    fn distinct_copies(&self, id: &str, skip: &BTreeSet<String>) -> Result<Vec<(String, CopyRow)>> {
        // A loose index scan: one seek per distinct hash, however many copies
        // share it.
        let mut next = self.conn.prepare_cached(
            "SELECT min(content_hash) FROM sources WHERE cable_id=?1 AND content_hash > ?2",
        )?;
        let mut keys = self.conn.prepare_cached(
            "SELECT path, item FROM sources WHERE cable_id=?1 AND content_hash=?2
             ORDER BY path, item",
        )?;
        let mut record = self.conn.prepare_cached(&format!(
            "SELECT {COPY_RECORD} FROM sources s WHERE s.path=?1 AND s.item=?2"
        ))?;
        let mut out = Vec::new();
        let mut after = String::new();
        while let Some(hash) =
            next.query_row(params![id, after], |r| r.get::<_, Option<String>>(0))?
        {
            let mut rows = keys.query(params![id, hash])?;
            while let Some(r) = rows.next()? {
                let path: String = r.get(0)?;
                if skip.contains(&path) {
                    continue;
                }
                let item: i64 = r.get(1)?;
                let rec = record
                    .query_row(params![path, item], |r| Ok(decode_record(r.get_ref(0)?)))??;
                out.push((
                    hash.clone(),
                    CopyRow {
                        path,
                        item: item as u64,
                        cable_id: id.to_string(),
                        record: rec,
                    },
                ));
                break;
            }
            after = hash;
        }
        Ok(out)
    }

    fn ids_from_source(&self, path: &str) -> Result<Vec<String>> {
        let mut st = self
            .conn
            .prepare_cached("SELECT DISTINCT cable_id FROM sources WHERE path=?1")?;
        let rows = st.query_map([path], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn sources_matching(&self, path: &str) -> Result<Vec<String>> {
        let p = path.trim_end_matches('/');
        let mut st = self.conn.prepare(
            "SELECT path FROM inputs WHERE path=?1 OR substr(path, 1, length(?1) + 1) IN (?1 || '!', ?1 || '/')
             UNION SELECT DISTINCT path FROM sources WHERE path=?1 OR substr(path, 1, length(?1) + 1) IN (?1 || '!', ?1 || '/')
             ORDER BY 1",
        )?;
        let rows = st.query_map([p], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn write(&mut self, batch: &WriteBatch) -> Result<u64> {
        let merged: Vec<(&str, CableColumns)> = batch
            .upsert
            .iter()
            .map(|c| {
                let id =
                    c.id.as_deref()
                        .ok_or_else(|| Error::Other("cable without id".into()))?;
                Ok((id, CableColumns::of(c)?))
            })
            .collect::<Result<_>>()?;
        // The merged record each id has after this batch (the last upsert of an
        // id wins, as in the table; a deleted id has none): a copy added with
        // exactly that record is stored as the empty BLOB (see COPY_RECORD).
        let deleted: BTreeSet<&str> = batch.delete.iter().map(String::as_str).collect();
        let merged_of: HashMap<&str, &Cable> = batch
            .upsert
            .iter()
            .zip(&merged)
            .filter(|(_, (id, _))| !deleted.contains(id))
            .map(|(c, (id, _))| (*id, c))
            .collect();
        let tx = self.conn.transaction()?;
        let mut last = 0;
        {
            // Copies that read as their cable's merged record take it out into
            // their own row before this batch replaces or deletes it.
            let mut write_out = tx.prepare_cached(
                "UPDATE sources SET record = (SELECT c.record FROM cables c WHERE c.id = sources.cable_id)
                 WHERE cable_id=?1 AND length(record) = 0",
            )?;
            for id in merged
                .iter()
                .map(|(id, _)| *id)
                .chain(deleted.iter().copied())
            {
                write_out.execute([id])?;
            }
            let mut drop_src = tx.prepare_cached("DELETE FROM sources WHERE path=?1")?;
            for p in &batch.drop_sources_of {
                drop_src.execute([p])?;
            }
            let mut drop_copies = tx.prepare_cached("DELETE FROM sources WHERE cable_id=?1")?;
            for id in &batch.drop_copies_of {
                drop_copies.execute([id])?;
            }
            let mut add = tx.prepare_cached(
                "INSERT OR REPLACE INTO sources(path, item, format, content_hash, cable_id, record)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            )?;
            for c in &batch.add_sources {
                // Equal records serialise to equal JSON: compared as records, a
                // copy stored once is never serialised.
                let record = if merged_of.get(c.cable_id.as_str()) == Some(&&c.record) {
                    Vec::new()
                } else {
                    encode_record(&serde_json::to_string(&c.record)?)?
                };
                add.execute(params![
                    c.path,
                    c.item as i64,
                    c.record.source.format,
                    batch.copy_hash(c)?,
                    c.cable_id,
                    record
                ])?;
            }
            let mut up = tx.prepare_cached(
                "INSERT OR REPLACE INTO cables(id, record, content_hash, created, year, month, origin,
                   classification, level, captions, tags, subject, seq)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
            )?;
            let mut del_refs = tx.prepare_cached("DELETE FROM refs WHERE from_id=?1")?;
            let mut add_ref = tx.prepare_cached(
                "INSERT OR IGNORE INTO refs(from_id, to_id, label, kind) VALUES (?1, ?2, ?3, ?4)",
            )?;
            for (c, (id, cols)) in batch.upsert.iter().zip(&merged) {
                let id = *id;
                let seq = Self::next_seq(&tx)?;
                last = seq;
                up.execute(params![
                    id,
                    encode_record(&cols.json)?,
                    super::sha256_hex(cols.json.as_bytes()),
                    c.created,
                    cols.year,
                    cols.month,
                    c.origin.station,
                    c.classification,
                    cols.level,
                    cols.captions,
                    cols.tags,
                    c.subject,
                    seq as i64
                ])?;
                del_refs.execute([id])?;
                for (to, label, kind) in edges_of(c)? {
                    add_ref.execute(params![id, to, label, kind])?;
                }
            }
            let mut del = tx.prepare_cached("DELETE FROM cables WHERE id=?1")?;
            let mut tomb = tx.prepare_cached("INSERT INTO tombstones(id, seq) VALUES (?1, ?2)")?;
            for id in &batch.delete {
                let seq = Self::next_seq(&tx)?;
                last = seq;
                del.execute([id])?;
                del_refs.execute([id])?;
                tomb.execute(params![id, seq as i64])?;
            }
            write_derived(&tx, batch)?;
            let mut forget = tx.prepare_cached("DELETE FROM inputs WHERE path=?1")?;
            for p in &batch.forget_inputs {
                forget.execute([p])?;
            }
            let mut inp = tx.prepare_cached(
                "INSERT OR REPLACE INTO inputs(path, size, mtime, hash, status, error, format, cables)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?;
            for i in &batch.inputs {
                inp.execute(params![
                    i.path,
                    i.size.map(|v| v as i64),
                    i.mtime,
                    i.hash,
                    if i.ok { "ok" } else { "failed" },
                    i.error,
                    i.format,
                    i.cables as i64
                ])?;
            }
        }
        tx.commit()?;
        Ok(last)
    }

    fn cable(&self, id: &str) -> Result<Option<Cable>> {
        let read = |id: &str| -> Result<Option<Cable>> {
            let rec: Option<Result<Cable>> = self
                .conn
                .query_row("SELECT record FROM cables WHERE id=?1", [id], |r| {
                    Ok(decode_record(r.get_ref(0)?))
                })
                .optional()?;
            rec.transpose()
        };
        if let Some(c) = read(id)? {
            return Ok(Some(c));
        }
        match self.alias_target(id)? {
            Some(canonical) => read(&canonical),
            None => Ok(None),
        }
    }

    fn canonical_id(&self, id: &str) -> Result<Option<String>> {
        let mut st = self
            .conn
            .prepare_cached("SELECT 1 FROM cables WHERE id=?1")?;
        if st.exists([id])? {
            return Ok(Some(id.to_string()));
        }
        self.alias_target(id)
    }

    fn has_noid(&self) -> Result<bool> {
        let mut st = self
            .conn
            .prepare_cached("SELECT 1 FROM cables WHERE id >= ?1 AND id < ?2 LIMIT 1")?;
        Ok(st.exists(params![nearcopy::NOID_PREFIX, noid_end()])?)
    }

    fn band_candidates(&self, bands: &[i64], noid_only: bool, limit: usize) -> Result<Vec<String>> {
        if bands.is_empty() {
            return Ok(Vec::new());
        }
        let marks = vec!["?"; bands.len()].join(",");
        let range = if noid_only {
            "AND cable_id >= ? AND cable_id < ?"
        } else {
            ""
        };
        let sql = format!(
            "SELECT cable_id FROM bands WHERE band IN ({marks}) {range}
             GROUP BY cable_id ORDER BY count(*) DESC, cable_id LIMIT ?"
        );
        let mut st = self.conn.prepare_cached(&sql)?;
        let mut values: Vec<rusqlite::types::Value> = bands.iter().map(|b| (*b).into()).collect();
        if noid_only {
            values.push(nearcopy::NOID_PREFIX.to_string().into());
            values.push(noid_end().into());
        }
        values.push((limit as i64).into());
        let rows = st.query_map(rusqlite::params_from_iter(values), |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn changes_since(&self, after: u64, limit: usize) -> Result<Vec<Change>> {
        let mut st = self.conn.prepare_cached(
            "SELECT seq, record, NULL FROM cables WHERE seq > ?1
             UNION ALL SELECT seq, NULL, id FROM tombstones WHERE seq > ?1
             ORDER BY 1 LIMIT ?2",
        )?;
        let rows = st.query_map(params![after as i64, limit as i64], |r| {
            let rec = r.get_ref(1)?;
            Ok((
                r.get::<_, i64>(0)? as u64,
                (rec != rusqlite::types::ValueRef::Null).then(|| decode_record(rec)),
                r.get::<_, Option<String>>(2)?,
            ))
        })?;
        let mut out = Vec::new();
        for r in rows {
            match r? {
                (seq, Some(cable), _) => out.push(Change::Upsert {
                    cable: Box::new(cable?),
                    seq,
                }),
                (seq, None, Some(id)) => out.push(Change::Delete { id, seq }),
                _ => {}
            }
        }
        Ok(out)
    }

    fn store_id(&self) -> Result<String> {
        Ok(self
            .conn
            .query_row("SELECT value FROM meta WHERE key='store_id'", [], |r| {
                r.get(0)
            })?)
    }

    fn last_seq(&self) -> Result<u64> {
        let v: String =
            self.conn
                .query_row("SELECT value FROM meta WHERE key='next_seq'", [], |r| {
                    r.get(0)
                })?;
        Ok(v.parse::<u64>().unwrap_or(1).saturating_sub(1))
    }

    fn ids(&self) -> Result<Vec<String>> {
        let mut st = self.conn.prepare("SELECT id FROM cables ORDER BY id")?;
        let rows = st.query_map([], |r| r.get(0))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn id_seqs(&self) -> Result<Vec<(String, u64)>> {
        let mut st = self
            .conn
            .prepare("SELECT id, seq FROM cables ORDER BY id")?;
        let rows = st.query_map([], |r| Ok((r.get(0)?, r.get::<_, i64>(1)? as u64)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn count(&self) -> Result<u64> {
        Ok(self
            .conn
            .query_row("SELECT count(*) FROM cables", [], |r| r.get::<_, i64>(0))?
            as u64)
    }

    fn present(&self, ids: &[String]) -> Result<Vec<String>> {
        let mut st = self.conn.prepare_cached(
            "SELECT 1 FROM cables WHERE id=?1
             UNION ALL SELECT 1 FROM aliases a JOIN cables c ON c.id = a.cable_id
             WHERE a.alias=?1 LIMIT 1",
        )?;
        let mut out = Vec::new();
        for id in ids {
            if st.exists([id])? {
                out.push(id.clone());
            }
        }
        Ok(out)
    }

    fn cites(&self, id: &str) -> Result<Vec<Edge>> {
        edges(
            &self.conn,
            "SELECT from_id, to_id, label, kind FROM refs WHERE from_id=?1 ORDER BY label, to_id",
            id,
        )
    }

    fn cited_by(&self, id: &str) -> Result<Vec<Edge>> {
        edges(
            &self.conn,
            "SELECT from_id, to_id, label, kind FROM refs WHERE to_id=?1 ORDER BY from_id, label",
            id,
        )
    }

    fn count_by(&self, column: &str) -> Result<Counts> {
        let col = count_column(column)?;
        let sql = format!(
            "SELECT coalesce(CAST({col} AS TEXT), ''), count(*) FROM cables GROUP BY 1 ORDER BY 2 DESC, 1"
        );
        let mut st = self.conn.prepare(&sql)?;
        let rows = st.query_map([], |r| Ok((r.get(0)?, r.get::<_, i64>(1)? as u64)))?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn most_cited_missing(&self, limit: usize) -> Result<Counts> {
        let mut st = self.conn.prepare(
            "SELECT to_id, count(DISTINCT from_id) FROM refs
             WHERE to_id NOT IN (SELECT id FROM cables)
             GROUP BY to_id ORDER BY 2 DESC, 1 LIMIT ?1",
        )?;
        let rows = st.query_map([limit as i64], |r| {
            Ok((r.get(0)?, r.get::<_, i64>(1)? as u64))
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn check(&self) -> Result<Vec<String>> {
        let mut out = Vec::new();
        let mut st = self.conn.prepare("PRAGMA integrity_check")?;
        let rows = st.query_map([], |r| r.get::<_, String>(0))?;
        for r in rows {
            let r = r?;
            if r != "ok" {
                out.push(format!("sqlite: {r}"));
            }
        }
        let mut st = self.conn.prepare("SELECT id, record FROM cables")?;
        let rows = st.query_map([], |r| {
            Ok((r.get::<_, String>(0)?, decode_record(r.get_ref(1)?)))
        })?;
        for r in rows {
            let (id, rec) = r?;
            match rec {
                Ok(c) if c.id.as_deref() == Some(id.as_str()) => {}
                Ok(_) => out.push(format!("cable {id}: record carries another id")),
                Err(e) => out.push(format!("cable {id}: unreadable record: {e}")),
            }
        }
        let orphans: i64 = self.conn.query_row(
            "SELECT count(DISTINCT cable_id) FROM sources WHERE cable_id NOT IN (SELECT id FROM cables)",
            [],
            |r| r.get(0),
        )?;
        if orphans > 0 {
            out.push(format!("{orphans} ids have copies but no merged cable"));
        }
        for table in ["aliases", "bands"] {
            let n: i64 = self.conn.query_row(
                &format!(
                    "SELECT count(DISTINCT cable_id) FROM {table}
                     WHERE cable_id NOT IN (SELECT id FROM cables)"
                ),
                [],
                |r| r.get(0),
            )?;
            if n > 0 {
                out.push(format!("{n} ids have {table} but no merged cable"));
            }
        }
        Ok(out)
    }

    fn meta(&self, key: &str) -> Result<Option<String>> {
        Ok(self
            .conn
            .query_row("SELECT value FROM meta WHERE key=?1", [key], |r| r.get(0))
            .optional()?)
    }

    fn set_meta(&mut self, key: &str, value: &str) -> Result<()> {
        if own_meta_key(key) {
            return Err(Error::Other(format!("{key} is the store's own setting")));
        }
        self.conn.execute(
            "INSERT OR REPLACE INTO meta(key, value) VALUES (?1, ?2)",
            params![key, value],
        )?;
        Ok(())
    }
}

impl SqliteStore {
    /// The cable `alias` is an alias of (the smallest id when several are).
    fn alias_target(&self, alias: &str) -> Result<Option<String>> {
        Ok(self
            .conn
            .prepare_cached(
                "SELECT a.cable_id FROM aliases a JOIN cables c ON c.id = a.cable_id
                 WHERE a.alias=?1 ORDER BY a.cable_id LIMIT 1",
            )?
            .query_row([alias], |r| r.get(0))
            .optional()?)
    }
}

/// Writes the derived tables of a batch's cables: for each cable upserted, its
/// aliases (from the record) and its bands (the union of its copies' bands, as
/// stored after the batch's copies were written); for each cable deleted, none.
fn write_derived(tx: &Transaction<'_>, batch: &WriteBatch) -> Result<()> {
    if batch.upsert.is_empty() && batch.delete.is_empty() {
        return Ok(());
    }
    let mut del_aliases = tx.prepare_cached("DELETE FROM aliases WHERE cable_id=?1")?;
    let mut del_bands = tx.prepare_cached("DELETE FROM bands WHERE cable_id=?1")?;
    for id in &batch.delete {
        del_aliases.execute([id])?;
        del_bands.execute([id])?;
    }
    let mut add_alias =
        tx.prepare_cached("INSERT OR IGNORE INTO aliases(alias, cable_id) VALUES (?1, ?2)")?;
    let mut add_band =
        tx.prepare_cached("INSERT OR IGNORE INTO bands(band, cable_id) VALUES (?1, ?2)")?;
    let mut copies = tx.prepare_cached("SELECT path, item FROM sources WHERE cable_id=?1")?;
    let mut stored = tx.prepare_cached(&format!(
        "SELECT {COPY_RECORD} FROM sources s WHERE s.path=?1 AND s.item=?2"
    ))?;
    let added: HashMap<(&str, u64), &Cable> = batch
        .add_sources
        .iter()
        .map(|c| ((c.path.as_str(), c.item), &c.record))
        .collect();
    for c in &batch.upsert {
        let Some(id) = c.id.as_deref() else { continue };
        del_aliases.execute([id])?;
        for a in alias::aliases(c) {
            add_alias.execute(params![a, id])?;
        }
        del_bands.execute([id])?;
        let keys: Vec<(String, u64)> = copies
            .query_map([id], |r| Ok((r.get(0)?, r.get::<_, i64>(1)? as u64)))?
            .collect::<rusqlite::Result<_>>()?;
        let mut bands: BTreeSet<i64> = BTreeSet::new();
        for (path, item) in keys {
            if let Some(b) = batch.copy_bands.get(&(path.clone(), item)) {
                bands.extend(b);
            } else if let Some(r) = added.get(&(path.as_str(), item)) {
                bands.extend(Sketch::of(r).bands());
            } else {
                let r = stored.query_row(params![path, item as i64], |r| {
                    Ok(decode_record(r.get_ref(0)?))
                })??;
                bands.extend(Sketch::of(&r).bands());
            }
        }
        for b in bands {
            add_band.execute(params![b, id])?;
        }
    }
    Ok(())
}

fn edges(conn: &Connection, sql: &str, id: &str) -> Result<Vec<Edge>> {
    let mut st = conn.prepare_cached(sql)?;
    let rows = st.query_map([id], |r| {
        Ok(Edge {
            from: r.get(0)?,
            to: r.get(1)?,
            label: r.get(2)?,
            kind: r.get(3)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}
