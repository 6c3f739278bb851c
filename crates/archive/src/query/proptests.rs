//! Property tests: the parser never panics, errors point inside the query, and the
//! canonical display parses back to the same tree.

use std::ops::Bound;

use proptest::prelude::*;

use super::*;

/// Fields that take words, phrases, prefixes, fuzzy words and term ranges.
const WORD_FIELDS: [Field; 8] = [
    Field::Text,
    Field::Tag,
    Field::Origin,
    Field::Caption,
    Field::Subject,
    Field::Signer,
    Field::ClassifiedBy,
    Field::Marking,
];

/// Pieces of query syntax, so that random concatenations reach deep into the parser.
const FRAGMENTS: &[&str] = &[
    " ",
    " ",
    " ",
    "AND",
    "OR",
    "NOT",
    "TO",
    "and",
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    "\"",
    "*",
    "~",
    "~1",
    "~9",
    "-",
    "+",
    ":",
    "\\",
    "tag:",
    "id:",
    "cites:",
    "cited-by:",
    "created:",
    "classification:",
    "subject:",
    "bogus:",
    "2008",
    "2008-06",
    "2008-06-31",
    "2008-13",
    "08",
    "MOSCOW",
    "1599",
    "SECRET",
    "TOP SECRET",
    "S//NF",
    "iran",
    "a",
    "b",
    "é",
    "🦀",
    "\t",
    "\n",
];

/// Whole clauses and operators: space-separated, these mostly form valid queries.
const CLAUSES: &[&str] = &[
    "iran",
    "-iraq",
    "+nuclear",
    "\"arms control\"",
    "\"a b\"~2",
    "nucl*",
    "moskow~1",
    "*",
    "tag:PREL",
    "tag:(PREL OR PGOV)",
    "-caption:NOFORN",
    "subject:\"x y\"",
    "origin:MOSCOW",
    "signer:burns~",
    "classified_by:*",
    "marking:S/NF",
    "tag:[A TO C}",
    "id:08 MOSCOW 1599",
    "id:MOSCOW 1599",
    "cites:08MOSCOW1599",
    "cited-by:\"08 PARIS 1\"",
    "created:2008",
    "created:2008-06",
    "created:[2008-01-01 TO 2008-06-30]",
    "created:{2007 TO *]",
    "classification:SECRET",
    "classification:[C TO *]",
    "AND",
    "OR",
    "NOT",
    "(",
    ")",
    "and",
    "TO",
    "\\AND",
];

fn clause_soup() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(CLAUSES), 1..25).prop_map(|v| v.join(" "))
}

pub(crate) fn fragment_soup() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(FRAGMENTS), 0..40).prop_map(|v| v.concat())
}

fn word() -> impl Strategy<Value = String> {
    prop::collection::vec(any::<char>(), 1..8).prop_map(|v| v.into_iter().collect())
}

fn phrase_text() -> impl Strategy<Value = String> {
    let w = prop::collection::vec(
        any::<char>().prop_filter("no space", |c| !c.is_whitespace()),
        1..6,
    )
    .prop_map(|v| v.into_iter().collect::<String>());
    prop::collection::vec(w, 1..4).prop_map(|v| v.join(" "))
}

fn word_field() -> impl Strategy<Value = Field> {
    prop::sample::select(&WORD_FIELDS[..])
}

fn named_field() -> impl Strategy<Value = Field> {
    prop::sample::select(&Field::NAMED[..])
}

fn level() -> impl Strategy<Value = Level> {
    prop::sample::select(&super::ast::LEVELS[..])
}

fn id_pattern() -> impl Strategy<Value = IdPattern> {
    (
        prop::option::of(1950..=2049i32),
        "[A-Z]{1,12}",
        any::<u64>(),
    )
        .prop_map(|(year, station, serial)| IdPattern {
            year,
            station,
            serial,
        })
}

fn day() -> impl Strategy<Value = String> {
    (1966..2012u32, 1..=12u32, 1..=28u32).prop_map(|(y, m, d)| format!("{y:04}-{m:02}-{d:02}"))
}

fn date_range() -> impl Strategy<Value = Query> {
    (prop::option::of(day()), prop::option::of(day()))
        .prop_filter("from < to", |(f, t)| match (f, t) {
            (Some(f), Some(t)) => f != t,
            _ => true,
        })
        .prop_map(|(f, t)| {
            let (from, to) = match (f, t) {
                (Some(f), Some(t)) if f > t => (Some(t), Some(f)),
                other => other,
            };
            Query::DateRange { from, to }
        })
}

fn bound(text: Option<String>, inclusive: bool) -> Bound<String> {
    match text {
        None => Bound::Unbounded,
        Some(t) if inclusive => Bound::Included(t),
        Some(t) => Bound::Excluded(t),
    }
}

fn term_range() -> impl Strategy<Value = Query> {
    (
        prop::sample::select(&WORD_FIELDS[1..]),
        prop::option::of(word()),
        prop::option::of(word()),
        any::<bool>(),
        any::<bool>(),
    )
        .prop_map(|(field, a, b, li, ui)| {
            let (a, b) = match (a, b) {
                (Some(a), Some(b)) if a.to_lowercase() > b.to_lowercase() => (Some(b), Some(a)),
                other => other,
            };
            Query::Range {
                field,
                lower: bound(a, li),
                upper: bound(b, ui),
            }
        })
}

fn leaf() -> impl Strategy<Value = Query> {
    prop_oneof![
        Just(Query::All),
        (word_field(), word()).prop_map(|(field, text)| Query::Term { field, text }),
        (word_field(), phrase_text(), 0..=MAX_SLOP).prop_map(|(field, text, slop)| Query::Phrase {
            field,
            text,
            slop
        }),
        (word_field(), word()).prop_map(|(field, text)| Query::Prefix { field, text }),
        (word_field(), word(), 0..=2u8).prop_map(|(field, text, distance)| Query::Fuzzy {
            field,
            text,
            distance
        }),
        term_range(),
        date_range(),
        level().prop_map(Query::Classification),
        (level(), level()).prop_map(|(a, b)| Query::ClassificationRange {
            min: a.min(b),
            max: a.max(b)
        }),
        id_pattern().prop_map(Query::Id),
        id_pattern().prop_map(Query::Cites),
        id_pattern().prop_map(Query::CitedBy),
        named_field().prop_map(Query::Exists),
    ]
}

pub(crate) fn query() -> impl Strategy<Value = Query> {
    leaf().prop_recursive(5, 40, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 2..5).prop_map(Query::And),
            prop::collection::vec(inner.clone(), 2..5).prop_map(Query::Or),
            inner.prop_map(|q| Query::Not(Box::new(q))),
        ]
    })
}

fn check_error_position(input: &str) -> Result<(), TestCaseError> {
    if let Err(e) = parse(input) {
        prop_assert!(e.position <= input.chars().count());
        prop_assert!(!e.message.is_empty());
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// Arbitrary Unicode never panics and errors point inside the query.
    #[test]
    fn never_panics_on_arbitrary_strings(s in any::<String>()) {
        check_error_position(&s)?;
    }

    /// Random concatenations of syntax pieces never panic; whatever parses has a
    /// canonical form that parses to the same tree, within the limits.
    #[test]
    fn syntax_soup(s in fragment_soup()) {
        check_error_position(&s)?;
        if let Ok(q) = parse(&s) {
            prop_assert!(q.clause_count() <= MAX_CLAUSES);
            let shown = q.to_string();
            prop_assert_eq!(parse(&shown), Ok(q), "canonical form {:?}", shown);
        }
    }

    /// Space-separated clauses and operators: whatever parses round-trips through its
    /// canonical form.
    #[test]
    fn clause_soup_round_trips(s in clause_soup()) {
        check_error_position(&s)?;
        if let Ok(q) = parse(&s) {
            let shown = q.to_string();
            prop_assert_eq!(parse(&shown), Ok(q), "canonical form {:?}", shown);
        }
    }

    /// parse(display(q)) == q for generated trees.
    #[test]
    fn display_round_trips(q in query()) {
        let shown = q.to_string();
        prop_assume!(shown.chars().count() <= MAX_QUERY_CHARS);
        prop_assert_eq!(parse(&shown), Ok(q), "canonical form {:?}", shown);
    }

    /// Long inputs around the length limit never panic.
    #[test]
    fn long_inputs(s in fragment_soup(), n in 0usize..120) {
        let long = s.repeat(n);
        check_error_position(&long)?;
    }
}
