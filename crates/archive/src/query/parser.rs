//! Recursive-descent parser: tokens → [`Query`].
//!
//! One function per grammar rule (see the EBNF in `mod.rs`): `or` → `and` → `unary` →
//! `primary`, each taking the field in force (`Field::Text` at top level, the group's
//! field inside `tag:( ... )`). Values are interpreted by the kind of that field (words
//! and phrases on text fields, ids, dates, levels), so every error carries the position
//! of the token that caused it.

use std::ops::Bound;

use super::ast::{
    level_above, level_below, level_name, parse_level, Field, FieldKind, Level, Query,
};
use super::dates::PartialDate;
use super::error::QuerySyntaxError;
use super::ids::{IdError, IdPattern};
use super::lexer::{lex, Suffix, Tok, Token};
use super::{MAX_CLAUSES, MAX_DEPTH, MAX_QUERY_CHARS, MAX_SLOP};

/// Extra words an id may take after its first (`id:08 MOSCOW 1599` takes two).
const MAX_ID_WORDS: usize = 4;

/// Parses a query; see [`super::parse`].
pub(crate) fn parse(query: &str) -> Result<Query, QuerySyntaxError> {
    let len = query.chars().count();
    if len > MAX_QUERY_CHARS {
        return Err(QuerySyntaxError::new(
            MAX_QUERY_CHARS,
            format!("the query is too long: {len} characters, the limit is {MAX_QUERY_CHARS}"),
        ));
    }
    let chars: Vec<char> = query.chars().collect();
    let toks = lex(&chars)?;
    if toks.is_empty() {
        return Err(QuerySyntaxError::new(
            0,
            "empty query: type words to search, or `*` for every cable",
        ));
    }
    let mut p = Parser {
        toks,
        pos: 0,
        depth: 0,
        clauses: 0,
        len,
    };
    let q = p.or(Field::Text)?;
    match p.peek() {
        None => Ok(q),
        Some(t) => Err(QuerySyntaxError::new(
            t.start,
            if t.tok == Tok::RParen {
                "unbalanced `)`: no `(` opens it".to_string()
            } else {
                format!("unexpected {}", describe(t))
            },
        )),
    }
}

/// How a token is named in messages.
fn describe(t: &Token) -> String {
    match &t.tok {
        Tok::Word { text, .. } => format!("`{text}`"),
        Tok::Quoted { .. } => "quoted text".into(),
        Tok::Star => "`*`".into(),
        Tok::LParen => "`(`".into(),
        Tok::RParen => "`)`".into(),
        Tok::LBracket => "`[`".into(),
        Tok::RBracket => "`]`".into(),
        Tok::LBrace => "`{`".into(),
        Tok::RBrace => "`}`".into(),
        Tok::Colon => "`:`".into(),
        Tok::Plus => "`+`".into(),
        Tok::Minus => "`-`".into(),
    }
}

struct Parser {
    toks: Vec<Token>,
    pos: usize,
    depth: usize,
    clauses: usize,
    /// Query length in characters: the position of "the end".
    len: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.toks.get(self.pos)
    }

    fn peek_at(&self, ahead: usize) -> Option<&Token> {
        self.toks.get(self.pos + ahead)
    }

    fn bump(&mut self) -> Option<Token> {
        let t = self.toks.get(self.pos).cloned();
        if t.is_some() {
            self.pos += 1;
        }
        t
    }

    /// Can the next token begin a clause? (Everything but the end, `)`, `AND`, `OR`.)
    fn at_clause_start(&self) -> bool {
        match self.peek() {
            None => false,
            Some(t) => t.tok != Tok::RParen && !t.is_keyword("AND") && !t.is_keyword("OR"),
        }
    }

    fn enter(&mut self, at: usize) -> Result<(), QuerySyntaxError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(QuerySyntaxError::new(
                at,
                format!(
                    "the query nests too deeply: more than {MAX_DEPTH} levels of \
                     parentheses and NOT/-/+"
                ),
            ));
        }
        Ok(())
    }

    fn leave(&mut self) {
        self.depth -= 1;
    }

    fn clause(&mut self, at: usize) -> Result<(), QuerySyntaxError> {
        self.clauses += 1;
        if self.clauses > MAX_CLAUSES {
            return Err(QuerySyntaxError::new(
                at,
                format!("the query has too many clauses: the limit is {MAX_CLAUSES}"),
            ));
        }
        Ok(())
    }

    /// `or = and { "OR" and }`
    fn or(&mut self, field: Field) -> Result<Query, QuerySyntaxError> {
        let mut items = vec![self.and(field)?];
        while let Some(t) = self.peek() {
            if !t.is_keyword("OR") {
                break;
            }
            let at = t.start;
            self.bump();
            if !self.at_clause_start() {
                return Err(QuerySyntaxError::new(at, "`OR` needs a clause after it"));
            }
            items.push(self.and(field)?);
        }
        Ok(if items.len() == 1 {
            items.remove(0)
        } else {
            Query::Or(items)
        })
    }

    /// `and = unary { ["AND"] unary }` (no operator means AND)
    fn and(&mut self, field: Field) -> Result<Query, QuerySyntaxError> {
        let mut items = vec![self.unary(field)?];
        loop {
            match self.peek() {
                Some(t) if t.is_keyword("AND") => {
                    let at = t.start;
                    self.bump();
                    if !self.at_clause_start() {
                        return Err(QuerySyntaxError::new(at, "`AND` needs a clause after it"));
                    }
                }
                _ if self.at_clause_start() => {}
                _ => break,
            }
            items.push(self.unary(field)?);
        }
        Ok(if items.len() == 1 {
            items.remove(0)
        } else {
            Query::And(items)
        })
    }

    /// `unary = "NOT" unary | "-" primary | "+" primary | primary`
    fn unary(&mut self, field: Field) -> Result<Query, QuerySyntaxError> {
        let Some(t) = self.peek().cloned() else {
            return Err(QuerySyntaxError::new(self.len, "expected a clause"));
        };
        let op = match &t.tok {
            _ if t.is_keyword("NOT") => "NOT",
            Tok::Minus => "-",
            Tok::Plus => "+",
            _ => return self.primary(field),
        };
        self.bump();
        let dangling = || QuerySyntaxError::new(t.start, format!("`{op}` needs a clause after it"));
        if !self.at_clause_start() {
            return Err(dangling());
        }
        self.enter(t.start)?;
        let q = if op == "NOT" {
            Query::Not(Box::new(self.unary(field)?))
        } else {
            if self.peek().is_some_and(Token::is_operator) {
                return Err(dangling());
            }
            let inner = self.primary(field)?;
            if op == "-" {
                Query::Not(Box::new(inner))
            } else {
                inner
            }
        };
        self.leave();
        Ok(q)
    }

    /// `primary = group | fielded | value`
    fn primary(&mut self, field: Field) -> Result<Query, QuerySyntaxError> {
        let Some(t) = self.bump() else {
            return Err(QuerySyntaxError::new(self.len, "expected a clause"));
        };
        if t.is_keyword("AND") || t.is_keyword("OR") {
            let op = if t.is_keyword("AND") { "AND" } else { "OR" };
            return Err(QuerySyntaxError::new(
                t.start,
                format!("`{op}` needs a clause before it"),
            ));
        }
        match &t.tok {
            Tok::LParen => self.group(field, &t),
            Tok::Word {
                text,
                suffix: Suffix::None,
                ..
            } if self
                .peek()
                .is_some_and(|c| c.tok == Tok::Colon && c.start == t.end) =>
            {
                let colon = self.bump().map_or(t.end, |c| c.start);
                self.fielded(field, text, &t, colon)
            }
            _ => self.value(field, t),
        }
    }

    /// `group = "(" or ")"`
    fn group(&mut self, field: Field, open: &Token) -> Result<Query, QuerySyntaxError> {
        let unclosed = || QuerySyntaxError::new(open.start, "unbalanced `(`: no `)` closes it");
        match self.peek() {
            None => return Err(unclosed()),
            Some(t) if t.tok == Tok::RParen => {
                return Err(QuerySyntaxError::new(open.start, "empty group `()`"))
            }
            _ => {}
        }
        self.enter(open.start)?;
        let q = self.or(field)?;
        match self.bump() {
            Some(t) if t.tok == Tok::RParen => {}
            Some(t) => {
                return Err(QuerySyntaxError::new(
                    t.start,
                    format!("unexpected {}", describe(&t)),
                ))
            }
            None => return Err(unclosed()),
        }
        self.leave();
        Ok(q)
    }

    /// `fielded = NAME ":" ( group | value )`
    fn fielded(
        &mut self,
        outer: Field,
        name: &str,
        name_tok: &Token,
        colon: usize,
    ) -> Result<Query, QuerySyntaxError> {
        let Some(field) = Field::from_name(name) else {
            return Err(QuerySyntaxError::new(
                name_tok.start,
                format!(
                    "unknown field `{name}`; known fields: {}. To search for text \
                     containing `:`, quote it or escape the colon (`\\:`)",
                    Field::known_list()
                ),
            ));
        };
        if outer != Field::Text {
            return Err(QuerySyntaxError::new(
                name_tok.start,
                format!(
                    "`{}:` cannot be used inside `{}:( ... )`; close the group first",
                    field.name(),
                    outer.name()
                ),
            ));
        }
        let empty = || {
            QuerySyntaxError::new(
                colon,
                format!(
                    "empty value for `{}:`; write `{}:value`, `{}:\"a phrase\"` or `{}:*`",
                    name, name, name, name
                ),
            )
        };
        let Some(t) = self.bump() else {
            return Err(empty());
        };
        match &t.tok {
            Tok::RParen => Err(empty()),
            _ if t.is_operator() => Err(empty()),
            Tok::LParen => self.group(field, &t),
            Tok::Minus | Tok::Plus => Err(QuerySyntaxError::new(
                t.start,
                format!(
                    "put `{}` before the field: `{}{}:value`",
                    describe(&t).trim_matches('`'),
                    describe(&t).trim_matches('`'),
                    name
                ),
            )),
            _ => self.value(field, t),
        }
    }

    /// `value = "*" | word | phrase | range`, interpreted by the field's kind.
    fn value(&mut self, field: Field, t: Token) -> Result<Query, QuerySyntaxError> {
        match t.tok {
            Tok::Star => {
                self.clause(t.start)?;
                Ok(if field == Field::Text {
                    Query::All
                } else {
                    Query::Exists(field)
                })
            }
            Tok::Word { text, suffix, .. } => {
                self.clause(t.start)?;
                self.word(field, text, suffix, t.start)
            }
            Tok::Quoted { text, slop } => {
                self.clause(t.start)?;
                self.quoted(field, &text, slop, t.start)
            }
            Tok::LBracket | Tok::LBrace => {
                self.clause(t.start)?;
                self.range(field, &t)
            }
            Tok::RBracket | Tok::RBrace => Err(QuerySyntaxError::new(
                t.start,
                format!("unbalanced {}: no `[` or `{{` opens a range", describe(&t)),
            )),
            Tok::Colon => Err(QuerySyntaxError::new(
                t.start,
                "`:` must follow a field name (`tag:PREL`); quote or escape it (`\\:`) to \
                 search for it",
            )),
            Tok::RParen => Err(QuerySyntaxError::new(
                t.start,
                "unbalanced `)`: no `(` opens it",
            )),
            Tok::LParen | Tok::Plus | Tok::Minus => Err(QuerySyntaxError::new(
                t.start,
                format!(
                    "unexpected {}: `-` and `+` go once, directly before a word, phrase, \
                     field or group",
                    describe(&t)
                ),
            )),
        }
    }

    fn no_suffix(field: Field, suffix: Suffix, at: usize) -> Result<(), QuerySyntaxError> {
        if suffix == Suffix::None {
            Ok(())
        } else {
            Err(QuerySyntaxError::new(
                at,
                format!(
                    "prefix (`*`) and fuzzy (`~`) searches are not supported on `{}:`",
                    field.name()
                ),
            ))
        }
    }

    fn word(
        &mut self,
        field: Field,
        text: String,
        suffix: Suffix,
        at: usize,
    ) -> Result<Query, QuerySyntaxError> {
        match field.kind() {
            FieldKind::Id => {
                Self::no_suffix(field, suffix, at)?;
                let id = self.id_words(field, text, at)?;
                Ok(id_query(field, id))
            }
            FieldKind::Date => {
                Self::no_suffix(field, suffix, at)?;
                date_query(&text, at)
            }
            FieldKind::Level => {
                Self::no_suffix(field, suffix, at)?;
                Ok(Query::Classification(level(&text, at)?))
            }
            FieldKind::Text | FieldKind::Keyword => Ok(match suffix {
                Suffix::None => Query::Term { field, text },
                Suffix::Prefix => Query::Prefix { field, text },
                Suffix::Fuzzy(d) => {
                    let distance = match d {
                        None => 2,
                        Some(d @ 0..=2) => d as u8,
                        Some(d) => {
                            return Err(QuerySyntaxError::new(
                                at,
                                format!("fuzzy distance {d} is too large: use ~0, ~1 or ~2"),
                            ))
                        }
                    };
                    Query::Fuzzy {
                        field,
                        text,
                        distance,
                    }
                }
            }),
        }
    }

    /// Reads an id starting with `first`, taking following plain words while what has
    /// been read is an incomplete id (`08` `MOSCOW` `1599`).
    fn id_words(
        &mut self,
        field: Field,
        first: String,
        at: usize,
    ) -> Result<IdPattern, QuerySyntaxError> {
        let mut s = first;
        let mut taken = 0;
        loop {
            match IdPattern::parse_detailed(&s) {
                Ok(id) => return Ok(id),
                Err(IdError::Invalid(why)) => {
                    return Err(QuerySyntaxError::new(
                        at,
                        format!("`{s}` is not a cable id for `{}:`: {why}", field.name()),
                    ))
                }
                Err(IdError::Incomplete) => {}
            }
            let next_word = match (self.peek(), self.peek_at(1)) {
                (Some(w), after) if taken < MAX_ID_WORDS && !w.is_operator() => match &w.tok {
                    Tok::Word {
                        text,
                        escaped: false,
                        suffix: Suffix::None,
                    } if !after.is_some_and(|c| c.tok == Tok::Colon && c.start == w.end) => {
                        Some(text.clone())
                    }
                    _ => None,
                },
                _ => None,
            };
            let Some(word) = next_word else {
                return Err(QuerySyntaxError::new(
                    at,
                    format!(
                        "incomplete cable id `{s}` for `{}:`: write year, station and serial \
                         (`08MOSCOW1599`, `08 MOSCOW 1599`) or station and serial \
                         (`MOSCOW 1599`)",
                        field.name()
                    ),
                ));
            };
            self.bump();
            taken += 1;
            s.push(' ');
            s.push_str(&word);
        }
    }

    fn quoted(
        &mut self,
        field: Field,
        text: &str,
        slop: Option<u32>,
        at: usize,
    ) -> Result<Query, QuerySyntaxError> {
        let no_slop = || -> Result<(), QuerySyntaxError> {
            match slop {
                None => Ok(()),
                Some(_) => Err(QuerySyntaxError::new(
                    at,
                    format!("`~` slop is not supported on `{}:`", field.name()),
                )),
            }
        };
        match field.kind() {
            FieldKind::Id => {
                no_slop()?;
                match IdPattern::parse_detailed(text) {
                    Ok(id) => Ok(id_query(field, id)),
                    Err(IdError::Incomplete) => Err(QuerySyntaxError::new(
                        at,
                        format!(
                            "incomplete cable id `{}` for `{}:`: write year, station and \
                             serial (`08 MOSCOW 1599`) or station and serial (`MOSCOW 1599`)",
                            text.trim(),
                            field.name()
                        ),
                    )),
                    Err(IdError::Invalid(why)) => Err(QuerySyntaxError::new(
                        at,
                        format!("`{}` is not a cable id: {why}", text.trim()),
                    )),
                }
            }
            FieldKind::Date => {
                no_slop()?;
                date_query(text.trim(), at)
            }
            FieldKind::Level => {
                no_slop()?;
                Ok(Query::Classification(level(text, at)?))
            }
            FieldKind::Text | FieldKind::Keyword => {
                let words: Vec<&str> = text.split_whitespace().collect();
                if words.is_empty() {
                    return Err(QuerySyntaxError::new(at, "empty phrase `\"\"`"));
                }
                let slop = slop.unwrap_or(0);
                if slop > MAX_SLOP {
                    return Err(QuerySyntaxError::new(
                        at,
                        format!("phrase slop {slop} is too large: the limit is {MAX_SLOP}"),
                    ));
                }
                Ok(Query::Phrase {
                    field,
                    text: words.join(" "),
                    slop,
                })
            }
        }
    }

    /// One end of a range: `Ok(None)` for `*`; the text and its position otherwise.
    fn bound(&mut self, open: &Token) -> Result<(Option<String>, usize), QuerySyntaxError> {
        let Some(t) = self.bump() else {
            return Err(unclosed_range(open));
        };
        let bad = |why: &str| QuerySyntaxError::new(t.start, why.to_string());
        match &t.tok {
            Tok::Star => Ok((None, t.start)),
            _ if t.is_keyword("TO") => Err(bad(
                "missing range bound before `TO` (use `*` for an open end)",
            )),
            Tok::Word {
                text,
                suffix: Suffix::None,
                ..
            } => Ok((Some(text.clone()), t.start)),
            Tok::Word { .. } => Err(bad(
                "a range bound cannot end in `*` or `~`; use `*` alone for an open end",
            )),
            Tok::Quoted { text, slop: None } if !text.is_empty() => {
                Ok((Some(text.clone()), t.start))
            }
            Tok::Quoted { slop: None, .. } => Err(bad("empty range bound `\"\"`")),
            Tok::Quoted { .. } => Err(bad("a range bound cannot have a `~` slop")),
            _ => Err(QuerySyntaxError::new(
                t.start,
                format!(
                    "expected a range bound (a word, quoted text or `*`), found {}",
                    describe(&t)
                ),
            )),
        }
    }

    /// `range = ("[" | "{") bound "TO" bound ("]" | "}")`
    fn range(&mut self, field: Field, open: &Token) -> Result<Query, QuerySyntaxError> {
        let (lower, lower_at) = self.bound(open)?;
        match self.bump() {
            Some(t) if t.is_keyword("TO") => {}
            Some(t) => {
                return Err(QuerySyntaxError::new(
                    t.start,
                    format!(
                        "expected `TO` in the range, found {} (`field:[A TO B]`)",
                        describe(&t)
                    ),
                ))
            }
            None => return Err(unclosed_range(open)),
        }
        if self
            .peek()
            .is_some_and(|t| matches!(t.tok, Tok::RBracket | Tok::RBrace))
        {
            let at = self.peek().map_or(self.len, |t| t.start);
            return Err(QuerySyntaxError::new(
                at,
                "missing range bound after `TO` (use `*` for an open end)",
            ));
        }
        let (upper, upper_at) = self.bound(open)?;
        let upper_inclusive = match self.bump() {
            Some(t) if t.tok == Tok::RBracket => true,
            Some(t) if t.tok == Tok::RBrace => false,
            Some(t) => {
                return Err(QuerySyntaxError::new(
                    t.start,
                    format!(
                        "expected `]` or `}}` to close the range, found {}",
                        describe(&t)
                    ),
                ))
            }
            None => return Err(unclosed_range(open)),
        };
        let lower_inclusive = open.tok == Tok::LBracket;
        let empty = || {
            QuerySyntaxError::new(
                open.start,
                "empty range: the lower bound is above the upper bound",
            )
        };
        match field.kind() {
            _ if field == Field::Text => Err(QuerySyntaxError::new(
                open.start,
                "a range needs a field: `created:[2008-01-01 TO 2008-06-30]`, `tag:[A TO C]`",
            )),
            FieldKind::Id => Err(QuerySyntaxError::new(
                open.start,
                format!("ranges are not supported on `{}:`", field.name()),
            )),
            FieldKind::Date => {
                let lo = lower
                    .map(|s| PartialDate::parse(&s).map_err(|m| QuerySyntaxError::new(lower_at, m)))
                    .transpose()?;
                let hi = upper
                    .map(|s| PartialDate::parse(&s).map_err(|m| QuerySyntaxError::new(upper_at, m)))
                    .transpose()?;
                let from = lo.map(|d| if lower_inclusive { d.start } else { d.end() });
                let to = hi.map(|d| if upper_inclusive { d.end() } else { d.start });
                if let (Some(f), Some(t)) = (from, to) {
                    if f >= t {
                        return Err(QuerySyntaxError::new(
                            open.start,
                            format!(
                                "empty date range: it would run from {} up to (not including) {}",
                                f.iso(),
                                t.iso()
                            ),
                        ));
                    }
                }
                Ok(Query::DateRange {
                    from: from.map(|d| d.iso()),
                    to: to.map(|d| d.iso()),
                })
            }
            FieldKind::Level => {
                let lo = lower.map(|s| level(&s, lower_at)).transpose()?;
                let hi = upper.map(|s| level(&s, upper_at)).transpose()?;
                let min = match lo {
                    None => Level::U,
                    Some(l) if lower_inclusive => l,
                    Some(l) => level_above(l).ok_or_else(empty)?,
                };
                let max = match hi {
                    None => Level::Ts,
                    Some(l) if upper_inclusive => l,
                    Some(l) => level_below(l).ok_or_else(empty)?,
                };
                if min > max {
                    return Err(empty());
                }
                Ok(Query::ClassificationRange { min, max })
            }
            FieldKind::Text | FieldKind::Keyword => {
                if let (Some(a), Some(b)) = (&lower, &upper) {
                    if a.to_lowercase() > b.to_lowercase() {
                        return Err(QuerySyntaxError::new(
                            open.start,
                            format!("empty range: `{a}` sorts after `{b}`"),
                        ));
                    }
                }
                let wrap = |v: Option<String>, inclusive: bool| match v {
                    None => Bound::Unbounded,
                    Some(s) if inclusive => Bound::Included(s),
                    Some(s) => Bound::Excluded(s),
                };
                Ok(Query::Range {
                    field,
                    lower: wrap(lower, lower_inclusive),
                    upper: wrap(upper, upper_inclusive),
                })
            }
        }
    }
}

fn unclosed_range(open: &Token) -> QuerySyntaxError {
    QuerySyntaxError::new(
        open.start,
        "unclosed range: expected `[A TO B]` closed by `]` or `}`",
    )
}

fn id_query(field: Field, id: IdPattern) -> Query {
    match field {
        Field::Cites => Query::Cites(id),
        Field::CitedBy => Query::CitedBy(id),
        _ => Query::Id(id),
    }
}

fn date_query(text: &str, at: usize) -> Result<Query, QuerySyntaxError> {
    let d = PartialDate::parse(text).map_err(|m| QuerySyntaxError::new(at, m))?;
    Ok(Query::DateRange {
        from: Some(d.start.iso()),
        to: Some(d.end().iso()),
    })
}

/// A classification level, with hints for the usual mistakes.
fn level(text: &str, at: usize) -> Result<Level, QuerySyntaxError> {
    if let Some(l) = parse_level(text) {
        return Ok(l);
    }
    let up = text.trim().to_ascii_uppercase();
    let levels = "UNCLASSIFIED, SBU (or LOU), CONFIDENTIAL, SECRET, TOP SECRET (or U, C, S, TS)";
    let message = if let Some((head, tail)) = up.split_once("//") {
        match parse_level(head) {
            Some(l) if !tail.is_empty() => {
                let quote = |t: &str| {
                    if t.contains(' ') {
                        format!("\"{t}\"")
                    } else {
                        t.to_string()
                    }
                };
                format!(
                    "`classification:` matches the level only: write \
                     `classification:{} caption:{}`",
                    quote(level_name(l)),
                    quote(tail)
                )
            }
            _ => format!("unknown classification `{}`; levels: {levels}", text.trim()),
        }
    } else if up == "TOP" {
        "write `classification:\"TOP SECRET\"` (quoted) or `classification:TS`".to_string()
    } else if matches!(
        up.as_str(),
        "NOFORN" | "NF" | "SIPDIS" | "EXDIS" | "NODIS" | "LIMDIS"
    ) {
        format!("`{up}` is a caption, not a level: write `caption:{up}`; levels: {levels}")
    } else {
        format!(
            "unknown classification level `{}`; levels: {levels}",
            text.trim()
        )
    };
    Err(QuerySyntaxError::new(at, message))
}
