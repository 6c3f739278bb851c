//! `cablescope parse` end to end: output shape, hints, encodings, bad inputs and
//! exit statuses.

use std::io::Write;
use std::process::{Command, Output, Stdio};

use serde_json::Value;

fn cablescope(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_cablescope"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run cablescope");
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    child.wait_with_output().unwrap()
}

fn records(out: &Output) -> Vec<Value> {
    String::from_utf8(out.stdout.clone())
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).expect("each line is one JSON object"))
        .collect()
}

const CABLE: &str = "VZCZCXRO1234\nPP RUEHWEB\nDE RUEHFR #0997/01 2041544\nZNY CCCCC ZZH\nP 231544Z JUL 09\n\
FM AMEMBASSY PARIS\nTO RUEHC/SECSTATE WASHDC PRIORITY 6811\n\nC O N F I D E N T I A L PARIS 000997\n\nSIPDIS\n\n\
E.O. 12958: DECL: 07/22/2019\nTAGS: PREL FR\nSUBJECT: A TEST CABLE\n\nClassified By: Jane Roe, reasons 1.4 (b) and (d).\n\n\
1. (C) First paragraph.\n\n2. (U) Second paragraph.\n\nDOE\n";

fn temp_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("cablescope-cli-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn id_hint_on_empty_input_is_canonicalised() {
    let out = cablescope(&["parse", "--id", "08 MOSCOW 01599", "-"], b"");
    assert!(out.status.success());
    let recs = records(&out);
    assert_eq!(recs.len(), 1);
    assert_eq!(recs[0]["id"], "08MOSCOW1599");
    assert_eq!(recs[0]["id_as_written"], "08 MOSCOW 01599");
}

#[test]
fn a_cable_on_stdin_gives_its_fields() {
    let out = cablescope(&["parse"], CABLE.as_bytes());
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let r = &records(&out)[0];
    assert_eq!(r["id"], "09PARIS997");
    assert_eq!(r["created"], "2009-07-23T15:44:00Z");
    assert_eq!(r["precedence"], "PRIORITY");
    assert_eq!(r["classification"], "CONFIDENTIAL");
    assert_eq!(r["origin"]["station"], "PARIS");
    assert_eq!(r["recipients"][0]["serial"], "6811");
    assert_eq!(r["declassify_on"], "2019-07-22");
    assert_eq!(r["reasons"], serde_json::json!(["1.4(b)", "1.4(d)"]));
    assert_eq!(r["paragraphs"].as_array().unwrap().len(), 2);
    assert_eq!(r["source"]["format"], "telegram");
    assert_eq!(r["source"]["encoding"], "utf-8");
}

#[test]
fn reference_fragment_uses_the_year_hint() {
    let out = cablescope(
        &["parse", "--year", "2006", "-"],
        b"REF: A. STATE 1234 B. 05 MOSCOW 546\n",
    );
    let r = &records(&out)[0];
    let ids: Vec<&str> = r["references"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|x| x["id"].as_str())
        .collect();
    assert_eq!(ids, vec!["06STATE1234", "05MOSCOW546"]);
}

#[test]
fn bad_inputs_are_reported_and_the_rest_still_parsed() {
    let dir = temp_dir("bad");
    let good = dir.join("good.txt");
    std::fs::write(&good, CABLE).unwrap();
    let binary = dir.join("binary.bin");
    std::fs::write(&binary, b"\x00\x01\x02binary").unwrap();
    let missing = dir.join("missing.txt");
    let out = cablescope(
        &[
            "parse",
            missing.to_str().unwrap(),
            good.to_str().unwrap(),
            binary.to_str().unwrap(),
        ],
        b"",
    );
    assert_eq!(out.status.code(), Some(1));
    let recs = records(&out);
    assert_eq!(recs.len(), 1, "the good file is still parsed");
    assert_eq!(recs[0]["source"]["path"], good.to_str().unwrap());
    let err = String::from_utf8_lossy(&out.stderr);
    let lines: Vec<&str> = err
        .lines()
        .filter(|l| l.starts_with("cablescope: error"))
        .collect();
    assert_eq!(lines.len(), 2, "one error line per bad input: {err}");
    assert!(lines[0].contains("missing.txt"));
    assert!(lines[1].contains("binary.bin") && lines[1].contains("binary"));
}

#[test]
fn latin1_input_is_decoded_and_recorded() {
    let dir = temp_dir("latin1");
    let path = dir.join("latin1.txt");
    let mut bytes = CABLE.replace("1. (C)", "\u{1}").into_bytes();
    let pos = bytes.iter().position(|&b| b == 1).unwrap();
    bytes.splice(pos..pos + 1, b"\xB61. (C)".iter().copied());
    std::fs::write(&path, &bytes).unwrap();
    let out = cablescope(&["parse", path.to_str().unwrap()], b"");
    assert!(out.status.success());
    let r = &records(&out)[0];
    assert_eq!(r["source"]["encoding"], "windows-1252");
    assert_eq!(r["paragraphs"][0]["number"], 1);
    assert_eq!(r["paragraphs"][0]["marking"], "C");
}

#[test]
fn usage_errors_exit_with_2() {
    let out = cablescope(&["parse", "--format", "xml"], b"");
    assert_eq!(out.status.code(), Some(2));
    let out = cablescope(&["parse", "--year", "nineteen"], b"");
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn pretty_output_is_json() {
    let out = cablescope(&["parse", "--format", "pretty"], CABLE.as_bytes());
    let v: Value = serde_json::from_slice(&out.stdout).expect("pretty output is one JSON value");
    assert_eq!(v["id"], "09PARIS997");
}

/// A folder holding good cables among hostile files: every good cable comes out,
/// every bad file gets one clear error naming it, and the exit status is 1.
#[test]
fn folders_and_archives_with_hostile_files() {
    use std::io::Write as _;
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("sub/deeper")).unwrap();
    std::fs::write(root.join("sub/deeper/good.txt"), CABLE).unwrap();
    // The same cable's text under another id, inside a zip inside a gzip'd tar would
    // need tar; a zip inside a zip is enough to show nesting.
    let other = CABLE
        .replace("PARIS 000997", "PARIS 000998")
        .replace("#0997/01", "#0998/01");
    let mut inner = Vec::new();
    {
        let mut z = zip::ZipWriter::new(std::io::Cursor::new(&mut inner));
        z.start_file("cables/998.txt", zip::write::SimpleFileOptions::default())
            .unwrap();
        z.write_all(other.as_bytes()).unwrap();
        z.finish().unwrap();
    }
    let mut outer = Vec::new();
    {
        let mut z = zip::ZipWriter::new(std::io::Cursor::new(&mut outer));
        z.start_file("inner.zip", zip::write::SimpleFileOptions::default())
            .unwrap();
        z.write_all(&inner).unwrap();
        z.finish().unwrap();
    }
    std::fs::write(root.join("nested.zip"), &outer).unwrap();
    // A gzip bomb: 300 MB of zeros in a few hundred kilobytes.
    {
        let f = std::fs::File::create(root.join("bomb.txt.gz")).unwrap();
        let mut gz = flate2::write::GzEncoder::new(f, flate2::Compression::best());
        let block = vec![0u8; 1 << 20];
        for _ in 0..300 {
            gz.write_all(&block).unwrap();
        }
        gz.finish().unwrap();
    }
    std::fs::write(root.join("image.bin"), [0u8, 159, 146, 150, 0, 1, 2, 3]).unwrap();
    std::fs::write(
        root.join("truncated.gz"),
        [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 1, 2],
    )
    .unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink(root, root.join("sub/loop")).unwrap();

    let out = cablescope(&["parse", root.to_str().unwrap()], b"");
    assert_eq!(out.status.code(), Some(1));
    let ids: Vec<String> = records(&out)
        .iter()
        .map(|r| r["id"].as_str().unwrap_or("").to_string())
        .collect();
    assert!(ids.contains(&"09PARIS997".to_string()), "{ids:?}");
    assert!(
        ids.contains(&"09PARIS998".to_string()),
        "the cable inside the nested zip: {ids:?}"
    );
    let err = String::from_utf8_lossy(&out.stderr);
    // A .gz names its content by the file name without `.gz`.
    for name in ["bomb.txt.gz", "image.bin", "truncated"] {
        assert!(
            err.lines()
                .any(|l| l.starts_with("cablescope: error") && l.contains(name)),
            "no error for {name}: {err}"
        );
    }
    #[cfg(unix)]
    assert!(err.contains("loop"), "the symlink loop is reported: {err}");
    assert!(
        err.lines().last().unwrap().contains("cables found"),
        "closing summary: {err}"
    );
}

/// A body-only copy: no envelope, no date, so no year of its own.
const BODY_ONLY: &str = "UNCLAS ABU DHABI 002641\n\nSIPDIS\n\nE.O. 12958: N/A\nTAGS: PREL\n\
SUBJECT: A BODY-ONLY COPY\n\n1. (U) Text.\n\nDOE\n";

#[test]
fn file_names_that_are_ids_name_copies_unless_turned_off() {
    let dir = temp_dir("names");
    let file = dir.join("03ABUDHABI2641.txt");
    std::fs::write(&file, BODY_ONLY).unwrap();
    let out = cablescope(&["parse", file.to_str().unwrap()], b"");
    assert!(out.status.success());
    let r = &records(&out)[0];
    assert_eq!(r["id"], "03ABUDHABI2641");
    assert!(r["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .any(|d| d["code"] == "id_from_file_name"));
    let out = cablescope(
        &["parse", "--no-file-name-ids", file.to_str().unwrap()],
        b"",
    );
    assert!(out.status.success());
    assert_eq!(records(&out)[0]["id"], Value::Null);
}

#[test]
fn text_that_is_no_cable_is_an_error_not_a_record() {
    let dir = temp_dir("junk");
    let junk = dir.join("05LONDON4981.txt");
    std::fs::write(&junk, "Appears in these articles:<br />\n").unwrap();
    let good = dir.join("good.txt");
    std::fs::write(&good, CABLE).unwrap();
    let out = cablescope(
        &["parse", junk.to_str().unwrap(), good.to_str().unwrap()],
        b"",
    );
    assert_eq!(out.status.code(), Some(1));
    let recs = records(&out);
    assert_eq!(recs.len(), 1);
    assert_eq!(recs[0]["id"], "09PARIS997");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.lines()
            .any(|l| l.contains("05LONDON4981.txt") && l.contains("not a cable")),
        "{err}"
    );
}

/// CABLE with serial `n` (its id becomes `09PARIS<n>`).
fn cable_numbered(n: u32) -> String {
    CABLE
        .replace("#0997/01", &format!("#{n:04}/01"))
        .replace("PARIS 000997", &format!("PARIS {n:06}"))
}

#[test]
fn files_parsed_on_several_threads_come_out_in_input_order() {
    // Small files go to worker threads; a stream of unknown size (standard input,
    // a gzip member) is read on the walking thread after every file before it.
    // The output keeps the order of the inputs either way.
    let a = temp_dir("order-a");
    let b = temp_dir("order-b");
    let mut expected = Vec::new();
    for n in 1..=40u32 {
        let dir = if n <= 25 { &a } else { &b };
        if n == 12 {
            let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            gz.write_all(cable_numbered(n).as_bytes()).unwrap();
            std::fs::write(dir.join(format!("f{n:03}.txt.gz")), gz.finish().unwrap()).unwrap();
        } else {
            std::fs::write(dir.join(format!("f{n:03}.txt")), cable_numbered(n)).unwrap();
        }
        expected.push(format!("09PARIS{n}"));
        if n == 25 {
            expected.push("09PARIS999".to_string());
        }
    }
    let (a_s, b_s) = (a.to_str().unwrap(), b.to_str().unwrap());
    let out = cablescope(
        &["parse", "--no-merge", "-q", a_s, "-", b_s],
        cable_numbered(999).as_bytes(),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let ids: Vec<String> = records(&out)
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(ids, expected);
    // Merging sees every record too.
    let merged = cablescope(
        &["parse", "-q", a_s, "-", b_s],
        cable_numbered(999).as_bytes(),
    );
    assert_eq!(records(&merged).len(), expected.len());
    std::fs::remove_dir_all(&a).unwrap();
    std::fs::remove_dir_all(&b).unwrap();
}
