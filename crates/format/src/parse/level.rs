//! The cable's classification (stage 8 of the parser): its classification line,
//! else format line 4's security warning, an export row, or the highest portion
//! mark; and the doubts about markings (a paragraph above the cable, NF marks
//! without NOFORN, unmarked paragraphs among marked ones).

use super::identity::Identity;
use super::layout::Layout;
use super::Ctx;
use crate::assemble::classification_string;
use crate::diagnostics::{Code, Diagnostic};
use crate::marking::{Level, PortionMark};

/// Sets the record's classification and pushes the marking diagnostics.
pub(super) fn classify(cx: &mut Ctx<'_>) {
    let Ctx {
        lay:
            Layout {
                env,
                class_line,
                dump,
                ..
            },
        ident: Identity {
            header_body_mismatch,
            ..
        },
        body,
        cable,
        diags,
        ..
    } = cx;
    let header_body_mismatch = *header_body_mismatch;
    // ---- classification
    let max_mark: Option<&PortionMark> = body
        .marks
        .iter()
        .flatten()
        .filter(|m| m.level.is_some())
        .max_by_key(|m| (m.level.map(Level::rank), m.noforn()));
    let has_nf_marks = body.marks.iter().flatten().any(PortionMark::noforn);
    let has_sbu_marks = body
        .marks
        .iter()
        .flatten()
        .any(|m| m.level == Some(Level::Sbu));
    let sensitive = cable.captions.iter().any(|c| c == "SENSITIVE");
    let noforn = cable.captions.iter().any(|c| c == "NOFORN");
    let fl4_level = env.security_letter.and_then(|c| match c {
        'U' | 'E' => Some(Level::U),
        'C' => Some(Level::C),
        'S' => Some(Level::S),
        'T' => Some(Level::Ts),
        _ => None,
    });
    let dump_level = dump
        .classification
        .as_deref()
        .and_then(|c| Level::parse(c.split("//").next().unwrap_or("")));
    let (level, implied_by) = match (&class_line, fl4_level, max_mark) {
        (Some(_), Some(l), _) if header_body_mismatch => (
            Some(l),
            Some("the header's security warning (the text is another cable's)"),
        ),
        (Some(cl), _, _) => (Some(cl.level), None),
        (None, Some(l), _) => (Some(l), Some("the security warning on format line 4")),
        (None, None, _) if dump_level.is_some() => {
            (dump_level, Some("the export row before the cable"))
        }
        (None, None, Some(m)) => (m.level, Some("the highest portion mark")),
        _ => (None, None),
    };
    if let Some(l) = level {
        // UNCLAS with NOFORN and no SENSITIVE: Cablegate published it as FOUO.
        let fouo = sensitive
            || (l == Level::U && noforn)
            || (implied_by.is_some() && l == Level::Sbu)
            || (implied_by.is_some() && l == Level::U && has_sbu_marks);
        cable.classification = Some(classification_string(l, noforn, fouo));
        if let Some(by) = implied_by {
            diags.push(Diagnostic::new(
                Code::ClassificationImplied,
                format!(
                    "no classification line: {} implied by {by}",
                    cable.classification.as_deref().unwrap_or("")
                ),
            ));
        }
        if let (Some(cl), Some(f)) = (&class_line, fl4_level) {
            if cl.level.rank() != f.rank() {
                diags.push(Diagnostic::new(
                    Code::SecurityWarningMismatch,
                    format!(
                        "format line 4 says {f}, the classification line {}",
                        cl.level
                    ),
                ));
            }
        }
        if class_line.is_some() && l == Level::U && has_sbu_marks && !sensitive {
            diags.push(Diagnostic::new(
                Code::SbuWithoutCaption,
                "(SBU) portion marks without the SENSITIVE caption: published as plain UNCLASSIFIED",
            ));
        }
        // A FOR OFFICIAL USE ONLY cable is at SBU: its (SBU) paragraphs are not above it.
        let effective = if fouo && l == Level::U { Level::Sbu } else { l };
        for (p, m) in body.paragraphs.iter().zip(&body.marks) {
            if let Some(m) = m {
                if m.level.is_some_and(|ml| ml.rank() > effective.rank()) {
                    diags.push(Diagnostic::at(
                        Code::MarkingAboveClassification,
                        p.number,
                        format!(
                            "paragraph {} is marked {m}, above the cable's {l}",
                            p.number
                        ),
                    ));
                }
            }
        }
    }
    if has_nf_marks && !noforn {
        diags.push(Diagnostic::new(
            Code::NofornMarksWithoutCaption,
            "NF portion marks without the NOFORN caption",
        ));
    }
    let any_marked = body.marks.iter().any(Option::is_some);
    if any_marked {
        for p in &body.paragraphs {
            if p.number > 0 && p.marking.is_none() {
                diags.push(Diagnostic::at(
                    Code::UnmarkedParagraph,
                    p.number,
                    format!(
                        "paragraph {} has no portion mark; it takes the cable's classification",
                        p.number
                    ),
                ));
            }
        }
    }
}
