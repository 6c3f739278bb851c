//! The parsed query: fields, classification levels, and the [`Query`] tree, with a
//! canonical [`Display`](std::fmt::Display) that parses back to the same tree.

use std::fmt::{self, Write as _};
use std::ops::Bound;

use serde::{Deserialize, Serialize};

use super::dates;
use super::ids::IdPattern;

/// A field a clause can name (`tag:PREL`), or [`Field::Text`] for unfielded words.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    /// No field: the cable's text (paragraphs, subject, summary, comment).
    Text,
    /// `id:` the cable's reference id (loose forms accepted).
    Id,
    /// `tag:` a TAGS entry (`PREL`, `RS`).
    Tag,
    /// `origin:` the originating station (`MOSCOW`).
    Origin,
    /// `classification:` the overall classification level.
    Classification,
    /// `caption:` a handling caption (`NOFORN`, `SIPDIS`).
    Caption,
    /// `subject:` words of the subject line.
    Subject,
    /// `signer:` the signature.
    Signer,
    /// `classified_by:` the classifying officer.
    ClassifiedBy,
    /// `created:` the creation date.
    Created,
    /// `cites:` cables whose REF block cites this id.
    Cites,
    /// `cited_by:` (or `cited-by:`) cables that this id cites.
    CitedBy,
    /// `marking:` the portion marking of any paragraph (`C`, `S/NF`).
    Marking,
}

/// How a field is indexed, which decides the clauses it accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FieldKind {
    /// Tokenised text: words, phrases, prefix, fuzzy, term ranges.
    Text,
    /// One exact, case-normalised term per value: words, phrases, prefix, fuzzy, ranges.
    Keyword,
    /// A cable id: [`Query::Id`], [`Query::Cites`], [`Query::CitedBy`].
    Id,
    /// A date: [`Query::DateRange`].
    Date,
    /// A classification level: [`Query::Classification`], [`Query::ClassificationRange`].
    Level,
}

impl Field {
    /// Every nameable field (all but [`Field::Text`]), in the order error messages list
    /// them.
    pub const NAMED: [Field; 12] = [
        Field::Id,
        Field::Tag,
        Field::Origin,
        Field::Classification,
        Field::Caption,
        Field::Subject,
        Field::Signer,
        Field::ClassifiedBy,
        Field::Created,
        Field::Cites,
        Field::CitedBy,
        Field::Marking,
    ];

    /// The name as written before the colon (`classified_by`); `""` for [`Field::Text`].
    pub fn name(self) -> &'static str {
        match self {
            Field::Text => "",
            Field::Id => "id",
            Field::Tag => "tag",
            Field::Origin => "origin",
            Field::Classification => "classification",
            Field::Caption => "caption",
            Field::Subject => "subject",
            Field::Signer => "signer",
            Field::ClassifiedBy => "classified_by",
            Field::Created => "created",
            Field::Cites => "cites",
            Field::CitedBy => "cited_by",
            Field::Marking => "marking",
        }
    }

    /// Looks a field name up: case-insensitive, `-` and `_` interchangeable (so
    /// `cited-by` is `cited_by`).
    pub fn from_name(name: &str) -> Option<Field> {
        let norm: String = name
            .chars()
            .map(|c| {
                if c == '-' {
                    '_'
                } else {
                    c.to_ascii_lowercase()
                }
            })
            .collect();
        Field::NAMED.into_iter().find(|f| f.name() == norm)
    }

    /// How the field is indexed.
    pub fn kind(self) -> FieldKind {
        match self {
            Field::Text | Field::Subject | Field::Signer | Field::ClassifiedBy => FieldKind::Text,
            Field::Tag | Field::Origin | Field::Caption | Field::Marking => FieldKind::Keyword,
            Field::Id | Field::Cites | Field::CitedBy => FieldKind::Id,
            Field::Created => FieldKind::Date,
            Field::Classification => FieldKind::Level,
        }
    }

    /// The known field names, comma-separated, for error messages.
    pub fn known_list() -> String {
        let mut s = String::new();
        for (i, f) in Field::NAMED.iter().enumerate() {
            if i > 0 {
                s.push_str(", ");
            }
            s.push_str(f.name());
        }
        s.push_str(" (cited-by: is an alias of cited_by:)");
        s
    }
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A classification level: the marking vocabulary's [`Level`]
/// (`cablescope_format::marking`). The query language names the five level ranks
/// ([`LEVELS`]): Limited Official Use counts as SBU, as in the index.
pub use cablescope_format::marking::Level;

/// The levels a query names, lowest first (one per rank; LOU folds into SBU).
pub const LEVELS: [Level; 5] = [Level::U, Level::Sbu, Level::C, Level::S, Level::Ts];

/// The canonical name of a level in a query (`TOP SECRET` is quoted there).
pub fn level_name(level: Level) -> &'static str {
    match level.rank() {
        0 => "UNCLASSIFIED",
        1 => "SBU",
        2 => "CONFIDENTIAL",
        3 => "SECRET",
        _ => "TOP SECRET",
    }
}

/// Parses a level name or code, case-insensitively, to its rank's level: `U`,
/// `UNCLAS`, `UNCLASSIFIED`, `SBU`, `SENSITIVE`, `SENSITIVE BUT UNCLASSIFIED`, `LOU`,
/// `LIMITED OFFICIAL USE` (both SBU), `C`, `CONFIDENTIAL`, `S`, `SECRET`, `TS`,
/// `TOP SECRET` (also `TOP_SECRET`, `TOPSECRET`). Runs of spaces, `_` and `-` count
/// as one space.
pub fn parse_level(s: &str) -> Option<Level> {
    let words: String = s
        .split(|c: char| c.is_whitespace() || c == '_' || c == '-')
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    if words.contains('/') {
        return None;
    }
    Level::parse(&words).map(|l| Level::from_rank(l.rank()))
}

/// The next level rank up, if any.
pub(crate) fn level_above(l: Level) -> Option<Level> {
    (l.rank() < 4).then(|| Level::from_rank(l.rank() + 1))
}

/// The next level rank down, if any.
pub(crate) fn level_below(l: Level) -> Option<Level> {
    (l.rank() > 0).then(|| Level::from_rank(l.rank() - 1))
}

/// Levels in a query's serialised form: their codes (`U`, `SBU`, `C`, `S`, `TS`).
mod level_serde {
    use super::Level;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(l: &Level, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(l.rank_code())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Level, D::Error> {
        let s = String::deserialize(d)?;
        super::parse_level(&s).ok_or_else(|| serde::de::Error::custom(format!("level {s:?}")))
    }
}

/// A parsed query.
///
/// Invariants of trees made by [`parse`](super::parse) (and required for the canonical
/// `Display` to parse back to the same tree):
/// * `And` and `Or` have at least two children;
/// * `Term`, `Phrase`, `Prefix`, `Fuzzy` and `Range` carry a field of kind
///   [`FieldKind::Text`] or [`FieldKind::Keyword`], and non-empty text; phrase text has
///   its whitespace collapsed to single spaces and trimmed;
/// * `Range` is never on [`Field::Text`], and its bounds are not empty strings;
/// * `Exists` is never on [`Field::Text`] (that is `All`);
/// * `DateRange` dates are valid `YYYY-MM-DD` strings with `from < to`;
/// * `ClassificationRange` has `min <= max`.
///
/// Text is kept as written (case included): case folding and tokenising belong to the
/// translator, which must match the index's analyzers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Query {
    /// `*` alone: every cable.
    All,
    /// A word: `iran`, `tag:PREL`.
    Term {
        /// Where to look.
        field: Field,
        /// The word as written (escapes resolved).
        text: String,
    },
    /// A quoted phrase, optionally with slop: `"nuclear program"~2`.
    Phrase {
        /// Where to look.
        field: Field,
        /// The words, separated by single spaces.
        text: String,
        /// How many positions the words may move (0 = exact phrase).
        slop: u32,
    },
    /// A prefix: `nucl*`.
    Prefix {
        /// Where to look.
        field: Field,
        /// The prefix, without the `*`.
        text: String,
    },
    /// A fuzzy word: `moskow~`, `moskow~1`.
    Fuzzy {
        /// Where to look.
        field: Field,
        /// The word, without the `~N`.
        text: String,
        /// Maximum edit distance, 0 to 2 (`~` alone is 2).
        distance: u8,
    },
    /// A term range on a text or keyword field: `tag:[A TO C}`.
    Range {
        /// Where to look.
        field: Field,
        /// Lower end (`*` is `Unbounded`).
        lower: Bound<String>,
        /// Upper end (`*` is `Unbounded`).
        upper: Bound<String>,
    },
    /// `created:` as a half-open range of days `[from, to)`; `None` is open.
    DateRange {
        /// First day included, `YYYY-MM-DD`.
        from: Option<String>,
        /// First day excluded, `YYYY-MM-DD`.
        to: Option<String>,
    },
    /// `classification:SECRET`: the overall level, whatever follows the `//`
    /// (SECRET and SECRET//NOFORN).
    Classification(#[serde(with = "level_serde")] Level),
    /// `classification:[CONFIDENTIAL TO *]`: levels from `min` to `max`, both included.
    ClassificationRange {
        /// Lowest level included.
        #[serde(with = "level_serde")]
        min: Level,
        /// Highest level included.
        #[serde(with = "level_serde")]
        max: Level,
    },
    /// `id:08MOSCOW1599`: the cable with this id.
    Id(IdPattern),
    /// `cites:08MOSCOW1599`: cables whose references include this id.
    Cites(IdPattern),
    /// `cited_by:08MOSCOW1599`: cables that this cable references.
    CitedBy(IdPattern),
    /// `field:*`: cables that have a value in the field.
    Exists(Field),
    /// All of these.
    And(Vec<Query>),
    /// Any of these.
    Or(Vec<Query>),
    /// Not this (`NOT a`, `-a`). A query that is only negative means "every cable
    /// except".
    Not(Box<Query>),
}

impl Query {
    /// Number of leaf clauses (everything but `And`, `Or`, `Not`).
    pub fn clause_count(&self) -> usize {
        match self {
            Query::And(qs) | Query::Or(qs) => qs.iter().map(Query::clause_count).sum(),
            Query::Not(q) => q.clause_count(),
            _ => 1,
        }
    }
}

/// Characters that must be escaped inside a bare word.
fn is_special(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '\\' | '(' | ')' | '[' | ']' | '{' | '}' | '"' | ':' | '*' | '~'
        )
}

/// Writes `text` as one bare word that lexes back to exactly `text` and is never taken
/// for an operator, a `-`/`+` prefix or `TO`.
fn write_word(f: &mut fmt::Formatter<'_>, text: &str) -> fmt::Result {
    let keyword = matches!(text, "AND" | "OR" | "NOT" | "TO");
    for (i, c) in text.chars().enumerate() {
        if is_special(c) || (i == 0 && (keyword || c == '-' || c == '+')) {
            f.write_char('\\')?;
        }
        f.write_char(c)?;
    }
    Ok(())
}

/// Writes `text` in double quotes, escaping `"` and `\`.
fn write_quoted(f: &mut fmt::Formatter<'_>, text: &str) -> fmt::Result {
    f.write_char('"')?;
    for c in text.chars() {
        if c == '"' || c == '\\' {
            f.write_char('\\')?;
        }
        f.write_char(c)?;
    }
    f.write_char('"')
}

fn write_field(f: &mut fmt::Formatter<'_>, field: Field) -> fmt::Result {
    if field != Field::Text {
        write!(f, "{}:", field.name())?;
    }
    Ok(())
}

fn write_level(f: &mut fmt::Formatter<'_>, level: Level) -> fmt::Result {
    if level.rank() == 4 {
        write_quoted(f, level_name(level))
    } else {
        f.write_str(level_name(level))
    }
}

fn write_range_bound(f: &mut fmt::Formatter<'_>, text: &str) -> fmt::Result {
    // A `*` written bare would mean "open"; quoting keeps such bounds literal.
    if text.chars().any(char::is_whitespace) || text == "*" {
        write_quoted(f, text)
    } else {
        write_word(f, text)
    }
}

impl Query {
    fn write_child(&self, f: &mut fmt::Formatter<'_>, parens: bool) -> fmt::Result {
        if parens {
            write!(f, "({self})")
        } else {
            write!(f, "{self}")
        }
    }
}

impl fmt::Display for Query {
    /// The canonical form: explicit `AND`/`OR`/`NOT`, parentheses only where
    /// precedence (`NOT` > `AND` > `OR`) or an explicit nested group requires them,
    /// canonical ids, levels and dates (`created:2008-06` for a whole month). For any
    /// tree that satisfies the invariants above, `parse(&q.to_string()) == Ok(q)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Query::All => f.write_char('*'),
            Query::Term { field, text } => {
                write_field(f, *field)?;
                write_word(f, text)
            }
            Query::Phrase { field, text, slop } => {
                write_field(f, *field)?;
                write_quoted(f, text)?;
                if *slop > 0 {
                    write!(f, "~{slop}")?;
                }
                Ok(())
            }
            Query::Prefix { field, text } => {
                write_field(f, *field)?;
                write_word(f, text)?;
                f.write_char('*')
            }
            Query::Fuzzy {
                field,
                text,
                distance,
            } => {
                write_field(f, *field)?;
                write_word(f, text)?;
                write!(f, "~{distance}")
            }
            Query::Range {
                field,
                lower,
                upper,
            } => {
                write_field(f, *field)?;
                match lower {
                    Bound::Included(t) => {
                        f.write_char('[')?;
                        write_range_bound(f, t)?;
                    }
                    Bound::Excluded(t) => {
                        f.write_char('{')?;
                        write_range_bound(f, t)?;
                    }
                    Bound::Unbounded => f.write_str("[*")?,
                }
                f.write_str(" TO ")?;
                match upper {
                    Bound::Included(t) => {
                        write_range_bound(f, t)?;
                        f.write_char(']')
                    }
                    Bound::Excluded(t) => {
                        write_range_bound(f, t)?;
                        f.write_char('}')
                    }
                    Bound::Unbounded => f.write_str("*]"),
                }
            }
            Query::DateRange { from, to } => {
                f.write_str("created:")?;
                if let (Some(a), Some(b)) = (from, to) {
                    if let Some(short) = dates::compact(a, b) {
                        return f.write_str(&short);
                    }
                }
                match from {
                    Some(a) => write!(f, "[{a}")?,
                    None => f.write_str("[*")?,
                }
                match to {
                    Some(b) => write!(f, " TO {b}}}"),
                    None => f.write_str(" TO *]"),
                }
            }
            Query::Classification(level) => {
                f.write_str("classification:")?;
                write_level(f, *level)
            }
            Query::ClassificationRange { min, max } => {
                f.write_str("classification:[")?;
                write_level(f, *min)?;
                f.write_str(" TO ")?;
                write_level(f, *max)?;
                f.write_char(']')
            }
            Query::Id(id) => write!(f, "id:{id}"),
            Query::Cites(id) => write!(f, "cites:{id}"),
            Query::CitedBy(id) => write!(f, "cited_by:{id}"),
            Query::Exists(field) => write!(f, "{}:*", field.name()),
            Query::And(qs) => {
                for (i, q) in qs.iter().enumerate() {
                    if i > 0 {
                        f.write_str(" AND ")?;
                    }
                    q.write_child(f, matches!(q, Query::And(_) | Query::Or(_)))?;
                }
                Ok(())
            }
            Query::Or(qs) => {
                for (i, q) in qs.iter().enumerate() {
                    if i > 0 {
                        f.write_str(" OR ")?;
                    }
                    q.write_child(f, matches!(q, Query::Or(_)))?;
                }
                Ok(())
            }
            Query::Not(q) => {
                f.write_str("NOT ")?;
                q.write_child(f, matches!(**q, Query::And(_) | Query::Or(_)))
            }
        }
    }
}
