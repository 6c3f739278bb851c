//! Query translation and cursor search over a small archive of hand-written cables.

use crate::FacetSet;
use std::collections::BTreeSet;

use cablescope_testkit::Telegram;

use super::*;
use crate::{Archive, IngestOptions};
use cablescope_format::marking::Clearance;

fn fixtures() -> Vec<Telegram> {
    vec![
        Telegram::new("MOSCOW", 1599)
            .class("SECRET")
            .captions(&["NOFORN", "SIPDIS"])
            .tags("PREL, PGOV, RS")
            .subject("(C) WIDGET TALKS WITH THE MINISTRY")
            .refs("A. 08 MOSCOW 1500 B. 08 STATE 12345")
            .para("U", "The widget delegation arrived on Tuesday.")
            .para("S/NF", "The canarysecret word appears only here.")
            .para("C", "Confidential paragraph about zebra crossings."),
        Telegram::new("MOSCOW", 1500)
            .dtg("011119Z JUN 08")
            .class("CONFIDENTIAL")
            .subject("(C) EARLIER WIDGET NOTE")
            .para("C", "An earlier note on widgets and zebra matters."),
        Telegram::new("PARIS", 200)
            .dtg("101200Z MAR 09")
            .tags("ECON, FR")
            .subject("(U) NUCLEAR PROGRAM REVIEW")
            .refs("09 MOSCOW 77")
            .para("U", "The nuclear program was discussed at length in Paris.")
            .signature("PEKALA"),
        Telegram::new("PARIS", 100)
            .dtg("201200Z JUN 08")
            .tags("ENRG, FR")
            .subject("(U) ENERGY PROGRAM")
            .para(
                "U",
                "A nuclear energy program for the region, and a moskow typo.",
            )
            .signature("STAPLETON"),
    ]
}

fn archive() -> (tempfile::TempDir, Archive) {
    let dir = tempfile::tempdir().expect("tempdir");
    let input = dir.path().join("in");
    std::fs::create_dir_all(&input).expect("mkdir");
    for (i, c) in fixtures().iter().enumerate() {
        std::fs::write(input.join(format!("c{i}.txt")), c.text()).expect("write");
    }
    let mut a = Archive::open(dir.path().join("arch")).expect("open");
    a.ingest(&[input], &IngestOptions::default(), &mut |_| {})
        .expect("ingest");
    (dir, a)
}

fn ids(a: &Archive, q: &str) -> Vec<String> {
    ids_as(a, q, Clearance::all())
}

fn ids_as(a: &Archive, q: &str, c: Clearance) -> Vec<String> {
    let opts = SearchOptions {
        limit: 100,
        scope: crate::gating::Scope {
            clearance: c,
            ..crate::gating::Scope::unrestricted()
        },
        ..SearchOptions::new(crate::gating::Scope::unrestricted())
    };
    let r = a
        .search_str(q, &opts)
        .unwrap_or_else(|e| panic!("{q}: {e}"));
    let mut v: Vec<String> = r.hits.into_iter().map(|h| h.id).collect();
    assert_eq!(v.len() as u64, r.total, "{q}");
    v.sort();
    v
}

#[test]
fn query_kinds() {
    let (_d, a) = archive();
    let all = ["08MOSCOW1500", "08MOSCOW1599", "08PARIS100", "09PARIS200"];
    assert_eq!(ids(&a, "*"), all);
    assert_eq!(ids(&a, "widget"), ["08MOSCOW1500", "08MOSCOW1599"]);
    assert_eq!(ids(&a, "delegation"), ["08MOSCOW1599"]);
    assert_eq!(ids(&a, "zebra"), ["08MOSCOW1500", "08MOSCOW1599"]);
    assert_eq!(ids(&a, "zebra delegation"), ["08MOSCOW1599"]);
    assert_eq!(ids(&a, "zebra AND delegation"), ["08MOSCOW1599"]);
    assert_eq!(
        ids(&a, "delegation OR energy"),
        ["08MOSCOW1599", "08PARIS100"]
    );
    assert_eq!(ids(&a, "zebra -delegation"), ["08MOSCOW1500"]);
    assert_eq!(ids(&a, "zebra NOT delegation"), ["08MOSCOW1500"]);
    assert_eq!(ids(&a, "NOT zebra"), ["08PARIS100", "09PARIS200"]);
    assert_eq!(
        ids(&a, "(delegation OR energy) AND nuclear"),
        ["08PARIS100"]
    );
    assert_eq!(ids(&a, "\"nuclear program\""), ["09PARIS200"]);
    assert_eq!(
        ids(&a, "\"nuclear program\"~1"),
        ["08PARIS100", "09PARIS200"]
    );
    assert_eq!(ids(&a, "widg*"), ["08MOSCOW1500", "08MOSCOW1599"]);
    assert_eq!(ids(&a, "moscow~1"), ["08PARIS100"]);
    assert_eq!(ids(&a, "canarysecret"), ["08MOSCOW1599"]);
}

#[test]
fn fields() {
    let (_d, a) = archive();
    assert_eq!(ids(&a, "tag:pgov"), ["08MOSCOW1599"]);
    assert_eq!(ids(&a, "tag:(ENRG OR ECON)"), ["08PARIS100", "09PARIS200"]);
    assert_eq!(ids(&a, "tag:EN*"), ["08PARIS100"]);
    assert_eq!(ids(&a, "origin:paris"), ["08PARIS100", "09PARIS200"]);
    assert_eq!(
        ids(&a, "origin:\"AMEMBASSY PARIS\""),
        ["08PARIS100", "09PARIS200"]
    );
    // A routing indicator (the DE line's RUEHFR) names its post.
    assert_eq!(ids(&a, "origin:RUEHFR"), ["08PARIS100", "09PARIS200"]);
    assert_eq!(ids(&a, "origin:ruehfr"), ["08PARIS100", "09PARIS200"]);
    assert_eq!(ids(&a, "classification:SECRET"), ["08MOSCOW1599"]);
    assert_eq!(
        ids(&a, "classification:[CONFIDENTIAL TO *]"),
        ["08MOSCOW1500", "08MOSCOW1599"]
    );
    assert_eq!(ids(&a, "caption:NOFORN"), ["08MOSCOW1599"]);
    assert_eq!(ids(&a, "subject:widget"), ["08MOSCOW1500", "08MOSCOW1599"]);
    assert_eq!(ids(&a, "subject:\"widget talks\""), ["08MOSCOW1599"]);
    assert_eq!(ids(&a, "signer:pekala"), ["09PARIS200"]);
    assert_eq!(ids(&a, "marking:s/nf"), ["08MOSCOW1599"]);
    assert_eq!(ids(&a, "created:2009"), ["09PARIS200"]);
    assert_eq!(
        ids(&a, "created:2008-06"),
        ["08MOSCOW1500", "08MOSCOW1599", "08PARIS100"]
    );
    assert_eq!(ids(&a, "created:2008-06-05"), ["08MOSCOW1599"]);
    assert_eq!(
        ids(&a, "created:[2008-06-02 TO 2008-06-30]"),
        ["08MOSCOW1599", "08PARIS100"]
    );
    assert_eq!(ids(&a, "created:{2008-06 TO *]"), ["09PARIS200"]);
    assert_eq!(ids(&a, "created:*"), ids(&a, "*"));
}

#[test]
fn ids_and_citations() {
    let (_d, a) = archive();
    for q in [
        "id:08MOSCOW1599",
        "id:08 MOSCOW 01599",
        "id:\"MOSCOW 1599\"",
        "id:2008MOSCOW1599",
    ] {
        assert_eq!(ids(&a, q), ["08MOSCOW1599"], "{q}");
    }
    assert_eq!(ids(&a, "id:09MOSCOW1599"), Vec::<String>::new());
    assert_eq!(ids(&a, "cites:08MOSCOW1500"), ["08MOSCOW1599"]);
    assert_eq!(ids(&a, "cites:\"MOSCOW 1500\""), ["08MOSCOW1599"]);
    assert_eq!(ids(&a, "cited_by:08MOSCOW1599"), ["08MOSCOW1500"]);
    assert_eq!(ids(&a, "cited-by:\"MOSCOW 1599\""), ["08MOSCOW1500"]);
    assert_eq!(ids(&a, "cited_by:*"), ["08MOSCOW1500"]);
    assert_eq!(ids(&a, "cites:*"), ["08MOSCOW1599", "09PARIS200"]);
}

#[test]
fn clearance_restricts_terms() {
    let (_d, a) = archive();
    let s_nf = Clearance::parse("S", &["NOFORN"]).expect("clearance");
    let s = Clearance::parse("S", &[]).expect("clearance");
    let u = Clearance::parse("U", &[]).expect("clearance");
    assert_eq!(ids_as(&a, "canarysecret", s_nf), ["08MOSCOW1599"]);
    // The NOFORN cable is invisible without the caveat.
    assert!(ids_as(&a, "canarysecret", s).is_empty());
    assert!(ids_as(&a, "zebra", u.clone()).is_empty());
    assert_eq!(ids_as(&a, "nuclear", u), ["08PARIS100", "09PARIS200"]);
}

#[test]
fn cursor_pages_without_gaps_or_repeats() {
    let (_d, a) = archive();
    for sort in [Sort::Relevance, Sort::Date, Sort::DateDesc] {
        for q in ["*", "program OR zebra"] {
            let mut seen = Vec::new();
            let mut cursor = None;
            let mut pages = 0;
            loop {
                let r = a
                    .search_str(
                        q,
                        &SearchOptions {
                            limit: 1,
                            sort,
                            cursor: cursor.clone(),
                            ..SearchOptions::new(crate::gating::Scope::unrestricted())
                        },
                    )
                    .expect("search");
                seen.extend(r.hits.iter().map(|h| h.id.clone()));
                pages += 1;
                assert!(pages < 10);
                match r.next_cursor {
                    Some(c) => cursor = Some(c),
                    None => break,
                }
            }
            let total = a
                .search_str(q, &SearchOptions::new(crate::gating::Scope::unrestricted()))
                .expect("search")
                .total;
            let set: BTreeSet<&String> = seen.iter().collect();
            assert_eq!(set.len(), seen.len(), "{sort:?} {q}: {seen:?}");
            assert_eq!(seen.len() as u64, total, "{sort:?} {q}");
        }
    }
    // Date order.
    let r = a
        .search_str(
            "*",
            &SearchOptions {
                sort: Sort::DateDesc,
                ..SearchOptions::new(crate::gating::Scope::unrestricted())
            },
        )
        .expect("search");
    let got: Vec<&str> = r.hits.iter().map(|h| h.id.as_str()).collect();
    assert_eq!(
        got,
        ["09PARIS200", "08PARIS100", "08MOSCOW1599", "08MOSCOW1500"]
    );
}

#[test]
fn errors_are_typed() {
    let (_d, a) = archive();
    match a.search_str(
        "subject:(iran",
        &SearchOptions::new(crate::gating::Scope::unrestricted()),
    ) {
        Err(Error::Query(e)) => assert_eq!(e.position, 8),
        other => panic!("{other:?}"),
    }
    let bad = SearchOptions {
        cursor: Some("zz".into()),
        ..SearchOptions::new(crate::gating::Scope::unrestricted())
    };
    assert!(matches!(a.search_str("*", &bad), Err(Error::Cursor(_))));
    // A cursor from another sort is refused.
    let r = a
        .search_str(
            "*",
            &SearchOptions {
                limit: 1,
                ..SearchOptions::new(crate::gating::Scope::unrestricted())
            },
        )
        .expect("search");
    let other = SearchOptions {
        cursor: r.next_cursor,
        sort: Sort::Date,
        ..SearchOptions::new(crate::gating::Scope::unrestricted())
    };
    assert!(matches!(a.search_str("*", &other), Err(Error::Cursor(_))));
}

#[test]
fn facets_snippets_and_header_fields() {
    let (_d, a) = archive();
    let r = a
        .search_str(
            "program OR delegation",
            &SearchOptions {
                facets: FacetSet::ALL,
                snippets: true,
                ..SearchOptions::new(crate::gating::Scope::unrestricted())
            },
        )
        .expect("search");
    assert_eq!(r.total, 3);
    let origin = &r.facets["origin"];
    assert!(origin.contains(&("PARIS".to_string(), 2)), "{origin:?}");
    assert_eq!(
        r.facets["year"],
        [("2008".to_string(), 2), ("2009".to_string(), 1)]
    );
    assert!(r.facets["month"]
        .iter()
        .any(|(k, n)| k == "2008-06" && *n == 2));
    let hit = r.hits.iter().find(|h| h.id == "09PARIS200").expect("hit");
    assert!(
        hit.snippet
            .as_deref()
            .unwrap_or("")
            .contains("<b>program</b>"),
        "{hit:?}"
    );
    assert_eq!(hit.origin.as_deref(), Some("PARIS"));
    assert_eq!(hit.tags, ["ECON", "FR"]);
    assert!(hit.score > 0.0);
}

#[test]
fn facets_are_the_same_on_every_page_and_follow_new_cables() {
    let (d, mut a) = archive();
    let opts = |cursor: Option<String>| SearchOptions {
        limit: 1,
        cursor,
        facets: FacetSet::of(&[crate::Facet::Origin, crate::Facet::Year]),
        ..SearchOptions::new(crate::gating::Scope::unrestricted())
    };
    let first = a.search_str("*", &opts(None)).expect("search");
    let second = a
        .search_str("*", &opts(first.next_cursor.clone()))
        .expect("search");
    assert_eq!(first.facets, second.facets);
    assert_ne!(first.hits, second.hits);
    let paris = |r: &SearchResults| {
        r.facets["origin"]
            .iter()
            .find(|(k, _)| k == "PARIS")
            .map(|(_, n)| *n)
    };
    assert_eq!(paris(&first), Some(2));
    // A new cable from Paris: the counts of the same query follow the new commit.
    let more = d.path().join("more");
    std::fs::create_dir_all(&more).expect("mkdir");
    let extra = Telegram::new("PARIS", 300)
        .dtg("101200Z MAR 09")
        .subject("(U) ANOTHER NOTE")
        .para("U", "Another note from Paris.");
    std::fs::write(more.join("extra.txt"), extra.text()).expect("write");
    a.ingest(&[more], &IngestOptions::default(), &mut |_| {})
        .expect("ingest");
    let after = a.search_str("*", &opts(None)).expect("search");
    assert_eq!(paris(&after), Some(3), "{:?}", after.facets);
    assert_eq!(after.total, first.total + 1);
}

#[test]
fn score_keys_round_trip() {
    for s in [0.0f32, 0.5, 1.0, 3.25, 1e-8, 1e8] {
        assert_eq!(key_score(score_key(s)), s);
    }
    assert!(score_key(2.0) < score_key(1.0));
}

#[test]
fn random_trees_and_strings_never_fail_or_panic() {
    use proptest::test_runner::{Config, TestCaseError, TestRunner};
    let (_d, a) = archive();
    let opts = SearchOptions {
        facets: FacetSet::ALL,
        snippets: true,
        ..SearchOptions::new(crate::gating::Scope::unrestricted())
    };
    let u = SearchOptions {
        scope: crate::gating::Scope {
            clearance: Clearance::parse("U", &[]).expect("clearance"),
            ..crate::gating::Scope::unrestricted()
        },
        ..opts.clone()
    };
    let mut runner = TestRunner::new(Config {
        cases: 200,
        ..Config::default()
    });
    runner
        .run(&crate::query::proptests::query(), |q| {
            for o in [&opts, &u] {
                a.search_query(&q, o)
                    .map_err(|e| TestCaseError::fail(format!("{q}: {e}")))?;
            }
            Ok(())
        })
        .expect("every parsed tree runs");
    runner
        .run(&crate::query::proptests::fragment_soup(), |s| {
            match a.search_str(&s, &opts) {
                Ok(_) | Err(Error::Query(_)) => Ok(()),
                Err(e) => Err(TestCaseError::fail(format!("{s}: {e}"))),
            }
        })
        .expect("strings parse or fail with a syntax error");
}

#[test]
fn cursor_paging_across_segments_with_ties() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut a = Archive::open(dir.path().join("arch")).expect("open");
    // Twelve cables in three commits (three segments), many with the same date.
    for batch in 0..3u32 {
        let input = dir.path().join(format!("in{batch}"));
        std::fs::create_dir_all(&input).expect("mkdir");
        for i in 0..4u32 {
            let serial = 100 + (i * 3 + batch) * 7 % 12;
            let dtg = if i % 2 == 0 {
                "051119Z JUN 08"
            } else {
                "061119Z JUN 08"
            };
            let c = Telegram::new(if batch == 1 { "PARIS" } else { "ROME" }, serial)
                .dtg(dtg)
                .tags("PREL")
                .subject("(U) SAME")
                .para("U", "Identical words in every cable.")
                .signature("X");
            std::fs::write(input.join(format!("c{i}.txt")), c.text()).expect("write");
        }
        let opts = IngestOptions {
            compact: false,
            ..IngestOptions::default()
        };
        a.ingest(&[input], &opts, &mut |_| {}).expect("ingest");
    }
    let segments = a.index().searcher().segment_readers().len();
    assert!(segments > 1, "{segments} segment(s)");
    for sort in [Sort::Relevance, Sort::Date, Sort::DateDesc] {
        for q in ["*", "identical", "tag:PREL"] {
            let whole = a
                .search_str(
                    q,
                    &SearchOptions {
                        limit: 100,
                        sort,
                        ..SearchOptions::new(crate::gating::Scope::unrestricted())
                    },
                )
                .expect("search");
            assert_eq!(whole.total, 12);
            let expected: Vec<String> = whole.hits.iter().map(|h| h.id.clone()).collect();
            for limit in 1..=5 {
                let mut got = Vec::new();
                let mut cursor = None;
                loop {
                    let r = a
                        .search_str(
                            q,
                            &SearchOptions {
                                limit,
                                sort,
                                cursor: cursor.take(),
                                ..SearchOptions::new(crate::gating::Scope::unrestricted())
                            },
                        )
                        .expect("page");
                    got.extend(r.hits.iter().map(|h| h.id.clone()));
                    match r.next_cursor {
                        Some(c) => cursor = Some(c),
                        None => break,
                    }
                    assert!(got.len() <= 12, "{sort:?} {q} {limit}: {got:?}");
                }
                assert_eq!(got, expected, "{sort:?} {q} limit {limit}");
            }
        }
    }
}
