//! The administrator's handle on an archive: ingest, removal, verification, the
//! declassification policy and official releases. It writes the archive and reads
//! no record: what a person reads goes through a [`crate::Session`].
//!
//! Who may hold it: whoever has file-system access to the archive (the CLI: file
//! access is full access anyway), and the server on behalf of a curator (uploads).

use std::path::{Path, PathBuf};

use cablescope_archive::backup::{BackupReport, RestoreReport};
use cablescope_archive::ingest::{IngestOptions, Progress};
use cablescope_archive::integrity::RepairReport;
use cablescope_archive::query::{IdPattern, Query};
use cablescope_archive::{
    Archive, Error, Released, Removed, Result, Scope, SearchOptions, VerifyReport,
};

use crate::access_db::AccessLocation;
use crate::audit::{AuditEntry, Auditor};
use crate::declass::DeclassPolicy;
use crate::files;
use crate::session::archive_exists;
use crate::transfer::Transfer;
use crate::viewer::Viewer;
use cablescope_archive::migrate::MigrateReport;
use cablescope_archive::{AnyStore, StoreLocation};

/// An archive opened for writing.
pub struct Admin {
    archive: Archive,
}

impl std::fmt::Debug for Admin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Admin")
            .field("dir", &self.archive.dir())
            .finish_non_exhaustive()
    }
}

impl Admin {
    /// Opens the archive in `dir` for writing, creating it when absent. The process
    /// umask becomes `077` first, and a new archive is made private to its owner
    /// (directory `0700`, files `0600`; see [`crate::files`]).
    pub fn open(dir: impl AsRef<Path>) -> Result<Admin> {
        Admin::open_on(dir, &StoreLocation::Embedded)
    }

    /// [`Admin::open`] for a store at `location` (with a shared database, `dir`
    /// holds this node's index, users and audit log).
    pub fn open_on(dir: impl AsRef<Path>, location: &StoreLocation) -> Result<Admin> {
        let dir = dir.as_ref();
        files::private_umask();
        let fresh = if location.is_shared() {
            !dir.is_dir()
        } else {
            !archive_exists(dir)
        };
        if fresh {
            files::create_private_dir(dir)?;
        }
        let archive = Archive::open_on(dir, location)?;
        if fresh {
            files::make_private(dir)?;
        }
        Ok(Admin { archive })
    }

    /// Opens an existing archive for writing (an absent one is an error: nothing
    /// is created where a typo points).
    pub fn open_existing(dir: impl AsRef<Path>) -> Result<Admin> {
        let dir = dir.as_ref();
        if !archive_exists(dir) {
            return Err(Error::NotFound(format!("no archive at {}", dir.display())));
        }
        Admin::open(dir)
    }

    /// Opens an existing archive without taking the index writer (for checks such
    /// as [`Admin::verify`] while an ingest runs: the cables committed so far are
    /// seen).
    pub fn open_read_only(dir: impl AsRef<Path>) -> Result<Admin> {
        Admin::open_read_only_on(dir, &StoreLocation::Embedded)
    }

    /// [`Admin::open_read_only`] for a store at `location`.
    pub fn open_read_only_on(dir: impl AsRef<Path>, location: &StoreLocation) -> Result<Admin> {
        let dir = dir.as_ref();
        if !location.is_shared() && !archive_exists(dir) {
            return Err(Error::NotFound(format!("no archive at {}", dir.display())));
        }
        Ok(Admin {
            archive: Archive::open_for_reading_on(dir, location)?,
        })
    }

    /// The archive directory.
    pub fn dir(&self) -> &Path {
        self.archive.dir()
    }

    /// Ingests files, folders and archives (see `cablescope_archive::ingest`).
    pub fn ingest(
        &mut self,
        paths: &[PathBuf],
        opts: &IngestOptions,
        progress: &mut dyn FnMut(&Progress),
    ) -> Result<Progress> {
        self.archive.ingest(paths, opts, progress)
    }

    /// Reads again the inputs that failed before.
    pub fn retry_failed(
        &mut self,
        opts: &IngestOptions,
        progress: &mut dyn FnMut(&Progress),
    ) -> Result<Progress> {
        self.archive.retry_failed(opts, progress)
    }

    /// Releases the index writer lock (other processes may then write).
    pub fn close_writer(&mut self) {
        self.archive.close_writer();
    }

    /// How many cables the archive holds.
    pub fn cable_count(&self) -> Result<u64> {
        use cablescope_archive::Store;
        self.archive.store().count()
    }

    /// The canonical id of the cable a loosely written id names (`MOSCOW 1599`
    /// when exactly one cable has it), over the whole archive; else the id as
    /// canonicalised. An id without a year naming several cables is an error.
    pub fn resolve_id(&self, written: &str) -> Result<String> {
        let Some(p) = IdPattern::parse(written) else {
            return Ok(written.trim().to_string());
        };
        if let Some(c) = p.canonical() {
            if let Some(("id", v)) = cablescope_archive::index::norm::id_terms(&c) {
                return Ok(v);
            }
            return Ok(c);
        }
        let r = self.archive.search_query(
            &Query::Id(p.clone()),
            &SearchOptions {
                limit: 2,
                ..SearchOptions::new(Scope::unrestricted())
            },
        )?;
        match r.hits.as_slice() {
            [one] => Ok(one.id.clone()),
            [] => Ok(p.without_year()),
            more => Err(Error::Other(format!(
                "{written} names {} cables; add the year (e.g. {})",
                r.total, more[0].id
            ))),
        }
    }

    /// Takes a cable out (a takedown; re-ingesting its files does not bring it
    /// back).
    pub fn remove_id(&mut self, id: &str) -> Result<Removed> {
        self.archive.remove_id(id)
    }

    /// Takes out every copy read from `path`.
    pub fn remove_source(&mut self, path: &str) -> Result<Removed> {
        self.archive.remove_source(path)
    }

    /// Declares every stored copy read from `path` an official release (a
    /// declassified or FOIA copy, which then governs the markings of what it holds
    /// when copies merge), or takes the declaration back (`official: false`), and
    /// merges the cables again. `by` is audited first (a change that cannot be
    /// recorded is not made) when the archive has users.
    pub fn release_copy(
        &mut self,
        path: &str,
        official: bool,
        by: &Viewer,
        auditor: &Auditor,
    ) -> Result<Released> {
        let what = format!(
            "{} {path}",
            if official {
                "official release"
            } else {
                "no longer an official release"
            }
        );
        auditor
            .record_read(&AuditEntry::for_viewer(by, "release_copy", &what))
            .map_err(|e| Error::Other(format!("cannot write the audit log: {e}")))?;
        self.archive.set_official_release(path, official)
    }

    /// Checks that store and index agree.
    pub fn verify(&self) -> Result<VerifyReport> {
        self.archive.verify()
    }

    /// Checks the archive in `dir` without opening it first: every index file
    /// against tantivy's checksums (a damaged index is named file by file and not
    /// opened), then store ⇄ index agreement and the store's own checks
    /// (`cablescope verify`; see `cablescope_archive::integrity::verify_dir`).
    pub fn verify_dir(dir: impl AsRef<Path>) -> Result<VerifyReport> {
        Admin::verify_dir_on(dir, &StoreLocation::Embedded)
    }

    /// [`Admin::verify_dir`] for a store at `location`.
    pub fn verify_dir_on(dir: impl AsRef<Path>, location: &StoreLocation) -> Result<VerifyReport> {
        cablescope_archive::integrity::verify_dir_on(dir.as_ref(), location)
    }

    /// Rebuilds the index of the archive in `dir` from its store (the system of
    /// record), beside the old one, then swaps it in (`cablescope repair`; see
    /// `cablescope_archive::integrity::repair`). Refused while an ingest writes.
    pub fn repair(dir: impl AsRef<Path>) -> Result<RepairReport> {
        Admin::repair_on(dir, &StoreLocation::Embedded)
    }

    /// [`Admin::repair`] for a store at `location` (a node of a shared database
    /// rebuilds its index from the database).
    pub fn repair_on(dir: impl AsRef<Path>, location: &StoreLocation) -> Result<RepairReport> {
        files::private_umask();
        cablescope_archive::integrity::repair_on(dir.as_ref(), location)
    }

    /// Copies the store of one archive into another, empty one, either way
    /// between the embedded form (`dir` with `StoreLocation::Embedded`) and a
    /// PostgreSQL database (`cablescope migrate`; see
    /// `cablescope_archive::migrate`). An embedded destination is created private
    /// to its owner and indexed at once, then verified; a database destination
    /// is indexed by each node that serves it. Users and the audit log move with
    /// the store ([`crate::transfer`]; `audit_key`: the log's key file when not
    /// in the source directory); what would refuse them is checked before
    /// anything is written.
    pub fn migrate(
        from: (&Path, &StoreLocation),
        to: (&Path, &StoreLocation),
        audit_key: Option<&Path>,
        progress: &mut dyn FnMut(u64, u64),
    ) -> Result<(MigrateReport, Option<VerifyReport>, Transfer)> {
        if !from.1.is_shared() && !archive_exists(from.0) {
            return Err(Error::NotFound(format!(
                "no archive at {}",
                from.0.display()
            )));
        }
        files::private_umask();
        if !to.1.is_shared() && archive_exists(to.0) {
            return Err(Error::Other(format!(
                "{} already holds an archive; migrate into a new folder",
                to.0.display()
            )));
        }
        let (access_from, access_to) = (
            AccessLocation::beside(from.0, from.1),
            AccessLocation::beside(to.0, to.1),
        );
        let access_err = |e: crate::users::AccessError| {
            Error::Other(format!("cannot move the users and the audit log: {e}"))
        };
        crate::transfer::check(&access_from, &access_to, audit_key).map_err(access_err)?;
        if !to.1.is_shared() {
            files::create_private_dir(to.0)?;
        }
        let source = AnyStore::open(from.0, from.1)?;
        let mut dest = AnyStore::open(to.0, to.1)?;
        let report = cablescope_archive::migrate::migrate(&source, &mut dest, progress)?;
        drop(dest);
        let verify = if to.1.is_shared() {
            None
        } else {
            files::make_private(to.0)?;
            Some(Archive::open(to.0)?.verify()?)
        };
        let moved =
            crate::transfer::transfer(&access_from, &access_to, audit_key).map_err(access_err)?;
        Ok((report, verify, moved))
    }

    /// Takes a consistent copy of the archive in `dir` into the new folder `dest`
    /// while readers and an ingest may run (`cablescope backup`; see
    /// `cablescope_archive::backup`).
    pub fn backup(dir: impl AsRef<Path>, dest: impl AsRef<Path>) -> Result<BackupReport> {
        files::private_umask();
        cablescope_archive::backup::backup(dir.as_ref(), dest.as_ref())
    }

    /// Makes the new archive `dest` from the backup `from`, catches its index up
    /// with its store and verifies it (`cablescope restore`).
    pub fn restore(from: impl AsRef<Path>, dest: impl AsRef<Path>) -> Result<RestoreReport> {
        files::private_umask();
        cablescope_archive::backup::restore(from.as_ref(), dest.as_ref())
    }

    /// The declassification policy.
    pub fn declass_policy(&self) -> Result<DeclassPolicy> {
        self.archive.declass_policy()
    }

    /// Stores a new declassification policy, set by `by` and audited first (a
    /// change that cannot be recorded is not made) when the archive has users.
    pub fn set_declass_policy(
        &mut self,
        policy: &DeclassPolicy,
        by: &Viewer,
        auditor: &Auditor,
    ) -> Result<()> {
        let exempt = if policy.exempt.is_empty() {
            "none".to_string()
        } else {
            policy.exempt.iter().cloned().collect::<Vec<_>>().join(",")
        };
        let what = format!(
            "declassification: {}; exempt from the 25-year rule: {exempt}",
            if policy.enabled { "on" } else { "off" }
        );
        auditor
            .record_read(&AuditEntry::for_viewer(by, "declass", &what))
            .map_err(|e| Error::Other(format!("cannot write the audit log: {e}")))?;
        self.archive.set_declass_policy(policy)
    }
}
