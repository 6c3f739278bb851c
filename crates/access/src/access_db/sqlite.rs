//! `access.db`: the access tables of an embedded archive, in a SQLite file of
//! their own beside the cable store (see the module docs of [`super`] for the
//! tables and why the file is separate).

use std::path::Path;
use std::time::Duration;

use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};

use super::{
    path, AccessError, AccessStore, AuditRow, AuditSelect, KeyRecord, MakeRow, SessionRow, UserRow,
    VisitRow, ACCESS_SCHEMA_VERSION,
};

/// How long a writer waits for another (CLI and server write the same file).
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// The schema, one entry per version: `MIGRATIONS[i]` takes a file from version
/// `i` to `i + 1`. Never edit an entry once released; add one.
const MIGRATIONS: &[&str] = &[
    "
CREATE TABLE IF NOT EXISTS users (
    name         TEXT PRIMARY KEY,
    role         TEXT NOT NULL,
    clearance    TEXT NOT NULL,
    created_us   INTEGER NOT NULL,
    expires_us   INTEGER,
    revoked      INTEGER NOT NULL DEFAULT 0,
    token_id     TEXT NOT NULL UNIQUE,
    token_digest TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS audit (
    seq       INTEGER PRIMARY KEY,
    at_us     INTEGER NOT NULL,
    who       TEXT NOT NULL,
    action    TEXT NOT NULL,
    what      TEXT NOT NULL,
    results   INTEGER NOT NULL,
    withheld  TEXT NOT NULL,
    clearance TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash      TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS audit_who ON audit (who, seq);
CREATE INDEX IF NOT EXISTS audit_at ON audit (at_us);
CREATE TABLE IF NOT EXISTS audit_head (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    seq  INTEGER NOT NULL,
    hash TEXT NOT NULL
);
",
    "
CREATE TABLE IF NOT EXISTS sessions (
    id_digest    TEXT PRIMARY KEY,
    user_name    TEXT NOT NULL,
    token_id     TEXT NOT NULL,
    csrf         TEXT NOT NULL,
    created_us   INTEGER NOT NULL,
    last_seen_us INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS sessions_seen ON sessions (last_seen_us);
",
    "
CREATE TABLE IF NOT EXISTS signin_failures (
    at_us   INTEGER NOT NULL,
    address TEXT NOT NULL,
    account TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS signin_failures_address ON signin_failures (address, at_us);
CREATE INDEX IF NOT EXISTS signin_failures_account ON signin_failures (account, at_us);
CREATE INDEX IF NOT EXISTS signin_failures_at ON signin_failures (at_us);
CREATE TABLE IF NOT EXISTS signin_known (
    address TEXT NOT NULL,
    account TEXT NOT NULL,
    at_us   INTEGER NOT NULL,
    PRIMARY KEY (address, account)
);
",
];

const USER_COLUMNS: &str =
    "name, role, clearance, created_us, expires_us, revoked, token_id, token_digest";

const ROW_COLUMNS: &str =
    "seq, at_us, who, action, what, results, withheld, clearance, prev_hash, hash";

fn read_user(r: &rusqlite::Row<'_>) -> rusqlite::Result<UserRow> {
    Ok(UserRow {
        name: r.get(0)?,
        role: r.get(1)?,
        clearance: r.get(2)?,
        created_us: r.get(3)?,
        expires_us: r.get(4)?,
        revoked: r.get(5)?,
        token_id: r.get(6)?,
        token_digest: r.get(7)?,
    })
}

fn read_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<AuditRow> {
    Ok(AuditRow {
        seq: r.get(0)?,
        at_us: r.get(1)?,
        who: r.get(2)?,
        action: r.get(3)?,
        what: r.get(4)?,
        results: r.get(5)?,
        withheld: r.get(6)?,
        clearance: r.get(7)?,
        prev_hash: r.get(8)?,
        hash: r.get(9)?,
    })
}

/// `access.db` of one archive directory.
pub(crate) struct SqliteAccess {
    conn: Connection,
}

impl SqliteAccess {
    /// Opens `access.db` in `dir` (which must exist), creating or upgrading its
    /// tables.
    pub(crate) fn open(dir: &Path) -> Result<Self, AccessError> {
        if !dir.is_dir() {
            return Err(AccessError::NoDirectory(dir.to_path_buf()));
        }
        let p = path(dir);
        // The file holds who may read what: private to the owner like the archive.
        crate::files::private_umask();
        let mut conn = Connection::open(&p)?;
        // The timeout first: switching to WAL itself can meet a busy database.
        conn.busy_timeout(BUSY_TIMEOUT)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        let found: u32 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if found > ACCESS_SCHEMA_VERSION {
            return Err(AccessError::SchemaVersion {
                path: p,
                found,
                expected: ACCESS_SCHEMA_VERSION,
            });
        }
        if found < ACCESS_SCHEMA_VERSION {
            // IMMEDIATE so that two processes upgrading at once serialise; the
            // second one finds the version set and the tables there.
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let now: u32 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
            for m in MIGRATIONS.iter().skip(now as usize) {
                tx.execute_batch(m)?;
            }
            if now < ACCESS_SCHEMA_VERSION {
                tx.pragma_update(None, "user_version", ACCESS_SCHEMA_VERSION)?;
            }
            tx.commit()?;
        }
        Ok(SqliteAccess { conn })
    }
}

impl AccessStore for SqliteAccess {
    fn insert_user(&self, u: &UserRow) -> Result<bool, AccessError> {
        let n = self.conn.execute(
            &format!(
                "INSERT INTO users ({USER_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
                 ON CONFLICT (name) DO NOTHING"
            ),
            params![
                u.name,
                u.role,
                u.clearance,
                u.created_us,
                u.expires_us,
                u.revoked,
                u.token_id,
                u.token_digest
            ],
        )?;
        Ok(n > 0)
    }

    fn users(&self) -> Result<Vec<UserRow>, AccessError> {
        let mut st = self
            .conn
            .prepare(&format!("SELECT {USER_COLUMNS} FROM users ORDER BY name"))?;
        let rows = st.query_map([], read_user)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    fn user(&self, name: &str) -> Result<Option<UserRow>, AccessError> {
        Ok(self
            .conn
            .query_row(
                &format!("SELECT {USER_COLUMNS} FROM users WHERE name = ?1"),
                [name],
                read_user,
            )
            .optional()?)
    }

    fn user_by_token(&self, token_id: &str) -> Result<Option<UserRow>, AccessError> {
        Ok(self
            .conn
            .query_row(
                &format!("SELECT {USER_COLUMNS} FROM users WHERE token_id = ?1"),
                [token_id],
                read_user,
            )
            .optional()?)
    }

    fn revoke(&self, name: &str) -> Result<bool, AccessError> {
        let n = self.conn.execute(
            "UPDATE users SET revoked = 1 WHERE name = ?1 AND revoked = 0",
            [name],
        )?;
        Ok(n > 0)
    }

    fn set_token(&self, name: &str, token_id: &str, digest: &str) -> Result<bool, AccessError> {
        let n = self.conn.execute(
            "UPDATE users SET token_id = ?2, token_digest = ?3 WHERE name = ?1 AND revoked = 0",
            params![name, token_id, digest],
        )?;
        Ok(n > 0)
    }

    fn has_users(&self) -> Result<bool, AccessError> {
        let n: i64 = self
            .conn
            .query_row("SELECT count(*) FROM users", [], |r| r.get(0))?;
        Ok(n > 0)
    }

    fn append_audit(&self, make: &mut MakeRow<'_>) -> Result<u64, AccessError> {
        // IMMEDIATE: the write lock is held from the read of the previous hash to
        // the commit, so two writers cannot both append after the same entry.
        let tx = rusqlite::Transaction::new_unchecked(&self.conn, TransactionBehavior::Immediate)?;
        let head: Option<(i64, String)> = tx
            .query_row("SELECT seq, hash FROM audit_head WHERE id = 1", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()?;
        // Without a head row (never written, or deleted) chain on from the last
        // row, so a missing head is reported by verify rather than failing writes.
        let head = match head {
            Some(h) => Some(h),
            None => tx
                .query_row(
                    "SELECT seq, hash FROM audit ORDER BY seq DESC LIMIT 1",
                    [],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()?,
        };
        let (prev_seq, prev_hash) = head.unwrap_or((0, crate::audit::GENESIS_HASH.to_string()));
        let row = make(prev_seq.max(0) as u64, &prev_hash)?;
        tx.execute(
            &format!("INSERT INTO audit ({ROW_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"),
            params![
                row.seq,
                row.at_us,
                row.who,
                row.action,
                row.what,
                row.results,
                row.withheld,
                row.clearance,
                row.prev_hash,
                row.hash
            ],
        )?;
        tx.execute(
            "INSERT INTO audit_head (id, seq, hash) VALUES (1, ?1, ?2)
             ON CONFLICT (id) DO UPDATE SET seq = excluded.seq, hash = excluded.hash",
            params![row.seq, row.hash],
        )?;
        tx.commit()?;
        Ok(row.seq as u64)
    }

    fn scan_audit(&self, visit: &mut VisitRow<'_>) -> Result<Option<(i64, String)>, AccessError> {
        // One read transaction: a concurrent append cannot make the rows and the
        // head disagree mid-check.
        let tx = rusqlite::Transaction::new_unchecked(&self.conn, TransactionBehavior::Deferred)?;
        let head: Option<(i64, String)> = tx
            .query_row("SELECT seq, hash FROM audit_head WHERE id = 1", [], |r| {
                Ok((r.get(0)?, r.get(1)?))
            })
            .optional()?;
        {
            let mut st = tx.prepare(&format!("SELECT {ROW_COLUMNS} FROM audit ORDER BY seq"))?;
            let rows = st.query_map([], read_row)?;
            for row in rows {
                visit(row?)?;
            }
        }
        tx.commit()?;
        Ok(head)
    }

    fn last_audit_seq(&self) -> Result<u64, AccessError> {
        let n: i64 = self.conn.query_row(
            "SELECT max(coalesce((SELECT seq FROM audit_head WHERE id = 1), 0),
                        coalesce((SELECT max(seq) FROM audit), 0))",
            [],
            |r| r.get(0),
        )?;
        Ok(n.max(0) as u64)
    }

    fn import_audit(
        &self,
        rows: &[AuditRow],
        head: Option<&(i64, String)>,
    ) -> Result<(), AccessError> {
        let tx = rusqlite::Transaction::new_unchecked(&self.conn, TransactionBehavior::Immediate)?;
        {
            let mut st = tx.prepare(&format!(
                "INSERT INTO audit ({ROW_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"
            ))?;
            for r in rows {
                st.execute(params![
                    r.seq,
                    r.at_us,
                    r.who,
                    r.action,
                    r.what,
                    r.results,
                    r.withheld,
                    r.clearance,
                    r.prev_hash,
                    r.hash
                ])?;
            }
        }
        if let Some((seq, hash)) = head {
            tx.execute(
                "INSERT INTO audit_head (id, seq, hash) VALUES (1, ?1, ?2)",
                params![seq, hash],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    fn select_audit(&self, f: &AuditSelect) -> Result<Vec<AuditRow>, AccessError> {
        let mut sql = format!("SELECT {ROW_COLUMNS} FROM audit WHERE 1 = 1");
        let mut args: Vec<rusqlite::types::Value> = Vec::new();
        if let Some(w) = &f.who {
            args.push(w.clone().into());
            sql.push_str(&format!(" AND who = ?{}", args.len()));
        }
        if let Some(a) = &f.action {
            args.push(a.clone().into());
            sql.push_str(&format!(" AND action = ?{}", args.len()));
        }
        if let Some(t) = f.since_us {
            args.push(t.into());
            sql.push_str(&format!(" AND at_us >= ?{}", args.len()));
        }
        if let Some(t) = f.until_us {
            args.push(t.into());
            sql.push_str(&format!(" AND at_us < ?{}", args.len()));
        }
        sql.push_str(" ORDER BY seq DESC");
        if let Some(n) = f.limit {
            args.push(n.into());
            sql.push_str(&format!(" LIMIT ?{}", args.len()));
        }
        let mut st = self.conn.prepare(&sql)?;
        let rows = st.query_map(rusqlite::params_from_iter(args), read_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    // The key file lies beside `access.db` in the one archive directory: there is
    // no second node whose key could differ, so nothing is recorded.
    fn audit_key(&self) -> Result<Option<KeyRecord>, AccessError> {
        Ok(None)
    }

    fn record_audit_key(&self, key: &KeyRecord) -> Result<KeyRecord, AccessError> {
        Ok(key.clone())
    }

    fn signin_counts(
        &self,
        address: &str,
        account: &str,
        since_us: i64,
    ) -> Result<(u64, u64, u64, Option<i64>), AccessError> {
        let (pair, acct, addr, known): (i64, i64, i64, Option<i64>) = self.conn.query_row(
            "SELECT
                 (SELECT count(*) FROM signin_failures WHERE address = ?1 AND account = ?2 AND at_us >= ?3),
                 (SELECT count(*) FROM signin_failures WHERE account = ?2 AND at_us >= ?3),
                 (SELECT count(*) FROM signin_failures WHERE address = ?1 AND at_us >= ?3),
                 (SELECT at_us FROM signin_known WHERE address = ?1 AND account = ?2)",
            params![address, account, since_us],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )?;
        Ok((pair as u64, acct as u64, addr as u64, known))
    }

    fn record_signin_failure(
        &self,
        address: &str,
        account: &str,
        at_us: i64,
        drop_before_us: i64,
    ) -> Result<(), AccessError> {
        let tx = rusqlite::Transaction::new_unchecked(&self.conn, TransactionBehavior::Immediate)?;
        tx.execute(
            "DELETE FROM signin_failures WHERE at_us < ?1",
            [drop_before_us],
        )?;
        tx.execute(
            "INSERT INTO signin_failures (at_us, address, account) VALUES (?1, ?2, ?3)",
            params![at_us, address, account],
        )?;
        tx.commit()?;
        Ok(())
    }

    fn record_signin_success(
        &self,
        address: &str,
        account: &str,
        at_us: i64,
    ) -> Result<(), AccessError> {
        self.conn.execute(
            "INSERT INTO signin_known (address, account, at_us) VALUES (?1, ?2, ?3)
             ON CONFLICT (address, account) DO UPDATE SET at_us = max(at_us, excluded.at_us)",
            params![address, account, at_us],
        )?;
        Ok(())
    }

    fn insert_session(
        &self,
        id_digest: &str,
        row: &SessionRow,
        stale_before_us: i64,
        old_before_us: i64,
        max: usize,
    ) -> Result<(), AccessError> {
        let tx = rusqlite::Transaction::new_unchecked(&self.conn, TransactionBehavior::Immediate)?;
        tx.execute(
            "DELETE FROM sessions WHERE last_seen_us < ?1 OR created_us < ?2",
            params![stale_before_us, old_before_us],
        )?;
        let keep = max.saturating_sub(1) as i64;
        tx.execute(
            "DELETE FROM sessions WHERE id_digest IN (
                 SELECT id_digest FROM sessions ORDER BY last_seen_us DESC LIMIT -1 OFFSET ?1)",
            [keep],
        )?;
        tx.execute(
            "INSERT OR REPLACE INTO sessions (id_digest, user_name, token_id, csrf, created_us, last_seen_us)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                id_digest,
                row.user,
                row.token_id,
                row.csrf,
                row.created_us,
                row.last_seen_us
            ],
        )?;
        tx.commit()?;
        Ok(())
    }

    fn session(&self, id_digest: &str) -> Result<Option<SessionRow>, AccessError> {
        Ok(self
            .conn
            .query_row(
                "SELECT user_name, token_id, csrf, created_us, last_seen_us FROM sessions
                 WHERE id_digest = ?1",
                [id_digest],
                |r| {
                    Ok(SessionRow {
                        user: r.get(0)?,
                        token_id: r.get(1)?,
                        csrf: r.get(2)?,
                        created_us: r.get(3)?,
                        last_seen_us: r.get(4)?,
                    })
                },
            )
            .optional()?)
    }

    fn touch_session(&self, id_digest: &str, now_us: i64) -> Result<(), AccessError> {
        self.conn.execute(
            "UPDATE sessions SET last_seen_us = ?2 WHERE id_digest = ?1 AND last_seen_us < ?2",
            params![id_digest, now_us],
        )?;
        Ok(())
    }

    fn delete_session(&self, id_digest: &str) -> Result<bool, AccessError> {
        Ok(self
            .conn
            .execute("DELETE FROM sessions WHERE id_digest = ?1", [id_digest])?
            > 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access_db::exists;

    #[test]
    fn creates_once_upgrades_and_refuses_newer() {
        let d = tempfile::tempdir().unwrap();
        assert!(!exists(d.path()));
        let s = SqliteAccess::open(d.path()).unwrap();
        drop(s);
        assert!(exists(d.path()));
        // Opening again keeps the tables.
        let s = SqliteAccess::open(d.path()).unwrap();
        assert!(!s.has_users().unwrap());
        // A version 1 file (before sessions) gains the sessions table.
        s.conn.execute_batch("DROP TABLE sessions").unwrap();
        s.conn.pragma_update(None, "user_version", 1).unwrap();
        drop(s);
        let s = SqliteAccess::open(d.path()).unwrap();
        assert_eq!(s.session("x").unwrap(), None);
        s.conn.pragma_update(None, "user_version", 99).unwrap();
        drop(s);
        assert!(matches!(
            SqliteAccess::open(d.path()),
            Err(AccessError::SchemaVersion { found: 99, .. })
        ));
    }

    #[test]
    fn missing_directory_is_an_error() {
        let d = tempfile::tempdir().unwrap();
        let gone = d.path().join("nope");
        assert!(matches!(
            SqliteAccess::open(&gone),
            Err(AccessError::NoDirectory(_))
        ));
        assert!(!gone.exists());
    }
}
