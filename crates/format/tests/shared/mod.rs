//! Helpers for the tests over the real data in `../shared` beside the checkout.
//!
//! Tests that need the data call [`shared_dir`] (the workspace's one locator, from
//! the testkit): in CI (`CI=true`) a missing folder is a failure; elsewhere the test
//! prints a notice and skips.

// Each test crate uses a subset of these helpers.
#![allow(dead_code)]

pub use cablescope_testkit::shared_dir;

/// Minimal HTML handling for the viewer pages in tests: the text of each
/// `<code><pre>` block, tags stripped, entities decoded. (The product's own HTML
/// reader lives in the library; this keeps the parser test independent of it.)
pub fn pre_blocks(page: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = page;
    while let Some(start) = rest.find("<code><pre>") {
        let after = &rest[start + "<code><pre>".len()..];
        let Some(end) = after.find("</pre></code>") else {
            break;
        };
        out.push(decode_entities(&strip_tags(&after[..end])));
        rest = &after[end..];
    }
    out
}

fn strip_tags(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut in_tag = false;
    for c in s.chars() {
        match c {
            '<' => in_tag = true,
            '>' if in_tag => in_tag = false,
            _ if !in_tag => out.push(c),
            _ => {}
        }
    }
    out
}

fn decode_entities(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        let end = tail.find(';').filter(|&e| e <= 10);
        let Some(end) = end else {
            out.push('&');
            rest = &tail[1..];
            continue;
        };
        let ent = &tail[1..end];
        let ch = match ent {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            "nbsp" => Some(' '),
            _ if ent.starts_with("#x") || ent.starts_with("#X") => {
                u32::from_str_radix(&ent[2..], 16)
                    .ok()
                    .and_then(char::from_u32)
            }
            _ if ent.starts_with('#') => ent[1..].parse().ok().and_then(char::from_u32),
            _ => None,
        };
        match ch {
            Some(c) => {
                out.push(c);
                rest = &tail[end + 1..];
            }
            None => {
                out.push('&');
                rest = &tail[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

// ---- scoring by the parser issue's rules (shared by the accuracy tests)

/// The DTG test of the scorer: a line with up to two prosigns then `DDHHMMZ MON YY`.
pub fn has_dtg(text: &str) -> bool {
    let months = [
        "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
    ];
    text.lines().any(|l| {
        let toks: Vec<&str> = l.split_whitespace().collect();
        let mut i = 0;
        while i < toks.len().min(2)
            && toks[i].len() <= 2
            && toks[i].chars().all(|c| c.is_ascii_uppercase())
        {
            i += 1;
        }
        toks.len() >= i + 3
            && toks[i].len() == 7
            && toks[i].ends_with('Z')
            && toks[i][..6].chars().all(|c| c.is_ascii_digit())
            && months.contains(&toks[i + 1].to_ascii_uppercase().as_str())
            && (toks[i + 2].len() == 2 || toks[i + 2].len() == 4)
            && toks[i + 2].chars().all(|c| c.is_ascii_digit())
    })
}

pub fn tag_words(tags: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for t in tags {
        for w in t
            .to_uppercase()
            .split(|c: char| c.is_whitespace() || matches!(c, ',' | '(' | ')'))
        {
            let w = w.trim_matches(|c| matches!(c, '.' | ';' | ':'));
            if !w.is_empty() && !out.iter().any(|x| x == w) {
                out.push(w.to_string());
            }
        }
    }
    out
}

pub fn has_tags_line(text: &str) -> bool {
    text.lines().any(|l| {
        let t = l.trim_start_matches(|c: char| !c.is_alphanumeric());
        t.len() >= 4 && t[..4].eq_ignore_ascii_case("TAGS")
    })
}

pub struct Score {
    pub name: &'static str,
    pub passed: usize,
    pub total: usize,
    pub misses: Vec<String>,
}

impl Score {
    pub fn new(name: &'static str) -> Self {
        Score {
            name,
            passed: 0,
            total: 0,
            misses: Vec::new(),
        }
    }
    pub fn add(&mut self, ok: bool, key: &str, expected: &str, got: &str) {
        self.total += 1;
        if ok {
            self.passed += 1;
        } else {
            self.misses
                .push(format!("{key}: expected {expected}, got {got}"));
        }
    }
    pub fn pct(&self) -> f64 {
        100.0 * self.passed as f64 / self.total.max(1) as f64
    }
}

pub fn strip_efto(id: &str) -> String {
    match id.get(2..6) {
        Some("EFTO") => format!("{}{}", &id[..2], &id[6..]),
        _ => id.to_string(),
    }
}
