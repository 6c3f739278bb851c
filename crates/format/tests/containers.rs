//! Every shared set in `../shared/corpus/` through the container readers: each
//! file's format is detected right, every cable is found, the HTML sets meet the
//! parser's accuracy figures, the 1970s pages give their fields. Merging copies is
//! tested with hand-made copies of our own fixture cable.

mod shared;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use cablescope_format::assemble::assemble;
use cablescope_format::containers::{read_stream, Format, ReadOptions};
use cablescope_format::{Cable, Code};
use cablescope_testkit::files_under;
use serde_json::Value;
use shared::{has_dtg, tag_words, Score};

/// Reads one file through the container layer: its detected format, records and
/// item errors.
fn read_file(p: &Path) -> (Result<Format, String>, Vec<Cable>, Vec<String>) {
    let mut f = std::fs::File::open(p).unwrap();
    let mut cables = Vec::new();
    let mut errors = Vec::new();
    let format = read_stream(
        &p.display().to_string(),
        &mut f,
        &ReadOptions::default(),
        &mut |r| match r {
            Ok(c) => cables.push(c),
            Err(e) => errors.push(e.to_string()),
        },
    )
    .map_err(|e| e.to_string());
    (format, cables, errors)
}

/// The formats each shared set must be detected as.
fn expected_format(set: &str, rel: &str) -> Option<Format> {
    Some(match set {
        "body-text" => Format::BodyText,
        "cablegate-1966-1975" => Format::WikileaksHtml2011,
        // One page of this set was saved from the December 2010 site and has that
        // template's furniture throughout (see html_containers.rs).
        "cablegate-html" if rel.ends_with("09PARIS1254.html") => Format::WikileaksHtml2010,
        "cablegate-html" => Format::WikileaksHtml2011,
        "cablegate-html-2010" => Format::WikileaksHtml2010,
        "cables-csv" => Format::CablesCsv,
        "jsonl" => Format::JsonExport,
        "plusd-1970s" => Format::PlusdHtml,
        "raw-telegrams" => Format::Telegram,
        _ => return None,
    })
}

#[test]
fn every_set_is_detected_and_every_cable_found() {
    let Some(corpus) = shared::shared_dir("corpus") else {
        return;
    };
    let mut per_set: HashMap<String, (usize, usize, usize)> = HashMap::new();
    let mut junk: HashMap<String, usize> = HashMap::new();
    for p in files_under(&corpus) {
        let rel = p
            .strip_prefix(&corpus)
            .unwrap()
            .to_string_lossy()
            .to_string();
        let set = rel.split('/').next().unwrap().to_string();
        let (format, cables, errors) = read_file(&p);
        let Some(expected) = expected_format(&set, &rel) else {
            // The truth files beside the sets are not cable containers: a clear
            // error, no records.
            assert!(rel.ends_with("truth.jsonl"), "unexpected file {rel}");
            assert!(
                cables.is_empty() && errors.len() == 1,
                "{rel}: truth files give one error and no record"
            );
            continue;
        };
        assert_eq!(format.as_ref().ok(), Some(&expected), "{rel}: format");
        // The body-text set holds 40 files that are only site furniture
        // ("Appears in these articles:"): each is reported, none is a record.
        if set == "body-text" && !errors.is_empty() {
            assert!(cables.is_empty(), "{rel}: junk gave a record");
            assert!(
                errors.len() == 1 && errors[0].contains("not a cable"),
                "{rel}: {errors:?}"
            );
            *junk.entry(set).or_default() += 1;
            continue;
        }
        assert!(errors.is_empty(), "{rel}: item errors {errors:?}");
        assert!(!cables.is_empty(), "{rel}: no record");
        for c in &cables {
            assert_eq!(c.source.format, expected.name(), "{rel}: source.format");
            assert_eq!(
                c.source.path.as_deref(),
                Some(p.display().to_string().as_str())
            );
        }
        // Extra records in a one-cable container are explained by a diagnostic.
        if !matches!(expected, Format::CablesCsv | Format::JsonExport) {
            for c in cables.iter().skip(1) {
                assert!(
                    c.diagnostics.iter().any(|d| d.code == Code::MultipleCables),
                    "{rel}: unexplained extra record"
                );
            }
        }
        let e = per_set.entry(set).or_default();
        e.0 += 1;
        e.1 += cables.len();
        e.2 += cables.len().saturating_sub(1).min(
            if matches!(expected, Format::CablesCsv | Format::JsonExport) {
                0
            } else {
                usize::MAX
            },
        );
    }
    let mut sets: Vec<_> = per_set.into_iter().collect();
    sets.sort();
    for (set, (n, records, extra)) in &sets {
        eprintln!(
            "{set:<22} {n:>5} files {records:>5} records ({extra} extra, each with a diagnostic)"
        );
    }
    let get = |s: &str| {
        sets.iter()
            .find(|(n, _)| n == s)
            .map(|(_, v)| *v)
            .unwrap_or_default()
    };
    assert_eq!(get("cablegate-html").0, 1715);
    assert_eq!(get("cablegate-html-2010").0, 330);
    assert_eq!(get("body-text").0 + junk["body-text"], 805);
    assert_eq!(junk["body-text"], 40, "files that are no cable");
    assert_eq!(get("raw-telegrams").1, 8);
    assert_eq!(get("jsonl").1, 200, "one record per export line");
    assert_eq!(get("cables-csv").1, 2, "one record per CSV row");
}

fn truth(corpus: &Path) -> Vec<Value> {
    std::fs::read_to_string(corpus.join("cablegate-html-truth.jsonl"))
        .unwrap()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn score_pages(dir: &Path, rows: &[(PathBuf, &Value)]) -> [Score; 5] {
    let mut id = Score::new("id (rows with a DTG)");
    let mut created = Score::new("created date (rows with a DTG)");
    let mut level = Score::new("classification level");
    let mut full = Score::new("classification");
    let mut tags = Score::new("tags");
    for (page, t) in rows {
        let (_, cables, _) = read_file(page);
        let c = &cables[0];
        let text = shared::pre_blocks(&String::from_utf8_lossy(&std::fs::read(page).unwrap()))
            .join("\n\n");
        let tid = t["id"].as_str().unwrap();
        let got_id = c.id.clone().unwrap_or_default();
        if has_dtg(&text) {
            id.add(
                got_id == tid || got_id == shared::strip_efto(tid),
                tid,
                tid,
                &got_id,
            );
            let got = c.created.clone().unwrap_or_default();
            let exp = &t["created"].as_str().unwrap()[..10];
            created.add(got.get(..10) == Some(exp), tid, exp, &got);
        }
        let exp_class = t["classification"].as_str().unwrap();
        let got_class = c.classification.clone().unwrap_or_default();
        let lvl = |s: &str| s.split("//").next().unwrap_or("").to_string();
        level.add(
            lvl(&got_class) == lvl(exp_class),
            tid,
            exp_class,
            &got_class,
        );
        full.add(got_class == exp_class, tid, exp_class, &got_class);
        let exp_tags: Vec<String> = t["tags"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_str().unwrap().to_string())
            .collect();
        if !(exp_tags.is_empty() && shared::has_tags_line(&text)) {
            let (e, g) = (tag_words(&exp_tags), tag_words(&c.tags));
            let ok = e == g || (!e.is_empty() && g.len() >= e.len() && g[..e.len()] == e[..]);
            tags.add(ok, tid, &format!("{e:?}"), &format!("{g:?}"));
        }
    }
    let _ = dir;
    [id, created, level, full, tags]
}

fn check(set: &str, scores: &[Score; 5]) {
    for s in scores {
        eprintln!(
            "{set:<20} {:<32} {:>5}/{:<5} {:6.2}%",
            s.name,
            s.passed,
            s.total,
            s.pct()
        );
        for m in s.misses.iter().take(12) {
            eprintln!("    miss {m}");
        }
    }
    let [id, created, level, full, tags] = scores;
    assert!(id.pct() >= 99.0, "{set}: id {:.2}%", id.pct());
    assert!(
        created.pct() >= 99.0,
        "{set}: created {:.2}%",
        created.pct()
    );
    assert!(
        level.pct() >= 99.0,
        "{set}: classification level {:.2}%",
        level.pct()
    );
    assert!(
        full.pct() >= 98.0,
        "{set}: classification {:.2}%",
        full.pct()
    );
    assert!(tags.pct() >= 99.0, "{set}: tags {:.2}%", tags.pct());
}

#[test]
fn viewer_pages_read_as_html_meet_the_parser_figures() {
    let Some(corpus) = shared::shared_dir("corpus") else {
        return;
    };
    let truth = truth(&corpus);
    let rows: Vec<(PathBuf, &Value)> = truth
        .iter()
        .map(|t| (corpus.join(t["source"].as_str().unwrap()), t))
        .collect();
    check("cablegate-html", &score_pages(&corpus, &rows));

    // The 2010 template's pages join the truth by their Reference ID.
    let by_id: HashMap<&str, &Value> = truth
        .iter()
        .map(|t| (t["id"].as_str().unwrap(), t))
        .collect();
    let mut rows2010 = Vec::new();
    for p in files_under(&corpus.join("cablegate-html-2010")) {
        let (_, cables, _) = read_file(&p);
        let published = cables[0]
            .published
            .as_ref()
            .and_then(|x| x.id.clone())
            .expect("published id");
        if let Some(t) = by_id.get(published.as_str()) {
            rows2010.push((p, *t));
        }
    }
    assert!(
        rows2010.len() >= 300,
        "2010 pages joined to the truth: {}",
        rows2010.len()
    );
    check("cablegate-html-2010", &score_pages(&corpus, &rows2010));
}

#[test]
fn plusd_and_old_pages_give_their_fields() {
    let Some(corpus) = shared::shared_dir("corpus") else {
        return;
    };
    for set in ["plusd-1970s", "cablegate-1966-1975"] {
        for p in files_under(&corpus.join(set)) {
            let (_, cables, _) = read_file(&p);
            let c = &cables[0];
            let name = p.display().to_string();
            assert!(
                c.id.as_deref().is_some_and(|i| i.len() > 6),
                "{name}: id {:?}",
                c.id
            );
            assert!(c.created.is_some(), "{name}: created");
            assert!(c.origin.station.is_some(), "{name}: origin");
            assert!(c.subject.is_some(), "{name}: subject");
            assert!(!c.paragraphs.is_empty(), "{name}: paragraphs");
            if let Some(pid) = c.published.as_ref().and_then(|p| p.id.as_deref()) {
                let canonical = cablescope_format::parse_id(pid, None).map(|i| i.to_string());
                assert_eq!(
                    c.id, canonical,
                    "{name}: id agrees with the page's id {pid}"
                );
            }
        }
    }
}

#[test]
fn csv_and_json_exports() {
    let Some(corpus) = shared::shared_dir("corpus") else {
        return;
    };
    let (format, rows, errors) = read_file(&corpus.join("cables-csv/cables_sample.csv"));
    assert_eq!(format, Ok(Format::CablesCsv));
    assert_eq!((rows.len(), errors.len()), (2, 0));
    for c in &rows {
        let published = c.published.as_ref().unwrap().id.clone();
        assert_eq!(
            c.id, published,
            "CSV row id from the text equals the dump's id column"
        );
        assert!(c.created.is_some() && c.paragraphs.len() > 1);
    }
    let (format, recs, errors) = read_file(&corpus.join("jsonl/delhi.json"));
    assert_eq!(format, Ok(Format::JsonExport));
    assert_eq!((recs.len(), errors.len()), (200, 0));
    let with_id = recs
        .iter()
        .filter(|c| c.id.as_deref().is_some_and(|i| i.contains("NEWDELHI")))
        .count();
    assert!(
        with_id >= 190,
        "ids rebuilt from the classification line and the export's year: {with_id}/200"
    );
    let with_paragraphs = recs.iter().filter(|c| c.paragraphs.len() > 1).count();
    assert!(
        with_paragraphs >= 180,
        "flattened bodies get their paragraphs back: {with_paragraphs}/200"
    );
}

// ---- merging copies of one cable (our own fixture)

const TELEGRAM: &str = "VZCZCXRO1111\nPP RUEHWEB\nDE RUEHMO #1234/01 1571119\nZNY CCCCC ZZH\nR 051119Z JUN 08\n\
FM AMEMBASSY MOSCOW\nTO RUEHC/SECSTATE WASHDC 8123\n\nC O N F I D E N T I A L MOSCOW 001234\n\nSIPDIS\n\n\
E.O. 12958: DECL: 06/05/2018\nTAGS: PREL PGOV RS\nSUBJECT: A FIXTURE CABLE ABOUT NOTHING IN PARTICULAR\n\n\
REF: MOSCOW 1200\n\nClassified By: Ambassador Jane Roe for reasons 1.4 (b) and (d).\n\n\
1. (C) Summary: The first paragraph says something. End summary.\n\n\
2. (C) The second paragraph goes on at some length about matters that\nmatter to nobody but the test.\n\n\
3. (U) The third paragraph ends the cable.\n\nROE\n";

fn viewer_page(text: &str, id: &str) -> String {
    let (header, body) = text.split_once("\n\n").unwrap();
    let enc = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('\n', "&#x000A;")
    };
    format!(
        "<html><head><title>Cable {id}</title><script src='/static/js/cables.js'></script></head><body>\
         <img src='/static/gfx/ja-cg.jpg'/><table class='cable'><tr><th>Reference ID</th><th>Created</th>\
         <th>Released</th><th>Classification</th><th>Origin</th></tr><tr><td><a href='/cable/x.html'>{id}</a></td>\
         <td><a href='#'>2008-06-05 11:11</a></td><td><a href='#'>2011-08-30 01:44</a></td>\
         <td><a href='#'>CONFIDENTIAL</a></td><td><a href='#'>Embassy Moscow</a></td></tr></table>\
         <code><pre>{}</pre></code><code><pre>{}</pre></code></body></html>",
        enc(header),
        enc(body)
    )
}

fn read_text(name: &str, text: &str) -> Vec<Cable> {
    let mut out = Vec::new();
    read_stream(
        name,
        &mut text.as_bytes(),
        &ReadOptions::default(),
        &mut |r| out.push(r.unwrap()),
    )
    .unwrap();
    out
}

#[test]
fn copies_of_one_cable_merge_into_one_record() {
    let page = viewer_page(TELEGRAM, "08MOSCOW1234");
    // A republished copy: title, half the header gone, a paragraph's end lost,
    // boilerplate after.
    let damaged = TELEGRAM
        .replace("VZCZCXRO1111\nPP RUEHWEB\n", "Cablegate: A Fixture Cable\n\n")
        .replace("ZNY CCCCC ZZH\n", "")
        .replace("SUBJECT: A FIXTURE CABLE ABOUT NOTHING IN PARTICULAR\n", "")
        .replace("FM AMEMBASSY MOSCOW\nTO RUEHC/SECSTATE WASHDC 8123\n\nC O N F I D E N T I A L MOSCOW 001234\n\nSIPDIS\n\n", "\n")
        .replace("\nmatter to nobody but the test.", "")
        .replace("ROE\n", "\n\u{a9} Some Media 2017\n\nMore headlines\n");
    let csv_row = format!(
        "\"7\",\"6/5/2008 11:19\",\"08MOSCOW1234\",\"Embassy Moscow\",\"CONFIDENTIAL\",\"08MOSCOW1200\",\"{}\",\"{}\"\n",
        TELEGRAM.split_once("\n\n").unwrap().0,
        TELEGRAM.split_once("\n\n").unwrap().1
    );
    let mut records = Vec::new();
    records.extend(read_text("copy.txt", &damaged));
    records.extend(read_text("page.html", &page));
    records.extend(read_text("cables.csv", &csv_row));
    assert_eq!(records.len(), 3);
    assert_eq!(records[0].source.format, "republished-page");
    assert_eq!(records[1].source.format, "wikileaks-html-2011");
    assert_eq!(records[2].source.format, "cables-csv");
    assert!(records
        .iter()
        .all(|c| c.id.as_deref() == Some("08MOSCOW1234")));

    let merged = assemble(records);
    assert_eq!(merged.len(), 1, "three copies, one record");
    let c = &merged[0];
    assert_eq!(c.sources.len(), 3);
    assert_ne!(
        c.source.format, "republished-page",
        "the damaged copy does not lead"
    );
    assert_eq!(
        c.subject.as_deref(),
        Some("A FIXTURE CABLE ABOUT NOTHING IN PARTICULAR")
    );
    assert!(c.paragraphs[1]
        .text
        .ends_with("matter to nobody but the test."));
    assert_eq!(c.classification.as_deref(), Some("CONFIDENTIAL"));
    assert!(
        c.diagnostics
            .iter()
            .any(|d| d.code == Code::CopyConflict && d.message.starts_with("subject")),
        "the copies disagree on the subject: {:?}",
        c.diagnostics
    );
    // Deterministic: the input order does not change the result.
    let mut again = Vec::new();
    again.extend(read_text("cables.csv", &csv_row));
    again.extend(read_text("page.html", &page));
    again.extend(read_text("copy.txt", &damaged));
    let again = assemble(again);
    let strip = |c: &Cable| {
        let mut c = c.clone();
        c.sources.sort_by(|a, b| a.path.cmp(&b.path));
        c.diagnostics.sort_by(|a, b| a.message.cmp(&b.message));
        serde_json::to_string(&c).unwrap()
    };
    assert_eq!(strip(&again[0]), strip(c));
}

// ---- sections that arrive as separate texts

fn section_text(n: u32, of: u32, body: &str) -> String {
    format!(
        "VZCZCXRO2222\nPP RUEHWEB\nDE RUEHFR #0555/0{n} 2041544\nZNY CCCCC ZZH\nP 231544Z JUL 09\nFM AMEMBASSY PARIS\n\
         TO RUEHC/SECSTATE WASHDC PRIORITY 6811\n\nC O N F I D E N T I A L SECTION 0{n} OF 0{of} PARIS 000555\n\n{body}"
    )
}

#[test]
fn separate_sections_are_joined_or_reported_missing() {
    let first = section_text(
        1,
        3,
        "SIPDIS\n\nE.O. 12958: DECL: 07/22/2019\nTAGS: PREL FR\nSUBJECT: A THREE-PART FIXTURE\n\n\
         1. (C) The first paragraph.\n\n2. (C) The second paragraph runs on into\n",
    );
    let second = section_text(
        2,
        3,
        "the next section and ends here.\n\n3. (C) The third paragraph.\n",
    );
    let third = section_text(3, 3, "4. (U) The last paragraph.\n\nDOE\n");

    let mut records = Vec::new();
    for (name, text) in [("s3.txt", &third), ("s1.txt", &first), ("s2.txt", &second)] {
        records.extend(read_text(name, text));
    }
    assert!(
        records.iter().all(|c| c.partial && c.section.is_some()),
        "each text alone is one section"
    );
    let joined = assemble(records);
    assert_eq!(joined.len(), 1);
    let c = &joined[0];
    assert_eq!(c.id.as_deref(), Some("09PARIS555"));
    assert!(!c.partial);
    assert_eq!(c.section, None);
    let numbers: Vec<u32> = c.paragraphs.iter().map(|p| p.number).collect();
    assert_eq!(numbers, vec![1, 2, 3, 4]);
    assert_eq!(
        c.paragraphs[1].text,
        "The second paragraph runs on into\nthe next section and ends here."
    );
    assert_eq!(c.signers, vec!["DOE"]);
    assert_eq!(c.sources.len(), 3);

    let mut records = Vec::new();
    records.extend(read_text("s1.txt", &first));
    records.extend(read_text("s3.txt", &third));
    let partial = assemble(records);
    assert_eq!(partial.len(), 1);
    assert!(partial[0].partial);
    assert!(partial[0]
        .diagnostics
        .iter()
        .any(|d| d.code == Code::SectionMissing && d.message.contains("2 of 3")));
}

/// Reads a text as a file of that name: its records and item errors.
fn read_named(name: &str, text: &str, opts: &ReadOptions) -> (Vec<Cable>, Vec<String>) {
    let mut cables = Vec::new();
    let mut errors = Vec::new();
    read_stream(name, &mut text.as_bytes(), opts, &mut |r| match r {
        Ok(c) => cables.push(c),
        Err(e) => errors.push(e.to_string()),
    })
    .unwrap();
    (cables, errors)
}

/// A body-only copy as viewer pages give it: no envelope, no date.
const BODY_ONLY: &str = "<code><pre>C O N F I D E N T I A L ABU DHABI 002641 \n\nSIPDIS \n\n\
    E.O. 12958: DECL: 06/03/2013 \nTAGS: PREL, AE\nSUBJECT: A TEST OF BODY-ONLY COPIES\n\n\
    <a id='par1' href='#par1'>\u{b6}</a>1. (C) The widget talks went well.\n\nSMITH</pre></code>";

#[test]
fn a_file_name_that_is_an_id_names_a_copy_without_one() {
    let opts = ReadOptions::default();
    let (c, errors) = read_named("dump/03ABUDHABI2641.txt", BODY_ONLY, &opts);
    assert!(errors.is_empty());
    assert_eq!(c[0].id.as_deref(), Some("03ABUDHABI2641"));
    let d = c[0]
        .diagnostics
        .iter()
        .find(|d| d.code == Code::IdFromFileName)
        .expect("an id_from_file_name diagnostic");
    assert!(d.message.contains("03ABUDHABI2641"));
    // A viewer-style path, an archive member.
    for name in [
        "cable/2003/01/03ABUDHABI2641.html",
        "set.zip!/body/03ABUDHABI2641.txt",
    ] {
        let (c, _) = read_named(name, BODY_ONLY, &opts);
        assert_eq!(c[0].id.as_deref(), Some("03ABUDHABI2641"), "{name}");
    }
    // Turned off, or a name that is no id, or the name of another post's cable:
    // no id from the name.
    let off = ReadOptions {
        file_name_ids: false,
        ..ReadOptions::default()
    };
    for (name, opts) in [
        ("03ABUDHABI2641.txt", &off),
        ("row-00001.txt", &opts),
        ("2003report12.txt", &opts),
        ("03MOSCOW2641.txt", &opts),
    ] {
        let (c, _) = read_named(name, BODY_ONLY, opts);
        assert_eq!(c[0].id, None, "{name}");
        assert!(!c[0]
            .diagnostics
            .iter()
            .any(|d| d.code == Code::IdFromFileName));
    }
    // The text's own id wins over the name.
    let dated = BODY_ONLY.replace("<code><pre>", "<code><pre>Monday, 02 June 2003, 10:00\n");
    let (c, _) = read_named("03ABUDHABI9999.txt", &dated, &opts);
    assert_eq!(c[0].id.as_deref(), Some("03ABUDHABI2641"));
}

#[test]
fn text_that_is_no_cable_is_reported_not_returned() {
    let opts = ReadOptions::default();
    for junk in [
        "Appears in these articles:<br />\n",
        "<p>Appears in these articles:</p>\n<a href='http://example.org/a'>http://example.org/a</a>\n\
         <a href='http://example.org/b'>Another story</a>\n",
    ] {
        let (c, errors) = read_named("05LONDON4981.txt", junk, &opts);
        assert!(c.is_empty(), "{junk:?} gave a record");
        assert_eq!(errors.len(), 1);
        assert!(errors[0].contains("not a cable"), "{}", errors[0]);
    }
    // Short or header-less cables are kept, boilerplate or not.
    for real in [
        "1. (C) The minister agreed.\n\nAppears in these articles:\n",
        "(SBU) The minister agreed to everything we asked of him, and more, on Monday.\n\
         Appears in these articles:\n",
        "REF: STATE 1234\nAppears in these articles:\n",
        "UNCLAS ROME 000123\nAppears in these articles:\n",
        "The minister agreed.\n",
        "",
    ] {
        let (c, errors) = read_named("x.txt", real, &opts);
        assert!(errors.is_empty(), "{real:?}: {errors:?}");
        assert_eq!(c.len(), 1, "{real:?}");
    }
}

#[test]
fn a_header_preview_and_its_export_row_make_one_record_two_cables_make_two() {
    // A page's truncated header preview, then the export row with the whole cable.
    let preview = "VZCZCXYZ0001\nPP RUEHWEB\nDE RUEHZZ #0012 0020304\nZNY CCCCC ZZH\n\
        P 020304Z JAN 09\nFM AMEMBASSY TESTVILLE\nTO RUEHC/SECSTATE WASHDC PRIORITY 0001\n\n\
        C O N F I D E N T I A L TESTVILLE 000012\n\nSUBJECT: A SUBJ...\n\n";
    let row = "id: 4242\ndate: 1/2/2009 3:04\nrefid: 09TESTVILLE12\nheader:\n\
        VZCZCXYZ0001\nPP RUEHWEB\nDE RUEHZZ #0012 0020304\nZNY CCCCC ZZH\n\
        P 020304Z JAN 09\nFM AMEMBASSY TESTVILLE\nTO RUEHC/SECSTATE WASHDC PRIORITY 0001\n\n\
        C O N F I D E N T I A L TESTVILLE 000012\n\nSUBJECT: A SUBJECT IN FULL\n\n\
        1. (C) One.\n\n2. (C) Two.\n\nSMITH\n";
    let (c, errors) = read_named(
        "page.txt",
        &format!("{preview}{row}"),
        &ReadOptions::default(),
    );
    assert!(errors.is_empty());
    assert_eq!(c.len(), 1, "one cable, one record");
    assert_eq!(c[0].subject.as_deref(), Some("A SUBJECT IN FULL"));
    assert_eq!(c[0].paragraphs.len(), 2);
    // A second, different cable glued on: its own record, id and date.
    let other = "VZCZCXYZ0002\nPP RUEHWEB\nDE RUEHC #6945 2610244\nZNR UUUUU ZZH\n\
        P 180225Z SEP 09\nFM SECSTATE WASHDC\nTO RUEHFR/AMEMBASSY PARIS PRIORITY 0000\n\n\
        UNCLAS STATE 096945\n\nSUBJECT: ANOTHER\n\n1. (U) Other text.\n\nCLINTON\n";
    let (c, _) = read_named(
        "page.txt",
        &format!("{row}{other}"),
        &ReadOptions::default(),
    );
    assert_eq!(c.len(), 2);
    assert_eq!(c[1].id.as_deref(), Some("09STATE96945"));
    assert_eq!(c[1].created.as_deref(), Some("2009-09-18T02:25:00Z"));
    // No record holds only routing lines.
    for r in &c {
        assert!(!r.paragraphs.is_empty());
    }
}
