//! Locating the real data in `../shared` beside the checkout.
//!
//! Tests that need it call [`shared_dir`]: in CI (`CI=true`) a missing folder is a
//! failure; elsewhere the test prints a notice and skips.

use std::path::PathBuf;

/// The `shared` folder beside the repository, or `None` (after printing a notice)
/// when it is absent outside CI.
pub fn shared_dir() -> Option<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared");
    if dir.join("corpus").is_dir() {
        return Some(dir);
    }
    if std::env::var("CI").is_ok_and(|v| v == "true" || v == "1") {
        panic!("../shared/corpus is missing: CI must have the shared data beside the clone ({})", dir.display());
    }
    eprintln!("notice: {} not found; skipping a test that needs the real cables", dir.display());
    None
}

/// Minimal HTML handling for the viewer pages in tests: the text of each
/// `<code><pre>` block, tags stripped, entities decoded. (The product's own HTML
/// reader lives in the library; this keeps the parser test independent of it.)
#[allow(dead_code)]
pub fn pre_blocks(page: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = page;
    while let Some(start) = rest.find("<code><pre>") {
        let after = &rest[start + "<code><pre>".len()..];
        let Some(end) = after.find("</pre></code>") else { break };
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
                u32::from_str_radix(&ent[2..], 16).ok().and_then(char::from_u32)
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
