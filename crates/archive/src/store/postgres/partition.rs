//! Scale-out: the records spread across several PostgreSQL servers with
//! PostgreSQL's own machinery, hash partitioning over `postgres_fdw`.
//!
//! The database the nodes connect to (the *coordinator*) keeps every table, but
//! `cables` and `sources` (the records and their copies: nearly all of an
//! archive's bytes) become tables `PARTITION BY HASH` whose partitions are foreign
//! tables on the *shard* servers. `cables` is partitioned by `id` and `sources` by
//! `cable_id` with the same modulus, so a cable and all its copies live on the
//! same shard. Nothing above the store changes: the coordinator routes each row,
//! prunes by id where it can, and pushes filters down to the shards.
//!
//! What partitioning costs, and how the store copes:
//!
//! - A partitioned table with foreign partitions can have no unique index, so no
//!   `ON CONFLICT`: the store replaces rows (delete, then insert) under its
//!   sequence lock instead of upserting (`mod.rs`, `write`).
//! - `postgres_fdw` commits the shards before the coordinator (no two-phase
//!   commit): a coordinator that dies in that instant leaves a batch on the shards
//!   that its next write of the same cables replaces. `verify` compares the store
//!   and the index as before.
//! - Schema migrations that touch `cables` or `sources` must alter the shard
//!   tables too (none does yet: [`partition`] checks the shard tables' columns
//!   against the coordinator's before moving any row).
//!
//! Shard tables are named after the coordinator's store id
//! (`cs_<id>_cables_<n>`), so one shard database can serve several archives, and
//! a run that was interrupted before the coordinator committed is simply run
//! again: it empties its own leftovers and starts over.

use std::str::FromStr;

use postgres::config::Host;
use postgres::Client;

use super::{reason, take_seq_lock, PgConnection, PgStore};
use crate::error::{Error, Result};
use crate::store::{redact_url, Store};

/// One partition of the records after [`partition`]: where it lives, and how
/// many rows it holds.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Partition {
    /// The partition's number (its hash remainder).
    pub remainder: u32,
    /// The shard, as given (password redacted).
    pub shard: String,
    /// The cables stored there.
    pub cables: u64,
    /// The copies stored there.
    pub copies: u64,
}

/// The key under which the coordinator's `meta` table records the layout.
const LAYOUT_KEY: &str = "partitions";

/// The two partitioned tables and their partition keys.
const TABLES: [(&str, &str); 2] = [("cables", "id"), ("sources", "cable_id")];

/// The shard tables' definition: the same columns, keys and indexes as the
/// coordinator's `cables` and `sources` (migration 1 in `mod.rs`). `{c}` and `{s}`
/// are the tables' names.
const SHARD_TABLES: &str = "
CREATE TABLE IF NOT EXISTS {c} (
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
CREATE INDEX IF NOT EXISTS {c}_seq ON {c}(seq);
CREATE TABLE IF NOT EXISTS {s} (
    path TEXT COLLATE \"C\" NOT NULL,
    item BIGINT NOT NULL,
    format TEXT NOT NULL,
    content_hash TEXT COLLATE \"C\" NOT NULL,
    cable_id TEXT COLLATE \"C\" NOT NULL,
    record BYTEA NOT NULL,
    PRIMARY KEY (path, item)
);
CREATE INDEX IF NOT EXISTS {s}_content ON {s}(cable_id, content_hash, path, item);
";

/// Spreads the records of the store at `coordinator` across `shards` (database
/// URLs; the same server may be named more than once), moving the rows it holds.
///
/// Needs the `postgres_fdw` extension on the coordinator (Debian's `postgresql`
/// ships it; creating it needs a superuser once) and, on every shard, a role
/// that may create tables. The coordinator reaches each shard with the user and
/// password in its URL (kept in a `USER MAPPING`, readable by superusers only).
///
/// Run it again with the same shards and it reports the layout and changes
/// nothing; with other shards it is refused (re-partitioning is a `migrate` to a
/// new database).
///
/// # Errors
///
/// A standby, an unreachable shard, a shard whose tables do not match, or a
/// failed statement; nothing is changed on the coordinator then.
pub fn partition(coordinator: &str, shards: &[String]) -> Result<Vec<Partition>> {
    if shards.is_empty() {
        return Err(Error::Other("name at least one shard (--shard URL)".into()));
    }
    let store = PgStore::connect(coordinator)?;
    if store.is_standby() {
        return Err(Error::Other(
            "this is a standby (read only): partition on the primary".into(),
        ));
    }
    let targets = shards
        .iter()
        .map(|u| ShardTarget::parse(u))
        .collect::<Result<Vec<_>>>()?;
    let layout = targets
        .iter()
        .map(|t| t.display.clone())
        .collect::<Vec<_>>()
        .join("\n");
    if let Some(have) = recorded_layout(&store)? {
        if have == layout {
            return describe(&store);
        }
        return Err(Error::Other(format!(
            "the records are already partitioned across other shards:\n{have}\n\
             to change the layout, migrate to a new database and partition that"
        )));
    }
    let prefix = format!("cs_{}", &store.store_id()?[..12]);
    // The shard tables first, each on its own connection (committed at once:
    // they are empty, and an interrupted run empties them again).
    for (n, t) in targets.iter().enumerate() {
        let shard = PgConnection::connect(&t.url)
            .map_err(|e| Error::Other(format!("cannot connect to shard {n} {e}")))?;
        let (c, s) = shard_names(&prefix, n);
        shard.with(|client| -> Result<()> {
            client.batch_execute(&SHARD_TABLES.replace("{c}", &c).replace("{s}", &s))?;
            client.batch_execute(&format!("TRUNCATE {c}, {s}"))?;
            Ok(())
        })?;
        for (remote, local) in [(&c, "cables"), (&s, "sources")] {
            let want = store.with(|client| columns(client, local))?;
            let have = shard.with(|client| columns(client, remote))?;
            if have != want {
                return Err(Error::Other(format!(
                    "the shard table {remote} does not match the coordinator's {local}:\n  \
                     shard: {have}\n  coordinator: {want}"
                )));
            }
        }
    }
    store.with(|client| -> Result<()> {
        let mut tx = client.transaction()?;
        // Writers wait here until the records have moved.
        take_seq_lock(&mut tx)?;
        tx.batch_execute("CREATE EXTENSION IF NOT EXISTS postgres_fdw")
            .map_err(|e| {
                Error::Other(format!(
                    "cannot create the postgres_fdw extension on the coordinator \
                     (a superuser must run CREATE EXTENSION postgres_fdw once): {}",
                    reason(&e)
                ))
            })?;
        for (n, t) in targets.iter().enumerate() {
            let server = server_name(&prefix, n);
            tx.batch_execute(&format!(
                "CREATE SERVER {server} FOREIGN DATA WRAPPER postgres_fdw OPTIONS ({});
                 CREATE USER MAPPING FOR CURRENT_USER SERVER {server} OPTIONS ({});",
                options(&t.server),
                options(&t.login),
            ))
            .map_err(|e| {
                Error::Other(format!(
                    "cannot declare shard {n} on the coordinator (a superuser must \
                     GRANT USAGE ON FOREIGN DATA WRAPPER postgres_fdw TO this role): {}",
                    reason(&e)
                ))
            })?;
        }
        let modulus = targets.len();
        for (table, key) in TABLES {
            tx.batch_execute(&format!(
                "CREATE TABLE {table}_partitioned (LIKE {table} INCLUDING DEFAULTS)
                 PARTITION BY HASH ({key})"
            ))?;
            for n in 0..modulus {
                let remote = if table == "cables" {
                    shard_names(&prefix, n).0
                } else {
                    shard_names(&prefix, n).1
                };
                tx.batch_execute(&format!(
                    "CREATE FOREIGN TABLE {table}_p{n} PARTITION OF {table}_partitioned
                     FOR VALUES WITH (MODULUS {modulus}, REMAINDER {n})
                     SERVER {server} OPTIONS (table_name {remote})",
                    server = server_name(&prefix, n),
                    remote = quote(&remote),
                ))?;
            }
            tx.batch_execute(&format!(
                "INSERT INTO {table}_partitioned SELECT * FROM {table};
                 DROP TABLE {table};
                 ALTER TABLE {table}_partitioned RENAME TO {table};"
            ))?;
        }
        // The coordinator's own (non-unique) indexes: each shard table has its
        // real ones; these record the intent for partitions added later.
        tx.batch_execute(
            "CREATE INDEX cables_seq ON cables(seq);
             CREATE INDEX sources_content ON sources(cable_id, content_hash, path, item);",
        )?;
        tx.execute(
            "INSERT INTO meta(key, value) VALUES ($1, $2)",
            &[&LAYOUT_KEY, &layout],
        )?;
        tx.commit()?;
        Ok(())
    })?;
    describe(&store)
}

/// The partitions of the store at `url`, with their row counts; empty when its
/// records are not partitioned.
///
/// # Errors
///
/// The database or a shard cannot be reached.
pub fn partitions(url: &str) -> Result<Vec<Partition>> {
    describe(&PgStore::connect(url)?)
}

fn describe(store: &PgStore) -> Result<Vec<Partition>> {
    let Some(layout) = recorded_layout(store)? else {
        return Ok(Vec::new());
    };
    let shards: Vec<String> = layout.lines().map(str::to_string).collect();
    store.with(|c| {
        let mut out = Vec::new();
        for (n, shard) in shards.into_iter().enumerate() {
            let count = |c: &mut Client, table: &str| -> Result<u64> {
                let v: i64 = c
                    .query_one(&format!("SELECT count(*) FROM {table}_p{n}"), &[])?
                    .get(0);
                Ok(v as u64)
            };
            out.push(Partition {
                remainder: n as u32,
                cables: count(c, "cables")?,
                copies: count(c, "sources")?,
                shard,
            });
        }
        Ok(out)
    })
}

fn recorded_layout(store: &PgStore) -> Result<Option<String>> {
    store.with(|c| {
        Ok(
            c.query_opt("SELECT value FROM meta WHERE key = $1", &[&LAYOUT_KEY])?
                .map(|r| r.get(0)),
        )
    })
}

/// The shard tables of partition `n`: (cables, sources).
fn shard_names(prefix: &str, n: usize) -> (String, String) {
    (
        format!("{prefix}_cables_{n}"),
        format!("{prefix}_sources_{n}"),
    )
}

fn server_name(prefix: &str, n: usize) -> String {
    format!("{prefix}_shard_{n}")
}

/// A table's columns (name, type, collation) as one string: the shard tables
/// must match the coordinator's (not a table left by an older cablescope, nor a
/// coordinator migrated past this code).
fn columns(c: &mut Client, table: &str) -> Result<String> {
    Ok(c.query_one(
        "SELECT string_agg(attname || ' ' || format_type(atttypid, atttypmod)
                  || ' ' || coalesce(collname, ''), ', ' ORDER BY attnum)
         FROM pg_attribute a LEFT JOIN pg_collation l ON l.oid = a.attcollation
         WHERE attrelid = $1::text::regclass AND attnum > 0 AND NOT attisdropped",
        &[&table],
    )?
    .get(0))
}

/// A shard URL taken apart into what `postgres_fdw` needs.
struct ShardTarget {
    /// The URL, to connect from here.
    url: String,
    /// The URL with its password redacted, as recorded in the layout.
    display: String,
    /// `CREATE SERVER` options: host, port, dbname.
    server: Vec<(&'static str, String)>,
    /// `CREATE USER MAPPING` options: user, password.
    login: Vec<(&'static str, String)>,
}

impl ShardTarget {
    fn parse(url: &str) -> Result<Self> {
        let bad = |why: &str| Error::Other(format!("shard {}: {why}", redact_url(url)));
        let config = postgres::Config::from_str(url).map_err(|e| bad(&e.to_string()))?;
        let host = match config.get_hosts() {
            [Host::Tcp(h)] => h.clone(),
            [Host::Unix(p)] => p.display().to_string(),
            [] => "localhost".to_string(),
            _ => return Err(bad("name one host")),
        };
        let mut server = vec![("host", host)];
        match config.get_ports() {
            [] => {}
            [p] => server.push(("port", p.to_string())),
            _ => return Err(bad("name one port")),
        }
        let dbname = config
            .get_dbname()
            .ok_or_else(|| bad("name the database"))?;
        server.push(("dbname", dbname.to_string()));
        // Many shards on one server: fewer, larger round trips.
        server.push(("batch_size", "1000".to_string()));
        server.push(("fetch_size", "1000".to_string()));
        server.push(("async_capable", "true".to_string()));
        let mut login = Vec::new();
        if let Some(u) = config.get_user() {
            login.push(("user", u.to_string()));
        }
        if let Some(p) = config.get_password() {
            login.push(("password", String::from_utf8_lossy(p).into_owned()));
        }
        Ok(ShardTarget {
            url: url.to_string(),
            display: redact_url(url),
            server,
            login,
        })
    }
}

/// `key 'value', …` for an `OPTIONS (…)` clause.
fn options(kv: &[(&str, String)]) -> String {
    kv.iter()
        .map(|(k, v)| format!("{k} {}", quote(v)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// A SQL string literal.
fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shard_urls_become_fdw_options() {
        let t = ShardTarget::parse("postgres://cs:s'cret@db2.example:5433/records").unwrap();
        assert_eq!(t.display, "postgres://cs:***@db2.example:5433/records");
        assert_eq!(
            options(&t.server),
            "host 'db2.example', port '5433', dbname 'records', batch_size '1000', \
             fetch_size '1000', async_capable 'true'"
        );
        assert_eq!(options(&t.login), "user 'cs', password 's''cret'");
    }

    #[test]
    fn shard_urls_must_name_a_database() {
        let e = ShardTarget::parse("postgres://cs@db2.example")
            .err()
            .unwrap();
        assert!(e.to_string().contains("name the database"), "{e}");
    }
}
