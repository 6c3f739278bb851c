//! Redaction: what one reader may see of a record. The record-side half of the
//! clearance rule; the index-side half (search gating) is
//! `cablescope_archive::gating`. Both derive from
//! `cablescope_format::marking::effective_marks` and `Clearance::may_read` and
//! nothing else, and a property test (`tests/agree.rs`) checks that they agree.
//!
//! # The rules
//!
//! * Levels U < SBU (= LOU) < C < S < TS. Controls (dissemination controls such as
//!   NOFORN, ORCON, PROPIN, IMCON; SCI systems; distribution captions such as NODIS
//!   and EXDIS) restrict readers: a reader must hold every control on what they read.
//!   SIPDIS, passing lines, TAGS and REL TO lists restrict no one.
//! * A **portion** (a paragraph, the subject line) is readable when
//!   `Clearance::may_read` of its effective marking holds (rules of the effective
//!   marking in `cablescope_format::marking`: an unmarked or level-less portion takes
//!   the overall level; an unreadable mark is judged at the cable's highest level
//!   with every control seen in the cable; special controls are one group per cable).
//! * A **cable-wide control** (a caption, or after `//` in the classification)
//!   applies to all of it: a reader lacking one sees nothing of the cable.
//! * **Header text** that carries no mark of its own — the REF list (and the
//!   citation edges it creates), `classified_by`, `reasons` — is read at the overall
//!   level. SUMMARY and COMMENT are drawn from the paragraphs: they are shown when
//!   every paragraph they were drawn from is readable (found by matching their words
//!   back to the paragraphs, [`drawn_from`]); when that cannot be established they are
//!   shown only to a reader who may read the whole cable.
//! * The **envelope** — id, dates, origin, precedence, addressees, classification
//!   string, captions, TAGS, E.O. line and DECL date, section, signers, sources and
//!   published metadata, and the number and marking of every paragraph — is visible
//!   to anyone who may see the cable at all.
//! * A cable is **visible** when every cable-wide control is held and at least one
//!   portion is readable (a cable without any portion: when its header is). An
//!   invisible cable is "not found" everywhere, exactly like an unknown id, and
//!   counted nowhere.
//! * A cable **released** under the declassification policy at the reader's
//!   `as_of` date is fully readable by everyone.
//! * **Diagnostics** keep their code and paragraph number; their messages (which may
//!   quote text) are emptied whenever anything of the cable is withheld.
//! * A stored **copy** of a cable (the Sources diff) is judged portion by portion by
//!   the join of its own effective marking and the merged record's marking for the
//!   same portion ([`Access::judge_copy`]): a copy never shows more than the merged
//!   record does.
//!
//! A redacted record ([`Access::redact`]) keeps every paragraph: a withheld one keeps
//! its number and marking, gets `withheld: true`, and loses its text and heading;
//! withheld header fields are emptied and named in `Cable::withheld`.

use std::collections::BTreeMap;

use cablescope_archive::declass::{self, Date, DeclassPolicy};
use cablescope_archive::{Scope, SearchOptions};
use cablescope_format::marking::{effective_marks, Clearance, EffectiveMarks, Marking};
use cablescope_format::{Cable, Paragraph};

/// A reader's view of the archive: their clearance, the date the archive is read
/// at, and the archive's declassification policy (loaded once, with
/// [`crate::Library::session`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Access {
    /// What the reader is cleared for.
    pub clearance: Clearance,
    /// The date releases are evaluated at (`--as-of`; today by default).
    pub as_of: Date,
    /// The archive's declassification policy.
    pub policy: DeclassPolicy,
}

/// What a reader may read of one cable ([`Access::judge`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    /// The reader may see the cable at all.
    pub visible: bool,
    /// The cable is released (declassified) at the reader's date.
    pub released: bool,
    /// The unmarked header text (REF list, classified_by, reasons) is readable.
    pub header: bool,
    /// The subject line is readable (true when there is none).
    pub subject: bool,
    /// Each paragraph, in order: readable.
    pub paragraphs: Vec<bool>,
    /// The summary is shown (true when there is none).
    pub summary: bool,
    /// The comment is shown (true when there is none).
    pub comment: bool,
}

impl Verdict {
    /// True when nothing of the cable is withheld.
    pub fn complete(&self) -> bool {
        self.visible
            && self.header
            && self.subject
            && self.summary
            && self.comment
            && self.paragraphs.iter().all(|&p| p)
    }

    fn nothing(c: &Cable) -> Verdict {
        Verdict {
            visible: false,
            released: false,
            header: false,
            subject: false,
            paragraphs: vec![false; c.paragraphs.len()],
            summary: false,
            comment: false,
        }
    }

    fn everything(c: &Cable, released: bool) -> Verdict {
        Verdict {
            visible: true,
            released,
            header: true,
            subject: true,
            paragraphs: vec![true; c.paragraphs.len()],
            summary: true,
            comment: true,
        }
    }
}

impl Access {
    /// A reader with `clearance` at `as_of` under `policy`.
    pub fn new(clearance: Clearance, as_of: Date, policy: DeclassPolicy) -> Access {
        Access {
            clearance,
            as_of,
            policy,
        }
    }

    /// Everything, today, with the policy off (an open archive's reader).
    pub fn all() -> Access {
        Access::new(Clearance::all(), declass::today(), DeclassPolicy::default())
    }

    /// True when the reader may read every cable in full.
    pub fn sees_everything(&self) -> bool {
        self.clearance.is_all()
    }

    /// This reader as the index gates searches for them.
    pub fn scope(&self) -> Scope {
        Scope::new(self.clearance.clone(), self.as_of, self.policy.clone())
    }

    /// True when `c` is released at this reader's date under the policy.
    pub fn released(&self, c: &Cable) -> bool {
        declass::is_released(c, &self.policy, self.as_of)
    }

    /// Search options for this reader (limit, sort and the rest at their defaults).
    pub fn search_options(&self) -> SearchOptions {
        SearchOptions::new(self.scope())
    }

    /// What this reader may read of `c`, by the effective marking of each of its
    /// portions (`cablescope_format::marking::effective_marks`).
    pub fn judge(&self, c: &Cable) -> Verdict {
        if self.sees_everything() {
            return Verdict::everything(c, false);
        }
        if self.released(c) {
            return Verdict::everything(c, true);
        }
        self.judge_marks(c, &effective_marks(c))
    }

    /// What this reader may read of `c` when its portions carry `marks` (the
    /// releases and the reader cleared for everything aside).
    pub fn judge_marks(&self, c: &Cable, marks: &EffectiveMarks) -> Verdict {
        let cl = &self.clearance;
        let lacking = !cl.holds_all(&marks.cable);
        let header = cl.may_read(&marks.header());
        let subject_ok =
            c.subject.is_none() || marks.subject.as_ref().is_some_and(|m| cl.may_read(m));
        let paragraphs: Vec<bool> = marks.paragraphs.iter().map(|m| cl.may_read(m)).collect();
        let has_portion = c.subject.is_some() || !c.paragraphs.is_empty();
        let some_portion = (c.subject.is_some() && subject_ok) || paragraphs.iter().any(|&p| p);
        let visible = !lacking && (some_portion || (!has_portion && header));
        if !visible {
            return Verdict::nothing(c);
        }
        let whole = header && subject_ok && paragraphs.iter().all(|&p| p);
        let derived = |text: &Option<String>| match text {
            None => true,
            Some(_) if whole => true,
            Some(t) => {
                drawn_from(t, &c.paragraphs).is_some_and(|src| src.iter().all(|&i| paragraphs[i]))
            }
        };
        Verdict {
            visible,
            released: false,
            header,
            subject: subject_ok,
            summary: derived(&c.summary),
            comment: derived(&c.comment),
            paragraphs,
        }
    }

    /// The copy of `c` this reader may see (see the module documentation), `None`
    /// when the cable is invisible to them.
    pub fn redact(&self, c: &Cable) -> Option<Cable> {
        self.redact_by(c, &self.judge(c))
    }

    /// `c` redacted by the verdict `v` (`None` when `v` says invisible).
    pub fn redact_by(&self, c: &Cable, v: &Verdict) -> Option<Cable> {
        if !v.visible {
            return None;
        }
        let mut out = c.clone();
        out.withheld.clear();
        if v.complete() {
            return Some(out);
        }
        for (p, ok) in out.paragraphs.iter_mut().zip(&v.paragraphs) {
            if !ok {
                p.text.clear();
                p.heading = None;
                p.withheld = true;
            }
        }
        let mut withheld = Vec::new();
        if !v.subject && out.subject.take().is_some() {
            withheld.push("subject");
        }
        if !v.summary && out.summary.take().is_some() {
            withheld.push("summary");
        }
        if !v.comment && out.comment.take().is_some() {
            withheld.push("comment");
        }
        if !v.header {
            if !out.references.is_empty() {
                out.references.clear();
                withheld.push("references");
            }
            let statement = out.classified_by_line.take().is_some();
            if !out.classified_by.is_empty() || statement {
                out.classified_by.clear();
                withheld.push("classified_by");
            }
            if !out.reasons.is_empty() {
                out.reasons.clear();
                withheld.push("reasons");
            }
        }
        // Messages may quote withheld text; code and paragraph number stay.
        for d in &mut out.diagnostics {
            d.message.clear();
        }
        out.withheld = withheld.into_iter().map(str::to_string).collect();
        Some(out)
    }
}

impl Access {
    /// What this reader may read of `copy`, a stored copy of the cable whose merged
    /// record is `merged`: each portion by the join (the more restrictive) of the
    /// copy's own effective marking and the merged record's markings for the same
    /// portion (the merged paragraph of the same number, and every merged paragraph
    /// the copy paragraph's words are drawn from, [`drawn_from`]; the most
    /// restrictive marking of the merged record, its highest level with every
    /// control seen, for a paragraph with neither). Header text is read at the
    /// join of both overall levels, and every cable-wide control of either applies.
    /// A copy of a cable the reader may not see shows nothing; a copy of a visible
    /// cable is always listed, with whatever it withholds.
    pub fn judge_copy(&self, copy: &Cable, merged: &Cable) -> Verdict {
        let mv = self.judge(merged);
        if !mv.visible {
            return Verdict::nothing(copy);
        }
        if self.sees_everything() || mv.released {
            return Verdict::everything(copy, mv.released);
        }
        let own = effective_marks(copy);
        let theirs = effective_marks(merged);
        let strictest = Marking {
            level: theirs.highest,
            controls: theirs.seen.clone(),
        };
        // The merged paragraphs a copy paragraph corresponds to: the one of the
        // same number, and every one its words are drawn from. A paragraph whose
        // words are not all in the merged text and that has no numbered
        // counterpart is judged by the strictest marking of the merged record.
        let counterpart = |i: usize| -> Marking {
            let p = &copy.paragraphs[i];
            let mut at: Vec<usize> = Vec::new();
            if p.number > 0 {
                let mut same = merged
                    .paragraphs
                    .iter()
                    .enumerate()
                    .filter(|(_, q)| q.number == p.number);
                if let (Some((j, _)), None) = (same.next(), same.next()) {
                    at.push(j);
                }
            }
            let text = match &p.heading {
                Some(h) => format!("{h} {}", p.text),
                None => p.text.clone(),
            };
            match drawn_from(&text, &merged.paragraphs) {
                Some(from) => at.extend(from),
                None if at.is_empty() => return strictest.clone(),
                None => {}
            }
            if at.is_empty() {
                // No words at all (an empty paragraph): nothing to show anyway.
                return strictest.clone();
            }
            at.iter()
                .fold(Marking::default(), |m, &j| m.join(&theirs.paragraphs[j]))
        };
        let paragraphs: Vec<Marking> = own
            .paragraphs
            .iter()
            .enumerate()
            .map(|(i, m)| m.join(&counterpart(i)))
            .collect();
        let subject = own
            .subject
            .as_ref()
            .map(|m| m.join(theirs.subject.as_ref().unwrap_or(&strictest)));
        let joined = EffectiveMarks {
            overall: own.overall.max_rank(theirs.overall),
            highest: own.highest.max_rank(theirs.highest),
            cable: own.cable.union(&theirs.cable).copied().collect(),
            seen: own.seen.union(&theirs.seen).copied().collect(),
            group: own.group.union(&theirs.group).copied().collect(),
            subject,
            paragraphs,
        };
        let v = self.judge_marks(copy, &joined);
        if v.visible {
            v
        } else {
            // Listed, with everything withheld.
            Verdict {
                visible: true,
                ..Verdict::nothing(copy)
            }
        }
    }

    /// `copy` (a stored copy of the cable `merged`) as this reader may see it
    /// ([`Access::judge_copy`]); `None` when the cable is invisible to them.
    pub fn redact_copy(&self, copy: &Cable, merged: &Cable) -> Option<Cable> {
        self.redact_by(copy, &self.judge_copy(copy, merged))
    }
}

/// What a redacted record withholds, for the audit log: `ID field` for each
/// withheld header field (`08MOSCOW1599 subject`, `08MOSCOW1599 references`) and
/// `ID ¶N (MARK)` for each withheld paragraph (`08MOSCOW1599 ¶3 (S/NF)`). Empty for
/// a complete record.
pub fn withheld_list(c: &Cable) -> Vec<String> {
    let id = c.id.as_deref().unwrap_or("?");
    let mut out: Vec<String> = c.withheld.iter().map(|w| format!("{id} {w}")).collect();
    for (i, p) in c.paragraphs.iter().enumerate() {
        if p.withheld {
            let n = if p.number > 0 {
                p.number.to_string()
            } else {
                format!("#{}", i + 1)
            };
            match &p.marking {
                Some(m) => out.push(format!("{id} ¶{n} ({m})")),
                None => out.push(format!("{id} ¶{n}")),
            }
        }
    }
    out
}

/// Lower-cased alphanumeric words, the unit [`drawn_from`] matches on.
fn words(s: &str) -> Vec<String> {
    s.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// The paragraphs (indexes) a block of text derived from them (a summary or a
/// comment) was drawn from, or `None` when some of its words are found in no
/// paragraph (text from elsewhere: the preamble, a repaired copy).
///
/// The block is covered greedily by the longest runs of consecutive words that occur
/// in some paragraph; every paragraph holding a chosen run counts as a source (ties
/// all count, so a run repeated in a withheld paragraph withholds the block). Greedy
/// longest-first covering is exact here: any part of a matching run matches too.
pub fn drawn_from(block: &str, paragraphs: &[Paragraph]) -> Option<Vec<usize>> {
    let s = words(block);
    let ps: Vec<Vec<String>> = paragraphs.iter().map(|p| words(&p.text)).collect();
    let mut sources: BTreeMap<usize, ()> = BTreeMap::new();
    let mut i = 0;
    while i < s.len() {
        let mut best = 0;
        let mut holders: Vec<usize> = Vec::new();
        for (k, p) in ps.iter().enumerate() {
            let mut here = 0;
            for j in 0..p.len() {
                if p[j] != s[i] {
                    continue;
                }
                let mut l = 1;
                while i + l < s.len() && j + l < p.len() && p[j + l] == s[i + l] {
                    l += 1;
                }
                here = here.max(l);
            }
            if here > best {
                best = here;
                holders.clear();
            }
            if here == best && here > 0 {
                holders.push(k);
            }
        }
        if best == 0 {
            return None;
        }
        for k in holders {
            sources.insert(k, ());
        }
        i += best;
    }
    Some(sources.into_keys().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn para(n: u32, mark: &str, text: &str) -> Paragraph {
        Paragraph {
            number: n,
            marking: Some(mark.into()),
            text: text.into(),
            ..Paragraph::default()
        }
    }

    fn secret() -> Cable {
        Cable {
            id: Some("08MOSCOW1".into()),
            classification: Some("SECRET".into()),
            subject: Some("TALKS".into()),
            subject_marking: Some("C".into()),
            summary: Some("The visit went well. Missiles were moved.".into()),
            references: vec![cablescope_format::Reference {
                label: None,
                kind: cablescope_format::ReferenceKind::Cable,
                id: Some("08STATE1".into()),
                text: "08 STATE 1".into(),
                year_inferred: false,
            }],
            paragraphs: vec![
                para(1, "U", "Summary: The visit went well."),
                para(2, "S", "Missiles were moved. End summary."),
                para(3, "C", "Zebra crossings."),
            ],
            diagnostics: vec![cablescope_format::Diagnostic::at(
                cablescope_format::Code::UnknownMarking,
                2,
                "quotes Missiles",
            )],
            ..Cable::default()
        }
    }

    fn reader(level: &str, caveats: &[&str]) -> Access {
        Access::new(
            Clearance::parse(level, caveats).unwrap(),
            "2020-01-01".parse().unwrap(),
            DeclassPolicy::default(),
        )
    }

    #[test]
    fn summaries_follow_their_paragraphs() {
        let c = secret();
        assert_eq!(
            drawn_from(c.summary.as_deref().unwrap(), &c.paragraphs),
            Some(vec![0, 1])
        );
        assert_eq!(drawn_from("Nothing like it", &c.paragraphs), None);
        let v = reader("C", &[]).judge(&c);
        assert!(v.visible && !v.header && v.subject && !v.summary);
        assert_eq!(v.paragraphs, [true, false, true]);
        assert!(reader("S", &[]).judge(&c).complete());
    }

    #[test]
    fn redaction_keeps_placeholders() {
        let r = reader("C", &[]).redact(&secret()).unwrap();
        assert!(r.paragraphs[1].withheld && r.paragraphs[1].text.is_empty());
        assert_eq!(r.paragraphs[1].marking.as_deref(), Some("S"));
        assert!(!r.paragraphs[0].withheld);
        assert_eq!(r.withheld, ["summary", "references"]);
        assert!(r.references.is_empty() && r.summary.is_none());
        assert_eq!(r.subject.as_deref(), Some("TALKS"));
        assert!(r.diagnostics[0].message.is_empty());
        assert_eq!(r.diagnostics[0].paragraph, Some(2));
        assert_eq!(
            withheld_list(&r),
            [
                "08MOSCOW1 summary",
                "08MOSCOW1 references",
                "08MOSCOW1 ¶2 (S)"
            ]
        );
        let u = reader("U", &[]).redact(&secret()).unwrap();
        assert_eq!(u.withheld, ["subject", "summary", "references"]);
        assert_eq!(reader("TS", &[]).redact(&secret()).unwrap(), secret());
    }

    #[test]
    fn caveats_hide_whole_cables_until_release() {
        let mut c = secret();
        c.captions = vec!["NODIS".into()];
        c.created = Some("1990-01-01T00:00:00Z".into());
        assert!(!reader("TS", &["NOFORN"]).judge(&c).visible);
        assert!(reader("TS", &[]).redact(&c).is_none());
        let mut u = reader("U", &[]);
        u.policy.enabled = true;
        // 1990 + 25 years: released on 2015-12-31, so by 2020 a U reader reads all.
        assert_eq!(u.redact(&c).unwrap(), c);
        u.as_of = "2015-12-30".parse().unwrap();
        assert!(u.redact(&c).is_none());
    }

    #[test]
    fn a_cable_without_portions_follows_its_header() {
        let c = Cable {
            classification: Some("CONFIDENTIAL".into()),
            ..Cable::default()
        };
        assert!(!reader("U", &[]).judge(&c).visible);
        assert!(reader("C", &[]).judge(&c).visible);
    }
}
