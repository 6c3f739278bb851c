//! The clearance model through the real binary, from the attacker's side: the
//! canary archive of the archive crate's leak tests (hand-written telegrams with
//! unique words in (U), (SBU), (C), (S), (S/NF) and unmarked paragraphs, a SUBJECT
//! (S) line, a SECRET REF list, NODIS and EXDIS cables), one user per clearance
//! made with `cablescope users add`, and every reading command run with each
//! user's `--token`: search (words, phrases, prefixes, fuzzy, fields, facets, the
//! month histogram, snippets), export, show, refs, graph and stats. A canary
//! appears exactly when the token's clearance may read it; an invisible cable
//! answers exactly like an unknown id; every read lands in the audit log.
//!
//! With `CABLESCOPE_TEST_BACKEND=postgres` every command runs on a test database
//! (`$CABLESCOPE_DATABASE`): the cables, the users and the audit log are then
//! PostgreSQL's, the archive folder holds only the index and the audit key.

mod common;
#[path = "../../archive/tests/leak_common/mod.rs"]
mod leak_common;

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::process::Output;

use cablescope_access::Clearance;
use cablescope_testkit::write;
use common::{bin, hit_ids, stderr, stdout};
use leak_common::{cables, files, readers, visible_cables, Canary, CANARIES};
use serde_json::Value;

struct Env {
    _tmp: tempfile::TempDir,
    archive: PathBuf,
    /// The test database on the PostgreSQL pass.
    database: Option<String>,
    /// (reader name, clearance, token)
    users: Vec<(&'static str, Clearance, String)>,
}

impl Env {
    fn new() -> Env {
        let tmp = tempfile::tempdir().expect("tmp");
        let src = tmp.path().join("src");
        for (name, text) in files() {
            write(&src, name, text);
        }
        let archive = tmp.path().join("archive");
        let database = cablescope_testkit::pg::postgres_backend().then(|| {
            std::fs::create_dir_all(&archive).expect("archive folder");
            cablescope_testkit::pg::database_for(&archive).expect("a test database")
        });
        let mut env = Env {
            _tmp: tmp,
            archive,
            database,
            users: Vec::new(),
        };
        let a = env.a().to_string();
        let o = env.run(&["ingest", "--archive", &a, src.to_str().expect("utf-8")]);
        assert!(o.status.success(), "ingest: {}", stderr(&o));
        for (i, (name, c)) in readers().into_iter().enumerate() {
            let level = c.level().code();
            let mut args = vec!["--clearance", level];
            let caveats: Vec<String> = c.controls.iter().map(|c| c.name().to_string()).collect();
            let joined = caveats.join(",");
            if !caveats.is_empty() {
                args.extend(["--caveat", &joined]);
            }
            let user = format!("reader{i}");
            let mut all = vec!["users", "add", &user, "--archive", &a];
            all.extend_from_slice(&args);
            let o = env.run(&all);
            assert!(o.status.success(), "users add {user}: {}", stderr(&o));
            env.users.push((name, c, stdout(&o).trim().to_string()));
        }
        env
    }

    /// Runs the binary with `args` (on the test database on the PostgreSQL pass).
    fn run(&self, args: &[&str]) -> Output {
        let mut c = bin();
        if let Some(db) = &self.database {
            c.env("CABLESCOPE_DATABASE", db);
        }
        c.args(args).output().expect("run cablescope")
    }

    fn a(&self) -> &str {
        self.archive.to_str().expect("utf-8")
    }

    /// Runs a reading command as `token`.
    fn as_user(&self, token: &str, args: &[&str]) -> Output {
        let mut all: Vec<&str> = args.to_vec();
        all.extend(["--archive", self.a(), "--token", token]);
        self.run(&all)
    }

    fn json(&self, token: &str, args: &[&str]) -> Value {
        let o = self.as_user(token, args);
        assert!(o.status.success(), "{args:?}: {}", stderr(&o));
        serde_json::from_str(&stdout(&o)).unwrap_or_else(|e| panic!("{args:?}: {e}"))
    }

    fn search(&self, token: &str, q: &str) -> Value {
        self.json(token, &["search", "--format", "json", "--limit", "100", q])
    }
}

fn forbidden<'a>(c: &'a Clearance) -> impl Iterator<Item = &'static Canary> + 'a {
    CANARIES.iter().filter(move |k| !k.readable_by(c))
}

fn assert_clean(name: &str, what: &str, text: &str, c: &Clearance) {
    let low = text.to_lowercase();
    for k in forbidden(c) {
        assert!(
            !low.contains(k.word),
            "{name}: {what} shows {}: {text}",
            k.word
        );
    }
}

#[test]
fn search_finds_a_canary_exactly_when_the_token_may_read_it() {
    let e = Env::new();
    for (name, c, token) in &e.users {
        for k in CANARIES {
            let f = if k.field == "classified_by" {
                "classified_by:"
            } else {
                ""
            };
            let prefix = &k.word[..k.word.len() - 2];
            let mut typo = k.word[..k.word.len() - 1].to_string();
            typo.push('x');
            for q in [
                format!("{f}{}", k.word),
                format!("{f}\"{}\" OR {f}{prefix}* OR {f}{typo}~1", k.phrase),
            ] {
                let v = e.search(token, &q);
                let want: Vec<String> = if k.readable_by(c) {
                    vec![k.cable.to_string()]
                } else {
                    vec![]
                };
                assert_eq!(hit_ids(&v), want, "{name}: {q}");
                assert_eq!(v["total"], want.len(), "{name}: {q}");
                let months = v["facets"]["month"].as_array().map(Vec::len).unwrap_or(0);
                assert_eq!(months, want.len(), "{name}: {q}: {}", v["facets"]);
            }
        }
    }
}

#[test]
fn every_cable_query_counts_and_shows_only_what_may_be_seen() {
    let e = Env::new();
    let every: Vec<&str> = CANARIES.iter().map(|k| k.word).collect();
    let any = every.join(" OR ");
    for (name, c, token) in &e.users {
        let want = visible_cables(c);
        let v = e.search(token, "*");
        assert_eq!(hit_ids(&v), want, "{name}");
        assert_eq!(v["total"], want.len(), "{name}");
        let months = v["facets"]["month"].as_array().expect("months");
        assert_eq!(months.len(), want.len(), "{name}: {months:?}");
        // Snippets and subjects of the hits of every canary at once.
        let v = e.search(token, &any);
        assert_clean(name, "search", &v["hits"].to_string(), c);
        // The table output too.
        let o = e.as_user(token, &["search", &any]);
        assert!(o.status.success());
        assert_clean(name, "search table", &stdout(&o), c);
        // Export: the redacted records of exactly the visible cables.
        let o = e.as_user(token, &["export", "*"]);
        assert!(o.status.success(), "{}", stderr(&o));
        let out = stdout(&o);
        assert_clean(name, "export", &out, c);
        let mut got: Vec<String> = out
            .lines()
            .map(|l| {
                let r: Value = serde_json::from_str(l).expect("jsonl");
                r["id"].as_str().expect("id").to_string()
            })
            .collect();
        got.sort();
        assert_eq!(got, want, "{name}");
        for k in CANARIES
            .iter()
            .filter(|k| k.readable_by(c) && k.field.is_empty())
        {
            assert!(out.to_lowercase().contains(k.word), "{name}: {}", k.word);
        }
        let o = e.as_user(token, &["export", "*", "--format", "csv"]);
        assert_clean(name, "csv export", &stdout(&o), c);
        // One record per visible cable (a text cell may span lines), and the
        // readable paragraph canaries in its text column.
        let csv = stdout(&o);
        let rows = csv::Reader::from_reader(csv.as_bytes()).records().count();
        assert_eq!(rows, want.len(), "{name}");
        for k in CANARIES
            .iter()
            .filter(|k| k.readable_by(c) && k.field.is_empty())
        {
            assert!(
                csv.to_lowercase().contains(k.word),
                "{name} csv: {}",
                k.word
            );
        }
        // Stats count the same cables.
        let s = e.json(token, &["stats", "--format", "json"]);
        assert_eq!(s["cables"], want.len(), "{name}: {s}");
    }
}

#[test]
fn show_refs_and_graph_treat_invisible_cables_as_unknown() {
    let e = Env::new();
    for (name, c, token) in &e.users {
        let want = visible_cables(c);
        for (id, _) in &cables() {
            for format in ["text", "json"] {
                let o = e.as_user(token, &["show", id, "--format", format]);
                if want.contains(id) {
                    assert!(o.status.success(), "{name} {id}: {}", stderr(&o));
                    assert_clean(name, "show", &stdout(&o), c);
                } else {
                    let unknown = e.as_user(token, &["show", "08STATE99", "--format", format]);
                    assert_eq!(o.status.code(), Some(1), "{name} {id}");
                    assert_eq!(o.status.code(), unknown.status.code());
                    assert!(o.stdout.is_empty());
                    assert_eq!(
                        stderr(&o).replace(id, "ID"),
                        stderr(&unknown).replace("08STATE99", "ID"),
                        "{name} {id}"
                    );
                }
            }
        }
        // Placeholders keep the number and marking of a withheld paragraph.
        let text = stdout(&e.as_user(token, &["show", "08MOSCOW20"]));
        assert!(text.contains("4. (S/NF)"), "{name}: {text}");
        let nodis = c
            .controls
            .contains(&cablescope_format::marking::Control::Nodis);
        let refs = e.as_user(token, &["refs", "08STATE40"]);
        assert_eq!(
            refs.status.code(),
            Some(if nodis { 0 } else { 1 }),
            "{name}"
        );
        let j = e.json(token, &["refs", "08PARIS70", "--format", "json"]);
        let missing: BTreeSet<&str> = j["missing"]
            .as_array()
            .expect("missing")
            .iter()
            .map(|m| m.as_str().expect("id"))
            .collect();
        assert_eq!(missing.contains("08STATE40"), !nodis, "{name}: {j}");
        let j = e.json(token, &["refs", "08MOSCOW20", "--format", "json"]);
        let edges = j["edges"].as_array().expect("edges").len();
        assert_eq!(edges, usize::from(c.rank >= 3), "{name}: {j}");
        // The graph: no edge out of a REF list the reader may not read.
        let g = e.json(token, &["graph", "--format", "json"]);
        let from: Vec<&str> = g["edges"]
            .as_array()
            .expect("edges")
            .iter()
            .map(|x| x["from"].as_str().expect("from"))
            .collect();
        assert_eq!(from.contains(&"08MOSCOW20"), c.rank >= 3, "{name}: {g}");
        let xml = stdout(&e.as_user(token, &["graph", "--format", "graphml"]));
        assert_clean(name, "graphml", &xml, c);
        // Cited by a U cable, so listed (as missing when invisible).
        assert!(xml.contains(r#"<node id="08STATE40">"#), "{name}");
    }
}

#[test]
fn reads_are_audited_with_what_was_withheld_and_bad_tokens_exit_3() {
    let e = Env::new();
    let (_, _, c_token) = e.users.iter().find(|u| u.0 == "C").expect("C reader");
    let o = e.as_user(c_token, &["show", "08MOSCOW20"]);
    assert!(o.status.success());
    let o = e.as_user(c_token, &["search", "zqsecret"]);
    assert!(o.status.success());
    let log = e.run(&["audit", "show", "--archive", e.a(), "--format", "json"]);
    assert!(log.status.success(), "{}", stderr(&log));
    let entries: Value = serde_json::from_str(&stdout(&log)).expect("json");
    let read = entries
        .as_array()
        .expect("entries")
        .iter()
        .find(|x| x["action"] == "read")
        .expect("a read entry");
    assert_eq!(read["what"], "08MOSCOW20");
    assert_eq!(read["clearance"], "C");
    let withheld: Vec<&str> = read["withheld"]
        .as_array()
        .expect("withheld")
        .iter()
        .map(|w| w.as_str().expect("str"))
        .collect();
    assert!(withheld.contains(&"08MOSCOW20 ¶4 (S/NF)"), "{withheld:?}");
    assert!(withheld.contains(&"08MOSCOW20 subject"), "{withheld:?}");
    let search = entries
        .as_array()
        .expect("entries")
        .iter()
        .find(|x| x["action"] == "search")
        .expect("a search entry");
    assert_eq!(search["results"], 0);
    // Every reading command refuses a bad token with status 3 and shows nothing.
    for args in [
        &["search", "*"][..],
        &["export"],
        &["show", "08PARIS10"],
        &["refs", "08PARIS10"],
        &["graph"],
        &["stats"],
        &["declass", "due"],
    ] {
        let o = e.as_user("cst_00_bad", args);
        assert_eq!(o.status.code(), Some(3), "{args:?}: {}", stderr(&o));
        assert!(o.stdout.is_empty(), "{args:?}");
        let mut none = args.to_vec();
        none.extend(["--archive", e.a()]);
        assert_eq!(
            e.run(&none).status.code(),
            Some(3),
            "{args:?} without a token"
        );
    }
}
