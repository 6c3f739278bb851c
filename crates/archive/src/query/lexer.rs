//! Tokens of the query language, with character positions.
//!
//! The lexer knows the shape of words and their suffixes (`word*`, `word~2`,
//! `"phrase"~3`) and resolves escapes; whether a word is an operator (`AND`, `OR`,
//! `NOT`, `TO`) or a field name (a word directly followed by `:`) is the parser's call.

use super::error::QuerySyntaxError;

/// What follows a word.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Suffix {
    /// Nothing: a plain word.
    None,
    /// `*`: a prefix.
    Prefix,
    /// `~` or `~N`: fuzzy, with the distance when written.
    Fuzzy(Option<u32>),
}

/// One token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Tok {
    /// A bare word, escapes resolved. `escaped` is true when any character was escaped,
    /// which keeps `\AND` a word.
    Word {
        text: String,
        escaped: bool,
        suffix: Suffix,
    },
    /// A quoted string as written between the quotes (escapes resolved), with its
    /// `~N` slop when written.
    Quoted { text: String, slop: Option<u32> },
    /// `*` on its own.
    Star,
    /// `(`
    LParen,
    /// `)`
    RParen,
    /// `[`
    LBracket,
    /// `]`
    RBracket,
    /// `{`
    LBrace,
    /// `}`
    RBrace,
    /// `:`
    Colon,
    /// `+` at the start of a clause.
    Plus,
    /// `-` at the start of a clause.
    Minus,
}

/// A token and where it is: `start..end` in characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Token {
    pub tok: Tok,
    pub start: usize,
    pub end: usize,
}

impl Token {
    /// True for an unescaped, suffix-less word spelled exactly `kw`.
    pub fn is_keyword(&self, kw: &str) -> bool {
        matches!(&self.tok, Tok::Word { text, escaped: false, suffix: Suffix::None } if text == kw)
    }

    /// True for `AND`, `OR` or `NOT`.
    pub fn is_operator(&self) -> bool {
        self.is_keyword("AND") || self.is_keyword("OR") || self.is_keyword("NOT")
    }

    /// The text of an unescaped word without a suffix (`word`, not `\word`,
    /// `word*` or `word~`).
    pub fn plain_word(&self) -> Option<&str> {
        match &self.tok {
            Tok::Word {
                text,
                escaped: false,
                suffix: Suffix::None,
            } => Some(text),
            _ => None,
        }
    }
}

/// True when `tokens[i]` is a field name (followed by `:`) or a field's value
/// (after `:`), not free text.
pub(crate) fn beside_colon(tokens: &[Token], i: usize) -> bool {
    let after = i > 0 && matches!(tokens[i - 1].tok, Tok::Colon);
    let before = matches!(tokens.get(i + 1).map(|t| &t.tok), Some(Tok::Colon));
    after || before
}

/// Characters that end a bare word.
fn ends_word(c: char) -> bool {
    c.is_whitespace() || matches!(c, '(' | ')' | '[' | ']' | '{' | '}' | '"' | ':')
}

/// May this character follow a complete token (a suffix `*` or `~N`)?
fn is_boundary(c: Option<char>) -> bool {
    match c {
        None => true,
        Some(c) => ends_word(c) && c != ':',
    }
}

/// Splits `chars` into tokens.
pub(crate) fn lex(chars: &[char]) -> Result<Vec<Token>, QuerySyntaxError> {
    let mut tokens = Vec::new();
    let mut i = 0;
    let at = |i: usize| chars.get(i).copied();
    while i < chars.len() {
        let c = chars[i];
        let start = i;
        let single = match c {
            '(' => Some(Tok::LParen),
            ')' => Some(Tok::RParen),
            '[' => Some(Tok::LBracket),
            ']' => Some(Tok::RBracket),
            '{' => Some(Tok::LBrace),
            '}' => Some(Tok::RBrace),
            ':' => Some(Tok::Colon),
            _ => None,
        };
        if let Some(tok) = single {
            tokens.push(Token {
                tok,
                start,
                end: i + 1,
            });
            i += 1;
            continue;
        }
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        match c {
            '+' | '-' => {
                let next = at(i + 1);
                if next.is_none_or(|n| n.is_whitespace() || n == ')') {
                    return Err(QuerySyntaxError::new(
                        i,
                        format!(
                            "`{c}` must be written directly before a clause (`{c}word`); \
                             escape it (`\\{c}`) to search for it"
                        ),
                    ));
                }
                tokens.push(Token {
                    tok: if c == '+' { Tok::Plus } else { Tok::Minus },
                    start,
                    end: i + 1,
                });
                i += 1;
            }
            '"' => {
                i += 1;
                let mut text = String::new();
                loop {
                    match at(i) {
                        None => {
                            return Err(QuerySyntaxError::new(
                                start,
                                "unclosed quote: this `\"` has no closing `\"`",
                            ))
                        }
                        Some('"') => {
                            i += 1;
                            break;
                        }
                        Some('\\') => match at(i + 1) {
                            Some(e) => {
                                text.push(e);
                                i += 2;
                            }
                            None => {
                                return Err(QuerySyntaxError::new(
                                    start,
                                    "unclosed quote: this `\"` has no closing `\"`",
                                ))
                            }
                        },
                        Some(ch) => {
                            text.push(ch);
                            i += 1;
                        }
                    }
                }
                let mut slop = None;
                if at(i) == Some('~') {
                    let what = "a phrase's `~` needs a number, the slop: \"a b\"~2";
                    let (n, next) = read_number(chars, i, what)?;
                    let Some(n) = n else {
                        return Err(QuerySyntaxError::new(i, what));
                    };
                    slop = Some(n);
                    i = next;
                }
                check_boundary(chars, i)?;
                tokens.push(Token {
                    tok: Tok::Quoted { text, slop },
                    start,
                    end: i,
                });
            }
            '*' => {
                match at(i + 1) {
                    Some('*') => {
                        return Err(QuerySyntaxError::new(i, "`**` is not a valid wildcard"))
                    }
                    Some('~') => {
                        return Err(QuerySyntaxError::new(
                            i + 1,
                            "`*` cannot be fuzzy: `~` must follow a word",
                        ))
                    }
                    Some(':') => {
                        return Err(QuerySyntaxError::new(
                            i,
                            "`*` is not a field name: write `field:*`",
                        ))
                    }
                    n if is_boundary(n) => {}
                    _ => {
                        return Err(QuerySyntaxError::new(
                            i,
                            "leading wildcards are not supported; use a prefix (`word*`) \
                             or `*` alone for every cable",
                        ))
                    }
                }
                tokens.push(Token {
                    tok: Tok::Star,
                    start,
                    end: i + 1,
                });
                i += 1;
            }
            '~' => {
                return Err(QuerySyntaxError::new(
                    i,
                    "`~` must follow a word (`moskow~`) or a phrase (`\"a b\"~2`)",
                ))
            }
            _ => {
                let mut text = String::new();
                let mut escaped = false;
                while let Some(ch) = at(i) {
                    if ch == '\\' {
                        match at(i + 1) {
                            Some(e) => {
                                text.push(e);
                                escaped = true;
                                i += 2;
                            }
                            None => {
                                return Err(QuerySyntaxError::new(
                                    i,
                                    "`\\` at the end of the query escapes nothing",
                                ))
                            }
                        }
                    } else if ends_word(ch) || ch == '*' || ch == '~' {
                        break;
                    } else {
                        text.push(ch);
                        i += 1;
                    }
                }
                let suffix = match at(i) {
                    Some('*') => {
                        match at(i + 1) {
                            Some('~') => {
                                return Err(QuerySyntaxError::new(
                                    i + 1,
                                    "a word cannot be both a prefix (`*`) and fuzzy (`~`)",
                                ))
                            }
                            Some(':') => {
                                return Err(QuerySyntaxError::new(
                                    i,
                                    "a field name cannot contain `*`",
                                ))
                            }
                            n if is_boundary(n) => {}
                            _ => {
                                return Err(QuerySyntaxError::new(
                                    i,
                                    "wildcards are only supported at the end of a word \
                                     (`nucl*`)",
                                ))
                            }
                        }
                        i += 1;
                        Suffix::Prefix
                    }
                    Some('~') => {
                        let (n, next) = read_number(
                            chars,
                            i,
                            "a fuzzy distance is a number from 0 to 2 (`word~1`)",
                        )?;
                        i = next;
                        check_boundary(chars, i)?;
                        Suffix::Fuzzy(n)
                    }
                    _ => Suffix::None,
                };
                tokens.push(Token {
                    tok: Tok::Word {
                        text,
                        escaped,
                        suffix,
                    },
                    start,
                    end: i,
                });
            }
        }
    }
    Ok(tokens)
}

/// Reads `~` and the digits after it at `tilde`; returns the number (if any digits)
/// and the index after them. Errors when a non-digit, non-boundary character follows.
fn read_number(
    chars: &[char],
    tilde: usize,
    what: &str,
) -> Result<(Option<u32>, usize), QuerySyntaxError> {
    let mut i = tilde + 1;
    let mut n: Option<u32> = None;
    while let Some(d) = chars.get(i).and_then(|c| c.to_digit(10)) {
        n = Some(
            n.unwrap_or(0)
                .checked_mul(10)
                .and_then(|v| v.checked_add(d))
                .ok_or_else(|| QuerySyntaxError::new(tilde, format!("number too large: {what}")))?,
        );
        i += 1;
    }
    if !is_boundary(chars.get(i).copied()) {
        return Err(QuerySyntaxError::new(i, what.to_string()));
    }
    Ok((n, i))
}

/// Errors unless position `i` ends a token.
fn check_boundary(chars: &[char], i: usize) -> Result<(), QuerySyntaxError> {
    if is_boundary(chars.get(i).copied()) {
        Ok(())
    } else {
        Err(QuerySyntaxError::new(
            i,
            "unexpected character after `*`, `~N` or a closing quote; add a space",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(s: &str) -> Vec<Tok> {
        let chars: Vec<char> = s.chars().collect();
        lex(&chars).unwrap().into_iter().map(|t| t.tok).collect()
    }

    fn word(t: &str) -> Tok {
        Tok::Word {
            text: t.into(),
            escaped: false,
            suffix: Suffix::None,
        }
    }

    fn err(s: &str) -> usize {
        let chars: Vec<char> = s.chars().collect();
        lex(&chars).unwrap_err().position
    }

    #[test]
    fn words_and_punctuation() {
        assert_eq!(
            toks("tag:(a OR b) -c +d"),
            vec![
                word("tag"),
                Tok::Colon,
                Tok::LParen,
                word("a"),
                word("OR"),
                word("b"),
                Tok::RParen,
                Tok::Minus,
                word("c"),
                Tok::Plus,
                word("d"),
            ]
        );
        assert_eq!(
            toks("a-b S//NF 1.4"),
            vec![word("a-b"), word("S//NF"), word("1.4")]
        );
        assert_eq!(
            toks("[* TO b}"),
            vec![Tok::LBracket, Tok::Star, word("TO"), word("b"), Tok::RBrace]
        );
    }

    #[test]
    fn suffixes_and_escapes() {
        assert_eq!(
            toks("nucl* moskow~ moskow~1 \"a b\"~3"),
            vec![
                Tok::Word {
                    text: "nucl".into(),
                    escaped: false,
                    suffix: Suffix::Prefix
                },
                Tok::Word {
                    text: "moskow".into(),
                    escaped: false,
                    suffix: Suffix::Fuzzy(None)
                },
                Tok::Word {
                    text: "moskow".into(),
                    escaped: false,
                    suffix: Suffix::Fuzzy(Some(1))
                },
                Tok::Quoted {
                    text: "a b".into(),
                    slop: Some(3)
                },
            ]
        );
        assert_eq!(
            toks(r#"\AND a\:b\*c "x\"y\\""#),
            vec![
                Tok::Word {
                    text: "AND".into(),
                    escaped: true,
                    suffix: Suffix::None
                },
                Tok::Word {
                    text: "a:b*c".into(),
                    escaped: true,
                    suffix: Suffix::None
                },
                Tok::Quoted {
                    text: "x\"y\\".into(),
                    slop: None
                },
            ]
        );
    }

    #[test]
    fn positions_are_characters() {
        let chars: Vec<char> = "ŝ über".chars().collect();
        let t = lex(&chars).unwrap();
        assert_eq!((t[1].start, t[1].end), (2, 6));
    }

    #[test]
    fn errors() {
        assert_eq!(err("a \"b c"), 2);
        assert_eq!(err("a*b"), 1);
        assert_eq!(err("*a"), 0);
        assert_eq!(err("a~x"), 2);
        assert_eq!(err("a*~"), 2);
        assert_eq!(err("~a"), 0);
        assert_eq!(err("a - b"), 2);
        assert_eq!(err("a\\"), 1);
        assert_eq!(err("\"a\"~"), 3);
        assert_eq!(err("\"a\"b"), 3);
        assert_eq!(err("a~99999999999999"), 1);
    }
}
