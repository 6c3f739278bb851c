//! Captions (NOFORN, SIPDIS, EXDIS...) and passing lines (`DEPT FOR EUR/RUS`)
//! among the preamble's free lines (stage 2 of the parser).

use super::layout::{DumpRow, Layout};
use super::{classline, text, Ctx};

/// The record's captions and passing lines, from the classification line, the
/// preamble's free lines and the captions repeated in the body.
pub(super) fn captions_and_passing(cx: &mut Ctx<'_>) {
    let Ctx {
        lay: Layout { class_line, .. },
        pre,
        pre_text,
        pre_free,
        body,
        cable,
        ..
    } = cx;
    // ---- captions and passing lines
    let mut captions: Vec<String> = Vec::new();
    let add_caption = |c: &str, captions: &mut Vec<String>| {
        if !captions.iter().any(|x| x == c) {
            captions.push(c.to_string());
        }
    };
    if let Some(cl) = &class_line {
        if cl.noforn {
            add_caption("NOFORN", &mut captions);
        }
    }
    // Free lines after the last field (headings, an opening before paragraph 1):
    // passing lines there name an office to pass to.
    let fields_end = pre.fields_end().min(pre_text.len());
    // (A few dozen short lines: a list is searched faster than a set is hashed.)
    let after_fields: Vec<&str> = pre_text[fields_end..].split('\n').map(str::trim).collect();
    // Free lines that directly follow another line (no blank line between): the
    // short line a long passing line wrapped onto.
    let follows: Vec<&str> = pre_text
        .split('\n')
        .collect::<Vec<_>>()
        .windows(2)
        .filter(|w| !w[0].trim().is_empty())
        .map(|w| w[1].trim())
        .collect();
    let mut after_passing = false;
    for f in pre_free.iter() {
        let words = caption_words(f);
        let all_captions = !words.is_empty() && words.len() == word_count(f);
        for w in &words {
            add_caption(w, &mut captions);
        }
        // A standalone SENSITIVE BUT UNCLASSIFIED line among the captions is the
        // SENSITIVE caption written out; after the fields it is a handling notice.
        if f.trim_end_matches(['.', ','])
            .eq_ignore_ascii_case("SENSITIVE BUT UNCLASSIFIED")
            && !after_fields.contains(&f.as_str())
        {
            add_caption("SENSITIVE", &mut captions);
            continue;
        }
        let note = f.contains("partial extract")
            || f.contains("Cable dated")
            || classline::read(text::prefix(f, 120)).is_some()
            || DumpRow::is_dump_line(f);
        let heading = {
            let up = f.to_ascii_uppercase();
            [
                "SUMMARY",
                "BEGIN",
                "INTRODUCTION",
                "OVERVIEW",
                "COMMENT",
                "BACKGROUND",
            ]
            .iter()
            .any(|h| up.starts_with(h))
        };
        // Distribution lines: upper case (`DEPT FOR EUR/RUS`, long ones too), or an
        // office then FOR/PASS in mixed case (`NSC for David Stephens`), and the
        // short line a long one wrapped onto.
        let passing = !all_captions
            && !note
            && !heading
            && ((text::is_upper(f) && f.len() <= 400 && !after_fields.contains(&f.as_str()))
                || is_distribution_line(f)
                || (after_passing
                    && !heading
                    && follows.contains(&f.as_str())
                    && f.len() <= 60
                    && !f.ends_with(['.', ':', ','])));
        if passing {
            cable.passing_lines.push(f.clone());
        }
        after_passing = passing;
    }
    for c in &body.captions {
        add_caption(c, &mut captions);
    }
    cable.captions = captions;
}

pub(super) fn caption_words(line: &str) -> Vec<String> {
    let up = line.to_ascii_uppercase();
    let mut out = Vec::new();
    // "SENSITIVE BUT UNCLASSIFIED" is a handling notice, not the SENSITIVE caption
    // (WikiLeaks published such cables as plain UNCLASSIFIED).
    let up = up.replace("SENSITIVE BUT UNCLASSIFIED", "");
    for w in up.split(|c: char| !c.is_ascii_alphanumeric()) {
        if super::CAPTIONS.contains(&w) && !out.iter().any(|x: &String| x == w) {
            out.push(w.to_string());
        }
    }
    if up.contains("EYES ONLY") {
        out.push("EYES ONLY".to_string());
    }
    out
}

re!(
    distribution_re,
    r"^(?:(?:[A-Z][A-Z0-9/.&\-]*|State|Department|Dept|Treasury|Commerce|Justice|Defense|Energy|Embassy)(?:,?\s+[A-Z][A-Z0-9/.&\-]*){0,3}\s+(?i:for|pass|also\s+for|please\s+pass)\s|(?i:please\s+pass|pass\s+to)\s)"
);

/// A passing line in mixed case: `NSC for David Stephens`, `STATE FOR EUR/FO A/S
/// Dan Fried`, `Please pass to USTR`.
pub(super) fn is_distribution_line(f: &str) -> bool {
    f.len() <= 300 && distribution_re().is_match(f)
}

pub(super) fn word_count(line: &str) -> usize {
    line.split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .count()
}
