//! The archive commands end to end, driving the real binary on a temporary archive
//! built from hand-written fixture cables: ingest, search (every query kind, facets,
//! sorting, cursor paging, syntax errors), export, show, refs, stats, graph, remove,
//! verify, completions, and where the archive is found.

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Output;

use cablescope_testkit::{write, Telegram};
use common::{bin, stderr, stdout};
use serde_json::Value;

/// The fixture cables, as (file, telegram).
fn fixtures() -> Vec<(&'static str, Telegram)> {
    vec![
        (
            "moscow/08MOSCOW1599.txt",
            Telegram::new("MOSCOW", 1599)
                .class("SECRET")
                .captions(&["NOFORN", "SIPDIS"])
                .tags("PREL, PGOV, RS")
                .subject("(C) WIDGET TALKS WITH THE MINISTRY")
                .classified_by("Ambassador John Beyrle")
                .refs("A. 08 MOSCOW 1500 B. 08 STATE 12345")
                .para("U", "The widget delegation arrived on Tuesday.")
                .para("S/NF", "The canarysecret word appears only here.")
                .para("C", "Confidential paragraph about zebra crossings."),
        ),
        (
            "moscow/08MOSCOW1500.txt",
            Telegram::new("MOSCOW", 1500)
                .dtg("011119Z JUN 08")
                .class("CONFIDENTIAL")
                .subject("(C) EARLIER WIDGET NOTE")
                .para("C", "An earlier note on widgets and zebra matters."),
        ),
        (
            "paris/09PARIS200.txt",
            Telegram::new("PARIS", 200)
                .dtg("101200Z MAR 09")
                .tags("ECON, FR")
                .subject("(U) NUCLEAR PROGRAM REVIEW")
                .refs("09 MOSCOW 77")
                .para("U", "The nuclear program was discussed at length in Paris.")
                .signature("PEKALA"),
        ),
        (
            "paris/08PARIS100.txt",
            Telegram::new("PARIS", 100)
                .dtg("201200Z JUN 08")
                .tags("ENRG, FR")
                .subject("(U) ENERGY PROGRAM")
                .para(
                    "U",
                    "A nuclear energy program for the region, and a moskow typo.",
                )
                .signature("STAPLETON"),
        ),
        (
            "london/08LONDON300.txt",
            Telegram::new("LONDON", 300)
                .dtg("021000Z JUL 08")
                .class("CONFIDENTIAL")
                .tags("PREL, UK")
                .subject("(C) IRAN AND IRAQ CONSULTATIONS")
                .refs("A. 08 MOSCOW 1599 B. 08 STATE 12345")
                .para("C", "Officials discussed Iran and Iraq with the embassy.")
                .signature("TUTTLE"),
        ),
        (
            "london/08LONDON301.txt",
            Telegram::new("LONDON", 301)
                .dtg("031000Z JUL 08")
                .tags("PREL, UK")
                .subject("(U) IRAQ FOLLOW-UP")
                .para("U", "A short note on Iraq only.")
                .signature("TUTTLE"),
        ),
    ]
}

const ALL: [&str; 6] = [
    "08LONDON300",
    "08LONDON301",
    "08MOSCOW1500",
    "08MOSCOW1599",
    "08PARIS100",
    "09PARIS200",
];

/// Runs the binary with `args`; `env` sets (Some) or removes (None) variables.
fn run_in(cwd: &Path, args: &[&str], env: &[(&str, Option<&str>)]) -> Output {
    let mut cmd = bin();
    cmd.args(args).current_dir(cwd);
    for (k, v) in env {
        match v {
            Some(v) => cmd.env(k, v),
            None => cmd.env_remove(k),
        };
    }
    cmd.output().expect("run cablescope")
}

/// A temporary folder with the fixtures under `in/` and an archive in `arch/`.
struct Env {
    dir: tempfile::TempDir,
}

impl Env {
    fn new() -> Env {
        let dir = tempfile::tempdir().expect("tempdir");
        for (file, t) in fixtures() {
            write(&dir.path().join("in"), file, t.text());
        }
        Env { dir }
    }

    /// A fresh environment with the fixtures ingested.
    fn ingested() -> Env {
        let e = Env::new();
        let o = e.run(&["ingest", "in"]);
        assert!(o.status.success(), "{}", stderr(&o));
        e
    }

    fn path(&self, p: &str) -> PathBuf {
        self.dir.path().join(p)
    }

    fn arch(&self) -> String {
        self.path("arch").to_string_lossy().into_owned()
    }

    /// Runs an archive command on `arch/` (`--archive` appended).
    fn run(&self, args: &[&str]) -> Output {
        let arch = self.arch();
        let mut v: Vec<&str> = args.to_vec();
        v.push("--archive");
        v.push(&arch);
        run_in(self.dir.path(), &v, &[])
    }

    fn ok(&self, args: &[&str]) -> String {
        let o = self.run(args);
        assert_eq!(o.status.code(), Some(0), "{args:?}: {}", stderr(&o));
        stdout(&o)
    }

    fn json(&self, args: &[&str]) -> Value {
        serde_json::from_str(&self.ok(args)).expect("one JSON object")
    }

    /// The ids a query matches, sorted.
    fn ids(&self, q: &str) -> Vec<String> {
        let out = self.ok(&["search", q, "--format", "jsonl", "--limit", "100"]);
        let mut v: Vec<String> = out
            .lines()
            .map(|l| {
                let h: Value = serde_json::from_str(l).expect("jsonl");
                h["id"].as_str().expect("id").to_string()
            })
            .collect();
        v.sort();
        v
    }
}

#[test]
fn ingest_is_idempotent() {
    let e = Env::new();
    let first = e.json(&["ingest", "in", "--format", "json"]);
    assert_eq!(first["cables_written"], 6, "{first}");
    assert_eq!(first["files_failed"], 0);
    assert_eq!(first["per_format"]["telegram"], 6, "{first}");
    let again = e.json(&["ingest", "in", "--format", "json"]);
    assert_eq!(again["cables_written"], 0, "{again}");
    assert_eq!(again["files_unchanged"], 6, "{again}");
    assert_eq!(e.ids("*"), ALL);
    // The text summary goes to standard error.
    let o = e.run(&["ingest", "in"]);
    assert!(stderr(&o).contains("6 unchanged"), "{}", stderr(&o));
    // No path: a usage error.
    assert_eq!(e.run(&["ingest"]).status.code(), Some(2));
}

#[test]
fn ingest_reports_failed_inputs() {
    let e = Env::new();
    std::fs::write(e.path("in/binary.bin"), [0u8, 159, 146, 150, 0, 0, 1, 2]).expect("write");
    let o = e.run(&["ingest", "in", "--format", "json"]);
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let p: Value = serde_json::from_str(&stdout(&o)).expect("json");
    assert_eq!(p["files_failed"], 1, "{p}");
    assert_eq!(p["cables_written"], 6, "{p}");
    // --retry-failed re-reads only the failed input.
    let o = e.run(&["ingest", "--retry-failed", "--format", "json"]);
    let p: Value = serde_json::from_str(&stdout(&o)).expect("json");
    assert_eq!(p["cables_written"], 0, "{p}");
    assert_eq!(p["files_failed"], 1, "{p}");
}

#[test]
fn search_words_phrases_and_operators() {
    let e = Env::ingested();
    assert_eq!(e.ids("*"), ALL);
    assert_eq!(e.ids("widget"), ["08MOSCOW1500", "08MOSCOW1599"]);
    assert_eq!(e.ids("delegation"), ["08MOSCOW1599"]);
    assert_eq!(e.ids("zebra delegation"), ["08MOSCOW1599"]);
    assert_eq!(e.ids("zebra AND delegation"), ["08MOSCOW1599"]);
    assert_eq!(e.ids("iran OR energy"), ["08LONDON300", "08PARIS100"]);
    assert_eq!(e.ids("iraq -iran"), ["08LONDON301"]);
    assert_eq!(e.ids("iraq NOT iran"), ["08LONDON301"]);
    assert_eq!(e.ids("-iraq -widget -nuclear"), Vec::<String>::new());
    assert_eq!(
        e.ids("(iran OR energy) AND (nuclear OR iraq)"),
        ["08LONDON300", "08PARIS100"]
    );
    assert_eq!(e.ids("\"nuclear program\""), ["09PARIS200"]);
    assert_eq!(e.ids("\"nuclear program\"~1"), ["08PARIS100", "09PARIS200"]);
    assert_eq!(e.ids("widg*"), ["08MOSCOW1500", "08MOSCOW1599"]);
    assert_eq!(e.ids("moscow~1"), ["08PARIS100"]);
    assert_eq!(e.ids("nothinglikethis"), Vec::<String>::new());
}

#[test]
fn search_fields() {
    let e = Env::ingested();
    assert_eq!(e.ids("tag:pgov"), ["08MOSCOW1599"]);
    assert_eq!(e.ids("tag:(ENRG OR ECON)"), ["08PARIS100", "09PARIS200"]);
    assert_eq!(e.ids("origin:london"), ["08LONDON300", "08LONDON301"]);
    assert_eq!(
        e.ids("origin:\"AMEMBASSY PARIS\""),
        ["08PARIS100", "09PARIS200"]
    );
    // classification: matches the level, whatever the caveats.
    assert_eq!(e.ids("classification:SECRET"), ["08MOSCOW1599"]);
    let hit = e.json(&["search", "classification:SECRET", "--format", "json"]);
    assert_eq!(hit["hits"][0]["classification"], "SECRET//NOFORN", "{hit}");
    assert_eq!(
        e.ids("classification:CONFIDENTIAL"),
        ["08LONDON300", "08MOSCOW1500"]
    );
    assert_eq!(e.ids("classification:[C TO *]").len(), 3);
    assert_eq!(e.ids("caption:NOFORN"), ["08MOSCOW1599"]);
    assert_eq!(e.ids("subject:widget"), ["08MOSCOW1500", "08MOSCOW1599"]);
    assert_eq!(e.ids("subject:\"widget talks\""), ["08MOSCOW1599"]);
    assert_eq!(e.ids("signer:tuttle"), ["08LONDON300", "08LONDON301"]);
    assert_eq!(e.ids("classified_by:beyrle"), ["08MOSCOW1599"]);
    assert_eq!(e.ids("marking:s/nf"), ["08MOSCOW1599"]);
    assert_eq!(e.ids("cites:08MOSCOW1500"), ["08MOSCOW1599"]);
    assert_eq!(e.ids("cites:\"MOSCOW 1599\""), ["08LONDON300"]);
    assert_eq!(e.ids("cites:08STATE12345"), ["08LONDON300", "08MOSCOW1599"]);
    assert_eq!(e.ids("cited_by:08LONDON300"), ["08MOSCOW1599"]);
    assert_eq!(e.ids("cited-by:08MOSCOW1599"), ["08MOSCOW1500"]);
}

#[test]
fn search_dates_and_ids() {
    let e = Env::ingested();
    assert_eq!(e.ids("created:2009"), ["09PARIS200"]);
    assert_eq!(
        e.ids("created:2008-06"),
        ["08MOSCOW1500", "08MOSCOW1599", "08PARIS100"]
    );
    assert_eq!(e.ids("created:2008-06-05"), ["08MOSCOW1599"]);
    assert_eq!(
        e.ids("created:[2008-06-02 TO 2008-06-30]"),
        ["08MOSCOW1599", "08PARIS100"]
    );
    assert_eq!(
        e.ids("created:[2008-06-20 TO 2008-07]"),
        ["08LONDON300", "08LONDON301", "08PARIS100"]
    );
    assert_eq!(e.ids("created:{2008-06 TO *]").len(), 3);
    for q in [
        "id:08MOSCOW1599",
        "id:08 MOSCOW 01599",
        "id:\"MOSCOW 1599\"",
        "id:2008MOSCOW1599",
    ] {
        assert_eq!(e.ids(q), ["08MOSCOW1599"], "{q}");
    }
}

#[test]
fn facets_and_sorting() {
    let e = Env::ingested();
    let r = e.json(&["search", "*", "--format", "json"]);
    assert_eq!(r["total"], 6);
    assert!(r["next_cursor"].is_null());
    let facet = |name: &str| -> Vec<(String, u64)> {
        r["facets"][name]
            .as_array()
            .unwrap_or_else(|| panic!("facet {name}: {r}"))
            .iter()
            .map(|b| {
                (
                    b["value"].as_str().expect("value").to_string(),
                    b["count"].as_u64().expect("count"),
                )
            })
            .collect()
    };
    let origin = facet("origin");
    for o in ["MOSCOW", "PARIS", "LONDON"] {
        assert!(origin.contains(&(o.to_string(), 2)), "{origin:?}");
    }
    assert_eq!(facet("tag")[0], ("PREL".to_string(), 4));
    assert_eq!(
        facet("year"),
        [("2008".to_string(), 5), ("2009".to_string(), 1)]
    );
    assert_eq!(
        facet("month"),
        [
            ("2008-06".to_string(), 3),
            ("2008-07".to_string(), 2),
            ("2009-03".to_string(), 1)
        ]
    );
    assert!(facet("classification").contains(&("SECRET//NOFORN".to_string(), 1)));
    assert!(facet("caption").contains(&("SIPDIS".to_string(), 6)));

    let order = |sort: &str| -> Vec<String> {
        e.ok(&["search", "*", "--sort", sort, "--format", "jsonl"])
            .lines()
            .map(|l| {
                serde_json::from_str::<Value>(l).expect("jsonl")["id"]
                    .as_str()
                    .expect("id")
                    .to_string()
            })
            .collect()
    };
    let asc = order("date");
    assert_eq!(
        asc,
        [
            "08MOSCOW1500",
            "08MOSCOW1599",
            "08PARIS100",
            "08LONDON300",
            "08LONDON301",
            "09PARIS200"
        ]
    );
    let mut desc = order("-date");
    desc.reverse();
    assert_eq!(asc, desc);
    // Relevance: the cable with the phrase first.
    let rel = e.ok(&["search", "nuclear program", "--format", "jsonl"]);
    let first: Value = serde_json::from_str(rel.lines().next().expect("hit")).expect("json");
    assert!(first["score"].as_f64().expect("score") > 0.0);
    // Snippets highlight the words.
    let r = e.json(&["search", "delegation", "--format", "json"]);
    assert!(
        r["hits"][0]["snippet"]
            .as_str()
            .unwrap_or("")
            .contains("<b>delegation</b>"),
        "{r}"
    );
    // The table shows the hits, the count and the facets.
    let table = e.ok(&["search", "widget"]);
    assert!(
        table.contains("08MOSCOW1599") && table.contains("2 of 2 matches"),
        "{table}"
    );
}

#[test]
fn cursor_paging_has_no_gaps_or_repeats() {
    let e = Env::ingested();
    for sort in ["relevance", "date", "-date"] {
        for q in ["*", "widget OR iraq OR nuclear"] {
            let total = e.json(&["search", q, "--format", "json"])["total"]
                .as_u64()
                .expect("total");
            let mut seen = Vec::new();
            let mut cursor: Option<String> = None;
            for _ in 0..10 {
                let mut args = vec![
                    "search", q, "--sort", sort, "--limit", "2", "--format", "json",
                ];
                let c;
                if let Some(cur) = &cursor {
                    c = cur.clone();
                    args.push("--cursor");
                    args.push(&c);
                }
                let page = e.json(&args);
                assert_eq!(page["total"].as_u64(), Some(total));
                for h in page["hits"].as_array().expect("hits") {
                    seen.push(h["id"].as_str().expect("id").to_string());
                }
                match page["next_cursor"].as_str() {
                    Some(c) => cursor = Some(c.to_string()),
                    None => {
                        cursor = None;
                        break;
                    }
                }
            }
            assert!(cursor.is_none(), "paging did not end");
            let set: BTreeSet<&String> = seen.iter().collect();
            assert_eq!(set.len(), seen.len(), "{sort} {q}: repeats in {seen:?}");
            assert_eq!(seen.len() as u64, total, "{sort} {q}: gaps in {seen:?}");
        }
    }
    // A cursor that this search did not print: usage error.
    let o = e.run(&["search", "*", "--cursor", "not-a-cursor"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
}

#[test]
fn syntax_errors_exit_2_with_a_caret() {
    let e = Env::ingested();
    let o = e.run(&["search", "subject:(iran"]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(err.contains("position 8"), "{err}");
    assert!(err.contains("subject:(iran\n        ^"), "{err}");
    assert!(stdout(&o).is_empty());
    let o = e.run(&["search", "created:[2008-13 TO 2009]"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let o = e.run(&["search", "nosuchfield:x"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let o = e.run(&["export", "(a"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    // Usage errors too.
    assert_eq!(e.run(&["search"]).status.code(), Some(2));
    assert_eq!(
        e.run(&["search", "*", "--sort", "sideways"]).status.code(),
        Some(2)
    );
}

#[test]
fn export_streams_every_match() {
    let e = Env::ingested();
    let out = e.ok(&["export", "*"]);
    let recs: Vec<Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).expect("jsonl"))
        .collect();
    assert_eq!(recs.len(), 6);
    let s = recs
        .iter()
        .find(|r| r["id"] == "08MOSCOW1599")
        .expect("record");
    assert_eq!(s["paragraphs"].as_array().expect("paragraphs").len(), 3);
    assert_eq!(s["classification"], "SECRET//NOFORN");
    let csv = e.ok(&["export", "origin:PARIS", "--format", "csv"]);
    let mut r = csv::Reader::from_reader(csv.as_bytes());
    assert_eq!(
        r.headers().unwrap().iter().collect::<Vec<_>>(),
        [
            "id",
            "published_id",
            "created",
            "classification",
            "origin",
            "tags",
            "subject",
            "references",
            "text",
            "source_url"
        ]
    );
    let rows: Vec<csv::StringRecord> = r.records().map(|x| x.unwrap()).collect();
    assert_eq!(rows.len(), 2, "{csv}");
    assert_eq!(&rows[0][0], "08PARIS100");
    assert!(rows[0][2].starts_with("2008-06-20"), "{csv}");
    assert!(rows[1][5].contains("ECON FR"), "{csv}");
    // The text with its portion marks, the cited cables by id.
    assert!(rows[1][8].starts_with("(U) "), "{csv}");
    assert_eq!(&rows[1][7], "09MOSCOW77", "{csv}");
}

#[test]
fn show_prints_header_and_marked_text() {
    let e = Env::ingested();
    for id in [
        &["08MOSCOW1599"][..],
        &["MOSCOW", "1599"],
        &["08 MOSCOW 01599"],
    ] {
        let mut args = vec!["show"];
        args.extend_from_slice(id);
        let out = e.ok(&args);
        assert!(out.contains("CLASSIFICATION  SECRET//NOFORN"), "{out}");
        assert!(out.contains("TAGS            PREL, PGOV, RS"), "{out}");
        assert!(out.contains("2. (S/NF) The canarysecret word"), "{out}");
        assert!(out.contains("08MOSCOW1500 (in archive)"), "{out}");
        assert!(out.contains("08STATE12345 (missing)"), "{out}");
    }
    let j = e.json(&["show", "08MOSCOW1599", "--format", "json"]);
    assert_eq!(j["id"], "08MOSCOW1599");
    let o = e.run(&["show", "09MOSCOW1"]);
    assert_eq!(o.status.code(), Some(1));
}

#[test]
fn refs_lists_missing_cables() {
    let e = Env::ingested();
    let j = e.json(&["refs", "08MOSCOW1599", "--format", "json"]);
    let ids: Vec<&str> = j["nodes"]
        .as_array()
        .expect("nodes")
        .iter()
        .map(|n| n["id"].as_str().expect("id"))
        .collect();
    assert!(
        ids.contains(&"08MOSCOW1500") && ids.contains(&"08LONDON300"),
        "{j}"
    );
    assert_eq!(j["missing"], serde_json::json!(["08STATE12345"]), "{j}");
    let j = e.json(&[
        "refs",
        "08MOSCOW1599",
        "--direction",
        "cited-by",
        "--format",
        "json",
    ]);
    assert_eq!(j["nodes"].as_array().expect("nodes").len(), 2, "{j}");
    // Depth 2 from LONDON300 reaches MOSCOW1500 through MOSCOW1599.
    let j = e.json(&[
        "refs",
        "08LONDON300",
        "--direction",
        "cites",
        "--depth",
        "2",
        "--format",
        "json",
    ]);
    assert!(j["nodes"]
        .as_array()
        .expect("nodes")
        .iter()
        .any(|n| n["id"] == "08MOSCOW1500" && n["depth"] == 2));
    let text = e.ok(&["refs", "08MOSCOW1599"]);
    assert!(text.contains("08STATE12345 (missing)"), "{text}");
    assert_eq!(e.run(&["refs", "07NOWHERE1"]).status.code(), Some(1));
    // The text names each cable met with its date and subject.
    let line = text
        .lines()
        .find(|l| l.contains("08MOSCOW1500"))
        .expect("a line for 08MOSCOW1500");
    assert!(
        line.contains("2008-06-01") && line.contains("EARLIER WIDGET NOTE"),
        "{text}"
    );
}

#[test]
fn loose_query_words_join_and_an_empty_page_is_refused() {
    let e = Env::ingested();
    // Unquoted words are one query, the same as quoted, with options after them.
    let quoted = e.ok(&["search", "widget zebra", "--format", "jsonl"]);
    let loose = e.ok(&["search", "widget", "zebra", "--format", "jsonl"]);
    assert!(!quoted.is_empty());
    assert_eq!(quoted, loose);
    // A first word may start with `-` (exclusion); a later one after `--`.
    let arch = e.arch();
    let after_dashes = run_in(
        e.dir.path(),
        &[
            "search",
            "--format",
            "jsonl",
            "--archive",
            &arch,
            "--",
            "-canarysecret",
            "zebra",
        ],
        &[],
    );
    assert!(after_dashes.status.success(), "{}", stderr(&after_dashes));
    let first = e.ok(&["search", "-canarysecret zebra", "--format", "jsonl"]);
    assert!(!first.is_empty());
    assert_eq!(first, stdout(&after_dashes));
    let all = e.ok(&["export", "--format", "csv"]);
    let some = e.ok(&["export", "--format", "csv", "widget", "zebra"]);
    assert!(some.lines().count() < all.lines().count(), "{some}");
    // A lower-case `or` between words is searched as a word: said on stderr,
    // never mixed into the results.
    let o = e.run(&["search", "widget", "or", "zebra", "--format", "jsonl"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("hint: `or` was searched as a word")
            && stderr(&o).contains("`widget OR zebra`"),
        "{}",
        stderr(&o)
    );
    let o = e.run(&["search", "widget", "OR", "zebra", "--format", "jsonl"]);
    assert!(!stderr(&o).contains("hint:"), "{}", stderr(&o));
    // A typo: "did you mean" on stderr, the (empty) results on stdout.
    let o = e.run(&["search", "zebrra", "--format", "jsonl"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).is_empty(), "{}", stdout(&o));
    assert!(
        stderr(&o).contains("did you mean: zebra ("),
        "{}",
        stderr(&o)
    );
    let o = e.run(&["search", "zebra", "--format", "jsonl"]);
    assert!(!stderr(&o).contains("did you mean"), "{}", stderr(&o));
    // --limit 0 would print "0 of N": refused as a usage error.
    let o = e.run(&["search", "widget", "--limit", "0"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("at least 1"), "{}", stderr(&o));
}

#[test]
fn stats_counts() {
    let e = Env::ingested();
    let s = e.json(&["stats", "--format", "json"]);
    assert_eq!(s["cables"], 6);
    assert_eq!(
        s["most_cited_missing"][0],
        serde_json::json!(["08STATE12345", 2]),
        "{s}"
    );
    assert!(s["by_year"]
        .as_array()
        .expect("years")
        .contains(&serde_json::json!(["2008", 5])));
    let text = e.ok(&["stats"]);
    assert!(text.contains("cables: 6"), "{text}");
    // Columns fit: within each section the counts end in one column, and no line
    // is padded past 80 characters.
    for section in text.split("\n\n").skip(1) {
        let rows: Vec<&str> = section.lines().skip(1).collect();
        let ends: std::collections::BTreeSet<usize> =
            rows.iter().map(|l| l.trim_end().len()).collect();
        if !section.starts_with("portion marks") {
            assert!(ends.len() <= 1, "counts not aligned in:\n{section}");
        }
        for l in rows {
            assert!(l.chars().count() <= 80, "too wide: {l:?}");
        }
    }
}

/// A small well-formedness check: tags balance, attributes are quoted, `&` starts
/// an entity, one root element.
fn assert_well_formed(xml: &str) {
    let body = xml
        .strip_prefix("<?xml version=\"1.0\" encoding=\"UTF-8\"?>")
        .expect("XML declaration");
    let mut stack: Vec<String> = Vec::new();
    let mut roots = 0;
    let mut rest = body;
    while let Some(i) = rest.find(['<', '&']) {
        let text = &rest[..i];
        assert!(!text.contains('>'), "stray > in {text:?}");
        if rest[i..].starts_with('&') {
            let end = rest[i..].find(';').expect("entity end");
            let ent = &rest[i + 1..i + end];
            assert!(
                ["amp", "lt", "gt", "quot", "apos"].contains(&ent),
                "entity {ent}"
            );
            rest = &rest[i + end + 1..];
            continue;
        }
        let end = rest[i..].find('>').expect("tag end") + i;
        let tag = &rest[i + 1..end];
        assert!(!tag.contains('<'), "< inside a tag: {tag}");
        assert_eq!(tag.matches('"').count() % 2, 0, "unquoted attribute: {tag}");
        if let Some(name) = tag.strip_prefix('/') {
            assert_eq!(
                stack.pop().as_deref(),
                Some(name.trim()),
                "mismatched </{name}>"
            );
        } else {
            let name = tag
                .trim_end_matches('/')
                .split_whitespace()
                .next()
                .expect("tag name")
                .to_string();
            if stack.is_empty() {
                roots += 1;
            }
            if !tag.ends_with('/') {
                stack.push(name);
            }
        }
        rest = &rest[end + 1..];
    }
    assert!(rest.trim().is_empty(), "text after the root: {rest:?}");
    assert!(stack.is_empty(), "unclosed: {stack:?}");
    assert_eq!(roots, 1);
}

#[test]
fn graph_formats() {
    let e = Env::ingested();
    let graphml = e.ok(&["graph", "--format", "graphml"]);
    assert_well_formed(&graphml);
    assert!(graphml.contains(r#"<edge id="e0""#), "{graphml}");
    assert!(graphml.contains(r#"source="08LONDON300" target="08MOSCOW1599""#));
    assert!(graphml.contains(r#"<node id="08STATE12345">"#));
    let gexf = e.ok(&["graph", "*", "--format", "gexf"]);
    assert_well_formed(&gexf);
    assert!(
        gexf.contains(r#"<node id="09MOSCOW77" label="09MOSCOW77">"#),
        "{gexf}"
    );
    let j = e.json(&["graph", "origin:LONDON", "--format", "json"]);
    let edges = j["edges"].as_array().expect("edges");
    assert_eq!(edges.len(), 2, "{j}");
    let nodes = j["nodes"].as_array().expect("nodes");
    // LONDON300, LONDON301, and the two cables LONDON300 cites.
    assert_eq!(nodes.len(), 4, "{j}");
    assert!(nodes
        .iter()
        .any(|n| n["id"] == "08STATE12345" && n["present"] == false));
    assert!(nodes
        .iter()
        .any(|n| n["id"] == "08MOSCOW1599" && n["present"] == true && n["matched"] == false));
}

#[test]
fn remove_and_verify() {
    let e = Env::ingested();
    let v = e.json(&["verify", "--format", "json"]);
    assert_eq!(v["ok"], true, "{v}");
    assert_eq!(e.ok(&["verify"]).lines().last(), Some("ok"));
    let r = e.json(&["remove", "08 PARIS 100", "--format", "json"]);
    assert_eq!(r["cables"], serde_json::json!(["08PARIS100"]));
    assert_eq!(e.ids("*").len(), 5);
    assert_eq!(e.ids("energy"), Vec::<String>::new());
    // Re-ingesting the same files does not bring a takedown back.
    e.ok(&["ingest", "in"]);
    assert_eq!(e.ids("*").len(), 5);
    let src = e.path("in/london").to_string_lossy().into_owned();
    let r = e.json(&["remove", "--source", &src, "--format", "json"]);
    assert_eq!(
        r["cables"],
        serde_json::json!(["08LONDON300", "08LONDON301"]),
        "{r}"
    );
    assert_eq!(e.ids("*"), ["08MOSCOW1500", "08MOSCOW1599", "09PARIS200"]);
    let v = e.json(&["verify", "--format", "json"]);
    assert_eq!(v["ok"], true, "{v}");
    assert_eq!(v["store_count"], 3);
    assert_eq!(v["index_count"], 3);
    // Nothing to remove: status 1.
    assert_eq!(e.run(&["remove", "08PARIS100"]).status.code(), Some(1));
    assert_eq!(e.run(&["remove"]).status.code(), Some(2));
}

#[test]
fn archive_option_beats_env_beats_default() {
    let e = Env::new();
    let root = e.dir.path();
    let a = e.path("a").to_string_lossy().into_owned();
    let b = e.path("b").to_string_lossy().into_owned();
    let count = |args: &[&str], env: &[(&str, Option<&str>)]| -> u64 {
        let mut v = vec!["search", "*", "--format", "json"];
        v.extend_from_slice(args);
        let o = run_in(root, &v, env);
        assert!(o.status.success(), "{v:?}: {}", stderr(&o));
        serde_json::from_str::<Value>(&stdout(&o)).expect("json")["total"]
            .as_u64()
            .expect("total")
    };
    // `a` gets the Moscow cables (through the variable), `b` the Paris ones
    // (through --archive, with the variable pointing at `a`), the default the London ones.
    let ing = |path: &str, args: &[&str], env: &[(&str, Option<&str>)]| {
        let mut v = vec!["ingest", path];
        v.extend_from_slice(args);
        let o = run_in(root, &v, env);
        assert!(o.status.success(), "{}", stderr(&o));
    };
    ing("in/moscow", &[], &[("CABLESCOPE_ARCHIVE", Some(&a))]);
    ing(
        "in/paris",
        &["--archive", &b],
        &[("CABLESCOPE_ARCHIVE", Some(&a))],
    );
    ing("in/london", &[], &[]);
    assert!(e.path("cablescope-data").is_dir());
    assert_eq!(count(&[], &[("CABLESCOPE_ARCHIVE", Some(&a))]), 2);
    assert_eq!(
        count(&["--archive", &b], &[("CABLESCOPE_ARCHIVE", Some(&a))]),
        2
    );
    let ids_in = |dir: &str| -> String {
        let o = run_in(
            root,
            &["search", "*", "--format", "csv", "--archive", dir],
            &[],
        );
        stdout(&o)
    };
    assert!(ids_in(&a).contains("08MOSCOW1599"));
    assert!(ids_in(&b).contains("09PARIS200") && !ids_in(&b).contains("MOSCOW"));
    assert!(ids_in("cablescope-data").contains("08LONDON301"));
    assert_eq!(count(&[], &[]), 2);
    // Reading a missing archive is an error, not a new empty archive.
    let o = run_in(root, &["search", "*", "--archive", "nowhere"], &[]);
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("no archive at"), "{}", stderr(&o));
    assert!(!e.path("nowhere").exists());
}

#[test]
fn completions() {
    let o = run_in(Path::new("."), &["completions", "bash"], &[]);
    assert!(o.status.success());
    let s = stdout(&o);
    assert!(s.contains("cablescope") && s.contains("search"), "{s}");
    let o = run_in(Path::new("."), &["completions", "nosuchshell"], &[]);
    assert_eq!(o.status.code(), Some(2));
}
