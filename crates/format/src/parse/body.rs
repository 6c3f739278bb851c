//! The text after the preamble: numbered paragraphs with their portion marks,
//! headings, section breaks, summary and comment blocks, and the signature.

use super::signature::take_signature;
use super::text::{is_rule, is_upper, squeeze};
use crate::diagnostics::{Code, Diagnostic};
use crate::marking::{read_mark, MarkReading, PortionMark};
use crate::record::Paragraph;

/// What the body yields.
#[derive(Debug, Default)]
pub struct Body {
    /// Paragraphs in order.
    pub paragraphs: Vec<Paragraph>,
    /// Normalised marks, parallel to `paragraphs` (None when unmarked or unknown).
    pub marks: Vec<Option<PortionMark>>,
    /// The signature.
    pub signers: Vec<String>,
    /// Caption lines found between paragraphs (repeated after section breaks).
    pub captions: Vec<String>,
    /// Highest section-break page seen, and the total the breaks name.
    pub breaks: Option<(u32, u32)>,
    /// Repairs and doubts.
    pub diagnostics: Vec<Diagnostic>,
}

re!(
    section_break_re,
    r"(?:[A-Z][A-Z .'\-]{1,40}\s+)?(?-u:\b)\d{8}\s{1,4}(\d{3})(?:\.\d)?\s+OF\s+(\d{3})(?-u:\b)"
);
re!(
    page_header_re,
    r"^\s*PAGE\s+\d{1,3}\s+[A-Z][A-Z .'\-]*\s+\d+\s+\d{6}\s?Z(?-u:\b)"
);
re!(
    para_re,
    r"^\s*(\d{1,3})\s*[.,]([ \t]*)(\(\s*([A-Za-z/ ,\-]{1,64}?)\s*\)\s*)?(.*)$"
);
// `para_re` without its trailing `(.*)$`. On a line without '\n' that tail
// always matches the rest of the line, so this finds the same groups 1-4 and
// group 5 is whatever follows the match; but the capture engine then only walks
// the short prefix instead of the whole line (it was the body's main cost).
re!(
    para_head_re,
    r"^\s*(\d{1,3})\s*[.,]([ \t]*)(\(\s*([A-Za-z/ ,\-]{1,64}?)\s*\)\s*)?"
);

/// A paragraph start as `para_re` reads it: number, spacing after the dot,
/// whether a parenthesised group follows, its inside, and the rest of the line.
struct ParaHead<'a> {
    number: &'a str,
    space: &'a str,
    paren: bool,
    mark: Option<&'a str>,
    rest: &'a str,
}

fn para_head(l: &str) -> Option<ParaHead<'_>> {
    let (c, rest) = if l.contains('\n') {
        // Not produced by the line split, but keep the full pattern's meaning.
        let c = para_re().captures(l)?;
        let rest = c.get(5).map_or("", |m| m.as_str());
        (c, rest)
    } else {
        if let Some(head) = para_head_ascii(l) {
            return head;
        }
        let c = para_head_re().captures(l)?;
        let end = c.get(0).expect("whole match").end();
        (c, &l[end..])
    };
    Some(ParaHead {
        number: c.get(1).expect("group 1").as_str(),
        space: c.get(2).expect("group 2").as_str(),
        paren: c.get(3).is_some(),
        mark: c.get(4).map(|m| m.as_str()),
        rest,
    })
}
/// `\s` of the patterns, for ASCII bytes (`u8::is_ascii_whitespace` leaves out
/// the vertical tab).
fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | 0x0B | 0x0C | b'\r')
}

/// [`para_head`] read by hand, exactly as `para_head_re` reads the line, without
/// the capture engine (its backtracking search was the body's main cost). `None`
/// when a non-ASCII character stands where the pattern's Unicode classes (`\s`,
/// `\d`) would have to judge it: the caller then runs the pattern.
fn para_head_ascii(l: &str) -> Option<Option<ParaHead<'_>>> {
    let b = l.as_bytes();
    let undecided = |i: usize| b.get(i).is_some_and(|&c| c >= 0x80);
    let spaces = |mut i: usize| {
        while i < b.len() && is_space(b[i]) {
            i += 1;
        }
        i
    };
    let mut i = spaces(0);
    if undecided(i) {
        return None;
    }
    let digits = i;
    while i < b.len() && b[i].is_ascii_digit() {
        i += 1;
    }
    if undecided(i) {
        return None;
    }
    if i == digits || i - digits > 3 {
        return Some(None);
    }
    let number = &l[digits..i];
    i = spaces(i);
    if undecided(i) {
        return None;
    }
    if !matches!(b.get(i), Some(b'.' | b',')) {
        return Some(None);
    }
    i += 1;
    let space_start = i;
    while i < b.len() && matches!(b[i], b' ' | b'\t') {
        i += 1;
    }
    let space = &l[space_start..i];
    let mut head = ParaHead {
        number,
        space,
        paren: false,
        mark: None,
        rest: &l[i..],
    };
    if b.get(i) != Some(&b'(') {
        return Some(Some(head));
    }
    // `\(\s*([A-Za-z/ ,\-]{1,64}?)\s*\)\s*`, tried in the pattern's order: the
    // longest leading space first, then the shortest mark; the space after the
    // mark is greedy, so only its longest run can stand before the `)`.
    let open = i + 1;
    let max_lead = spaces(open);
    if undecided(max_lead) {
        return None;
    }
    for lead in (open..=max_lead).rev() {
        for len in 1..=64 {
            let Some(&c) = b.get(lead + len - 1) else {
                break;
            };
            if !(c.is_ascii_alphabetic() || matches!(c, b'/' | b' ' | b',' | b'-')) {
                break;
            }
            let after = spaces(lead + len);
            if undecided(after) {
                return None;
            }
            if b.get(after) == Some(&b')') {
                let end = spaces(after + 1);
                if undecided(end) {
                    return None;
                }
                head.paren = true;
                head.mark = Some(&l[lead..lead + len]);
                head.rest = &l[end..];
                return Some(Some(head));
            }
        }
    }
    Some(Some(head))
}

re!(lead_mark_re, r"^\s*\(\s*([A-Za-z/ \-]{1,24}?)\s*\)\s*(.*)$");
re!(redaction_re, r"X{6,}");

/// A line that is one caption word (or `EYES ONLY`), repeated between paragraphs.
fn is_caption_line(t: &str) -> bool {
    super::CAPTIONS.contains(&t) || t == "EYES ONLY"
}

/// Counts redacted spans (`XXXXXXXXXXXX`) in a text.
pub fn count_redactions(text: &str) -> u32 {
    redaction_re().find_iter(text).count() as u32
}

/// A paragraph in the making: its number, its mark as written with the mark's
/// reading, and its lines.
type Chunk<'c> = (u32, Option<(String, MarkReading)>, Vec<&'c str>);

/// Splits body lines into paragraphs.
pub fn parse(lines: &[&str]) -> Body {
    let mut body = Body::default();
    let cleaned = clean(lines, &mut body);

    // Find paragraph starts, accepting only numbers that continue the sequence.
    // Lines and parts of lines are borrowed from `cleaned` from here on: the
    // paragraphs' lines are copied once, when each paragraph's text is joined.
    struct Start<'c> {
        line: usize,
        number: u32,
        /// The mark as written, with its reading (read once, used again below).
        mark: Option<(String, MarkReading)>,
        rest: &'c str,
    }
    let mut starts: Vec<Start> = Vec::new();
    let mut expected = 1u32;
    for (i, l) in cleaned.iter().enumerate() {
        if !l.trim_start().starts_with(|c: char| c.is_ascii_digit()) {
            continue;
        }
        let Some(c) = para_head(l) else {
            continue;
        };
        let Ok(n) = c.number.parse::<u32>() else {
            continue;
        };
        let mark_text = c.mark.map(|m| m.to_string());
        let reading = mark_text.as_deref().map(read_mark);
        let is_mark = reading
            .as_ref()
            .is_some_and(|r| *r != MarkReading::NotAMark);
        // "5, (C)": a comma typed for the dot, only before a portion mark.
        let comma = l.trim_start()[c.number.len()..]
            .trim_start()
            .starts_with(',');
        if comma && !is_mark {
            continue;
        }
        // "1.4 (b)" is not a paragraph: the dot must be followed by space or a mark,
        // or (`1.Key ...`) by a word when the number is the one expected next.
        if c.space.is_empty() && !c.paren && !c.rest.is_empty() {
            let word = c
                .rest
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_uppercase())
                && c.rest
                    .chars()
                    .nth(1)
                    .is_some_and(|c| c.is_ascii_alphabetic());
            let expected_here = if starts.is_empty() {
                n == 1
            } else {
                n == expected
            };
            if !(word && expected_here) {
                continue;
            }
        }
        let prev_blank = i == 0 || cleaned[i - 1].trim().is_empty();
        let ok = if starts.is_empty() {
            n <= 3 || (is_mark && n <= 20)
        } else {
            n == expected || (n > expected && n <= expected + 3 && (is_mark || prev_blank))
        };
        if !ok {
            continue;
        }
        // An unmarked number out of sequence ("Please see para\n\n3."; "FY\n\n10.
        // Post-Cairo Plans") is a wrapped line, not a paragraph, when the expected
        // number follows later with a portion mark.
        if n != expected && !is_mark && marked_number_follows(&cleaned[i + 1..], expected) {
            continue;
        }
        let (mark, rest) = if is_mark {
            (mark_text.zip(reading), c.rest)
        } else {
            // "(Begin text)" is not a mark: keep it in the text.
            let whole = l.trim_start();
            let after_num = whole[c.number.len()..]
                .trim_start()
                .trim_start_matches('.')
                .trim_start();
            (None, after_num)
        };
        if !starts.is_empty() && n != expected {
            body.diagnostics.push(Diagnostic::at(
                Code::ParagraphNumbering,
                n,
                format!("paragraph {n} follows paragraph {}", expected - 1),
            ));
        }
        starts.push(Start {
            line: i,
            number: n,
            mark,
            rest,
        });
        expected = n + 1;
    }

    // Text before paragraph 1 (or the whole text when nothing is numbered).
    let first = starts.first().map(|s| s.line).unwrap_or(cleaned.len());
    let mut chunks: Vec<Chunk<'_>> = Vec::new();
    let lead: Vec<&str> = cleaned[..first].iter().map(|s| s.as_ref()).collect();
    if lead.iter().any(|l| !l.trim().is_empty()) {
        // An unnumbered cable may open with its portion mark: "(C) text".
        let mut lead = lead;
        let mut mark = None;
        if let Some(pos) = lead.iter().position(|l| !l.trim().is_empty()) {
            let line: &str = lead[pos];
            if let Some(c) = lead_mark_re().captures(line) {
                let reading = read_mark(&c[1]);
                if matches!(reading, MarkReading::Known(_)) {
                    mark = Some((c[1].to_string(), reading));
                    lead[pos] = c.get(2).map_or("", |m| m.as_str());
                }
            }
        }
        chunks.push((0, mark, lead));
    }
    for k in 0..starts.len() {
        let end = starts.get(k + 1).map(|n| n.line).unwrap_or(cleaned.len());
        let s = &mut starts[k];
        let mut text = vec![s.rest];
        text.extend(cleaned[s.line + 1..end].iter().map(|x| x.as_ref()));
        chunks.push((s.number, s.mark.take(), text));
    }

    // Signature: the last short upper-case line, standing on its own.
    if let Some((_, _, last)) = chunks.last_mut() {
        body.signers = take_signature(last);
    }

    // Headings: a short block standing before the next paragraph moves onto it.
    let mut headings: Vec<Option<String>> = vec![None; chunks.len()];
    for k in 0..chunks.len().saturating_sub(1) {
        if let Some(h) = take_heading(&mut chunks[k].2) {
            headings[k + 1] = Some(h);
        }
    }

    for (k, (number, mark, lines)) in chunks.into_iter().enumerate() {
        let text = join_paragraph(&lines);
        if number == 0 && text.is_empty() {
            continue;
        }
        let (mark, reading) = match mark {
            Some((m, r)) => (Some(m), Some(r)),
            None => (None, None),
        };
        let (marking, as_written, known) = match mark.as_deref().zip(reading) {
            Some((_, MarkReading::Known(m))) => {
                let norm = m.code();
                let written = mark
                    .clone()
                    .filter(|w| w.to_ascii_uppercase().replace(' ', "") != norm);
                (Some(norm), written, Some(m))
            }
            // An unreadable mark is kept as written: readers judge it by the rule for
            // unreadable marks (marking::effective_marks), never as unmarked.
            Some((w, _)) => {
                body.diagnostics.push(Diagnostic::at(
                    Code::UnknownMarking,
                    number,
                    format!("portion mark ({w}) is not a recognised form; kept as written"),
                ));
                (Some(w.to_string()), None, None)
            }
            None => (None, None, None),
        };
        check_truncation(
            number,
            &lines,
            k + 1 == headings.len(),
            &mut body.diagnostics,
        );
        body.marks.push(known);
        body.paragraphs.push(Paragraph {
            number,
            marking,
            marking_as_written: as_written,
            heading: headings[k].take(),
            text,
            withheld: false,
        });
    }
    body
}

/// True when one of the next lines starts paragraph `n` with a portion mark.
fn marked_number_follows(lines: &[std::borrow::Cow<'_, str>], n: u32) -> bool {
    lines.iter().take(80).any(|l| {
        l.trim_start().starts_with(|c: char| c.is_ascii_digit())
            && para_head(l).is_some_and(|c| {
                c.number.parse() == Ok(n)
                    && c.mark
                        .is_some_and(|m| matches!(read_mark(m), MarkReading::Known(_)))
            })
    })
}

/// Cheap test run before the section-break regex: " OF " and eight digits in a row.
fn might_be_section_break(t: &str) -> bool {
    // One searcher for every line (building one per call cost more than the search).
    static OF: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
        std::sync::LazyLock::new(|| memchr::memmem::Finder::new(" OF "));
    if OF.find(t.as_bytes()).is_none() {
        return false;
    }
    let mut run = 0;
    for b in t.bytes() {
        if b.is_ascii_digit() {
            run += 1;
            if run >= 8 {
                return true;
            }
        } else {
            run = 0;
        }
    }
    false
}

/// Drops section breaks, page headers, repeated classification lines and caption
/// lines; records what they said.
fn clean<'a>(lines: &[&'a str], body: &mut Body) -> Vec<std::borrow::Cow<'a, str>> {
    let mut out: Vec<std::borrow::Cow<'a, str>> = Vec::with_capacity(lines.len());
    // Blank lines around a section break or page header are the break's layout:
    // dropping them joins the text the break cut (and keeps it from looking cut).
    let mut after_break = false;
    let drop_break = |out: &mut Vec<std::borrow::Cow<'a, str>>| {
        while out.last().is_some_and(|l| l.trim().is_empty()) {
            out.pop();
        }
    };
    for &l in lines {
        let t = l.trim();
        if t.is_empty() && after_break {
            continue;
        }
        after_break = false;
        if let Some(c) = might_be_section_break(t)
            .then(|| section_break_re().captures(t))
            .flatten()
        {
            let page: u32 = c[1].parse().unwrap_or(0);
            let of: u32 = c[2].parse().unwrap_or(0);
            let prev = body.breaks.map(|b| b.0).unwrap_or(0);
            body.breaks = Some((page.max(prev), of));
            let m = c.get(0).expect("whole match");
            let rest = format!("{}{}", &t[..m.start()], &t[m.end()..]);
            if rest.trim().is_empty() {
                drop_break(&mut out);
                after_break = true;
                continue;
            }
            out.push(std::borrow::Cow::Owned(rest.trim_end().to_string()));
            continue;
        }
        if t.starts_with("PAGE") && page_header_re().is_match(t) {
            drop_break(&mut out);
            after_break = true;
            continue;
        }
        if matches!(t, "NNNN" | "NNN" | "BT") {
            continue;
        }
        if let Some(c) = super::classline::read(t) {
            // Page footers and section heads repeat the classification line.
            if c.rest.is_empty() || c.section.is_some() || c.station.is_some() {
                continue;
            }
        }
        if is_caption_line(t.trim_end_matches('.')) {
            body.captions.push(t.trim_end_matches('.').to_string());
            continue;
        }
        out.push(std::borrow::Cow::Borrowed(l.trim_end()));
    }
    out
}

fn join_paragraph(lines: &[&str]) -> String {
    // Keep line breaks, trim each line, collapse runs of blank lines to one.
    let mut out: Vec<&str> = Vec::new();
    for l in lines {
        let t = l.trim();
        if t.is_empty() && out.last().is_none_or(|p| p.is_empty()) {
            continue;
        }
        out.push(t);
    }
    while out.last().is_some_and(|l| l.is_empty()) {
        out.pop();
    }
    out.join("\n")
}

pub(super) fn ends_sentence(line: &str) -> bool {
    let t = line.trim_end();
    t.ends_with([
        '.', '!', '?', ':', ';', '"', '\'', ')', ']', '\u{201D}', '\u{2019}', '-', '>', '*',
    ])
}

fn check_truncation(number: u32, lines: &[&str], _last: bool, diags: &mut Vec<Diagnostic>) {
    let content: Vec<&str> = lines.iter().map(|l| l.trim()).collect();
    let last = content.iter().rposition(|l| !l.is_empty());
    let Some(last) = last else { return };
    for (i, l) in content.iter().enumerate().take(last) {
        let next = content[i + 1];
        let lost_inside = l.len() >= 50
            && !ends_sentence(l)
            && !l.ends_with(',')
            && (next.is_empty() || next.starts_with("-- "))
            && !is_upper(l);
        if lost_inside {
            diags.push(Diagnostic::at(
                Code::TruncatedParagraph,
                number,
                format!(
                    "a line seems lost inside paragraph {number} after \u{201C}{}\u{201D}",
                    tail_words(l)
                ),
            ));
        }
    }
    let l = content[last];
    if l.len() >= 40 && !ends_sentence(l) && !is_rule(l) && !ends_with_heading_or_banner(l) {
        diags.push(Diagnostic::at(
            Code::TruncatedParagraph,
            number,
            format!("paragraph {number} ends mid-sentence (\u{201C}{}\u{201D}): its last line seems lost", tail_words(l)),
        ));
    }
}

/// True when a paragraph's last line ends in the next paragraph's heading glued on
/// in a reflowed copy (`... the patent process. Biotechnology`, `... claims. TRIPS
/// Compliance: Data Confidentiality`), a banner (`=====CABLE ENDS=====`) or an
/// address: the sentence before it is complete.
fn ends_with_heading_or_banner(l: &str) -> bool {
    if l.contains("==") || l.contains("http") || l.contains("www.") {
        return true;
    }
    let Some(dot) = l.rfind(". ") else {
        return false;
    };
    let tail = &l[dot + 2..];
    let words: Vec<&str> = tail.split_whitespace().collect();
    !words.is_empty()
        && words.len() <= 8
        && words.iter().all(|w| {
            w.chars().next().is_some_and(|c| !c.is_lowercase())
                || matches!(
                    *w,
                    "and" | "of" | "the" | "to" | "for" | "in" | "on" | "a" | "with"
                )
        })
}

fn tail_words(l: &str) -> String {
    let words: Vec<&str> = l.split_whitespace().collect();
    let n = words.len();
    words[n.saturating_sub(5)..].join(" ")
}

/// Removes a trailing heading block from a paragraph's lines and returns it.
fn take_heading(lines: &mut Vec<&str>) -> Option<String> {
    while lines
        .last()
        .is_some_and(|l| l.trim().is_empty() || is_rule(l))
    {
        lines.pop();
    }
    let n = lines.len();
    if n < 2 {
        return None;
    }
    // The block after the last blank line (rules count as part of the heading).
    let mut start = n;
    while start > 0 && !lines[start - 1].trim().is_empty() {
        start -= 1;
    }
    if start == 0 || n - start > 3 {
        return None;
    }
    let block: Vec<&str> = lines[start..n]
        .iter()
        .map(|s| s.trim())
        .filter(|l| !is_rule(l))
        .collect();
    let total: usize = block.iter().map(|l| l.len()).sum();
    if block.is_empty() || total > 100 {
        return None;
    }
    let looks_heading = block.iter().all(|l| {
        !l.ends_with(['.', ',', ';', ':'])
            && !l.starts_with("--")
            && l.split_whitespace().count() <= 12
    });
    if !looks_heading {
        return None;
    }
    let heading = squeeze(&block.join(" "));
    lines.truncate(start);
    while lines
        .last()
        .is_some_and(|l| l.trim().is_empty() || is_rule(l))
    {
        lines.pop();
    }
    Some(heading)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(text: &str) -> Body {
        let lines: Vec<&str> = text.split('\n').collect();
        parse(&lines)
    }

    #[test]
    fn paragraphs_marks_headings_signature() {
        let b = run("1. (C) Summary. One. End summary.\n\nA Heading\n\n2. (S//NF) Two\ncontinues here.\n\nPARIS 00000997  002 OF 002\n3. (U) Three.\n\nSMITH");
        let nums: Vec<u32> = b.paragraphs.iter().map(|p| p.number).collect();
        assert_eq!(nums, vec![1, 2, 3]);
        assert_eq!(b.paragraphs[1].marking.as_deref(), Some("S/NF"));
        assert_eq!(b.paragraphs[1].heading.as_deref(), Some("A Heading"));
        assert_eq!(b.paragraphs[0].text, "Summary. One. End summary.");
        assert_eq!(b.signers, vec!["SMITH"]);
        assert_eq!(b.breaks, Some((2, 2)));
    }

    #[test]
    fn dashed_and_long_compound_marks_are_marks() {
        // Read as text, these paragraphs would take the cable's level without
        // their NOFORN: every reader of that level would read them.
        let b = run("1. (S-NF) Dashed.\n\n2. (S//NF//REL TO USA, AUS, CAN, GBR, NZL) Long.\n\n3. (C-NOFORN) Spelt.\n\n4. (S//ZQX-ODD) Odd.");
        let marks: Vec<Option<&str>> = b.paragraphs.iter().map(|p| p.marking.as_deref()).collect();
        assert_eq!(marks[0], Some("S/NF"));
        assert!(marks[1].is_some_and(|m| m.starts_with("S/NF")), "{marks:?}");
        assert_eq!(marks[2], Some("C/NF"));
        assert_eq!(marks[3], Some("S//ZQX-ODD"));
        assert_eq!(b.paragraphs[1].text, "Long.");
    }

    #[test]
    fn a_section_break_inside_a_paragraph_is_no_truncation() {
        let b = run("1. (C) A sentence that runs on and on across the page break of the\n\nPARIS 00000997  002 OF 002\n\ncable and ends here.\n\n2. (U) Two.");
        assert!(
            !b.diagnostics
                .iter()
                .any(|d| d.code == Code::TruncatedParagraph),
            "{:?}",
            b.diagnostics
        );
        assert_eq!(
            b.paragraphs[0].text,
            "A sentence that runs on and on across the page break of the\ncable and ends here."
        );
    }

    #[test]
    fn a_heading_glued_at_the_end_is_no_truncation() {
        let b = run("1. (C) The office will decide on the patent process. Biotechnology Patents\n\n2. (C) Two.");
        assert!(!b
            .diagnostics
            .iter()
            .any(|d| d.code == Code::TruncatedParagraph));
        let b = run("1. (C) The office will decide on the patent process. then it went on to say that\n\n2. (C) Two.");
        assert!(b
            .diagnostics
            .iter()
            .any(|d| d.code == Code::TruncatedParagraph));
    }

    #[test]
    fn numbers_out_of_sequence_stay_in_text() {
        let b = run("1. (C) Intro:\n1. first item\n2. (C) Next.");
        assert_eq!(b.paragraphs.len(), 2);
        assert!(b.paragraphs[0].text.contains("1. first item"));
    }

    #[test]
    fn a_wrapped_number_before_the_marked_sequence_is_text() {
        let b = run(
            "1. (U) This is an action request. Please see para\n\n3.\n2. (S) Two.\n\n3. (U) Three.",
        );
        let nums: Vec<u32> = b.paragraphs.iter().map(|p| p.number).collect();
        assert_eq!(nums, vec![1, 2, 3]);
        assert!(b.paragraphs[0].text.ends_with("para\n\n3."));
        // Without a marked 2 later, the jump stands.
        let b = run("1. (U) One.\n\n3. Three.\n\n4. Four.");
        let nums: Vec<u32> = b.paragraphs.iter().map(|p| p.number).collect();
        assert_eq!(nums, vec![1, 3, 4]);
    }

    #[test]
    fn truncated_last_line_is_flagged() {
        let b = run(
            "1. (U) A full sentence that goes on and on until it is cut off in\n\n2. (U) Fine.",
        );
        assert!(b
            .diagnostics
            .iter()
            .any(|d| d.code == Code::TruncatedParagraph && d.paragraph == Some(1)));
        assert!(!b.diagnostics.iter().any(|d| d.paragraph == Some(2)));
    }

    proptest::proptest! {
        /// The hand reader gives what `para_head_re` captures, wherever it decides.
        #[test]
        fn para_head_by_hand_agrees_with_the_pattern(
            s in "[ \t\u{2003}]{0,2}[0-9\u{0663}]{0,4}[ \u{2003}]{0,2}[.,:]?[ \t]{0,3}[(]?[ \t\u{2003}]{0,2}[-A-Za-z/ ,\t\u{2003}]{0,70}[)]?[ \t\u{2003}]{0,2}[A-Za-z ]{0,4}"
        ) {
            if let Some(head) = para_head_ascii(&s) {
                let want = para_head_re().captures(&s).map(|c| {
                    let end = c.get(0).unwrap().end();
                    (
                        c.get(1).unwrap().as_str(),
                        c.get(2).unwrap().as_str(),
                        c.get(3).is_some(),
                        c.get(4).map(|m| m.as_str()),
                        &s[end..],
                    )
                });
                let got = head.map(|h| (h.number, h.space, h.paren, h.mark, h.rest));
                proptest::prop_assert_eq!(got, want);
            }
        }
    }

    #[test]
    fn para_head_by_hand_reads_marks_as_the_pattern_does() {
        let h = para_head_ascii("12. ( S//NF ) Text").unwrap().unwrap();
        assert_eq!((h.number, h.mark, h.rest), ("12", Some("S//NF"), "Text"));
        let h = para_head_ascii("3.(  ) x").unwrap().unwrap();
        assert_eq!((h.mark, h.rest), (Some(" "), "x"));
        assert!(para_head_ascii("1234. (C) x").unwrap().is_none());
        assert!(para_head_ascii("\u{2003}1. x").is_none());
    }

    #[test]
    fn redactions_are_counted() {
        assert_eq!(
            count_redactions("met XXXXXXXXXXXX and becomeXXXXXXXXXXXX, XXX"),
            2
        );
    }
}
