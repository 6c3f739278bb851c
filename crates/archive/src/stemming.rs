//! English stemming by query expansion: a word of a query also finds the indexed
//! words that share its stem (`sanction` finds `sanctions`, `sanctioned`), and the
//! cables holding the word exactly as written rank first.
//!
//! The index keeps words as written; the forms of a word are found at query time
//! in the term dictionaries: the words that begin like its stem (Snowball
//! English, `rust-stemmers`) and stem the same. Stemming at query time keeps
//! exact search possible without a second copy of the text in the index (`=word`
//! and quoted phrases are searched as written), and keeps the index and the ingest
//! as they are; it costs a short dictionary walk per word of a query.

use rust_stemmers::{Algorithm, Stemmer};
use tantivy::schema::Field;
use tantivy::Searcher;

use crate::error::Result;

/// Shortest word expanded: shorter words stem to themselves or to noise.
pub const MIN_WORD: usize = 4;

/// Most forms a word expands to (the word included).
pub const MAX_FORMS: usize = 24;

/// The stem of `word` (lower-case ASCII), by the Snowball English stemmer.
pub fn stem(word: &str) -> String {
    Stemmer::create(Algorithm::English).stem(word).into_owned()
}

/// The prefix every form of a stem begins with: the stem but a last `i` or `e`
/// (Snowball writes `happi` for `happy`, `argu` for `argue`), and no shorter
/// than [`MIN_WORD`] - 1 letters.
fn prefix_of(stem: &str) -> &str {
    let cut = stem.strip_suffix(['i', 'e', 'y']).unwrap_or(stem);
    if cut.len() + 1 < MIN_WORD {
        stem
    } else {
        cut
    }
}

/// `word` and the indexed words of `fields` that share its English stem, `word`
/// first, the others sorted; just `word` when it is shorter than [`MIN_WORD`],
/// not made of ASCII letters, or has no other form in the index. At most
/// [`MAX_FORMS`].
pub fn forms(searcher: &Searcher, fields: &[Field], word: &str) -> Result<Vec<String>> {
    let mut out = vec![word.to_string()];
    if word.len() < MIN_WORD || !word.bytes().all(|b| b.is_ascii_lowercase()) {
        return Ok(out);
    }
    let stemmer = Stemmer::create(Algorithm::English);
    let want = stemmer.stem(word);
    let prefix = prefix_of(&want);
    let mut end = prefix.as_bytes().to_vec();
    // The first key after every key that starts with the prefix (ASCII letters:
    // the last byte is below 0xff).
    if let Some(last) = end.last_mut() {
        *last += 1;
    }
    let mut found: Vec<String> = Vec::new();
    for seg in searcher.segment_readers() {
        for f in fields {
            let inv = seg.inverted_index(*f)?;
            let mut stream = inv
                .terms()
                .range()
                .ge(prefix.as_bytes())
                .lt(&end)
                .into_stream()?;
            while stream.advance() {
                let Ok(k) = std::str::from_utf8(stream.key()) else {
                    continue;
                };
                if k != word
                    && k.bytes().all(|b| b.is_ascii_lowercase())
                    && !found.iter().any(|x| x == k)
                    && stemmer.stem(k) == want
                {
                    found.push(k.to_string());
                }
            }
        }
    }
    found.sort();
    found.truncate(MAX_FORMS - 1);
    out.extend(found);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_share_a_stem_and_begin_with_its_prefix() {
        for (a, b) in [
            ("sanction", "sanctions"),
            ("sanction", "sanctioned"),
            ("negotiate", "negotiations"),
            ("study", "studies"),
            ("argue", "argued"),
        ] {
            let (sa, sb) = (stem(a), stem(b));
            assert_eq!(sa, sb, "{a} {b}");
            assert!(a.starts_with(prefix_of(&sa)), "{a}: {}", prefix_of(&sa));
            assert!(b.starts_with(prefix_of(&sa)), "{b}: {}", prefix_of(&sa));
        }
        assert_ne!(stem("nuclear"), stem("nucleus"));
    }
}
