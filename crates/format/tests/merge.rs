//! Merging copies from an attacker's side: random copies of one cable (random
//! classifications, none included; captions; subjects, cut ones included;
//! paragraphs with random numbers and marks, compound and unreadable ones
//! included; text shared between copies, renumbered, truncated, glued) and random
//! readers. Adding a copy never makes text readable that was not, the merged
//! markings cover every copy's, and the input order does not matter.
//!
//! Text is built from sentences of 8 to 11 words found nowhere else, so "a reader
//! can read sentence s" is exact: some readable paragraph holds 8 consecutive words
//! of s.

use std::collections::BTreeSet;

use cablescope_format::assemble::{join_sections, merge_copies};
use cablescope_format::marking::{cable_controls, effective_marks, Clearance, Control, Marking};
use cablescope_format::{Cable, Paragraph, Reference, ReferenceKind, Section, Source};
use proptest::prelude::*;

const SENTENCES: usize = 10;

fn sentence_words(i: usize) -> Vec<String> {
    (0..8 + i % 4).map(|j| format!("s{i}w{j}")).collect()
}

fn sentence(i: usize, cut_to: Option<usize>) -> String {
    let w = sentence_words(i);
    let n = cut_to.unwrap_or(w.len()).min(w.len());
    format!("{}.", w[..n].join(" "))
}

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

const MARKS: &[Option<&str>] = &[
    None,
    Some("U"),
    Some("SBU"),
    Some("C"),
    Some("S"),
    Some("TS"),
    Some("S/NF"),
    Some("S//OC/NF"),
    Some("C/REL NATO"),
    Some("S//XYZ"),
    Some("NF"),
    Some("SBU NOFORN"),
    Some("C/NF/PROPIN"),
    Some("TS//SI/TK//NOFORN"),
    Some("S-NF"),
    Some("what?"),
];

const CAPTIONS: &[&str] = &["SIPDIS", "NOFORN", "NODIS", "EXDIS", "SENSITIVE"];

const SUBJECTS: &[&str] = &[
    "ARMY MOVES NORTH",
    "ARMY MOVES...",
    "ARMY MOVES NORTH IN MAY",
];

const FORMATS: &[&str] = &["wikileaks-html-2011", "body-text", "republished-page"];

/// How one copy lays out one paragraph of the cable.
#[derive(Debug, Clone)]
struct ParaPlan {
    keep: bool,
    mark: usize,
    /// Sentences kept (from the start), at least one.
    keep_sentences: usize,
    /// The last kept sentence cut to its first 8 words.
    cut_last: bool,
    /// Glued onto the previous kept paragraph.
    glue: bool,
}

#[derive(Debug, Clone)]
struct CopyPlan {
    class: usize,
    captions: Vec<bool>,
    subject: Option<(usize, usize)>,
    references: bool,
    classified_by: bool,
    /// 0: as numbered, 1: shifted by `shift`, 2: unnumbered, 3: numbers from `shift`
    /// backwards.
    numbering: u8,
    shift: u32,
    paras: Vec<ParaPlan>,
    path: Option<usize>,
    format: usize,
}

fn para_plan() -> impl Strategy<Value = ParaPlan> {
    (
        prop::bool::weighted(0.85),
        0..MARKS.len(),
        1usize..4,
        prop::bool::weighted(0.2),
        prop::bool::weighted(0.15),
    )
        .prop_map(|(keep, mark, keep_sentences, cut_last, glue)| ParaPlan {
            keep,
            mark,
            keep_sentences,
            cut_last,
            glue,
        })
}

fn copy_plan(paras: usize) -> impl Strategy<Value = CopyPlan> {
    (
        0..CLASSES.len(),
        prop::collection::vec(prop::bool::weighted(0.25), CAPTIONS.len()),
        prop::option::of((0..SUBJECTS.len(), 0..MARKS.len())),
        any::<bool>(),
        any::<bool>(),
        0u8..4,
        1u32..4,
        prop::collection::vec(para_plan(), paras),
        prop::option::of(0usize..3),
        0..FORMATS.len(),
    )
        .prop_map(
            |(
                class,
                captions,
                subject,
                references,
                classified_by,
                numbering,
                shift,
                paras,
                path,
                format,
            )| {
                CopyPlan {
                    class,
                    captions,
                    subject,
                    references,
                    classified_by,
                    numbering,
                    shift,
                    paras,
                    path,
                    format,
                }
            },
        )
}

/// The cable: paragraphs as lists of sentences (a sentence may recur: a phrase the
/// cable repeats), and 2 to 4 copies of it.
fn scenario() -> impl Strategy<Value = (Vec<Vec<usize>>, Vec<CopyPlan>)> {
    prop::collection::vec(prop::collection::vec(0..SENTENCES, 1..4), 1..6).prop_flat_map(|cable| {
        let n = cable.len();
        (Just(cable), prop::collection::vec(copy_plan(n), 2..5))
    })
}

fn build(cable: &[Vec<usize>], plan: &CopyPlan) -> Cable {
    let mut paragraphs: Vec<Paragraph> = Vec::new();
    for (i, (sentences, p)) in cable.iter().zip(&plan.paras).enumerate() {
        if !p.keep {
            continue;
        }
        let k = p.keep_sentences.min(sentences.len());
        let text: Vec<String> = sentences[..k]
            .iter()
            .enumerate()
            .map(|(j, &s)| sentence(s, (p.cut_last && j + 1 == k).then_some(8)))
            .collect();
        let text = text.join(" ");
        if p.glue {
            if let Some(last) = paragraphs.last_mut() {
                last.text.push(' ');
                last.text.push_str(&text);
                continue;
            }
        }
        let number = match plan.numbering {
            0 => i as u32 + 1,
            1 => i as u32 + 1 + plan.shift,
            2 => 0,
            _ => (plan.shift + 6).saturating_sub(i as u32),
        };
        paragraphs.push(Paragraph {
            number,
            marking: MARKS[p.mark].map(str::to_string),
            text,
            ..Paragraph::default()
        });
    }
    Cable {
        id: Some("09PARIS1".into()),
        classification: CLASSES[plan.class].map(str::to_string),
        captions: CAPTIONS
            .iter()
            .zip(&plan.captions)
            .filter(|(_, &on)| on)
            .map(|(c, _)| c.to_string())
            .collect(),
        subject: plan.subject.map(|(s, _)| SUBJECTS[s].to_string()),
        subject_marking: plan.subject.and_then(|(_, m)| MARKS[m].map(str::to_string)),
        references: if plan.references {
            vec![Reference {
                label: None,
                kind: ReferenceKind::Cable,
                id: Some("09PARIS0".into()),
                text: "PARIS 0".into(),
                year_inferred: false,
            }]
        } else {
            Vec::new()
        },
        classified_by: if plan.classified_by {
            vec!["AMBASSADOR DOE".into()]
        } else {
            Vec::new()
        },
        paragraphs,
        source: Source {
            path: plan.path.map(|p| format!("copy{p}.html")),
            format: FORMATS[plan.format].into(),
            encoding: "utf-8".into(),
            ..Source::default()
        },
        ..Cable::default()
    }
}

const CONTROLS: &[&str] = &["NOFORN", "ORCON", "PROPIN", "SI", "TK", "NODIS", "EXDIS"];

fn clearance() -> impl Strategy<Value = Clearance> {
    (0u8..5, prop::collection::vec(any::<bool>(), CONTROLS.len())).prop_map(|(rank, held)| {
        Clearance {
            rank,
            controls: CONTROLS
                .iter()
                .zip(held)
                .filter(|(_, h)| *h)
                .map(|(c, _)| Control::parse(c).unwrap())
                .collect(),
        }
    })
}

/// What a reader may read of a record: subject, header fields, each paragraph.
struct Readable {
    subject: bool,
    header: bool,
    paragraphs: Vec<bool>,
}

fn readable(c: &Cable, k: &Clearance) -> Readable {
    let e = effective_marks(c);
    let cable = k.holds_all(&e.cable);
    Readable {
        subject: cable && e.subject.as_ref().is_none_or(|m| k.may_read(m)),
        header: cable && k.may_read(&e.header()),
        paragraphs: e
            .paragraphs
            .iter()
            .map(|m| cable && k.may_read(m))
            .collect(),
    }
}

fn words(s: &str) -> Vec<String> {
    s.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// True when `text` holds 8 consecutive words of sentence `s`.
fn holds(text: &str, s: usize) -> bool {
    let w = words(text);
    let sw = sentence_words(s);
    sw.windows(8).any(|run| w.windows(8).any(|x| x == run))
}

/// A portion's requirement: its marking plus the cable-wide controls.
fn with_cable(m: &Marking, cable: &BTreeSet<Control>) -> Marking {
    Marking {
        level: m.level,
        controls: m.controls.union(cable).copied().collect(),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    /// (b) For any set of copies S and extra copy X, what a reader cannot read in
    /// merge(S) they cannot read in merge(S ∪ {X}) either.
    #[test]
    fn adding_a_copy_never_reveals_text(
        (cable, plans) in scenario(),
        readers in prop::collection::vec(clearance(), 3),
    ) {
        let copies: Vec<Cable> = plans.iter().map(|p| build(&cable, p)).collect();
        let (s, x) = copies.split_at(copies.len() - 1);
        let before = merge_copies(s.to_vec());
        let after = merge_copies(copies.clone());
        for k in &readers {
            let rb = readable(&before, k);
            let ra = readable(&after, k);
            for sid in 0..SENTENCES {
                let holders: Vec<usize> = (0..before.paragraphs.len())
                    .filter(|&i| holds(&before.paragraphs[i].text, sid))
                    .collect();
                if holders.is_empty() || holders.iter().any(|&i| rb.paragraphs[i]) {
                    continue;
                }
                for (i, p) in after.paragraphs.iter().enumerate() {
                    prop_assert!(
                        !(holds(&p.text, sid) && ra.paragraphs[i]),
                        "reader {} reads sentence {sid} in ¶{} once {:?} is added\nbefore: {before:#?}\nafter: {after:#?}",
                        k.describe(), p.number, x[0].source
                    );
                }
            }
            if before.subject.is_some() && !rb.subject && after.subject.is_some() {
                prop_assert!(!ra.subject, "reader {} reads the subject", k.describe());
            }
            for (field, b, a) in [
                ("references", !before.references.is_empty(), !after.references.is_empty()),
                ("classified_by", !before.classified_by.is_empty(), !after.classified_by.is_empty()),
            ] {
                if b && !rb.header && a {
                    prop_assert!(!ra.header, "reader {} reads {field}", k.describe());
                }
            }
        }
    }

    /// (a) Every portion of the merged record covers each copy's marking of the
    /// corresponding portion; the overall level and the cable controls too.
    #[test]
    fn merged_markings_cover_every_copy((cable, plans) in scenario()) {
        let copies: Vec<Cable> = plans.iter().map(|p| build(&cable, p)).collect();
        let m = merge_copies(copies.clone());
        let em = effective_marks(&m);
        let cable_m = cable_controls(&m);
        for x in &copies {
            let ex = effective_marks(x);
            prop_assert!(em.overall.rank() >= ex.overall.rank(), "overall {} < {}", em.overall, ex.overall);
            prop_assert!(cable_m.is_superset(&cable_controls(x)));
            if let (Some(sm), Some(sx)) = (&em.subject, &ex.subject) {
                prop_assert!(with_cable(sm, &cable_m).covers(sx), "subject {} vs {}", sm, sx);
            }
            for (xi, xp) in x.paragraphs.iter().enumerate() {
                // Sentences this paragraph alone holds in its copy.
                let own: Vec<usize> = (0..SENTENCES)
                    .filter(|&s| holds(&xp.text, s))
                    .filter(|&s| x.paragraphs.iter().filter(|q| holds(&q.text, s)).count() == 1)
                    .collect();
                for (mi, mp) in m.paragraphs.iter().enumerate() {
                    let corresponds = (xp.number > 0 && xp.number == mp.number)
                        || own.iter().any(|&s| holds(&mp.text, s));
                    if corresponds {
                        let have = with_cable(&em.paragraphs[mi], &cable_m);
                        prop_assert!(
                            have.covers(&ex.paragraphs[xi]),
                            "¶{} is {} in the merge, {} in {:?}\n{m:#?}",
                            mp.number, have, ex.paragraphs[xi], x.source
                        );
                    }
                }
            }
        }
    }

    /// (c) The result does not depend on the order copies arrive in.
    #[test]
    fn merging_ignores_input_order(
        (cable, plans) in scenario(),
        seed in any::<u64>(),
    ) {
        let copies: Vec<Cable> = plans.iter().map(|p| build(&cable, p)).collect();
        let mut shuffled = copies.clone();
        // A fixed permutation from the seed (a rotation and a reversal).
        let r = (seed as usize) % shuffled.len();
        shuffled.rotate_left(r);
        if seed & 1 == 1 {
            shuffled.reverse();
        }
        prop_assert_eq!(merge_copies(copies), merge_copies(shuffled));
    }

    /// Without an official release, no portion of the merged record is marked
    /// lower than the text copy's own mark for it.
    #[test]
    fn nothing_lowers_without_an_official_release((cable, plans) in scenario()) {
        let copies: Vec<Cable> = plans.iter().map(|p| build(&cable, p)).collect();
        let m = merge_copies(copies.clone());
        let em = effective_marks(&m);
        let Some(src) = copies.iter().find(|c| c.paragraphs.iter().map(|p| &p.text).eq(m.paragraphs.iter().map(|p| &p.text))) else {
            return Ok(());
        };
        let es = effective_marks(src);
        for (a, b) in em.paragraphs.iter().zip(&es.paragraphs) {
            prop_assert!(with_cable(a, &em.cable).covers(b));
        }
    }

    /// Sections joined into one record obey the same rules: every section's
    /// portions are covered where their text ended up.
    #[test]
    fn joined_sections_cover_their_parts(
        (cable, plans) in scenario(),
        split in 1usize..6,
        class2 in 0..CLASSES.len(),
        caption2 in prop::option::of(0..CAPTIONS.len()),
        continued in any::<bool>(),
    ) {
        let whole = build(&cable, &plans[0]);
        let split = split.min(whole.paragraphs.len());
        let mut one = whole.clone();
        let mut two = whole.clone();
        two.paragraphs = one.paragraphs.split_off(split);
        two.classification = CLASSES[class2].map(str::to_string);
        two.captions = caption2.map(|c| vec![CAPTIONS[c].to_string()]).unwrap_or_default();
        two.subject = None;
        if continued {
            if let Some(p) = two.paragraphs.first_mut() {
                p.number = 0;
            }
        }
        one.section = Some(Section { number: 1, of: 2 });
        two.section = Some(Section { number: 2, of: 2 });
        two.source.path = Some("section2.html".into());
        let joined = join_sections(vec![two.clone(), one.clone()]);
        prop_assert_eq!(joined.len(), 1);
        let j = &joined[0];
        let ej = effective_marks(j);
        let cj = cable_controls(j);
        // Where each part's paragraphs went: section 2's unnumbered opening
        // continues section 1's last paragraph.
        let n1 = one.paragraphs.len();
        let glued = n1 > 0 && two.paragraphs.first().is_some_and(|p| p.number == 0);
        let place = |part: usize, i: usize| match part {
            0 => i,
            _ if glued => n1 + i - 1,
            _ => n1 + i,
        };
        prop_assert_eq!(j.paragraphs.len(), place(1, two.paragraphs.len()));
        for (k, part) in [&one, &two].into_iter().enumerate() {
            let ep = effective_marks(part);
            prop_assert!(ej.overall.rank() >= ep.overall.rank());
            prop_assert!(cj.is_superset(&cable_controls(part)));
            for (pi, pp) in ep.paragraphs.iter().enumerate() {
                let ji = place(k, pi);
                prop_assert!(
                    with_cable(&ej.paragraphs[ji], &cj).covers(pp),
                    "joined ¶{} {} does not cover {}", j.paragraphs[ji].number, ej.paragraphs[ji], pp
                );
            }
        }
    }
}

/// The real copies in `../shared/corpus`: every cable held as a viewer page (2010
/// or 2011 template) and a body-only text, or in both templates. The merged record
/// never holds a small fraction of the text another copy holds (issue 11: 14 cables
/// kept a cut copy, e.g. 06THEHAGUE2277 with its subject cut to "…ATT...").
#[test]
fn real_copies_merge_into_the_fullest_text() {
    use std::collections::BTreeMap;
    use std::path::PathBuf;

    use cablescope_format::assemble::assemble;
    use cablescope_format::containers::{read_stream, ReadOptions};

    let Some(corpus) = cablescope_testkit::shared_dir("corpus") else {
        return;
    };
    let mut by_id: BTreeMap<String, Vec<PathBuf>> = BTreeMap::new();
    for dir in ["cablegate-html", "cablegate-html-2010", "body-text"] {
        for p in cablescope_testkit::files_under(&corpus.join(dir)) {
            let Some(stem) = p.file_stem().and_then(|s| s.to_str()) else {
                continue;
            };
            if p.extension().is_some_and(|e| e == "html" || e == "txt") {
                by_id.entry(stem.to_string()).or_default().push(p.clone());
            }
        }
    }
    let text_len = |c: &Cable| c.paragraphs.iter().map(|p| p.text.len()).sum::<usize>();
    let (mut cables, mut below_half, mut below_95) = (0, Vec::new(), 0);
    for (id, paths) in by_id.iter().filter(|(_, p)| p.len() > 1) {
        let opts = ReadOptions {
            id: Some(id.clone()),
            ..ReadOptions::default()
        };
        let mut copies: Vec<Cable> = Vec::new();
        for path in paths {
            let bytes = std::fs::read(path).expect("corpus file");
            let name = path.display().to_string();
            read_stream(&name, &mut &bytes[..], &opts, &mut |r| {
                if let Ok(c) = r {
                    copies.push(c);
                }
            })
            .expect("corpus file reads");
        }
        copies.retain(|c| c.id.as_deref() == Some(id.as_str()));
        if copies.len() < 2 {
            continue;
        }
        cables += 1;
        let longest = copies.iter().map(text_len).max().unwrap_or(0);
        let merged = assemble(copies);
        assert_eq!(merged.len(), 1, "{id}: one record");
        let got = text_len(&merged[0]);
        if got * 2 < longest {
            below_half.push(format!("{id}: {got} of {longest} characters"));
        }
        if got * 100 < longest * 95 {
            below_95 += 1;
        }
    }
    eprintln!(
        "{cables} cables with several copies; merged text under half the fullest copy's: {}, under 95%: {below_95}",
        below_half.len()
    );
    assert!(cables > 300, "expected the corpus's copies, found {cables}");
    assert!(below_half.is_empty(), "{below_half:#?}");
}
