//! Unit tests of the query language: every construct, precedence, canonical display,
//! and errors with their positions.

use std::ops::Bound;

use super::*;

fn p(s: &str) -> Query {
    parse(s).unwrap_or_else(|e| panic!("{s:?}: {e}"))
}

/// The canonical form of a query, checked to parse back to the same tree.
fn canon(s: &str) -> String {
    let q = p(s);
    let out = q.to_string();
    assert_eq!(
        parse(&out),
        Ok(q),
        "canonical form {out:?} of {s:?} reparses"
    );
    out
}

/// Position and message of the error for `s`.
fn err(s: &str) -> (usize, String) {
    match parse(s) {
        Ok(q) => panic!("{s:?} parsed as {q:?}"),
        Err(e) => {
            assert!(e.position <= s.chars().count(), "{s:?}: position past end");
            (e.position, e.message)
        }
    }
}

fn assert_err(s: &str, position: usize, needle: &str) {
    let (pos, msg) = err(s);
    assert_eq!(pos, position, "{s:?}: {msg}");
    assert!(msg.contains(needle), "{s:?}: {msg:?} lacks {needle:?}");
}

fn t(text: &str) -> Query {
    ft(Field::Text, text)
}

fn ft(field: Field, text: &str) -> Query {
    Query::Term {
        field,
        text: text.into(),
    }
}

fn not(q: Query) -> Query {
    Query::Not(Box::new(q))
}

fn id(year: Option<i32>, station: &str, serial: u64) -> IdPattern {
    IdPattern {
        year,
        station: station.into(),
        serial,
    }
}

fn days(from: Option<&str>, to: Option<&str>) -> Query {
    Query::DateRange {
        from: from.map(String::from),
        to: to.map(String::from),
    }
}

// ---- words and operators -------------------------------------------------------

#[test]
fn single_word() {
    assert_eq!(p("iran"), t("iran"));
    assert_eq!(p("  iran  "), t("iran"));
    assert_eq!(p("al-Qaida"), t("al-Qaida"));
    assert_eq!(p("U.S."), t("U.S."));
    assert_eq!(p("what?"), t("what?"));
    assert_eq!(p("1.4^b"), t("1.4^b"));
}

#[test]
fn implicit_operator_is_and() {
    assert_eq!(p("iran nuclear"), Query::And(vec![t("iran"), t("nuclear")]));
    assert_eq!(p("iran AND nuclear"), p("iran nuclear"));
    assert_eq!(
        p("a b c"),
        Query::And(vec![t("a"), t("b"), t("c")]),
        "flat, not nested"
    );
    assert_eq!(canon("iran nuclear"), "iran AND nuclear");
}

#[test]
fn lower_case_operators_are_words() {
    assert_eq!(
        p("war and peace"),
        Query::And(vec![t("war"), t("and"), t("peace")])
    );
    assert_eq!(p("a or b"), Query::And(vec![t("a"), t("or"), t("b")]));
    assert_eq!(p("not"), t("not"));
    assert_eq!(p("And"), t("And"));
    assert_eq!(p("TO"), t("TO"));
}

#[test]
fn or_and_not() {
    assert_eq!(p("a OR b"), Query::Or(vec![t("a"), t("b")]));
    assert_eq!(p("a OR b OR c"), Query::Or(vec![t("a"), t("b"), t("c")]));
    assert_eq!(p("NOT a"), not(t("a")));
    assert_eq!(p("a NOT b"), Query::And(vec![t("a"), not(t("b"))]));
    assert_eq!(p("a AND NOT b"), p("a NOT b"));
    assert_eq!(p("NOT NOT a"), not(not(t("a"))));
}

#[test]
fn minus_and_plus() {
    assert_eq!(p("a -b"), Query::And(vec![t("a"), not(t("b"))]));
    assert_eq!(p("+a -b"), Query::And(vec![t("a"), not(t("b"))]));
    assert_eq!(p("-a"), not(t("a")));
    assert_eq!(p("-(a OR b)"), not(Query::Or(vec![t("a"), t("b")])));
    assert_eq!(p("-tag:PREL"), not(ft(Field::Tag, "PREL")));
    assert_eq!(p("a-b -c-d"), Query::And(vec![t("a-b"), not(t("c-d"))]));
    assert_eq!(canon("+iran -iraq"), "iran AND NOT iraq");
}

#[test]
fn precedence_not_and_or() {
    // AND binds tighter than OR.
    assert_eq!(
        p("a OR b c"),
        Query::Or(vec![t("a"), Query::And(vec![t("b"), t("c")])])
    );
    assert_eq!(
        p("a b OR c"),
        Query::Or(vec![Query::And(vec![t("a"), t("b")]), t("c")])
    );
    assert_eq!(
        p("a AND b OR c AND d"),
        Query::Or(vec![
            Query::And(vec![t("a"), t("b")]),
            Query::And(vec![t("c"), t("d")])
        ])
    );
    // NOT binds tighter than AND and OR.
    assert_eq!(p("NOT a b"), Query::And(vec![not(t("a")), t("b")]));
    assert_eq!(p("NOT a OR b"), Query::Or(vec![not(t("a")), t("b")]));
    assert_eq!(
        p("a OR NOT b AND c"),
        Query::Or(vec![t("a"), Query::And(vec![not(t("b")), t("c")])])
    );
    assert_eq!(p("-a OR b"), Query::Or(vec![not(t("a")), t("b")]));
}

#[test]
fn grouping() {
    assert_eq!(
        p("(a OR b) c"),
        Query::And(vec![Query::Or(vec![t("a"), t("b")]), t("c")])
    );
    assert_eq!(
        p("a (b OR (c d))"),
        Query::And(vec![
            t("a"),
            Query::Or(vec![t("b"), Query::And(vec![t("c"), t("d")])])
        ])
    );
    // Explicit groups are kept, not flattened.
    assert_eq!(
        p("(a b) c"),
        Query::And(vec![Query::And(vec![t("a"), t("b")]), t("c")])
    );
    assert_eq!(p("((a))"), t("a"));
    assert_eq!(p("NOT (a b)"), not(Query::And(vec![t("a"), t("b")])));
    assert_eq!(p("foo(bar)"), Query::And(vec![t("foo"), t("bar")]));
}

#[test]
fn star_alone() {
    assert_eq!(p("*"), Query::All);
    assert_eq!(p(" * "), Query::All);
    assert_eq!(
        p("* -tag:PREL"),
        Query::And(vec![Query::All, not(ft(Field::Tag, "PREL"))])
    );
    assert_eq!(canon("*"), "*");
}

// ---- phrases, prefixes, fuzzy --------------------------------------------------

#[test]
fn phrases() {
    assert_eq!(
        p("\"nuclear   program\""),
        Query::Phrase {
            field: Field::Text,
            text: "nuclear program".into(),
            slop: 0
        }
    );
    assert_eq!(
        p("\"a b\"~3"),
        Query::Phrase {
            field: Field::Text,
            text: "a b".into(),
            slop: 3
        }
    );
    assert_eq!(
        p(r#""say \"hi\" \\ now""#),
        Query::Phrase {
            field: Field::Text,
            text: r#"say "hi" \ now"#.into(),
            slop: 0
        }
    );
    assert_eq!(
        p("\"AND OR\""),
        Query::Phrase {
            field: Field::Text,
            text: "AND OR".into(),
            slop: 0
        }
    );
    assert_eq!(canon("\"a  b\"~0 \"c\"~2"), "\"a b\" AND \"c\"~2");
    assert_eq!(
        p("\"a\"\"b\""),
        Query::And(vec![
            Query::Phrase {
                field: Field::Text,
                text: "a".into(),
                slop: 0
            },
            Query::Phrase {
                field: Field::Text,
                text: "b".into(),
                slop: 0
            }
        ])
    );
}

#[test]
fn prefix_and_fuzzy() {
    assert_eq!(
        p("nucl*"),
        Query::Prefix {
            field: Field::Text,
            text: "nucl".into()
        }
    );
    let fuzzy = |text: &str, distance| Query::Fuzzy {
        field: Field::Text,
        text: text.into(),
        distance,
    };
    assert_eq!(p("moskow~"), fuzzy("moskow", 2));
    assert_eq!(p("moskow~1"), fuzzy("moskow", 1));
    assert_eq!(p("moskow~0"), fuzzy("moskow", 0));
    assert_eq!(p("moskow~2"), fuzzy("moskow", 2));
    assert_eq!(
        p("subject:nucl*"),
        Query::Prefix {
            field: Field::Subject,
            text: "nucl".into()
        }
    );
    assert_eq!(canon("moskow~ nucl* (a*)"), "moskow~2 AND nucl* AND a*");
    assert_err("moskow~3", 0, "fuzzy distance 3");
}

// ---- fields --------------------------------------------------------------------

#[test]
fn text_and_keyword_fields() {
    for (q, field, text) in [
        ("tag:PREL", Field::Tag, "PREL"),
        ("origin:MOSCOW", Field::Origin, "MOSCOW"),
        ("caption:NOFORN", Field::Caption, "NOFORN"),
        ("subject:iran", Field::Subject, "iran"),
        ("signer:burns", Field::Signer, "burns"),
        ("classified_by:beyrle", Field::ClassifiedBy, "beyrle"),
        ("classified-by:beyrle", Field::ClassifiedBy, "beyrle"),
        ("marking:S/NF", Field::Marking, "S/NF"),
        ("marking:S//NF", Field::Marking, "S//NF"),
        ("TAG:prel", Field::Tag, "prel"),
        ("Subject:Iran", Field::Subject, "Iran"),
        ("tag: PREL", Field::Tag, "PREL"),
    ] {
        assert_eq!(p(q), ft(field, text), "{q}");
    }
    assert_eq!(
        p("subject:\"arms control\""),
        Query::Phrase {
            field: Field::Subject,
            text: "arms control".into(),
            slop: 0
        }
    );
    assert_eq!(
        p("signer:rice~1"),
        Query::Fuzzy {
            field: Field::Signer,
            text: "rice".into(),
            distance: 1
        }
    );
    assert_eq!(
        canon("TAG:prel Classified-By:x"),
        "tag:prel AND classified_by:x"
    );
}

#[test]
fn field_applies_to_one_clause_only() {
    assert_eq!(
        p("tag:PREL RS"),
        Query::And(vec![ft(Field::Tag, "PREL"), t("RS")])
    );
    // A colon with a space before it does not make a field.
    assert_err("tag :PREL", 4, "`:` must follow a field name");
}

#[test]
fn field_groups() {
    assert_eq!(
        p("tag:(PREL OR PGOV)"),
        Query::Or(vec![ft(Field::Tag, "PREL"), ft(Field::Tag, "PGOV")])
    );
    assert_eq!(
        p("tag:(PREL -RS)"),
        Query::And(vec![ft(Field::Tag, "PREL"), not(ft(Field::Tag, "RS"))])
    );
    assert_eq!(
        p("subject:(\"arms control\" OR nucl*)"),
        Query::Or(vec![
            Query::Phrase {
                field: Field::Subject,
                text: "arms control".into(),
                slop: 0
            },
            Query::Prefix {
                field: Field::Subject,
                text: "nucl".into()
            }
        ])
    );
    assert_eq!(
        p("created:(2008 OR [2010-01 TO 2010-03])"),
        Query::Or(vec![
            days(Some("2008-01-01"), Some("2009-01-01")),
            days(Some("2010-01-01"), Some("2010-04-01")),
        ])
    );
    assert_eq!(
        p("id:(08MOSCOW1599 OR MOSCOW 1600)"),
        Query::Or(vec![
            Query::Id(id(Some(2008), "MOSCOW", 1599)),
            Query::Id(id(None, "MOSCOW", 1600)),
        ])
    );
    assert_eq!(p("tag:(*)"), Query::Exists(Field::Tag));
    assert_eq!(
        canon("tag:(PREL OR PGOV) origin:MOSCOW"),
        "(tag:PREL OR tag:PGOV) AND origin:MOSCOW"
    );
}

#[test]
fn exists() {
    assert_eq!(p("tag:*"), Query::Exists(Field::Tag));
    assert_eq!(p("cites:*"), Query::Exists(Field::Cites));
    assert_eq!(p("created:*"), Query::Exists(Field::Created));
    assert_eq!(canon("-signer:*"), "NOT signer:*");
}

#[test]
fn term_ranges() {
    assert_eq!(
        p("tag:[A TO C}"),
        Query::Range {
            field: Field::Tag,
            lower: Bound::Included("A".into()),
            upper: Bound::Excluded("C".into())
        }
    );
    assert_eq!(
        p("subject:{a TO *]"),
        Query::Range {
            field: Field::Subject,
            lower: Bound::Excluded("a".into()),
            upper: Bound::Unbounded
        }
    );
    assert_eq!(
        p("signer:[\"*\" TO \"a b\"]"),
        Query::Range {
            field: Field::Signer,
            lower: Bound::Included("*".into()),
            upper: Bound::Included("a b".into())
        }
    );
    assert_eq!(canon("tag:[* TO M]"), "tag:[* TO M]");
    assert_eq!(canon("tag:{A TO B}"), "tag:{A TO B}");
    assert_eq!(canon("tag:[\"TO\" TO \\TO]"), "tag:[\\TO TO \\TO]");
}

// ---- created: ------------------------------------------------------------------

#[test]
fn partial_dates() {
    assert_eq!(
        p("created:2008"),
        days(Some("2008-01-01"), Some("2009-01-01"))
    );
    assert_eq!(
        p("created:2008-06"),
        days(Some("2008-06-01"), Some("2008-07-01"))
    );
    assert_eq!(
        p("created:2008-06-05"),
        days(Some("2008-06-05"), Some("2008-06-06"))
    );
    assert_eq!(
        p("created:\"2008-12\""),
        days(Some("2008-12-01"), Some("2009-01-01"))
    );
    assert_eq!(canon("created:2008"), "created:2008");
    assert_eq!(canon("created:2008-02"), "created:2008-02");
    assert_eq!(canon("created:2008-02-29"), "created:2008-02-29");
}

#[test]
fn date_ranges_are_half_open() {
    assert_eq!(
        p("created:[2008-01-01 TO 2008-06-30]"),
        days(Some("2008-01-01"), Some("2008-07-01"))
    );
    assert_eq!(
        p("created:{2008-01-01 TO 2008-06-30}"),
        days(Some("2008-01-02"), Some("2008-06-30"))
    );
    assert_eq!(
        p("created:[2008 TO 2009]"),
        days(Some("2008-01-01"), Some("2010-01-01"))
    );
    assert_eq!(
        p("created:{2008-06 TO 2009}"),
        days(Some("2008-07-01"), Some("2009-01-01"))
    );
    assert_eq!(p("created:[* TO 2008]"), days(None, Some("2009-01-01")));
    assert_eq!(p("created:[2008 TO *]"), days(Some("2008-01-01"), None));
    assert_eq!(p("created:[* TO *]"), days(None, None));
    assert_eq!(
        canon("created:[2008-01-01 TO 2008-06-30]"),
        "created:[2008-01-01 TO 2008-07-01}"
    );
    assert_eq!(canon("created:[2008-06 TO 2008-06]"), "created:2008-06");
    assert_eq!(canon("created:{2008 TO *}"), "created:[2009-01-01 TO *]");
    assert_eq!(canon("created:[* TO 2008}"), "created:[* TO 2008-01-01}");
}

#[test]
fn bad_dates() {
    assert_err("created:2008-13", 8, "month");
    assert_err("created:2009-02-29", 8, "no day 29");
    assert_err("created:08", 8, "YYYY");
    assert_err("created:yesterday", 8, "bad date");
    assert_err("created:[2008-01-01 TO 2008-1]", 23, "bad date");
    assert_err("created:[2009 TO 2008]", 8, "empty date range");
    assert_err("created:{2008-06-30 TO 2008-07-01}", 8, "empty date range");
    assert_err("created:2008*", 8, "not supported on `created:`");
    assert_err("created:\"2008\"~2", 8, "slop");
}

// ---- classification: -----------------------------------------------------------

#[test]
fn classification_levels() {
    for (q, level) in [
        ("classification:SECRET", Level::S),
        ("classification:secret", Level::S),
        ("classification:S", Level::S),
        ("classification:C", Level::C),
        ("classification:UNCLASSIFIED", Level::U),
        ("classification:unclas", Level::U),
        ("classification:LOU", Level::Sbu),
        ("classification:\"limited official use\"", Level::Sbu),
        ("classification:\"TOP SECRET\"", Level::Ts),
        ("classification:TOP_SECRET", Level::Ts),
        ("classification:TS", Level::Ts),
    ] {
        assert_eq!(p(q), Query::Classification(level), "{q}");
    }
    assert_eq!(canon("classification:S"), "classification:SECRET");
    assert_eq!(canon("classification:ts"), "classification:\"TOP SECRET\"");
}

#[test]
fn classification_ranges() {
    let r = |min, max| Query::ClassificationRange { min, max };
    assert_eq!(
        p("classification:[CONFIDENTIAL TO *]"),
        r(Level::C, Level::Ts)
    );
    assert_eq!(p("classification:{C TO *]"), r(Level::S, Level::Ts));
    assert_eq!(p("classification:[* TO SECRET}"), r(Level::U, Level::C));
    assert_eq!(
        canon("classification:[c TO ts]"),
        "classification:[CONFIDENTIAL TO \"TOP SECRET\"]"
    );
    assert_err("classification:{TS TO *]", 15, "empty range");
    assert_err("classification:[S TO C]", 15, "empty range");
    assert_err("classification:[S TO X]", 21, "unknown classification");
}

#[test]
fn classification_hints() {
    assert_err(
        "classification:SECRET//NOFORN",
        15,
        "classification:SECRET caption:NOFORN",
    );
    assert_err("classification:NOFORN", 15, "caption:NOFORN");
    assert_err("classification:PINK", 15, "levels: UNCLASSIFIED");
    assert_err(
        "classification:TOP SECRET",
        15,
        "classification:\"TOP SECRET\"",
    );
    assert_err("classification:SECRET*", 15, "not supported");
}

// ---- ids -----------------------------------------------------------------------

#[test]
fn ids_match_loosely() {
    let full = Query::Id(id(Some(2008), "MOSCOW", 1599));
    for q in [
        "id:08MOSCOW1599",
        "id:08moscow01599",
        "id:08 MOSCOW 1599",
        "id:\"08 MOSCOW 1599\"",
        "id:2008MOSCOW1599",
        "id:08 MOSCOW1599",
        "ID:08MOSCOW 1599",
    ] {
        assert_eq!(p(q), full, "{q}");
    }
    assert_eq!(p("id:MOSCOW 1599"), Query::Id(id(None, "MOSCOW", 1599)));
    assert_eq!(p("id:\"MOSCOW 1599\""), Query::Id(id(None, "MOSCOW", 1599)));
    assert_eq!(
        p("id:BUENOS AIRES 1512"),
        Query::Id(id(None, "BUENOSAIRES", 1512))
    );
    assert_eq!(canon("id:08 MOSCOW 001599"), "id:08MOSCOW1599");
    assert_eq!(canon("id:MOSCOW 1599"), "id:MOSCOW1599");
}

#[test]
fn ids_take_only_the_words_they_need() {
    assert_eq!(
        p("id:08 MOSCOW 1599 tag:PREL"),
        Query::And(vec![
            Query::Id(id(Some(2008), "MOSCOW", 1599)),
            ft(Field::Tag, "PREL")
        ])
    );
    assert_eq!(
        p("id:08MOSCOW1599 1600"),
        Query::And(vec![Query::Id(id(Some(2008), "MOSCOW", 1599)), t("1600")])
    );
    assert_eq!(
        p("id:MOSCOW 1599 OR id:PARIS 2"),
        Query::Or(vec![
            Query::Id(id(None, "MOSCOW", 1599)),
            Query::Id(id(None, "PARIS", 2))
        ])
    );
    assert_err("id:MOSCOW tag:PREL", 3, "incomplete cable id `MOSCOW`");
    assert_err("id:08 MOSCOW", 3, "incomplete cable id `08 MOSCOW`");
    assert_err("id:08 MOSCOW OR x", 3, "incomplete");
    assert_err("id:A B C D E F 1", 3, "incomplete");
}

#[test]
fn cites_and_cited_by() {
    assert_eq!(
        p("cites:08MOSCOW1599"),
        Query::Cites(id(Some(2008), "MOSCOW", 1599))
    );
    assert_eq!(
        p("cites:MOSCOW 1599"),
        Query::Cites(id(None, "MOSCOW", 1599))
    );
    let by = Query::CitedBy(id(Some(2008), "MOSCOW", 1599));
    assert_eq!(p("cited_by:08MOSCOW1599"), by);
    assert_eq!(p("cited-by:08 MOSCOW 1599"), by);
    assert_eq!(p("Cited-By:\"08MOSCOW1599\""), by);
    assert_eq!(canon("cited-by:08MOSCOW1599"), "cited_by:08MOSCOW1599");
}

#[test]
fn bad_ids() {
    assert_err("id:08MOSCOW*", 3, "not supported on `id:`");
    assert_err("cites:08MOSCOW1599~", 6, "not supported on `cites:`");
    assert_err("id:123MOSCOW1", 3, "not a cable id");
    assert_err("id:\"08 MOSCOW\"", 3, "incomplete");
    assert_err("id:[08MOSCOW1 TO 08MOSCOW9]", 3, "not supported on `id:`");
    assert_err("id:#1", 3, "not a cable id");
}

// ---- escapes -------------------------------------------------------------------

#[test]
fn escapes() {
    assert_eq!(p("\\AND"), t("AND"));
    assert_eq!(p("a\\:b"), t("a:b"));
    assert_eq!(p("\\-x"), t("-x"));
    assert_eq!(p("1.4\\(b\\)"), t("1.4(b)"));
    assert_eq!(p("a\\ b"), t("a b"));
    assert_eq!(p("\\*"), t("*"));
    assert_eq!(p("tag\\:x"), t("tag:x"));
    assert_eq!(canon("\\AND \\OR a\\:b"), "\\AND AND \\OR AND a\\:b");
    assert_eq!(canon("\\-x a\\*"), "\\-x AND a\\*");
}

// ---- canonical display ---------------------------------------------------------

#[test]
fn canonical_forms() {
    assert_eq!(
        canon("tag:PREL created:2008-06 -caption:NOFORN"),
        "tag:PREL AND created:2008-06 AND NOT caption:NOFORN"
    );
    assert_eq!(canon("a OR b c"), "a OR b AND c");
    assert_eq!(canon("(a OR b) c"), "(a OR b) AND c");
    assert_eq!(canon("(a b) c"), "(a AND b) AND c");
    assert_eq!(canon("(a OR b) OR c"), "(a OR b) OR c");
    assert_eq!(canon("NOT (a OR b)"), "NOT (a OR b)");
    assert_eq!(canon("NOT -a"), "NOT NOT a");
    assert_eq!(
        canon("classification:SECRET subject:\"arms control\"~2 -marking:S/NF"),
        "classification:SECRET AND subject:\"arms control\"~2 AND NOT marking:S/NF"
    );
}

// ---- errors ---------------------------------------------------------------------

#[test]
fn empty_queries() {
    assert_err("", 0, "empty query");
    assert_err("   ", 0, "empty query");
}

#[test]
fn unbalanced_quotes_and_parens() {
    assert_err("iran \"nuclear program", 5, "unclosed quote");
    assert_err("\"", 0, "unclosed quote");
    assert_err("\"a\\\"", 0, "unclosed quote");
    assert_err("(iran OR iraq", 0, "unbalanced `(`");
    assert_err("a (b (c) d", 2, "unbalanced `(`");
    assert_err("iran)", 4, "unbalanced `)`");
    assert_err("(a))", 3, "unbalanced `)`");
    assert_err(")", 0, "unbalanced `)`");
    assert_err("()", 0, "empty group");
    assert_err("a ( )", 2, "empty group");
    assert_err("subject:(iran", 8, "unbalanced `(`");
}

#[test]
fn dangling_operators() {
    assert_err("iran AND", 5, "`AND` needs a clause after it");
    assert_err("iran OR", 5, "`OR` needs a clause after it");
    assert_err("iran NOT", 5, "`NOT` needs a clause after it");
    assert_err("AND iran", 0, "`AND` needs a clause before it");
    assert_err("OR iran", 0, "`OR` needs a clause before it");
    assert_err("a OR OR b", 2, "`OR` needs a clause after it");
    assert_err("a AND OR b", 2, "`AND` needs a clause after it");
    assert_err("(a AND) b", 3, "`AND` needs a clause after it");
    assert_err("(NOT)", 1, "`NOT` needs a clause after it");
    assert_err("a - b", 2, "`-` must be written directly before");
    assert_err("a +", 2, "`+` must be written directly before");
    assert_err("(a -)", 3, "`-` must be written directly before");
    assert_err("-NOT a", 0, "`-` needs a clause after it");
    assert_err("--a", 1, "unexpected `-`");
    assert_err("a -OR b", 2, "`-` needs a clause after it");
}

#[test]
fn empty_field_values() {
    assert_err("tag:", 3, "empty value for `tag:`");
    assert_err("tag:   ", 3, "empty value");
    assert_err("(tag:)", 4, "empty value");
    assert_err("tag: OR x", 3, "empty value");
    assert_err("tag:\"\"", 4, "empty phrase");
    assert_err("tag:\"   \"", 4, "empty phrase");
    assert_err("tag:-PREL", 4, "put `-` before the field");
}

#[test]
fn unknown_and_misplaced_fields() {
    let (pos, msg) = err("iran body:nuclear");
    assert_eq!(pos, 5);
    for name in [
        "id",
        "tag",
        "origin",
        "classification",
        "caption",
        "subject",
        "signer",
        "classified_by",
        "created",
        "cites",
        "cited_by",
        "cited-by",
        "marking",
    ] {
        assert!(msg.contains(name), "{msg} lacks {name}");
    }
    assert_err("http://example.com", 0, "unknown field `http`");
    assert_err(
        "tag:(PREL origin:MOSCOW)",
        10,
        "cannot be used inside `tag:( ... )`",
    );
    assert_err(":x", 0, "`:` must follow a field name");
    assert_err("tag::x", 4, "`:` must follow a field name");
    assert_err("*:x", 0, "not a field name");
    assert_err("a*:x", 1, "field name cannot contain");
}

#[test]
fn bad_ranges() {
    assert_err("[a TO b]", 0, "a range needs a field");
    assert_err("tag:[a b]", 7, "expected `TO`");
    assert_err("tag:[a TO b", 4, "unclosed range");
    assert_err("tag:[a TO", 4, "unclosed range");
    assert_err("tag:[a", 4, "unclosed range");
    assert_err("tag:[", 4, "unclosed range");
    assert_err("tag:[a TO b c]", 12, "expected `]` or `}`");
    assert_err("tag:[TO b]", 5, "missing range bound before `TO`");
    assert_err("tag:[a TO ]", 10, "missing range bound after `TO`");
    assert_err("tag:[a* TO b]", 5, "cannot end in `*`");
    assert_err("tag:[\"\" TO b]", 5, "empty range bound");
    assert_err("tag:[(a) TO b]", 5, "expected a range bound");
    assert_err("tag:[c TO a]", 4, "empty range");
    assert_err("a]", 1, "unbalanced `]`");
    assert_err("tag:}", 4, "unbalanced `}`");
    assert_err("cites:[* TO *]", 6, "not supported on `cites:`");
}

#[test]
fn bad_words() {
    assert_err("*iran", 0, "leading wildcards");
    assert_err("ir*an", 2, "only supported at the end");
    assert_err("**", 0, "`**`");
    assert_err("iran*~", 5, "both a prefix");
    assert_err("~iran", 0, "`~` must follow a word");
    assert_err("iran~x", 5, "fuzzy distance");
    assert_err("\"a b\"~", 5, "slop");
    assert_err("\"a b\"~101", 0, "slop 101 is too large");
    assert_err("\"a b\"x", 5, "add a space");
    assert_err("a\\", 1, "escapes nothing");
}

#[test]
fn limits() {
    let long = "a ".repeat(1001);
    assert_err(&long, MAX_QUERY_CHARS, "too long");
    let ok_len = "a".repeat(MAX_QUERY_CHARS);
    assert_eq!(p(&ok_len), t(&ok_len));
    // Length counts characters, not bytes.
    let wide = "é".repeat(MAX_QUERY_CHARS);
    assert!(parse(&wide).is_ok());

    let deep = format!("{}a{}", "(".repeat(MAX_DEPTH), ")".repeat(MAX_DEPTH));
    assert_eq!(p(&deep), t("a"));
    let too_deep = format!(
        "{}a{}",
        "(".repeat(MAX_DEPTH + 1),
        ")".repeat(MAX_DEPTH + 1)
    );
    assert_err(&too_deep, MAX_DEPTH, "nests too deeply");
    let nots = format!("{}a", "NOT ".repeat(MAX_DEPTH + 1));
    assert_err(&nots, 4 * MAX_DEPTH, "nests too deeply");
    let deep_field = format!("tag:{}a{}", "(".repeat(40), ")".repeat(40));
    assert_err(&deep_field, 4 + MAX_DEPTH, "nests too deeply");

    let many = vec!["a"; MAX_CLAUSES].join(" ");
    assert_eq!(p(&many).clause_count(), MAX_CLAUSES);
    let too_many = vec!["a"; MAX_CLAUSES + 1].join(" ");
    assert_err(&too_many, 2 * MAX_CLAUSES, "too many clauses");
    // 250 one-letter ORs stay within the length limit but not the clause limit.
    let ors = vec!["a"; 250].join(" OR ");
    assert_err(&ors, 5 * MAX_CLAUSES, "too many clauses");
}

#[test]
fn error_rendering() {
    let q = "created:[2008-13 TO 2009]";
    let e = parse(q).unwrap_err();
    assert_eq!(e.position, 9);
    assert_eq!(
        e.render(q),
        "created:[2008-13 TO 2009]\n         ^\nbad date `2008-13`: the month must be 01 to 12"
    );
    assert_eq!(
        e.to_string(),
        "query syntax error at position 9: bad date `2008-13`: the month must be 01 to 12"
    );
    // Positions count characters.
    assert_err("ŝŝŝ (x", 4, "unbalanced `(`");
}

#[test]
fn hostile_inputs_do_not_panic() {
    for s in [
        "\0",
        "\\\\",
        "\u{feff}",
        "🦀:🦀",
        "id:",
        "id:0",
        "id:00000000000000000000000MOSCOW1",
        "created:[",
        "created:[*",
        "created:[* TO",
        "created:[* TO *",
        "[",
        "{",
        "]",
        "}",
        "(((((",
        ")))))",
        "\"\\",
        "NOT",
        "-",
        "+",
        "AND",
        "OR",
        "TO",
        "a:b:c",
        "tag:(",
        "tag:()",
        "tag:(a",
        "classification:[",
        "classification:[* TO",
        "id:((",
        "~",
        "~1",
        "*~",
        "\"\"~1",
        "tag:[* TO *]",
        "created:9999",
        "created:0000",
        "id:99999999999999999999999999",
        "x~4294967296",
    ] {
        let _ = parse(s);
    }
}
