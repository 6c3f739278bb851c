//! `cablescope audit` end to end, driving the real binary: verify (intact, then
//! tampered with in SQL: exit 1 and where), the head hash and `--expect-head`, and
//! `show` with its filters and formats.

mod common;

use std::path::Path;
use std::process::Output;

use cablescope_access::audit::{AuditEntry, AuditLog, Timestamp};
use common::{code, stderr, stdout, Fixture};
use serde_json::Value;

// The archive with the one fixture cable comes from `common`; these are the audit
// tests' own steps on it.
impl Fixture {
    /// A log of entries at fixed times, written through the library (as the
    /// reading commands and the server do).
    fn seed(&self) {
        let log = AuditLog::open(self.access()).unwrap();
        let t = |s: &str| s.parse::<Timestamp>().unwrap();
        let rows = [
            ("2024-06-01T09:00:00Z", "alice", "search", "tag:PREL", 3),
            ("2024-06-01T10:00:00Z", "bob", "read", "08OSLO321", 1),
            ("2024-06-02T09:30:00Z", "alice", "read", "08OSLO321", 1),
            ("2024-06-03T23:59:00Z", "alice", "export", "herring", 1),
            ("2024-06-04T00:00:00Z", "bob", "search", "quota\nfigure", 0),
        ];
        for (at, who, action, what, n) in rows {
            let mut e = AuditEntry::new(who, action, what);
            e.at = t(at);
            e.results = n;
            e.clearance = "C".into();
            if who == "bob" {
                e.withheld = vec!["08OSLO321 ¶2 (C)".into()];
                e.clearance = "U".into();
            }
            log.record(&e).unwrap();
        }
    }

    /// Tampers with the stored log: `q` runs on `access.db`, or on the test
    /// database on the PostgreSQL pass.
    fn sql(&self, q: &str) {
        match &self.database {
            Some(url) => cablescope_testkit::pg::execute(url, q),
            None => {
                let db = rusqlite::Connection::open(self.archive.join("access.db")).unwrap();
                db.execute_batch(q).unwrap();
            }
        }
    }

    fn show(&self, args: &[&str]) -> Vec<Value> {
        let mut all = vec!["audit", "show", "--format", "jsonl"];
        all.extend(args);
        let o = self.run(&all);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        stdout(&o)
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }
}

/// The head hash printed by `audit verify`.
fn head_hash(o: &Output) -> String {
    let out = stdout(o);
    let line = out
        .lines()
        .find(|l| l.starts_with("head: "))
        .unwrap_or_else(|| panic!("no head line: {out}"));
    let h = line.rsplit(' ').next().unwrap().to_string();
    assert_eq!(h.len(), 64, "{line}");
    h
}

#[test]
fn verify_without_a_log_creates_nothing() {
    let f = Fixture::new();
    let o = f.run(&["audit", "verify"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stdout(&o).contains("intact: 0 entries"));
    assert!(!Path::new(&f.archive).join("access.db").exists());
    assert!(!Path::new(&f.archive).join("audit.key").exists());
    let o = f.run(&["audit", "show"]);
    assert_eq!(code(&o), 0);
    assert!(stdout(&o).is_empty());
}

#[test]
fn verify_intact_then_an_edited_row() {
    let f = Fixture::new();
    f.seed();
    let o = f.run(&["audit", "verify"]);
    assert_eq!(code(&o), 0, "{}{}", stdout(&o), stderr(&o));
    assert!(stdout(&o).contains("intact: 5 entries"), "{}", stdout(&o));
    let head = head_hash(&o);
    let o = f.run(&["audit", "verify", "--format", "json"]);
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["entries"], 5);
    assert_eq!(v["head_seq"], 5);
    assert_eq!(v["head_hash"], head.as_str());
    assert_eq!(v["broken"], Value::Null);

    // Someone hides that bob read the cable.
    f.sql("UPDATE audit SET who = 'carol' WHERE seq = 2");
    let o = f.run(&["audit", "verify"]);
    assert_eq!(code(&o), 1);
    assert!(stdout(&o).contains("BROKEN at seq 2"), "{}", stdout(&o));
    assert!(stdout(&o).contains("changed"), "{}", stdout(&o));
    let o = f.run(&["audit", "verify", "--format", "json"]);
    assert_eq!(code(&o), 1);
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["broken"]["seq"], 2);
    assert_eq!(v["broken"]["reason"], "edited");
}

#[test]
fn verify_catches_deleted_rows() {
    let f = Fixture::new();
    f.seed();
    f.sql("DELETE FROM audit WHERE seq = 3");
    let o = f.run(&["audit", "verify"]);
    assert_eq!(code(&o), 1);
    assert!(stdout(&o).contains("BROKEN at seq 3"), "{}", stdout(&o));
    assert!(stdout(&o).contains("missing"));

    let f = Fixture::new();
    f.seed();
    f.sql("DELETE FROM audit WHERE seq = 5");
    let o = f.run(&["audit", "verify"]);
    assert_eq!(code(&o), 1);
    assert!(stdout(&o).contains("BROKEN at seq 5"), "{}", stdout(&o));
    assert!(stdout(&o).contains("tail deleted"));
}

#[test]
fn expect_head_catches_a_rewritten_tail() {
    let f = Fixture::new();
    f.seed();
    let anchored = head_hash(&f.run(&["audit", "verify"]));
    // An anchor still in the chain after more entries: fine.
    AuditLog::open(f.access())
        .unwrap()
        .record(&AuditEntry::new("dave", "stats", ""))
        .unwrap();
    let o = f.run(&["audit", "verify", "--expect-head", &anchored.to_uppercase()]);
    assert_eq!(code(&o), 0, "{}", stdout(&o));
    assert!(stdout(&o).contains("found at seq 5"), "{}", stdout(&o));

    // Entries 5 and 6 removed and the head moved back onto 4: the chain is
    // consistent again, only the anchor notices.
    f.sql(
        "DELETE FROM audit WHERE seq >= 5;
         UPDATE audit_head SET seq = 4, hash = (SELECT hash FROM audit WHERE seq = 4);",
    );
    assert_eq!(code(&f.run(&["audit", "verify"])), 0);
    let o = f.run(&["audit", "verify", "--expect-head", &anchored]);
    assert_eq!(code(&o), 1);
    assert!(stdout(&o).contains("NOT in the chain"), "{}", stdout(&o));

    let o = f.run(&["audit", "verify", "--expect-head", "abc"]);
    assert_eq!(code(&o), 2);
}

#[test]
fn show_filters() {
    let f = Fixture::new();
    f.seed();
    let seqs = |v: &[Value]| {
        v.iter()
            .map(|e| e["seq"].as_u64().unwrap())
            .collect::<Vec<_>>()
    };
    assert_eq!(seqs(&f.show(&[])), [1, 2, 3, 4, 5]);
    assert_eq!(seqs(&f.show(&["--who", "alice"])), [1, 3, 4]);
    assert_eq!(seqs(&f.show(&["--action", "read"])), [2, 3]);
    assert_eq!(seqs(&f.show(&["--who", "alice", "--limit", "2"])), [3, 4]);
    assert_eq!(seqs(&f.show(&["--since", "2024-06-02"])), [3, 4, 5]);
    // --until of a date includes that day; of a time, excludes that instant.
    assert_eq!(seqs(&f.show(&["--until", "2024-06-03"])), [1, 2, 3, 4]);
    assert_eq!(seqs(&f.show(&["--until", "2024-06-01 10:00"])), [1]);
    assert_eq!(
        seqs(&f.show(&[
            "--since",
            "2024-06-01T11:00:00+01:00",
            "--until",
            "2024-06-01"
        ])),
        [2]
    );
    assert!(f.show(&["--who", "nobody"]).is_empty());

    let e = &f.show(&["--who", "bob", "--limit", "1"])[0];
    assert_eq!(e["what"], "quota\nfigure");
    assert_eq!(e["withheld"][0], "08OSLO321 ¶2 (C)");
    assert_eq!(e["clearance"], "U");
    assert_eq!(e["at"], "2024-06-04T00:00:00Z");
    assert_eq!(e["hash"].as_str().unwrap().len(), 64);

    for bad in [
        ["--since", "last week"],
        ["--until", "2024-13-01"],
        ["--limit", "x"],
    ] {
        let mut args = vec!["audit", "show"];
        args.extend(bad);
        assert_eq!(code(&f.run(&args)), 2, "{bad:?}");
    }
}

#[test]
fn show_formats() {
    let f = Fixture::new();
    f.seed();
    let o = f.run(&["audit", "show", "--format", "json"]);
    let v: Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 5);

    let o = f.run(&["audit", "show"]);
    let table = stdout(&o);
    let lines: Vec<&str> = table.lines().collect();
    // A header and one line per entry, even for a query with a newline.
    assert_eq!(lines.len(), 6, "{table}");
    assert!(lines[0].starts_with("SEQ"));
    assert!(lines[2].contains("bob") && lines[2].contains("withheld: 08OSLO321 ¶2 (C)"));
    assert!(lines[5].contains("quota figure"));
    assert!(lines[1].contains("2024-06-01 09:00:00"));
}

#[test]
fn show_escapes_terminal_control_characters_in_every_field() {
    let f = Fixture::new();
    let log = AuditLog::open(f.access()).unwrap();
    let nasty = "a\u{1b}[2J\u{1b}]0;owned\u{7}b\rc\u{9b}31md\u{202e}e\u{7f}";
    let mut e = AuditEntry::new("eve", "search", nasty);
    e.clearance = format!("C{nasty}");
    e.withheld = vec![format!("08OSLO321 {nasty}")];
    log.record(&e).unwrap();
    let is_control =
        |c: char| (c < ' ' && c != '\n') || ('\u{7f}'..='\u{9f}').contains(&c) || c == '\u{202e}';
    for format in ["table", "json", "jsonl"] {
        let o = f.run(&["audit", "show", "--format", format]);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        let out = stdout(&o);
        assert!(
            !out.chars().any(is_control),
            "{format}: raw control characters in {out:?}"
        );
        if format == "table" {
            assert!(
                out.contains(r"a\x1b[2J\x1b]0;owned\x07b\x0dc\x9b31md\u{202e}e\x7f"),
                "{out}"
            );
        } else {
            // The same text to a JSON reader.
            let first = out.lines().next().unwrap();
            let v: Value = serde_json::from_str(first).unwrap();
            let rec = if format == "json" { &v[0] } else { &v };
            assert_eq!(rec["what"], nasty);
            assert_eq!(rec["clearance"], format!("C{nasty}"));
        }
    }
}
