//! Helpers shared by the CLI tests: running the real binary (its path comes from
//! `CARGO_BIN_EXE_cablescope`, which only exists inside this crate's tests, so this
//! lives here and not in the testkit), reading its output, adding users, and the
//! one-cable archive of the `users` and `audit` tests.

// Each test crate uses a subset of these helpers.
#![allow(dead_code)]

use std::path::PathBuf;
use std::process::{Command, Output};

use cablescope_testkit::{write, Telegram};
use serde_json::Value;

/// The binary, with the archive, database and token variables of the
/// surrounding shell removed so they cannot change what a test sees.
pub fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_cablescope"));
    c.env_remove("CABLESCOPE_ARCHIVE");
    c.env_remove("CABLESCOPE_TOKEN");
    c.env_remove("CABLESCOPE_DATABASE");
    c
}

/// Runs the binary with `args`.
pub fn run(args: &[&str]) -> Output {
    bin().args(args).output().expect("run cablescope")
}

/// Standard output; the binary writes only UTF-8.
pub fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).expect("utf-8 stdout")
}

/// Standard error, for messages.
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The exit status (the binary is never killed by a signal in these tests).
pub fn code(o: &Output) -> i32 {
    o.status.code().expect("exited")
}

/// The ids of the hits of a `search --format json` answer, sorted.
pub fn hit_ids(v: &Value) -> Vec<String> {
    let mut ids: Vec<String> = v["hits"]
        .as_array()
        .expect("hits")
        .iter()
        .map(|h| h["id"].as_str().expect("id").to_string())
        .collect();
    ids.sort();
    ids
}

/// Adds user `name` to the archive at `archive` with `extra` options
/// (`--clearance S`, `--role curator`) and returns the token it prints.
pub fn add_user(archive: &str, name: &str, extra: &[&str]) -> String {
    let mut args = vec!["users", "add", name, "--archive", archive];
    args.extend_from_slice(extra);
    let o = run(&args);
    assert!(o.status.success(), "users add {name}: {}", stderr(&o));
    stdout(&o).trim().to_string()
}

/// The hand-written cable of the `users` and `audit` tests: 08OSLO321,
/// CONFIDENTIAL, with a (U) and a (C) paragraph.
pub fn oslo_cable() -> Telegram {
    Telegram::new("OSLO", 321)
        .class("CONFIDENTIAL")
        .tags("PREL, NO")
        .subject("HERRING QUOTA TALKS")
        .classified_by("Ambassador Jane Roe")
        .para("U", "The herring delegation met on Tuesday.")
        .para("C", "The quota figure stays between us.")
        .signature("ROE")
}

/// A temporary archive holding [`oslo_cable`]. Test files add their own methods
/// in `impl Fixture` blocks. With `CABLESCOPE_TEST_BACKEND=postgres` its store,
/// users and audit log are in a test database (`$CABLESCOPE_DATABASE` of every
/// command it runs), the folder holding the index and the audit key.
pub struct Fixture {
    _tmp: tempfile::TempDir,
    /// The archive folder.
    pub archive: PathBuf,
    /// The test database on the PostgreSQL pass.
    pub database: Option<String>,
}

impl Fixture {
    /// Ingests the cable into a new archive.
    pub fn new() -> Fixture {
        let tmp = tempfile::tempdir().unwrap();
        let cable = write(tmp.path(), "08OSLO321.txt", oslo_cable().text());
        let archive = tmp.path().join("arch");
        let database = cablescope_testkit::pg::postgres_backend().then(|| {
            std::fs::create_dir_all(&archive).unwrap();
            cablescope_testkit::pg::database_for(&archive).expect("a test database")
        });
        let f = Fixture {
            _tmp: tmp,
            archive,
            database,
        };
        let o = f.run(&["ingest", cable.to_str().unwrap()]);
        assert!(o.status.success(), "ingest: {}", stderr(&o));
        f
    }

    /// Where the users and the audit log are (beside the store).
    pub fn access(&self) -> cablescope_access::AccessLocation {
        let store = cablescope_access::StoreLocation::from_url(self.database.as_deref());
        cablescope_access::AccessLocation::beside(&self.archive, &store)
    }

    /// The archive path as an argument.
    pub fn a(&self) -> &str {
        self.archive.to_str().unwrap()
    }

    /// `cablescope ARGS... --archive DIR` (on the test database, if any).
    pub fn run(&self, args: &[&str]) -> Output {
        let mut all = args.to_vec();
        all.extend(["--archive", self.a()]);
        let mut c = bin();
        if let Some(db) = &self.database {
            c.env("CABLESCOPE_DATABASE", db);
        }
        c.args(&all).output().expect("run cablescope")
    }
}

/// Splits a command line as the demo prints it into words (single quotes only).
pub fn shell_words(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let (mut quoted, mut started) = (false, false);
    for ch in s.chars() {
        match ch {
            '\'' => {
                quoted = !quoted;
                started = true;
            }
            c if c.is_whitespace() && !quoted => {
                if started {
                    out.push(std::mem::take(&mut cur));
                    started = false;
                }
            }
            c => {
                cur.push(c);
                started = true;
            }
        }
    }
    if started {
        out.push(cur);
    }
    out
}
