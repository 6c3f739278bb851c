//! Putting records together: sections of one cable that arrived as separate texts,
//! and copies of one cable from different containers.
//!
//! The archive stores every copy of a cable and calls [`assemble`] (or
//! [`merge_copies`]) again whenever a copy arrives, so the rules below are the whole
//! defence against a copy that claims less than another: they hold for any set of
//! copies, in any order.
//!
//! ## Which copy supplies the text
//!
//! Copies rank best first by, in order:
//! 1. not a small fraction: a copy whose paragraph text is less than half of the
//!    longest copy's loses to every copy that is not;
//! 2. more numbered paragraphs (distinct numbers);
//! 3. fewer truncation marks (`truncated_paragraph` diagnostics, a last paragraph
//!    ending in `...`);
//! 4. more text, in steps of 5% of the longest copy;
//! 5. fewer damage diagnostics (lost lines, missing date-time group, partial
//!    extract, implied classification, rebuilt id, page furniture removed ...);
//! 6. container format: raw telegram, 2011 viewer page, 2010 viewer page, CSV
//!    dump, JSON export, PlusD page, body-only text, republished page;
//! 7. more text, exactly; then source path and item, then the record itself (so the
//!    result never depends on input order).
//!
//! The paragraphs come from the best copy (the *text copy*). Every other field comes
//! from the best copy that has it, except: a subject that ends in `...` or is a
//! prefix of another copy's subject loses to the longer one; the summary and the
//! comment come from the best copy whose block is made of words of the merged
//! paragraphs (the archive shows such a block only to readers of every paragraph
//! it repeats), else from the text copy, else nowhere. Every copy is listed in
//! `sources`; `source` names the copy that supplied most fields. Where two copies
//! disagree on a field, a `copy_conflict` diagnostic names the field and the copies.
//!
//! ## Markings: the most restrictive copy governs
//!
//! Markings never come from one copy. With E(X) the effective marking of a portion
//! of copy X ([`effective_marks`], the rule redaction and search gating share):
//!
//! * **Classification and captions.** The merged level is the highest (by rank)
//!   of every copy's overall level; a copy without a classification line counts
//!   at its effective overall level (its highest portion mark, else nothing: it
//!   neither lowers nor raises). Every cable-wide control of any copy (NOFORN from a
//!   caption or `//NOFORN`, NODIS/EXDIS/LIMDIS/... captions) is kept: captions are
//!   the union in order of first appearance, and a control a copy held only in its
//!   classification string that the merged string cannot carry (NOFORN below C)
//!   becomes a caption. The string is written in Cablegate's vocabulary
//!   ([`classification_string`]).
//! * **Paragraphs.** Paragraphs of different copies *correspond* when they have
//!   the same number (> 0), or share a run of at least 8 consecutive words, or when
//!   the shorter has at least 3 words and at least half of its word pairs (and at
//!   least two) occur in the other. Words are lower-cased alphanumeric runs of the
//!   heading and the text. Correspondence is closed transitively (a renumbered copy
//!   links ¶3 of one copy to ¶4 of another, and ¶4 of that to ¶4 of the first):
//!   without the closure, a third copy could carry text that the first two marked
//!   SECRET only through a chain, and lower it. One exception keeps a phrase the
//!   cable repeats ("the MFA's office director for the Gulf states" in ¶10, ¶13 and
//!   ¶15) from joining every paragraph it touches: shared text does not link two
//!   differently numbered paragraphs when each copy's paragraph of the other's
//!   number holds all of it too (the copies agree on the numbering; each paragraph
//!   is linked by number to one that holds the text). Every merged paragraph carries an
//!   explicit `marking` code: the join of E over its whole class of corresponding
//!   paragraphs (distribution captions left to the cable level, where they apply
//!   anyway). The mark as written stays in `marking_as_written` when the code
//!   differs from it, and a `copy_conflict` diagnostic at the paragraph says when
//!   another copy raised it.
//! * **Subject.** Its `subject_marking` is the join of E over every copy's subject.
//! * **Header fields without a mark of their own** (REF list, classified-by,
//!   reasons, signers) are read at the merged overall level by the archive, which
//!   is at least every copy's.
//!
//! The invariant, tested over random copies and readers (`tests/merge.rs`): for
//! every copy X, every portion of the merged record (its marking plus the cable
//! controls) covers X's effective marking of every corresponding portion, the
//! merged overall level is at least X's, and the merged cable controls include
//! X's. So adding a copy never makes any text readable to a reader who could not
//! read it before (in the merged record, judged by [`effective_marks`] and
//! [`Clearance::may_read`](crate::marking::Clearance::may_read)), and the result
//! does not depend on the order copies arrive in.
//!
//! ## Official releases
//!
//! A copy whose source is flagged `official_release` (an admin declared it a
//! declassified or FOIA release) governs the markings of what it holds: for a class
//! of corresponding paragraphs holding one of its paragraphs, the join of the
//! official copies' markings replaces the join of all copies. When that lowers the
//! marking, the merged record shows the official copy's words for it (the release
//! may have cut words the other copies hold). When the official copies hold every
//! paragraph of the merged text and state a classification, their classification
//! and captions replace the join, and the REF list, classified-by, reasons,
//! signers, summary and comment come from official copies only. An `official_release` diagnostic
//! names each such copy. Without the flag nothing ever lowers a marking.
//!
//! ## Sections
//!
//! Sections of one cable are joined before copies merge; the joined record obeys
//! the same rules: its classification and captions are the most restrictive over
//! its sections, and a paragraph whose marking in the joined record would not cover
//! its marking in its own section (or, for text continued across a section break,
//! in both) gets an explicit code that does.

use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use serde::Serialize;

use crate::diagnostics::{Code, Diagnostic};
use crate::marking::{
    cable_controls, effective_marks, read_classification, read_mark, Control, EffectiveMarks,
    Level, MarkReading, Marking,
};
use crate::record::{Cable, Paragraph, Source};

/// The classification string in Cablegate's published vocabulary: `SECRET`,
/// `CONFIDENTIAL//NOFORN`, `UNCLASSIFIED//FOR OFFICIAL USE ONLY` (SBU, or U with
/// `fouo`), `LIMITED OFFICIAL USE`. `//NOFORN` is written on C, S and TS only.
pub fn classification_string(level: Level, noforn: bool, fouo: bool) -> String {
    let base = match level {
        Level::U if fouo => "UNCLASSIFIED//FOR OFFICIAL USE ONLY",
        Level::U => "UNCLASSIFIED",
        Level::Sbu => "UNCLASSIFIED//FOR OFFICIAL USE ONLY",
        Level::Lou => "LIMITED OFFICIAL USE",
        Level::C => "CONFIDENTIAL",
        Level::S => "SECRET",
        Level::Ts => "TOP SECRET",
    };
    if noforn && level.rank() >= Level::C.rank() {
        format!("{base}//NOFORN")
    } else {
        base.to_string()
    }
}

/// Damage diagnostics: the ones that say a copy lost something.
const DAMAGE: &[Code] = &[
    Code::TruncatedParagraph,
    Code::MissingDtg,
    Code::PartialExtract,
    Code::ClassificationImplied,
    Code::IdInferred,
    Code::SubjectFromTitle,
    Code::TrailerRemoved,
    Code::LeaderRemoved,
    Code::MultipleCables,
    Code::SectionMissing,
    Code::CreatedFromDe,
];

fn damage(c: &Cable) -> usize {
    c.diagnostics
        .iter()
        .filter(|d| DAMAGE.contains(&d.code))
        .count()
}

fn text_len(c: &Cable) -> usize {
    c.paragraphs.iter().map(|p| p.text.len()).sum()
}

fn format_rank(format: &str) -> u8 {
    match format {
        "telegram" => 0,
        "wikileaks-html-2011" => 1,
        "wikileaks-html-2010" => 2,
        "cables-csv" => 3,
        "json-export" => 4,
        "plusd-html" => 5,
        "body-text" => 6,
        "republished-page" => 7,
        _ => 8,
    }
}

fn ends_cut(s: &str) -> bool {
    let s = s.trim_end();
    s.ends_with("...") || s.ends_with('…')
}

/// Truncation marks: `truncated_paragraph` diagnostics and a last paragraph that
/// ends in `...`.
fn truncation(c: &Cable) -> usize {
    let diags = c
        .diagnostics
        .iter()
        .filter(|d| d.code == Code::TruncatedParagraph)
        .count();
    diags + usize::from(c.paragraphs.last().is_some_and(|p| ends_cut(&p.text)))
}

fn numbered_paragraphs(c: &Cable) -> usize {
    c.paragraphs
        .iter()
        .filter(|p| p.number > 0)
        .map(|p| p.number)
        .collect::<BTreeSet<_>>()
        .len()
}

/// The ranking key of a copy (module documentation); lower is better.
#[derive(PartialEq, Eq, PartialOrd, Ord)]
struct Quality {
    short: bool,
    paragraphs: Reverse<usize>,
    truncation: usize,
    length_step: Reverse<usize>,
    damage: usize,
    format: u8,
    length: Reverse<usize>,
    path: Option<String>,
    item: Option<usize>,
}

fn quality(c: &Cable, longest: usize) -> Quality {
    let len = text_len(c);
    Quality {
        short: len * 2 < longest,
        paragraphs: Reverse(numbered_paragraphs(c)),
        truncation: truncation(c),
        length_step: Reverse((len * 20).checked_div(longest).unwrap_or(0)),
        damage: damage(c),
        format: format_rank(&c.source.format),
        length: Reverse(len),
        path: c.source.path.clone(),
        item: c.source.item,
    }
}

/// Ranks copies best first (see the module documentation). Copies equal on every
/// key are ordered by their JSON text, so the order is total.
fn rank(copies: Vec<Cable>) -> Vec<Cable> {
    let longest = copies.iter().map(text_len).max().unwrap_or(0);
    let mut keyed: Vec<(Quality, Option<String>, Cable)> = copies
        .into_iter()
        .map(|c| (quality(&c, longest), None, c))
        .collect();
    keyed.sort_by(|a, b| a.0.cmp(&b.0));
    // Ties on every key (rare: copies without a path) are broken by the record.
    let mut i = 0;
    while i < keyed.len() {
        let mut j = i + 1;
        while j < keyed.len() && keyed[j].0 == keyed[i].0 {
            j += 1;
        }
        if j - i > 1 {
            for k in &mut keyed[i..j] {
                k.1 = Some(serde_json::to_string(&k.2).unwrap_or_default());
            }
            keyed[i..j].sort_by(|a, b| a.1.cmp(&b.1));
        }
        i = j;
    }
    keyed.into_iter().map(|(_, _, c)| c).collect()
}

/// True when `c` is an official release (module documentation). A merged record is
/// one only when every copy in it is.
fn is_official(c: &Cable) -> bool {
    c.source.official_release && c.sources.iter().all(|s| s.official_release)
}

/// A marking without distribution captions: those apply to the whole cable and are
/// kept at that level ([`cable_controls`]), never written in a portion code.
fn portion_part(m: &Marking) -> Marking {
    Marking {
        level: m.level,
        controls: m
            .controls
            .iter()
            .copied()
            .filter(|c| !c.is_caption())
            .collect(),
    }
}

fn squash(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_uppercase()
}

/// The explicit code for `m` on a portion whose stored mark is `stored` (as written
/// `written`): the stored mark when it reads as exactly `m` (a REL TO list stays),
/// else `m`'s code. Returns the mark and what to keep as written.
fn explicit(stored: Option<&str>, written: Option<&str>, m: &Marking) -> (String, Option<String>) {
    if let Some(s) = stored {
        if let MarkReading::Known(pm) = read_mark(s) {
            if pm.level == Some(m.level) && pm.controls == m.controls {
                return (s.to_string(), written.map(str::to_string));
            }
        }
    }
    let code = m.code();
    let as_written = written
        .or(stored)
        .filter(|w| squash(w) != squash(&code))
        .map(str::to_string);
    (code, as_written)
}

fn set_paragraph_mark(p: &mut Paragraph, m: &Marking) {
    let (code, written) = explicit(
        p.marking.as_deref(),
        p.marking_as_written.as_deref(),
        &portion_part(m),
    );
    p.marking = Some(code);
    p.marking_as_written = written;
}

fn set_subject_mark(c: &mut Cable, m: &Marking) {
    let (code, _) = explicit(c.subject_marking.as_deref(), None, &portion_part(m));
    c.subject_marking = Some(code);
}

/// Makes every paragraph's (and the subject's) effective marking in `c` cover what
/// `required` says, writing explicit codes where it does not. Codes only ever raise
/// markings, so a few passes settle (each raises what later passes read).
fn enforce(c: &mut Cable, required: &[Marking], subject: Option<&Marking>) {
    for _ in 0..4 {
        let e = effective_marks(c);
        let mut changed = false;
        for (i, req) in required.iter().enumerate() {
            let (Some(have), Some(p)) = (e.paragraphs.get(i), c.paragraphs.get_mut(i)) else {
                continue;
            };
            if !have.covers(&portion_part(req)) {
                set_paragraph_mark(p, &have.join(req));
                changed = true;
            }
        }
        if let (Some(req), Some(have)) = (subject, e.subject.as_ref()) {
            if !have.covers(&portion_part(req)) {
                let m = have.join(req);
                set_subject_mark(c, &m);
                changed = true;
            }
        }
        if !changed {
            return;
        }
    }
}

/// The most restrictive classification string and the captions over `cables`
/// (module documentation).
fn combined_class(cables: &[&Cable], marks: &[&EffectiveMarks]) -> (Option<String>, Vec<String>) {
    let mut level: Option<Level> = None;
    for m in marks {
        level = Some(level.map_or(m.overall, |l| l.max_rank(m.overall)));
    }
    let level = level.unwrap_or(Level::U);
    let controls: BTreeSet<Control> = marks.iter().flat_map(|m| m.cable.iter().copied()).collect();
    let noforn = controls.contains(&Control::Noforn) && level.rank() >= Level::C.rank();
    let mut captions: Vec<String> = Vec::new();
    for c in cables {
        for cap in &c.captions {
            if !captions.contains(cap) {
                captions.push(cap.clone());
            }
        }
    }
    let any_class = cables.iter().any(|c| c.classification.is_some());
    if let Some(first) = cables.first() {
        let readable = first
            .classification
            .as_deref()
            .and_then(read_classification)
            .is_some();
        if readable
            && cables
                .iter()
                .all(|c| c.classification == first.classification)
            && cables.iter().all(|c| c.captions == first.captions)
        {
            // Copies that agree keep their own words.
            return (first.classification.clone(), first.captions.clone());
        }
    }
    let classification = (any_class || level != Level::U || noforn).then(|| {
        // A copy's own string that says exactly this is kept as written.
        let wanted: BTreeSet<Control> = if noforn {
            [Control::Noforn].into()
        } else {
            BTreeSet::new()
        };
        cables
            .iter()
            .filter_map(|c| c.classification.as_deref())
            .find(|s| {
                read_classification(s).is_some_and(|(l, cs)| {
                    l == level
                        && cs
                            .into_iter()
                            .filter(|c| c.is_caption() || *c == Control::Noforn)
                            .collect::<BTreeSet<_>>()
                            == wanted
                })
            })
            .map_or_else(
                || classification_string(level, noforn, false),
                str::to_string,
            )
    });
    // Controls the string cannot carry become captions.
    let probe = Cable {
        classification: classification.clone(),
        captions: captions.clone(),
        ..Cable::default()
    };
    let held = cable_controls(&probe);
    for c in controls.difference(&held) {
        captions.push(match c {
            Control::EyesOnly => "EYES ONLY".to_string(),
            other => other.name().to_string(),
        });
    }
    (classification, captions)
}

/// Lower-cased alphanumeric words.
fn words(s: &str) -> Vec<String> {
    s.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// Consecutive words two paragraphs must share to correspond.
const RUN: usize = 8;

/// The paragraphs of every copy, for deciding which correspond: each paragraph's
/// runs of [`RUN`] words and word pairs, interned as numbers, sorted.
struct Paragraphs {
    copy: Vec<usize>,
    number: Vec<u32>,
    words: Vec<usize>,
    runs: Vec<Vec<u32>>,
    pairs: Vec<Vec<u32>>,
    run_postings: Vec<Vec<usize>>,
    pair_postings: Vec<Vec<usize>>,
    /// Runs and pairs of the paragraphs numbered n (> 0) of a copy.
    numbered: HashMap<(usize, u32), (HashSet<u32>, HashSet<u32>)>,
}

fn intern(
    w: &[String],
    n: usize,
    ids: &mut HashMap<String, u32>,
    postings: &mut Vec<Vec<usize>>,
    node: usize,
) -> Vec<u32> {
    let mut out: Vec<u32> = w
        .windows(n)
        .map(|r| {
            let key = r.join(" ");
            let next = ids.len() as u32;
            *ids.entry(key).or_insert(next)
        })
        .collect();
    out.sort_unstable();
    out.dedup();
    for &f in &out {
        if f as usize == postings.len() {
            postings.push(Vec::new());
        }
        postings[f as usize].push(node);
    }
    out
}

fn sorted_intersection(a: &[u32], b: &[u32]) -> Vec<u32> {
    let (mut i, mut j, mut out) = (0, 0, Vec::new());
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                out.push(a[i]);
                i += 1;
                j += 1;
            }
        }
    }
    out
}

impl Paragraphs {
    /// `nodes` are (copy, paragraph) pairs, in order.
    fn new(copies: &[Cable], nodes: &[(usize, usize)]) -> Paragraphs {
        let mut ps = Paragraphs {
            copy: Vec::with_capacity(nodes.len()),
            number: Vec::with_capacity(nodes.len()),
            words: Vec::with_capacity(nodes.len()),
            runs: Vec::with_capacity(nodes.len()),
            pairs: Vec::with_capacity(nodes.len()),
            run_postings: Vec::new(),
            pair_postings: Vec::new(),
            numbered: HashMap::new(),
        };
        let (mut run_ids, mut pair_ids) = (HashMap::new(), HashMap::new());
        for (node, &(ci, pi)) in nodes.iter().enumerate() {
            let p = &copies[ci].paragraphs[pi];
            let mut w = words(p.heading.as_deref().unwrap_or(""));
            w.extend(words(&p.text));
            let runs = intern(&w, RUN, &mut run_ids, &mut ps.run_postings, node);
            let pairs = intern(&w, 2, &mut pair_ids, &mut ps.pair_postings, node);
            if p.number > 0 {
                let slot = ps.numbered.entry((ci, p.number)).or_default();
                slot.0.extend(runs.iter().copied());
                slot.1.extend(pairs.iter().copied());
            }
            ps.copy.push(ci);
            ps.number.push(p.number);
            ps.words.push(w.len());
            ps.runs.push(runs);
            ps.pairs.push(pairs);
        }
        ps
    }

    /// Every pair of corresponding paragraphs (module documentation), found through
    /// the shared runs and pairs rather than by comparing every two paragraphs.
    ///
    /// Text shared by differently numbered paragraphs does not link them when each
    /// copy's paragraph of the other's number holds all of it too: both copies then
    /// agree on the numbering and the text merely repeats a phrase of the cable
    /// ("the MFA's office director for the Gulf states" in three paragraphs).
    /// Linking those would raise every paragraph the phrase touches. The text stays
    /// covered: each paragraph is linked by number to one that holds it.
    fn links(&self) -> Vec<(usize, usize)> {
        let n = self.copy.len();
        let mut out = Vec::new();
        // Same number (> 0) in two copies.
        let mut by_number: BTreeMap<u32, Vec<usize>> = BTreeMap::new();
        for a in 0..n {
            if self.number[a] > 0 {
                by_number.entry(self.number[a]).or_default().push(a);
            }
        }
        for group in by_number.values() {
            for (i, &a) in group.iter().enumerate() {
                for &b in &group[i + 1..] {
                    if self.copy[a] != self.copy[b] {
                        out.push((a, b));
                    }
                }
            }
        }
        // Shared text.
        let mut run_count = vec![0u32; n];
        let mut pair_count = vec![0u32; n];
        let mut copy_end = vec![n; n];
        for a in (0..n.saturating_sub(1)).rev() {
            copy_end[a] = if self.copy[a + 1] == self.copy[a] {
                copy_end[a + 1]
            } else {
                a + 1
            };
        }
        let mut is_touched = vec![false; n];
        let mut touched: Vec<usize> = Vec::new();
        for (a, &end) in copy_end.iter().enumerate() {
            for (feats, postings, count) in [
                (&self.pairs[a], &self.pair_postings, &mut pair_count),
                (&self.runs[a], &self.run_postings, &mut run_count),
            ] {
                for &f in feats {
                    // Postings are in node order and a copy's nodes are contiguous:
                    // only later copies' paragraphs are compared.
                    let list = &postings[f as usize];
                    let from = list.partition_point(|&b| b < end);
                    for &b in &list[from..] {
                        if !is_touched[b] {
                            is_touched[b] = true;
                            touched.push(b);
                        }
                        count[b] += 1;
                    }
                }
            }
            for b in touched.drain(..) {
                is_touched[b] = false;
                let (runs, pairs) = (run_count[b], pair_count[b] as usize);
                run_count[b] = 0;
                pair_count[b] = 0;
                if self.number[a] > 0 && self.number[a] == self.number[b] {
                    continue;
                }
                let short = if self.words[a] <= self.words[b] { a } else { b };
                let by_pairs =
                    self.words[short] >= 3 && pairs >= 2 && pairs * 2 >= self.pairs[short].len();
                if (runs > 0 || by_pairs) && !self.explained(a, b, by_pairs) {
                    out.push((a, b));
                }
            }
        }
        out
    }

    /// True when the paragraphs numbered like `a` in `b`'s copy and like `b` in
    /// `a`'s copy both hold every run the two share (and every pair, when pairs are
    /// the evidence).
    fn explained(&self, a: usize, b: usize, by_pairs: bool) -> bool {
        if self.number[a] == 0 || self.number[b] == 0 {
            return false;
        }
        let runs = sorted_intersection(&self.runs[a], &self.runs[b]);
        let pairs = if by_pairs {
            sorted_intersection(&self.pairs[a], &self.pairs[b])
        } else {
            Vec::new()
        };
        let holds = |copy: usize, number: u32| {
            self.numbered.get(&(copy, number)).is_some_and(|(r, p)| {
                runs.iter().all(|f| r.contains(f)) && pairs.iter().all(|f| p.contains(f))
            })
        };
        holds(self.copy[b], self.number[a]) && holds(self.copy[a], self.number[b])
    }
}

/// Union-find over paragraph nodes.
struct Classes {
    parent: Vec<usize>,
}

impl Classes {
    fn new(n: usize) -> Classes {
        Classes {
            parent: (0..n).collect(),
        }
    }

    fn root(&mut self, mut i: usize) -> usize {
        while self.parent[i] != i {
            self.parent[i] = self.parent[self.parent[i]];
            i = self.parent[i];
        }
        i
    }

    fn union(&mut self, a: usize, b: usize) {
        let (a, b) = (self.root(a), self.root(b));
        if a != b {
            self.parent[a.max(b)] = a.min(b);
        }
    }
}

/// True when every word of `block` lies in a run of consecutive words found in some
/// paragraph: the block repeats the paragraphs (the archive's summary rule).
fn drawn_from(block: &str, paragraphs: &[Paragraph]) -> bool {
    let s = words(block);
    let ps: Vec<Vec<String>> = paragraphs.iter().map(|p| words(&p.text)).collect();
    let mut i = 0;
    while i < s.len() {
        let mut best = 0;
        for p in &ps {
            for j in 0..p.len() {
                if p[j] != s[i] {
                    continue;
                }
                let mut l = 1;
                while i + l < s.len() && j + l < p.len() && p[j + l] == s[i + l] {
                    l += 1;
                }
                best = best.max(l);
            }
        }
        if best == 0 {
            return false;
        }
        i += best;
    }
    true
}

fn source_name(s: &Source) -> String {
    match s.item {
        Some(i) => format!("{} #{i} ({})", s.path.as_deref().unwrap_or("-"), s.format),
        None => format!("{} ({})", s.path.as_deref().unwrap_or("-"), s.format),
    }
}

fn short(s: &str) -> String {
    if s.chars().count() <= 80 {
        s.to_string()
    } else {
        let cut: String = s.chars().take(77).collect();
        format!("{cut}...")
    }
}

/// Picks fields from ranked copies and records who supplied what and who disagreed.
struct Picker<'a> {
    copies: &'a [Cable],
    supplied: Vec<usize>,
    conflicts: Vec<Diagnostic>,
}

impl Picker<'_> {
    /// The value of the first copy in `order` whose value is not empty; a
    /// `copy_conflict` names the copies (of all) that say otherwise.
    fn pick<T: Clone + PartialEq + Serialize + Default>(
        &mut self,
        name: &str,
        order: &[usize],
        get: impl Fn(&Cable) -> &T,
        empty: impl Fn(&T) -> bool,
    ) -> T {
        let Some(&i) = order.iter().find(|&&i| !empty(get(&self.copies[i]))) else {
            return T::default();
        };
        let value = get(&self.copies[i]).clone();
        self.supplied[i] += 1;
        self.conflict(name, i, &value, &get, &empty);
        value
    }

    fn conflict<T: PartialEq + Serialize>(
        &mut self,
        name: &str,
        chosen: usize,
        value: &T,
        get: impl Fn(&Cable) -> &T,
        empty: impl Fn(&T) -> bool,
    ) {
        if name == "published" {
            return;
        }
        let differing: Vec<String> = self
            .copies
            .iter()
            .filter(|o| !empty(get(o)) && get(o) != value)
            .map(|o| source_name(&o.source))
            .collect();
        if !differing.is_empty() {
            self.conflicts.push(Diagnostic::new(
                Code::CopyConflict,
                format!(
                    "{name}: {} says {}, {} differ",
                    source_name(&self.copies[chosen].source),
                    short(&serde_json::to_string(value).unwrap_or_default()),
                    differing.join(", ")
                ),
            ));
        }
    }
}

fn none_str(o: &Option<String>) -> bool {
    o.as_deref().is_none_or(|s| s.trim().is_empty())
}

fn join_all<'a>(ms: impl IntoIterator<Item = &'a Marking>) -> Option<Marking> {
    ms.into_iter().map(portion_part).reduce(|a, b| a.join(&b))
}

/// Merges copies of one cable into one record (see the module documentation).
/// A single copy is returned unchanged; no copy gives an empty record.
pub fn merge_copies(copies: Vec<Cable>) -> Cable {
    if copies.len() <= 1 {
        return copies.into_iter().next().unwrap_or_default();
    }
    let copies = rank(copies);
    let marks: Vec<EffectiveMarks> = copies.iter().map(effective_marks).collect();
    let official: Vec<bool> = copies.iter().map(is_official).collect();
    let any_official = official.iter().any(|&o| o);

    // ---- paragraphs: classes of corresponding paragraphs over all copies
    let nodes: Vec<(usize, usize)> = copies
        .iter()
        .enumerate()
        .flat_map(|(ci, c)| (0..c.paragraphs.len()).map(move |pi| (ci, pi)))
        .collect();
    let mut classes = Classes::new(nodes.len());
    for (a, b) in Paragraphs::new(&copies, &nodes).links() {
        classes.union(a, b);
    }
    let mut leaked: HashMap<usize, Marking> = HashMap::new();
    let mut released: HashMap<usize, Marking> = HashMap::new();
    let mut members: HashMap<usize, Vec<usize>> = HashMap::new();
    for (n, &(ci, pi)) in nodes.iter().enumerate() {
        let r = classes.root(n);
        let m = portion_part(&marks[ci].paragraphs[pi]);
        let slot = if official[ci] {
            &mut released
        } else {
            &mut leaked
        };
        let joined = slot.get(&r).map_or_else(|| m.clone(), |old| old.join(&m));
        slot.insert(r, joined);
        members.entry(r).or_default().push(n);
    }
    let mut paragraphs: Vec<Paragraph> = Vec::new();
    let mut required: Vec<Marking> = Vec::new();
    let mut diagnostics_at: Vec<Diagnostic> = Vec::new();
    let mut governed = 0usize;
    let mut all_governed = true;
    let mut substituted: HashSet<usize> = HashSet::new();
    for (pi, p) in copies[0].paragraphs.iter().enumerate() {
        let r = classes.root(pi);
        let own = portion_part(&marks[0].paragraphs[pi]);
        let bottom = Marking::default();
        let lk = leaked.get(&r).unwrap_or(&bottom);
        let m = match released.get(&r) {
            None => {
                all_governed = false;
                lk.clone()
            }
            Some(gov) => {
                governed += 1;
                if !official[0] && !gov.covers(lk) {
                    // The release lowers this text: show the release's own words.
                    if substituted.insert(r) {
                        let k = members[&r]
                            .iter()
                            .map(|&n| nodes[n].0)
                            .filter(|&ci| official[ci])
                            .min()
                            .expect("a released class has an official member");
                        for &n in &members[&r] {
                            let (ci, qi) = nodes[n];
                            if ci == k {
                                paragraphs.push(copies[ci].paragraphs[qi].clone());
                                required.push(gov.clone());
                            }
                        }
                    }
                    continue;
                }
                gov.clone()
            }
        };
        if m != own && !released.contains_key(&r) {
            diagnostics_at.push(Diagnostic::at(
                Code::CopyConflict,
                p.number,
                format!(
                    "marking: {} in {}, raised to {} by another copy's mark; the most restrictive governs",
                    own.code(),
                    source_name(&copies[0].source),
                    m.code()
                ),
            ));
        }
        paragraphs.push(p.clone());
        required.push(m);
    }
    for (p, m) in paragraphs.iter_mut().zip(&required) {
        set_paragraph_mark(p, m);
    }

    // ---- classification, captions and the header fields read at its level
    let official_idx: Vec<usize> = (0..copies.len()).filter(|&i| official[i]).collect();
    let class_governed = any_official
        && all_governed
        && official_idx
            .iter()
            .any(|&i| copies[i].classification.is_some());
    let class_from: Vec<usize> = if class_governed {
        official_idx.clone()
    } else {
        (0..copies.len()).collect()
    };
    let (classification, captions) = combined_class(
        &class_from.iter().map(|&i| &copies[i]).collect::<Vec<_>>(),
        &class_from.iter().map(|&i| &marks[i]).collect::<Vec<_>>(),
    );

    let all: Vec<usize> = (0..copies.len()).collect();
    let header_from: &[usize] = if class_governed { &official_idx } else { &all };
    let mut picker = Picker {
        copies: &copies,
        supplied: vec![0; copies.len()],
        conflicts: Vec::new(),
    };
    let mut out = Cable {
        id: picker.pick("id", &all, |c| &c.id, none_str),
        created: picker.pick("created", &all, |c| &c.created, none_str),
        precedence: picker.pick("precedence", &all, |c| &c.precedence, none_str),
        origin: picker.pick(
            "origin",
            &all,
            |c| &c.origin,
            |o| o.station.is_none() && o.routing_indicator.is_none(),
        ),
        passing_lines: picker.pick("passing_lines", &all, |c| &c.passing_lines, Vec::is_empty),
        transmission_id: picker.pick("transmission_id", &all, |c| &c.transmission_id, none_str),
        recipients: picker.pick("recipients", &all, |c| &c.recipients, Vec::is_empty),
        info_recipients: picker.pick(
            "info_recipients",
            &all,
            |c| &c.info_recipients,
            Vec::is_empty,
        ),
        exempt_recipients: picker.pick(
            "exempt_recipients",
            &all,
            |c| &c.exempt_recipients,
            Vec::is_empty,
        ),
        eo: picker.pick("eo", &all, |c| &c.eo, none_str),
        declassify_on: picker.pick("declassify_on", &all, |c| &c.declassify_on, none_str),
        classified_by: picker.pick(
            "classified_by",
            header_from,
            |c| &c.classified_by,
            Vec::is_empty,
        ),
        reasons: picker.pick("reasons", header_from, |c| &c.reasons, Vec::is_empty),
        tags: picker.pick("tags", &all, |c| &c.tags, Vec::is_empty),
        references: picker.pick("references", header_from, |c| &c.references, Vec::is_empty),
        signers: picker.pick("signers", header_from, |c| &c.signers, Vec::is_empty),
        published: picker.pick("published", &all, |c| &c.published, Option::is_none),
        classification,
        captions,
        paragraphs,
        ..Cable::default()
    };
    picker.supplied[0] += 1; // the paragraphs

    // ---- subject: the longest uncut one; marked by every copy's subject
    let subj_leaked = join_all(
        (0..copies.len())
            .filter(|&i| !official[i])
            .filter_map(|i| marks[i].subject.as_ref()),
    );
    let subj_released = join_all(
        official_idx
            .iter()
            .filter_map(|&i| marks[i].subject.as_ref()),
    );
    let subjects: Vec<(usize, String)> = all
        .iter()
        .filter_map(|&i| {
            copies[i]
                .subject
                .as_ref()
                .filter(|s| !s.trim().is_empty())
                .map(|s| (i, s.clone()))
        })
        .collect();
    let norm = |s: &str| {
        s.trim()
            .trim_end_matches(['.', '…'])
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_uppercase()
    };
    let cut = |s: &str| {
        let n = norm(s);
        ends_cut(s)
            || subjects
                .iter()
                .any(|(_, o)| norm(o).len() > n.len() && norm(o).starts_with(&n))
    };
    let lowered = match (&subj_released, &subj_leaked) {
        (Some(g), Some(l)) => !g.covers(l),
        _ => false,
    };
    let subject_order: Vec<usize> = if lowered {
        official_idx.clone()
    } else {
        let mut v: Vec<usize> = subjects
            .iter()
            .filter(|(_, s)| !cut(s))
            .map(|(i, _)| *i)
            .collect();
        v.extend(subjects.iter().filter(|(_, s)| cut(s)).map(|(i, _)| *i));
        v
    };
    out.subject = picker.pick("subject", &subject_order, |c| &c.subject, none_str);
    let subject_mark = subj_released.clone().or(subj_leaked);
    if let (Some(_), Some(m)) = (&out.subject, &subject_mark) {
        let from = subject_order
            .iter()
            .copied()
            .find(|&i| !none_str(&copies[i].subject))
            .unwrap_or(0);
        out.subject_marking = copies[from].subject_marking.clone();
        set_subject_mark(&mut out, m);
    }

    // ---- summary and comment: only blocks the merged paragraphs hold
    for (name, get) in [
        (
            "summary",
            (|c: &Cable| &c.summary) as fn(&Cable) -> &Option<String>,
        ),
        ("comment", |c: &Cable| &c.comment),
    ] {
        let holds: Vec<usize> = header_from
            .iter()
            .copied()
            .filter(|&i| {
                get(&copies[i])
                    .as_deref()
                    .is_some_and(|b| drawn_from(b, &out.paragraphs))
            })
            .collect();
        let order: Vec<usize> = if holds.is_empty() {
            header_from.iter().copied().filter(|&i| i == 0).collect()
        } else {
            holds
        };
        let value = picker.pick(name, &order, get, none_str);
        match name {
            "summary" => out.summary = value,
            _ => out.comment = value,
        }
    }

    // ---- the text copy's own fields; the record's diagnostics
    out.redactions = copies[0].redactions;
    out.section = copies[0].section;
    out.partial = copies[0].partial;
    out.id_as_written = copies.iter().find_map(|c| c.id_as_written.clone());
    let best = picker
        .supplied
        .iter()
        .enumerate()
        .max_by_key(|(i, n)| (**n, Reverse(*i)))
        .map_or(0, |(i, _)| i);
    out.source = copies[best].source.clone();
    out.diagnostics = copies[0].diagnostics.clone();
    out.diagnostics.extend(picker.conflicts);
    out.diagnostics.extend(diagnostics_at);
    for &i in &official_idx {
        let mut what = format!("{governed} of {} paragraph(s)", out.paragraphs.len());
        if subj_released.is_some() {
            what.push_str(", the subject");
        }
        if class_governed {
            what.push_str(" and the classification");
        }
        out.diagnostics.push(Diagnostic::new(
            Code::OfficialRelease,
            format!(
                "{} is an official release: its markings govern {what}",
                source_name(&copies[i].source)
            ),
        ));
    }
    let mut sources: Vec<Source> = Vec::new();
    for c in &copies {
        let own = if c.sources.is_empty() {
            std::slice::from_ref(&c.source)
        } else {
            &c.sources[..]
        };
        for s in own {
            if !sources.contains(s) {
                sources.push(s.clone());
            }
        }
    }
    out.sources = sources;
    // A safety net: the codes written above already cover what is required.
    let subject_req = subject_mark.filter(|_| out.subject.is_some());
    enforce(&mut out, &required, subject_req.as_ref());
    out
}

/// Joins sections and merges copies: records are grouped by id (records without
/// one pass through); within a group, copies of the same section are merged, the
/// sections joined, and the result merged with any whole copies. Groups keep the
/// order of their first appearance.
pub fn assemble(records: Vec<Cable>) -> Vec<Cable> {
    let mut groups: Vec<Vec<Cable>> = Vec::new();
    let mut by_id: HashMap<String, usize> = HashMap::new();
    for c in records {
        match c.id.clone() {
            Some(id) => match by_id.get(&id) {
                Some(&g) => groups[g].push(c),
                None => {
                    by_id.insert(id, groups.len());
                    groups.push(vec![c]);
                }
            },
            None => groups.push(vec![c]),
        }
    }
    groups.into_iter().map(assemble_group).collect()
}

fn assemble_group(copies: Vec<Cable>) -> Cable {
    let (sectioned, mut whole): (Vec<Cable>, Vec<Cable>) =
        copies.into_iter().partition(|c| c.section.is_some());
    if !sectioned.is_empty() {
        let mut by_number: BTreeMap<u32, Vec<Cable>> = BTreeMap::new();
        for c in sectioned {
            by_number
                .entry(c.section.map(|s| s.number).unwrap_or(0))
                .or_default()
                .push(c);
        }
        let parts: Vec<Cable> = by_number.into_values().map(merge_copies).collect();
        whole.push(join(parts));
    }
    merge_copies(whole)
}

/// Joins sections of one cable that arrived as separate records. Records that are
/// not sections pass through untouched. Returns records in the order of their first
/// appearance.
pub fn join_sections(records: Vec<Cable>) -> Vec<Cable> {
    let mut order: Vec<Option<Cable>> = Vec::with_capacity(records.len());
    let mut groups: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for c in records {
        match (&c.section, &c.id) {
            (Some(_), Some(id)) => {
                groups.entry(id.clone()).or_default().push(order.len());
                order.push(Some(c));
            }
            _ => order.push(Some(c)),
        }
    }
    for (_, idx) in groups {
        let mut parts: Vec<Cable> = idx.iter().filter_map(|&i| order[i].take()).collect();
        parts.sort_by_key(|c| c.section.map(|s| s.number).unwrap_or(0));
        parts.dedup_by_key(|c| c.section.map(|s| s.number));
        let joined = join(parts);
        order[idx[0]] = Some(joined);
    }
    order.into_iter().flatten().collect()
}

/// Joins sections (in order) into one record; markings as the module
/// documentation says.
fn join(mut parts: Vec<Cable>) -> Cable {
    if parts.is_empty() {
        return Cable::default();
    }
    let of = parts
        .iter()
        .filter_map(|c| c.section.map(|s| s.of))
        .max()
        .unwrap_or(1);
    let present: Vec<u32> = parts
        .iter()
        .filter_map(|c| c.section.map(|s| s.number))
        .collect();
    let missing: Vec<u32> = (1..=of).filter(|n| !present.contains(n)).collect();
    let marks: Vec<EffectiveMarks> = parts.iter().map(effective_marks).collect();
    let (classification, captions) = combined_class(
        &parts.iter().collect::<Vec<_>>(),
        &marks.iter().collect::<Vec<_>>(),
    );
    let subject_req = join_all(marks.iter().filter_map(|m| m.subject.as_ref()));
    let mut required: Vec<Marking> = marks[0].paragraphs.iter().map(portion_part).collect();
    let own_sources = |c: &Cable| -> Vec<Source> {
        if c.sources.is_empty() {
            vec![c.source.clone()]
        } else {
            c.sources.clone()
        }
    };
    let mut rest = parts.split_off(1);
    let mut out = parts.pop().expect("at least one section");
    let mut sources: Vec<Source> = own_sources(&out);
    for (part, pm) in rest.drain(..).zip(&marks[1..]) {
        sources.extend(own_sources(&part));
        let mut paras = part.paragraphs.into_iter().enumerate().peekable();
        // Text before the section's first numbered paragraph continues the previous
        // section's last paragraph; it keeps the marking of both.
        if let Some((k, p0)) = paras.next_if(|(_, p)| p.number == 0) {
            let m0 = portion_part(&pm.paragraphs[k]);
            match (out.paragraphs.last_mut(), required.last_mut()) {
                (Some(last), Some(r)) => {
                    last.text.push('\n');
                    last.text.push_str(&p0.text);
                    *r = r.join(&m0);
                }
                _ => {
                    out.paragraphs.push(p0);
                    required.push(m0);
                }
            }
        }
        for (k, p) in paras {
            out.paragraphs.push(p);
            required.push(portion_part(&pm.paragraphs[k]));
        }
        for r in part.references {
            if !out.references.contains(&r) {
                out.references.push(r);
            }
        }
        if !part.signers.is_empty() {
            out.signers = part.signers;
        }
        if out.subject.is_none() {
            out.subject = part.subject;
            out.subject_marking = part.subject_marking;
        }
        out.redactions += part.redactions;
        out.comment = match (out.comment.take(), part.comment) {
            (Some(a), Some(b)) => Some(format!("{a}\n\n{b}")),
            (a, b) => a.or(b),
        };
        out.summary = out.summary.take().or(part.summary);
        out.diagnostics.extend(part.diagnostics);
    }
    out.classification = classification;
    out.captions = captions;
    let mut unique: Vec<Source> = Vec::new();
    for s in sources {
        if !unique.contains(&s) {
            unique.push(s);
        }
    }
    out.sources = if unique.len() > 1 { unique } else { Vec::new() };
    enforce(&mut out, &required, subject_req.as_ref());
    if missing.is_empty() {
        out.section = None;
        out.partial = false;
        out.diagnostics.retain(|d| d.code != Code::SectionMissing);
    } else {
        out.partial = true;
        let list: Vec<String> = missing.iter().map(u32::to_string).collect();
        out.diagnostics.push(Diagnostic::new(
            Code::SectionMissing,
            format!("section(s) {} of {of} missing", list.join(", ")),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::{Paragraph, Section};

    fn section(id: &str, n: u32, of: u32, paras: &[(u32, &str)]) -> Cable {
        Cable {
            id: Some(id.into()),
            section: Some(Section { number: n, of }),
            partial: true,
            paragraphs: paras
                .iter()
                .map(|(n, t)| Paragraph {
                    number: *n,
                    text: t.to_string(),
                    ..Default::default()
                })
                .collect(),
            source: Source {
                path: Some(format!("s{n}.txt")),
                format: "telegram".into(),
                encoding: "utf-8".into(),
                item: None,
                official_release: false,
            },
            ..Default::default()
        }
    }

    #[test]
    fn complete_sections_join_in_order() {
        let recs = vec![
            section("09PARIS997", 2, 2, &[(0, "continued."), (4, "Four.")]),
            section(
                "09PARIS997",
                1,
                2,
                &[(1, "One."), (2, "Two"), (3, "Three begins")],
            ),
        ];
        let out = join_sections(recs);
        assert_eq!(out.len(), 1);
        let c = &out[0];
        assert!(!c.partial);
        assert_eq!(c.section, None);
        let nums: Vec<u32> = c.paragraphs.iter().map(|p| p.number).collect();
        assert_eq!(nums, vec![1, 2, 3, 4]);
        assert_eq!(c.paragraphs[2].text, "Three begins\ncontinued.");
        assert_eq!(c.sources.len(), 2);
    }

    #[test]
    fn a_missing_section_is_reported() {
        let recs = vec![
            section("09PARIS997", 1, 3, &[(1, "One.")]),
            section("09PARIS997", 3, 3, &[(5, "Five.")]),
        ];
        let out = join_sections(recs);
        assert_eq!(out.len(), 1);
        assert!(out[0].partial);
        assert!(out[0]
            .diagnostics
            .iter()
            .any(|d| d.code == Code::SectionMissing && d.message.contains("2 of 3")));
    }

    #[test]
    fn merge_prefers_the_less_damaged_copy_and_lists_conflicts() {
        let mut damaged = section("08MOSCOW1599", 1, 1, &[(1, "Short")]);
        damaged.section = None;
        damaged.subject = Some("From a title".into());
        damaged
            .diagnostics
            .push(Diagnostic::new(Code::SubjectFromTitle, "t"));
        damaged.source.format = "republished-page".into();
        let mut good = section("08MOSCOW1599", 1, 1, &[(1, "Short and complete.")]);
        good.section = None;
        good.subject = Some("MEDVEDEV'S VISIT".into());
        good.tags = vec!["PREL".into()];
        good.source.format = "wikileaks-html-2011".into();
        good.source.path = Some("page.html".into());
        let merged = merge_copies(vec![damaged, good]);
        assert_eq!(merged.subject.as_deref(), Some("MEDVEDEV'S VISIT"));
        assert_eq!(merged.paragraphs[0].text, "Short and complete.");
        assert_eq!(merged.source.format, "wikileaks-html-2011");
        assert_eq!(merged.sources.len(), 2);
        assert!(merged
            .diagnostics
            .iter()
            .any(|d| d.code == Code::CopyConflict && d.message.starts_with("subject")));
    }

    // ---- markings (issue: copies and markings)

    use crate::marking::{Clearance, Control, Level, Marking};
    use crate::record::Reference;

    /// A whole copy: classification, then (number, mark, text) paragraphs.
    fn copy(path: &str, class: Option<&str>, paras: &[(u32, Option<&str>, &str)]) -> Cable {
        Cable {
            id: Some("09PARIS1".into()),
            classification: class.map(str::to_string),
            paragraphs: paras
                .iter()
                .map(|(n, m, t)| Paragraph {
                    number: *n,
                    marking: m.map(str::to_string),
                    text: t.to_string(),
                    ..Default::default()
                })
                .collect(),
            source: Source {
                path: Some(path.into()),
                format: "wikileaks-html-2011".into(),
                encoding: "utf-8".into(),
                ..Default::default()
            },
            ..Default::default()
        }
    }

    const T1: &str = "The minister told the ambassador that the army would move north in May.";
    const T2: &str = "Opposition leaders expect the election to be postponed until next spring.";
    const T3: &str = "Embassy officers will continue to follow the issue closely with contacts.";

    fn reader(level: &str, controls: &[&str]) -> Clearance {
        Clearance::parse(level, controls).unwrap()
    }

    /// What `k` may read of `c`: (subject, header fields, each paragraph).
    fn readable(c: &Cable, k: &Clearance) -> (bool, bool, Vec<bool>) {
        let e = effective_marks(c);
        let cable = k.holds_all(&e.cable);
        (
            cable && e.subject.as_ref().is_none_or(|m| k.may_read(m)),
            cable && k.may_read(&e.header()),
            e.paragraphs
                .iter()
                .map(|m| cable && k.may_read(m))
                .collect(),
        )
    }

    #[test]
    fn classification_and_captions_are_the_most_restrictive() {
        let mut a = copy("a", Some("CONFIDENTIAL"), &[(1, None, T1)]);
        a.captions = vec!["SIPDIS".into()];
        let mut b = copy("b", Some("SECRET"), &[(1, None, "The minister told")]);
        b.captions = vec!["EXDIS".into(), "SIPDIS".into()];
        // A body-only text: no classification, no mark; it neither lowers nor raises.
        let mut c = copy("c", None, &[(1, None, T1), (2, None, T2)]);
        c.captions = vec!["NOFORN".into()];
        let m = merge_copies(vec![a, b, c]);
        assert_eq!(m.classification.as_deref(), Some("SECRET//NOFORN"));
        assert_eq!(m.captions, ["NOFORN", "SIPDIS", "EXDIS"]);
        let e = effective_marks(&m);
        assert_eq!(e.overall, Level::S);
        assert_eq!(e.cable, [Control::Noforn, Control::Exdis].into());
        // ¶1 is S by the SECRET copy's unmarked ¶1; ¶2, held by the unclassified
        // copy only, is U there and stays U.
        assert_eq!(m.paragraphs[0].marking.as_deref(), Some("S"));
        assert_eq!(m.paragraphs[1].marking.as_deref(), Some("U"));

        // A copy without a classification does not raise: two UNCLAS copies stay so.
        let u = copy("u", Some("UNCLASSIFIED"), &[(1, None, "Short.")]);
        let n = copy("n", None, &[(1, None, T1)]);
        let m = merge_copies(vec![u, n]);
        assert_eq!(m.classification.as_deref(), Some("UNCLASSIFIED"));
    }

    #[test]
    fn controls_the_string_cannot_carry_become_captions() {
        let a = copy("a", Some("UNCLASSIFIED//NOFORN"), &[(1, None, T1)]);
        let b = copy("b", Some("LIMITED OFFICIAL USE"), &[(1, None, T1)]);
        let m = merge_copies(vec![a, b]);
        assert_eq!(m.classification.as_deref(), Some("LIMITED OFFICIAL USE"));
        assert_eq!(m.captions, ["NOFORN"]);
        assert!(cable_controls(&m).contains(&Control::Noforn));
        let mut a = copy("a", Some("SECRET"), &[(1, None, T1)]);
        a.captions = vec!["EYES ONLY".into()];
        let b = copy(
            "b",
            Some("UNCLASSIFIED//FOR OFFICIAL USE ONLY"),
            &[(1, None, T1)],
        );
        let m = merge_copies(vec![a, b]);
        assert_eq!(m.classification.as_deref(), Some("SECRET"));
        assert!(cable_controls(&m).contains(&Control::EyesOnly));
    }

    #[test]
    fn classification_strings_in_cablegate_vocabulary() {
        assert_eq!(
            classification_string(Level::S, true, false),
            "SECRET//NOFORN"
        );
        assert_eq!(
            classification_string(Level::Sbu, true, false),
            "UNCLASSIFIED//FOR OFFICIAL USE ONLY"
        );
        assert_eq!(
            classification_string(Level::U, false, true),
            "UNCLASSIFIED//FOR OFFICIAL USE ONLY"
        );
        assert_eq!(classification_string(Level::U, true, false), "UNCLASSIFIED");
        assert_eq!(
            classification_string(Level::C, false, false),
            "CONFIDENTIAL"
        );
        assert_eq!(
            classification_string(Level::Ts, true, false),
            "TOP SECRET//NOFORN"
        );
        // Every string reads back as its level.
        for l in Level::ALL {
            let s = classification_string(l, true, false);
            assert_eq!(read_classification(&s).unwrap().0, l, "{s}");
        }
    }

    #[test]
    fn explicit_codes_read_back_exactly() {
        let portion: Vec<Control> = Control::ALL
            .into_iter()
            .filter(|c| !c.is_caption())
            .collect();
        for level in Level::ALL {
            for bits in 0u32..(1 << portion.len()) {
                let m = Marking {
                    level,
                    controls: portion
                        .iter()
                        .enumerate()
                        .filter(|(i, _)| bits & (1 << i) != 0)
                        .map(|(_, c)| *c)
                        .collect(),
                };
                match read_mark(&m.code()) {
                    MarkReading::Known(pm) => {
                        assert_eq!((pm.level, pm.controls), (Some(level), m.controls.clone()));
                    }
                    other => panic!("{} reads as {other:?}", m.code()),
                }
            }
        }
    }

    #[test]
    fn a_short_unclas_copy_of_a_secret_cable_reveals_nothing() {
        let mut secret = copy(
            "cable.html",
            Some("SECRET//NOFORN"),
            &[
                (1, Some("S/NF"), T1),
                (2, Some("C"), T2),
                (3, Some("U"), T3),
            ],
        );
        secret.subject = Some("ARMY MOVES NORTH".into());
        secret.subject_marking = Some("S".into());
        secret.references = vec![Reference {
            label: Some("A".into()),
            kind: crate::record::ReferenceKind::Cable,
            id: Some("09PARIS0".into()),
            text: "PARIS 0".into(),
            year_inferred: false,
        }];
        secret.classified_by = vec!["AMBASSADOR DOE".into()];
        let u = reader("U", &["NOFORN"]);
        let before = readable(&secret, &u);
        assert_eq!(before, (false, false, vec![false, false, true]));

        // A curator's upload: UNCLAS, "(U)" marks, the same id; short, then long and
        // renumbered, unnumbered, and with the paragraphs' text glued together.
        let short = copy("upload.txt", Some("UNCLASSIFIED"), &[(1, Some("U"), T1)]);
        let mut long = copy(
            "upload2.txt",
            Some("UNCLASSIFIED"),
            &[
                (4, Some("U"), T1),
                (
                    5,
                    Some("U"),
                    &format!("{T2} And more words here for length."),
                ),
                (6, Some("U"), T3),
                (
                    7,
                    Some("U"),
                    "A paragraph of its own that no other copy holds at all.",
                ),
            ],
        );
        long.subject = Some("ARMY MOVES NORTH".into());
        long.subject_marking = Some("U".into());
        long.references = secret.references.clone();
        let unnumbered = copy(
            "upload3.txt",
            None,
            &[(
                0,
                None,
                &format!("{T1} {T2} {T3} Plus a long tail of other words."),
            )],
        );
        for upload in [short, long, unnumbered] {
            for order in [
                vec![secret.clone(), upload.clone()],
                vec![upload.clone(), secret.clone()],
            ] {
                let m = merge_copies(order);
                let (subject, header, paras) = readable(&m, &u);
                assert!(!subject && !header, "{m:#?}");
                for (p, ok) in m.paragraphs.iter().zip(&paras) {
                    let holds_secret = p.text.contains("army would move")
                        || p.text.contains("election to be postponed");
                    assert!(!(holds_secret && *ok), "U reads {:?} in {m:#?}", p.text);
                }
                // S without NOFORN reads nothing (the cable is NOFORN).
                let s = reader("S", &[]);
                assert_eq!(readable(&m, &s).2.iter().filter(|&&b| b).count(), 0);
                assert!(m.paragraphs.iter().any(|p| p.text.contains(T3)));
            }
        }
    }

    #[test]
    fn compound_and_unreadable_marks_keep_their_controls() {
        let a = copy(
            "a",
            Some("CONFIDENTIAL"),
            &[
                (1, Some("S//OC/NF"), T1),
                (2, Some("S//XYZ"), T2),
                (3, Some("C/NF"), T3),
            ],
        );
        let b = copy(
            "b",
            Some("CONFIDENTIAL"),
            &[
                (1, Some("C"), &format!("{T1} More.")),
                (2, Some("U"), &format!("{T2} More.")),
                (3, Some("C"), &format!("{T3} More.")),
            ],
        );
        let m = merge_copies(vec![a, b]);
        let codes: Vec<&str> = m
            .paragraphs
            .iter()
            .map(|p| p.marking.as_deref().unwrap())
            .collect();
        // The unreadable mark needs the highest level and every control seen.
        assert_eq!(codes, ["S/NF/OC", "S/NF/OC", "C/NF"]);
        let written: Vec<Option<&str>> = m
            .paragraphs
            .iter()
            .map(|p| p.marking_as_written.as_deref())
            .collect();
        assert_eq!(written, [Some("C"), Some("U"), Some("C")]);
        assert!(m
            .diagnostics
            .iter()
            .any(|d| d.code == Code::CopyConflict && d.paragraph == Some(2)));
    }

    #[test]
    fn correspondence_by_number_and_by_text() {
        let a = copy(
            "a",
            Some("SECRET"),
            &[(3, Some("S"), T1), (4, Some("U"), "Yes indeed.")],
        );
        // Renumbered: ¶3's text is ¶9 here, and an 8-word run of it is enough.
        let b = copy(
            "b",
            Some("UNCLASSIFIED"),
            &[
                (
                    9,
                    Some("U"),
                    "Preface: the minister told the ambassador that the army would move",
                ),
                (
                    10,
                    Some("U"),
                    "Yes indeed, and another sentence with nothing in common here at all.",
                ),
                (
                    11,
                    Some("U"),
                    "Entirely other words standing alone in this copy for length.",
                ),
            ],
        );
        let m = merge_copies(vec![a.clone(), b.clone()]);
        let codes: Vec<&str> = m
            .paragraphs
            .iter()
            .map(|p| p.marking.as_deref().unwrap())
            .collect();
        // Two shared words are too few to link "Yes indeed." to ¶10.
        assert_eq!(codes, ["S", "U", "U"]);
        // Half of the word pairs of the shorter paragraph (damaged: words glued).
        let c = copy(
            "c",
            Some("UNCLASSIFIED"),
            &[(0, Some("U"), "Ministertold the ambassador that the armywould move north in May, he said, and nothing else.")],
        );
        let m = merge_copies(vec![a, c]);
        assert_eq!(m.paragraphs[0].marking.as_deref(), Some("S"));
    }

    #[test]
    fn a_phrase_the_cable_repeats_links_nothing() {
        // Both copies agree: ¶1 (S) and ¶2 (C) each hold the same phrase.
        let phrase = "the MFA's office director for the Gulf states said";
        let a = copy(
            "a",
            Some("SECRET"),
            &[
                (
                    1,
                    Some("S"),
                    &format!("Secret opening words. {phrase} that Iran lies."),
                ),
                (2, Some("C"), &format!("Other words. {phrase} nothing new.")),
            ],
        );
        let mut b = a.clone();
        b.source.path = Some("b".into());
        b.paragraphs[0].text.push_str(" And a longer tail.");
        let m = merge_copies(vec![a.clone(), b]);
        let codes: Vec<&str> = m
            .paragraphs
            .iter()
            .map(|p| p.marking.as_deref().unwrap())
            .collect();
        assert_eq!(codes, ["S", "C"]);
        // A copy that holds the phrase under another number still links.
        let x = copy(
            "x",
            Some("UNCLASSIFIED"),
            &[
                (1, Some("U"), "Secret opening words."),
                (
                    5,
                    Some("U"),
                    &format!("{phrase} and more to make this copy the longest one."),
                ),
            ],
        );
        let m = merge_copies(vec![a, x]);
        let codes: Vec<&str> = m
            .paragraphs
            .iter()
            .map(|p| p.marking.as_deref().unwrap())
            .collect();
        assert_eq!(codes, ["S", "S"]);
    }

    #[test]
    fn correspondence_is_closed_transitively() {
        // A marks ¶3 S; B holds other words as ¶3 (S by number in A+B); X holds B's ¶3
        // words as ¶5. Without the closure, A+B+X would show them at U.
        let a = copy(
            "a",
            Some("SECRET"),
            &[(3, Some("S"), T1), (5, Some("U"), T3)],
        );
        let b = copy("b", Some("UNCLASSIFIED"), &[(3, Some("U"), T2)]);
        let x = copy(
            "x",
            Some("UNCLASSIFIED"),
            &[
                (
                    4,
                    Some("U"),
                    "Unrelated opening words for a longer copy here.",
                ),
                (5, Some("U"), T2),
                (6, Some("U"), T3),
            ],
        );
        let ab = merge_copies(vec![a.clone(), b.clone()]);
        let abx = merge_copies(vec![a, b, x]);
        let mark_of = |c: &Cable, text: &str| {
            c.paragraphs
                .iter()
                .find(|p| p.text == text)
                .and_then(|p| p.marking.clone())
        };
        assert_eq!(mark_of(&ab, T2), None, "A's text leads A+B");
        assert_eq!(mark_of(&abx, T2).as_deref(), Some("S"));
    }

    #[test]
    fn subject_cut_or_a_prefix_loses_to_the_longer() {
        let mut cut = copy("a", Some("UNCLASSIFIED"), &[(1, None, T1), (2, None, T2)]);
        cut.subject = Some("SCENESETTER FOR ATT...".into());
        let mut full = copy("b", Some("UNCLASSIFIED"), &[(1, None, "x")]);
        full.subject = Some("SCENESETTER FOR ATTORNEY GENERAL VISIT".into());
        let m = merge_copies(vec![cut.clone(), full.clone()]);
        assert_eq!(
            m.subject.as_deref(),
            Some("SCENESETTER FOR ATTORNEY GENERAL VISIT")
        );
        cut.subject = Some("SCENESETTER FOR ATTORNEY".into());
        let m = merge_copies(vec![cut, full]);
        assert_eq!(
            m.subject.as_deref(),
            Some("SCENESETTER FOR ATTORNEY GENERAL VISIT")
        );
    }

    #[test]
    fn summary_comes_from_text_the_merged_paragraphs_hold() {
        let mut a = copy(
            "a",
            Some("SECRET"),
            &[(1, Some("S"), "Summary: secret plans were made.")],
        );
        a.summary = Some("Secret plans were made.".into());
        let mut b = copy(
            "b",
            Some("SECRET"),
            &[
                (1, Some("U"), &format!("Summary: the visit went well. {T1}")),
                (2, Some("U"), T2),
            ],
        );
        b.summary = Some("The visit went well.".into());
        // A ranks first for fields (fewer damage), but its summary is not in the text.
        b.diagnostics.push(Diagnostic::new(Code::MissingDtg, "x"));
        let m = merge_copies(vec![a.clone(), b.clone()]);
        assert_eq!(m.paragraphs.len(), 2);
        assert_eq!(m.summary.as_deref(), Some("The visit went well."));
        b.summary = None;
        let m = merge_copies(vec![a, b]);
        assert_eq!(m.summary, None, "no copy's summary is held by the text");
    }

    #[test]
    fn an_official_release_governs_what_it_holds() {
        let mut leaked = copy(
            "leak.html",
            Some("SECRET//NOFORN"),
            &[
                (1, Some("S/NF"), T1),
                (2, Some("C"), T2),
                (3, Some("C"), T3),
            ],
        );
        leaked.classified_by = vec!["AMBASSADOR DOE".into()];
        let mut foia = copy(
            "foia.pdf",
            Some("UNCLASSIFIED"),
            &[
                (
                    1,
                    Some("U"),
                    "The minister told the ambassador that the army [REDACTED].",
                ),
                (2, Some("U"), T2),
            ],
        );
        foia.source.official_release = true;
        // Not flagged: nothing lowers.
        let mut plain = foia.clone();
        plain.source.official_release = false;
        let m = merge_copies(vec![leaked.clone(), plain]);
        assert_eq!(m.classification.as_deref(), Some("SECRET//NOFORN"));
        let codes: Vec<&str> = m
            .paragraphs
            .iter()
            .map(|p| p.marking.as_deref().unwrap())
            .collect();
        assert_eq!(codes, ["S/NF", "C", "C"]);

        // Flagged, holding ¶1-2 of 3: those two follow the release, in its words;
        // ¶3 and the classification stay.
        let m = merge_copies(vec![leaked.clone(), foia.clone()]);
        let codes: Vec<&str> = m
            .paragraphs
            .iter()
            .map(|p| p.marking.as_deref().unwrap())
            .collect();
        assert_eq!(codes, ["U", "U", "C"]);
        assert!(m.paragraphs[0].text.contains("[REDACTED]"));
        assert_eq!(m.classification.as_deref(), Some("SECRET//NOFORN"));
        assert_eq!(m.classified_by, ["AMBASSADOR DOE"]);
        assert!(m
            .diagnostics
            .iter()
            .any(|d| d.code == Code::OfficialRelease && d.message.contains("foia.pdf")));

        // Holding the whole text: the classification follows too, and header fields
        // come from the release only.
        foia.paragraphs.push(Paragraph {
            number: 3,
            marking: Some("U".into()),
            text: T3.into(),
            ..Default::default()
        });
        let m = merge_copies(vec![foia, leaked]);
        assert_eq!(m.classification.as_deref(), Some("UNCLASSIFIED"));
        assert!(m.classified_by.is_empty());
        assert_eq!(readable(&m, &reader("U", &[])).2, [true, true, true]);
    }

    #[test]
    fn the_least_damaged_copy_supplies_the_text() {
        // A page's first copy cut after a few words (as section 1 of 5), a full
        // copy with more diagnostics.
        let mut cut = copy(
            "page.html",
            Some("UNCLASSIFIED//FOR OFFICIAL USE ONLY"),
            &[(0, None, "ARNALL\",")],
        );
        cut.subject = Some("SCENESETTER FOR ATT...".into());
        cut.section = Some(Section { number: 1, of: 5 });
        cut.partial = true;
        let mut full = copy(
            "body.txt",
            Some("UNCLASSIFIED//FOR OFFICIAL USE ONLY"),
            &[
                (1, Some("SBU"), T1),
                (2, Some("U"), T2),
                (3, Some("SBU"), T3),
            ],
        );
        full.subject = Some("SCENESETTER FOR ATTORNEY GENERAL VISIT".into());
        full.source.format = "body-text".into();
        for code in [
            Code::IdInferred,
            Code::ClassificationImplied,
            Code::TruncatedParagraph,
        ] {
            full.diagnostics.push(Diagnostic::new(code, "x"));
        }
        let out = assemble(vec![cut, full]);
        assert_eq!(out.len(), 1);
        let m = &out[0];
        assert_eq!(m.paragraphs.len(), 3);
        assert_eq!(
            m.subject.as_deref(),
            Some("SCENESETTER FOR ATTORNEY GENERAL VISIT")
        );
        assert!(!m.partial);
        assert_eq!(m.section, None);
    }

    #[test]
    fn joined_sections_obey_the_marking_rules() {
        let mut s1 = section("09PARIS997", 1, 2, &[(1, "One."), (2, "Two runs")]);
        s1.classification = Some("CONFIDENTIAL".into());
        s1.subject = Some("TWO PARTS".into());
        s1.subject_marking = Some("C".into());
        let mut s2 = section("09PARIS997", 2, 2, &[(0, "on here."), (3, "Three.")]);
        s2.classification = Some("SECRET//NOFORN".into());
        s2.paragraphs[1].marking = Some("U".into());
        let out = join_sections(vec![s1, s2]);
        let c = &out[0];
        assert_eq!(c.classification.as_deref(), Some("SECRET//NOFORN"));
        let e = effective_marks(c);
        // ¶2 continues into section 2's unmarked (S) text.
        assert_eq!(e.paragraphs[1].level, Level::S);
        assert_eq!(e.paragraphs[2].level, Level::U);
        assert!(e.cable.contains(&Control::Noforn));
    }

    #[test]
    fn merging_is_independent_of_input_order() {
        let a = copy("a", Some("SECRET"), &[(1, Some("S"), T1), (2, None, T2)]);
        let mut b = copy(
            "b",
            Some("CONFIDENTIAL"),
            &[(1, Some("C"), T1), (2, Some("U"), T2)],
        );
        b.subject = Some("X".into());
        let mut c = copy("c", None, &[(0, None, T3)]);
        c.source.path = None;
        let mut d = c.clone();
        d.paragraphs[0].text.push_str(" More.");
        let one = merge_copies(vec![a.clone(), b.clone(), c.clone(), d.clone()]);
        let two = merge_copies(vec![d, c, b, a]);
        assert_eq!(one, two);
    }
}
