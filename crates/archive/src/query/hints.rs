//! Hints about a query that parsed but may not mean what its writer meant.
//!
//! Lower-case `and`, `or` and `not` are ordinary words (operators are upper case,
//! so that a search for the word "not" stays possible): `iran or iraq` looks for
//! cables holding all three words. That is rarely what was meant, and silently
//! finding fewer cables is worse than an error, so the front ends show these hints
//! beside the results.

use super::lexer::{beside_colon, lex, Tok};

/// Hints for `query`, one sentence each; empty when there is nothing to say (or
/// the query does not lex: its syntax error says more).
///
/// ```
/// # use cablescope_archive::query::hints;
/// let h = hints("iran or iraq");
/// assert_eq!(h.len(), 1);
/// assert!(h[0].contains("`iran OR iraq`"));
/// assert!(hints("iran OR iraq").is_empty());
/// assert!(hints("\"war or peace\"").is_empty());
/// ```
pub fn hints(query: &str) -> Vec<String> {
    let chars: Vec<char> = query.chars().collect();
    let Ok(tokens) = lex(&chars) else {
        return Vec::new();
    };
    let word = |i: usize| match tokens.get(i).map(|t| &t.tok) {
        Some(Tok::Word { text, .. }) => Some(text.as_str()),
        Some(Tok::Quoted { .. }) => Some("\"…\""),
        _ => None,
    };
    let mut out: Vec<String> = Vec::new();
    for (i, t) in tokens.iter().enumerate() {
        let Some(text) = t.plain_word() else {
            continue;
        };
        let upper = text.to_ascii_uppercase();
        if !matches!(upper.as_str(), "AND" | "OR" | "NOT") || text == upper {
            continue;
        }
        // A field's value (`subject:or`) or a field name (`or:`) is not an operator
        // written small.
        if beside_colon(&tokens, i) {
            continue;
        }
        let next = word(i + 1);
        let prev = i.checked_sub(1).and_then(word);
        let example = match (upper.as_str(), prev, next) {
            ("NOT", _, Some(n)) => format!(
                "`{}NOT {n}`",
                prev.map_or(String::new(), |p| format!("{p} "))
            ),
            (_, Some(p), Some(n)) => format!("`{p} {upper} {n}`"),
            _ => continue,
        };
        let hint = format!(
            "`{text}` was searched as a word; operators are written in capitals: {example}"
        );
        if !out.contains(&hint) {
            out.push(hint);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lower_case_operators_between_words_are_hinted() {
        assert_eq!(
            hints("iran or iraq"),
            ["`or` was searched as a word; operators are written in capitals: `iran OR iraq`"]
        );
        assert!(hints("sanctions and iran")[0].contains("`sanctions AND iran`"));
        assert!(hints("iran not iraq")[0].contains("`iran NOT iraq`"));
        assert!(hints("iran Or \"oil embargo\"")[0].contains("`iran OR \"…\"`"));
    }

    #[test]
    fn words_that_cannot_be_operators_are_left_alone() {
        for q in [
            "iran OR iraq",
            "or",
            "or iraq",
            "iran or",
            "\"to be or not to be\"",
            "subject:or iraq",
            "iran \\or iraq",
            "iran or* iraq",
            "nuclear",
            "iran (or",
        ] {
            assert!(hints(q).is_empty(), "{q}: {:?}", hints(q));
        }
    }
}
