//! The preamble between the classification line and paragraph 1: captions, passing
//! lines, E.O., TAGS, SUBJECT, REF and Classified By.
//!
//! Real copies reorder these fields and often collapse them onto one line, so every
//! field is found by its keyword, line-wise or inline, and ends at the next field's
//! keyword (cable-format guide §1.4).

use std::sync::OnceLock;

use regex::Regex;

use super::text::{is_rule, squeeze};

/// The field a keyword starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    /// `E.O. 12958:`
    Eo,
    /// `TAGS:`
    Tags,
    /// `SUBJECT:`
    Subject,
    /// `REF:`
    Ref,
    /// `Classified By:`
    ClassifiedBy,
}

/// One field's raw text.
#[derive(Debug, Clone)]
pub struct FieldText {
    /// Which field.
    pub field: Field,
    /// The keyword as written.
    pub keyword: String,
    /// The text after the keyword up to the field's end, line breaks kept.
    pub text: String,
    /// Byte offset in the preamble text where the field ends.
    pub end: usize,
    /// Further blocks of the same field (a second REF keyword), in order.
    pub more: Vec<String>,
}

/// The preamble split into fields and the free text between them.
#[derive(Debug, Default, Clone)]
pub struct Preamble {
    /// Fields in order of appearance.
    pub fields: Vec<FieldText>,
    /// Lines outside any field (captions, passing lines, headings).
    pub free: Vec<String>,
}

impl Preamble {
    /// The first field of a kind.
    pub fn get(&self, f: Field) -> Option<&FieldText> {
        self.fields.iter().find(|x| x.field == f)
    }

    /// Where the last field ends in the preamble's text (0 without fields): what
    /// follows is free lines before paragraph 1.
    pub fn fields_end(&self) -> usize {
        self.fields.iter().map(|f| f.end).max().unwrap_or(0)
    }
}

fn keyword_re() -> &'static Regex {
    static RE: OnceLock<Regex> = OnceLock::new();
    RE.get_or_init(|| {
        Regex::new(
            r"(?xm)
            (?P<eo>(?i:E\s?\.\s?O\s?\.?|(?:^|[\s(])EO|E\.O)\s*1[0-9]{4}(?-u:\b)(?i:\s*\(AS\s+AMENDED\))?\s*:?|(?:^|\s)DECL\s*:)
            |(?P<tags>^[\ \t]*(?:TAGS|TAGS?[:;,]|TGS|TAGE|TAGES:|TABS:|TAS:|AGS:|(?i:tags\s*[:;,]))(?:\s*:)?(?:[\ \t]|$)|\s(?:(?i:TAGS)|AGS|TAGE|TGS)\s*:)
            |(?P<subject>^[\ \t]*(?i:SUBJECT|SUBJ|UBJECT)\s*:|\s(?i:SUBJECT)\s*:|^[\ \t]*SUBJECT\s)
            |(?P<ref>^[\ \t]*(?i:REFS?|REFTELS?|REF\(S\)|REFERENCES?)(?:\s*[:.]|\s)|(?:REF|REFS|Ref|Refs|REF\(S\)|Ref\(s\))\s*:)
            |(?P<clby>(?:^|[\s(])(?i:CLASSIFIED|CLASSIFED|CLASSIFIEDBY)(?:\s+(?i:BY))?\s*:?)",
        )
        .expect("valid keyword regex")
    })
}

/// Splits preamble text into fields.
pub fn split(text: &str) -> Preamble {
    let mut hits: Vec<(usize, usize, Field)> = Vec::new();
    for c in keyword_re().captures_iter(text) {
        let (m, f) = if let Some(m) = c.name("eo") {
            (m, Field::Eo)
        } else if let Some(m) = c.name("tags") {
            (m, Field::Tags)
        } else if let Some(m) = c.name("subject") {
            (m, Field::Subject)
        } else if let Some(m) = c.name("ref") {
            // `Reference was made ...`, `references to ...`: prose, not a REF block.
            // Without a colon or full stop the keyword must be upper case and be
            // followed by a reference-like word (capital, digit, bullet).
            let kw = m.as_str().trim();
            if !kw.contains([':', '.']) && kw.to_ascii_uppercase().starts_with("REFERENCE") {
                let next = text[m.end()..].trim_start().chars().next();
                let upper_kw = !kw.chars().any(|c| c.is_ascii_lowercase());
                if !upper_kw
                    || !next
                        .is_some_and(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '(')
                {
                    continue;
                }
            }
            (m, Field::Ref)
        } else if let Some(m) = c.name("clby") {
            // "Classified" alone (without BY) is only a keyword at a line start
            // followed by a colon-free name, which is too weak: require BY.
            if !m.as_str().to_ascii_uppercase().contains("BY") {
                continue;
            }
            // "CLASSIFIED BY LINE ADDED": a correction banner, not the statement.
            let after = text[m.end()..].trim_start();
            if after
                .get(..10)
                .is_some_and(|a| a.eq_ignore_ascii_case("LINE ADDED"))
            {
                continue;
            }
            (m, Field::ClassifiedBy)
        } else {
            continue;
        };
        // Keep the first occurrence of each field; a later repeat (a second TAGS
        // line) belongs to the field before it only when it is the same field.
        let start = m.start() + m.as_str().len()
            - m.as_str().trim_start_matches([' ', '\t', '\n', '(']).len();
        hits.push((start, m.end(), f));
    }
    let mut pre = Preamble::default();
    let mut cursor = 0usize;
    // A keyword repeated right after itself ("Classified By: Classified by ...",
    // "E.O. 12958: DECL: ...") belongs to the first: drop the inner hit.
    let mut kept: Vec<(usize, usize, Field)> = Vec::with_capacity(hits.len());
    for h in hits {
        if let Some(prev) = kept.last() {
            let between = text[prev.1..h.0]
                .trim_matches(|c: char| c.is_whitespace() || matches!(c, ':' | '(' | ')'));
            let short_mark =
                between.len() <= 4 && between.chars().all(|c| c.is_ascii_uppercase() || c == '/');
            if prev.2 == h.2 && (between.is_empty() || short_mark)
                || prev.2 == Field::Eo && h.2 == Field::Eo
            {
                continue;
            }
        }
        kept.push(h);
    }
    let hits = kept;
    for (i, &(start, end, field)) in hits.iter().enumerate() {
        if start < cursor {
            continue;
        }
        push_free(&mut pre.free, &text[cursor..start]);
        let next = hits[i + 1..]
            .iter()
            .find(|h| h.0 >= end)
            .map(|h| h.0)
            .unwrap_or(text.len());
        let body = &text[end..next];
        let (taken, rest) = natural_end(field, body);
        if pre.get(field).is_none() {
            pre.fields.push(FieldText {
                field,
                keyword: text[start..end].trim().to_string(),
                text: taken.to_string(),
                end: end + taken.len(),
                more: Vec::new(),
            });
        } else if field == Field::Ref {
            // A second REF keyword continues the list.
            if let Some(r) = pre.fields.iter_mut().find(|x| x.field == Field::Ref) {
                r.more.push(taken.to_string());
                r.end = end + taken.len();
            }
        }
        push_free(&mut pre.free, rest);
        cursor = next;
    }
    push_free(&mut pre.free, &text[cursor..]);
    pre
}

fn push_free(free: &mut Vec<String>, text: &str) {
    for l in text.split('\n') {
        let t = l.trim();
        if !t.is_empty() && !is_rule(t) {
            free.push(t.to_string());
        }
    }
}

/// Where a field's own text ends inside the span up to the next keyword; returns
/// (field text, free text after it).
fn natural_end(field: Field, body: &str) -> (&str, &str) {
    match field {
        Field::Subject | Field::Tags | Field::Eo => {
            // Ends at a blank line or at a run of five or more spaces (the guide:
            // collapsed preambles keep wide gaps between fields).
            let mut end = body.len();
            if let Some(p) = find_blank_line(body) {
                end = end.min(p);
            }
            if field == Field::Tags {
                if let Some(p) = body.find("     ") {
                    if body[..p].trim().len() > 1 {
                        end = end.min(p);
                    }
                }
                // TAGS go on after their first line only on lines of tags (`GG, RU,
                // AM`): prose after them is the text.
                let mut seen = false;
                for (i, l) in line_starts(body) {
                    let t = l.trim();
                    if seen && !t.is_empty() && !is_tag_line(t) {
                        end = end.min(i);
                        break;
                    }
                    seen |= !t.is_empty();
                }
            }
            if field == Field::Subject {
                // A subject wraps onto a few lines; a short label line (`INDEX:`,
                // `ARTICLES:`) or a fifth line starts the text.
                let mut content_lines = 0;
                for (i, l) in line_starts(body) {
                    let t = l.trim();
                    let label = content_lines > 0 && t.len() <= 30 && t.ends_with(':');
                    if i > 0 && (is_rule(l) || is_subject_stop(l) || label || content_lines >= 4) {
                        end = end.min(i);
                        break;
                    }
                    if !t.is_empty() {
                        content_lines += 1;
                    }
                }
            }
            body.split_at(end)
        }
        Field::Ref => {
            // The REF block's own end rules live with the references reader; a line
            // of running prose after it is the unnumbered body, whatever those rules
            // say.
            let mut end = super::references::extent(body);
            if let Some((i, _)) = line_starts(body).skip(1).find(|(_, l)| is_prose_line(l)) {
                end = end.min(i);
            }
            body.split_at(end)
        }
        Field::ClassifiedBy => {
            // Classified By ends at a blank line, or after its reasons.
            let end = find_blank_line(body).unwrap_or(body.len());
            body.split_at(end)
        }
    }
}

/// A line of running prose: long, and most of its words in lower case. REF items
/// (`A. STATE 1234`, `B. Embassy Paris e-mail of May 4`) are short or mostly
/// names and numbers.
fn is_prose_line(l: &str) -> bool {
    let t = l.trim();
    if t.len() < 100 || t.starts_with(|c: char| !c.is_alphabetic()) && !t.starts_with('"') {
        return false;
    }
    let words: Vec<&str> = t.split_whitespace().collect();
    let lower = words
        .iter()
        .filter(|w| w.chars().next().is_some_and(char::is_lowercase))
        .count();
    words.len() >= 15 && lower * 2 >= words.len()
}

/// A line that continues a TAGS list: upper case, short, no field label, and no
/// page-break banner (a classification line, a `PAGE nn` header, a section break).
fn is_tag_line(t: &str) -> bool {
    let long_number = t.split(|c: char| !c.is_ascii_digit()).any(|d| d.len() >= 5);
    t.len() <= 80
        && !t.contains(':')
        && super::text::is_upper(t)
        && t.split_whitespace().count() <= 10
        && !long_number
        && !t.starts_with("PAGE ")
        && super::classline::read(t).is_none()
}

fn line_starts(body: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut pos = 0usize;
    body.split('\n').map(move |l| {
        let start = pos;
        pos += l.len() + 1;
        (start, l)
    })
}

fn find_blank_line(body: &str) -> Option<usize> {
    // The first line (the keyword's own) may be empty when the value starts on the
    // next line; a blank line after some content ends the field.
    let mut seen = false;
    for (i, l) in line_starts(body) {
        if l.trim().is_empty() {
            if seen {
                return Some(i);
            }
        } else {
            seen = true;
        }
    }
    None
}

fn is_subject_stop(l: &str) -> bool {
    let t = l.trim_start();
    let up = t.to_ascii_uppercase();
    is_para_start(t)
        || up.starts_with("SUMMARY")
        || up.starts_with("PAGE ")
        || super::classline::read(t).is_some()
}

/// True for a numbered paragraph's first line (`1. (C) ...`, `2.(U)`).
pub fn is_para_start(t: &str) -> bool {
    let t = t.trim_start();
    let digits = t.bytes().take_while(|b| b.is_ascii_digit()).count();
    if digits == 0 || digits > 3 {
        return false;
    }
    let rest = t[digits..].trim_start_matches(' ');
    if rest.starts_with(". ") || rest.starts_with(".(") || rest == "." || rest.starts_with(".\t") {
        return true;
    }
    // `5, (C)`: a comma typed for the dot, before a portion mark.
    if let Some(after) = rest.strip_prefix(',') {
        let after = after.trim_start();
        if let Some(inner) = after.strip_prefix('(').and_then(|a| a.split_once(')')) {
            return matches!(
                crate::marking::read_mark(inner.0),
                crate::marking::MarkReading::Known(m) if m.level.is_some()
            );
        }
        return false;
    }
    // `1.Key issues ...`, `1.KEY POINTS` (the space lost): paragraph 1 only, before a
    // word.
    let mut word = rest.strip_prefix('.').unwrap_or("").chars();
    &t[..digits] == "1"
        && word.next().is_some_and(|c| c.is_ascii_uppercase())
        && word.next().is_some_and(|c| c.is_ascii_alphabetic())
}

/// Joins a field's lines with single spaces, re-joining words hyphenated across lines.
pub fn join_lines(text: &str) -> String {
    let mut out = String::new();
    for l in text.split('\n') {
        let t = l.trim();
        if t.is_empty() {
            continue;
        }
        if out.ends_with('-') && !out.ends_with(" -") && !out.ends_with("--") {
            out.push_str(t);
        } else {
            if !out.is_empty() {
                out.push(' ');
            }
            out.push_str(t);
        }
    }
    squeeze(&out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_line_wise() {
        let p = split(
            "SIPDIS\n\nDEPT FOR EUR/RUS\nE.O. 12958: DECL: 01/29/2018\nTAGS: PGOV PREL\n  GM\nSUBJECT: WELCOME TO\nBERLIN\n\nREF: A. STATE 1\n\n     B. MOSCOW 2\n\nClassified By: DCM John Koenig for reasons 1.4 (b)\nand (d)\n",
        );
        assert_eq!(p.free, vec!["SIPDIS", "DEPT FOR EUR/RUS"]);
        assert_eq!(p.get(Field::Eo).unwrap().text.trim(), "DECL: 01/29/2018");
        assert_eq!(
            join_lines(&p.get(Field::Tags).unwrap().text),
            "PGOV PREL GM"
        );
        assert_eq!(
            join_lines(&p.get(Field::Subject).unwrap().text),
            "WELCOME TO BERLIN"
        );
        assert!(p.get(Field::Ref).unwrap().text.contains("B. MOSCOW 2"));
        assert!(p.get(Field::ClassifiedBy).unwrap().text.contains("and (d)"));
    }

    #[test]
    fn fields_inline() {
        let p = split("SIPDIS DEPT FOR EUR E.O. 12958: DECL: 12/10/2018 TAGS: PREL UP SUBJECT: A B C REF: KYIV 1");
        assert_eq!(p.free, vec!["SIPDIS DEPT FOR EUR"]);
        assert_eq!(p.get(Field::Tags).unwrap().text.trim(), "PREL UP");
        assert_eq!(p.get(Field::Subject).unwrap().text.trim(), "A B C");
    }

    #[test]
    fn a_subject_ends_at_a_label_line_or_after_four_lines() {
        let p = split("SUBJECT:  DAILY SUMMARY OF PRESS 03/15/06\n  INDEX:\n(1) Poll on the cabinet\n(2) More\n");
        assert_eq!(
            join_lines(&p.get(Field::Subject).unwrap().text),
            "DAILY SUMMARY OF PRESS 03/15/06"
        );
        assert_eq!(p.free[0], "INDEX:");
        let p = split("SUBJECT: ONE\nTWO\nTHREE\nFOUR\nFIVE\nSIX\n");
        assert_eq!(
            join_lines(&p.get(Field::Subject).unwrap().text),
            "ONE TWO THREE FOUR"
        );
    }

    #[test]
    fn tags_continue_on_tag_lines_only() {
        let p = split(
            "TAGS: PREL MOPS\nGG, RU, AM\nnote of the new areas of cooperation that would follow\n",
        );
        assert_eq!(
            join_lines(&p.get(Field::Tags).unwrap().text),
            "PREL MOPS GG, RU, AM"
        );
        assert_eq!(
            p.free,
            vec!["note of the new areas of cooperation that would follow"]
        );
    }

    #[test]
    fn tags_label_variants_and_banners() {
        // A bare `TAG` (no colon) is left alone: WikiLeaks did not read it as TAGS
        // either, and its published tags are what records are measured against.
        for label in [
            "TAG:", "TAGS;", "TAGS,", "TABS:", "TAGES:", "tags:", "Tags:",
        ] {
            let p = split(&format!("{label} PREL, PGOV\nSUBJECT: X\n"));
            assert_eq!(
                join_lines(&p.get(Field::Tags).expect(label).text),
                "PREL, PGOV",
                "{label}"
            );
        }
        let p = split("TAGS: PREL PGOV\nCONFIDENTIAL\nPAGE 02 STATE 123456 121530Z\nSUBJECT: X\n");
        assert_eq!(join_lines(&p.get(Field::Tags).unwrap().text), "PREL PGOV");
        let p = split("UBJECT: A CUT LABEL\n");
        assert_eq!(
            join_lines(&p.get(Field::Subject).unwrap().text),
            "A CUT LABEL"
        );
        let p = split("SUBJECT: TALKS Ref(s): A. STATE 1234\n");
        assert_eq!(join_lines(&p.get(Field::Subject).unwrap().text), "TALKS");
        assert!(p.get(Field::Ref).unwrap().text.contains("STATE 1234"));
    }

    #[test]
    fn an_unnumbered_body_after_ref_is_not_a_reference() {
        let p = split(
            "REF: 10 STATE 6668 (U)\n\nESTH delivered reftel points to the Ministry of Foreign Affairs on February 9 and the minister said that the government leans favourably towards it.\nSMITH\n",
        );
        let r = p.get(Field::Ref).unwrap();
        assert_eq!(r.text.trim(), "10 STATE 6668 (U)");
        assert!(p.free.iter().any(|f| f.starts_with("ESTH delivered")));
        // Mixed-case REF items stay in the block.
        let p = split("REF: A. Embassy Paris e-mail of October 14 to EUR/WE\nB. STATE 1234\n");
        assert!(p.get(Field::Ref).unwrap().text.contains("STATE 1234"));
    }

    #[test]
    fn a_classified_by_line_added_banner_is_no_statement() {
        // A multibyte character right after the keyword is no boundary problem.
        let p = split("Classified By: Charge d\u{2019}Affaires Jane Roe\n");
        assert!(p.get(Field::ClassifiedBy).is_some());
        let p = split("CLASSIFIED BY LINE ADDED\nSUBJECT: TEST\n\nClassified By: DCM Jane Roe for reasons 1.4 (b)\n");
        assert!(p
            .get(Field::ClassifiedBy)
            .unwrap()
            .text
            .contains("Jane Roe"));
    }

    #[test]
    fn reference_in_prose_is_no_ref_block() {
        let p = split("SUBJECT: X\n\nReference was made to the earlier talks.\n");
        assert!(p.get(Field::Ref).is_none());
        let p = split("SUBJECT: X\nREFERENCES to the talks abound\n");
        assert!(p.get(Field::Ref).is_none());
        let p = split("SUBJECT: X\nREF STATE 1234\n");
        assert!(p.get(Field::Ref).is_some());
        let p = split("SUBJECT: X\nReftel San Jose 410\n");
        assert!(p.get(Field::Ref).is_some());
        let p = split("SUBJECT: X\nREFERENCES A. STATE 1\n");
        assert!(p.get(Field::Ref).is_some());
        let p = split("SUBJECT: X\nReference: STATE 1234\n");
        assert!(p.get(Field::Ref).is_some());
    }

    #[test]
    fn para_start() {
        assert!(is_para_start("1. (C) text"));
        assert!(is_para_start("12.(U) text"));
        assert!(!is_para_start("1.4 (b)"));
        assert!(!is_para_start("2008. text"));
        assert!(is_para_start("5, (C) text"));
        assert!(!is_para_start("5, and so on"));
        assert!(is_para_start("1.Key issues"));
        assert!(!is_para_start("1.4(b)"));
        assert!(!is_para_start("2.Key"));
        assert!(is_para_start("1.KEY POINTS -- (C) On October 13"));
        assert!(!is_para_start("1.A"));
    }
}
