//! The record-level rule (redaction) and the index-level rule (search gating) agree,
//! through the read path every front end uses (`Session`):
//! on random records — random classifications (or none), captions, subjects and
//! one to six paragraphs with compound, level-less and unreadable portion marks,
//! each portion holding a canary word of its own — and random readers, a search
//! for a canary finds the cable exactly when the reader's redacted record shows
//! the portion holding it, and a cable is listed exactly when the reader gets a
//! record of it. Each case draws eight readers from forty-one (every level with
//! eight control sets, and everything).

use cablescope_access::query::parse;
use cablescope_access::{Auditor, Clearance, Library, Lookup, Page, Session, Viewer};
use cablescope_archive::store::{SqliteStore, Store, WriteBatch};
use cablescope_format::{Cable, Paragraph};
use proptest::prelude::*;

/// Portion marks as the stored record holds them (`None`: unmarked).
const MARKS: &[Option<&str>] = &[
    None,
    Some("U"),
    Some("SBU"),
    Some("LOU"),
    Some("C"),
    Some("S"),
    Some("TS"),
    Some("S//NF"),
    Some("S//OC/NF"),
    Some("S//ORCON"),
    Some("C/NF/PROPIN"),
    Some("S//SI//NF"),
    Some("TS//SI/TK//NOFORN"),
    Some("S/REL/NF"),
    Some("NF"),
    Some("SBU NOFORN"),
    Some("S-NF"),
    Some("S//XYZ"),
    Some("U//FOUO"),
];

const CLASSES: &[Option<&str>] = &[
    None,
    Some("UNCLASSIFIED"),
    Some("UNCLASSIFIED//FOR OFFICIAL USE ONLY"),
    Some("LIMITED OFFICIAL USE"),
    Some("CONFIDENTIAL"),
    Some("CONFIDENTIAL//NOFORN"),
    Some("SECRET"),
    Some("SECRET//NOFORN"),
    Some("TOP SECRET"),
];

const CAPTIONS: &[&str] = &["SIPDIS", "NOFORN", "EXDIS", "NODIS"];

/// A record to plant: classification, captions (indexes), subject mark (outer
/// `None`: no subject), paragraph marks.
#[derive(Debug, Clone)]
struct Plan {
    class: Option<&'static str>,
    captions: Vec<&'static str>,
    subject: Option<Option<&'static str>>,
    paragraphs: Vec<Option<&'static str>>,
}

fn plan() -> impl Strategy<Value = Plan> {
    (
        prop::sample::select(CLASSES),
        prop::sample::subsequence(CAPTIONS, 0..=2),
        prop::option::of(prop::sample::select(MARKS)),
        prop::collection::vec(prop::sample::select(MARKS), 1..=6),
    )
        .prop_map(|(class, captions, subject, paragraphs)| Plan {
            class,
            captions,
            subject,
            paragraphs,
        })
}

/// A canary word for record `r`, portion `k` (0 the subject): letters only, so
/// that the tokenizer keeps it whole.
fn canary(r: usize, k: usize) -> String {
    let l = |n: usize| (b'a' + (n % 26) as u8) as char;
    format!("zq{}{}{}canary", l(r), l(r / 26), l(k))
}

fn record(r: usize, p: &Plan) -> Cable {
    Cable {
        id: Some(format!("08AGREE{}", r + 1)),
        created: Some(format!("2008-01-{:02}T10:00:00Z", r % 28 + 1)),
        classification: p.class.map(str::to_string),
        captions: p.captions.iter().map(|c| c.to_string()).collect(),
        subject: p.subject.map(|_| format!("Talks about {}", canary(r, 0))),
        subject_marking: p.subject.flatten().map(str::to_string),
        paragraphs: p
            .paragraphs
            .iter()
            .enumerate()
            .map(|(i, m)| Paragraph {
                number: i as u32 + 1,
                marking: m.map(str::to_string),
                text: format!("The {} paragraph.", canary(r, i + 1)),
                ..Paragraph::default()
            })
            .collect(),
        ..Cable::default()
    }
}

/// Readers: every level with every control set below.
fn readers() -> Vec<Clearance> {
    let sets: &[&[&str]] = &[
        &[],
        &["NOFORN"],
        &["ORCON"],
        &["NOFORN", "ORCON"],
        &["NOFORN", "ORCON", "PROPIN"],
        &["NOFORN", "SI", "TK"],
        &["NOFORN", "EXDIS"],
        &["NOFORN", "EXDIS", "NODIS", "ORCON", "PROPIN", "SI", "TK"],
    ];
    let mut out = Vec::new();
    for level in ["U", "SBU", "C", "S", "TS"] {
        for set in sets {
            out.push(Clearance::parse(level, set).expect("clearance"));
        }
    }
    out.push(Clearance::all());
    out
}

/// The ids a search finds.
fn hits(s: &Session<'_>, q: &str) -> Vec<String> {
    let page = Page {
        limit: 100,
        ..Page::default()
    };
    s.search(q, &parse(q).unwrap(), &page)
        .unwrap()
        .hits
        .into_iter()
        .map(|h| h.id)
        .collect()
}

/// The record a reader reads.
fn read(s: &Session<'_>, id: &str) -> Option<Cable> {
    match s.cable(id).unwrap() {
        Lookup::Found(r) => Some(r.cable),
        _ => None,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn redaction_and_search_gating_agree(
        plans in prop::collection::vec(plan(), 1..=6),
        picked in prop::sample::subsequence((0..readers().len()).collect::<Vec<_>>(), 8),
    ) {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("archive");
        let cables: Vec<Cable> = plans.iter().enumerate().map(|(r, p)| record(r, p)).collect();
        {
            let mut store = SqliteStore::open(&dir).unwrap();
            store
                .write(&WriteBatch {
                    upsert: cables.clone(),
                    ..WriteBatch::default()
                })
                .unwrap();
        }
        drop(cablescope_archive::Archive::open(&dir).unwrap());
        let lib = Library::open_for_reading(&dir).unwrap();
        let auditor = Auditor::new(&dir);
        let all = readers();
        for cl in picked.iter().map(|&i| all[i].clone()) {
            let viewer = Viewer { name: Some("reader".into()), role: None, clearance: cl.clone() };
            let s = lib.session(&viewer, Some("2020-01-01".parse().unwrap()), &auditor).unwrap();
            for (r, c) in cables.iter().enumerate() {
                let id = c.id.clone().unwrap();
                let red = read(&s, &id);
                let portions = c.paragraphs.len() + 1;
                for k in 0..portions {
                    let word = canary(r, k);
                    let shown = match &red {
                        None => false,
                        Some(red) if k == 0 => {
                            red.subject.as_deref().is_some_and(|s| s.contains(&word))
                        }
                        Some(red) => red.paragraphs[k - 1].text.contains(&word),
                    };
                    if k == 0 && c.subject.is_none() {
                        continue;
                    }
                    let mut queries = vec![word.clone()];
                    if k == 0 {
                        queries.push(format!("subject:{word}"));
                    }
                    for q in queries {
                        let found = hits(&s, &q).contains(&id);
                        prop_assert_eq!(
                            found,
                            shown,
                            "reader {} query {} on {:?}",
                            cl.describe(),
                            q,
                            c
                        );
                    }
                }
            }
            // Visibility agrees too: a cable is listed exactly when the reader gets a
            // record of it.
            let listed = hits(&s, "*");
            for c in &cables {
                let id = c.id.clone().unwrap();
                let red = read(&s, &id);
                prop_assert_eq!(listed.contains(&id), red.is_some(), "reader {} visibility of {:?}", cl.describe(), c);
            }
        }
    }
}
