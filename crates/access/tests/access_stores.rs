//! Users, sessions and the audit log behave alike in `access.db` and in a shared
//! PostgreSQL database, and on a shared database several nodes (several
//! directories, one database) see one set of users, one set of sessions and one
//! audit chain. The PostgreSQL half needs `CABLESCOPE_TEST_DATABASE` (CI sets it;
//! elsewhere it is skipped with a notice).

use std::path::Path;

use cablescope_access::audit::{AuditEntry, AuditFilter, AuditLog, KEY_FILE};
use cablescope_access::users::{AccessError, AuthError, Role, Users};
use cablescope_access::{AccessLocation, Clearance, StoreLocation};
use jiff::Timestamp;

/// The two places to try: `access.db` in `dir`, and (when a test cluster is
/// configured) a database of the test's own with `dir` as the node directory.
fn places(dir: &Path) -> Vec<AccessLocation> {
    let embedded = dir.join("embedded");
    std::fs::create_dir_all(&embedded).unwrap();
    let mut out = vec![AccessLocation::embedded(&embedded)];
    let node = dir.join("node-a");
    std::fs::create_dir_all(&node).unwrap();
    if let Some(url) = cablescope_testkit::pg::database_for(&node) {
        out.push(AccessLocation::beside(&node, &StoreLocation::Postgres(url)));
    }
    out
}

/// A second node on the same database (its own directory), or the same
/// directory for the embedded form.
fn other_node(at: &AccessLocation, dir: &Path) -> AccessLocation {
    match at.database() {
        None => at.clone(),
        Some(url) => {
            let node = dir.join("node-b");
            std::fs::create_dir_all(&node).unwrap();
            AccessLocation::beside(&node, &StoreLocation::Postgres(url.to_string()))
        }
    }
}

fn secret() -> Clearance {
    cablescope_access::users::parse_clearance("S", &["NOFORN"]).unwrap()
}

#[test]
fn users_tokens_and_roles_alike_on_both_stores() {
    let d = tempfile::tempdir().unwrap();
    for at in places(d.path()) {
        let what = at.describe();
        assert!(!cablescope_access::users::has_users(&at).unwrap(), "{what}");
        let users = Users::open(&at).unwrap();
        let token = users.add("alice", &secret(), Role::Curator, None).unwrap();
        assert!(matches!(
            users.add("alice", &secret(), Role::Reader, None),
            Err(AccessError::NameTaken(_))
        ));
        // Another node, another connection: the same user and token.
        let b = Users::open(other_node(&at, d.path())).unwrap();
        let alice = b.authenticate(&token).unwrap();
        assert_eq!((alice.name.as_str(), alice.role), ("alice", Role::Curator));
        assert_eq!(alice.clearance, secret());
        assert!(matches!(
            b.authenticate(&token.replace('a', "b")),
            Err(AuthError::Unknown | AuthError::Malformed)
        ));
        let rotated = b.rotate("alice").unwrap();
        assert!(matches!(
            users.authenticate(&token),
            Err(AuthError::Unknown)
        ));
        assert!(users.authenticate(&rotated).is_ok());
        assert!(users.revoke("alice").unwrap());
        assert!(!b.revoke("alice").unwrap(), "{what}: revoked already");
        assert!(matches!(b.authenticate(&rotated), Err(AuthError::Revoked)));
        assert!(matches!(
            b.rotate("alice"),
            Err(AccessError::UserRevoked(_))
        ));
        assert!(matches!(
            b.revoke("nobody"),
            Err(AccessError::NoSuchUser(_))
        ));
        users
            .add("bob", &Clearance::all(), Role::Reader, Some(1))
            .unwrap();
        let names: Vec<String> = b.list().unwrap().into_iter().map(|u| u.name).collect();
        assert_eq!(names, ["alice", "bob"], "{what}");
        assert!(cablescope_access::users::has_users(&at).unwrap());
    }
}

#[test]
fn a_session_opened_on_one_node_is_known_to_the_other() {
    let d = tempfile::tempdir().unwrap();
    for at in places(d.path()) {
        let what = at.describe();
        let a = Users::open(&at).unwrap();
        a.add("carol", &secret(), Role::Reader, None).unwrap();
        let carol = a.get("carol").unwrap().unwrap();
        let now = Timestamp::now();
        let (id, csrf) = a.open_session(&carol, now).unwrap();
        let b = Users::open(other_node(&at, d.path())).unwrap();
        let info = b
            .session(&id, now)
            .unwrap()
            .expect("known on the other node");
        assert_eq!(
            (info.user.as_str(), info.csrf.as_str()),
            ("carol", csrf.as_str())
        );
        assert_eq!(info.token_id, carol.token_id, "{what}");
        // Signing out on B ends it on A.
        assert!(b.end_session(&id).unwrap());
        assert!(a.session(&id, now).unwrap().is_none(), "{what}");
        // A forged or malformed id finds nothing.
        assert!(a.session(&"0".repeat(64), now).unwrap().is_none());
        assert!(a
            .session("'; DROP TABLE sessions; --", now)
            .unwrap()
            .is_none());
    }
}

#[test]
fn one_audit_chain_for_every_node_and_a_foreign_key_refused() {
    let d = tempfile::tempdir().unwrap();
    for at in places(d.path()) {
        let what = at.describe();
        let log_a = AuditLog::open(&at).unwrap();
        let first = log_a
            .record(&AuditEntry::new("alice", "search", "tag:PREL"))
            .unwrap();
        assert_eq!(first, 1, "{what}");
        let b = other_node(&at, d.path());
        if at.is_shared() {
            // Node B has no key yet: it refuses to write rather than fork the chain.
            let log_b = AuditLog::open(&b).unwrap();
            let e = log_b
                .record(&AuditEntry::new("bob", "read", "08MOSCOW1599"))
                .unwrap_err();
            assert!(matches!(e, AccessError::KeyMismatch(_)), "{e}");
            assert!(e.to_string().contains(KEY_FILE), "{e}");
            // A key of its own (another secret) is refused too.
            let foreign = tempfile::tempdir().unwrap();
            let other = AuditLog::open(AccessLocation::embedded(foreign.path())).unwrap();
            other.record(&AuditEntry::new("x", "y", "z")).unwrap();
            std::fs::copy(foreign.path().join(KEY_FILE), b.dir().join(KEY_FILE)).unwrap();
            let log_b = AuditLog::open(&b).unwrap();
            assert!(matches!(
                log_b.record(&AuditEntry::new("bob", "read", "x")),
                Err(AccessError::KeyMismatch(_))
            ));
            // With the chain's key copied over, B appends to the same chain.
            std::fs::copy(at.dir().join(KEY_FILE), b.dir().join(KEY_FILE)).unwrap();
        }
        let log_b = AuditLog::open(&b).unwrap();
        let threads: Vec<_> = (0..4)
            .map(|t| {
                let place = if t % 2 == 0 { at.clone() } else { b.clone() };
                std::thread::spawn(move || {
                    let log = AuditLog::open(&place).unwrap();
                    for i in 0..10 {
                        log.record(&AuditEntry::new(&format!("u{t}"), "read", &format!("{i}")))
                            .unwrap();
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        let report = log_b.verify().unwrap();
        assert!(report.is_ok(), "{what}: {report:?}");
        assert_eq!(report.entries, 41, "{what}");
        assert_eq!(report.unkeyed, 0, "{what}");
        assert_eq!(log_a.verify().unwrap().head_hash, report.head_hash);
        let last = log_a
            .entries(&AuditFilter {
                who: Some("u1".into()),
                limit: Some(3),
                ..AuditFilter::default()
            })
            .unwrap();
        assert_eq!(last.len(), 3);
        assert!(last.windows(2).all(|w| w[0].seq < w[1].seq), "oldest first");
    }
}
