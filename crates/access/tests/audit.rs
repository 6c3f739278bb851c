//! The audit log: append, filter, and the hash chain catching every kind of
//! tampering done directly in SQL (edit, delete a middle row, delete the tail,
//! swap rows, rewrite with an external anchor), plus concurrent writers.

use std::path::Path;

use cablescope_access::audit::{
    parse_time_bound, AuditEntry, AuditFilter, AuditLog, BreakReason, GENESIS_HASH, KEY_FILE,
};
use cablescope_access::users::parse_clearance;
use cablescope_access::Viewer;
use jiff::{SignedDuration, Timestamp};
use rusqlite::Connection;

fn entry(i: u64, who: &str, action: &str) -> AuditEntry {
    AuditEntry {
        results: i,
        withheld: if i.is_multiple_of(2) {
            vec![format!("08MOSCOW{i} ¶3 (S/NF)")]
        } else {
            vec![]
        },
        clearance: "C+NOFORN".into(),
        ..AuditEntry::new(who, action, &format!("query {i}"))
    }
}

/// A log of `n` entries alternating between two users and actions.
fn log_with(dir: &Path, n: u64) -> AuditLog {
    let log = AuditLog::open(dir).unwrap();
    for i in 1..=n {
        let (who, action) = if i.is_multiple_of(2) {
            ("alice", "search")
        } else {
            ("bob", "read")
        };
        assert_eq!(log.record(&entry(i, who, action)).unwrap(), i);
    }
    log
}

fn sql(dir: &Path) -> Connection {
    Connection::open(dir.join("access.db")).unwrap()
}

#[test]
fn empty_log_is_intact() {
    let d = tempfile::tempdir().unwrap();
    let log = AuditLog::open(d.path()).unwrap();
    let r = log.verify().unwrap();
    assert!(r.is_ok());
    assert_eq!(r.entries, 0);
    assert_eq!(r.head_hash, GENESIS_HASH);
}

#[test]
fn append_read_back_and_verify() {
    let d = tempfile::tempdir().unwrap();
    let log = log_with(d.path(), 10);
    let r = log.verify().unwrap();
    assert!(r.is_ok(), "{r:?}");
    assert_eq!((r.entries, r.head_seq), (10, 10));
    assert_eq!(r.head_hash.len(), 64);

    let all = log.entries(&AuditFilter::default()).unwrap();
    assert_eq!(all.len(), 10);
    assert_eq!(
        all.iter().map(|e| e.seq).collect::<Vec<_>>(),
        (1..=10).collect::<Vec<_>>()
    );
    assert_eq!(all[9].hash, r.head_hash);
    assert_eq!(all[1].entry.withheld, ["08MOSCOW2 ¶3 (S/NF)"]);
    assert_eq!(all[1].entry.results, 2);
    assert_eq!(all[1].entry.clearance, "C+NOFORN");
    // Times keep their microseconds.
    let e = entry(1, "x", "y");
    let seq = log.record(&e).unwrap();
    let back = log
        .entries(&AuditFilter {
            who: Some("x".into()),
            ..AuditFilter::default()
        })
        .unwrap();
    assert_eq!(back.len(), 1);
    assert_eq!(back[0].seq, seq);
    assert_eq!(back[0].entry.at.as_microsecond(), e.at.as_microsecond());
}

#[test]
fn filters_and_limit() {
    let d = tempfile::tempdir().unwrap();
    let log = log_with(d.path(), 9);
    let alice = log
        .entries(&AuditFilter {
            who: Some("alice".into()),
            ..AuditFilter::default()
        })
        .unwrap();
    assert_eq!(
        alice.iter().map(|e| e.seq).collect::<Vec<_>>(),
        [2, 4, 6, 8]
    );
    let reads = log
        .entries(&AuditFilter {
            action: Some("read".into()),
            limit: Some(2),
            ..AuditFilter::default()
        })
        .unwrap();
    // The limit keeps the last ones, still oldest first.
    assert_eq!(reads.iter().map(|e| e.seq).collect::<Vec<_>>(), [7, 9]);

    // Time ranges: entries at fixed times.
    let t0: Timestamp = "2024-06-01T12:00:00Z".parse().unwrap();
    for (i, h) in [0i64, 24, 48].into_iter().enumerate() {
        let mut e = AuditEntry::new("carol", "export", &format!("day {i}"));
        e.at = t0 + SignedDuration::from_hours(h);
        log.record(&e).unwrap();
    }
    let carol = |since: Option<&str>, until: Option<&str>| -> Vec<String> {
        log.entries(&AuditFilter {
            who: Some("carol".into()),
            since: since.map(|s| parse_time_bound(s, false).unwrap()),
            until: until.map(|s| parse_time_bound(s, true).unwrap()),
            ..AuditFilter::default()
        })
        .unwrap()
        .into_iter()
        .map(|e| e.entry.what)
        .collect()
    };
    assert_eq!(carol(Some("2024-06-02"), None), ["day 1", "day 2"]);
    // --until of a date includes that whole day.
    assert_eq!(carol(None, Some("2024-06-02")), ["day 0", "day 1"]);
    assert_eq!(carol(Some("2024-06-02"), Some("2024-06-02")), ["day 1"]);
    assert!(carol(Some("2024-07-01"), None).is_empty());
    // Entries written out of time order do not disturb the chain.
    assert!(log.verify().unwrap().is_ok());
}

#[test]
fn viewer_entries_carry_name_and_clearance() {
    let d = tempfile::tempdir().unwrap();
    let log = AuditLog::open(d.path()).unwrap();
    let v = Viewer {
        name: Some("alice".into()),
        role: None,
        clearance: parse_clearance("S", &["NOFORN"]).unwrap(),
    };
    log.record(&AuditEntry::for_viewer(&v, "read", "08MOSCOW1599"))
        .unwrap();
    log.record(&AuditEntry::for_viewer(&Viewer::anonymous(), "search", "*"))
        .unwrap();
    let all = log.entries(&AuditFilter::default()).unwrap();
    assert_eq!(all[0].entry.who, "alice");
    assert_eq!(all[0].entry.clearance, "S+NOFORN");
    assert_eq!(all[1].entry.who, "anonymous");
    assert!(all[1].entry.clearance.starts_with("TS+"));
}

#[test]
fn edited_field_is_caught_at_its_seq() {
    for (col, val) in [
        ("who", "'mallory'"),
        ("what", "'innocent'"),
        ("results", "0"),
        ("withheld", "'[]'"),
        ("clearance", "'TS'"),
        ("at_us", "at_us + 1"),
        ("action", "'stats'"),
    ] {
        let d = tempfile::tempdir().unwrap();
        let log = log_with(d.path(), 8);
        let n = sql(d.path())
            .execute(&format!("UPDATE audit SET {col} = {val} WHERE seq = 4"), [])
            .unwrap();
        assert_eq!(n, 1);
        let r = log.verify().unwrap();
        assert!(!r.is_ok());
        let b = r.broken.expect(col);
        assert_eq!((b.seq, b.reason), (4, BreakReason::Edited), "{col}");
    }
}

#[test]
fn edited_row_with_a_valid_hash_breaks_the_next_link() {
    // Two logs with the same first three entries (fixed times, so the same hashes)
    // and a different fourth. Row 4 of the second, with its valid hash, is copied
    // over row 4 of the first: row 4 verifies, but row 5 chained on the old hash.
    let t0: Timestamp = "2024-06-01T12:00:00Z".parse().unwrap();
    let fixed = |i: i64, who: &str| AuditEntry {
        at: t0 + SignedDuration::from_secs(i),
        ..AuditEntry::new(who, "read", &format!("cable {i}"))
    };
    let da = tempfile::tempdir().unwrap();
    let db = tempfile::tempdir().unwrap();
    let a = AuditLog::open(da.path()).unwrap();
    let b = AuditLog::open(db.path()).unwrap();
    for i in 1..=3 {
        a.record(&fixed(i, "alice")).unwrap();
        if i == 1 {
            // The same chain key too (the forger holds it: the worst case).
            std::fs::copy(da.path().join(KEY_FILE), db.path().join(KEY_FILE)).unwrap();
        }
        b.record(&fixed(i, "alice")).unwrap();
    }
    a.record(&fixed(4, "alice")).unwrap();
    b.record(&fixed(4, "mallory")).unwrap();
    a.record(&fixed(5, "alice")).unwrap();
    let forged = &b.entries(&AuditFilter::default()).unwrap()[3];
    sql(da.path())
        .execute(
            "UPDATE audit SET who = 'mallory', hash = ?1 WHERE seq = 4",
            [&forged.hash],
        )
        .unwrap();
    let r = a.verify().unwrap();
    let br = r.broken.unwrap();
    assert_eq!((br.seq, br.reason), (5, BreakReason::BrokenLink));
}

#[test]
fn deleted_middle_row_is_a_gap() {
    let d = tempfile::tempdir().unwrap();
    let log = log_with(d.path(), 8);
    sql(d.path())
        .execute("DELETE FROM audit WHERE seq = 5", [])
        .unwrap();
    let r = log.verify().unwrap();
    assert_eq!(r.entries, 7);
    let b = r.broken.unwrap();
    assert_eq!((b.seq, b.reason), (5, BreakReason::Missing));
}

#[test]
fn deleted_middle_row_renumbered_is_a_broken_link() {
    // Closing the gap by renumbering the later rows still breaks the chain: the
    // moved row's prev_hash names the deleted row.
    let d = tempfile::tempdir().unwrap();
    let log = log_with(d.path(), 6);
    let c = sql(d.path());
    c.execute("DELETE FROM audit WHERE seq = 3", []).unwrap();
    for s in 4..=6 {
        c.execute("UPDATE audit SET seq = ?1 WHERE seq = ?2", [s - 1, s])
            .unwrap();
    }
    c.execute("UPDATE audit_head SET seq = 5", []).unwrap();
    let b = log.verify().unwrap().broken.unwrap();
    assert_eq!((b.seq, b.reason), (3, BreakReason::BrokenLink));
}

#[test]
fn deleted_last_row_is_caught_by_the_head() {
    let d = tempfile::tempdir().unwrap();
    let log = log_with(d.path(), 8);
    sql(d.path())
        .execute("DELETE FROM audit WHERE seq = 8", [])
        .unwrap();
    let r = log.verify().unwrap();
    assert_eq!(r.entries, 7);
    assert_eq!(r.head_seq, 8);
    let b = r.broken.unwrap();
    assert_eq!((b.seq, b.reason), (8, BreakReason::Truncated));

    // Deleting the tail and the head row too is caught as a missing head.
    sql(d.path()).execute("DELETE FROM audit_head", []).unwrap();
    let b = log.verify().unwrap().broken.unwrap();
    assert_eq!(b.reason, BreakReason::HeadMissing);

    // Moving the head back onto row 7 hides the truncation from verify (that
    // residual is what an external anchor is for): the anchored head of 8
    // entries is no longer in the chain.
    let d2 = tempfile::tempdir().unwrap();
    let log2 = log_with(d2.path(), 8);
    let anchored = log2.verify().unwrap().head_hash;
    let early = log2.entries(&AuditFilter::default()).unwrap()[2]
        .hash
        .clone();
    let c = sql(d2.path());
    c.execute("DELETE FROM audit WHERE seq = 8", []).unwrap();
    c.execute(
        "UPDATE audit_head SET seq = 7, hash = (SELECT hash FROM audit WHERE seq = 7)",
        [],
    )
    .unwrap();
    assert!(log2.verify().unwrap().is_ok());
    let r = log2.verify_anchored(&anchored).unwrap();
    assert!(!r.is_ok());
    assert_eq!(r.anchor.unwrap().found_at, None);
    // An anchor from earlier in the chain is still found.
    let r = log2.verify_anchored(&early).unwrap();
    assert!(r.is_ok());
    assert_eq!(r.anchor.unwrap().found_at, Some(3));
}

#[test]
fn swapped_rows_are_caught() {
    let d = tempfile::tempdir().unwrap();
    let log = log_with(d.path(), 8);
    // Swap the whole contents (hashes included) of rows 3 and 6, keeping seqs.
    let c = sql(d.path());
    let cols = "at_us, who, action, what, results, withheld, clearance, prev_hash, hash";
    c.execute_batch(&format!(
        "CREATE TEMP TABLE t AS SELECT seq, {cols} FROM audit WHERE seq IN (3, 6);
         UPDATE audit SET ({cols}) = (SELECT {cols} FROM t WHERE t.seq = 6) WHERE seq = 3;
         UPDATE audit SET ({cols}) = (SELECT {cols} FROM t WHERE t.seq = 3) WHERE seq = 6;"
    ))
    .unwrap();
    let b = log.verify().unwrap().broken.unwrap();
    assert_eq!((b.seq, b.reason), (3, BreakReason::BrokenLink));

    // Swapping only the entry fields (hash columns left in place): row 3's
    // contents no longer hash to its stored hash.
    let d = tempfile::tempdir().unwrap();
    let log = log_with(d.path(), 8);
    let c = sql(d.path());
    let cols = "at_us, who, action, what, results, withheld, clearance";
    c.execute_batch(&format!(
        "CREATE TEMP TABLE t AS SELECT seq, {cols} FROM audit WHERE seq IN (3, 4);
         UPDATE audit SET ({cols}) = (SELECT {cols} FROM t WHERE t.seq = 4) WHERE seq = 3;
         UPDATE audit SET ({cols}) = (SELECT {cols} FROM t WHERE t.seq = 3) WHERE seq = 4;"
    ))
    .unwrap();
    let b = log.verify().unwrap().broken.unwrap();
    assert_eq!((b.seq, b.reason), (3, BreakReason::Edited));
}

#[test]
fn head_pointing_elsewhere_is_caught() {
    let d = tempfile::tempdir().unwrap();
    let log = log_with(d.path(), 4);
    sql(d.path())
        .execute("UPDATE audit_head SET hash = ?1", [GENESIS_HASH])
        .unwrap();
    let b = log.verify().unwrap().broken.unwrap();
    assert_eq!((b.seq, b.reason), (4, BreakReason::HeadMismatch));
}

#[test]
fn unreadable_withheld_is_reported_not_a_panic() {
    let d = tempfile::tempdir().unwrap();
    let log = log_with(d.path(), 3);
    sql(d.path())
        .execute("UPDATE audit SET withheld = 'not json' WHERE seq = 2", [])
        .unwrap();
    let b = log.verify().unwrap().broken.unwrap();
    assert_eq!((b.seq, b.reason), (2, BreakReason::Unreadable));
    assert!(log.entries(&AuditFilter::default()).is_err());
}

#[test]
fn appends_continue_the_chain_after_reopening() {
    let d = tempfile::tempdir().unwrap();
    drop(log_with(d.path(), 3));
    let log = AuditLog::open(d.path()).unwrap();
    assert_eq!(log.record(&entry(4, "dave", "stats")).unwrap(), 4);
    assert!(log.verify().unwrap().is_ok());
}

#[test]
fn concurrent_appends_keep_one_chain() {
    let d = tempfile::tempdir().unwrap();
    // Created first, so the threads race only on appends.
    drop(AuditLog::open(d.path()).unwrap());
    let per_thread = 50u64;
    std::thread::scope(|s| {
        for t in 0..4 {
            let dir = d.path();
            s.spawn(move || {
                // Each thread its own connection, like separate processes.
                let log = AuditLog::open(dir).unwrap();
                for i in 0..per_thread {
                    log.record(&entry(i, &format!("thread{t}"), "search"))
                        .unwrap();
                }
            });
        }
    });
    let log = AuditLog::open(d.path()).unwrap();
    let r = log.verify().unwrap();
    assert!(r.is_ok(), "{r:?}");
    assert_eq!(r.entries, 4 * per_thread);
    assert_eq!(r.head_seq, 4 * per_thread);
    for t in 0..4 {
        let mine = log
            .entries(&AuditFilter {
                who: Some(format!("thread{t}")),
                ..AuditFilter::default()
            })
            .unwrap();
        assert_eq!(mine.len() as u64, per_thread);
    }
}

/// seq, at_us, who, action, what, results, withheld, clearance.
type RawRow = (i64, i64, String, String, String, i64, String, String);

/// Rewrites every row of the log in `dir` as an attacker without the key would:
/// `edit` applied to each `what`, the chain recomputed with plain SHA-256 (the
/// unkeyed scheme) and the head updated to match.
fn rewrite_without_key(dir: &Path, edit: impl Fn(&str) -> String) {
    use sha2::{Digest, Sha256};
    let c = sql(dir);
    let rows: Vec<RawRow> = c
        .prepare("SELECT seq, at_us, who, action, what, results, withheld, clearance FROM audit ORDER BY seq")
        .unwrap()
        .query_map([], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?))
        })
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let mut prev = GENESIS_HASH.to_string();
    for (seq, at, who, action, what, results, withheld, clearance) in rows {
        let what = edit(&what);
        let withheld: Vec<String> = serde_json::from_str(&withheld).unwrap();
        let canon = serde_json::json!([seq, at, who, action, what, results, withheld, clearance])
            .to_string();
        let mut h = Sha256::new();
        h.update(prev.as_bytes());
        h.update(canon.as_bytes());
        let hash: String = h.finalize().iter().map(|b| format!("{b:02x}")).collect();
        c.execute(
            "UPDATE audit SET what = ?1, prev_hash = ?2, hash = ?3 WHERE seq = ?4",
            rusqlite::params![what, prev, hash, seq],
        )
        .unwrap();
        prev = hash;
    }
    c.execute("UPDATE audit_head SET hash = ?1", [&prev])
        .unwrap();
}

#[test]
fn a_rewrite_of_the_whole_chain_without_the_key_is_caught() {
    let d = tempfile::tempdir().unwrap();
    let log = log_with(d.path(), 5);
    assert!(log.verify().unwrap().is_ok());
    assert_eq!(
        log.verify().unwrap().unkeyed,
        0,
        "a new log is keyed throughout"
    );
    rewrite_without_key(d.path(), |w| format!("{w} (innocent)"));
    let r = AuditLog::open(d.path()).unwrap().verify().unwrap();
    let b = r.broken.expect("the rewrite is caught");
    assert_eq!((b.seq, b.reason), (1, BreakReason::Edited));
}

#[cfg(unix)]
#[test]
fn the_key_is_private_and_apart_from_access_db() {
    use std::os::unix::fs::PermissionsExt;
    let d = tempfile::tempdir().unwrap();
    log_with(d.path(), 1);
    let meta = std::fs::metadata(d.path().join(KEY_FILE)).unwrap();
    assert_eq!(meta.permissions().mode() & 0o777, 0o600);
    let text = std::fs::read_to_string(d.path().join(KEY_FILE)).unwrap();
    assert!(text.starts_with("cablescope audit key v1\n"), "{text}");
}

#[test]
fn a_log_from_before_the_key_verifies_with_a_notice_and_goes_on_keyed() {
    let d = tempfile::tempdir().unwrap();
    log_with(d.path(), 4);
    // A log as an older cablescope wrote it: unkeyed hashes, no key file.
    std::fs::remove_file(d.path().join(KEY_FILE)).unwrap();
    rewrite_without_key(d.path(), str::to_string);
    let log = AuditLog::open(d.path()).unwrap();
    let r = log.verify().unwrap();
    assert!(r.is_ok(), "{r:?}");
    assert_eq!((r.unkeyed, r.keyed_from), (4, None));
    // The next entry makes the key and is the first keyed one; anchors of the old
    // head stay valid.
    let old_head = r.head_hash.clone();
    log.record(&entry(5, "alice", "read")).unwrap();
    let r = AuditLog::open(d.path())
        .unwrap()
        .verify_anchored(&old_head)
        .unwrap();
    assert!(r.is_ok(), "{r:?}");
    assert_eq!((r.unkeyed, r.keyed_from), (4, Some(5)));
    // A rewrite without the key is caught at the first keyed entry.
    rewrite_without_key(d.path(), |w| format!("{w}!"));
    let r = AuditLog::open(d.path()).unwrap().verify().unwrap();
    let b = r.broken.expect("caught");
    assert_eq!((b.seq, b.reason), (5, BreakReason::Edited));
}
