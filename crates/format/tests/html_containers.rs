//! The HTML container readers against the real pages in `../shared/corpus/`:
//! `cablegate-html/` (2011 viewer, with `cablegate-html-truth.jsonl`),
//! `cablegate-html-2010/` (December 2010 viewer), `cablegate-1966-1975/` (old
//! cables with National Archives notes, 2011 layout) and `plusd-1970s/`.

mod shared;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use cablescope_format::containers::{html, Extracted, Format};
use cablescope_format::{parse, Hints};
use cablescope_testkit::files_under;
use regex::Regex;
use serde_json::Value;

/// Pages of the 2011 set that were saved from the December 2010 site: their
/// furniture is the 2010 template's (`/img/ja-cg.jpg`, `js.js`,
/// `cablegate.wikileaks.org`), so that is the right answer for them.
const SAVED_FROM_2010_SITE: &[&str] = &["cablegate-html/cable/2009/09/09PARIS1254.html"];

fn html_files(dir: &Path) -> Vec<PathBuf> {
    files_under(dir)
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "html"))
        .collect()
}

fn read(p: &Path) -> String {
    let bytes = std::fs::read(p).unwrap();
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

fn rel(corpus: &Path, p: &Path) -> String {
    p.strip_prefix(corpus)
        .unwrap()
        .to_string_lossy()
        .replace('\\', "/")
}

struct SetReport {
    pages: usize,
    items: usize,
    pages_with_extra: Vec<(String, usize)>,
}

/// Recognises and reads every page of a set; every page must be recognised
/// with the expected format and give at least one item.
fn read_set(
    corpus: &Path,
    set: &str,
    expect: impl Fn(&str) -> Format,
) -> (SetReport, Vec<(String, Vec<Extracted>)>) {
    let files = html_files(&corpus.join(set));
    assert!(!files.is_empty(), "{set}: no pages");
    let mut report = SetReport {
        pages: files.len(),
        items: 0,
        pages_with_extra: Vec::new(),
    };
    let mut all = Vec::new();
    for p in &files {
        let source = rel(corpus, p);
        let page = read(p);
        let kind = html::kind(&page);
        assert_eq!(kind, Some(expect(&source)), "{source}: kind");
        let items = match kind {
            Some(Format::PlusdHtml) => html::plusd_page(&page),
            _ => html::viewer_page(&page),
        };
        assert!(!items.is_empty(), "{source}: no text extracted");
        assert!(items[0].published.is_some(), "{source}: no metadata");
        for (i, e) in items.iter().enumerate() {
            assert_eq!(e.index, i + 1, "{source}: index");
            assert_eq!(
                e.published.is_some(),
                i == 0,
                "{source}: published on item {i}"
            );
            assert!(!e.text.contains("&#x000A;"), "{source}: undecoded newline");
            assert!(!e.text.contains("<a "), "{source}: leftover link");
            assert!(!e.text.contains('¶'), "{source}: leftover paragraph anchor");
        }
        report.items += items.len();
        if items.len() > 1 {
            let starts: Vec<String> = items[1..]
                .iter()
                .map(|e| {
                    let first = e.text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
                    format!("{:?}", first.chars().take(50).collect::<String>())
                })
                .collect();
            report
                .pages_with_extra
                .push((format!("{source}: {}", starts.join(", ")), items.len() - 1));
        }
        all.push((source, items));
    }
    let extra: usize = report.pages_with_extra.iter().map(|(_, n)| n).sum();
    println!(
        "{set}: {} pages recognised, {} items, {} extra records on {} pages",
        report.pages,
        report.items,
        extra,
        report.pages_with_extra.len()
    );
    for (s, n) in &report.pages_with_extra {
        println!("  +{n} {s}");
    }
    (report, all)
}

#[test]
fn viewer_pages_2011_match_their_truth() {
    let Some(corpus) = shared::shared_dir("corpus") else {
        return;
    };
    let truth_text = std::fs::read_to_string(corpus.join("cablegate-html-truth.jsonl")).unwrap();
    let truth: HashMap<String, Value> = truth_text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap();
            (v["source"].as_str().unwrap().to_string(), v)
        })
        .collect();

    let (report, pages) = read_set(&corpus, "cablegate-html", |source| {
        if SAVED_FROM_2010_SITE.contains(&source) {
            Format::WikileaksHtml2010
        } else {
            Format::WikileaksHtml2011
        }
    });
    assert_eq!(report.pages, truth.len(), "every truth row has a page");

    let dtg = Regex::new(r"(?m)^\s*(?:[A-Z]{1,2}\s+)*\d{6}Z\s+[A-Z]{3}\s+\d{2,4}\b").unwrap();
    let (mut with_dtg, mut parsed_ok, mut meta_ok, mut tags_ok) = (0, 0, 0, 0);
    let mut naive_parsed_ok = 0;
    let mut misses = Vec::new();
    for (source, items) in &pages {
        let t = truth
            .get(source)
            .unwrap_or_else(|| panic!("{source}: not in truth"));
        let p = items[0].published.as_ref().unwrap();
        assert_eq!(p.id.as_deref(), t["id"].as_str(), "{source}: published id");
        let tags: Vec<&str> = t["tags"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|v| v.as_str())
            .collect();
        if p.created.as_deref() == t["created"].as_str()
            && p.released.as_deref() == t["released"].as_str()
            && p.classification.as_deref() == t["classification"].as_str()
            && p.origin.as_deref() == t["origin"].as_str()
        {
            meta_ok += 1;
        }
        if p.tags == tags {
            tags_ok += 1;
        }
        if !dtg.is_match(&items[0].text) {
            continue;
        }
        with_dtg += 1;
        let c = parse(&items[0].text, &Hints::default());
        // The same page through the naive extraction of tests/shared.rs, to tell
        // reader differences from parser ones.
        let naive = shared::pre_blocks(&read(&corpus.join(source))).join("\n\n");
        let naive_ok = parse(&naive, &Hints::default()).id.as_deref() == t["id"].as_str();
        if naive_ok {
            naive_parsed_ok += 1;
        }
        if c.id.as_deref() == t["id"].as_str() {
            parsed_ok += 1;
        } else {
            misses.push(format!(
                "{source}: parsed {:?}{}",
                c.id,
                if naive_ok { " (naive text: ok)" } else { "" }
            ));
        }
    }
    let n = pages.len();
    println!("cablegate-html: created/released/classification/origin equal truth on {meta_ok}/{n}, tags on {tags_ok}/{n}");
    println!(
        "cablegate-html: parser id = truth id on {parsed_ok}/{with_dtg} pages with a DTG ({:.2}%)",
        100.0 * parsed_ok as f64 / with_dtg.max(1) as f64
    );
    println!(
        "cablegate-html: (same parser on the naive pre-block text of tests/shared.rs: {naive_parsed_ok}/{with_dtg})"
    );
    for m in &misses {
        println!("  miss {m}");
    }
    assert_eq!(meta_ok, n, "published fields equal the truth");
    assert_eq!(tags_ok, n, "published tags equal the truth");
    assert!(
        parsed_ok * 100 >= with_dtg * 99,
        "parser id accuracy below 99%: {parsed_ok}/{with_dtg}"
    );
}

#[test]
fn viewer_pages_2010_carry_their_ids() {
    let Some(corpus) = shared::shared_dir("corpus") else {
        return;
    };
    let (_, pages) = read_set(&corpus, "cablegate-html-2010", |_| {
        Format::WikileaksHtml2010
    });
    for (source, items) in &pages {
        let stem = Path::new(source).file_stem().unwrap().to_string_lossy();
        let p = items[0].published.as_ref().unwrap();
        assert_eq!(p.id.as_deref(), Some(&*stem), "{source}: published id");
    }
}

#[test]
fn old_cablegate_pages_use_the_2011_layout() {
    let Some(corpus) = shared::shared_dir("corpus") else {
        return;
    };
    let (_, pages) = read_set(&corpus, "cablegate-1966-1975", |_| {
        Format::WikileaksHtml2011
    });
    for (source, items) in &pages {
        let stem = Path::new(source).file_stem().unwrap().to_string_lossy();
        let p = items[0].published.as_ref().unwrap();
        assert_eq!(p.id.as_deref(), Some(&*stem), "{source}: published id");
    }
}

#[test]
fn plusd_pages() {
    let Some(corpus) = shared::shared_dir("corpus") else {
        return;
    };
    let (_, pages) = read_set(&corpus, "plusd-1970s", |_| Format::PlusdHtml);
    for (source, items) in &pages {
        assert_eq!(items.len(), 1, "{source}: one item per page");
        let e = &items[0];
        let stem = Path::new(source).file_stem().unwrap().to_string_lossy();
        let p = e.published.as_ref().unwrap();
        assert_eq!(p.id.as_deref(), Some(&*stem), "{source}: canonical id");
        assert!(p.created.is_some() && p.classification.is_some() && p.origin.is_some());
        assert!(!p.tags.is_empty(), "{source}: tags");
        assert!(e.year.is_some(), "{source}: year");
        assert!(e.text.contains("PAGE 01"), "{source}: PAGE header kept");
        assert!(!e.text.contains("&quot;") && !e.text.contains('<'));
        println!(
            "{source}: {:?} {:?} {:?} {:?} tags {:?}; {} chars",
            p.id,
            p.created,
            p.classification,
            p.origin,
            p.tags,
            e.text.len()
        );
    }
}
