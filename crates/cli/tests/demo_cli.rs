//! `cablescope demo` end to end: a small corpus into a temporary folder, the report
//! names the archive, every example search prints real hits, and the printed archive
//! answers `cablescope search --archive`.

mod common;

use std::process::{Command, Output};

fn cablescope(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cablescope"))
        .args(args)
        .env_remove("CABLESCOPE_ARCHIVE")
        .output()
        .expect("run cablescope")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

#[test]
fn demo_builds_an_archive_and_shows_searches_with_results() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("demo");
    let dir_s = dir.to_str().expect("utf-8 temp path");
    let out = cablescope(&["demo", "--no-serve", "--count", "300", "--dir", dir_s]);
    let stdout = text(&out.stdout);
    let stderr = text(&out.stderr);
    assert!(
        out.status.success(),
        "demo failed\nstdout:\n{stdout}\nstderr:\n{stderr}"
    );

    // The archive is named, where --dir said, and the corpus is kept beside it.
    let archive = dir.join("archive");
    let archive_s = archive.to_str().expect("utf-8");
    assert!(
        stdout.contains(&format!("Built a demo archive at {archive_s}")),
        "{stdout}"
    );
    assert!(archive.join("archive.sqlite3").is_file());
    assert!(dir.join("corpus").join("truth.jsonl").is_file());
    assert!(stdout.contains("cables:        300"), "{stdout}");
    assert!(stdout.contains("years covered:"), "{stdout}");
    assert!(stdout.contains("archive size:"), "{stdout}");
    // Progress went to standard error.
    assert!(stderr.contains("[1/3] generating 300"), "{stderr}");
    assert!(stderr.contains("[2/3] ingesting"), "{stderr}");

    // Every example search is printed with its command and a non-zero count, and
    // the ones that list hits list ids.
    let commands: Vec<&str> = stdout
        .lines()
        .filter_map(|l| {
            l.trim_start()
                .strip_prefix("$ cablescope search --archive ")
        })
        .filter(|l| l.starts_with(archive_s) && !l.contains("YOUR QUERY"))
        .collect();
    for kind in ["origin:", "\"", "--sort -date", "cites:", "tag:"] {
        assert!(
            commands.iter().any(|c| c.contains(kind)),
            "no example with {kind}: {stdout}"
        );
    }
    let counts: Vec<u64> = stdout
        .lines()
        .filter_map(|l| l.trim().strip_suffix(" matches"))
        .map(|n| n.replace(',', "").parse().expect("a count"))
        .collect();
    assert!(counts.len() >= 5, "{stdout}");
    assert!(
        counts.iter().all(|&n| n > 0),
        "an example found nothing: {stdout}"
    );
    let hit_lines = stdout
        .lines()
        .filter(|l| {
            l.starts_with("    ")
                && l.split_whitespace().nth(1).is_some_and(|d| {
                    d.len() == 10 && d.as_bytes()[4] == b'-' && d.as_bytes()[7] == b'-'
                })
        })
        .count();
    assert!(hit_lines >= 4, "too few hits printed: {stdout}");

    // Each printed command, run again, finds what the demo showed.
    for c in &commands {
        let args = common::shell_words(c);
        let mut full = vec!["search", "--archive"];
        full.extend(args.iter().map(String::as_str));
        let again = cablescope(&full);
        let again_out = text(&again.stdout);
        assert!(again.status.success(), "{c}: {}", text(&again.stderr));
        assert!(
            again_out
                .lines()
                .any(|l| l.contains(" of ") && l.ends_with(" matches")),
            "{c}: {again_out}"
        );
        assert!(!again_out.contains("0 of 0 matches"), "{c}: {again_out}");
    }

    // And a search of our own on the printed archive, as JSON.
    let all = cablescope(&["search", "--archive", archive_s, "*", "--format", "json"]);
    assert!(all.status.success(), "{}", text(&all.stderr));
    let v: serde_json::Value = serde_json::from_slice(&all.stdout).expect("json");
    assert_eq!(v["total"], 300, "{v}");
    assert!(!v["hits"].as_array().expect("hits").is_empty());

    // A second demo into the same folder refuses rather than mixing archives.
    let again = cablescope(&["demo", "--no-serve", "--count", "10", "--dir", dir_s]);
    assert_eq!(again.status.code(), Some(2), "{}", text(&again.stderr));
}
