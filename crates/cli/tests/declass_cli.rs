//! `cablescope declass` and `--as-of` through the real binary: the policy is off by
//! default (then `--as-of` changes nothing), only a curator may turn it on, a
//! released cable reads in full to a U reader from its DECL date (not the day
//! before), the 25-year rule and its exemption codes, `declass due`, and bad dates
//! and codes as usage errors.

mod common;

use std::path::PathBuf;
use std::process::Output;

use cablescope_testkit::{write, Telegram};
use common::{add_user, hit_ids, run, stderr, stdout};
use serde_json::Value;

/// (id, telegram) of the fixtures: all SECRET, each released by another rule.
fn fixtures() -> Vec<(&'static str, String)> {
    let tg = |serial: u32, dtg: &str, caption: &str, decl: &str, word: &str| {
        Telegram::new("MOSCOW", serial)
            .dtg(dtg)
            .class("SECRET")
            .captions(&[caption])
            .eo(decl)
            .subject(&format!("(S) SUBJECT OF {word}"))
            .para("S", &format!("The {word} paragraph."))
            .text()
    };
    vec![
        (
            "85MOSCOW1",
            tg(
                1,
                "011200Z FEB 85",
                "NODIS",
                "DECL: 02/01/2005",
                "zqdeclone",
            ),
        ),
        (
            "90MOSCOW2",
            tg(2, "011200Z MAR 90", "SIPDIS", "DECL: OADR", "zqdecltwo"),
        ),
        (
            "95MOSCOW3",
            tg(
                3,
                "011200Z JUN 95",
                "SIPDIS",
                "DECL: 25X1-HUMAN",
                "zqdeclthree",
            ),
        ),
        (
            "08MOSCOW4",
            tg(
                4,
                "051119Z JUN 08",
                "SIPDIS",
                "DECL: 06/05/2033",
                "zqdeclfour",
            ),
        ),
    ]
}

struct Env {
    _tmp: tempfile::TempDir,
    archive: PathBuf,
    reader: String,
    curator: String,
    top: String,
}

impl Env {
    fn new() -> Env {
        let tmp = tempfile::tempdir().expect("tmp");
        let src = tmp.path().join("src");
        for (id, text) in fixtures() {
            write(&src, format!("{id}.txt"), text);
        }
        let archive = tmp.path().join("archive");
        let a = archive.to_str().expect("utf-8").to_string();
        let o = run(&["ingest", "--archive", &a, src.to_str().expect("utf-8")]);
        assert!(o.status.success(), "ingest: {}", stderr(&o));
        let reader = add_user(&a, "ursula", &["--clearance", "U"]);
        let curator = add_user(&a, "carla", &["--clearance", "U", "--role", "curator"]);
        let caveats = cablescope_format::marking::Control::ALL
            .iter()
            .map(|c| c.name())
            .collect::<Vec<_>>()
            .join(",");
        let top = add_user(&a, "tess", &["--clearance", "TS", "--caveat", &caveats]);
        Env {
            _tmp: tmp,
            archive,
            reader,
            curator,
            top,
        }
    }

    fn a(&self) -> &str {
        self.archive.to_str().expect("utf-8")
    }

    fn run_as(&self, token: &str, args: &[&str]) -> Output {
        let mut all = args.to_vec();
        all.extend(["--archive", self.a(), "--token", token]);
        run(&all)
    }

    /// The ids a query finds for `token` as of `date`.
    fn found(&self, token: &str, q: &str, date: &str) -> Vec<String> {
        let o = self.run_as(token, &["search", "--format", "json", "--as-of", date, q]);
        assert!(o.status.success(), "{q}: {}", stderr(&o));
        let v: Value = serde_json::from_str(&stdout(&o)).expect("json");
        hit_ids(&v)
    }

    fn policy(&self, token: &str, args: &[&str]) -> Output {
        let mut all = vec!["declass", "policy"];
        all.extend_from_slice(args);
        self.run_as(token, &all)
    }
}

#[test]
fn policy_off_by_default_and_only_curators_change_it() {
    let e = Env::new();
    let o = e.policy(&e.reader, &["--format", "json"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let p: Value = serde_json::from_str(&stdout(&o)).expect("json");
    assert_eq!(p["enabled"], false);
    assert_eq!(p["exempt"].as_array().expect("codes").len(), 11);
    // Off: --as-of changes nothing for a U reader.
    for date in ["1980-01-01", "2020-06-01", "2099-12-31"] {
        assert!(e.found(&e.reader, "*", date).is_empty(), "{date}");
    }
    // A reader may not turn it on (and nothing changes); a curator may.
    let o = e.policy(&e.reader, &["on"]);
    assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
    assert!(stderr(&o).contains("curator"));
    assert!(stdout(&e.policy(&e.reader, &[])).contains("declassification: off"));
    let o = e.policy(&e.curator, &["on"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("declassification: on"),
        "{}",
        stdout(&o)
    );
    // The change is audited.
    let log = run(&[
        "audit",
        "show",
        "--archive",
        e.a(),
        "--action",
        "declass",
        "--format",
        "json",
    ]);
    let entries: Value = serde_json::from_str(&stdout(&log)).expect("json");
    assert_eq!(entries.as_array().expect("entries").len(), 1);
    assert_eq!(entries[0]["who"], "carla");
    // Bad codes and bad dates are usage errors.
    let o = e.policy(&e.curator, &["on", "--exempt", "25X1,26X1"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("26X1"));
    for bad in ["2018-13-01", "yesterday", "18-06-05"] {
        let o = e.run_as(&e.reader, &["search", "*", "--as-of", bad]);
        assert_eq!(o.status.code(), Some(2), "{bad}");
    }
}

#[test]
fn released_cables_read_in_full_from_their_date() {
    let e = Env::new();
    assert!(e.policy(&e.curator, &["on"]).status.success());
    let r = &e.reader;
    // DECL date: released that day, NODIS lifted too; not the day before.
    assert!(e.found(r, "zqdeclone", "2005-01-31").is_empty());
    assert_eq!(e.found(r, "zqdeclone", "2005-02-01"), ["85MOSCOW1"]);
    assert_eq!(e.found(r, "subject:zqdeclone", "2005-02-01"), ["85MOSCOW1"]);
    let o = e.run_as(r, &["show", "85MOSCOW1", "--as-of", "2005-02-01"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("1. (S) The zqdeclone paragraph."),
        "{}",
        stdout(&o)
    );
    let o = e.run_as(r, &["show", "85MOSCOW1", "--as-of", "2005-01-31"]);
    assert_eq!(o.status.code(), Some(1));
    // The 25-year rule: 1990 → 2015-12-31.
    assert!(e.found(r, "zqdecltwo", "2015-12-30").is_empty());
    assert_eq!(e.found(r, "zqdecltwo", "2015-12-31"), ["90MOSCOW2"]);
    // 25X1 is exempt by default; not when the list names only 25X6.
    assert!(e.found(r, "zqdeclthree", "2030-01-01").is_empty());
    assert!(e
        .policy(&e.curator, &["on", "--exempt", "25X6"])
        .status
        .success());
    assert_eq!(e.found(r, "zqdeclthree", "2021-01-01"), ["95MOSCOW3"]);
    // Export, stats, refs and graph take --as-of too.
    let o = e.run_as(r, &["export", "*", "--as-of", "2021-01-01"]);
    assert_eq!(stdout(&o).lines().count(), 3, "{}", stdout(&o));
    let o = e.run_as(r, &["stats", "--format", "json", "--as-of", "2021-01-01"]);
    let s: Value = serde_json::from_str(&stdout(&o)).expect("json");
    assert_eq!(s["cables"], 3);
    let o = e.run_as(r, &["refs", "90MOSCOW2", "--as-of", "2015-12-30"]);
    assert_eq!(o.status.code(), Some(1));
    let o = e.run_as(r, &["graph", "--format", "json", "--as-of", "2016-01-01"]);
    let g: Value = serde_json::from_str(&stdout(&o)).expect("json");
    assert_eq!(g["nodes"].as_array().expect("nodes").len(), 2, "{g}");
    // Turned off again, nothing is released.
    assert!(e.policy(&e.curator, &["off"]).status.success());
    assert!(e.found(r, "*", "2030-01-01").is_empty());
}

#[test]
fn due_lists_the_next_releases() {
    let e = Env::new();
    let o = e.run_as(
        &e.top,
        &[
            "declass",
            "due",
            "--as-of",
            "2000-01-01",
            "--before",
            "2016-01-01",
            "--format",
            "json",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let v: Value = serde_json::from_str(&stdout(&o)).expect("json");
    let due: Vec<(&str, &str, &str)> = v["due"]
        .as_array()
        .expect("due")
        .iter()
        .map(|d| {
            (
                d["id"].as_str().expect("id"),
                d["release"].as_str().expect("release"),
                d["rule"].as_str().expect("rule"),
            )
        })
        .collect();
    assert_eq!(
        due,
        [
            ("85MOSCOW1", "2005-02-01", "decl_date"),
            ("90MOSCOW2", "2015-12-31", "twenty_five_years")
        ]
    );
    assert_eq!(v["due"][0]["level"], "S");
    let table = stdout(&e.run_as(
        &e.top,
        &[
            "declass",
            "due",
            "--as-of",
            "2020-01-01",
            "--before",
            "2040-01-01",
        ],
    ));
    assert!(table.contains("08MOSCOW4"), "{table}");
    assert!(table.contains("2033-06-05"), "{table}");
    assert!(!table.contains("95MOSCOW3"), "exempt: {table}");
    // A U reader learns of no cable they may not see.
    let o = e.run_as(
        &e.reader,
        &[
            "declass",
            "due",
            "--as-of",
            "2000-01-01",
            "--before",
            "2040-01-01",
            "--format",
            "json",
        ],
    );
    let v: Value = serde_json::from_str(&stdout(&o)).expect("json");
    assert_eq!(v["due"], serde_json::json!([]), "{v}");
    let o = e.run_as(&e.top, &["declass", "due", "--before", "someday"]);
    assert_eq!(o.status.code(), Some(2));
}
