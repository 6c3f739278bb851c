//! The record's content (stages 7 and 9 of the parser): section, summary,
//! comment, signers, references, and the prose between the preamble and
//! paragraph 1; last, the record's emptiness.

use super::captions::{caption_words, word_count};
use super::identity::{Dating, Identity};
use super::layout::Layout;
use super::{classline, count_redactions, fields, preamble, references, text, Citing, Ctx};
use crate::diagnostics::{Code, Diagnostic};
use crate::record::Section;

/// The section this copy is, when not the whole cable (stage 7).
pub(super) fn section(cx: &mut Ctx<'_>) {
    let Ctx {
        lay: Layout {
            env, class_line, ..
        },
        body,
        cable,
        ..
    } = cx;
    // ---- section
    let breaks = body.breaks;
    if let Some((n, m)) = class_line.as_ref().and_then(|c| c.section) {
        // A first section whose text runs to the signature is the whole cable (the
        // publisher joined the sections and dropped their breaks).
        let complete = m <= 1
            || breaks.is_some_and(|(page, of)| page >= m || page >= of && of > 0 && n == 1)
            || (n == 1 && breaks.is_none() && !body.signers.is_empty());
        if !complete {
            cable.section = Some(Section { number: n, of: m });
            cable.partial = true;
        }
    } else if let Some(de) = &env.de {
        if let (Some(s), Some((page, of))) = (de.section, breaks) {
            if page < of && s > 0 {
                cable.section = Some(Section { number: s, of });
                cable.partial = true;
            }
        }
    }
}

/// Summary, comment, redactions and signers (stage 7).
pub(super) fn summary_and_comment(cx: &mut Ctx<'_>) {
    let Ctx {
        normalized,
        pre_free,
        body,
        cable,
        ..
    } = cx;
    // ---- paragraphs, summary, comment, signature
    let body_text: String = body
        .paragraphs
        .iter()
        .map(|p| p.text.as_str())
        .collect::<Vec<_>>()
        .join("\n\n");
    // A summary can stand before paragraph 1, among the preamble's free lines.
    // Captions and passing lines are not part of a summary that opens before
    // paragraph 1.
    let lead: Vec<&str> = pre_free
        .iter()
        .map(String::as_str)
        .filter(|f| {
            let captions_only = {
                let w = caption_words(f);
                !w.is_empty() && w.len() == word_count(f)
            };
            !captions_only && !cable.passing_lines.iter().any(|p| p == f)
        })
        .collect();
    let with_lead = if lead.is_empty() {
        body_text.clone()
    } else {
        format!("{}\n\n{body_text}", lead.join("\n"))
    };
    cable.summary = fields::summary(&with_lead).or_else(|| {
        body.paragraphs.iter().find_map(|p| {
            let t = p.text.trim_start();
            let up = t.get(..7).unwrap_or("").to_ascii_uppercase();
            (up.starts_with("SUMMARY"))
                .then(|| {
                    let rest = t[7..].trim_start_matches([':', '.', ' ', '-', '=']);
                    text::squeeze(fields::cut_at_inline_heading(rest))
                })
                .filter(|s| !s.is_empty())
        })
    });
    cable.comment = fields::comment(&body_text);
    cable.redactions = count_redactions(&normalized[..normalized.len()]);
    cable.signers = body.signers.clone();
}

/// A partial extract's note and a declassification date before the cable's
/// (stage 9).
pub(super) fn extract_and_dates(cx: &mut Ctx<'_>) {
    let Ctx {
        normalized,
        lay: Layout { leader, .. },
        cable,
        diags,
        ..
    } = cx;
    // ---- partial extracts
    if memchr::memmem::find(
        normalized.as_bytes(),
        b"partial extract of the original cable",
    )
    .is_some()
        || leader.partial_note
    {
        cable.partial = true;
        diags.push(Diagnostic::new(
            Code::PartialExtract,
            "the text is a partial extract of the original cable",
        ));
    }
    if let (Some(d), Some(c)) = (&cable.declassify_on, &cable.created) {
        if d.as_str() < &c[..10] {
            diags.push(Diagnostic::new(
                Code::DeclassifyBeforeCreated,
                format!("DECL date {d} is before the cable's date"),
            ));
        }
    }
}

/// The REF list, read with the citing cable's id and year (stage 9).
pub(super) fn references(cx: &mut Ctx<'_>) {
    let Ctx {
        pre,
        dating: Dating { year, .. },
        ident: Identity { id, .. },
        cable,
        ..
    } = cx;
    let year = *year;
    // ---- references (need the id and year)
    if let Some(r) = pre.get(preamble::Field::Ref) {
        let citing = Citing {
            year: id.as_ref().map(|i| i.year).or(year),
            id: id.clone(),
        };
        cable.references = references::parse(&r.text, &citing);
        for more in &r.more {
            for reference in references::parse(more, &citing) {
                if !cable.references.contains(&reference) {
                    cable.references.push(reference);
                }
            }
        }
    }
}

/// The paragraphs, with the prose before paragraph 1 and, for a copy with no
/// text, its repeated header; then the check that the text held a cable at all
/// (stage 10).
pub(super) fn paragraphs(cx: &mut Ctx<'_>) {
    let body = std::mem::take(&mut cx.body);
    let Ctx {
        lay:
            Layout {
                rest,
                para1,
                dropped_copy,
                ..
            },
        pre,
        pre_text,
        cable,
        diags,
        ..
    } = cx;
    let para1 = *para1;
    cable.paragraphs = body.paragraphs;
    // Prose between the preamble's last field and paragraph 1: the continuation of
    // the previous section's last paragraph, an unnumbered opening, or a heading.
    if para1 < rest.len() {
        let after_fields = pre.fields_end().min(pre_text.len());
        let prose: Vec<&str> = pre_text[after_fields..]
            .split('\n')
            .map(str::trim)
            .filter(|l| {
                let furniture = l.is_empty()
                    || text::is_rule(l)
                    || l.contains("partial extract")
                    || (text::is_upper(l) && l.len() <= 100);
                !furniture && caption_words(l).len() < word_count(l)
            })
            .collect();
        let continuation = cable.section.is_some_and(|s| s.number > 1);
        let total: usize = prose.iter().map(|l| l.len()).sum();
        if !prose.is_empty() {
            if continuation
                || prose.len() > 2
                || total > 100
                || prose.iter().any(|l| l.ends_with(['.', ',', ':']))
            {
                // The body may already open unnumbered (its first number was not
                // accepted as paragraph 1): the prose belongs to that opening.
                if let Some(first) = cable.paragraphs.first_mut().filter(|p| p.number == 0) {
                    first.text = format!("{}\n{}", prose.join("\n"), first.text);
                } else {
                    cable.paragraphs.insert(
                        0,
                        crate::record::Paragraph {
                            number: 0,
                            text: prose.join("\n"),
                            ..Default::default()
                        },
                    );
                }
            } else if let Some(first) = cable.paragraphs.first_mut() {
                if first.heading.is_none() {
                    first.heading = Some(text::squeeze(&prose.join(" ")));
                }
            }
        }
    }
    if cable.paragraphs.iter().all(|p| p.text.trim().is_empty()) && !dropped_copy.is_empty() {
        // No text but a second copy of the header that was not read (a page whose
        // body is a header preview and a collapsed repeat cut after TAGS): what the
        // copy shows as its text is kept, so that no word of it is lost.
        let from = dropped_copy
            .iter()
            .position(|l| classline::read_long(l).is_some_and(|c| c.station.is_some()))
            .unwrap_or(0);
        let kept: Vec<&str> = dropped_copy[from..]
            .iter()
            .map(|l| l.trim())
            .filter(|l| !l.is_empty())
            .collect();
        if !kept.is_empty() {
            cable.paragraphs = vec![crate::record::Paragraph {
                number: 0,
                text: kept.join("\n"),
                ..Default::default()
            }];
            diags.push(Diagnostic::new(
                Code::MissingField,
                "the copy has no text beyond its header: the repeated header it shows \
                 in place of the text is kept as paragraph 0",
            ));
        }
    }
    let empty = cable.paragraphs.iter().all(|p| p.text.trim().is_empty())
        && cable.id.is_none()
        && cable.subject.is_none()
        && cable.tags.is_empty()
        && cable.references.is_empty()
        && cable.classification.is_none()
        && cable.created.is_none();
    if empty {
        diags.retain(|d| d.code != Code::MissingDtg);
        diags.push(Diagnostic::new(
            Code::NoCableText,
            "the text holds no cable: no header fields and no paragraphs",
        ));
    }
    diags.extend(body.diagnostics);
}
