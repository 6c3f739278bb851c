//! `cablescope release-copy`: an admin declares a copy an official (declassified)
//! release, which then governs the markings of what it holds; without the
//! declaration, the most restrictive copy governs. Readers below the admin role
//! cannot declare, and every declaration is audited.

mod common;

use cablescope_testkit::{write, Telegram};
use common::{add_user, code, run, stderr, stdout};
use serde_json::Value;

fn secret() -> Telegram {
    Telegram::new("ANKARA", 77)
        .class("SECRET")
        .subject("(S) BORDER TALKS")
        .para("U", "The delegation met at the border.")
        .para("S", "The minister named zqreleased sources.")
}

/// The same cable as released under FOIA: downgraded to UNCLASSIFIED.
fn release() -> Telegram {
    Telegram::new("ANKARA", 77)
        .class("UNCLASSIFIED")
        .eo("N/A")
        .subject("(U) BORDER TALKS")
        .para("U", "The delegation met at the border.")
        .para("U", "The minister named zqreleased sources.")
}

fn search(archive: &str, token: &str, q: &str) -> Value {
    let o = run(&[
        "search",
        "--format",
        "json",
        "--archive",
        archive,
        "--token",
        token,
        q,
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    serde_json::from_str(&stdout(&o)).unwrap()
}

#[test]
fn an_admin_declares_an_official_release_and_can_take_it_back() {
    let tmp = tempfile::tempdir().unwrap();
    let src = tmp.path().join("src");
    write(&src, "secret.txt", secret().text());
    let foia = write(&src, "foia/release.txt", release().text());
    let archive = tmp.path().join("archive");
    let a = archive.to_str().unwrap();
    let o = run(&["ingest", "--archive", a, src.to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    let admin = add_user(a, "admin", &["--clearance", "TS", "--role", "admin"]);
    let reader = add_user(a, "reader", &["--clearance", "U"]);
    let foia = foia.to_str().unwrap();

    // Before: the SECRET copy governs, the U reader does not find the word.
    assert_eq!(search(a, &reader, "zqreleased")["total"], 0);
    // A reader may not declare.
    let o = run(&["release-copy", "--archive", a, "--token", &reader, foia]);
    assert_eq!(code(&o), 3, "{}", stderr(&o));
    assert_eq!(search(a, &reader, "zqreleased")["total"], 0);
    // An unknown input is an error, not a silent no-op.
    let o = run(&[
        "release-copy",
        "--archive",
        a,
        "--token",
        &admin,
        "/no/such",
    ]);
    assert_eq!(code(&o), 1, "{}", stderr(&o));

    // The admin declares: the release governs, the U reader reads it.
    let o = run(&["release-copy", "--archive", a, "--token", &admin, foia]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("08ANKARA77"), "{}", stdout(&o));
    let v = search(a, &reader, "zqreleased");
    assert_eq!(v["total"], 1, "{v}");
    // Audited, with who and what.
    let o = run(&["audit", "show", "--archive", a, "--action", "release_copy"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("admin") && stdout(&o).contains("release.txt"),
        "{}",
        stdout(&o)
    );

    // Taken back: the SECRET copy governs again.
    let o = run(&[
        "release-copy",
        "--undo",
        "--archive",
        a,
        "--token",
        &admin,
        foia,
    ]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(search(a, &reader, "zqreleased")["total"], 0);
}
