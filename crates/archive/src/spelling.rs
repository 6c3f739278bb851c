//! "Did you mean": words of the index one edit away from a word of a query.
//!
//! Candidates are generated, not searched for: every deletion, transposition,
//! substitution and insertion of a letter (about 54n + 25 strings for a word of
//! n letters), each looked up in the term dictionaries of the text fields. At
//! distance one that is a few thousand dictionary look-ups, a few milliseconds,
//! and it is only asked for when a query finds little; it catches the usual typos
//! (`presidnet`, `medvedv`, `sanctoins`). A Levenshtein automaton over the
//! dictionaries would reach distance two, at the cost of walking them.
//!
//! Counts here are over the whole index, withheld text included: they only rank
//! the candidates. A reader is never shown a candidate that their own gated search
//! did not confirm (`cablescope_access::Session::suggestions`).

use tantivy::schema::Field;
use tantivy::{Searcher, Term};

use crate::error::Result;

/// Shortest word worth correcting: shorter words have too many neighbours.
pub const MIN_WORD: usize = 4;

/// A word of a query and the indexed words one edit away from it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Similar {
    /// Documents holding the word itself (over all text fields, summed).
    pub count: u64,
    /// Indexed words one edit away, most documents first, each with its count;
    /// only words in more documents than the word itself.
    pub candidates: Vec<(String, u64)>,
}

/// Every string one edit away from `word` (lower-case letters), without `word`.
fn edits(word: &str) -> Vec<String> {
    let chars: Vec<char> = word.chars().collect();
    let n = chars.len();
    let letters = 'a'..='z';
    let mut out: Vec<String> = Vec::with_capacity(54 * n + 25);
    let at = |v: &[char]| v.iter().collect::<String>();
    for i in 0..n {
        let mut v = chars.clone();
        v.remove(i);
        out.push(at(&v));
    }
    for i in 0..n.saturating_sub(1) {
        let mut v = chars.clone();
        v.swap(i, i + 1);
        out.push(at(&v));
    }
    for i in 0..n {
        for c in letters.clone() {
            if chars[i] != c {
                let mut v = chars.clone();
                v[i] = c;
                out.push(at(&v));
            }
        }
    }
    for i in 0..=n {
        for c in letters.clone() {
            let mut v = chars.clone();
            v.insert(i, c);
            out.push(at(&v));
        }
    }
    out.sort();
    out.dedup();
    out.retain(|e| e != word && !e.is_empty());
    out
}

/// Documents holding `word` in any of `fields`, summed over the fields.
fn count(searcher: &Searcher, fields: &[Field], word: &str) -> Result<u64> {
    let mut n = 0;
    for f in fields {
        n += searcher.doc_freq(&Term::from_field_text(*f, word))?;
    }
    Ok(n)
}

/// The indexed words of `fields` one edit away from `word` (lower-cased first),
/// at most `limit`. A word shorter than [`MIN_WORD`] letters, or with characters
/// other than ASCII letters, gets no candidates.
pub fn similar(searcher: &Searcher, fields: &[Field], word: &str, limit: usize) -> Result<Similar> {
    let word = word.to_lowercase();
    let own = count(searcher, fields, &word)?;
    if word.chars().count() < MIN_WORD || !word.chars().all(|c| c.is_ascii_lowercase()) {
        return Ok(Similar {
            count: own,
            candidates: Vec::new(),
        });
    }
    let mut found: Vec<(String, u64)> = Vec::new();
    for e in edits(&word) {
        let n = count(searcher, fields, &e)?;
        if n > own {
            found.push((e, n));
        }
    }
    found.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    found.truncate(limit);
    Ok(Similar {
        count: own,
        candidates: found,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edits_reach_the_usual_typos() {
        let e = edits("presidnet");
        assert!(e.contains(&"president".to_string()), "a transposition");
        assert!(
            edits("medvedv").contains(&"medvedev".to_string()),
            "an insertion"
        );
        assert!(
            edits("sanctionss").contains(&"sanctions".to_string()),
            "a deletion"
        );
        assert!(
            edits("moskow").contains(&"moscow".to_string()),
            "a substitution"
        );
        assert!(!e.contains(&"presidnet".to_string()));
        // 9 deletions, 8 swaps, 9 * 25 substitutions, 10 * 26 insertions, fewer
        // once duplicates go.
        assert!(e.len() <= 9 + 8 + 9 * 25 + 10 * 26, "{}", e.len());
    }
}
