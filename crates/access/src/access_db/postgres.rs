//! The access tables in the shared PostgreSQL database, beside the cable store:
//! one set of users, sessions and one audit chain for every node.
//!
//! What differs from `access.db`, and why:
//! - **Appends are serialised by an advisory lock** taken in the append's
//!   transaction (the head row may not exist yet, so a row lock cannot do it):
//!   two nodes never both chain after the same entry.
//! - **The audit check reads one snapshot** (`REPEATABLE READ`), as the SQLite
//!   check reads in one transaction.
//! - **`audit_key`** records the fingerprint of the key the chain is written with,
//!   so a node holding another key refuses to write (see [`crate::audit`]).
//! - Migrations are versioned in `cablescope_access_schema`, under an advisory
//!   lock, apart from the cable store's, as `access.db` is apart from
//!   `archive.sqlite3`.

use cablescope_archive::store::{apply_migrations, PgConnection};
use postgres::{Client, Row};

use super::{
    AccessError, AccessStore, AuditRow, AuditSelect, KeyRecord, MakeRow, SessionRow, UserRow,
    VisitRow, ACCESS_SCHEMA_VERSION,
};

/// Key of the advisory lock that serialises migrations of the access tables.
const MIGRATION_LOCK: i64 = 0x6163_6365_7373; // "access"

/// Key of the advisory lock held by an audit append from the read of the head to
/// the commit.
const AUDIT_LOCK: i64 = 0x0061_7564_6974; // "audit"

/// The schema, one entry per version (the same versions as `access.db`'s).
const MIGRATIONS: &[&str] = &[
    "
CREATE TABLE users (
    name         TEXT COLLATE \"C\" PRIMARY KEY,
    role         TEXT NOT NULL,
    clearance    TEXT NOT NULL,
    created_us   BIGINT NOT NULL,
    expires_us   BIGINT,
    revoked      BOOLEAN NOT NULL DEFAULT false,
    token_id     TEXT NOT NULL UNIQUE,
    token_digest TEXT NOT NULL
);
CREATE TABLE audit (
    seq       BIGINT PRIMARY KEY,
    at_us     BIGINT NOT NULL,
    who       TEXT NOT NULL,
    action    TEXT NOT NULL,
    what      TEXT NOT NULL,
    results   BIGINT NOT NULL,
    withheld  TEXT NOT NULL,
    clearance TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash      TEXT NOT NULL
);
CREATE INDEX audit_who ON audit (who, seq);
CREATE INDEX audit_at ON audit (at_us);
CREATE TABLE audit_head (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    seq  BIGINT NOT NULL,
    hash TEXT NOT NULL
);
CREATE TABLE audit_key (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    fingerprint TEXT NOT NULL,
    keyed_from  BIGINT NOT NULL
);
",
    "
CREATE TABLE sessions (
    id_digest    TEXT COLLATE \"C\" PRIMARY KEY,
    user_name    TEXT NOT NULL,
    token_id     TEXT NOT NULL,
    csrf         TEXT NOT NULL,
    created_us   BIGINT NOT NULL,
    last_seen_us BIGINT NOT NULL
);
CREATE INDEX sessions_seen ON sessions (last_seen_us);
",
    "
CREATE TABLE signin_failures (
    at_us   BIGINT NOT NULL,
    address TEXT NOT NULL,
    account TEXT NOT NULL
);
CREATE INDEX signin_failures_address ON signin_failures (address, at_us);
CREATE INDEX signin_failures_account ON signin_failures (account, at_us);
CREATE INDEX signin_failures_at ON signin_failures (at_us);
CREATE TABLE signin_known (
    address TEXT NOT NULL,
    account TEXT NOT NULL,
    at_us   BIGINT NOT NULL,
    PRIMARY KEY (address, account)
);
",
];

const USER_COLUMNS: &str =
    "name, role, clearance, created_us, expires_us, revoked, token_id, token_digest";

const ROW_COLUMNS: &str =
    "seq, at_us, who, action, what, results, withheld, clearance, prev_hash, hash";

fn to_user(r: &Row) -> UserRow {
    UserRow {
        name: r.get(0),
        role: r.get(1),
        clearance: r.get(2),
        created_us: r.get(3),
        expires_us: r.get(4),
        revoked: r.get(5),
        token_id: r.get(6),
        token_digest: r.get(7),
    }
}

fn to_row(r: &Row) -> AuditRow {
    AuditRow {
        seq: r.get(0),
        at_us: r.get(1),
        who: r.get(2),
        action: r.get(3),
        what: r.get(4),
        results: r.get(5),
        withheld: r.get(6),
        clearance: r.get(7),
        prev_hash: r.get(8),
        hash: r.get(9),
    }
}

/// The access tables of one shared database (one connection; open one per
/// thread).
pub(crate) struct PgAccess {
    conn: PgConnection,
}

impl PgAccess {
    /// Connects to `url`, creating or migrating the access tables.
    pub(crate) fn connect(url: &str) -> Result<Self, AccessError> {
        let conn = PgConnection::connect(url)
            .map_err(|e| AccessError::Postgres(format!("cannot connect to {e}")))?;
        let redacted = cablescope_archive::store::redact_url(url);
        conn.with(|c| migrate(c, &redacted))?;
        Ok(PgAccess { conn })
    }
}

// One migration per access schema version, as on SQLite.
const _: () = assert!(MIGRATIONS.len() as u32 == ACCESS_SCHEMA_VERSION);

fn migrate(client: &mut Client, redacted: &str) -> Result<(), AccessError> {
    let mut tx = client.transaction()?;
    let v = apply_migrations(
        &mut tx,
        MIGRATION_LOCK,
        "cablescope_access_schema",
        MIGRATIONS,
    )?;
    if v.newer() {
        return Err(AccessError::SchemaVersion {
            path: redacted.into(),
            found: v.found,
            expected: ACCESS_SCHEMA_VERSION,
        });
    }
    tx.commit()?;
    Ok(())
}

impl AccessStore for PgAccess {
    fn insert_user(&self, u: &UserRow) -> Result<bool, AccessError> {
        self.conn.with(|c| {
            let n = c.execute(
                &format!(
                    "INSERT INTO users ({USER_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
                     ON CONFLICT (name) DO NOTHING"
                ),
                &[
                    &u.name,
                    &u.role,
                    &u.clearance,
                    &u.created_us,
                    &u.expires_us,
                    &u.revoked,
                    &u.token_id,
                    &u.token_digest,
                ],
            )?;
            Ok(n > 0)
        })
    }

    fn users(&self) -> Result<Vec<UserRow>, AccessError> {
        self.conn.with(|c| {
            let rows = c.query(
                &format!("SELECT {USER_COLUMNS} FROM users ORDER BY name"),
                &[],
            )?;
            Ok(rows.iter().map(to_user).collect())
        })
    }

    fn user(&self, name: &str) -> Result<Option<UserRow>, AccessError> {
        self.conn.with(|c| {
            let r = c.query_opt(
                &format!("SELECT {USER_COLUMNS} FROM users WHERE name = $1"),
                &[&name],
            )?;
            Ok(r.as_ref().map(to_user))
        })
    }

    fn user_by_token(&self, token_id: &str) -> Result<Option<UserRow>, AccessError> {
        self.conn.with(|c| {
            let r = c.query_opt(
                &format!("SELECT {USER_COLUMNS} FROM users WHERE token_id = $1"),
                &[&token_id],
            )?;
            Ok(r.as_ref().map(to_user))
        })
    }

    fn revoke(&self, name: &str) -> Result<bool, AccessError> {
        self.conn.with(|c| {
            let n = c.execute(
                "UPDATE users SET revoked = true WHERE name = $1 AND NOT revoked",
                &[&name],
            )?;
            Ok(n > 0)
        })
    }

    fn set_token(&self, name: &str, token_id: &str, digest: &str) -> Result<bool, AccessError> {
        self.conn.with(|c| {
            let n = c.execute(
                "UPDATE users SET token_id = $2, token_digest = $3 WHERE name = $1 AND NOT revoked",
                &[&name, &token_id, &digest],
            )?;
            Ok(n > 0)
        })
    }

    fn has_users(&self) -> Result<bool, AccessError> {
        self.conn.with(|c| {
            let r = c.query_one("SELECT EXISTS (SELECT 1 FROM users)", &[])?;
            Ok(r.get(0))
        })
    }

    fn append_audit(&self, make: &mut MakeRow<'_>) -> Result<u64, AccessError> {
        self.conn.with(|c| {
            let mut tx = c.transaction()?;
            tx.execute("SELECT pg_advisory_xact_lock($1)", &[&AUDIT_LOCK])?;
            let head = match tx.query_opt("SELECT seq, hash FROM audit_head WHERE id = 1", &[])? {
                Some(r) => Some((r.get::<_, i64>(0), r.get::<_, String>(1))),
                // As in `access.db`: without a head, chain on from the last row.
                None => tx
                    .query_opt("SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1", &[])?
                    .map(|r| (r.get(0), r.get(1))),
            };
            let (prev_seq, prev_hash) =
                head.unwrap_or((0, crate::audit::GENESIS_HASH.to_string()));
            let row = make(prev_seq.max(0) as u64, &prev_hash)?;
            tx.execute(
                &format!(
                    "INSERT INTO audit ({ROW_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
                ),
                &[
                    &row.seq,
                    &row.at_us,
                    &row.who,
                    &row.action,
                    &row.what,
                    &row.results,
                    &row.withheld,
                    &row.clearance,
                    &row.prev_hash,
                    &row.hash,
                ],
            )?;
            tx.execute(
                "INSERT INTO audit_head (id, seq, hash) VALUES (1, $1, $2)
                 ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash",
                &[&row.seq, &row.hash],
            )?;
            tx.commit()?;
            Ok(row.seq as u64)
        })
    }

    fn scan_audit(&self, visit: &mut VisitRow<'_>) -> Result<Option<(i64, String)>, AccessError> {
        self.conn.with(|c| {
            let mut tx = c
                .build_transaction()
                .isolation_level(postgres::IsolationLevel::RepeatableRead)
                .read_only(true)
                .start()?;
            let head = tx
                .query_opt("SELECT seq, hash FROM audit_head WHERE id = 1", &[])?
                .map(|r| (r.get(0), r.get(1)));
            // Streamed in pages of rows rather than loaded whole: a log grows
            // without bound.
            let portal = tx.bind(
                &format!("SELECT {ROW_COLUMNS} FROM audit ORDER BY seq"),
                &[],
            )?;
            loop {
                let rows = tx.query_portal(&portal, 10_000)?;
                if rows.is_empty() {
                    break;
                }
                for r in &rows {
                    visit(to_row(r))?;
                }
            }
            tx.commit()?;
            Ok(head)
        })
    }

    fn last_audit_seq(&self) -> Result<u64, AccessError> {
        self.conn.with(|c| {
            let r = c.query_one(
                "SELECT greatest(coalesce((SELECT seq FROM audit_head WHERE id = 1), 0),
                                 coalesce((SELECT max(seq) FROM audit), 0))",
                &[],
            )?;
            Ok(r.get::<_, i64>(0).max(0) as u64)
        })
    }

    fn import_audit(
        &self,
        rows: &[AuditRow],
        head: Option<&(i64, String)>,
    ) -> Result<(), AccessError> {
        self.conn.with(|c| {
            let mut tx = c.transaction()?;
            tx.execute("SELECT pg_advisory_xact_lock($1)", &[&AUDIT_LOCK])?;
            let st = tx.prepare(&format!(
                "INSERT INTO audit ({ROW_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
            ))?;
            for r in rows {
                tx.execute(
                    &st,
                    &[
                        &r.seq,
                        &r.at_us,
                        &r.who,
                        &r.action,
                        &r.what,
                        &r.results,
                        &r.withheld,
                        &r.clearance,
                        &r.prev_hash,
                        &r.hash,
                    ],
                )?;
            }
            if let Some((seq, hash)) = head {
                tx.execute(
                    "INSERT INTO audit_head (id, seq, hash) VALUES (1, $1, $2)",
                    &[seq, hash],
                )?;
            }
            tx.commit()?;
            Ok(())
        })
    }

    fn select_audit(&self, f: &AuditSelect) -> Result<Vec<AuditRow>, AccessError> {
        self.conn.with(|c| {
            // Every bound is a parameter; an absent one is NULL and selects all.
            let rows = c.query(
                &format!(
                    "SELECT {ROW_COLUMNS} FROM audit
                     WHERE ($1::TEXT IS NULL OR who = $1)
                       AND ($2::TEXT IS NULL OR action = $2)
                       AND ($3::BIGINT IS NULL OR at_us >= $3)
                       AND ($4::BIGINT IS NULL OR at_us < $4)
                     ORDER BY seq DESC
                     LIMIT $5"
                ),
                &[&f.who, &f.action, &f.since_us, &f.until_us, &f.limit],
            )?;
            Ok(rows.iter().map(to_row).collect())
        })
    }

    fn audit_key(&self) -> Result<Option<KeyRecord>, AccessError> {
        self.conn.with(|c| {
            let r = c.query_opt(
                "SELECT fingerprint, keyed_from FROM audit_key WHERE id = 1",
                &[],
            )?;
            Ok(r.map(|r| KeyRecord {
                fingerprint: r.get(0),
                keyed_from: r.get::<_, i64>(1).max(0) as u64,
            }))
        })
    }

    fn record_audit_key(&self, key: &KeyRecord) -> Result<KeyRecord, AccessError> {
        self.conn.with(|c| {
            let from = key.keyed_from.min(i64::MAX as u64) as i64;
            c.execute(
                "INSERT INTO audit_key (id, fingerprint, keyed_from) VALUES (1, $1, $2)
                 ON CONFLICT (id) DO NOTHING",
                &[&key.fingerprint, &from],
            )?;
            let r = c.query_one(
                "SELECT fingerprint, keyed_from FROM audit_key WHERE id = 1",
                &[],
            )?;
            Ok(KeyRecord {
                fingerprint: r.get(0),
                keyed_from: r.get::<_, i64>(1).max(0) as u64,
            })
        })
    }

    fn signin_counts(
        &self,
        address: &str,
        account: &str,
        since_us: i64,
    ) -> Result<(u64, u64, u64, Option<i64>), AccessError> {
        self.conn.with(|c| {
            let r = c.query_one(
                "SELECT
                     (SELECT count(*) FROM signin_failures WHERE address = $1 AND account = $2 AND at_us >= $3),
                     (SELECT count(*) FROM signin_failures WHERE account = $2 AND at_us >= $3),
                     (SELECT count(*) FROM signin_failures WHERE address = $1 AND at_us >= $3),
                     (SELECT at_us FROM signin_known WHERE address = $1 AND account = $2)",
                &[&address, &account, &since_us],
            )?;
            let n = |i: usize| r.get::<_, i64>(i).max(0) as u64;
            Ok((n(0), n(1), n(2), r.get(3)))
        })
    }

    fn record_signin_failure(
        &self,
        address: &str,
        account: &str,
        at_us: i64,
        drop_before_us: i64,
    ) -> Result<(), AccessError> {
        self.conn.with(|c| {
            let mut tx = c.transaction()?;
            tx.execute(
                "DELETE FROM signin_failures WHERE at_us < $1",
                &[&drop_before_us],
            )?;
            tx.execute(
                "INSERT INTO signin_failures (at_us, address, account) VALUES ($1, $2, $3)",
                &[&at_us, &address, &account],
            )?;
            tx.commit()?;
            Ok(())
        })
    }

    fn record_signin_success(
        &self,
        address: &str,
        account: &str,
        at_us: i64,
    ) -> Result<(), AccessError> {
        self.conn.with(|c| {
            c.execute(
                "INSERT INTO signin_known (address, account, at_us) VALUES ($1, $2, $3)
                 ON CONFLICT (address, account) DO UPDATE SET at_us = greatest(signin_known.at_us, excluded.at_us)",
                &[&address, &account, &at_us],
            )?;
            Ok(())
        })
    }

    fn insert_session(
        &self,
        id_digest: &str,
        row: &SessionRow,
        stale_before_us: i64,
        old_before_us: i64,
        max: usize,
    ) -> Result<(), AccessError> {
        let keep = max.saturating_sub(1) as i64;
        self.conn.with(|c| {
            let mut tx = c.transaction()?;
            tx.execute(
                "DELETE FROM sessions WHERE last_seen_us < $1 OR created_us < $2",
                &[&stale_before_us, &old_before_us],
            )?;
            tx.execute(
                "DELETE FROM sessions WHERE id_digest IN (
                     SELECT id_digest FROM sessions ORDER BY last_seen_us DESC OFFSET $1)",
                &[&keep],
            )?;
            tx.execute(
                "INSERT INTO sessions (id_digest, user_name, token_id, csrf, created_us, last_seen_us)
                 VALUES ($1, $2, $3, $4, $5, $6)
                 ON CONFLICT (id_digest) DO UPDATE SET user_name = excluded.user_name,
                     token_id = excluded.token_id, csrf = excluded.csrf,
                     created_us = excluded.created_us, last_seen_us = excluded.last_seen_us",
                &[
                    &id_digest,
                    &row.user,
                    &row.token_id,
                    &row.csrf,
                    &row.created_us,
                    &row.last_seen_us,
                ],
            )?;
            tx.commit()?;
            Ok(())
        })
    }

    fn session(&self, id_digest: &str) -> Result<Option<SessionRow>, AccessError> {
        self.conn.with(|c| {
            let r = c.query_opt(
                "SELECT user_name, token_id, csrf, created_us, last_seen_us FROM sessions
                 WHERE id_digest = $1",
                &[&id_digest],
            )?;
            Ok(r.map(|r| SessionRow {
                user: r.get(0),
                token_id: r.get(1),
                csrf: r.get(2),
                created_us: r.get(3),
                last_seen_us: r.get(4),
            }))
        })
    }

    fn touch_session(&self, id_digest: &str, now_us: i64) -> Result<(), AccessError> {
        self.conn.with(|c| {
            c.execute(
                "UPDATE sessions SET last_seen_us = $2 WHERE id_digest = $1 AND last_seen_us < $2",
                &[&id_digest, &now_us],
            )?;
            Ok(())
        })
    }

    fn delete_session(&self, id_digest: &str) -> Result<bool, AccessError> {
        self.conn.with(|c| {
            let n = c.execute("DELETE FROM sessions WHERE id_digest = $1", &[&id_digest])?;
            Ok(n > 0)
        })
    }
}
