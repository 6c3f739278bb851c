//! The full telegrams in `../shared/corpus/raw-telegrams/` (CRLF, Latin-1) against
//! `raw-telegrams-truth.jsonl`: origin, created, precedence and addressees.

mod shared;

use cablescope_format::{decode, parse, Hints, Recipient};
use serde_json::Value;

fn recipients(v: &Value) -> Vec<Recipient> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|r| Recipient {
            routing_indicator: r["routing_indicator"].as_str().map(str::to_string),
            name: r["name"].as_str().unwrap().to_string(),
            precedence: r["precedence"].as_str().map(str::to_string),
            serial: r["serial"].as_str().map(str::to_string),
        })
        .collect()
}

#[test]
fn raw_telegrams_match_their_truth() {
    let Some(corpus) = shared::shared_dir("corpus") else {
        return;
    };
    let truth = std::fs::read_to_string(corpus.join("raw-telegrams-truth.jsonl")).unwrap();
    let mut checked = 0;
    for line in truth.lines().filter(|l| !l.trim().is_empty()) {
        let t: Value = serde_json::from_str(line).unwrap();
        let file = t["file"].as_str().unwrap();
        let bytes = std::fs::read(corpus.join("raw-telegrams").join(file)).unwrap();
        let decoded = decode(&bytes).unwrap();
        let c = parse(&decoded.text, &Hints::default());
        assert_eq!(c.id.as_deref(), t["id"].as_str(), "{file}: id");
        assert_eq!(
            c.origin.routing_indicator.as_deref(),
            t["origin"]["routing_indicator"].as_str(),
            "{file}: RI"
        );
        assert_eq!(
            c.origin.name.as_deref(),
            t["origin"]["name"].as_str(),
            "{file}: FM name"
        );
        assert_eq!(
            c.created.as_deref(),
            t["created"].as_str(),
            "{file}: created"
        );
        assert_eq!(
            c.precedence.as_deref(),
            t["precedence"].as_str(),
            "{file}: precedence"
        );
        assert_eq!(
            c.recipients,
            recipients(&t["recipients"]),
            "{file}: recipients"
        );
        assert_eq!(
            c.info_recipients,
            recipients(&t["info_recipients"]),
            "{file}: info recipients"
        );
        checked += 1;
    }
    assert_eq!(checked, 8, "expected the 8 raw telegrams");
}
