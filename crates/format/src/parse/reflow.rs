//! Reflowed copies: paragraph starts glued into running text.
//!
//! Some copies lost their line breaks (viewer pages that reflowed the body onto one
//! line, flattened exports, scraped pages): `... End summary.  2. (C) P/E Chief ...`
//! or `... LIBYAN FOREIGN FIGHTERS 4. (C) ...`. Every reader after this one is
//! line-based (a paragraph starts at a line start), so such starts are put back on
//! lines of their own first. Only starts that continue the paragraph numbering are
//! cut, so list items and numbers in prose stay where they are.

use std::borrow::Cow;

use crate::marking::{read_mark, MarkReading};

/// Lines at least this long are taken as reflowed paragraphs (the drafting limit is
/// 55 characters a line, layout-keeping copies run to about 70).
const LONG_LINE: usize = 250;

re!(
    inline_start_re,
    r"(?:^|[\s\u{B6}])(\d{1,3})[ \t]?([.,])([ \t]{0,6})(?:\(\s*([A-Za-z][A-Za-z/ ]{0,15}?)\s*\))?"
);

/// A paragraph number at the start of a line: number and whether a known portion
/// mark follows it.
fn line_start(t: &str) -> Option<(u32, bool)> {
    let c = inline_start_re().captures(t)?;
    let whole = c.get(0)?;
    if whole.start() != 0 || c.get(1)?.start() != 0 {
        return None;
    }
    let n = c[1].parse().ok()?;
    let marked = c.get(4).is_some_and(|m| known_mark(m.as_str()));
    let after = &t[whole.end()..];
    let ok = marked || (&c[2] == "." && (!c[3].is_empty() || after.is_empty()));
    ok.then_some((n, marked))
}

fn known_mark(m: &str) -> bool {
    matches!(read_mark(m), MarkReading::Known(pm) if pm.level.is_some())
}

/// True when the text before an inline start can stand before a paragraph: the end
/// of a sentence, a wide gap, or a heading (no lower-case letters: a heading, a rule,
/// a `PAGE nn` header, routing debris).
fn prefix_allows(prefix: &str, marked: bool, long: bool) -> bool {
    let t = prefix.trim_end();
    if t.is_empty() {
        return true;
    }
    let gap = prefix.len() - t.len();
    let sentence_end = t.ends_with(['.', '!', '?', ':', ';', '"', '\'', ')', ']', '\u{201D}']);
    if marked {
        // A portion mark after an in-sequence number is strong evidence on its own
        // in a reflowed line; in a short line the text before must end a sentence
        // or be a heading.
        return long || sentence_end || gap >= 2 || !t.chars().any(char::is_lowercase);
    }
    long && (sentence_end || gap >= 2)
}

/// Puts glued paragraph starts on lines of their own (see the module notes).
pub fn split_inline_paragraphs(text: &str) -> Cow<'_, str> {
    // Cheap test first: no line is long and no line holds a mark after a number
    // anywhere but at its start.
    let mut last = 0u32;
    let mut out: Option<String> = None;
    let mut offset_done = 0usize;
    let mut pos = 0usize;
    for line in text.split('\n') {
        let line_end = pos + line.len();
        let lead = line.len() - line.trim_start().len();
        let t = &line[lead..];
        let long = line.len() >= LONG_LINE;
        if let Some((n, marked)) = line_start(t) {
            // A copy of a later section opens at its own number (the body reader
            // accepts a marked first paragraph up to 20).
            if accepts(n, last, marked) || (last == 0 && marked && n <= 20) {
                last = n;
            }
        }
        if !(long || has_inline_marked_number(t)) {
            pos = line_end + 1;
            continue;
        }
        let mut cuts: Vec<usize> = Vec::new();
        for c in inline_start_re().captures_iter(t) {
            let num = c.get(1).expect("group 1");
            if num.start() == 0 {
                continue;
            }
            let Ok(n) = num.as_str().parse::<u32>() else {
                continue;
            };
            let whole_end = c.get(0).expect("whole").end();
            let marked = c.get(4).is_some_and(|m| known_mark(m.as_str()));
            let comma = &c[2] == ",";
            if comma && !marked {
                continue;
            }
            if !marked {
                // An unmarked start: a dot, a space, then a capital letter or a quote.
                let after = &t[whole_end..];
                let capital = after
                    .chars()
                    .next()
                    .is_some_and(|ch| ch.is_uppercase() || matches!(ch, '"' | '\u{201C}'));
                if c[3].is_empty() || !capital || n != last + 1 || !long {
                    continue;
                }
            }
            if !accepts(n, last, marked) {
                continue;
            }
            let prefix_start = cuts.last().copied().unwrap_or(0);
            if !prefix_allows(&t[prefix_start..num.start()], marked, long) {
                continue;
            }
            cuts.push(num.start());
            last = n;
        }
        if cuts.is_empty() && last == 0 && long {
            // An unnumbered cable's one paragraph glued to the preamble:
            // `... reason 1.4 (b). (C) In a June 30 meeting ...`.
            if let Some(at) = unnumbered_start(t) {
                cuts.push(at);
            }
        }
        if !cuts.is_empty() {
            let o = out.get_or_insert_with(|| String::with_capacity(text.len() + 64));
            o.push_str(&text[offset_done..pos + lead]);
            let mut from = 0;
            for c in cuts {
                o.push_str(t[from..c].trim_end());
                o.push('\n');
                from = c;
            }
            o.push_str(&t[from..]);
            offset_done = line_end;
        }
        pos = line_end + 1;
    }
    match out {
        None => Cow::Borrowed(text),
        Some(mut o) => {
            o.push_str(&text[offset_done.min(text.len())..]);
            Cow::Owned(o)
        }
    }
}

// The whitespace after the mark is checked by the callers: consuming it here would
// hide a mark that follows another (`(d) (C) Econoff ...`).
re!(
    inline_mark_re,
    r"(?:^|\s)\(\s*([A-Za-z][A-Za-z/ ]{0,15}?)\s*\)"
);

/// True when `t` opens with a portion mark and prose: `(SBU) The deadline for
/// appeals passed ...`. A REF item (`(C) STATE 45792`) or a Classified By line
/// written after a mark is not prose; prose is long and mixed-case.
pub fn is_marked_prose(t: &str) -> bool {
    let t = t.trim_start();
    let Some(c) = inline_mark_re().captures(t) else {
        return false;
    };
    let whole = c.get(0).expect("whole");
    let rest = &t[whole.end()..];
    whole.start() == 0
        && rest.starts_with([' ', '\t'])
        && known_mark(&c[1])
        && is_prose(rest.trim_start())
}

fn is_prose(rest: &str) -> bool {
    let words: Vec<&str> = rest.split_whitespace().take(12).collect();
    words.len() >= 10
        && rest.len() >= 60
        && words[0]
            .chars()
            .next()
            .is_some_and(|c| c.is_uppercase() || c == '"')
        && !words[0].to_ascii_lowercase().starts_with("classified")
        && words[..6]
            .iter()
            .filter(|w| w.chars().any(char::is_lowercase))
            .count()
            >= 3
}

/// [`is_marked_prose`] for line `i` of `lines`, read with the lines that continue
/// it (short wrapped lines hold too few words to judge one by one).
pub fn is_marked_prose_at(lines: &[&str], i: usize) -> bool {
    let first = lines[i].trim_start();
    if !first.starts_with('(') {
        return false;
    }
    let mut joined = first.trim_end().to_string();
    for l in lines[i + 1..].iter().take(3) {
        if l.trim().is_empty() || joined.len() >= 120 {
            break;
        }
        joined.push(' ');
        joined.push_str(l.trim());
    }
    is_marked_prose(&joined)
}

/// Where an unnumbered marked paragraph starts inside a reflowed line, after the
/// end of a sentence or of a REF item.
fn unnumbered_start(t: &str) -> Option<usize> {
    for c in inline_mark_re().captures_iter(t) {
        let whole = c.get(0).expect("whole");
        let open = whole.start() + whole.as_str().len() - whole.as_str().trim_start().len();
        let rest = &t[whole.end()..];
        if open == 0
            || !rest.starts_with([' ', '\t'])
            || !known_mark(&c[1])
            || !is_prose(rest.trim_start())
        {
            continue;
        }
        let before = t[..open].trim_end();
        let ok = before.ends_with(['.', '!', '?', ':', ';', '"', ')'])
            || before.ends_with(|c: char| c.is_ascii_digit());
        if ok {
            return Some(open);
        }
    }
    None
}

/// Cheap test for a short line: a number after its start followed by `.` or `,`
/// and, within a few bytes, an opening parenthesis (`... 2. (C)`).
fn has_inline_marked_number(t: &str) -> bool {
    let b = t.as_bytes();
    (1..b.len()).any(|i| {
        b[i].is_ascii_digit()
            && !b[i - 1].is_ascii_digit()
            && b[i + 1..]
                .iter()
                .skip_while(|c| c.is_ascii_digit())
                .take(1)
                .any(|c| matches!(c, b'.' | b','))
            && b[i + 1..].iter().take(12).any(|&c| c == b'(')
    })
}

/// Whether number `n` continues paragraph numbering that reached `last`.
fn accepts(n: u32, last: u32, marked: bool) -> bool {
    if last == 0 {
        return n == 1 || (marked && n <= 3);
    }
    n == last + 1 || (marked && n > last && n <= last + 3)
}

re!(
    glued_format_line_re,
    r"(VZCZC[A-Z]{3}\d{4})|([A-Z])(DE\s+R[A-Z]{2,7}\s*#\s*\d)|(\d{7})(ZN[RY]\s)|(ZZH|ZDK|ZFR|[A-Z]{5})([RPOZ]{1,2}\s\d{6}\s?Z\s)|(\d{6}\s?Z\s[A-Z]{3}\s\d{2})(FM\s)|([A-Z0-9])((?:TO|INFO|XMT)\s+R[A-Z]{3,7}/)|(\d{4})(R[A-Z]{3,7}/)"
);

/// Splits a routing header that lost its line breaks (`...VZCZCXYZ0003PP
/// RUEHWEBDE RUEHC #6945 2610244ZNR UUUUU ZZHP 180225Z SEP 09FM SECSTATE
/// WASHDCTO RUEHFR/...`) back into format lines. Only lines holding a `VZCZC`
/// transmission id and longer than any real format line are touched.
pub fn unglue_envelope(text: &str) -> Cow<'_, str> {
    if !text.contains("VZCZC") {
        return Cow::Borrowed(text);
    }
    let mut out: Option<String> = None;
    let mut done = 0usize;
    let mut pos = 0usize;
    for line in text.split('\n') {
        let end = pos + line.len();
        if line.len() > 80 && line.contains("VZCZC") {
            // Two passes: neighbouring glued lines share the characters the
            // pattern reads on either side (`ZZHP 180225Z SEP 09FM`).
            let once = unglue_pass(line);
            let fixed = unglue_pass(&once);
            let o = out.get_or_insert_with(|| String::with_capacity(text.len() + 64));
            o.push_str(&text[done..pos]);
            let fixed = fixed.trim_start_matches('\n');
            o.push_str(&fixed.replace("\n\n", "\n"));
            done = end;
        }
        pos = end + 1;
    }
    match out {
        None => Cow::Borrowed(text),
        Some(mut o) => {
            o.push_str(&text[done.min(text.len())..]);
            Cow::Owned(o)
        }
    }
}

fn unglue_pass(line: &str) -> String {
    glued_format_line_re()
        .replace_all(line, |c: &regex::Captures<'_>| {
            let g = |i: usize| c.get(i).map_or("", |m| m.as_str());
            if c.get(1).is_some() {
                // The transmission id on a line of its own, whatever it is glued to.
                return format!("\n{}\n", g(1));
            }
            let pairs = [(2, 3), (4, 5), (6, 7), (8, 9), (10, 11), (12, 13)];
            for (a, b) in pairs {
                if c.get(a).is_some() {
                    return format!("{}\n{}", g(a), g(b));
                }
            }
            c[0].to_string()
        })
        .into_owned()
}

re!(
    row_timestamp_re,
    r"(?m)^(\s*\d{1,2}/\d{1,2}/\d{4}\s+\d{1,2}:\d\d)[ \t]+((?:UNCLAS|C O N F|S E C R|CONFIDENTIAL|SECRET|LIMITED OFFICIAL))"
);

re!(
    csv_cell_class_re,
    r#""\s*,\s*"((?:UNCLAS|C O N F|S E C R|CONFIDENTIAL|SECRET|LIMITED OFFICIAL))"#
);

/// Puts an export row's timestamp glued before the classification line
/// (`3/9/2005 6:49 C O N F I D E N T I A L PRAGUE 000337 ...`), and a CSV cell
/// boundary before it (`...WASHDC PRIORITY","S E C R E T ...`), on lines of their own.
pub fn split_row_timestamp(text: &str) -> Cow<'_, str> {
    let mut out = Cow::Borrowed(text);
    // Cheap test first: some line opens with `M/` or `MM/`.
    let dated_line = text.split('\n').any(|l| {
        let b = l.trim_start().as_bytes();
        b.first().is_some_and(u8::is_ascii_digit)
            && (b.get(1) == Some(&b'/') || b.get(2) == Some(&b'/'))
    });
    if dated_line {
        if let Cow::Owned(s) = row_timestamp_re().replace_all(&out, "$1\n$2") {
            out = Cow::Owned(s);
        }
    }
    if out.contains("\",") || out.contains("\", ") {
        if let Cow::Owned(s) = csv_cell_class_re().replace_all(&out, "\",\"\n$1") {
            out = Cow::Owned(s);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn long(s: &str) -> String {
        // Pads a sentence so the line counts as reflowed.
        format!("{s} {}", "Filler words run on here. ".repeat(12))
    }

    #[test]
    fn reflowed_marked_paragraphs_are_split() {
        let text = format!(
            "{} 2. (C) Second paragraph. {} 3.(S/NF) Third.",
            long("1. (C) Summary: first."),
            long("More.")
        );
        let out = split_inline_paragraphs(&text);
        let lines: Vec<&str> = out.split('\n').collect();
        assert_eq!(lines.len(), 3, "{out}");
        assert!(lines[1].starts_with("2. (C) Second"));
        assert!(lines[2].starts_with("3.(S/NF) Third"));
    }

    #[test]
    fn heading_glued_before_a_number_is_split_even_in_short_lines() {
        let out = split_inline_paragraphs(
            "1. (C) One.\n\nBAAB AL-SHIHA: THE WELL 2. (C) Two.\n----------- 3. (U) Three.",
        );
        assert_eq!(
            out,
            "1. (C) One.\n\nBAAB AL-SHIHA: THE WELL\n2. (C) Two.\n-----------\n3. (U) Three."
        );
    }

    #[test]
    fn comma_for_dot_needs_a_mark() {
        let out = split_inline_paragraphs("4. (C) Four.\nText ends here. 5, (C) Five.");
        assert_eq!(out, "4. (C) Four.\nText ends here.\n5, (C) Five.");
        let same = "4. (C) Four.\nWe met on June 5, (and later) again.";
        assert_eq!(split_inline_paragraphs(same), same);
    }

    #[test]
    fn numbers_in_prose_and_out_of_sequence_stay() {
        // Short lines: an unmarked number is never cut.
        let t = "1. (C) He said it. 2. The rest.";
        assert_eq!(split_inline_paragraphs(t), t);
        // Out of sequence: 7 after 1.
        let t = long("1. (C) Intro. Reasons 1.4 (b) and (d). See 7. (C) later.");
        assert_eq!(split_inline_paragraphs(&t), t);
        // A portion mark that is not a mark.
        let t = long("1. (C) Intro. 2. (Begin text) quoted.");
        assert_eq!(split_inline_paragraphs(&t), t);
    }

    #[test]
    fn a_glued_routing_header_gets_its_lines_back() {
        let t = "BRADTKE\n0 08/13/2009 21639 9/18/2009 2:25 09STATE1234 Secretary of State UNCLASSIFIED VZCZCXYZ0003PP RUEHWEBDE RUEHC #1234 2610244ZNR UUUUU ZZHP 180225Z SEP 09FM SECSTATE WASHDCTO RUEHFR/AMEMBASSY PARIS PRIORITY 0000INFO RUEHBY/AMEMBASSY CANBERRA PRIORITY 0000\nUNCLAS STATE 001234";
        let out = unglue_envelope(t);
        let lines: Vec<&str> = out.split('\n').collect();
        assert_eq!(
            lines,
            vec![
                "BRADTKE",
                "0 08/13/2009 21639 9/18/2009 2:25 09STATE1234 Secretary of State UNCLASSIFIED ",
                "VZCZCXYZ0003",
                "PP RUEHWEB",
                "DE RUEHC #1234 2610244",
                "ZNR UUUUU ZZH",
                "P 180225Z SEP 09",
                "FM SECSTATE WASHDC",
                "TO RUEHFR/AMEMBASSY PARIS PRIORITY 0000",
                "INFO RUEHBY/AMEMBASSY CANBERRA PRIORITY 0000",
                "UNCLAS STATE 001234",
            ]
        );
        // Ordinary envelopes are left alone.
        let ok = "VZCZCXRO1701\nPP RUEHAG\nDE RUEHRL #0992/01 2251502";
        assert_eq!(unglue_envelope(ok), ok);
    }

    #[test]
    fn an_export_timestamp_before_the_classification_line() {
        assert_eq!(
            split_row_timestamp("3/9/2005 6:49 C O N F I D E N T I A L PRAGUE 000337 SIPDIS"),
            "3/9/2005 6:49\nC O N F I D E N T I A L PRAGUE 000337 SIPDIS"
        );
        let t = "On 3/9/2005 6:49 SECRET talks began";
        assert_eq!(split_row_timestamp(t), t);
        assert_eq!(
            split_row_timestamp(
                "RHEHAAA/WHITE HOUSE WASHDC PRIORITY\",\"S E C R E T SECTION 01 OF 02"
            ),
            "RHEHAAA/WHITE HOUSE WASHDC PRIORITY\",\"\nS E C R E T SECTION 01 OF 02"
        );
    }

    #[test]
    fn an_unnumbered_marked_paragraph_is_split_from_the_preamble() {
        let t = long(
            "REF: A. CAIRO 892 B. STATE 38378 Classified By: DCM Jane Roe for reason 1.4 (b). \
             (C) In a June 30 meeting with the Interior Ministry the Acting DCM urged a positive response.",
        );
        let out = split_inline_paragraphs(&t);
        assert!(out.contains("(b).\n(C) In a June 30"), "{out}");
        let t = long(
            "Classified By: CDA Jane Roe for reasons 1.4 (b) and (d) (C) Econoff delivered \
             reftel points and the non-paper to both ministries on August 20.",
        );
        let out = split_inline_paragraphs(&t);
        assert!(out.contains("(d)\n(C) Econoff"), "{out}");
        // A REF item after a mark is not prose.
        let t = long("REF: A. (C) STATE 45792 B. (S) CAIRO 12 C. (C) EMBASSY PARIS DAILY REPORT");
        assert_eq!(split_inline_paragraphs(&t), t);
        assert!(is_marked_prose(
            "(SBU) The deadline for appeals in the cell case passed on January 30 with neither side acting."
        ));
        assert!(!is_marked_prose(
            "(C) EMBASSY PARIS DAILY REPORT FOR FEBRUARY 10"
        ));
        assert!(!is_marked_prose(
            "(U) Classified by Ambassador Jane Roe for reasons 1.4 (b) and (d) of the order."
        ));
    }

    #[test]
    fn unmarked_starts_in_reflowed_lines_after_a_sentence() {
        let t = format!(
            "REF: NEW DELHI 17853  1.  SUMMARY: {}  2.  THE NEXT.",
            long("ONE.")
        );
        let out = split_inline_paragraphs(&t);
        let lines: Vec<&str> = out.split('\n').collect();
        assert_eq!(lines.len(), 3, "{out}");
        assert!(lines[1].starts_with("1.  SUMMARY"));
        assert!(lines[2].starts_with("2.  THE NEXT"));
    }
}
