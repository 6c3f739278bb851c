//! The cable search query language: a Lucene-style syntax with cablescope's fields.
//!
//! [`parse`] turns the text a user types after `cablescope search` into a [`Query`]
//! tree, or a [`QuerySyntaxError`] with the character position of the problem (the CLI
//! exits with status 2 and can show it with [`QuerySyntaxError::render`]). Parsing never
//! panics, whatever the input. The tree is independent of the index; the translation
//! to tantivy is planned at the end of this page.
//!
//! # The language
//!
//! ```text
//! iran nuclear                    both words (no operator means AND)
//! sanction                        every form: sanction, sanctions, sanctioned…
//!                                 (cables with the word as written first)
//! =sanction  "sanction"           the word as written only
//! iran OR iraq                    either word
//! iran NOT iraq   iran -iraq      iran, without iraq      (+word = word)
//! "nuclear program"               a phrase;  "nuclear program"~3: within 3 positions
//! (iran OR iraq) AND nucl*        grouping; a prefix
//! moskow~  moskow~1               fuzzy, edit distance 2 (the default) or 0-2
//! *                               every cable
//! tag:PREL  tag:(PREL OR PGOV)    a field; a field applied to a group
//! subject:"arms control"          a field with a phrase
//! tag:[A TO C}  tag:*             a term range ([ ] include, { } exclude); has a value
//! created:2008  created:2008-06  created:2008-06-05
//! created:[2008-01-01 TO 2008-06-30]  created:{2008 TO *]
//! classification:SECRET           the level: SECRET and SECRET//NOFORN
//! classification:[CONFIDENTIAL TO *]
//! id:08MOSCOW1599  id:08 MOSCOW 1599  id:"MOSCOW 1599"  (no year: any year)
//! cites:08MOSCOW1599  cited_by:08MOSCOW1599  cited-by:...
//! marking:S/NF  caption:NOFORN  origin:MOSCOW  signer:burns  classified_by:beyrle
//! ```
//!
//! * Operators are upper case: `AND`, `OR`, `NOT` (and `TO` inside a range). Lower-case
//!   `and`/`or`/`not` are ordinary words; [`hints`] says so where one stands between
//!   two words, and the front ends show it beside the results. Precedence: `NOT` (and `-`/`+`) binds tightest,
//!   then `AND` (explicit or implicit), then `OR`: `a OR b c` is `a OR (b AND c)`.
//! * **Words are stemmed** (English, Snowball): a plain word also finds the indexed
//!   words with the same stem (`sanction` finds `sanctions` and `sanctioned`, not
//!   `sanctuary`), and cables holding the word exactly as written rank above the
//!   others. `=word` and quoted phrases are searched as written; prefixes, fuzzy
//!   words and field values (`tag:`, `origin:`) are never stemmed. See
//!   `crate::stemming` (forms are found in the index at query time).
//! * **The implicit operator is AND** (Lucene's default is OR): typing more words narrows
//!   the search, as in web search engines. `+word` is therefore the same as `word`.
//! * A query made only of negations (`NOT tag:PREL`) means "every cable except".
//! * Escape a special character with `\` (`\(`, `\:`, `\*`, `\"`, `\\`, `\AND`); inside
//!   quotes only `\"` and `\\` need it. `-` and `+` are special only at the start of a
//!   word (`al-Qaida` is one word); `-` or `+` standing alone is an error.
//! * Field names are case-insensitive and `-` equals `_` (`cited-by:`, `Classified-By:`);
//!   whitespace may follow the colon. An unknown field is an error listing the known ones.
//! * `id:`, `cites:`, `cited_by:` take a cable id written loosely: year optional (2 or 4
//!   digits), spaces and leading zeros of the serial ignored. An unquoted id may span
//!   words (`id:08 MOSCOW 1599`): words are taken while what was read is an incomplete
//!   id, at most four more.
//! * `created:` takes `YYYY`, `YYYY-MM` or `YYYY-MM-DD`; each means the whole period and
//!   becomes a half-open range of days. In a range, an included upper bound takes its
//!   whole period (`[2008 TO 2009]` ends before 2010-01-01), an excluded lower bound
//!   starts after it (`{2008-06 TO *]` starts 2008-07-01).
//! * `classification:` takes a level (`UNCLASSIFIED`/`U`, `SBU`/`LOU`, `CONFIDENTIAL`/`C`,
//!   `SECRET`/`S`, `TOP SECRET`/`TS`) and matches the level whatever the caveats after
//!   `//`; NOFORN and other captions are `caption:NOFORN`.
//! * Not supported (each an error or an ordinary word, never a crash): `?` wildcards and
//!   wildcards inside a word, leading wildcards, regular expressions, boosts (`^` is an
//!   ordinary character), `&&`/`||`/`!`.
//! * Limits: at most [`MAX_QUERY_CHARS`] characters, [`MAX_DEPTH`] levels of nesting
//!   (parentheses and `NOT`/`-`/`+`), [`MAX_CLAUSES`] clauses (words, phrases, ranges, ids,
//!   `*`), a phrase slop of at most [`MAX_SLOP`].
//!
//! # Grammar (EBNF)
//!
//! Tokens are separated by optional whitespace, except where noted.
//!
//! ```text
//! query    = or ;
//! or       = and , { "OR" , and } ;
//! and      = unary , { [ "AND" ] , unary } ;            (* juxtaposition = AND *)
//! unary    = "NOT" , unary
//!          | "-" , primary | "+" , primary              (* no space after - + *)
//!          | primary ;
//! primary  = group | fielded | value ;
//! group    = "(" , or , ")" ;
//! fielded  = NAME , ":" , ( group | value ) ;           (* no space before ":" *)
//! value    = "*" | word | phrase | range ;
//! word     = WORD , [ "*" | "~" , [ DIGITS ] ] ;        (* no space before * ~ *)
//! phrase   = QUOTED , [ "~" , DIGITS ] ;
//! range    = ( "[" | "{" ) , bound , "TO" , bound , ( "]" | "}" ) ;
//! bound    = "*" | WORD | QUOTED ;
//!
//! NAME     = "id" | "tag" | "origin" | "classification" | "caption" | "subject"
//!          | "signer" | "classified_by" | "created" | "cites" | "cited_by"
//!          | "cited-by" | "marking" ;                   (* any case, - = _ *)
//! WORD     = ( WCHAR | "\" , ANY ) , { WCHAR | "\" , ANY | "+" | "-" } ;
//! WCHAR    = ANY - ( SPACE | "(" | ")" | "[" | "]" | "{" | "}" | '"' | ":"
//!                  | "*" | "~" | "\" | "+" | "-" ) ;
//! QUOTED   = '"' , { ANY - ( '"' | "\" ) | "\" , ANY } , '"' ;
//! ```
//!
//! `AND`, `OR`, `NOT` and `TO` are unescaped `WORD`s spelled exactly so; a group inside
//! `fielded` applies the field to each clause in it and may not name another field.
//!
//! # Why a hand-written recursive-descent parser
//!
//! The grammar is small (four precedence levels and a handful of value forms) and LL(1)
//! apart from two one-token look-aheads (a word directly followed by `:` is a field
//! name; an incomplete id takes the next words). What makes it cablescope's own is
//! semantic: each field decides how its value is read (ids normalised, partial dates
//! widened to ranges, levels named loosely, ranges allowed per field) and each error
//! must name the field and point at the offending character. A parser generator or
//! combinator crate would add a dependency, a build step or opaque error types, and we
//! would still write that per-field logic and the error messages by hand; a descent
//! parser of a few hundred lines keeps positions exact, limits easy to enforce, and
//! the crate's dependencies at `serde` and `thiserror`.
//!
//! # Translation plan (for `crate::index`; field names from `SCHEMA.md`)
//!
//! Every translated query is conjoined with the clearance's visibility filter
//! (`Clearance::visibility_filter()`); values of STRING fields are normalised with the
//! same helpers the indexer uses (`index::norm`).
//!
//! | node | tantivy |
//! |---|---|
//! | `All` | `AllQuery` |
//! | `Term{Text}` | the word analysed by the `default` tokenizer; a single word with other forms in the index (`crate::stemming::forms`; not for `=word`) becomes, per readable text field, a `BooleanQuery` of `Should` `TermQuery`s of every form plus a `ConstScoreQuery` of the word as written (exact matches rank first); otherwise a `TermQuery` on each readable text field (`Clearance::text_fields()`: `text_u` … `text_ts_nf`), OR'ed; a word the tokenizer splits (`U.S.`, `S/NF`) becomes a `PhraseQuery` of its tokens. Optionally, a word that [`IdPattern::parse`] accepts is also OR'ed with the `Id` translation |
//! | `Phrase{Text}` | `PhraseQuery` (with `slop`) on each readable text field, OR'ed; one token → `TermQuery` |
//! | `Prefix{Text}` | lower-cased prefix as a `RegexQuery` (`escaped.*`) or `PhrasePrefixQuery` per readable text field |
//! | `Fuzzy{Text}` | `FuzzyTermQuery::new(term, distance, true)` per readable text field |
//! | `subject:`, `signer:`, `classified_by:` | as `Text`, on the `subject` (AND `subject_mark` ∈ readable markings), `signer`, `classified_by` TEXT fields |
//! | `tag:`, `origin:`, `caption:`, `marking:` | STRING fields: value upper-cased (`norm::origin`, `norm::marking`); `Term` and `Phrase` → `TermQuery` of the whole value (`caption:"EYES ONLY"`); `Prefix` → `RegexQuery`; `Fuzzy` → `FuzzyTermQuery`; `Range` → `RangeQuery` on the normalised bounds |
//! | `Range` on a text field | `RangeQuery` on the lower-cased bounds |
//! | `DateRange{from,to}` | `RangeQuery` on `created` (DATE): `[from T00:00Z, to T00:00Z)`; a whole year or month may use `year` / `month` (`YYYYMM`) instead |
//! | `Classification(l)` | `TermQuery` `level:` [`Level::rank_code`] |
//! | `ClassificationRange{min,max}` | OR of `level:` terms for each level in `min..=max` |
//! | `Id(p)` | with a year: `TermQuery` `id:` canonical (`norm::id_terms`, which applies the format crate's station aliases); without: `TermQuery` `id_noyear:` [`IdPattern::without_year`] |
//! | `Cites(p)` | with a year: `TermQuery` `cites:` canonical; without: the ids with that station and serial in the store's `refs.to_id`, as a `TermSetQuery` on `cites` |
//! | `CitedBy(p)` | resolved before search: the cable(s) `p` names → the ids they cite (`Archive::cites_of`, the citation graph) → `TermSetQuery` on `id`; an empty set matches nothing |
//! | `Exists(f)` | STRING/fast fields: `ExistsQuery` (or an unbounded `RangeQuery`); TEXT fields: `RegexQuery` `.+`; `created:*`: unbounded range on `created` |
//! | `And(qs)` | `BooleanQuery`: positive children `Must`, `Not(q)` children `MustNot q` |
//! | `Or(qs)` | `BooleanQuery` with every child `Should` (a `Not` child becomes `All` AND NOT) |
//! | `Not(q)` | `All` `Must` + `q` `MustNot` (also for a query that is only negative) |
//!
//! Scoring: BM25 comes from the text clauses; filters (`tag:`, `created:`, `level`, ids,
//! visibility) can be wrapped in `ConstScoreQuery` so they do not skew relevance.

mod ast;
mod dates;
mod error;
mod hints;
mod ids;
mod lexer;
mod parser;
mod words;

#[cfg(test)]
pub(crate) mod proptests;
#[cfg(test)]
mod tests;

pub use ast::{level_name, parse_level, Field, FieldKind, Level, Query, LEVELS};
pub use error::QuerySyntaxError;
pub use hints::hints;
pub use ids::IdPattern;
pub use words::{plain_words, with_word, PlainWord};

/// Longest query accepted, in characters.
pub const MAX_QUERY_CHARS: usize = 2000;
/// Deepest nesting accepted: parentheses plus `NOT`/`-`/`+` prefixes.
pub const MAX_DEPTH: usize = 32;
/// Most clauses (words, phrases, prefixes, ranges, ids, `*`) in one query.
pub const MAX_CLAUSES: usize = 200;
/// Largest phrase slop (`"a b"~100`).
pub const MAX_SLOP: u32 = 100;

/// Parses a search query.
///
/// ```
/// # use cablescope_archive::query::{parse, Query, Field};
/// let q = parse("tag:PREL created:2008-06 -caption:NOFORN").unwrap();
/// assert_eq!(
///     q.to_string(),
///     "tag:PREL AND created:2008-06 AND NOT caption:NOFORN"
/// );
/// let err = parse("subject:(iran").unwrap_err();
/// assert_eq!(err.position, 8);
/// ```
pub fn parse(query: &str) -> Result<Query, QuerySyntaxError> {
    parser::parse(query)
}
