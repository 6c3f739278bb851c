//! The record-side clearance rule from the attacker's side, through the read path
//! every front end uses (`Session`): the canary corpus of
//! `crates/archive/tests/leak_common` read by every reader as records, exports,
//! reference walks, citation graphs, statistics and id resolution. A canary must
//! be shown exactly when the reader may read it; a cable the reader may not see
//! answers exactly like one the archive does not hold.

#[path = "../../archive/tests/leak_build/mod.rs"]
mod leak_build;
#[path = "../../archive/tests/leak_common/mod.rs"]
mod leak_common;

use std::collections::BTreeSet;

use cablescope_access::query::parse;
use cablescope_access::redact::withheld_list;
use cablescope_access::{
    Auditor, Clearance, Direction, Library, Lookup, Page, RefWalk, Resolved, Session, Sort, Viewer,
};
use cablescope_archive::Archive;
use cablescope_format::Cable;
use leak_build::archive;
use leak_common::{readers, visible_cables, CANARIES};

/// The canary archive, and a library and an auditor on it.
fn open(dir: &std::path::Path) -> (Archive, Library, Auditor) {
    let a = archive(dir);
    let at = dir.join("archive");
    let lib = Library::open_for_reading_on(&at, &leak_build::backend::location(&at)).unwrap();
    let auditor = Auditor::new(&dir.join("archive"));
    (a, lib, auditor)
}

/// A session of a reader cleared for `c`, at a fixed date.
fn session<'a>(lib: &'a Library, auditor: &'a Auditor, c: &Clearance) -> Session<'a> {
    let viewer = Viewer {
        name: Some("reader".into()),
        role: None,
        clearance: c.clone(),
    };
    lib.session(&viewer, Some("2020-01-01".parse().unwrap()), auditor)
        .unwrap()
}

fn cable_for(s: &Session<'_>, id: &str) -> Option<Cable> {
    match s.cable(id).unwrap() {
        Lookup::Found(r) => Some(r.cable),
        _ => None,
    }
}

fn refs_for(s: &Session<'_>, id: &str, d: Direction, depth: u32) -> Option<RefWalk> {
    match s.refs(id, d, depth).unwrap() {
        Lookup::Found(w) => Some(w),
        _ => None,
    }
}

fn total(s: &Session<'_>, q: &str) -> u64 {
    s.search(q, &parse(q).unwrap(), &Page::default())
        .unwrap()
        .total
}

#[test]
fn fixtures_parse_as_intended() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, lib, auditor) = open(tmp.path());
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
        let ses = session(&lib, &auditor, &c);
        let mut seen: Vec<&str> = leak_common::cables()
            .iter()
            .filter(|(id, _)| ses.access().judge(&a.cable(id).unwrap().unwrap()).visible)
            .map(|(id, _)| *id)
            .collect();
        seen.sort();
        assert_eq!(seen, visible_cables(&c), "{name}");
    }
}

#[test]
fn records_and_exports_are_redacted_and_invisible_is_unknown() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, lib, auditor) = open(tmp.path());
    for (name, c) in readers() {
        let ses = session(&lib, &auditor, &c);
        let visible = visible_cables(&c);
        for (id, _) in &leak_common::cables() {
            let rec = cable_for(&ses, id);
            assert_eq!(rec.is_some(), visible.contains(id), "{name} {id}");
            let Some(rec) = rec else {
                // Exactly like an id the archive does not hold.
                assert_eq!(cable_for(&ses, "08STATE99"), None);
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
        let n = ses
            .export::<cablescope_access::Error>(
                "*",
                &parse("*").unwrap(),
                Sort::Date,
                &mut |_| Ok(()),
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
                cable_for(&ses, rec.id.as_deref().unwrap()).as_ref()
            );
        }
    }
    // What was withheld, for the audit log.
    let c = Clearance::parse("C", &[]).unwrap();
    let rec = cable_for(&session(&lib, &auditor, &c), "08MOSCOW20").unwrap();
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
    let rec = cable_for(&session(&lib, &auditor, &u), "08MOSCOW20").unwrap();
    assert_eq!(
        rec.summary.as_deref(),
        Some("The zqmixopen delegation arrived.")
    );
}

#[test]
fn ids_of_invisible_cables_resolve_like_unknown_ones() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, lib, auditor) = open(tmp.path());
    let _ = &a;
    let snf = Clearance::parse("S", &["NOFORN"]).unwrap();
    let s = session(&lib, &auditor, &snf);
    let all = session(&lib, &auditor, &Clearance::all());
    assert_eq!(
        all.resolve("STATE 40").unwrap(),
        Resolved::Id("08STATE40".into())
    );
    for written in [
        "STATE 40",
        "08 STATE 40",
        "08STATE40",
        "STATE 99",
        "08STATE99",
    ] {
        assert_eq!(s.resolve(written).unwrap(), Resolved::NotFound, "{written}");
        assert_eq!(s.cable(written).unwrap(), Lookup::NotFound, "{written}");
    }
    for q in ["id:08STATE40", "id:\"STATE 40\"", "id:08STATE99"] {
        assert_eq!(total(&s, q), 0, "{q}");
    }
}

#[test]
fn walks_and_graphs_hold_only_what_the_reader_may_see() {
    let tmp = tempfile::tempdir().unwrap();
    let (_a, lib, auditor) = open(tmp.path());
    for (name, c) in readers() {
        let ses = session(&lib, &auditor, &c);
        let s = c.rank >= 3;
        let nodis = c.controls.contains(&cablescope_access::Control::Nodis);
        // An invisible start is not found, like an unknown one.
        assert_eq!(
            refs_for(&ses, "08STATE40", Direction::Both, 2).is_some(),
            nodis,
            "{name}"
        );
        assert!(refs_for(&ses, "08STATE99", Direction::Both, 2).is_none());
        // A cited cable the reader may not see is listed like a missing one.
        let w = refs_for(&ses, "08PARIS70", Direction::Cites, 1).unwrap();
        let missing = w.missing();
        assert_eq!(missing.contains(&"08STATE40"), !nodis, "{name}");
        assert!(missing.contains(&"08STATE99"));
        let n40 = w.nodes.iter().find(|n| n.id == "08STATE40").unwrap();
        let n99 = w.nodes.iter().find(|n| n.id == "08STATE99").unwrap();
        assert_eq!((n40.depth, n40.present), (n99.depth, n99.present || nodis));
        // Edges out of the SECRET cable's REF list exist only for S readers.
        let w = refs_for(&ses, "08MOSCOW20", Direction::Cites, 2).unwrap();
        assert_eq!(w.edges.len(), usize::from(s), "{name}");
        if c.rank >= 2 {
            let back = refs_for(&ses, "08MOSCOW30", Direction::CitedBy, 2).unwrap();
            // Cited by the SECRET cable, and by the SECRET cable whose UNCLAS
            // copy carries the REF list (read at the merged level, S).
            assert_eq!(back.nodes.len(), 1 + 2 * usize::from(s), "{name}");
        } else {
            assert!(refs_for(&ses, "08MOSCOW30", Direction::Both, 1).is_none());
        }
        // The graph of every cable.
        let g = ses.graph("*", &parse("*").unwrap()).unwrap();
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
            want.insert(("08VIENNA92".into(), "08MOSCOW30".into()));
        }
        assert_eq!(edges, want, "{name}");
        let n40 = g.nodes.iter().find(|n| n.id == "08STATE40").unwrap();
        assert_eq!(n40.present, nodis, "{name}");
        let sec = g.nodes.iter().find(|n| n.id == "08MOSCOW20").unwrap();
        assert_eq!(sec.subject.is_some(), s, "{name}");
        // Most-cited missing: what the reader may not see, over readable REF lists.
        let st = ses.stats(10).unwrap();
        let missing: Vec<&str> = st.most_cited_missing.iter().map(|x| x.0.as_str()).collect();
        assert!(missing.contains(&"08STATE99"), "{name}");
        assert_eq!(missing.contains(&"08STATE40"), !nodis, "{name}");
        assert!(!missing.contains(&"08MOSCOW30"), "{name}: {missing:?}");
    }
}
