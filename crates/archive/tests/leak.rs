//! The index-side clearance rule from the attacker's side: canary words planted in
//! portions of every marking, in a SUBJECT (S) line, a SECRET cable's REF list and
//! classified-by line, an unmarked paragraph, NODIS and EXDIS cables; then every
//! reader looks for every canary through every door of the index — word, phrase,
//! prefix, fuzzy, range and fielded queries, totals, facets, the month histogram,
//! snippets, statistics and ranking scores. A canary must be found exactly when the
//! reader may read it, and be absent and uncounted otherwise. (Records, exports,
//! walks, graphs and id resolution, the record-side doors, are tested through the
//! read path in `crates/access/tests/leak_session.rs`.)

mod leak_build;
mod leak_common;

use cablescope_archive::FacetSet;
use std::collections::{BTreeMap, BTreeSet};

use cablescope_archive::{Archive, Clearance, DeclassPolicy, Scope, SearchOptions};
use leak_build::archive;
use leak_common::{readers, visible_cables, CANARIES};

fn scope(c: &Clearance) -> Scope {
    Scope::new(
        c.clone(),
        "2020-01-01".parse().unwrap(),
        DeclassPolicy::default(),
    )
}

fn opts(c: &Clearance) -> SearchOptions {
    SearchOptions {
        limit: 100,
        facets: FacetSet::ALL,
        snippets: true,
        ..SearchOptions::new(scope(c))
    }
}

fn ids(r: &cablescope_archive::SearchResults) -> Vec<String> {
    let mut v: Vec<String> = r.hits.iter().map(|h| h.id.clone()).collect();
    v.sort();
    v
}

/// The query forms of a canary: word, phrase, prefix, fuzzy, range.
fn forms(word: &str, phrase: &str, field: &str) -> Vec<String> {
    let others: Vec<&str> = CANARIES
        .iter()
        .map(|c| c.word)
        .filter(|w| *w != word)
        .collect();
    let prefix = &word[..word.len() - 2];
    assert!(
        others.iter().all(|o| !o.starts_with(prefix)),
        "prefix {prefix} is not unique"
    );
    let mut typo = word.to_string();
    typo.pop();
    typo.push('#');
    let typo = typo.replace('#', "x");
    let f = if field.is_empty() {
        String::new()
    } else {
        format!("{field}:")
    };
    let mut v = vec![
        format!("{f}{word}"),
        format!("{f}\"{phrase}\""),
        format!("{f}{prefix}*"),
        format!("{f}{typo}~1"),
        format!("{f}{word} OR zqnothinghere"),
        format!("NOT zqnothinghere AND {f}{word}"),
        format!("({f}{word} OR {f}{prefix}*) -zqnothinghere"),
    ];
    // Term ranges need a field (the language has no unfielded range).
    if !field.is_empty() {
        v.push(format!("{f}[{word} TO {word}]"));
        v.push(format!("{f}{{{prefix} TO {word}]"));
    }
    v
}

#[test]
fn every_canary_through_every_query_form() {
    let tmp = tempfile::tempdir().unwrap();
    let a = archive(tmp.path());
    for (name, c) in readers() {
        let o = opts(&c);
        for k in CANARIES {
            let mut field_forms = Vec::new();
            match k.field {
                "" => field_forms.push(""),
                "subject" => field_forms.extend(["", "subject"]),
                f => field_forms.push(f),
            }
            for field in field_forms {
                for q in forms(k.word, k.phrase, field) {
                    let r = a.search_str(&q, &o).unwrap_or_else(|e| panic!("{q}: {e}"));
                    let expect: Vec<String> = if k.readable_by(&c) {
                        vec![k.cable.to_string()]
                    } else {
                        vec![]
                    };
                    assert_eq!(ids(&r), expect, "{name} searching {q}");
                    assert_eq!(r.total, expect.len() as u64, "{name} {q}: total");
                    for (facet, buckets) in &r.facets {
                        let n: u64 = buckets.iter().map(|b| b.1).sum();
                        if facet == "tag" || facet == "caption" {
                            continue; // several values per cable
                        }
                        assert_eq!(n, r.total, "{name} {q}: facet {facet} {buckets:?}");
                    }
                }
            }
        }
    }
}

#[test]
fn header_text_follows_the_overall_classification() {
    let tmp = tempfile::tempdir().unwrap();
    let a = archive(tmp.path());
    for (name, c) in readers() {
        let o = opts(&c);
        let s = c.rank >= 3;
        let get = |q: &str| ids(&a.search_str(q, &o).unwrap());
        // The REF list of the SECRET cable (cites:, cited_by:, exists).
        // And the REF list that only the UNCLAS copy of a SECRET cable carries:
        // read at the merged level.
        let want: Vec<&str> = if s {
            vec!["08MOSCOW20", "08VIENNA92"]
        } else {
            vec![]
        };
        assert_eq!(get("cites:08MOSCOW30"), want, "{name}");
        assert_eq!(get("cites:\"MOSCOW 30\""), want, "{name}");
        let want: Vec<&str> = if s { vec!["08MOSCOW30"] } else { vec![] };
        assert_eq!(get("cited_by:08MOSCOW20"), want, "{name}");
        let cited = get("cited_by:*");
        assert_eq!(cited.contains(&"08MOSCOW30".to_string()), s, "{name}");
        assert_eq!(
            get("cites:*").contains(&"08MOSCOW20".to_string()),
            s,
            "{name}"
        );
        assert_eq!(
            get("classified_by:*").contains(&"08MOSCOW20".to_string()),
            s,
            "{name}"
        );
        assert_eq!(
            get("classified_by:*").contains(&"08VIENNA92".to_string()),
            s,
            "{name}"
        );
        // Subjects follow the most restrictive copy's mark.
        assert_eq!(
            get("subject:*").contains(&"08VIENNA92".to_string()),
            s,
            "{name}"
        );
        assert_eq!(
            get("subject:*").contains(&"08DUBLIN93".to_string()),
            c.rank >= 2,
            "{name}"
        );
        // The subject line follows its own (S) mark.
        assert_eq!(
            get("subject:*").contains(&"08MOSCOW20".to_string()),
            s,
            "{name}"
        );
        // A U reader who finds the cable by its (U) paragraph gets no subject.
        let r = a.search_str("zqmixopen", &o).unwrap();
        assert_eq!(r.hits[0].subject.is_some(), s, "{name}");
        // The envelope is shown to whoever sees the cable.
        assert_eq!(r.hits[0].classification.as_deref(), Some("SECRET"));
        assert_eq!(r.hits[0].origin.as_deref(), Some("MOSCOW"));
        // marking: is envelope too (placeholders show withheld paragraphs' marks).
        // Every cable holding a paragraph marked S with NOFORN: (S/NF), (S-NF),
        // (S//NF//REL), (S/REL/NF).
        assert_eq!(
            get("marking:S/NF"),
            ["08CAIRO91", "08MOSCOW20", "09OSLO94"],
            "{name}"
        );
    }
}

#[test]
fn totals_facets_and_the_month_histogram_count_only_visible_cables() {
    let tmp = tempfile::tempdir().unwrap();
    let a = archive(tmp.path());
    for (name, c) in readers() {
        let want = visible_cables(&c);
        let r = a.search_str("*", &opts(&c)).unwrap();
        assert_eq!(ids(&r), want, "{name}");
        assert_eq!(r.total, want.len() as u64, "{name}");
        let months: BTreeSet<String> = r.facets["month"].iter().map(|b| b.0.clone()).collect();
        let want_months: BTreeSet<String> = want
            .iter()
            .map(|id| {
                let created = a.cable(id).unwrap().unwrap().created.unwrap();
                created[..7].to_string()
            })
            .collect();
        assert_eq!(months, want_months, "{name}");
        assert!(r.facets["month"].iter().all(|b| b.1 == 1), "{name}");
        let origins: u64 = r.facets["origin"].iter().map(|b| b.1).sum();
        assert_eq!(origins, want.len() as u64, "{name}");
        let state = r.facets["origin"].iter().find(|b| b.0 == "STATE");
        let want_state = want.iter().filter(|i| i.contains("STATE")).count() as u64;
        assert_eq!(state.map(|b| b.1).unwrap_or(0), want_state, "{name}");
        let captions: Vec<&str> = r.facets["caption"].iter().map(|b| b.0.as_str()).collect();
        assert_eq!(
            captions.contains(&"NODIS"),
            c.controls.contains(&cablescope_archive::Control::Nodis),
            "{name}"
        );
        // Stats count the same cables, from the same index.
        let s = a.stats_for(10, &scope(&c)).unwrap();
        assert_eq!(s.cables, want.len() as u64, "{name}");
        let levels: u64 = s.by_level.iter().map(|x| x.1).sum();
        assert_eq!(levels, want.len() as u64, "{name}");
        let mut by_year: BTreeMap<String, u64> = BTreeMap::new();
        for id in &want {
            let created = a.cable(id).unwrap().unwrap().created.unwrap();
            *by_year.entry(created[..4].to_string()).or_default() += 1;
        }
        let by_year: Vec<(String, u64)> = by_year.into_iter().collect();
        assert_eq!(s.by_year, by_year, "{name}");
    }
    // For a reader cleared for everything, stats_for is stats.
    assert_eq!(
        a.stats_for(10, &scope(&Clearance::all())).unwrap(),
        a.stats(10).unwrap()
    );
}

#[test]
fn snippets_show_only_readable_text() {
    let tmp = tempfile::tempdir().unwrap();
    let a = archive(tmp.path());
    let every: Vec<&str> = CANARIES.iter().map(|k| k.word).collect();
    let q = every.join(" OR ");
    for (name, c) in readers() {
        let r = a.search_str(&q, &opts(&c)).unwrap();
        for h in &r.hits {
            let text = format!(
                "{} {}",
                h.snippet.clone().unwrap_or_default(),
                h.subject.clone().unwrap_or_default()
            )
            .to_lowercase();
            for k in CANARIES {
                if !k.readable_by(&c) {
                    assert!(!text.contains(k.word), "{name} sees {} in {text}", k.word);
                }
            }
        }
        // Each hit's snippet highlights a canary the reader may read.
        for h in &r.hits {
            let s = h.snippet.clone().unwrap_or_default();
            assert!(s.contains("<b>zq"), "{name} {}: {s}", h.id);
        }
    }
}

/// Scores of one query for one reader, by id.
fn scores(a: &Archive, q: &str, c: &Clearance) -> Vec<(String, f32)> {
    let r = a.search_str(q, &opts(c)).unwrap();
    let mut v: Vec<(String, f32)> = r.hits.iter().map(|h| (h.id.clone(), h.score)).collect();
    v.sort_by(|x, y| x.0.cmp(&y.0));
    v
}

#[test]
fn ranking_uses_only_statistics_of_readable_text() {
    use leak_build::archive_of;
    use leak_common::{cables, tg};
    // The same cables, then with withheld text about the query added: S-only
    // paragraphs in visible cables, and whole cables the reader may not see.
    let extra = [(
        "08STATE41",
        tg("STATE", 41, "091119Z MAY 08")
            .class("SECRET")
            .captions(&["NODIS"])
            .eo("DECL: 05/09/2033")
            .subject("(U) ZQCOMMON ZQCOMMON")
            .para("U", "zqcommon zqcommon zqcommon trade trade."),
    )];
    let t1 = tempfile::tempdir().unwrap();
    let plain = archive_of(t1.path(), cables().iter().map(|(id, t)| (*id, t.text())));
    let t2 = tempfile::tempdir().unwrap();
    let more = archive_of(
        t2.path(),
        cables().into_iter().chain(extra).map(|(id, t)| {
            let t = if id == "08PARIS70" || id == "08LONDON80" {
                // A secret paragraph full of the query word.
                t.para("S", "zqcommon trade zqcommon trade zqcommon.")
            } else {
                t
            };
            (id, t.text())
        }),
    );
    let u = Clearance::parse("U", &[]).unwrap();
    for q in [
        "zqcommon",
        "zqcommon trade",
        "\"zqcommon trade\"",
        "trade OR zqcite",
    ] {
        let before = scores(&plain, q, &u);
        let after = scores(&more, q, &u);
        assert!(!before.is_empty(), "{q}");
        assert_eq!(before, after, "{q}: a U reader's scores moved");
    }
    // The test can fail: a reader cleared for everything does see the change.
    let all = Clearance::all();
    assert_ne!(
        scores(&plain, "zqcommon", &all),
        scores(&more, "zqcommon", &all)
    );
}

/// What a reader finds of `words` in `a`, and reads of cable `id`.
fn found(a: &Archive, c: &Clearance, words: &[&str], id: &str) -> (Vec<String>, String) {
    let o = opts(c);
    let mut hits = Vec::new();
    for w in words {
        hits.extend(
            ids(&a.search_str(w, &o).unwrap())
                .into_iter()
                .map(|i| format!("{w}:{i}")),
        );
    }
    let rec = a.cable(id).unwrap().unwrap();
    (hits, rec.classification.unwrap_or_default())
}

#[test]
fn copies_ingested_one_at_a_time_in_either_order_merge_to_the_most_restrictive() {
    use cablescope_archive::IngestOptions;
    use leak_common::{cables, extra_copies};
    let low_high = |id: &str| {
        let (file, low) = extra_copies()
            .into_iter()
            .find(|(f, _)| f.starts_with(id))
            .unwrap();
        let (_, main) = cables().into_iter().find(|(i, _)| *i == id).unwrap();
        (file, low, main)
    };
    let u = Clearance::parse("U", &[]).unwrap();
    let c = Clearance::parse("C", &[]).unwrap();
    let s = Clearance::parse("S", &[]).unwrap();
    // 08VIENNA92: the extra copy is the UNCLAS one; 08DUBLIN93: the CONFIDENTIAL one.
    for (id, withheld, reader_below, reader_at, level) in [
        ("08VIENNA92", "zqcopysecret", &u, &s, "SECRET"),
        ("08DUBLIN93", "zqdubconf", &u, &c, "CONFIDENTIAL"),
    ] {
        let (file, extra, main) = low_high(id);
        for extra_first in [true, false] {
            let tmp = tempfile::tempdir().unwrap();
            let mut a = leak_build::backend::open(tmp.path().join("archive"));
            let runs = if extra_first {
                [
                    (file.to_string(), extra.text()),
                    (format!("{id}.txt"), main.text()),
                ]
            } else {
                [
                    (format!("{id}.txt"), main.text()),
                    (file.to_string(), extra.text()),
                ]
            };
            for (n, (name, text)) in runs.iter().enumerate() {
                let dir = tmp.path().join(format!("run{n}"));
                cablescope_testkit::write(&dir, name, text);
                a.ingest(&[dir], &IngestOptions::default(), &mut |_| {})
                    .unwrap();
                // Searched between runs, so the low reader's gates are cached for
                // the first copy's segment: the cache must follow the merge.
                found(&a, reader_below, &[withheld, "the"], id);
            }
            let what = format!("{id}, extra copy first: {extra_first}");
            assert_eq!(a.cable(id).unwrap().unwrap().sources.len(), 2, "{what}");
            let (hits, class) = found(&a, reader_below, &[withheld], id);
            assert_eq!(class, level, "{what}");
            assert!(hits.is_empty(), "{what}: {hits:?}");
            let (hits, _) = found(&a, reader_at, &[withheld], id);
            assert_eq!(hits, [format!("{withheld}:{id}")], "{what}");
        }
    }
}
