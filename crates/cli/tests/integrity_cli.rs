//! `cablescope verify`, `repair`, `backup` and `restore` from the command line:
//! damaged index files named with exit 1, a repair that restores the same
//! answers, and a backup taken while the archive is read that restores into an
//! archive which verifies and answers the same searches.

mod common;

use std::path::{Path, PathBuf};

use cablescope_testkit::{write, Telegram};
use common::{code, hit_ids, run, stderr, stdout};
use serde_json::Value;

const QUERIES: &[&str] = &["*", "wheat", "tag:EAGR", "origin:MOSCOW", "created:2008-06"];

/// An archive of 40 cables, ingested through the CLI.
fn archive(root: &Path) -> PathBuf {
    let src = root.join("src");
    for i in 1..=40u32 {
        let t = Telegram::new(if i % 2 == 0 { "MOSCOW" } else { "PARIS" }, i)
            .tags(if i % 4 == 0 { "EAGR, ETRD" } else { "PREL, RS" })
            .subject(&format!("(U) MATTER {i}"))
            .para("U", &format!("Wheat and grain exports, note {i}."))
            .para("U", &format!("The harvest{i} was discussed."));
        write(&src, format!("c{i:02}.txt"), t.text());
    }
    let dir = root.join("archive");
    let o = run(&[
        "ingest",
        "--archive",
        dir.to_str().unwrap(),
        src.to_str().unwrap(),
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    dir
}

/// Every query's total and hit ids.
fn answers(dir: &Path) -> Vec<(u64, Vec<String>)> {
    QUERIES
        .iter()
        .map(|q| {
            let o = run(&[
                "search",
                "--archive",
                dir.to_str().unwrap(),
                q,
                "--limit",
                "100",
                "--format",
                "json",
            ]);
            assert_eq!(code(&o), 0, "{q}: {}", stderr(&o));
            let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
            (v["total"].as_u64().unwrap(), hit_ids(&v))
        })
        .collect()
}

fn largest(dir: &Path, suffix: &str) -> PathBuf {
    std::fs::read_dir(dir.join("index"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.to_string_lossy().ends_with(suffix))
        .max_by_key(|p| std::fs::metadata(p).unwrap().len())
        .unwrap()
}

fn flip(file: &Path) {
    let mut bytes = std::fs::read(file).unwrap();
    let mid = bytes.len() / 2 - 8;
    for b in &mut bytes[mid..mid + 16] {
        *b ^= 0x5A;
    }
    std::fs::write(file, bytes).unwrap();
}

#[test]
fn verify_names_each_damaged_file_and_repair_mends_it() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = archive(tmp.path());
    let d = dir.to_str().unwrap();
    let want = answers(&dir);
    assert_eq!(want[0].0, 40);
    let o = run(&["verify", "--archive", d]);
    assert_eq!(code(&o), 0, "{}{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).ends_with("ok\n"));

    for kind in [".fast", ".term", ".idx", ".store", ".pos", "meta.json"] {
        let file = largest(&dir, kind);
        let name = format!("index/{}", file.file_name().unwrap().to_string_lossy());
        flip(&file);
        let o = run(&["verify", "--archive", d]);
        assert_eq!(code(&o), 1, "{kind}: {}{}", stdout(&o), stderr(&o));
        let out = stdout(&o);
        assert!(out.contains(&format!("damaged: {name}")), "{kind}: {out}");
        assert!(out.ends_with("DAMAGED\n"), "{kind}: {out}");
        let o = run(&["verify", "--archive", d, "--format", "json"]);
        assert_eq!(code(&o), 1);
        let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
        assert_eq!(v["ok"], false);
        assert!(v["index_damage"]
            .as_array()
            .unwrap()
            .iter()
            .any(|x| x["file"] == name.as_str()));

        // Alternately `repair` and `verify --repair`.
        let o = if kind.len() % 2 == 0 {
            run(&["repair", "--archive", d])
        } else {
            run(&["verify", "--repair", "--archive", d])
        };
        assert_eq!(code(&o), 0, "{kind}: {}{}", stdout(&o), stderr(&o));
        assert!(stdout(&o).contains(&name), "{kind}: {}", stdout(&o));
        assert!(stdout(&o).ends_with("ok\n"));
        let o = run(&["verify", "--archive", d]);
        assert_eq!(code(&o), 0, "{kind}: {}", stdout(&o));
        assert_eq!(answers(&dir), want, "{kind}");
    }
}

#[test]
fn backup_while_reading_restores_an_archive_with_the_same_answers() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = archive(tmp.path());
    let want = answers(&dir);
    let backup = tmp.path().join("backup");
    // Readers run throughout the backup.
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let readers: Vec<_> = (0..2)
        .map(|_| {
            let (dir, stop) = (dir.clone(), stop.clone());
            std::thread::spawn(move || {
                let mut n = 0;
                while !stop.load(std::sync::atomic::Ordering::Relaxed) || n == 0 {
                    assert_eq!(answers(&dir)[0].0, 40);
                    n += 1;
                }
                n
            })
        })
        .collect();
    let o = run(&[
        "backup",
        "--archive",
        dir.to_str().unwrap(),
        backup.to_str().unwrap(),
        "--format",
        "json",
    ]);
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    for r in readers {
        assert!(r.join().unwrap() > 0);
    }
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["cables"], 40);
    assert_eq!(v["index_seq"], v["store_seq"]);

    // A backup is refused over an existing folder.
    let o = run(&[
        "backup",
        "--archive",
        dir.to_str().unwrap(),
        backup.to_str().unwrap(),
    ]);
    assert_eq!(code(&o), 1);
    assert!(stderr(&o).contains("exists already"), "{}", stderr(&o));

    let restored = tmp.path().join("restored");
    let o = run(&[
        "restore",
        backup.to_str().unwrap(),
        restored.to_str().unwrap(),
    ]);
    assert_eq!(code(&o), 0, "{}{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).ends_with("ok\n"));
    let o = run(&["verify", "--archive", restored.to_str().unwrap()]);
    assert_eq!(code(&o), 0, "{}", stdout(&o));
    assert_eq!(answers(&restored), want);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&backup).unwrap().permissions().mode();
        assert_eq!(mode & 0o077, 0, "backup readable by others: {mode:o}");
    }
}

#[test]
fn restore_rebuilds_an_index_the_backup_lacks() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = archive(tmp.path());
    let want = answers(&dir);
    let backup = tmp.path().join("backup");
    let o = run(&[
        "backup",
        "--archive",
        dir.to_str().unwrap(),
        backup.to_str().unwrap(),
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    std::fs::remove_dir_all(backup.join("index")).unwrap();
    let restored = tmp.path().join("restored");
    let o = run(&[
        "restore",
        backup.to_str().unwrap(),
        restored.to_str().unwrap(),
        "--format",
        "json",
    ]);
    assert_eq!(code(&o), 0, "{}{}", stdout(&o), stderr(&o));
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert!(v["reindexed"].as_u64().unwrap() >= 40, "{v}");
    assert_eq!(answers(&restored), want);
}

#[test]
fn a_restored_archive_keeps_its_users_and_a_keyed_audit_log_that_verifies() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = archive(tmp.path());
    let a = dir.to_str().unwrap();
    let o = run(&["users", "add", "reader", "--clearance", "S", "--archive", a]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let token = stdout(&o).trim().to_string();
    // Reads write keyed audit entries.
    for q in ["wheat", "tag:EAGR"] {
        let o = run(&["search", "--archive", a, "--token", &token, q]);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
    }
    assert!(dir.join("audit.key").is_file());
    let backup = tmp.path().join("backup");
    let o = run(&["backup", "--archive", a, backup.to_str().unwrap()]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let restored = tmp.path().join("restored");
    let r = restored.to_str().unwrap();
    let o = run(&["restore", backup.to_str().unwrap(), r]);
    assert_eq!(code(&o), 0, "{}{}", stdout(&o), stderr(&o));
    // Without the key the keyed chain could not be checked: it travels along,
    // private to its owner.
    let o = run(&["audit", "verify", "--archive", r]);
    assert_eq!(code(&o), 0, "{}{}", stdout(&o), stderr(&o));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(restored.join("audit.key"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o077, 0, "audit.key readable by others: {mode:o}");
    }
    // The token still works on the restored archive.
    let o = run(&["search", "--archive", r, "--token", &token, "wheat"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
}
