//! Content of the records on the real viewer pages (`../shared/corpus/cablegate-html/`
//! with `cablegate-html-truth.jsonl`), measured exactly as the project's scorer
//! (`../shared/tools/eval_parser.py`: `expected_paragraphs`, `record_words`,
//! `word_scores`, `score_truth`) defines it:
//!
//! - `paragraphs`: every paragraph of the body's chain `1. (X)`, `2. (X)`, ... at line
//!   starts is a paragraph of the record (rows whose chain has two or more);
//! - `words_kept`: the record holds at least 95% of the body's words (multisets of
//!   lower-cased letter words of three or more letters, field labels left out; the
//!   record's `id`, `source`, `published`, diagnostics ... do not count);
//! - `words_extra`: at most 1% of the words of the record's paragraphs and subject
//!   are absent from the page's text (nothing invented or doubled).
//!
//! Both ways the scorer feeds the pages: as text (the header and body `<pre>` blocks
//! extracted as `score-parser` does, written as `header + "\n\n" + body` under a
//! name that hides the id) and as the HTML page itself. Each input goes through the
//! container reader and the assembler as `cablescope parse` does; the record scored
//! is the first one from that input. Every remaining miss is printed with what was
//! lost or added.

mod shared;

use std::collections::{BTreeSet, HashMap};
use std::fs;
use std::sync::OnceLock;

use cablescope_format::assemble::assemble;
use cablescope_format::containers::{read_stream, ReadOptions};
use cablescope_format::Cable;
use regex::Regex;
use serde_json::Value;

/// Thresholds (percent) the figures must reach, in both feeds.
const MIN_PARAGRAPHS: f64 = 99.5;
const MIN_WORDS_KEPT: f64 = 99.0;
const MIN_WORDS_EXTRA: f64 = 99.8;

fn re(cell: &'static OnceLock<Regex>, pattern: &str) -> &'static Regex {
    cell.get_or_init(|| Regex::new(pattern).expect("valid regex"))
}

// ---- the scorer's page extraction (score-parser's `PRE`, `TAG`, `pre_text`)

fn pre_re() -> &'static Regex {
    static R: OnceLock<Regex> = OnceLock::new();
    re(&R, r"(?s)<code><pre>(.*?)</pre></code>")
}

fn pre_text(block: &str) -> String {
    static ANCHOR: OnceLock<Regex> = OnceLock::new();
    static TAG: OnceLock<Regex> = OnceLock::new();
    let block = re(&ANCHOR, r"<a id='par\d+' href='#par\d+'>¶</a>").replace_all(block, "");
    let block = re(&TAG, r"<[^>]+>").replace_all(&block, "");
    unescape(&block.replace("&#x000A;", "\n"))
}

/// Python's `html.unescape` for what cable pages hold: numeric references, the
/// named references with a semicolon, and the legacy names HTML5 reads without one
/// (longest name first: `&note` is `¬e`).
fn unescape(s: &str) -> String {
    const NAMED: &[(&str, &str)] = &[
        ("amp", "&"),
        ("lt", "<"),
        ("gt", ">"),
        ("quot", "\""),
        ("apos", "'"),
        ("nbsp", "\u{a0}"),
        ("copy", "\u{a9}"),
        ("reg", "\u{ae}"),
        ("not", "\u{ac}"),
        ("para", "\u{b6}"),
        ("sect", "\u{a7}"),
        ("deg", "\u{b0}"),
        ("times", "\u{d7}"),
        ("divide", "\u{f7}"),
        ("pound", "\u{a3}"),
        ("cent", "\u{a2}"),
        ("yen", "\u{a5}"),
        ("micro", "\u{b5}"),
        ("middot", "\u{b7}"),
        ("laquo", "\u{ab}"),
        ("raquo", "\u{bb}"),
        ("shy", "\u{ad}"),
        ("uml", "\u{a8}"),
        ("acute", "\u{b4}"),
        ("macr", "\u{af}"),
        ("plusmn", "\u{b1}"),
        ("AMP", "&"),
        ("LT", "<"),
        ("GT", ">"),
        ("QUOT", "\""),
        ("COPY", "\u{a9}"),
        ("REG", "\u{ae}"),
    ];
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        let tail = &rest[i + 1..];
        // Numeric: `&#39;`, `&#x27;` (the semicolon optional, as in Python).
        if let Some(num) = tail.strip_prefix('#') {
            let (hex, digits) = match num.strip_prefix(['x', 'X']) {
                Some(h) => (true, h),
                None => (false, num),
            };
            let len = digits
                .bytes()
                .take_while(|b| {
                    if hex {
                        b.is_ascii_hexdigit()
                    } else {
                        b.is_ascii_digit()
                    }
                })
                .count();
            if len > 0 {
                let n = u32::from_str_radix(&digits[..len], if hex { 16 } else { 10 }).ok();
                if let Some(c) = n.and_then(char::from_u32) {
                    out.push(c);
                    let used = 1 + usize::from(hex) + len;
                    let used = used + usize::from(tail[used..].starts_with(';'));
                    rest = &tail[used..];
                    continue;
                }
            }
        }
        let mut best: Option<(&str, &str)> = None;
        for (name, value) in NAMED {
            if tail.starts_with(name) && best.is_none_or(|(b, _)| name.len() > b.len()) {
                best = Some((name, value));
            }
        }
        match best {
            Some((name, value)) => {
                out.push_str(value);
                let used = name.len() + usize::from(tail[name.len()..].starts_with(';'));
                rest = &tail[used..];
            }
            None => {
                out.push('&');
                rest = tail;
            }
        }
    }
    out.push_str(rest);
    out
}

// ---- the scorer's content metrics (eval_parser.py)

const LABEL_WORDS: &[&str] = &[
    "tags",
    "subject",
    "ref",
    "refs",
    "reference",
    "references",
    "classified",
    "reason",
    "reasons",
    "sipdis",
    "summary",
    "comment",
    "end",
    "section",
    "decl",
    "declassify",
    "info",
    "zny",
    "zzh",
    "zdk",
    "zfr",
    "ccccc",
    "sssss",
    "nnnn",
    "page",
    "the",
    "and",
    "for",
    "this",
    "record",
    "partial",
    "extract",
    "original",
    "cable",
    "header",
    "full",
    "text",
    "not",
    "available",
    "date",
    "refid",
    "origin",
    "destination",
    "classification",
];
const SKIP_KEYS: &[&str] = &[
    "source",
    "sources",
    "diagnostics",
    "published",
    "id",
    "id_as_written",
    "created",
    "partial",
];

/// `WORD_RE = [A-Za-z]{3,}`, lower-cased.
fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    static W: OnceLock<Regex> = OnceLock::new();
    re(&W, r"[A-Za-z]{3,}")
        .find_iter(text)
        .map(|m| m.as_str().to_ascii_lowercase())
}

type Bag = HashMap<String, usize>;

fn bag(it: impl Iterator<Item = String>) -> Bag {
    let mut b = Bag::new();
    for w in it {
        *b.entry(w).or_default() += 1;
    }
    b
}

fn total(b: &Bag) -> usize {
    b.values().sum()
}

/// `sum((a & b).values())`.
fn common(a: &Bag, b: &Bag) -> usize {
    a.iter()
        .map(|(w, n)| (*n).min(b.get(w).copied().unwrap_or(0)))
        .sum()
}

/// `record_words`: the words of every string in the record, keys in `SKIP_KEYS`
/// left out at any depth.
fn record_words(v: &Value, key: Option<&str>, out: &mut Vec<String>) {
    if key.is_some_and(|k| SKIP_KEYS.contains(&k)) {
        return;
    }
    match v {
        Value::String(s) => out.extend(words(s)),
        Value::Array(a) => a.iter().for_each(|x| record_words(x, None, out)),
        Value::Object(o) => o.iter().for_each(|(k, x)| record_words(x, Some(k), out)),
        _ => {}
    }
}

/// `expected_paragraphs`: the chain 1, 2, 3, ... of marked numbers at line starts.
fn expected_paragraphs(body: &str) -> Vec<u64> {
    static P: OnceLock<Regex> = OnceLock::new();
    let mut nums = Vec::new();
    let mut last = 0;
    for c in re(
        &P,
        r"(?m)^[ \t]*(\d{1,3})\s?\.\s*\(\s*[A-Z][A-Z/ ]{0,14}?\s*\)",
    )
    .captures_iter(body)
    {
        let n: u64 = c[1].parse().expect("digits");
        if n == last + 1 {
            nums.push(n);
            last = n;
        }
    }
    nums
}

/// `word_scores`: the share of the body's words the record holds, the share of
/// the record's paragraph and subject words the text lacks, and the words behind
/// each (for the report of misses).
fn word_scores(header: &str, body: &str, rec: &Value) -> (f64, f64, Vec<String>, Vec<String>) {
    let body_bag = bag(words(body).filter(|w| !LABEL_WORDS.contains(&w.as_str())));
    let mut held = Vec::new();
    record_words(rec, None, &mut held);
    let held = bag(held.into_iter());
    let kept = common(&body_bag, &held) as f64 / total(&body_bag).max(1) as f64;
    let text = bag(words(&format!("{header}\n{body}")));
    let mut prose_vals: Vec<Value> = rec["paragraphs"]
        .as_array()
        .map(|ps| ps.iter().map(|p| p["text"].clone()).collect())
        .unwrap_or_default();
    prose_vals.push(rec["subject"].clone());
    let mut prose = Vec::new();
    record_words(&Value::Array(prose_vals), None, &mut prose);
    let prose = bag(prose.into_iter());
    let extra = 1.0 - common(&prose, &text) as f64 / total(&prose).max(1) as f64;
    let lost = |a: &Bag, b: &Bag| -> Vec<String> {
        let mut v: Vec<String> = a
            .iter()
            .filter(|(w, n)| **n > b.get(*w).copied().unwrap_or(0))
            .map(|(w, n)| format!("{w}×{}", n - b.get(w).copied().unwrap_or(0)))
            .collect();
        v.sort();
        v.truncate(12);
        v
    };
    (kept, extra, lost(&body_bag, &held), lost(&prose, &text))
}

// ---- running the pages through the reader

struct Row {
    id: String,
    page: String,
    path: String,
    header: String,
    body: String,
}

fn rows() -> Option<Vec<Row>> {
    let corpus = shared::shared_dir("corpus")?;
    let truth = fs::read_to_string(corpus.join("cablegate-html-truth.jsonl")).expect("truth file");
    let mut out = Vec::new();
    for line in truth.lines().filter(|l| !l.trim().is_empty()) {
        let v: Value = serde_json::from_str(line).expect("truth line is JSON");
        let path = corpus.join(v["source"].as_str().expect("source"));
        let page = String::from_utf8_lossy(&fs::read(&path).expect("page")).into_owned();
        let pres: Vec<String> = pre_re()
            .captures_iter(&page)
            .map(|c| pre_text(&c[1]))
            .collect();
        let (header, body) = match pres.as_slice() {
            [h, b, ..] => (h.clone(), b.clone()),
            [b] => (String::new(), b.clone()),
            [] => (String::new(), String::new()),
        };
        out.push(Row {
            id: v["id"].as_str().expect("id").to_string(),
            path: path.display().to_string(),
            page,
            header,
            body,
        });
    }
    Some(out)
}

/// The record `cablescope parse` gives for one input: read, assembled, the first
/// record from that input.
fn record_of(name: &str, bytes: &[u8]) -> Option<Value> {
    let mut cables: Vec<Cable> = Vec::new();
    let _ = read_stream(name, &mut &bytes[..], &ReadOptions::default(), &mut |r| {
        if let Ok(c) = r {
            cables.push(c);
        }
    });
    let merged = assemble(cables);
    let c = merged
        .iter()
        .find(|c| c.source.path.as_deref() == Some(name))
        .or(merged.first())?;
    Some(serde_json::to_value(c).expect("a record serialises"))
}

#[derive(Default)]
struct Figure {
    passed: usize,
    total: usize,
    misses: Vec<String>,
}

impl Figure {
    fn add(&mut self, ok: bool, miss: impl FnOnce() -> String) {
        self.total += 1;
        if ok {
            self.passed += 1;
        } else {
            self.misses.push(miss());
        }
    }

    fn pct(&self) -> f64 {
        100.0 * self.passed as f64 / self.total.max(1) as f64
    }
}

/// Scores one feed; returns the three figures.
fn score(rows: &[Row], feed: &str) -> [Figure; 3] {
    let mut paragraphs = Figure::default();
    let mut kept = Figure::default();
    let mut extra = Figure::default();
    for (i, row) in rows.iter().enumerate() {
        let rec = if feed == "text" {
            let name = format!("row-{i:05}.txt");
            let text = format!("{}\n\n{}", row.header, row.body);
            record_of(&name, text.as_bytes())
        } else {
            record_of(&row.path, row.page.as_bytes())
        };
        let why_none = "no record";
        let expected = expected_paragraphs(&row.body);
        if expected.len() >= 2 {
            let got: BTreeSet<u64> = rec
                .as_ref()
                .and_then(|r| r["paragraphs"].as_array())
                .map(|ps| ps.iter().filter_map(|p| p["number"].as_u64()).collect())
                .unwrap_or_default();
            let missing: Vec<u64> = expected
                .iter()
                .filter(|n| !got.contains(n))
                .copied()
                .collect();
            paragraphs.add(missing.is_empty(), || {
                let why = rec.as_ref().map_or(why_none.to_string(), diagnosis);
                format!(
                    "{}: paragraphs {missing:?} not in the record ({why})",
                    row.id
                )
            });
        }
        if words(&row.body).count() >= 20 {
            match &rec {
                Some(r) => {
                    let (k, e, lost, added) = word_scores(&row.header, &row.body, r);
                    kept.add(k >= 0.95, || {
                        format!(
                            "{}: {:.1}% of the body's words kept ({}); lost {}",
                            row.id,
                            100.0 * k,
                            diagnosis(r),
                            lost.join(" ")
                        )
                    });
                    extra.add(e <= 0.01, || {
                        format!(
                            "{}: {:.1}% of the paragraph words not in the text; e.g. {}",
                            row.id,
                            100.0 * e,
                            added.join(" ")
                        )
                    });
                }
                None => {
                    kept.add(false, || format!("{}: {why_none}", row.id));
                    extra.add(false, || format!("{}: {why_none}", row.id));
                }
            }
        }
    }
    [paragraphs, kept, extra]
}

/// What the record says about itself that explains a miss: how many paragraphs it
/// has, and its diagnostics about copies and cables in the text.
fn diagnosis(r: &Value) -> String {
    let n = r["paragraphs"].as_array().map_or(0, Vec::len);
    let notes: Vec<String> = r["diagnostics"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|d| {
            matches!(
                d["code"].as_str(),
                Some("multiple_cables" | "copy_conflict")
            )
        })
        .filter_map(|d| d["message"].as_str())
        .map(|m| m.chars().take(110).collect())
        .collect();
    format!("{} paragraphs, id {}; {}", n, r["id"], notes.join(" | "))
}

fn check(feed: &str, rows: &[Row]) {
    let [p, k, e] = score(rows, feed);
    let lines = [
        ("paragraphs", &p, MIN_PARAGRAPHS),
        ("words_kept", &k, MIN_WORDS_KEPT),
        ("words_extra", &e, MIN_WORDS_EXTRA),
    ];
    for (name, f, min) in lines {
        eprintln!(
            "{feed:<5} {name:<12} {:>5}/{:<5} {:6.2}% (at least {min}%)",
            f.passed,
            f.total,
            f.pct()
        );
    }
    for (name, f, _) in lines {
        for m in &f.misses {
            eprintln!("  miss [{feed} {name}] {m}");
        }
    }
    for (name, f, min) in lines {
        assert!(
            f.total > 1000,
            "{feed} {name}: only {} rows scored",
            f.total
        );
        assert!(
            f.pct() >= min,
            "{feed} {name}: {:.2}% < {min}% (misses above)",
            f.pct()
        );
    }
}

#[test]
fn content_of_the_viewer_pages_read_as_text() {
    let Some(rows) = rows() else { return };
    assert!(rows.len() > 1500, "expected the 1,715 viewer pages");
    check("text", &rows);
}

#[test]
fn content_of_the_viewer_pages_read_as_html() {
    let Some(rows) = rows() else { return };
    check("html", &rows);
}

#[test]
fn the_metrics_follow_the_scorer() {
    // Hand-made: the chain skips sub-lists and restarts; labels and short words
    // do not count; a record's id and sources do not hold words.
    let body = "1. (C) One.\n  2. (S) Two.\n1. (U) Again.\n3. (C) Three.\n5. (C) Five.";
    assert_eq!(expected_paragraphs(body), vec![1, 2, 3]);
    assert_eq!(
        unescape("AT&amp;T &#8217;s &#x41; &note &T"),
        "AT&T \u{2019}s A \u{ac}e &T"
    );
    let rec = serde_json::json!({
        "id": "08MOSCOW1599",
        "subject": "Widget talks",
        "paragraphs": [{"number": 1, "text": "The widget talks went well"}],
        "sources": [{"path": "widget"}],
    });
    let (kept, extra, lost, added) = word_scores(
        "",
        "SUBJECT: Widget talks\n1. (C) The widget talks went well, moscow",
        &rec,
    );
    // Body words (labels out): widget talks widget talks went well moscow = 7,
    // held: widget talks widget talks went well = 6.
    assert!((kept - 6.0 / 7.0).abs() < 1e-9, "{kept}");
    assert_eq!(lost, vec!["moscow×1"]);
    assert_eq!(extra, 0.0);
    assert!(added.is_empty());
}
