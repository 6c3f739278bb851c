//! The shared store: the same tables as the embedded one, in a PostgreSQL
//! database that many app servers (and the CLI) use at once.
//!
//! What differs from SQLite, and why:
//!
//! - **One writer at a time, in sequence order.** Every [`Store::write`] first locks
//!   the `next_seq` row (`SELECT … FOR UPDATE`) and holds it until commit, so change
//!   sequences are committed in the order they were taken. A follower that has read
//!   the changes up to N can never later find a change below N appear (which two
//!   interleaved writers with a plain `SEQUENCE` would allow: the lower number
//!   committing second). The lock is taken before anything else, so two writers
//!   cannot deadlock on rows they both touch.
//! - **Set-based writes.** Each table of a batch is written with one statement over
//!   `unnest` of parameter arrays instead of a statement per row: a round trip to a
//!   server costs far more than one to an in-process SQLite.
//! - **Byte order.** Key columns are `COLLATE "C"`, so ids sort, compare and range
//!   (`NOID-…`) exactly as SQLite's binary collation does, whatever the database's
//!   locale.
//! - **Aliases** are kept lower-case (SQLite compares them `NOCASE`).
//! - **Migrations** are versioned in `cablescope_schema` and applied at connect time
//!   under an advisory lock, so nodes starting together migrate once.
//! - After each write that changed cables, `NOTIFY cablescope_changes` tells
//!   followers (nodes keeping a local index) to catch up without waiting for their
//!   next poll.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, HashMap};

use cablescope_format::Cable;
use postgres::fallible_iterator::FallibleIterator;
use postgres::{Client, NoTls, Transaction};

use super::{
    count_column, decode_record_bytes, edges_of, encode_record, noid_end, own_meta_key, sha256_hex,
    CableColumns, Change, CopyRow, Counts, Edge, InputRecord, MergeStates, Store, WriteBatch,
    FORMAT_VERSION,
};
use crate::alias;
use crate::error::{Error, Result};
use crate::nearcopy::{self, Sketch};

pub mod partition;

/// The channel followers `LISTEN` on; the payload is the last change sequence.
pub const CHANGES_CHANNEL: &str = "cablescope_changes";

/// Key of the advisory lock that serialises migrations.
const MIGRATION_LOCK: i64 = 0x6361_626c_6573; // "cables"

/// The schema, one entry per version: `MIGRATIONS[i]` takes a database from
/// version `i` to `i + 1`. Never edit an entry once released; add one.
const MIGRATIONS: &[&str] = &[
    "
CREATE TABLE meta (key TEXT COLLATE \"C\" PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE cables (
    id TEXT COLLATE \"C\" PRIMARY KEY,
    record BYTEA NOT NULL,
    content_hash TEXT NOT NULL,
    created TEXT COLLATE \"C\",
    year INTEGER,
    month TEXT COLLATE \"C\",
    origin TEXT COLLATE \"C\",
    classification TEXT COLLATE \"C\",
    level TEXT COLLATE \"C\",
    captions TEXT NOT NULL,
    tags TEXT NOT NULL,
    subject TEXT,
    seq BIGINT NOT NULL
);
CREATE INDEX cables_seq ON cables(seq);
CREATE TABLE sources (
    path TEXT COLLATE \"C\" NOT NULL,
    item BIGINT NOT NULL,
    format TEXT NOT NULL,
    content_hash TEXT COLLATE \"C\" NOT NULL,
    cable_id TEXT COLLATE \"C\" NOT NULL,
    record BYTEA NOT NULL,
    PRIMARY KEY (path, item)
);
CREATE INDEX sources_content ON sources(cable_id, content_hash, path, item);
CREATE TABLE refs (
    from_id TEXT COLLATE \"C\" NOT NULL,
    to_id TEXT COLLATE \"C\" NOT NULL,
    label TEXT COLLATE \"C\" NOT NULL,
    kind TEXT NOT NULL,
    PRIMARY KEY (from_id, to_id, label)
);
CREATE INDEX refs_to ON refs(to_id);
CREATE TABLE inputs (
    path TEXT COLLATE \"C\" PRIMARY KEY,
    size BIGINT,
    mtime BIGINT,
    hash TEXT NOT NULL,
    status TEXT NOT NULL,
    error TEXT,
    format TEXT,
    cables BIGINT NOT NULL DEFAULT 0
);
CREATE TABLE tombstones (id TEXT COLLATE \"C\" NOT NULL, seq BIGINT PRIMARY KEY);
CREATE TABLE aliases (
    alias TEXT COLLATE \"C\" NOT NULL,
    cable_id TEXT COLLATE \"C\" NOT NULL,
    PRIMARY KEY (alias, cable_id)
);
CREATE INDEX aliases_cable ON aliases(cable_id);
CREATE TABLE bands (
    band BIGINT NOT NULL,
    cable_id TEXT COLLATE \"C\" NOT NULL,
    PRIMARY KEY (band, cable_id)
);
CREATE INDEX bands_cable ON bands(cable_id);
INSERT INTO meta(key, value) VALUES ('next_seq', '1');
",
    // 1 → 2: records are written zstd-compressed (format 3, see
    // `store::encode_record`); rows written before stay readable as they are. The
    // version only moves so that an older build refuses the database instead of
    // reporting the new records as damaged.
    "UPDATE meta SET value = '3' WHERE key = 'format_version';",
];

/// The PostgreSQL store. One connection; open one store per thread (as the
/// embedded store opens one SQLite connection per handle).
pub struct PgStore {
    client: PgConnection,
    /// A hot standby (streaming replica): read only, no migrations, and no
    /// `LISTEN` (notifications are not replicated: followers poll).
    standby: bool,
}

impl std::fmt::Debug for PgStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgStore").finish_non_exhaustive()
    }
}

/// `url` with any password replaced by `***`, for messages and logs.
pub fn redact_url(url: &str) -> String {
    // postgres://user:secret@host/db → postgres://user:***@host/db
    if let Some((scheme, rest)) = url.split_once("://") {
        if let Some((userinfo, host)) = rest.rsplit_once('@') {
            if let Some((user, _)) = userinfo.split_once(':') {
                return format!("{scheme}://{user}:***@{host}");
            }
        }
    }
    // key=value form: password=secret
    url.split_whitespace()
        .map(|kv| {
            if kv.starts_with("password=") {
                "password=***"
            } else {
                kv
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

impl PgStore {
    /// Connects to the database at `url` (`postgres://user@host:port/db` or
    /// `host=… dbname=…`), creating or migrating the schema. A database written by
    /// a newer cablescope is refused.
    pub fn connect(url: &str) -> Result<Self> {
        let client = PgConnection::connect(url)
            .map_err(|e| Error::Other(format!("cannot connect to the database {e}")))?;
        let standby = client.with(|c| -> Result<bool> {
            Ok(c.query_one("SELECT pg_is_in_recovery()", &[])?.get(0))
        })?;
        if standby {
            client.with(check_standby_schema)?;
        } else {
            client.with(migrate)?;
        }
        Ok(PgStore { client, standby })
    }

    /// True when connected to a hot standby (a streaming replica, read only).
    pub fn is_standby(&self) -> bool {
        self.standby
    }

    /// Runs `f` with the connection, where it may block ([`off_runtime`]).
    fn with<T: Send>(&self, f: impl FnOnce(&mut Client) -> Result<T> + Send) -> Result<T> {
        self.client.with(f)
    }

    /// Waits up to `timeout` for a `NOTIFY` on [`CHANGES_CHANNEL`] (after a
    /// `LISTEN` on this connection, which the first call issues). Returns true
    /// when one came: a follower then catches up at once instead of at its next
    /// poll.
    pub fn wait_for_changes(&self, timeout: std::time::Duration) -> Result<bool> {
        if self.standby {
            // A replica relays no notifications: the poll interval is the wait.
            std::thread::sleep(timeout);
            return Ok(false);
        }
        self.with(|c| {
            c.batch_execute(&format!("LISTEN {CHANGES_CHANNEL}"))?;
            let mut n = c.notifications();
            let got = n.timeout_iter(timeout).next()?.is_some();
            // Drain what queued meanwhile: one catch-up covers them all.
            while n.iter().next()?.is_some() {}
            Ok(got)
        })
    }
}

/// The cable `alias` is an alias of (the smallest id when several are).
fn alias_target(c: &mut Client, alias: &str) -> Result<Option<String>> {
    let row = c.query_opt(
        "SELECT a.cable_id FROM aliases a JOIN cables c ON c.id = a.cable_id
         WHERE a.alias = lower($1) ORDER BY a.cable_id LIMIT 1",
        &[&alias],
    )?;
    Ok(row.map(|r| r.get(0)))
}

/// Runs `f` where the synchronous client may block: here, or, inside a tokio
/// runtime's context (an async task, a caller we do not control), on a scoped
/// thread of its own. The client drives its connection on a runtime of its own,
/// and tokio refuses to block on one runtime from inside another.
fn off_runtime<T: Send>(f: impl FnOnce() -> T + Send) -> T {
    if tokio::runtime::Handle::try_current().is_err() {
        return f();
    }
    std::thread::scope(|s| s.spawn(f).join()).unwrap_or_else(|p| std::panic::resume_unwind(p))
}

/// One connection to PostgreSQL that may be used from anywhere, a tokio runtime
/// included: every call runs where the synchronous client may block
/// ([`off_runtime`]), and the connection is closed the same way when dropped.
/// The cable store and the access database (`cablescope-access`) both use it.
/// `Send`, not `Sync`: one connection per thread, like a SQLite connection.
pub struct PgConnection(RefCell<Conn>);

impl std::fmt::Debug for PgConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgConnection").finish_non_exhaustive()
    }
}

/// A failed connection: the database named (password redacted) and why.
#[derive(Debug)]
pub struct ConnectError(String);

impl std::fmt::Display for ConnectError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ConnectError {}

impl PgConnection {
    /// Connects to `url` (`postgres://user@host:port/db` or `host=… dbname=…`).
    pub fn connect(url: &str) -> std::result::Result<Self, ConnectError> {
        let client = off_runtime(|| Client::connect(url, NoTls))
            .map_err(|e| ConnectError(format!("{}: {}", redact_url(url), reason(&e))))?;
        Ok(PgConnection(RefCell::new(Conn(Some(Box::new(client))))))
    }

    /// Runs `f` with the client, where it may block ([`off_runtime`]).
    pub fn with<T: Send, E: Send>(
        &self,
        f: impl FnOnce(&mut Client) -> std::result::Result<T, E> + Send,
    ) -> std::result::Result<T, E> {
        let mut conn = self.0.borrow_mut();
        let c = conn
            .0
            .as_mut()
            .expect("the connection lives as long as its handle");
        off_runtime(move || f(c))
    }
}

/// The connection; closed where it may block ([`off_runtime`]) when dropped.
/// Boxed: a client is large, and stores are moved around in enums.
struct Conn(Option<Box<Client>>);

impl Drop for Conn {
    fn drop(&mut self) {
        if let Some(c) = self.0.take() {
            off_runtime(move || drop(c));
        }
    }
}

/// The server's message for a failed connection or statement (the driver's own
/// `Display` of a server error says only "db error").
fn reason(e: &postgres::Error) -> String {
    e.as_db_error()
        .map_or_else(|| e.to_string(), |d| d.message().to_string())
}

/// On a standby nothing can be migrated: the schema must be the one this build
/// knows (a node on the primary migrates it, and the replica follows).
fn check_standby_schema(client: &mut Client) -> Result<()> {
    let have: Option<i32> = client
        .query_opt(
            "SELECT max(version) FROM cablescope_schema WHERE to_regclass('cablescope_schema') IS NOT NULL",
            &[],
        )
        .ok()
        .flatten()
        .and_then(|r| r.get(0));
    let known = MIGRATIONS.len() as i32;
    match have {
        Some(v) if v == known => Ok(()),
        Some(v) if v > known => Err(Error::Other(format!(
            "the replica has cablescope schema version {v}, this cablescope knows {known}: upgrade cablescope"
        ))),
        _ => Err(Error::Other(format!(
            "the replica does not hold cablescope schema version {known} yet: open the primary \
             with this cablescope first (a node or `cablescope ingest --database PRIMARY`), \
             and the replica follows"
        ))),
    }
}

/// Where a versioned set of tables stood when [`apply_migrations`] ran.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SchemaVersions {
    /// The version the database had (0: none of these tables yet).
    pub found: u32,
    /// The version this build knows (`migrations.len()`).
    pub known: u32,
}

impl SchemaVersions {
    /// True when a newer cablescope wrote the database: nothing was applied.
    pub fn newer(&self) -> bool {
        self.found > self.known
    }
}

/// Brings a versioned set of tables up to date inside `tx`: under the advisory
/// lock `lock` (nodes starting together migrate once), reads the version from
/// `version_table` (created when absent) and applies the `migrations` it lacks
/// (`migrations[i]` takes version `i` to `i + 1`), unless the database is newer
/// than this build ([`SchemaVersions::newer`]), which the caller refuses. The
/// cable store and the access tables (`cablescope-access`) keep separate versions
/// this way. The caller commits.
pub fn apply_migrations(
    tx: &mut Transaction<'_>,
    lock: i64,
    version_table: &str,
    migrations: &[&str],
) -> std::result::Result<SchemaVersions, postgres::Error> {
    tx.execute("SELECT pg_advisory_xact_lock($1)", &[&lock])?;
    tx.batch_execute(&format!(
        "CREATE TABLE IF NOT EXISTS {version_table} (
             version INTEGER PRIMARY KEY,
             applied TIMESTAMPTZ NOT NULL DEFAULT now()
         )"
    ))?;
    let found: i32 = tx
        .query_one(
            &format!("SELECT coalesce(max(version), 0) FROM {version_table}"),
            &[],
        )?
        .get(0);
    let v = SchemaVersions {
        found: found as u32,
        known: migrations.len() as u32,
    };
    if v.newer() {
        return Ok(v);
    }
    for (i, m) in migrations.iter().enumerate().skip(v.found as usize) {
        tx.batch_execute(m)?;
        tx.execute(
            &format!("INSERT INTO {version_table}(version) VALUES ($1)"),
            &[&(i as i32 + 1)],
        )?;
    }
    Ok(v)
}

/// Applies the migrations the database lacks, under an advisory lock.
fn migrate(client: &mut Client) -> Result<()> {
    let mut tx = client.transaction()?;
    let v = apply_migrations(&mut tx, MIGRATION_LOCK, "cablescope_schema", MIGRATIONS)?;
    if v.newer() {
        return Err(Error::Other(format!(
            "the database has cablescope schema version {}, this cablescope knows \
             {}: it was written by a newer cablescope; upgrade cablescope",
            v.found, v.known
        )));
    }
    let have = v.found;
    if have == 0 {
        tx.execute(
            "INSERT INTO meta(key, value) VALUES ('format_version', $1), ('sketch_version', $2)",
            &[&FORMAT_VERSION.to_string(), &nearcopy::SKETCH_VERSION],
        )?;
    }
    tx.execute(
        "INSERT INTO meta(key, value) VALUES ('store_id', md5(random()::text || clock_timestamp()::text))
         ON CONFLICT (key) DO NOTHING",
        &[],
    )?;
    let sketch: Option<String> = tx
        .query_opt("SELECT value FROM meta WHERE key='sketch_version'", &[])?
        .map(|r| r.get(0));
    if sketch.as_deref() != Some(nearcopy::SKETCH_VERSION) {
        rebuild_derived(&mut tx)?;
    }
    tx.commit()?;
    Ok(())
}

/// Rebuilds aliases and bands from the records when they were written by another
/// sketch version (as the embedded store does on open): cables that have aliases
/// take a new change sequence, so every index adds their alias terms.
fn rebuild_derived(tx: &mut Transaction<'_>) -> Result<()> {
    tx.batch_execute("DELETE FROM aliases; DELETE FROM bands;")?;
    let mut next = take_seq_lock(tx)?;
    let mut aliases: (Vec<String>, Vec<String>) = (Vec::new(), Vec::new());
    let mut reseq: (Vec<String>, Vec<i64>) = (Vec::new(), Vec::new());
    for r in tx.query("SELECT id, record FROM cables", &[])? {
        let id: String = r.get(0);
        let cable = decode_record_bytes(r.get(1))?;
        let a = alias::aliases(&cable);
        if !a.is_empty() {
            reseq.0.push(id.clone());
            reseq.1.push(next as i64);
            next += 1;
        }
        for a in a {
            aliases.0.push(a.to_lowercase());
            aliases.1.push(id.clone());
        }
    }
    let mut bands: (Vec<i64>, Vec<String>) = (Vec::new(), Vec::new());
    for r in tx.query("SELECT cable_id, record FROM sources", &[])? {
        let id: String = r.get(0);
        for b in Sketch::of(&decode_record_bytes(r.get(1))?).bands() {
            bands.0.push(*b);
            bands.1.push(id.clone());
        }
    }
    insert_aliases(tx, &aliases.0, &aliases.1)?;
    insert_bands(tx, &bands.0, &bands.1)?;
    tx.execute(
        "UPDATE cables SET seq = u.seq FROM unnest($1::text[], $2::bigint[]) AS u(id, seq)
         WHERE cables.id = u.id",
        &[&reseq.0, &reseq.1],
    )?;
    set_next_seq(tx, next)?;
    tx.execute(
        "INSERT INTO meta(key, value) VALUES ('sketch_version', $1)
         ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
        &[&nearcopy::SKETCH_VERSION],
    )?;
    Ok(())
}

/// Locks the change sequence until the transaction ends and returns the next
/// value to use.
fn take_seq_lock(tx: &mut Transaction<'_>) -> Result<u64> {
    let v: String = tx
        .query_one(
            "SELECT value FROM meta WHERE key='next_seq' FOR UPDATE",
            &[],
        )?
        .get(0);
    v.parse()
        .map_err(|_| Error::Other("damaged store: bad next_seq".into()))
}

fn set_next_seq(tx: &mut Transaction<'_>, next: u64) -> Result<()> {
    tx.execute(
        "UPDATE meta SET value=$1 WHERE key='next_seq'",
        &[&next.to_string()],
    )?;
    Ok(())
}

fn insert_aliases(tx: &mut Transaction<'_>, alias: &[String], id: &[String]) -> Result<()> {
    if !alias.is_empty() {
        tx.execute(
            "INSERT INTO aliases(alias, cable_id) SELECT * FROM unnest($1::text[], $2::text[])
             ON CONFLICT DO NOTHING",
            &[&alias, &id],
        )?;
    }
    Ok(())
}

fn insert_bands(tx: &mut Transaction<'_>, band: &[i64], id: &[String]) -> Result<()> {
    if !band.is_empty() {
        tx.execute(
            "INSERT INTO bands(band, cable_id) SELECT * FROM unnest($1::bigint[], $2::text[])
             ON CONFLICT DO NOTHING",
            &[&band, &id],
        )?;
    }
    Ok(())
}

/// Keeps the last of each key, in first-seen order: one statement may not touch a
/// row twice (`ON CONFLICT DO UPDATE`), where SQLite's row-at-a-time `INSERT OR
/// REPLACE` lets the last write win.
fn last_per_key<T, K: std::hash::Hash + Eq>(items: &[T], key: impl Fn(&T) -> K) -> Vec<&T> {
    let mut pos: HashMap<K, usize> = HashMap::new();
    let mut out: Vec<&T> = Vec::new();
    for it in items {
        match pos.entry(key(it)) {
            std::collections::hash_map::Entry::Occupied(e) => out[*e.get()] = it,
            std::collections::hash_map::Entry::Vacant(e) => {
                e.insert(out.len());
                out.push(it);
            }
        }
    }
    out
}

fn to_copy(r: &postgres::Row) -> Result<CopyRow> {
    Ok(CopyRow {
        path: r.get(0),
        item: r.get::<_, i64>(1) as u64,
        cable_id: r.get(2),
        record: decode_record_bytes(r.get(3))?,
    })
}

fn to_edge(r: &postgres::Row) -> Edge {
    Edge {
        from: r.get(0),
        to: r.get(1),
        label: r.get(2),
        kind: r.get(3),
    }
}

impl Store for PgStore {
    fn inputs(&self) -> Result<BTreeMap<String, InputRecord>> {
        self.with(|c| {
            let rows = c.query(
                "SELECT path, size, mtime, hash, status, error, format, cables FROM inputs",
                &[],
            )?;
            Ok(rows
                .iter()
                .map(|r| {
                    let rec = InputRecord {
                        path: r.get(0),
                        size: r.get::<_, Option<i64>>(1).map(|v| v as u64),
                        mtime: r.get(2),
                        hash: r.get(3),
                        ok: r.get::<_, String>(4) == "ok",
                        error: r.get(5),
                        format: r.get(6),
                        cables: r.get::<_, i64>(7) as u64,
                    };
                    (rec.path.clone(), rec)
                })
                .collect())
        })
    }

    fn copies_of(&self, id: &str) -> Result<Vec<CopyRow>> {
        self.with(|c| {
            c.query(
                "SELECT path, item, cable_id, record FROM sources WHERE cable_id=$1
                     ORDER BY path, item",
                &[&id],
            )?
            .iter()
            .map(to_copy)
            .collect()
        })
    }

    fn distinct_copies(&self, id: &str, skip: &BTreeSet<String>) -> Result<Vec<(String, CopyRow)>> {
        self.with(|c| {
            // The first copy (by path, item) of each content, not read from a skipped
            // path: one statement where SQLite seeks hash by hash.
            let skip: Vec<&str> = skip.iter().map(String::as_str).collect();
            let rows = c.query(
                "SELECT DISTINCT ON (content_hash) content_hash, path, item, cable_id, record
                 FROM sources WHERE cable_id=$1 AND NOT (path = ANY($2::text[]))
                 ORDER BY content_hash, path, item",
                &[&id, &skip],
            )?;
            rows.iter()
                .map(|r| {
                    Ok((
                        r.get::<_, String>(0),
                        CopyRow {
                            path: r.get(1),
                            item: r.get::<_, i64>(2) as u64,
                            cable_id: r.get(3),
                            record: decode_record_bytes(r.get(4))?,
                        },
                    ))
                })
                .collect()
        })
    }

    fn merge_state(&self, ids: &[String], skip: &BTreeSet<String>) -> Result<MergeStates> {
        if ids.is_empty() {
            return Ok(MergeStates::new());
        }
        self.with(|c| {
            let skip: Vec<&str> = skip.iter().map(String::as_str).collect();
            let mut out = MergeStates::new();
            for r in c.query(
                "SELECT id, record FROM cables WHERE id = ANY($1::text[])",
                &[&ids],
            )? {
                out.entry(r.get(0)).or_default().record = Some(decode_record_bytes(r.get(1))?);
            }
            // As `distinct_copies`, for every id at once.
            for r in c.query(
                "SELECT DISTINCT ON (cable_id, content_hash) cable_id, content_hash, path, item, record
                 FROM sources WHERE cable_id = ANY($1::text[]) AND NOT (path = ANY($2::text[]))
                 ORDER BY cable_id, content_hash, path, item",
                &[&ids, &skip],
            )? {
                let row = CopyRow {
                    path: r.get(2),
                    item: r.get::<_, i64>(3) as u64,
                    cable_id: r.get(0),
                    record: decode_record_bytes(r.get(4))?,
                };
                out.entry(row.cable_id.clone())
                    .or_default()
                    .copies
                    .push((r.get(1), row));
            }
            Ok(out)
        })
    }

    fn ids_from_source(&self, path: &str) -> Result<Vec<String>> {
        self.with(|c| {
            Ok(c.query(
                "SELECT DISTINCT cable_id FROM sources WHERE path=$1 ORDER BY 1",
                &[&path],
            )?
            .iter()
            .map(|r| r.get(0))
            .collect())
        })
    }

    fn sources_matching(&self, path: &str) -> Result<Vec<String>> {
        self.with(|c| {
            let p = path.trim_end_matches('/');
            Ok(c
                .query(
                    "SELECT path FROM inputs WHERE path=$1 OR substr(path, 1, length($1) + 1) IN ($1 || '!', $1 || '/')
                     UNION SELECT DISTINCT path FROM sources WHERE path=$1 OR substr(path, 1, length($1) + 1) IN ($1 || '!', $1 || '/')
                     ORDER BY 1",
                    &[&p],
                )?
                .iter()
                .map(|r| r.get(0))
                .collect())
        })
    }

    fn write(&mut self, batch: &WriteBatch) -> Result<u64> {
        self.with(|c| {
            let mut tx = c.transaction()?;
            let mut next = take_seq_lock(&mut tx)?;
            let mut last = 0;
            if !batch.drop_sources_of.is_empty() {
                tx.execute(
                    "DELETE FROM sources WHERE path = ANY($1::text[])",
                    &[&batch.drop_sources_of],
                )?;
            }
            if !batch.drop_copies_of.is_empty() {
                tx.execute(
                    "DELETE FROM sources WHERE cable_id = ANY($1::text[])",
                    &[&batch.drop_copies_of],
                )?;
            }
            let added = last_per_key(&batch.add_sources, |c| (c.path.clone(), c.item));
            if !added.is_empty() {
                #[allow(clippy::type_complexity)]
                let mut cols: (
                    Vec<&str>,
                    Vec<i64>,
                    Vec<&str>,
                    Vec<String>,
                    Vec<&str>,
                    Vec<Vec<u8>>,
                ) = Default::default();
                for c in &added {
                    cols.0.push(&c.path);
                    cols.1.push(c.item as i64);
                    cols.2.push(&c.record.source.format);
                    cols.3.push(batch.copy_hash(c)?);
                    cols.4.push(&c.cable_id);
                    cols.5
                        .push(encode_record(&serde_json::to_string(&c.record)?)?);
                }
                // Replace, not upsert: `ON CONFLICT` needs a unique index, which a
                // table partitioned across servers cannot have (`partition.rs`).
                // `path = ANY` is what a shard can filter on; the exact (path, item)
                // key (item digits after the last \x01, so unambiguous) is checked
                // here. The sequence lock makes delete-then-insert race-free.
                let keys: Vec<String> = added
                    .iter()
                    .map(|c| format!("{}\u{1}{}", c.path, c.item))
                    .collect();
                tx.execute(
                    "DELETE FROM sources WHERE path = ANY($1::text[])
                       AND path || E'\\x01' || item::text = ANY($2::text[])",
                    &[&cols.0, &keys],
                )?;
                tx.execute(
                    "INSERT INTO sources(path, item, format, content_hash, cable_id, record)
                     SELECT * FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::bytea[])",
                    &[&cols.0, &cols.1, &cols.2, &cols.3, &cols.4, &cols.5],
                )?;
            }
            // Cables: every upsert takes the next sequence in batch order (as SQLite
            // does row by row); a cable upserted twice keeps its last record and the
            // later sequence.
            let mut ups: Vec<(&str, &Cable, u64)> = Vec::new();
            for c in &batch.upsert {
                let id =
                    c.id.as_deref()
                        .ok_or_else(|| Error::Other("cable without id".into()))?;
                ups.push((id, c, next));
                last = next;
                next += 1;
            }
            let ups = last_per_key(&ups, |u| u.0);
            if !ups.is_empty() {
                #[derive(Default)]
                struct Cols {
                    id: Vec<String>,
                    record: Vec<Vec<u8>>,
                    hash: Vec<String>,
                    created: Vec<Option<String>>,
                    year: Vec<Option<i32>>,
                    month: Vec<Option<String>>,
                    origin: Vec<Option<String>>,
                    class: Vec<Option<String>>,
                    level: Vec<String>,
                    captions: Vec<String>,
                    tags: Vec<String>,
                    subject: Vec<Option<String>>,
                    seq: Vec<i64>,
                }
                let mut k = Cols::default();
                let mut refs: (Vec<String>, Vec<String>, Vec<String>, Vec<String>) = Default::default();
                for (id, c, seq) in &ups {
                    let cols = CableColumns::of(c)?;
                    k.id.push(id.to_string());
                    k.hash.push(sha256_hex(cols.json.as_bytes()));
                    k.record.push(encode_record(&cols.json)?);
                    k.created.push(c.created.clone());
                    k.year.push(cols.year.map(|y| y as i32));
                    k.month.push(cols.month);
                    k.origin.push(c.origin.station.clone());
                    k.class.push(c.classification.clone());
                    k.level.push(cols.level.to_string());
                    k.captions.push(cols.captions);
                    k.tags.push(cols.tags);
                    k.subject.push(c.subject.clone());
                    k.seq.push(*seq as i64);
                    for (to, label, kind) in edges_of(c)? {
                        refs.0.push(id.to_string());
                        refs.1.push(to);
                        refs.2.push(label);
                        refs.3.push(kind);
                    }
                }
                // Replace, not upsert (see the sources above).
                tx.execute("DELETE FROM cables WHERE id = ANY($1::text[])", &[&k.id])?;
                tx.execute(
                    "INSERT INTO cables(id, record, content_hash, created, year, month, origin,
                       classification, level, captions, tags, subject, seq)
                     SELECT * FROM unnest($1::text[], $2::bytea[], $3::text[], $4::text[], $5::int[],
                       $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[],
                       $12::text[], $13::bigint[])
",
                    &[
                        &k.id,
                        &k.record,
                        &k.hash,
                        &k.created,
                        &k.year,
                        &k.month,
                        &k.origin,
                        &k.class,
                        &k.level,
                        &k.captions,
                        &k.tags,
                        &k.subject,
                        &k.seq,
                    ],
                )?;
                tx.execute("DELETE FROM refs WHERE from_id = ANY($1::text[])", &[&k.id])?;
                if !refs.0.is_empty() {
                    tx.execute(
                        "INSERT INTO refs(from_id, to_id, label, kind)
                         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[])
                         ON CONFLICT DO NOTHING",
                        &[&refs.0, &refs.1, &refs.2, &refs.3],
                    )?;
                }
            }
            if !batch.delete.is_empty() {
                let mut seqs: Vec<i64> = Vec::new();
                for _ in &batch.delete {
                    seqs.push(next as i64);
                    last = next;
                    next += 1;
                }
                tx.execute(
                    "DELETE FROM cables WHERE id = ANY($1::text[])",
                    &[&batch.delete],
                )?;
                tx.execute(
                    "DELETE FROM refs WHERE from_id = ANY($1::text[])",
                    &[&batch.delete],
                )?;
                tx.execute(
                    "INSERT INTO tombstones(id, seq) SELECT * FROM unnest($1::text[], $2::bigint[])",
                    &[&batch.delete, &seqs],
                )?;
            }
            write_derived(&mut tx, batch)?;
            if !batch.forget_inputs.is_empty() {
                tx.execute(
                    "DELETE FROM inputs WHERE path = ANY($1::text[])",
                    &[&batch.forget_inputs],
                )?;
            }
            let inputs = last_per_key(&batch.inputs, |i| i.path.clone());
            if !inputs.is_empty() {
                #[allow(clippy::type_complexity)]
                let mut k: (
                    Vec<&str>,
                    Vec<Option<i64>>,
                    Vec<Option<i64>>,
                    Vec<&str>,
                    Vec<&str>,
                    Vec<Option<&str>>,
                    Vec<Option<&str>>,
                    Vec<i64>,
                ) = Default::default();
                for i in &inputs {
                    k.0.push(&i.path);
                    k.1.push(i.size.map(|v| v as i64));
                    k.2.push(i.mtime);
                    k.3.push(&i.hash);
                    k.4.push(if i.ok { "ok" } else { "failed" });
                    k.5.push(i.error.as_deref());
                    k.6.push(i.format.as_deref());
                    k.7.push(i.cables as i64);
                }
                tx.execute(
                    "INSERT INTO inputs(path, size, mtime, hash, status, error, format, cables)
                     SELECT * FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::text[],
                       $5::text[], $6::text[], $7::text[], $8::bigint[])
                     ON CONFLICT (path) DO UPDATE SET size=EXCLUDED.size, mtime=EXCLUDED.mtime,
                       hash=EXCLUDED.hash, status=EXCLUDED.status, error=EXCLUDED.error,
                       format=EXCLUDED.format, cables=EXCLUDED.cables",
                    &[&k.0, &k.1, &k.2, &k.3, &k.4, &k.5, &k.6, &k.7],
                )?;
            }
            set_next_seq(&mut tx, next)?;
            if last > 0 {
                tx.execute(
                    "SELECT pg_notify($1, $2)",
                    &[&CHANGES_CHANNEL, &last.to_string()],
                )?;
            }
            tx.commit()?;
            Ok(last)
        })
    }

    fn cable(&self, id: &str) -> Result<Option<Cable>> {
        self.with(|c| {
            let read = |c: &mut Client, id: &str| -> Result<Option<Cable>> {
                c.query_opt("SELECT record FROM cables WHERE id=$1", &[&id])?
                    .map(|r| decode_record_bytes(r.get(0)))
                    .transpose()
            };
            if let Some(cable) = read(c, id)? {
                return Ok(Some(cable));
            }
            match alias_target(c, id)? {
                Some(canonical) => read(c, &canonical),
                None => Ok(None),
            }
        })
    }

    fn canonical_id(&self, id: &str) -> Result<Option<String>> {
        self.with(|c| {
            if c.query_opt("SELECT 1 FROM cables WHERE id=$1", &[&id])?
                .is_some()
            {
                return Ok(Some(id.to_string()));
            }
            alias_target(c, id)
        })
    }

    fn has_noid(&self) -> Result<bool> {
        self.with(|c| {
            Ok(c.query_opt(
                "SELECT 1 FROM cables WHERE id >= $1 AND id < $2 LIMIT 1",
                &[&nearcopy::NOID_PREFIX, &noid_end()],
            )?
            .is_some())
        })
    }

    fn band_candidates(&self, bands: &[i64], noid_only: bool, limit: usize) -> Result<Vec<String>> {
        self.with(|c| {
            if bands.is_empty() {
                return Ok(Vec::new());
            }
            let (lo, hi) = if noid_only {
                (nearcopy::NOID_PREFIX.to_string(), noid_end())
            } else {
                (String::new(), String::new())
            };
            Ok(c.query(
                "SELECT cable_id FROM bands WHERE band = ANY($1::bigint[])
                       AND (NOT $2 OR (cable_id >= $3 AND cable_id < $4))
                     GROUP BY cable_id ORDER BY count(*) DESC, cable_id LIMIT $5",
                &[&bands, &noid_only, &lo, &hi, &(limit as i64)],
            )?
            .iter()
            .map(|r| r.get(0))
            .collect())
        })
    }

    fn changes_since(&self, after: u64, limit: usize) -> Result<Vec<Change>> {
        self.with(|c| {
            let rows = c.query(
                "SELECT seq, record, NULL::text FROM cables WHERE seq > $1
                 UNION ALL SELECT seq, NULL::bytea, id FROM tombstones WHERE seq > $1
                 ORDER BY 1 LIMIT $2",
                &[&(after as i64), &(limit as i64)],
            )?;
            let mut out = Vec::with_capacity(rows.len());
            for r in &rows {
                let seq = r.get::<_, i64>(0) as u64;
                match (r.get::<_, Option<&[u8]>>(1), r.get::<_, Option<String>>(2)) {
                    (Some(rec), _) => out.push(Change::Upsert {
                        cable: Box::new(decode_record_bytes(rec)?),
                        seq,
                    }),
                    (None, Some(id)) => out.push(Change::Delete { id, seq }),
                    _ => {}
                }
            }
            Ok(out)
        })
    }

    fn store_id(&self) -> Result<String> {
        self.with(|c| {
            Ok(
                c.query_one("SELECT value FROM meta WHERE key='store_id'", &[])?
                    .get(0),
            )
        })
    }

    fn last_seq(&self) -> Result<u64> {
        self.with(|c| {
            let v: String = c
                .query_one("SELECT value FROM meta WHERE key='next_seq'", &[])?
                .get(0);
            Ok(v.parse::<u64>().unwrap_or(1).saturating_sub(1))
        })
    }

    fn ids(&self) -> Result<Vec<String>> {
        self.with(|c| {
            Ok(c.query("SELECT id FROM cables ORDER BY id", &[])?
                .iter()
                .map(|r| r.get(0))
                .collect())
        })
    }

    fn id_seqs(&self) -> Result<Vec<(String, u64)>> {
        self.with(|c| {
            Ok(c.query("SELECT id, seq FROM cables ORDER BY id", &[])?
                .iter()
                .map(|r| (r.get(0), r.get::<_, i64>(1) as u64))
                .collect())
        })
    }

    fn count(&self) -> Result<u64> {
        self.with(|c| {
            Ok(c.query_one("SELECT count(*) FROM cables", &[])?
                .get::<_, i64>(0) as u64)
        })
    }

    fn present(&self, ids: &[String]) -> Result<Vec<String>> {
        self.with(|c| {
            Ok(c.query(
                "SELECT x FROM unnest($1::text[]) WITH ORDINALITY AS u(x, i)
                     WHERE EXISTS (SELECT 1 FROM cables WHERE id = u.x)
                        OR EXISTS (SELECT 1 FROM aliases a JOIN cables c ON c.id = a.cable_id
                                   WHERE a.alias = lower(u.x))
                     ORDER BY i",
                &[&ids],
            )?
            .iter()
            .map(|r| r.get(0))
            .collect())
        })
    }

    fn cites(&self, id: &str) -> Result<Vec<Edge>> {
        self.with(|c| {
            Ok(c
                .query(
                    "SELECT from_id, to_id, label, kind FROM refs WHERE from_id=$1 ORDER BY label, to_id",
                    &[&id],
                )?
                .iter()
                .map(to_edge)
                .collect())
        })
    }

    fn cited_by(&self, id: &str) -> Result<Vec<Edge>> {
        self.with(|c| {
            Ok(c
                .query(
                    "SELECT from_id, to_id, label, kind FROM refs WHERE to_id=$1 ORDER BY from_id, label",
                    &[&id],
                )?
                .iter()
                .map(to_edge)
                .collect())
        })
    }

    fn count_by(&self, column: &str) -> Result<Counts> {
        self.with(|c| {
            let col = count_column(column)?;
            let sql = format!(
                "SELECT k, n FROM (SELECT coalesce(CAST({col} AS TEXT), '') COLLATE \"C\" AS k,
                   count(*) AS n FROM cables GROUP BY 1) t ORDER BY n DESC, k"
            );
            Ok(c.query(&sql, &[])?
                .iter()
                .map(|r| (r.get(0), r.get::<_, i64>(1) as u64))
                .collect())
        })
    }

    fn most_cited_missing(&self, limit: usize) -> Result<Counts> {
        self.with(|c| {
            Ok(c.query(
                "SELECT to_id, count(DISTINCT from_id) FROM refs r
                     WHERE NOT EXISTS (SELECT 1 FROM cables c WHERE c.id = r.to_id)
                     GROUP BY to_id ORDER BY 2 DESC, 1 LIMIT $1",
                &[&(limit as i64)],
            )?
            .iter()
            .map(|r| (r.get(0), r.get::<_, i64>(1) as u64))
            .collect())
        })
    }

    fn check(&self) -> Result<Vec<String>> {
        self.with(|c| {
            // PostgreSQL checks its own pages (checksums, amcheck are the operator's);
            // what only we can check is that every record reads back as its cable.
            let mut out = Vec::new();
            for r in c.query("SELECT id, record FROM cables", &[])? {
                let id: String = r.get(0);
                match decode_record_bytes(r.get(1)) {
                    Ok(c) if c.id.as_deref() == Some(id.as_str()) => {}
                    Ok(_) => out.push(format!("cable {id}: record carries another id")),
                    Err(e) => out.push(format!("cable {id}: unreadable record: {e}")),
                }
            }
            let orphans: i64 = c
                .query_one(
                    "SELECT count(DISTINCT cable_id) FROM sources s
                     WHERE NOT EXISTS (SELECT 1 FROM cables c WHERE c.id = s.cable_id)",
                    &[],
                )?
                .get(0);
            if orphans > 0 {
                out.push(format!("{orphans} ids have copies but no merged cable"));
            }
            for table in ["aliases", "bands"] {
                let n: i64 = c
                    .query_one(
                        &format!(
                            "SELECT count(DISTINCT cable_id) FROM {table} t
                             WHERE NOT EXISTS (SELECT 1 FROM cables c WHERE c.id = t.cable_id)"
                        ),
                        &[],
                    )?
                    .get(0);
                if n > 0 {
                    out.push(format!("{n} ids have {table} but no merged cable"));
                }
            }
            Ok(out)
        })
    }

    fn meta(&self, key: &str) -> Result<Option<String>> {
        self.with(|c| {
            Ok(c.query_opt("SELECT value FROM meta WHERE key=$1", &[&key])?
                .map(|r| r.get(0)))
        })
    }

    fn set_meta(&mut self, key: &str, value: &str) -> Result<()> {
        self.with(|c| {
            if own_meta_key(key) {
                return Err(Error::Other(format!("{key} is the store's own setting")));
            }
            c.execute(
                "INSERT INTO meta(key, value) VALUES ($1, $2)
                 ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value",
                &[&key, &value],
            )?;
            Ok(())
        })
    }
}

/// Writes the derived tables of a batch's cables, as the embedded store's
/// `write_derived` does: aliases from each upserted record, bands as the union of
/// its copies' bands (as stored after the batch's copies were written).
fn write_derived(tx: &mut Transaction<'_>, batch: &WriteBatch) -> Result<()> {
    if batch.upsert.is_empty() && batch.delete.is_empty() {
        return Ok(());
    }
    let ids: Vec<&str> = batch
        .upsert
        .iter()
        .filter_map(|c| c.id.as_deref())
        .collect();
    let gone: Vec<&str> = ids
        .iter()
        .copied()
        .chain(batch.delete.iter().map(String::as_str))
        .collect();
    tx.execute(
        "DELETE FROM aliases WHERE cable_id = ANY($1::text[])",
        &[&gone],
    )?;
    tx.execute(
        "DELETE FROM bands WHERE cable_id = ANY($1::text[])",
        &[&gone],
    )?;
    let mut aliases: (Vec<String>, Vec<String>) = Default::default();
    for c in &batch.upsert {
        let Some(id) = c.id.as_deref() else { continue };
        for a in alias::aliases(c) {
            aliases.0.push(a.to_lowercase());
            aliases.1.push(id.to_string());
        }
    }
    insert_aliases(tx, &aliases.0, &aliases.1)?;
    if ids.is_empty() {
        return Ok(());
    }
    let added: HashMap<(&str, u64), &Cable> = batch
        .add_sources
        .iter()
        .map(|c| ((c.path.as_str(), c.item), &c.record))
        .collect();
    let keys = tx.query(
        "SELECT cable_id, path, item FROM sources WHERE cable_id = ANY($1::text[])",
        &[&ids],
    )?;
    let mut bands: BTreeSet<(i64, String)> = BTreeSet::new();
    for k in &keys {
        let id: String = k.get(0);
        let path: String = k.get(1);
        let item = k.get::<_, i64>(2) as u64;
        let b: Vec<i64> = if let Some(b) = batch.copy_bands.get(&(path.clone(), item)) {
            b.clone()
        } else if let Some(r) = added.get(&(path.as_str(), item)) {
            Sketch::of(r).bands().to_vec()
        } else {
            let r = tx.query_one(
                "SELECT record FROM sources WHERE path=$1 AND item=$2",
                &[&path, &(item as i64)],
            )?;
            Sketch::of(&decode_record_bytes(r.get(0))?).bands().to_vec()
        };
        bands.extend(b.into_iter().map(|b| (b, id.clone())));
    }
    let (b, i): (Vec<i64>, Vec<String>) = bands.into_iter().unzip();
    insert_bands(tx, &b, &i)
}

#[cfg(test)]
mod tests {
    use super::redact_url;

    #[test]
    fn passwords_are_redacted() {
        assert_eq!(
            redact_url("postgres://app:s3cret@db.example:5432/cables"),
            "postgres://app:***@db.example:5432/cables"
        );
        assert_eq!(
            redact_url("host=db user=app password=s3cret dbname=cables"),
            "host=db user=app password=*** dbname=cables"
        );
        assert_eq!(
            redact_url("postgres://app@db/cables"),
            "postgres://app@db/cables"
        );
    }
}
