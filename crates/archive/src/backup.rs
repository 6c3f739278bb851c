//! Online backup and restore of an archive.
//!
//! [`backup`] takes a consistent copy of an archive while readers (a server) and a
//! writer (an ingest) use it; [`restore`] makes a working archive of such a copy.
//! A backup is itself an archive folder (`cablescope --archive BACKUP` reads it),
//! made private to its owner like any archive.
//!
//! How the copy stays consistent without stopping anyone:
//!
//! * **The index first, at one commit.** Segment files never change once written;
//!   only `meta.json` names which ones make the last commit. The copy reads
//!   `meta.json`, copies the files it names, writes that `meta.json` last and
//!   checksums the copy ([`crate::integrity::check_index`]). When an ingest
//!   committed and tantivy's garbage collector deleted a file in between, the copy
//!   starts again from the new `meta.json` (a few attempts; after that the backup
//!   holds no index and the restore rebuilds it from the store).
//! * **The store second, by SQLite's own snapshot.** `VACUUM INTO` writes the
//!   database as one read transaction sees it (the same guarantee as SQLite's
//!   online-backup API, in one statement, compacted), so a commit in progress is
//!   either wholly in the copy or not at all. The users and audit database
//!   (`access.db`) is copied the same way.
//!
//! The index is copied before the store, so the copied index never holds a
//! change the copied store lacks: its commit is at or behind the store's change
//! sequence, and opening the archive ([`crate::Archive::open`], which [`restore`]
//! does) applies the changes in between. The kept uploads (`uploads/`, files
//! written once) are copied as they are.

use std::path::{Path, PathBuf};

use crate::archive::{Archive, VerifyReport};
use crate::error::{Error, Result};
use crate::index::{INDEX_DIR, INDEX_VERSION_FILE};
use crate::integrity::{check_index, Depth};
use crate::store::DB_FILE;

/// The users and audit database of an archive (written by `cablescope-access`).
const ACCESS_DB: &str = "access.db";
/// The kept uploads of an archive.
const UPLOADS_DIR: &str = "uploads";
/// The audit log's key (`cablescope_access::audit::KEY_FILE`, named here because
/// this crate sits below the access crate): without it a restored log's keyed
/// chain cannot be verified. Copied before `access.db`, so the snapshot's entries
/// are always covered by the key copied.
const AUDIT_KEY: &str = "audit.key";
/// Attempts at copying the index at one commit before giving up on it.
const INDEX_ATTEMPTS: usize = 5;

/// What [`backup`] copied.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct BackupReport {
    /// The backup folder.
    pub dest: PathBuf,
    /// Cables in the copied store.
    pub cables: u64,
    /// The change sequence of the copied store.
    pub store_seq: u64,
    /// The change sequence of the copied index's commit (at or behind
    /// `store_seq`), or `None` when no consistent copy of the index could be
    /// taken (the restore then rebuilds it from the store).
    pub index_seq: Option<u64>,
    /// Attempts the index copy took (more than one when an ingest committed
    /// during the copy).
    pub index_attempts: usize,
    /// Bytes written.
    pub bytes: u64,
}

/// What [`restore`] made.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct RestoreReport {
    /// The restored archive.
    pub dest: PathBuf,
    /// Store changes applied to the index after the copy (those the backup's
    /// store held beyond its index's commit; all of them when the backup held no
    /// index).
    pub reindexed: u64,
    /// The check of the restored archive.
    pub verify: VerifyReport,
}

/// Copies the archive in `dir` into `dest`, which must not exist yet (see the
/// module docs for how the copy stays consistent while others read and write).
/// The copy is built in a hidden folder beside `dest` and renamed into place, so
/// `dest` either holds a whole backup or does not exist.
pub fn backup(dir: &Path, dest: &Path) -> Result<BackupReport> {
    if !dir.join(DB_FILE).is_file() {
        return Err(Error::NotFound(format!("no archive at {}", dir.display())));
    }
    let work = partial_dir(dest)?;
    let result = (|| -> Result<BackupReport> {
        let mut bytes = 0;
        let (index_seq, index_attempts) =
            match copy_index(&dir.join(INDEX_DIR), &work.join(INDEX_DIR), &mut bytes)? {
                Some((seq, attempts)) => (Some(seq), attempts),
                None => {
                    remove_if_exists(&work.join(INDEX_DIR))?;
                    (None, INDEX_ATTEMPTS)
                }
            };
        let (cables, store_seq) = {
            let conn = snapshot(&dir.join(DB_FILE), &work.join(DB_FILE))?;
            let cables: i64 = conn.query_row("SELECT count(*) FROM cables", [], |r| r.get(0))?;
            let seq: Option<String> = conn
                .query_row("SELECT value FROM meta WHERE key='next_seq'", [], |r| {
                    r.get(0)
                })
                .ok();
            let next = seq.and_then(|s| s.parse::<u64>().ok()).unwrap_or(1);
            (cables as u64, next.saturating_sub(1))
        };
        bytes += std::fs::metadata(work.join(DB_FILE))?.len();
        if dir.join(AUDIT_KEY).is_file() {
            // `fs::copy` keeps the key's 0600 mode.
            bytes += std::fs::copy(dir.join(AUDIT_KEY), work.join(AUDIT_KEY))?;
        }
        if dir.join(ACCESS_DB).is_file() {
            snapshot(&dir.join(ACCESS_DB), &work.join(ACCESS_DB))?;
            bytes += std::fs::metadata(work.join(ACCESS_DB))?.len();
        }
        if dir.join(UPLOADS_DIR).is_dir() {
            bytes += copy_tree(&dir.join(UPLOADS_DIR), &work.join(UPLOADS_DIR))?;
        }
        Ok(BackupReport {
            dest: dest.to_path_buf(),
            cables,
            store_seq,
            index_seq,
            index_attempts,
            bytes,
        })
    })();
    finish(&work, dest, result)
}

/// Makes the archive `dest` (which must not exist yet) from the backup `from`:
/// copies it, opens it (which catches the index up with the store, or rebuilds
/// an index the backup lacks) and verifies it in full.
pub fn restore(from: &Path, dest: &Path) -> Result<RestoreReport> {
    if !from.join(DB_FILE).is_file() {
        return Err(Error::NotFound(format!("no backup at {}", from.display())));
    }
    let work = partial_dir(dest)?;
    let result = (|| -> Result<()> {
        copy_tree(from, &work)?;
        Ok(())
    })();
    finish(&work, dest, result)?;
    let reindexed = {
        let store = crate::store::SqliteStore::open(dest)?;
        let index = crate::index::TantivyIndex::open(dest)?;
        let mut a = Archive::from_parts(dest.to_path_buf(), store, index);
        let applied = a.sync_index()?;
        a.close_writer();
        applied
    };
    let verify = crate::integrity::verify_dir(dest)?;
    Ok(RestoreReport {
        dest: dest.to_path_buf(),
        reindexed,
        verify,
    })
}

/// The hidden folder a backup or restore into `dest` is built in (created,
/// private), after checking that `dest` does not exist.
fn partial_dir(dest: &Path) -> Result<PathBuf> {
    if dest.exists() {
        return Err(Error::Other(format!(
            "{} exists already: name a new folder",
            dest.display()
        )));
    }
    let name = dest
        .file_name()
        .ok_or_else(|| Error::Other(format!("{} names no folder", dest.display())))?
        .to_string_lossy()
        .into_owned();
    let parent = match dest.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    if !parent.is_dir() {
        return Err(Error::NotFound(format!(
            "the folder {} does not exist",
            parent.display()
        )));
    }
    let work = parent.join(format!(".{name}.partial-{}", std::process::id()));
    remove_if_exists(&work)?;
    private_dir(&work)?;
    Ok(work)
}

/// Renames the finished `work` folder to `dest`, or removes it when `result`
/// failed.
fn finish<T>(work: &Path, dest: &Path, result: Result<T>) -> Result<T> {
    match result {
        Ok(v) => {
            std::fs::rename(work, dest)?;
            if let Some(parent) = dest.parent() {
                crate::integrity::sync_dir(parent);
            }
            Ok(v)
        }
        Err(e) => {
            let _ = std::fs::remove_dir_all(work);
            Err(e)
        }
    }
}

/// Copies the index in `from` at one commit into `to` (see the module docs).
/// Returns the commit's change sequence and the attempts taken, or `None` when
/// every attempt met a commit in progress.
fn copy_index(from: &Path, to: &Path, bytes: &mut u64) -> Result<Option<(u64, usize)>> {
    if !from.join("meta.json").is_file() {
        return Ok(None);
    }
    for attempt in 1..=INDEX_ATTEMPTS {
        remove_if_exists(to)?;
        private_dir(to)?;
        let meta = std::fs::read(from.join("meta.json"))?;
        let Some(files) = serde_json::from_slice::<serde_json::Value>(&meta)
            .ok()
            .as_ref()
            .and_then(crate::integrity::segment_files)
        else {
            // A damaged index is not worth backing up: the store rebuilds it.
            return Ok(None);
        };
        let mut copied = 0;
        let mut vanished = false;
        for file in files.iter().flatten() {
            match std::fs::copy(from.join(file), to.join(file)) {
                Ok(n) => copied += n,
                // Deleted by a commit's garbage collection: start again.
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    vanished = true;
                    break;
                }
                Err(e) => return Err(e.into()),
            }
        }
        if vanished {
            continue;
        }
        if let Ok(v) = std::fs::read(from.join(INDEX_VERSION_FILE)) {
            std::fs::write(to.join(INDEX_VERSION_FILE), v)?;
        }
        // tantivy's own list of the files it wrote: this commit's, nothing else.
        let mut managed: Vec<&str> = files.iter().flatten().map(String::as_str).collect();
        managed.push("meta.json");
        std::fs::write(to.join(".managed.json"), serde_json::to_vec(&managed)?)?;
        std::fs::write(to.join("meta.json"), &meta)?;
        let health = check_index(to, Depth::Full);
        if let (true, Some(seq)) = (health.ok(), health.committed_seq) {
            sync_tree(to)?;
            *bytes += copied + meta.len() as u64;
            return Ok(Some((seq, attempt)));
        }
        // A file rewritten under the same name (never by tantivy) or read while
        // half-written: try again.
    }
    Ok(None)
}

/// Writes the SQLite database `from` as one read transaction sees it into the new
/// file `to` (`VACUUM INTO`), and returns a connection to the copy.
fn snapshot(from: &Path, to: &Path) -> Result<rusqlite::Connection> {
    let src = rusqlite::Connection::open_with_flags(
        from,
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    // A writer's commit holds the database for a moment; wait for it.
    src.busy_timeout(std::time::Duration::from_secs(30))?;
    let target = to
        .to_str()
        .ok_or_else(|| Error::Other(format!("{} is not UTF-8", to.display())))?;
    src.execute("VACUUM INTO ?1", [target])?;
    drop(src);
    std::fs::File::open(to)?.sync_all()?;
    Ok(rusqlite::Connection::open(to)?)
}

/// Copies the folder `from` into `to` (created), files and folders, leaving out
/// tantivy's lock files and SQLite's side files of a live database. Returns the
/// bytes copied.
fn copy_tree(from: &Path, to: &Path) -> Result<u64> {
    if !to.exists() {
        private_dir(to)?;
    }
    let mut bytes = 0;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let name = entry.file_name();
        let name_s = name.to_string_lossy();
        if name_s.ends_with(".lock") || name_s.ends_with("-shm") {
            continue;
        }
        let kind = entry.file_type()?;
        if kind.is_dir() {
            bytes += copy_tree(&entry.path(), &to.join(&name))?;
        } else if kind.is_file() {
            bytes += std::fs::copy(entry.path(), to.join(&name))?;
            std::fs::File::open(to.join(&name))?.sync_all()?;
        }
    }
    crate::integrity::sync_dir(to);
    Ok(bytes)
}

/// Makes every file in `dir` durable.
fn sync_tree(dir: &Path) -> Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        if entry.file_type()?.is_file() {
            std::fs::File::open(entry.path())?.sync_all()?;
        }
    }
    crate::integrity::sync_dir(dir);
    Ok(())
}

/// Creates the folder `dir`, private to its owner.
fn private_dir(dir: &Path) -> Result<()> {
    let mut b = std::fs::DirBuilder::new();
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut b, 0o700);
    b.create(dir)?;
    Ok(())
}

fn remove_if_exists(dir: &Path) -> Result<()> {
    match std::fs::remove_dir_all(dir) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e.into()),
        _ => Ok(()),
    }
}
