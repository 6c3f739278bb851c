//! `cablescope users` end to end, driving the real binary: adding users prints the
//! token alone, level and caveat parsing (and its usage errors), listing with
//! status, and what a closed archive does with missing, wrong, revoked, expired
//! and rotated tokens (exit status 3), through `--token` and `$CABLESCOPE_TOKEN`.

mod common;

use std::path::Path;
use std::process::Output;

use common::{bin, code, run, stderr, stdout, Fixture};
use serde_json::Value;

// The archive with the one fixture cable comes from `common`; these are the users
// tests' own steps on it.
impl Fixture {
    /// Adds a user and returns the token.
    fn add(&self, name: &str, extra: &[&str]) -> String {
        let mut args = vec!["users", "add", name];
        args.extend(extra);
        let o = self.run(&args);
        assert!(o.status.success(), "users add: {}", stderr(&o));
        token_of(&o)
    }

    /// `cablescope stats` with a token given by option, by variable, or not at all.
    fn stats(&self, option: Option<&str>, env: Option<&str>) -> Output {
        let mut args = vec!["stats", "--archive", self.a()];
        if let Some(t) = option {
            args.extend(["--token", t]);
        }
        run_env(&args, env)
    }

    fn list_json(&self) -> Vec<Value> {
        let o = self.run(&["users", "list", "--format", "json"]);
        assert!(o.status.success(), "{}", stderr(&o));
        serde_json::from_str::<Value>(&stdout(&o))
            .unwrap()
            .as_array()
            .unwrap()
            .clone()
    }
}

fn run_env(args: &[&str], token: Option<&str>) -> Output {
    let mut cmd = bin();
    cmd.args(args);
    if let Some(t) = token {
        cmd.env("CABLESCOPE_TOKEN", t);
    }
    cmd.output().expect("run cablescope")
}

/// The token printed by `users add`/`rotate`: stdout must be exactly one line.
fn token_of(o: &Output) -> String {
    let out = stdout(o);
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 1, "stdout must hold only the token: {out:?}");
    assert!(out.ends_with('\n'));
    let t = lines[0];
    let parts: Vec<&str> = t.splitn(3, '_').collect();
    assert_eq!(parts.len(), 3, "{t}");
    assert_eq!(parts[0], "cst");
    assert_eq!(parts[1].len(), 16);
    assert_eq!(parts[2].len(), 64);
    assert!(parts[1..]
        .iter()
        .all(|p| p.bytes().all(|b| b.is_ascii_hexdigit())));
    t.to_string()
}

fn user<'a>(list: &'a [Value], name: &str) -> &'a Value {
    list.iter()
        .find(|u| u["name"] == name)
        .unwrap_or_else(|| panic!("{name} not in {list:?}"))
}

#[test]
fn add_prints_only_the_token_and_list_shows_the_user() {
    let f = Fixture::new();
    let o = f.run(&[
        "users",
        "add",
        "alice",
        "--clearance",
        "secret",
        "--caveat",
        "NOFORN,exdis",
        "--role",
        "curator",
        "--expires",
        "30",
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let token = token_of(&o);
    let err = stderr(&o);
    assert!(err.contains("added alice"), "{err}");
    assert!(!err.contains(&token), "the token goes to stdout only");
    assert!(err.contains("now has users"), "{err}");

    let list = f.list_json();
    assert_eq!(list.len(), 1);
    let a = user(&list, "alice");
    assert_eq!(a["role"], "curator");
    assert_eq!(a["clearance"], "S+EXDIS+NOFORN");
    assert_eq!(a["level"], "S");
    assert_eq!(a["status"], "active");
    assert!(a["expires"].is_string());
    assert!(token.starts_with(&format!("cst_{}_", a["token_id"].as_str().unwrap())));
    // The list never shows a token.
    let table = stdout(&f.run(&["users", "list"]));
    assert!(!table.contains(&token));
    assert!(table.starts_with("NAME"), "{table}");
}

#[test]
fn levels_and_caveats_parse_like_people_write_them() {
    let f = Fixture::new();
    f.add("ts", &["--clearance", "Top Secret"]);
    f.add("lou", &["--clearance", "lou"]);
    f.add(
        "conf",
        &[
            "--clearance",
            "Confidential",
            "--caveat",
            "noforn",
            "--caveat",
            "eyes only",
        ],
    );
    f.add("u", &["--clearance", "U", "--role", "admin"]);
    let list = f.list_json();
    assert_eq!(user(&list, "ts")["clearance"], "TS");
    assert_eq!(user(&list, "lou")["clearance"], "SBU");
    assert_eq!(user(&list, "conf")["clearance"], "C+EYES_ONLY+NOFORN");
    assert_eq!(user(&list, "u")["role"], "admin");
    assert_eq!(user(&list, "u")["expires"], Value::Null);
    // Default role: reader.
    assert_eq!(user(&list, "ts")["role"], "reader");
}

#[test]
fn bad_arguments_are_usage_errors_and_change_nothing() {
    let f = Fixture::new();
    for args in [
        &["users", "add", "bob", "--clearance", "restricted"][..],
        &[
            "users",
            "add",
            "bob",
            "--clearance",
            "C",
            "--caveat",
            "NOFRON",
        ],
        &[
            "users",
            "add",
            "bob",
            "--clearance",
            "C",
            "--caveat",
            "NOFORN,BOGUS",
        ],
        &["users", "add", "bob"],
        &["users", "add", "bad name", "--clearance", "C"],
        &["users", "add", "bob", "--clearance", "C", "--role", "root"],
        &["users", "add", "bob", "--clearance", "C", "--expires", "0"],
        &[
            "users",
            "add",
            "bob",
            "--clearance",
            "C",
            "--expires",
            "soon",
        ],
    ] {
        let o = f.run(args);
        assert_eq!(code(&o), 2, "{args:?}: {}", stderr(&o));
        assert!(stdout(&o).is_empty(), "{args:?}");
    }
    let o = f.run(&[
        "users",
        "add",
        "bob",
        "--clearance",
        "C",
        "--caveat",
        "NOFRON",
    ]);
    assert!(stderr(&o).contains("NOFORN"), "lists the known caveats");
    assert!(f.list_json().is_empty());
    // Nothing made the archive closed.
    assert_eq!(code(&f.stats(None, None)), 0);
}

#[test]
fn duplicate_and_missing_names_and_archives() {
    let f = Fixture::new();
    f.add("alice", &["--clearance", "C"]);
    let o = f.run(&["users", "add", "alice", "--clearance", "TS"]);
    assert_eq!(code(&o), 1);
    assert!(stderr(&o).contains("already exists"), "{}", stderr(&o));
    assert!(stdout(&o).is_empty());
    assert_eq!(user(&f.list_json(), "alice")["clearance"], "C");

    let o = f.run(&["users", "revoke", "nobody"]);
    assert_eq!(code(&o), 1);
    assert!(stderr(&o).contains("no user named nobody"));
    let o = f.run(&["users", "rotate", "nobody"]);
    assert_eq!(code(&o), 1);

    // No archive there: an error, and nothing created.
    let tmp = tempfile::tempdir().unwrap();
    let missing = tmp.path().join("typo");
    let o = run(&[
        "users",
        "add",
        "x",
        "--clearance",
        "C",
        "--archive",
        missing.to_str().unwrap(),
    ]);
    assert_eq!(code(&o), 1);
    assert!(stderr(&o).contains("no archive at"), "{}", stderr(&o));
    assert!(!missing.exists());
}

#[test]
fn closed_archive_needs_a_valid_token() {
    let f = Fixture::new();
    // Open archive: no token needed.
    let o = f.stats(None, None);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stdout(&o).contains("cables: 1"));

    let alice = f.add("alice", &["--clearance", "C"]);

    // Missing token: exit 3, one line on stderr, nothing on stdout.
    let o = f.stats(None, None);
    assert_eq!(code(&o), 3, "{}", stderr(&o));
    assert!(stdout(&o).is_empty());
    let err = stderr(&o);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("token is required"), "{err}");

    // By option and by variable.
    assert_eq!(code(&f.stats(Some(&alice), None)), 0);
    let o = f.stats(None, Some(&alice));
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stdout(&o).contains("cables: 1"));

    // Wrong secret, malformed: exit 3, and the message does not say which part.
    let (head, secret) = alice.rsplit_once('_').unwrap();
    let wrong = format!("{head}_{}", secret.chars().rev().collect::<String>());
    let o = f.stats(Some(&wrong), None);
    assert_eq!(code(&o), 3);
    assert!(stderr(&o).contains("invalid token"), "{}", stderr(&o));
    assert!(!stderr(&o).contains("alice"));
    let o = f.stats(Some("letmein"), None);
    assert_eq!(code(&o), 3);
    assert!(stderr(&o).contains("malformed token"));
    // The option wins over the variable.
    assert_eq!(code(&f.stats(Some("letmein"), Some(&alice))), 3);
    assert_eq!(code(&f.stats(Some(&alice), Some("letmein"))), 0);
    // An empty variable counts as none.
    assert_eq!(code(&f.stats(None, Some(""))), 3);
}

#[test]
fn revoke_rotate_and_expiry() {
    let f = Fixture::new();
    let alice = f.add("alice", &["--clearance", "C"]);
    let bob = f.add("bob", &["--clearance", "S"]);
    let carol = f.add("carol", &["--clearance", "U", "--expires", "5"]);

    // Revoke: the token stops working; the archive stays closed.
    let o = f.run(&["users", "revoke", "bob"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stdout(&o).is_empty());
    let o = f.stats(Some(&bob), None);
    assert_eq!(code(&o), 3);
    assert!(stderr(&o).contains("revoked"), "{}", stderr(&o));
    assert_eq!(code(&f.stats(None, None)), 3);
    // Revoking again is not an error; rotating a revoked user is.
    assert_eq!(code(&f.run(&["users", "revoke", "bob"])), 0);
    let o = f.run(&["users", "rotate", "bob"]);
    assert_eq!(code(&o), 1);
    assert!(stdout(&o).is_empty());

    // Rotate: one line, a new token; the old one is refused.
    let o = f.run(&["users", "rotate", "alice"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let alice2 = token_of(&o);
    assert_ne!(alice, alice2);
    assert_eq!(code(&f.stats(Some(&alice), None)), 3);
    assert_eq!(code(&f.stats(Some(&alice2), None)), 0);

    // Expiry, moved into the past in the database (no waiting).
    assert_eq!(code(&f.stats(Some(&carol), None)), 0);
    let db = rusqlite::Connection::open(f.archive.join("access.db")).unwrap();
    db.execute(
        "UPDATE users SET expires_us = 1000000 WHERE name = 'carol'",
        [],
    )
    .unwrap();
    drop(db);
    let o = f.stats(Some(&carol), None);
    assert_eq!(code(&o), 3);
    assert!(stderr(&o).contains("expired"), "{}", stderr(&o));

    // The list shows each status.
    let list = f.list_json();
    assert_eq!(user(&list, "alice")["status"], "active");
    assert_eq!(user(&list, "bob")["status"], "revoked");
    assert_eq!(user(&list, "carol")["status"], "expired");
    let table = stdout(&f.run(&["users", "list"]));
    let status_of = |name: &str| {
        table
            .lines()
            .find(|l| l.starts_with(&format!("{name} ")))
            .and_then(|l| l.split_whitespace().last())
            .map(str::to_string)
    };
    assert_eq!(status_of("alice").as_deref(), Some("active"));
    assert_eq!(status_of("bob").as_deref(), Some("revoked"));
    assert_eq!(status_of("carol").as_deref(), Some("expired"));
}

#[test]
fn user_changes_and_refused_tokens_are_audited() {
    let f = Fixture::new();
    f.add("alice", &["--clearance", "C", "--caveat", "NOFORN"]);
    f.run(&["users", "revoke", "alice"]);
    f.stats(Some("cst_nope"), None);
    f.stats(None, None);
    let o = f.run(&["audit", "show", "--format", "jsonl"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let entries: Vec<Value> = stdout(&o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let actions: Vec<&str> = entries
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["users", "users", "login_failed", "login_failed"]);
    assert!(entries[0]["what"]
        .as_str()
        .unwrap()
        .contains("add alice role=reader clearance=C+NOFORN"));
    assert!(entries[0]["who"].as_str().unwrap().starts_with("local:"));
    assert_eq!(entries[1]["what"], "revoke alice");
    assert_eq!(entries[2]["who"], "anonymous");
    assert!(entries[3]["what"]
        .as_str()
        .unwrap()
        .contains("token is required"));
    let o = f.run(&["audit", "verify"]);
    assert_eq!(code(&o), 0, "{}", stdout(&o));
}

#[test]
fn list_of_an_open_archive_is_empty_and_creates_nothing() {
    let f = Fixture::new();
    let o = f.run(&["users", "list"]);
    assert_eq!(code(&o), 0);
    assert!(stdout(&o).is_empty());
    assert!(stderr(&o).contains("no users"));
    assert!(f.list_json().is_empty());
    assert!(!Path::new(&f.archive).join("access.db").exists());
}
