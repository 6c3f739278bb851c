//! The archive's files on disk. **File access is full access**: whoever can read
//! the archive directory can copy the store and read every cable unredacted as an
//! open archive, and whoever can write it can add users or rewrite the audit log.
//! So the archive is made private to its owner: a new archive directory is
//! created `0700` and its files `0600` (the process umask is set to `077` where an
//! archive is opened for writing, since tantivy and SQLite create files of their
//! own), and [`exposure`] tells the front ends to warn when an archive is readable
//! by group or others.

use std::path::Path;

/// Sets the process umask to `077`, so that every file and directory created from
/// now on (store, index segments, `access.db`, uploads) is private to the owner.
/// Process-wide, and idempotent.
pub fn private_umask() {
    #[cfg(unix)]
    {
        use rustix::fs::Mode;
        rustix::process::umask(Mode::from_raw_mode(0o077));
    }
}

/// Creates `dir` (and its parents) if absent, the directory itself `0700`.
pub fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    std::fs::create_dir_all(dir)?;
    restrict(dir)
}

/// Makes `path` private to its owner: `0700` for a directory, `0600` for a file.
fn restrict(path: &Path) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = if path.is_dir() { 0o700 } else { 0o600 };
        std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))?;
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

/// Makes the archive in `dir` private to its owner: the directory and every
/// directory below it `0700`, every file `0600` (symbolic links are left alone).
pub fn make_private(dir: &Path) -> std::io::Result<()> {
    restrict(dir)?;
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let t = entry.file_type()?;
        if t.is_dir() {
            make_private(&entry.path())?;
        } else if t.is_file() {
            restrict(&entry.path())?;
        }
    }
    Ok(())
}

/// What of the archive in `dir` group or other users may read or enter (the
/// directory, its files, the index folder and its files, `access.db`, uploads),
/// as a warning for people; `None` when it is private (or not a Unix system).
pub fn exposure(dir: &Path) -> Option<String> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let open = |p: &Path| {
            std::fs::symlink_metadata(p)
                .map(|m| m.permissions().mode() & 0o077 != 0)
                .unwrap_or(false)
        };
        let mut found: Vec<String> = Vec::new();
        if open(dir) {
            found.push(dir.display().to_string());
        }
        let mut look = |d: &Path| {
            if let Ok(entries) = std::fs::read_dir(d) {
                for e in entries.flatten() {
                    let p = e.path();
                    if open(&p) {
                        found.push(p.display().to_string());
                    }
                }
            }
        };
        look(dir);
        look(&dir.join(cablescope_archive::index::INDEX_DIR));
        if found.is_empty() {
            return None;
        }
        let more = if found.len() > 3 {
            format!(" and {} more", found.len() - 3)
        } else {
            String::new()
        };
        found.truncate(3);
        Some(format!(
            "the archive {} is readable by other users ({}{more}): file access is full access \
             (anyone who can read it can copy the store and read every cable unredacted); \
             run `chmod -R go-rwx {}`",
            dir.display(),
            found.join(", "),
            dir.display()
        ))
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
        None
    }
}
