//! Moving an archive's users and audit log between `access.db` and a shared
//! database (`cablescope migrate`, beside the move of the cable store).
//!
//! Rows move as they are: token digests (tokens keep working), and audit entries
//! with their seqs and hashes, so the chain verifies in its new place with the
//! same key and a head hash anchored before the move is still found in it.
//! Sessions do not move (everyone signs in again).
//!
//! The audit key is a file on the machines, never a row: into a folder it is
//! copied beside the new `access.db`; into a database its fingerprint is recorded
//! and the file stays where it was, to be copied to each node (see
//! [`crate::audit`]).

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::access_db::{self, AccessError, AccessLocation, KeyRecord};
use crate::audit::{AuditKey, AuditLog, AuditReport, KEY_FILE};

/// What [`transfer`] moved.
#[derive(Debug, Clone, Serialize)]
pub struct Transfer {
    /// Users moved (revoked and expired ones included).
    pub users: u64,
    /// Audit entries moved.
    pub audit_entries: u64,
    /// The audit key file the moved chain is checked with (`None`: unkeyed log).
    pub key_file: Option<PathBuf>,
    /// The moved chain, verified in its new place.
    pub audit: Option<AuditReport>,
}

/// The key file of the log at `from`: `key_file` when given, else the one in its
/// directory; refused when the log is keyed and no key is found.
fn source_key(
    from: &AccessLocation,
    key_file: Option<&Path>,
) -> Result<Option<(PathBuf, AuditKey)>, AccessError> {
    let path = key_file
        .map(Path::to_path_buf)
        .unwrap_or_else(|| from.dir().join(KEY_FILE));
    let key = AuditKey::load_file(&path)?;
    let db = access_db::open(from)?;
    let recorded = db.audit_key()?;
    match (key, recorded) {
        (Some(k), Some(r)) if r.fingerprint != k.fingerprint() => {
            Err(AccessError::KeyMismatch(format!(
                "{} is not the key the audit log of {} is written with",
                path.display(),
                from.describe()
            )))
        }
        (Some(k), _) => Ok(Some((path, k))),
        (None, Some(_)) => Err(AccessError::KeyMismatch(format!(
            "the audit log of {} is keyed: name its key file with --audit-key FILE",
            from.describe()
        ))),
        (None, None) => Ok(None),
    }
}

/// Checks that [`transfer`] can run (before anything is written): the source's
/// audit key is at hand when its log is keyed, and the destination has no users
/// and no audit entries.
pub fn check(
    from: &AccessLocation,
    to: &AccessLocation,
    key_file: Option<&Path>,
) -> Result<(), AccessError> {
    if !access_db::exists(from) {
        return Ok(());
    }
    source_key(from, key_file)?;
    if access_db::exists(to) {
        let dst = access_db::open(to)?;
        if dst.has_users()? || dst.last_audit_seq()? > 0 {
            return Err(AccessError::NotEmpty(format!(
                "{} already has users or an audit log; move into an empty one",
                to.describe()
            )));
        }
    }
    Ok(())
}

/// Moves the users and the audit log of `from` into `to` (which must have
/// none), then verifies the chain there. `key_file`: the audit key, when not in
/// `from`'s directory.
pub fn transfer(
    from: &AccessLocation,
    to: &AccessLocation,
    key_file: Option<&Path>,
) -> Result<Transfer, AccessError> {
    let mut out = Transfer {
        users: 0,
        audit_entries: 0,
        key_file: None,
        audit: None,
    };
    if !access_db::exists(from) {
        return Ok(out);
    }
    check(from, to, key_file)?;
    let key = source_key(from, key_file)?;
    let src = access_db::open(from)?;
    let dst = access_db::open(to)?;
    // Where the moved chain's key lives from now on, for the check below.
    let mut verify_at = to.clone();
    if let Some((path, k)) = &key {
        if to.is_shared() {
            dst.record_audit_key(&KeyRecord {
                fingerprint: k.fingerprint(),
                keyed_from: k.keyed_from,
            })?;
            let dir = path.parent().unwrap_or(Path::new("."));
            verify_at = AccessLocation::beside(
                dir,
                &cablescope_archive::StoreLocation::Postgres(
                    to.database().unwrap_or_default().to_string(),
                ),
            );
            out.key_file = Some(path.clone());
        } else {
            let dest = to.dir().join(KEY_FILE);
            if !dest.exists() {
                copy_private(path, &dest)?;
            }
            out.key_file = Some(dest);
        }
    }
    for u in src.users()? {
        if !dst.insert_user(&u)? {
            return Err(AccessError::NotEmpty(format!(
                "{} already has a user named {}",
                to.describe(),
                u.name
            )));
        }
        out.users += 1;
    }
    let mut rows = Vec::new();
    let head = src.scan_audit(&mut |r| {
        rows.push(r);
        Ok(())
    })?;
    dst.import_audit(&rows, head.as_ref())?;
    out.audit_entries = rows.len() as u64;
    drop(dst);
    out.audit = Some(AuditLog::open(&verify_at)?.verify()?);
    Ok(out)
}

/// Copies the key file `from` to `to`, created 0600.
fn copy_private(from: &Path, to: &Path) -> Result<(), AccessError> {
    let damaged = |e: std::io::Error| {
        AccessError::Damaged(format!(
            "cannot copy the audit key to {}: {e}",
            to.display()
        ))
    };
    let bytes = std::fs::read(from).map_err(damaged)?;
    let mut o = std::fs::OpenOptions::new();
    o.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(0o600);
    }
    use std::io::Write;
    let mut f = o.open(to).map_err(damaged)?;
    f.write_all(&bytes).map_err(damaged)?;
    f.sync_all().map_err(damaged)
}
