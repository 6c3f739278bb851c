//! Comparing a parsed record with the generator's truth.

#![allow(dead_code)]

use std::collections::BTreeMap;

use cablescope_format::{Cable, Recipient, ReferenceKind};
use cablescope_generate::truth::TruthRecipient;
use cablescope_generate::Truth;

/// Fields the key test requires; the others are measured and printed.
pub const KEY_FIELDS: &[&str] = &[
    "id",
    "created",
    "classification",
    "tags",
    "subject",
    "references",
    "paragraphs",
    "recipients",
    "info_recipients",
];

fn recips(rs: &[Recipient]) -> Vec<String> {
    rs.iter()
        .map(|r| {
            format!(
                "{}/{} {} {}",
                r.routing_indicator.as_deref().unwrap_or("-"),
                r.name,
                r.precedence.as_deref().unwrap_or("-"),
                r.serial.as_deref().unwrap_or("-")
            )
        })
        .collect()
}

fn trecips(rs: &[TruthRecipient]) -> Vec<String> {
    rs.iter()
        .map(|r| {
            format!(
                "{}/{} {} {}",
                r.routing_indicator.as_deref().unwrap_or("-"),
                r.name,
                r.precedence.as_deref().unwrap_or("-"),
                r.serial.as_deref().unwrap_or("-")
            )
        })
        .collect()
}

fn squash(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// `(field, expected, got)` for every field where the record differs from the
/// truth, skipping fields the damage removed.
pub fn differences(t: &Truth, c: &Cable) -> Vec<(&'static str, String, String)> {
    let mut out = Vec::new();
    let lost = |f: &str| t.lost_fields.iter().any(|l| l == f);
    let mut check = |field: &'static str, want: String, got: String| {
        if !lost(field) && want != got {
            out.push((field, want, got));
        }
    };
    check(
        "id",
        t.id.clone(),
        c.id.as_deref().unwrap_or("-").to_string(),
    );
    check(
        "created",
        t.created.clone(),
        c.created.clone().unwrap_or_default(),
    );
    check(
        "precedence",
        t.precedence.clone(),
        c.precedence.clone().unwrap_or_default(),
    );
    check(
        "origin.station",
        t.origin.station.clone(),
        c.origin.station.clone().unwrap_or_default(),
    );
    check(
        "origin.routing_indicator",
        t.origin.routing_indicator.clone(),
        c.origin.routing_indicator.clone().unwrap_or_default(),
    );
    check(
        "origin.name",
        t.origin.name.clone(),
        c.origin.name.clone().unwrap_or_default(),
    );
    check(
        "classification",
        t.classification.clone(),
        c.classification.clone().unwrap_or_default(),
    );
    check("captions", t.captions.join(" "), c.captions.join(" "));
    check(
        "recipients",
        trecips(&t.recipients).join("; "),
        recips(&c.recipients).join("; "),
    );
    check(
        "info_recipients",
        trecips(&t.info_recipients).join("; "),
        recips(&c.info_recipients).join("; "),
    );
    check("eo", t.eo.clone(), c.eo.clone().unwrap_or_default());
    check(
        "declassify_on",
        t.declassify_on.clone().unwrap_or_default(),
        c.declassify_on.clone().unwrap_or_default(),
    );
    check(
        "classified_by",
        t.classified_by.join("; "),
        c.classified_by.join("; "),
    );
    check("reasons", t.reasons.join(" "), c.reasons.join(" "));
    check("tags", t.tags.join(" "), c.tags.join(" "));
    check(
        "subject",
        t.subject.clone(),
        c.subject.clone().unwrap_or_default(),
    );
    check(
        "subject_marking",
        t.subject_marking.clone().unwrap_or_default(),
        c.subject_marking.clone().unwrap_or_default(),
    );
    check(
        "references",
        t.references.join(" "),
        c.references
            .iter()
            .filter(|r| r.kind == ReferenceKind::Cable)
            .filter_map(|r| r.id.clone())
            .collect::<Vec<_>>()
            .join(" "),
    );
    check(
        "summary",
        t.summary.clone().map(|s| squash(&s)).unwrap_or_default(),
        c.summary.clone().map(|s| squash(&s)).unwrap_or_default(),
    );
    check(
        "paragraphs",
        t.paragraphs
            .iter()
            .map(|p| format!("{}{}", p.number, p.marking.as_deref().unwrap_or("-")))
            .collect::<Vec<_>>()
            .join(" "),
        c.paragraphs
            .iter()
            .filter(|p| p.number > 0)
            .map(|p| format!("{}{}", p.number, p.marking.as_deref().unwrap_or("-")))
            .collect::<Vec<_>>()
            .join(" "),
    );
    check("signers", t.signers.join(" "), c.signers.join(" "));
    check(
        "redactions",
        t.redactions.to_string(),
        c.redactions.to_string(),
    );
    out
}

/// Per-field miss counts and the share of cables whose key fields all match.
#[derive(Default)]
pub struct Tally {
    pub cables: usize,
    pub key_ok: usize,
    pub misses: BTreeMap<&'static str, usize>,
    pub examples: BTreeMap<&'static str, Vec<String>>,
}

impl Tally {
    pub fn add(&mut self, t: &Truth, c: &Cable) {
        self.cables += 1;
        let diffs = differences(t, c);
        if !diffs.iter().any(|d| KEY_FIELDS.contains(&d.0)) {
            self.key_ok += 1;
        }
        for (f, want, got) in diffs {
            *self.misses.entry(f).or_default() += 1;
            let ex = self.examples.entry(f).or_default();
            if ex.len() < 3 {
                ex.push(format!("{} ({}): want {want:?} got {got:?}", t.id, t.file));
            }
        }
    }

    pub fn report(&self, label: &str) {
        eprintln!(
            "{label}: {} cables, key fields all right in {} ({:.2}%)",
            self.cables,
            self.key_ok,
            100.0 * self.key_ok as f64 / self.cables.max(1) as f64
        );
        for (f, n) in &self.misses {
            eprintln!("  {f}: {n} misses");
            for e in &self.examples[f] {
                eprintln!("      {e}");
            }
        }
    }

    pub fn key_share(&self) -> f64 {
        self.key_ok as f64 / self.cables.max(1) as f64
    }
}
