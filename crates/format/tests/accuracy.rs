//! Accuracy of the telegram parser on the real viewer pages in
//! `../shared/corpus/cablegate-html/`, scored against WikiLeaks' published metadata
//! by the rules of the parser issue. The HTML is stripped here; the parser sees only
//! the telegram text, and the file name is never passed.

mod shared;

use std::fs;

use cablescope_format::{parse, Cable, Hints};
use serde_json::Value;
use shared::{has_dtg, has_tags_line, tag_words, Score};

struct Row {
    id: String,
    created: String,
    classification: String,
    tags: Vec<String>,
    text: String,
}

fn load_rows() -> Option<Vec<Row>> {
    let corpus = shared::shared_dir("corpus")?;
    let truth = fs::read_to_string(corpus.join("cablegate-html-truth.jsonl")).expect("truth file");
    let mut rows = Vec::new();
    for line in truth.lines().filter(|l| !l.trim().is_empty()) {
        let v: Value = serde_json::from_str(line).expect("truth line is JSON");
        let page = fs::read(corpus.join(v["source"].as_str().unwrap())).expect("page");
        let page = String::from_utf8_lossy(&page);
        let blocks = shared::pre_blocks(&page);
        let (header, body) = match blocks.as_slice() {
            [h, b, ..] => (h.clone(), b.clone()),
            [b] => (String::new(), b.clone()),
            [] => (String::new(), String::new()),
        };
        rows.push(Row {
            id: v["id"].as_str().unwrap().to_string(),
            created: v["created"].as_str().unwrap().to_string(),
            classification: v["classification"].as_str().unwrap().to_string(),
            tags: v["tags"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| t.as_str().unwrap().to_string())
                .collect(),
            text: format!("{header}\n\n{body}"),
        });
    }
    Some(rows)
}

#[test]
fn accuracy_on_real_viewer_pages() {
    let Some(rows) = load_rows() else { return };
    assert!(
        rows.len() > 1500,
        "expected the 1,715 viewer pages, found {}",
        rows.len()
    );
    let mut id = Score::new("id (rows with a DTG)");
    let mut created = Score::new("created date (rows with a DTG)");
    let mut level = Score::new("classification level");
    let mut full = Score::new("classification");
    let mut tags = Score::new("tags");
    let mut odd_tag_rows = 0usize;
    for row in &rows {
        let c: Cable = parse(&row.text, &Hints::default());
        let got_id = c.id.clone().unwrap_or_default();
        let got_created = c.created.clone().unwrap_or_default();
        let got_class = c.classification.clone().unwrap_or_default();
        if has_dtg(&row.text) {
            let efto_free = shared::strip_efto(&row.id);
            id.add(
                got_id == row.id || got_id == efto_free,
                &row.id,
                &row.id,
                &got_id,
            );
            let date = got_created.get(..10).unwrap_or("");
            created.add(
                date == &row.created[..10],
                &row.id,
                &row.created[..10],
                &got_created,
            );
        }
        let lvl = |s: &str| s.split("//").next().unwrap_or("").trim().to_string();
        level.add(
            lvl(&got_class) == lvl(&row.classification),
            &row.id,
            &row.classification,
            &got_class,
        );
        full.add(
            got_class == row.classification,
            &row.id,
            &row.classification,
            &got_class,
        );
        if row.tags.is_empty() && has_tags_line(&row.text) {
            odd_tag_rows += 1;
        } else {
            let exp = tag_words(&row.tags);
            let got = tag_words(&c.tags);
            let ok = exp == got
                || (!exp.is_empty() && got.len() >= exp.len() && got[..exp.len()] == exp[..]);
            tags.add(ok, &row.id, &format!("{exp:?}"), &format!("{got:?}"));
        }
    }
    let scores = [&id, &created, &level, &full, &tags];
    for s in scores {
        eprintln!(
            "{:<32} {:>5}/{:<5} {:6.2}%",
            s.name,
            s.passed,
            s.total,
            s.pct()
        );
    }
    eprintln!("rows left out of tags (no truth tags, odd TAGS line): {odd_tag_rows}");
    for s in scores {
        for m in s.misses.iter().take(40) {
            eprintln!("  miss [{}] {m}", s.name);
        }
    }
    assert!(id.pct() >= 99.0, "id accuracy {:.2}% < 99%", id.pct());
    assert!(
        created.pct() >= 99.0,
        "created accuracy {:.2}% < 99%",
        created.pct()
    );
    assert!(
        level.pct() >= 99.0,
        "classification level accuracy {:.2}% < 99%",
        level.pct()
    );
    assert!(
        full.pct() >= 98.0,
        "classification accuracy {:.2}% < 98%",
        full.pct()
    );
    assert!(tags.pct() >= 99.0, "tags accuracy {:.2}% < 99%", tags.pct());
}
