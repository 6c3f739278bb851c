//! The plain words of a query and where they stand, so that a front end can offer
//! the same query with one word spelled otherwise ("did you mean").

use super::lexer::{beside_colon, lex, Tok};

/// A plain word of a query: searched in the text, not a field name or value, an
/// operator, a phrase, a prefix or a fuzzy word.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlainWord {
    /// The word as written.
    pub text: String,
    /// Where it is, in characters of the query.
    pub start: usize,
    /// Where it ends, in characters.
    pub end: usize,
}

/// The plain words of `query` made of letters only (a number or an id-like word
/// has no spelling to correct), in order; empty when the query does not lex.
///
/// ```
/// # use cablescope_archive::query::plain_words;
/// let w: Vec<String> = plain_words("presidnet OR tag:PREL \"arms control\" nucl* medvedv")
///     .into_iter().map(|w| w.text).collect();
/// assert_eq!(w, ["presidnet", "medvedv"]);
/// ```
pub fn plain_words(query: &str) -> Vec<PlainWord> {
    let chars: Vec<char> = query.chars().collect();
    let Ok(tokens) = lex(&chars) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (i, t) in tokens.iter().enumerate() {
        let Some(text) = t.plain_word() else {
            continue;
        };
        if t.is_operator() || t.is_keyword("TO") || !text.chars().all(char::is_alphabetic) {
            continue;
        }
        // A field's name or value, or inside a range or a field's group
        // (`tag:(A OR B)`): not text.
        if beside_colon(&tokens, i) || in_field_group(&tokens[..i]) {
            continue;
        }
        out.push(PlainWord {
            text: text.to_string(),
            start: t.start,
            end: t.end,
        });
    }
    out
}

/// True when the tokens before a word leave it inside a group opened right after
/// a field's colon (`tag:(…`) or inside a range (`[…`, `{…`).
fn in_field_group(before: &[super::lexer::Token]) -> bool {
    // Each open bracket remembers whether it belongs to a field.
    let mut open: Vec<bool> = Vec::new();
    for (i, t) in before.iter().enumerate() {
        match t.tok {
            Tok::LParen => {
                let fielded = i > 0 && matches!(before[i - 1].tok, Tok::Colon);
                let inherited = open.last().copied().unwrap_or(false);
                open.push(fielded || inherited);
            }
            Tok::LBracket | Tok::LBrace => open.push(true),
            Tok::RParen | Tok::RBracket | Tok::RBrace => {
                open.pop();
            }
            _ => {}
        }
    }
    open.last().copied().unwrap_or(false)
}

/// `query` with `word` (one of its [`plain_words`]) replaced by `with`.
///
/// ```
/// # use cablescope_archive::query::{plain_words, with_word};
/// let q = "presidnet tag:PREL";
/// let w = &plain_words(q)[0];
/// assert_eq!(with_word(q, w, "president"), "president tag:PREL");
/// ```
pub fn with_word(query: &str, word: &PlainWord, with: &str) -> String {
    let mut out: String = query.chars().take(word.start).collect();
    out.push_str(with);
    out.extend(query.chars().skip(word.end));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(q: &str) -> Vec<String> {
        plain_words(q).into_iter().map(|w| w.text).collect()
    }

    #[test]
    fn only_words_searched_as_text_are_offered() {
        assert_eq!(texts("iran nuclear"), ["iran", "nuclear"]);
        assert_eq!(texts("iran AND NOT iraq"), ["iran", "iraq"]);
        assert_eq!(
            texts("subject:medvedv tag:(PREL OR PGOV) moskow"),
            ["moskow"]
        );
        assert_eq!(texts("created:[2008 TO 2009] sanctoins"), ["sanctoins"]);
        assert_eq!(texts("(iran OR iraq) tag:(A B) x"), ["iran", "iraq", "x"]);
        assert_eq!(
            texts("08MOSCOW1599 \\AND nucl* moskow~ \"a b\""),
            Vec::<String>::new()
        );
        assert!(texts("\"unclosed").is_empty());
    }

    #[test]
    fn a_word_is_replaced_where_it_stands() {
        let q = "Médvedv OR  putin";
        let w = &plain_words(q)[0];
        assert_eq!(w.text, "Médvedv");
        assert_eq!(with_word(q, w, "medvedev"), "medvedev OR  putin");
        let w = &plain_words(q)[1];
        assert_eq!(with_word(q, w, "putins"), "Médvedv OR  putins");
    }
}
