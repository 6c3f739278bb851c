//! The signature at the end of a cable: the sender's surname in capitals.

use super::body::ends_sentence;
use super::text::is_rule;

/// Words that end a text but are not signatures.
const NOT_SIGNERS: &[&str] = &[
    "UNCLASSIFIED", "UNCLAS", "CONFIDENTIAL", "SECRET", "TOP SECRET", "LIMITED OFFICIAL USE", "SIPDIS",
    "NOFORN", "SENSITIVE", "END TEXT", "END", "NNNN", "NNN", "BT", "EXDIS", "NODIS", "LIMDIS", "DECLASSIFIED",
    "MINIMIZE CONSIDERED", "END CABLE", "END SUMMARY", "END COMMENT", "GP-3", "GP-1", "GP-2", "GP-4", "EXEMPT",
    "XGDS", "GDS", "REGARDS", "THANKS", "THANK YOU",
];

fn is_signature_line(t: &str) -> bool {
    let t = t.trim().trim_end_matches('.');
    if t.is_empty() || t.len() > 40 || t.split_whitespace().count() > 4 {
        return false;
    }
    if !t.chars().all(|c| c.is_ascii_uppercase() || matches!(c, ' ' | '-' | '\'' | '/' | '.')) {
        return false;
    }
    if t.chars().filter(|c| c.is_ascii_uppercase()).count() < 2 {
        return false;
    }
    if t.starts_with("XXXX") || is_rule(t) {
        return false;
    }
    !NOT_SIGNERS.contains(&t)
}

/// Removes the signature line(s) from the end of the last paragraph's lines and
/// returns the signers.
pub fn take_signature(lines: &mut Vec<String>) -> Vec<String> {
    while lines.last().is_some_and(|l| {
        let t = l.trim();
        t.is_empty() || NOT_SIGNERS.contains(&t.trim_end_matches('.')) || t.starts_with('#')
    }) {
        lines.pop();
    }
    let n = lines.len();
    if n < 2 {
        return Vec::new();
    }
    let last = lines[n - 1].trim().to_string();
    if !is_signature_line(&last) {
        return Vec::new();
    }
    let prev = lines[n - 2].trim();
    let mixed_case_text = lines.iter().any(|l| l.chars().any(|c| c.is_ascii_lowercase()));
    // In an all-capitals cable the signature must stand apart from the text.
    if !(prev.is_empty() || mixed_case_text || ends_sentence(prev)) {
        return Vec::new();
    }
    lines.pop();
    let signer = last.trim_end_matches('.').trim().to_string();
    vec![signer]
}

