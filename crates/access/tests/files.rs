//! The archive's files are private to their owner: a new archive's directory is
//! `0700` and every file `0600` (store, index segments, `access.db`), and an
//! archive readable by others is reported.

#![cfg(unix)]

use std::os::unix::fs::PermissionsExt;
use std::path::Path;

use cablescope_access::files::exposure;
use cablescope_access::users::Users;
use cablescope_access::{Admin, Clearance, IngestOptions, Role};
use cablescope_testkit::{write, Telegram};

fn mode(p: &Path) -> u32 {
    std::fs::symlink_metadata(p).unwrap().permissions().mode() & 0o777
}

/// Every path under `dir` with its mode.
fn walk(dir: &Path, out: &mut Vec<(String, u32)>) {
    out.push((dir.display().to_string(), mode(dir)));
    for e in std::fs::read_dir(dir).unwrap() {
        let e = e.unwrap();
        if e.file_type().unwrap().is_dir() {
            walk(&e.path(), out);
        } else {
            out.push((e.path().display().to_string(), mode(&e.path())));
        }
    }
}

#[test]
fn a_new_archive_is_private_to_its_owner() {
    let tmp = tempfile::tempdir().unwrap();
    // A world-readable parent, as temporary and home directories often are.
    std::fs::set_permissions(tmp.path(), std::fs::Permissions::from_mode(0o755)).unwrap();
    let src = tmp.path().join("src");
    write(
        &src,
        "a.txt",
        Telegram::new("PARIS", 1)
            .class("SECRET")
            .para("S", "Secret words.")
            .text(),
    );
    let dir = tmp.path().join("archive");
    let mut a = Admin::open(&dir).unwrap();
    a.ingest(&[src], &IngestOptions::default(), &mut |_| {})
        .unwrap();
    a.close_writer();
    drop(a);
    Users::open(&dir)
        .unwrap()
        .add("root", &Clearance::all(), Role::Admin, None)
        .unwrap();
    let mut all = Vec::new();
    walk(&dir, &mut all);
    assert!(all.len() > 5, "{all:?}");
    assert!(all.iter().any(|(p, _)| p.ends_with("access.db")));
    assert!(all.iter().any(|(p, _)| p.contains("/index/")));
    for (p, m) in &all {
        let want = if Path::new(p).is_dir() { 0o700 } else { 0o600 };
        assert_eq!(*m, want, "{p} is {m:o}");
    }
    assert_eq!(exposure(&dir), None);
}

#[test]
fn an_archive_readable_by_others_is_reported() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("archive");
    drop(Admin::open(&dir).unwrap());
    assert_eq!(exposure(&dir), None);
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
    let w = exposure(&dir).expect("a warning");
    assert!(w.contains("file access is full access"), "{w}");
    assert!(w.contains("chmod -R go-rwx"), "{w}");
    // A file alone readable by the group counts too.
    std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o700)).unwrap();
    let db = dir.join("archive.sqlite3");
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o640)).unwrap();
    assert!(exposure(&dir)
        .expect("a warning")
        .contains("archive.sqlite3"));
}
