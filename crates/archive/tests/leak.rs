//! The clearance model from the attacker's side: canary words planted in portions
//! of every marking, in a SUBJECT (S) line, a SECRET cable's REF list and
//! classified-by line, an unmarked paragraph, NODIS and EXDIS cables; then every
//! reader looks for every canary through every door the library offers — word,
//! phrase, prefix, fuzzy, range and fielded queries, totals, facets, the month
//! histogram, snippets, records, export, the reference walk, the citation graph,
//! statistics, id resolution and ranking scores. A canary must be found exactly
//! when the reader may read it, and be absent and uncounted otherwise.

mod leak_common;

use std::collections::BTreeSet;

use cablescope_archive::access::{withheld_list, Resolved};
use cablescope_archive::query;
use cablescope_archive::{Access, Archive, Clearance, DeclassPolicy, Direction, SearchOptions};
use leak_common::{archive, readers, visible_cables, CANARIES};

fn access(c: &Clearance) -> Access {
    Access::new(
        c.clone(),
        "2020-01-01".parse().unwrap(),
        DeclassPolicy::default(),
    )
}

fn opts(c: &Clearance) -> SearchOptions {
    SearchOptions {
        limit: 100,
        facets: true,
        snippets: true,
        ..access(c).search_options()
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
fn fixtures_parse_as_intended() {
    let tmp = tempfile::tempdir().unwrap();
    let a = archive(tmp.path());
    let m = a.cable("08MOSCOW20").unwrap().unwrap();
    assert_eq!(m.classification.as_deref(), Some("SECRET"));
    assert_eq!(m.subject_marking.as_deref(), Some("S"));
    assert_eq!(m.paragraphs.len(), 5);
    assert_eq!(m.paragraphs[4].marking, None);
    assert_eq!(m.references[0].id.as_deref(), Some("08MOSCOW30"));
    assert_eq!(m.classified_by, ["John Zqclassby"]);
    let l = a.cable("08LONDON80").unwrap().unwrap();
    assert_eq!(l.classification.as_deref(), Some("TOP SECRET"));
    assert_eq!(l.paragraphs[1].marking.as_deref(), Some("TS"));
    let n = a.cable("08STATE40").unwrap().unwrap();
    assert!(n.captions.contains(&"NODIS".to_string()));
    // The library's own judgement agrees with the test's oracle.
    for (name, c) in readers() {
        let acc = access(&c);
        let mut seen: Vec<&str> = leak_common::cables()
            .iter()
            .filter(|(id, _)| acc.judge(&a.cable(id).unwrap().unwrap()).visible)
            .map(|(id, _)| *id)
            .collect();
        seen.sort();
        assert_eq!(seen, visible_cables(&c), "{name}");
    }
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
        let want: Vec<&str> = if s { vec!["08MOSCOW20"] } else { vec![] };
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
        assert_eq!(get("marking:S/NF"), ["08MOSCOW20"], "{name}");
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
        let s = a.stats_for(10, &access(&c).scope()).unwrap();
        assert_eq!(s.cables, want.len() as u64, "{name}");
        let levels: u64 = s.by_level.iter().map(|x| x.1).sum();
        assert_eq!(levels, want.len() as u64, "{name}");
        let by_year: Vec<(String, u64)> = vec![("2008".into(), want.len() as u64)];
        assert_eq!(s.by_year, by_year, "{name}");
    }
    // For a reader cleared for everything, stats_for is stats.
    assert_eq!(
        a.stats_for(10, &access(&Clearance::all()).scope()).unwrap(),
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

#[test]
fn records_and_exports_are_redacted_and_invisible_is_unknown() {
    let tmp = tempfile::tempdir().unwrap();
    let a = archive(tmp.path());
    for (name, c) in readers() {
        let acc = access(&c);
        let visible = visible_cables(&c);
        for (id, _) in &leak_common::cables() {
            let rec = a.cable_for(id, &acc).unwrap();
            assert_eq!(rec.is_some(), visible.contains(id), "{name} {id}");
            let Some(rec) = rec else {
                // Exactly like an id the archive does not hold.
                assert_eq!(a.cable_for("08STATE99", &acc).unwrap(), None);
                continue;
            };
            let json = serde_json::to_string(&rec).unwrap().to_lowercase();
            for k in CANARIES.iter().filter(|k| k.cable == *id) {
                assert_eq!(
                    json.contains(k.word),
                    k.readable_by(&c),
                    "{name} {id} {}: {json}",
                    k.word
                );
            }
            // Withheld paragraphs keep their number and marking.
            let full = a.cable(id).unwrap().unwrap();
            assert_eq!(rec.paragraphs.len(), full.paragraphs.len());
            for (p, f) in rec.paragraphs.iter().zip(&full.paragraphs) {
                assert_eq!((p.number, &p.marking), (f.number, &f.marking));
                assert_eq!(p.withheld, p.text.is_empty() && !f.text.is_empty());
            }
        }
        // The export writes the same redacted records, for the same cables.
        let mut out = Vec::new();
        let n = a
            .export_for::<cablescope_archive::Error>(
                &query::parse("*").unwrap(),
                cablescope_archive::Sort::Date,
                &acc,
                &mut |c| {
                    out.push(c);
                    Ok(())
                },
            )
            .unwrap();
        assert_eq!(n as usize, visible.len(), "{name}");
        let mut got: Vec<String> = out.iter().map(|c| c.id.clone().unwrap()).collect();
        got.sort();
        assert_eq!(got, visible, "{name}");
        for rec in &out {
            assert_eq!(
                Some(rec),
                a.cable_for(rec.id.as_deref().unwrap(), &acc)
                    .unwrap()
                    .as_ref()
            );
        }
    }
    // What was withheld, for the audit log.
    let c = Clearance::parse("C", &[]).unwrap();
    let rec = a.cable_for("08MOSCOW20", &access(&c)).unwrap().unwrap();
    assert_eq!(
        withheld_list(&rec),
        [
            "08MOSCOW20 subject",
            "08MOSCOW20 references",
            "08MOSCOW20 classified_by",
            "08MOSCOW20 reasons",
            "08MOSCOW20 ¶3 (S)",
            "08MOSCOW20 ¶4 (S/NF)",
            "08MOSCOW20 ¶5",
        ]
    );
    // The summary is drawn from the (U) paragraph alone: a U reader keeps it.
    let u = Clearance::parse("U", &[]).unwrap();
    let rec = a.cable_for("08MOSCOW20", &access(&u)).unwrap().unwrap();
    assert_eq!(
        rec.summary.as_deref(),
        Some("The zqmixopen delegation arrived.")
    );
}

#[test]
fn ids_of_invisible_cables_resolve_like_unknown_ones() {
    let tmp = tempfile::tempdir().unwrap();
    let a = archive(tmp.path());
    let s = access(&Clearance::parse("S", &["NOFORN"]).unwrap());
    let all = access(&Clearance::all());
    assert_eq!(
        a.resolve_id_for("STATE 40", &all).unwrap(),
        Resolved::Id("08STATE40".into())
    );
    assert_eq!(
        a.resolve_id_for("STATE 40", &s).unwrap(),
        Resolved::Id("STATE40".into())
    );
    assert_eq!(
        a.resolve_id_for("STATE 99", &s).unwrap(),
        Resolved::Id("STATE99".into())
    );
    let o = opts(&s.clearance);
    for q in ["id:08STATE40", "id:\"STATE 40\"", "id:08STATE99"] {
        assert_eq!(a.search_str(q, &o).unwrap().total, 0, "{q}");
    }
}

#[test]
fn walks_and_graphs_hold_only_what_the_reader_may_see() {
    let tmp = tempfile::tempdir().unwrap();
    let a = archive(tmp.path());
    for (name, c) in readers() {
        let acc = access(&c);
        let s = c.rank >= 3;
        let nodis = c.controls.contains(&cablescope_archive::Control::Nodis);
        // An invisible start is not found, like an unknown one.
        assert_eq!(
            a.refs_for("08STATE40", Direction::Both, 2, &acc)
                .unwrap()
                .is_some(),
            nodis,
            "{name}"
        );
        assert!(a
            .refs_for("08STATE99", Direction::Both, 2, &acc)
            .unwrap()
            .is_none());
        // A cited cable the reader may not see is listed like a missing one.
        let w = a
            .refs_for("08PARIS70", Direction::Cites, 1, &acc)
            .unwrap()
            .unwrap();
        let missing = w.missing();
        assert_eq!(missing.contains(&"08STATE40"), !nodis, "{name}");
        assert!(missing.contains(&"08STATE99"));
        let n40 = w.nodes.iter().find(|n| n.id == "08STATE40").unwrap();
        let n99 = w.nodes.iter().find(|n| n.id == "08STATE99").unwrap();
        assert_eq!((n40.depth, n40.present), (n99.depth, n99.present || nodis));
        // Edges out of the SECRET cable's REF list exist only for S readers.
        let w = a
            .refs_for("08MOSCOW20", Direction::Cites, 2, &acc)
            .unwrap()
            .unwrap();
        assert_eq!(w.edges.len(), usize::from(s), "{name}");
        if c.rank >= 2 {
            let back = a
                .refs_for("08MOSCOW30", Direction::CitedBy, 2, &acc)
                .unwrap()
                .unwrap();
            assert_eq!(back.nodes.len(), 1 + usize::from(s), "{name}");
        } else {
            assert!(a
                .refs_for("08MOSCOW30", Direction::Both, 1, &acc)
                .unwrap()
                .is_none());
        }
        // The graph of every cable.
        let g = a
            .graph_for(&query::parse("*").unwrap(), &acc.scope())
            .unwrap();
        let matched: Vec<&str> = g
            .nodes
            .iter()
            .filter(|n| n.matched)
            .map(|n| n.id.as_str())
            .collect();
        assert_eq!(matched, visible_cables(&c), "{name}");
        let edges: BTreeSet<(String, String)> = g
            .edges
            .iter()
            .map(|e| (e.from.clone(), e.to.clone()))
            .collect();
        let mut want: BTreeSet<(String, String)> = BTreeSet::new();
        want.insert(("08PARIS70".into(), "08STATE40".into()));
        want.insert(("08PARIS70".into(), "08STATE99".into()));
        if s {
            want.insert(("08MOSCOW20".into(), "08MOSCOW30".into()));
        }
        assert_eq!(edges, want, "{name}");
        let n40 = g.nodes.iter().find(|n| n.id == "08STATE40").unwrap();
        assert_eq!(n40.present, nodis, "{name}");
        let sec = g.nodes.iter().find(|n| n.id == "08MOSCOW20").unwrap();
        assert_eq!(sec.subject.is_some(), s, "{name}");
        // Most-cited missing: what the reader may not see, over readable REF lists.
        let st = a.stats_for(10, &acc.scope()).unwrap();
        let missing: Vec<&str> = st.most_cited_missing.iter().map(|x| x.0.as_str()).collect();
        assert!(missing.contains(&"08STATE99"), "{name}");
        assert_eq!(missing.contains(&"08STATE40"), !nodis, "{name}");
        assert!(!missing.contains(&"08MOSCOW30"), "{name}: {missing:?}");
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
    use leak_common::{archive_of, cables, tg};
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
