//! Users and tokens: add, authenticate, list, revoke, rotate, expiry, refusal of
//! wrong and malformed tokens, and that only digests of the secrets are stored.

use cablescope_access::access_db::{self, AccessError};
use cablescope_access::users::{
    self, clearance_label, demo_users, parse_clearance, AuthError, Role, UserStatus, Users,
};
use cablescope_access::{Clearance, Viewer};
use jiff::{SignedDuration, Timestamp};

fn clearance(level: &str, caveats: &[&str]) -> Clearance {
    parse_clearance(level, caveats).unwrap()
}

#[test]
fn add_then_authenticate_and_list() {
    let d = tempfile::tempdir().unwrap();
    assert!(!users::has_users(d.path()).unwrap());
    // Asking whether there are users creates nothing.
    assert!(!access_db::exists(d.path()));

    let u = Users::open(d.path()).unwrap();
    assert!(!u.has_users().unwrap());
    let tok = u
        .add(
            "alice",
            &clearance("S", &["NOFORN"]),
            Role::Curator,
            Some(30),
        )
        .unwrap();
    let tok_b = u
        .add("bob", &clearance("C", &[]), Role::Reader, None)
        .unwrap();
    assert_ne!(tok, tok_b);
    assert!(u.has_users().unwrap());
    assert!(users::has_users(d.path()).unwrap());

    let alice = u.authenticate(&tok).unwrap();
    assert_eq!(alice.name, "alice");
    assert_eq!(alice.role, Role::Curator);
    assert_eq!(clearance_label(&alice.clearance), "S+NOFORN");
    let exp = alice.expires.expect("30 days");
    let days = exp.duration_since(alice.created).as_hours() / 24;
    assert_eq!(days, 30);
    // Surrounding whitespace (a pasted token) is tolerated.
    assert_eq!(u.authenticate(&format!(" {tok_b}\n")).unwrap().name, "bob");

    let v = Viewer::from_user(&alice);
    assert_eq!(v.who(), "alice");
    assert!(v.has_role(Role::Reader) && v.has_role(Role::Curator) && !v.has_role(Role::Admin));
    assert_eq!(v.clearance.rank, 3);

    let list = u.list().unwrap();
    let names: Vec<&str> = list.iter().map(|u| u.name.as_str()).collect();
    assert_eq!(names, ["alice", "bob"]);
    assert!(list.iter().all(|u| u.status() == UserStatus::Active));
    assert_eq!(list[1].expires, None);
}

#[test]
fn names_are_checked_and_unique() {
    let d = tempfile::tempdir().unwrap();
    let u = Users::open(d.path()).unwrap();
    let c = clearance("U", &[]);
    for bad in ["", "has space", "semi;colon", &"x".repeat(65), "ünï"] {
        assert!(
            matches!(
                u.add(bad, &c, Role::Reader, None),
                Err(AccessError::InvalidName(_))
            ),
            "{bad:?}"
        );
    }
    u.add("a.b_c@d-e", &c, Role::Reader, None).unwrap();
    assert!(matches!(
        u.add("a.b_c@d-e", &c, Role::Admin, None),
        Err(AccessError::NameTaken(_))
    ));
    // The failed add changed nothing.
    assert_eq!(u.get("a.b_c@d-e").unwrap().unwrap().role, Role::Reader);
}

#[test]
fn wrong_and_malformed_tokens() {
    let d = tempfile::tempdir().unwrap();
    let u = Users::open(d.path()).unwrap();
    let tok = u
        .add("alice", &clearance("C", &[]), Role::Reader, None)
        .unwrap();

    assert!(matches!(u.authenticate(""), Err(AuthError::Missing)));
    assert!(matches!(u.authenticate("   "), Err(AuthError::Missing)));
    for bad in [
        "hello",
        "cst_",
        "cst_zz_zz",
        &tok[..tok.len() - 1],
        &format!("{tok}0"),
        &tok.to_uppercase(),
        &tok.replacen("cst_", "xyz_", 1),
    ] {
        assert!(
            matches!(u.authenticate(bad), Err(AuthError::Malformed)),
            "{bad:?}"
        );
    }
    // Right id, wrong secret; and an id nobody has: the same refusal.
    let (head, secret) = tok.rsplit_once('_').unwrap();
    let flipped: String = secret
        .chars()
        .enumerate()
        .map(|(i, ch)| {
            if i == 10 {
                if ch == 'a' {
                    'b'
                } else {
                    'a'
                }
            } else {
                ch
            }
        })
        .collect();
    let wrong_secret = format!("{head}_{flipped}");
    let wrong_id = format!("cst_{}_{secret}", "0".repeat(16));
    let e1 = u.authenticate(&wrong_secret).unwrap_err();
    let e2 = u.authenticate(&wrong_id).unwrap_err();
    assert!(matches!(e1, AuthError::Unknown));
    assert!(matches!(e2, AuthError::Unknown));
    assert_eq!(e1.to_string(), e2.to_string());
    assert!(!e1.to_string().contains("alice"));
    // The real one still works.
    assert_eq!(u.authenticate(&tok).unwrap().name, "alice");
}

#[test]
fn revoke_stops_the_token_and_keeps_the_archive_closed() {
    let d = tempfile::tempdir().unwrap();
    let u = Users::open(d.path()).unwrap();
    let tok = u
        .add("alice", &clearance("TS", &[]), Role::Admin, None)
        .unwrap();
    assert!(u.revoke("alice").unwrap());
    assert!(!u.revoke("alice").unwrap(), "second revoke changes nothing");
    assert!(matches!(u.authenticate(&tok), Err(AuthError::Revoked)));
    assert_eq!(
        u.get("alice").unwrap().unwrap().status(),
        UserStatus::Revoked
    );
    // A revoked user still counts: the archive stays closed.
    assert!(users::has_users(d.path()).unwrap());
    assert!(matches!(
        u.revoke("nobody"),
        Err(AccessError::NoSuchUser(_))
    ));
    // No new token for a revoked user.
    assert!(matches!(
        u.rotate("alice"),
        Err(AccessError::UserRevoked(_))
    ));
    assert!(matches!(
        u.rotate("nobody"),
        Err(AccessError::NoSuchUser(_))
    ));
}

#[test]
fn rotate_replaces_the_token() {
    let d = tempfile::tempdir().unwrap();
    let u = Users::open(d.path()).unwrap();
    let old = u
        .add("alice", &clearance("C", &[]), Role::Reader, Some(10))
        .unwrap();
    let before = u.get("alice").unwrap().unwrap();
    let new = u.rotate("alice").unwrap();
    assert_ne!(old, new);
    assert!(matches!(u.authenticate(&old), Err(AuthError::Unknown)));
    let after = u.authenticate(&new).unwrap();
    assert_ne!(after.token_id, before.token_id);
    assert_eq!(after.expires, before.expires, "rotation keeps the expiry");
    assert_eq!(after.clearance, before.clearance);
}

#[test]
fn expiry_is_checked_on_every_authenticate() {
    let d = tempfile::tempdir().unwrap();
    let u = Users::open(d.path()).unwrap();
    let now = Timestamp::now();
    // Created 3 days ago with a 2-day expiry: expired a day ago.
    let past = now - SignedDuration::from_hours(72);
    let tok = u
        .add_at("old", &clearance("C", &[]), Role::Reader, Some(2), past)
        .unwrap();
    assert!(matches!(u.authenticate(&tok), Err(AuthError::Expired)));
    assert_eq!(u.get("old").unwrap().unwrap().status(), UserStatus::Expired);

    // A token that works now stops working once its time has passed.
    let tok = u
        .add("fresh", &clearance("C", &[]), Role::Reader, Some(1))
        .unwrap();
    assert!(u.authenticate(&tok).is_ok());
    let later = now + SignedDuration::from_hours(25);
    assert!(matches!(
        u.authenticate_at(&tok, later),
        Err(AuthError::Expired)
    ));
    // Revoked wins over expired.
    u.revoke("old").unwrap();
    assert_eq!(u.get("old").unwrap().unwrap().status(), UserStatus::Revoked);
}

#[test]
fn only_digests_are_stored() {
    let d = tempfile::tempdir().unwrap();
    let tokens: Vec<String> = {
        let u = Users::open(d.path()).unwrap();
        let a = u
            .add("alice", &clearance("C", &[]), Role::Reader, None)
            .unwrap();
        let b = u
            .add("bob", &clearance("S", &[]), Role::Reader, None)
            .unwrap();
        let b2 = u.rotate("bob").unwrap();
        vec![a, b, b2]
    };
    // Read every byte of the database and its WAL: no secret appears, in text or
    // in bytes.
    let mut raw = Vec::new();
    for entry in std::fs::read_dir(d.path()).unwrap() {
        let p = entry.unwrap().path();
        if p.file_name()
            .unwrap()
            .to_string_lossy()
            .starts_with("access.db")
        {
            raw.extend(std::fs::read(&p).unwrap());
        }
    }
    assert!(!raw.is_empty());
    let raw = String::from_utf8_lossy(&raw).to_string();
    for t in &tokens {
        let secret = t.rsplit_once('_').unwrap().1;
        assert_eq!(secret.len(), 64);
        assert!(!raw.contains(secret), "secret of {t} stored");
        assert!(!raw.contains(t.as_str()));
    }
    // What is stored is the digest, next to the public id.
    let conn = rusqlite::Connection::open(d.path().join("access.db")).unwrap();
    let (id, digest): (String, String) = conn
        .query_row(
            "SELECT token_id, token_digest FROM users WHERE name = 'alice'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert!(tokens[0].starts_with(&format!("cst_{id}_")));
    assert_eq!(digest.len(), 64);
    assert_ne!(digest, tokens[0].rsplit_once('_').unwrap().1);
}

#[test]
fn demo_users_have_the_three_clearances() {
    let d = tempfile::tempdir().unwrap();
    let made = demo_users(d.path()).unwrap();
    let got: Vec<(&str, &str)> = made
        .iter()
        .map(|(n, c, _)| (n.as_str(), c.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            ("reader-u", "U"),
            ("reader-c", "C"),
            ("reader-s-nf", "S+NOFORN")
        ]
    );
    let u = Users::open(d.path()).unwrap();
    for (name, _, token) in &made {
        let user = u.authenticate(token).unwrap();
        assert_eq!(&user.name, name);
        assert_eq!(user.role, Role::Reader);
    }
    let snf = u.get("reader-s-nf").unwrap().unwrap();
    assert!(snf
        .clearance
        .controls
        .contains(&cablescope_access::Control::Noforn));
    assert_eq!(snf.clearance.rank, 3);
}

#[test]
fn anonymous_viewer_sees_everything() {
    let v = Viewer::anonymous();
    assert_eq!(v.who(), "anonymous");
    assert_eq!(v.clearance, Clearance::all());
    assert_eq!(v.role, None);
}

#[test]
fn no_directory_no_database() {
    let d = tempfile::tempdir().unwrap();
    let missing = d.path().join("typo");
    assert!(matches!(
        Users::open(&missing),
        Err(AccessError::NoDirectory(_))
    ));
    assert!(!users::has_users(&missing).unwrap());
    assert!(!missing.exists());
}
